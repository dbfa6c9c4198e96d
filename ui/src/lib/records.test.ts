import { describe, expect, it } from "vitest";
import type { LocalRecord } from "./bindings";
import { UNEXPECTED_MESSAGE } from "./errors";
import {
  failureNotice,
  formatUkDateTime,
  kindLabel,
  LOCAL_REFERENCE_NOTE,
  printNotice,
  recordRows,
  statusLabel,
  UNTITLED,
} from "./records";

// Invented records.
const plan: LocalRecord = {
  id: "019a9f3c-1111-7000-8000-000000000001",
  kind: "plan",
  title: "Zoë Nowak",
  reference: "LOCAL-FSP-9C3E1A7F42",
  referenceIsPermanent: false,
  status: "draft",
  lastSavedAt: "2026-11-20T14:05:00Z",
};
const referral: LocalRecord = {
  id: "019a9f3c-2222-7000-8000-000000000002",
  kind: "referral",
  title: null,
  reference: "MARF-000042",
  referenceIsPermanent: true,
  status: "completed",
  lastSavedAt: "2026-07-03T11:30:00.123456789Z",
};

describe("formatUkDateTime", () => {
  it("writes dates the GOV.UK way, in UK time", () => {
    // November: GMT.
    expect(formatUkDateTime("2026-11-20T14:05:00Z")).toBe("20 November 2026 at 2:05pm");
    expect(formatUkDateTime("2026-11-21T09:00:00Z")).toBe("21 November 2026 at 9:00am");
    // July: BST, one hour ahead of UTC (and the day can change).
    expect(formatUkDateTime("2026-07-03T11:30:00.123456789Z")).toBe("3 July 2026 at 12:30pm");
    expect(formatUkDateTime("2026-07-03T23:15:00Z")).toBe("4 July 2026 at 12:15am");
  });

  it("says midday and midnight rather than 12pm and 12am", () => {
    expect(formatUkDateTime("2026-11-20T12:00:00Z")).toBe("20 November 2026 at midday");
    expect(formatUkDateTime("2026-11-20T00:00:00Z")).toBe("20 November 2026 at midnight");
  });

  it("shows an unreadable value as given rather than 'Invalid Date'", () => {
    expect(formatUkDateTime("not a date")).toBe("not a date");
  });
});

describe("statusLabel and kindLabel", () => {
  it("words the store's statuses and kinds", () => {
    expect(statusLabel("draft")).toBe("Draft");
    expect(statusLabel("completed")).toBe("Completed");
    expect(statusLabel("closed")).toBe("Closed");
    expect(statusLabel("awaiting_decision")).toBe("Awaiting decision");
    expect(statusLabel("")).toBe("Unknown");
    expect(kindLabel("plan")).toBe("Family support plan");
    expect(kindLabel("referral")).toBe("Referral to the MASH");
    expect(kindLabel("request")).toBe("Request for support");
  });
});

describe("recordRows", () => {
  it("keeps the order Rust sends and words each row", () => {
    const [first, second] = recordRows([plan, referral]);
    expect(first).toEqual({
      id: plan.id,
      title: "Zoë Nowak",
      untitled: false,
      kindLabel: "Family support plan",
      reference: "LOCAL-FSP-9C3E1A7F42",
      referenceNote: LOCAL_REFERENCE_NOTE,
      statusLabel: "Draft",
      isDraft: true,
      lastSavedIso: "2026-11-20T14:05:00Z",
      lastSaved: "20 November 2026 at 2:05pm",
      buttonContext: "Zoë Nowak, family support plan, LOCAL-FSP-9C3E1A7F42",
    });
    expect(second).toMatchObject({
      title: UNTITLED,
      untitled: true,
      reference: "MARF-000042",
      referenceNote: null,
      statusLabel: "Completed",
      isDraft: false,
      buttonContext: "untitled referral to the mash, MARF-000042",
    });
  });

  it("treats a blank title as untitled", () => {
    const [row] = recordRows([{ ...plan, title: "   " }]);
    expect(row?.title).toBe(UNTITLED);
    expect(row?.untitled).toBe(true);
  });

  it("gives every button a different accessible name", () => {
    const rows = recordRows([plan, { ...plan, id: "other", reference: "LOCAL-FSP-0000000001" }, referral]);
    expect(new Set(rows.map((r) => r.buttonContext)).size).toBe(3);
  });

  it("is empty for an empty store", () => {
    expect(recordRows([])).toEqual([]);
  });
});

describe("printNotice", () => {
  it("offers to open a saved PDF and says nothing when the dialog was closed", () => {
    expect(
      printNotice(plan.id, {
        status: "ok",
        data: { outcome: "saved", path: "/home/pat/Documents/x.pdf", fileName: "x.pdf" },
      }),
    ).toEqual({ kind: "saved", recordId: plan.id, path: "/home/pat/Documents/x.pdf", fileName: "x.pdf" });
    expect(printNotice(plan.id, { status: "ok", data: { outcome: "cancelled" } })).toEqual({ kind: "none" });
  });

  it("reloads the list for a record that has gone and unlocks a locked app", () => {
    expect(printNotice(plan.id, { status: "error", error: { code: "RecordNotFound", message: "Gone." } })).toEqual({
      kind: "reload",
      message: "Gone.",
    });
    expect(printNotice(plan.id, { status: "error", error: { code: "Locked", message: "Locked." } })).toEqual({
      kind: "unlock",
      message: "Locked.",
    });
  });

  it("shows a print failure's own message above the list", () => {
    const message = "Hearth could not save the PDF to /media/usb/x.pdf (that drive is read-only).";
    expect(printNotice(plan.id, { status: "error", error: { code: "PrintFailed", message } })).toEqual({
      kind: "error",
      message,
    });
  });
});

describe("failureNotice", () => {
  it("never shows raw internals for a rejection that is not an AppError", () => {
    expect(failureNotice("Command print_record not allowed by ACL")).toEqual({ kind: "error", message: UNEXPECTED_MESSAGE });
  });
});
