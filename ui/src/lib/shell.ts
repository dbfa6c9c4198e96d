// The shell's logic, kept out of the components so it is tested without a window: which
// field an error belongs to, the idle timer, the drafts to flush before locking, the
// routes of the main navigation and the sync bar's words.

import type { AppError, Progress, SyncStatus } from "./bindings";

/** One problem with one field: the summary links to `#${field}`. */
export interface FieldError {
  field: string;
  message: string;
}

/** The first error for a field, for the message above it. */
export function errorFor(errors: readonly FieldError[], field: string): string | undefined {
  return errors.find((e) => e.field === field)?.message;
}

/** The form each sign-in screen shows, with the ids of its fields. */
export type ShellForm = "connect" | "sign-in" | "code" | "unlock";

/**
 * Where a command's error goes on a sign-in screen: beside a field (its id), or `null` for
 * errors that are not about a field (the caller shows them as a notice or problem page).
 */
export function fieldForError(form: ShellForm, error: AppError): string | null {
  switch (error.code) {
    case "InvalidServerAddress":
    case "ServerUnreachable":
      return form === "connect" ? "server" : null;
    case "WrongCredentials":
    case "Throttled":
      return form === "sign-in" ? "email" : form === "code" ? "code" : null;
    case "WrongCode":
    case "CodeExpired":
      return form === "code" ? "code" : null;
    case "WrongPassword":
      return form === "unlock" ? "password" : null;
    case "InvalidInput":
      if (form === "sign-in") return /password/i.test(error.message) ? "password" : "email";
      if (form === "code") return "code";
      if (form === "unlock") return "password";
      return "server";
    default:
      return null;
  }
}

/** Checks done in the window before calling Rust (Rust checks the same again). */
export function requiredErrors(form: ShellForm, values: Record<string, string>): FieldError[] {
  const errors: FieldError[] = [];
  const empty = (field: string) => (values[field] ?? "").trim() === "";
  switch (form) {
    case "connect":
      if (empty("server")) errors.push({ field: "server", message: "Enter the address of your Hearth server" });
      break;
    case "sign-in":
      if (empty("email")) errors.push({ field: "email", message: "Enter your email address" });
      if ((values.password ?? "") === "") errors.push({ field: "password", message: "Enter your password" });
      break;
    case "code":
      if (empty("code")) errors.push({ field: "code", message: "Enter the 6-digit code from the email" });
      break;
    case "unlock":
      if ((values.password ?? "") === "") errors.push({ field: "password", message: "Enter your password" });
      break;
  }
  return errors;
}

/**
 * The idle lock: input resets it; `expired` says when to lock; `shouldReport` says when to
 * tell Rust about input (at most every `reportEveryMs`), whose own watchdog locks a little
 * after the limit if the window stops reporting.
 */
export class IdleTimer {
  private lastInput: number;
  private lastReport = Number.NEGATIVE_INFINITY;

  constructor(
    public limitMs: number,
    private readonly now: () => number = () => Date.now(),
    private readonly reportEveryMs = 5000,
  ) {
    this.lastInput = now();
  }

  input(): void {
    this.lastInput = this.now();
  }

  expired(): boolean {
    return this.now() - this.lastInput >= this.limitMs;
  }

  shouldReport(): boolean {
    const now = this.now();
    if (now - this.lastReport < this.reportEveryMs) return false;
    this.lastReport = now;
    return true;
  }
}

type Flush = () => Promise<void> | void;
const flushers = new Set<Flush>();

/**
 * Screens that hold unsaved input (the wizard's autosave) register a flush here; the shell
 * awaits every flush before it locks or signs out, so nothing typed is lost. Returns the
 * function that unregisters it (call it when the screen unmounts).
 */
export function registerFlush(flush: Flush): () => void {
  flushers.add(flush);
  return () => flushers.delete(flush);
}

/** Runs every registered flush; a failing one does not stop the others. */
export async function flushAll(): Promise<void> {
  await Promise.allSettled([...flushers].map(async (flush) => flush()));
}

/** The routes of the main navigation (hash links). The wizard owns `plans` and `new-plan`. */
export type Route = "dashboard" | "plans" | "new-plan" | "conflicts" | "referrals" | "requests" | "tasks";

export interface Location {
  route: Route;
  /** For `plans`: the dashboard tile it was opened from (a `PlanCounts` key), if any; for
   * `referrals`: `tray`, `new` or a referral's id. */
  filter: string | null;
}

/**
 * `#plans/draftsInProgress` → plans filtered by that tile. `null` for hashes that are not
 * routes (the skip link's `#main-content`, an error summary's `#email`): they move focus only.
 */
export function locationFromHash(hash: string): Location | null {
  const [name, filter] = hash.replace(/^#\/?/, "").split("/", 2);
  if (name === "plans") return { route: "plans", filter: filter && /^[A-Za-z0-9]+$/.test(filter) ? filter : null };
  if (name === "new-plan") return { route: "new-plan", filter: null };
  if (name === "conflicts") return { route: "conflicts", filter: null };
  if (name === "referrals") return { route: "referrals", filter: filter && /^[A-Za-z0-9-]+$/.test(filter) ? filter : null };
  if (name === "requests") return { route: "requests", filter: filter && /^[A-Za-z0-9-]+$/.test(filter) ? filter : null };
  if (name === "tasks") return { route: "tasks", filter: filter && /^[A-Za-z0-9-]+$/.test(filter) ? filter : null };
  if (name === "dashboard" || name === "") return { route: "dashboard", filter: null };
  return null;
}

/** "5 minutes ago" style wording for the last sync. */
export function sinceText(at: Date, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - at.getTime()) / 1000));
  if (seconds < 60) return "just now";
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return minutes === 1 ? "1 minute ago" : `${minutes} minutes ago`;
  const time = at.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
  const sameDay = at.toDateString() === now.toDateString();
  return sameDay ? `at ${time}` : `on ${at.toLocaleDateString("en-GB", { day: "numeric", month: "long" })} at ${time}`;
}

/** The sync bar's sentences. */
export function syncBarText(sync: SyncStatus, now: Date): { state: string; detail: string } {
  const last = sync.lastSyncedAt ? `Last synced ${sinceText(new Date(sync.lastSyncedAt), now)}.` : "Not synced yet.";
  switch (sync.state) {
    case "Syncing":
      return { state: "Syncing…", detail: last };
    case "UpToDate":
      // "Online" is what the last sync found; edits made since have not been tried yet
      // (the server may have gone since), so say where they are rather than claim a link.
      if (sync.pendingChanges > 0) return { state: "Saved on this device", detail: `${last} Hearth sends them at the next sync.` };
      return { state: "Online", detail: last };
    case "Offline":
      return { state: "Offline", detail: `${last} Your work is saved on this device and sent when you are back online.` };
    case "SignInNeeded":
      return { state: "Sign in to sync", detail: sync.message ?? "Your session has ended. Sign in again to sync." };
    case "Failed":
      return { state: "Sync problem", detail: `${sync.message ?? "The last sync failed."} Hearth will try again.` };
    case "Off":
      // The bar shows only when unlocked, where "Off" is the moment before the first try.
      return { state: "Starting to sync", detail: last };
  }
}

export function conflictsText(n: number): string | null {
  if (n === 0) return null;
  return n === 1 ? "1 conflict to resolve" : `${n} conflicts to resolve`;
}

/** A progress bar's value out of 100, or `null` when the total is not known. */
export function progressPercent(p: Progress): number | null {
  if (p.total === null || p.total === 0) return null;
  return Math.min(100, Math.round((p.done / p.total) * 100));
}

export function bytesText(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * Focus for what opens a screen — its `<h1>` when it appears (UI contract), or the error
 * summary above it — with the page back at its top: the header and navigation in sight,
 * not wherever the previous screen or the field last typed in had scrolled it.
 */
export function focusAtTop(node: HTMLElement): void {
  const scroller = node.closest(".scroller");
  if (scroller) scroller.scrollTop = 0;
  node.focus({ preventScroll: true });
}

/** Svelte action: `focusAtTop` when the screen appears. */
export function focusOnMount(node: HTMLElement): void {
  queueMicrotask(() => focusAtTop(node));
}
