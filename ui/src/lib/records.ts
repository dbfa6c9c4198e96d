// "Your records on this device": the rows of the list on the dashboard, and what the list
// shows after "Download / print". The records come from Rust (`Dashboard.records`).

import { commands, type LocalRecord, type PrintOutcome, type RecordKind } from "./bindings";
import { errorView, isAppError, UNEXPECTED_MESSAGE, type CommandResult } from "./errors";

const KIND_LABELS: Record<RecordKind, string> = {
  plan: "Family support plan",
  review: "Family support plan review",
  referral: "Referral to the MASH",
  request: "Request for support",
  task: "Delegated task",
  contribution: "Contribution",
  document: "Document",
};

const STATUS_LABELS: Record<string, string> = {
  draft: "Draft",
  completed: "Completed",
  closed: "Closed",
};

export const UNTITLED = "Untitled";

/** One row of the list, with every text it shows already worded. */
export interface RecordRow {
  id: string;
  /** The record's title, or "Untitled". */
  title: string;
  untitled: boolean;
  kindLabel: string;
  reference: string;
  /** Said under a provisional reference; `null` for a permanent one. */
  referenceNote: string | null;
  statusLabel: string;
  /** True for drafts (shown as a grey tag). */
  isDraft: boolean;
  /** For the `<time datetime>` attribute. */
  lastSavedIso: string;
  /** "20 November 2026 at 2:05pm" (UK time). */
  lastSaved: string;
  /** Visually hidden words after "Download / print" that say which record it is. */
  buttonContext: string;
}

export const LOCAL_REFERENCE_NOTE = "Local reference until it syncs";

export function kindLabel(kind: RecordKind): string {
  return KIND_LABELS[kind];
}

/** "draft" → "Draft"; a status this version does not know is shown as given, readable. */
export function statusLabel(status: string): string {
  const known = STATUS_LABELS[status];
  if (known) return known;
  const words = status.replace(/[_-]+/g, " ").trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : "Unknown";
}

const UK_DATE_TIME = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Europe/London",
  day: "numeric",
  month: "long",
  year: "numeric",
  hour: "numeric",
  minute: "2-digit",
  hourCycle: "h12",
});

/**
 * A moment in UK time, worded as GOV.UK does: "20 November 2026 at 2:05pm", with
 * "midday" and "midnight" instead of 12pm and 12am. An unreadable value is shown as given.
 */
export function formatUkDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const parts = Object.fromEntries(UK_DATE_TIME.formatToParts(date).map((p) => [p.type, p.value]));
  const day = `${parts.day} ${parts.month} ${parts.year}`;
  const period = (parts.dayPeriod ?? "").replace(/[^a-z]/gi, "").toLowerCase();
  let time = `${parts.hour}:${parts.minute}${period}`;
  if (parts.hour === "12" && parts.minute === "00") time = period === "am" ? "midnight" : "midday";
  return `${day} at ${time}`;
}

export function recordRows(records: readonly LocalRecord[]): RecordRow[] {
  return records.map((record) => {
    const title = record.title?.trim() ?? "";
    const untitled = title === "";
    const shownTitle = untitled ? UNTITLED : title;
    const kind = kindLabel(record.kind);
    return {
      id: record.id,
      title: shownTitle,
      untitled,
      kindLabel: kind,
      reference: record.reference,
      referenceNote: record.referenceIsPermanent ? null : LOCAL_REFERENCE_NOTE,
      statusLabel: statusLabel(record.status),
      isDraft: record.status === "draft",
      lastSavedIso: record.lastSavedAt,
      lastSaved: formatUkDateTime(record.lastSavedAt),
      buttonContext: `${untitled ? `untitled ${kind.toLowerCase()}` : `${shownTitle}, ${kind.toLowerCase()}`}, ${record.reference}`,
    };
  });
}

/** What the list shows after "Download / print" or "Open the PDF to print". */
export type PrintNotice =
  /** Nothing to say (the save dialog was closed). */
  | { kind: "none" }
  | { kind: "saved"; recordId: string; path: string; fileName: string }
  /** Shown above the list, which stays usable. */
  | { kind: "error"; message: string }
  /** The record is gone: reload the list and say why. */
  | { kind: "reload"; message: string }
  /** The store is locked: back to the unlock screen. */
  | { kind: "unlock"; message: string };

/** The notice for a failure of either command (an `AppError`, or anything thrown). */
export function failureNotice(error: unknown): PrintNotice {
  if (!isAppError(error)) return { kind: "error", message: UNEXPECTED_MESSAGE };
  if (error.code === "RecordNotFound") return { kind: "reload", message: error.message };
  const view = errorView(error);
  if (view.kind === "unlock") return { kind: "unlock", message: view.message };
  return { kind: "error", message: error.message };
}

export function printNotice(recordId: string, result: CommandResult<PrintOutcome>): PrintNotice {
  if (result.status === "error") return failureNotice(result.error);
  const outcome = result.data;
  switch (outcome.outcome) {
    case "cancelled":
      return { kind: "none" };
    case "saved":
      return { kind: "saved", recordId, path: outcome.path, fileName: outcome.fileName };
  }
}

/**
 * "Download / print" on a record's page (a referral, a request): what its status line and
 * its error say once the PDF is saved, the save window closed, or it failed (the lock
 * screen when Hearth is locked). The same notices as the dashboard's list, in a line.
 */
export async function printWords(recordId: string, onlocked: (message: string) => void): Promise<{ message: string; error: string }> {
  const notice = printNotice(recordId, await commands.printRecord(recordId));
  switch (notice.kind) {
    case "none":
      return { message: "Not saved: the save window was closed.", error: "" };
    case "saved":
      return { message: `Saved as ${notice.fileName}.`, error: "" };
    case "unlock":
      onlocked(notice.message);
      return { message: "", error: "" };
    case "error":
    case "reload":
      return { message: "", error: notice.message };
  }
}
