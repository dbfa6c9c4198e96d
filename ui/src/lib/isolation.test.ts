// Tests of the isolation hook in ui-isolation/index.js, which every IPC message passes
// through before Tauri hands it to Rust.
import { beforeAll, describe, expect, it } from "vitest";
// The hook is a classic script (not a module): load its text and run it like a browser would.
import hookSource from "../../../ui-isolation/index.js?raw";

type Message = { cmd: string; callback: number; error: number; payload: unknown; options?: unknown };
type Hook = (message: Message) => Message;

let hook: Hook;

beforeAll(() => {
  const frame: { __TAURI_ISOLATION_HOOK__?: Hook } = {};
  new Function("window", hookSource)(frame);
  if (!frame.__TAURI_ISOLATION_HOOK__) throw new Error("the isolation script set no hook");
  hook = frame.__TAURI_ISOLATION_HOOK__;
});

const message = (cmd: string, payload: unknown): Message => ({ cmd, callback: 1, error: 2, payload });
const REJECTED = "hearth_rejected_by_isolation";

describe("the isolation hook", () => {
  it("passes the app's commands with the arguments they take", () => {
    for (const m of [
      message("shell_status", {}),
      message("dashboard", {}),
      message("activity", {}),
      message("lock", {}),
      message("sync_now", {}),
      message("resend_code", {}),
      message("connect_server", { address: "https://hearth.example.org.uk" }),
      message("sign_in", { email: "worker@example.org.uk", password: "kettle-orchard-lantern" }),
      message("sign_in", { email: "", password: "" }),
      message("verify_code", { code: "123456" }),
      message("sign_out", { confirmed: false }),
      message("unlock", { password: "kettle-orchard-lantern" }),
      message("print_record", { recordId: "019a9f3c-1111-7000-8000-000000000001" }),
      message("open_saved_pdf", { path: "/home/pat/Documents/LOCAL-FSP-9C3E1A7F42-261121-FamilySupportPlan.pdf" }),
    ]) {
      expect(hook(m)).toBe(m);
    }
  });

  it("passes the documents commands with ids only, and listening to Hearth's own events only", () => {
    const id = "019a9f3c-1111-7000-8000-000000000001";
    for (const m of [
      message("documents_list", { planId: id }),
      message("document_choose", { planId: id }),
      message("document_staged", { planId: id, stagedId: id }),
      message("document_add", { planId: id, stagedId: id, title: "Letter", fileName: "FSP-000001-261121-Letter.pdf" }),
      message("document_open", { documentId: id }),
      message("document_edit", { documentId: id }),
      message("document_relink", { documentId: id, planId: id }),
      message("plugin:event|listen", { event: "documents://saved", target: { kind: "Any" }, handler: 7 }),
      message("plugin:event|listen", { event: "documents://dropped", target: { kind: "Any" }, handler: 8 }),
      message("plugin:event|unlisten", { event: "documents://saved", eventId: 3 }),
    ]) {
      expect(hook(m)).toBe(m);
    }
    for (const m of [
      // A path never crosses: files are chosen in Rust.
      message("document_add", { planId: id, stagedId: id, title: "x", fileName: "x", path: "/etc/passwd" }),
      message("document_open", { documentId: "../../etc/passwd" }),
      message("document_staged", { planId: id, stagedId: "/home/pat/notes.txt" }),
      message("plugin:event|listen", { event: "tauri://drag-drop", target: { kind: "Any" }, handler: 7 }),
      message("plugin:event|emit", { event: "documents://saved", payload: {} }),
      message("plugin:event|unlisten", { event: "tauri://close-requested", eventId: 3 }),
    ]) {
      expect(hook(m).cmd).toBe(REJECTED);
    }
  });

  it("renames anything else to a command that does not exist, dropping its arguments", () => {
    const m = message("plugin:fs|read_file", { path: "/etc/passwd" });
    expect(hook(m)).toEqual({ cmd: REJECTED, callback: 1, error: 2, payload: {} });
    for (const cmd of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
      expect(hook(message(cmd, {})).cmd).toBe(REJECTED);
    }
  });

  it("rejects commands called with unexpected arguments", () => {
    expect(hook(message("dashboard", { extra: 1 })).cmd).toBe(REJECTED);
    expect(hook(message("unlock", {})).cmd).toBe(REJECTED);
    expect(hook(message("unlock", { password: 42 })).cmd).toBe(REJECTED);
    expect(hook(message("unlock", { password: "" })).cmd).toBe(REJECTED);
    expect(hook(message("unlock", { password: "x".repeat(1025) })).cmd).toBe(REJECTED);
    expect(hook(message("unlock", { password: "kettle-orchard-lantern", other: true })).cmd).toBe(REJECTED);
    expect(hook(message("unlock", ["kettle-orchard-lantern"])).cmd).toBe(REJECTED);
    expect(hook(message("print_record", {})).cmd).toBe(REJECTED);
    expect(hook(message("print_record", { recordId: "../../etc/passwd" })).cmd).toBe(REJECTED);
    expect(hook(message("print_record", { record_id: "019a9f3c-1111-7000-8000-000000000001" })).cmd).toBe(REJECTED);
    expect(hook(message("open_saved_pdf", { path: "" })).cmd).toBe(REJECTED);
    expect(hook(message("open_saved_pdf", { path: 7 })).cmd).toBe(REJECTED);
    expect(hook(message("open_saved_pdf", { path: "x".repeat(4097) })).cmd).toBe(REJECTED);
    expect(hook(message("open_saved_pdf", { path: "/tmp/a.pdf", app: "sh" })).cmd).toBe(REJECTED);
    expect(hook(message("app_status", {})).cmd).toBe(REJECTED);
    expect(hook(message("connect_server", {})).cmd).toBe(REJECTED);
    expect(hook(message("connect_server", { address: "x".repeat(2049) })).cmd).toBe(REJECTED);
    expect(hook(message("sign_in", { email: "a@example.org.uk" })).cmd).toBe(REJECTED);
    expect(hook(message("sign_in", { email: 1, password: "x" })).cmd).toBe(REJECTED);
    expect(hook(message("verify_code", { code: "1".repeat(33) })).cmd).toBe(REJECTED);
    expect(hook(message("sign_out", { confirmed: "yes" })).cmd).toBe(REJECTED);
    expect(hook(message("sign_out", {})).cmd).toBe(REJECTED);
    expect(hook(message("lock", { now: true })).cmd).toBe(REJECTED);
  });
});

describe("the isolation hook and the plan commands", () => {
  const id = "019a9f3c-1111-7000-8000-000000000001";

  it("passes plan and review commands with the arguments they take", () => {
    for (const m of [
      message("plan_form", {}),
      message("plan_load", { recordId: id }),
      message("plan_save", { recordId: null, step: "consent_and_practitioner", draft: {} }),
      message("plan_save", { recordId: id, step: "family_name_and_review", draft: { family_name: "Testchild" } }),
      message("plan_finish", { recordId: id }),
      message("plans_list", { query: "PO1 2AB" }),
      message("review_start", { planId: id }),
      message("review_load", { reviewId: id }),
      message("review_save", { reviewId: id, draft: { attendees: [] } }),
      message("review_finish", { reviewId: id }),
    ]) {
      expect(hook(m)).toBe(m);
    }
  });

  it("rejects unknown steps, non-object drafts, bad ids and huge inputs", () => {
    expect(hook(message("plan_save", { recordId: null, step: "step_ten", draft: {} })).cmd).toBe(REJECTED);
    expect(hook(message("plan_save", { recordId: null, step: "family_story", draft: [] })).cmd).toBe(REJECTED);
    expect(hook(message("plan_save", { recordId: null, step: "family_story", draft: "x" })).cmd).toBe(REJECTED);
    expect(hook(message("plan_save", { recordId: "../x", step: "family_story", draft: {} })).cmd).toBe(REJECTED);
    expect(hook(message("plan_save", { step: "family_story", draft: {} })).cmd).toBe(REJECTED);
    const huge = { family_story: { key_events_now: "x".repeat(4 * 1024 * 1024 + 1) } };
    expect(hook(message("plan_save", { recordId: null, step: "family_story", draft: huge })).cmd).toBe(REJECTED);
    expect(hook(message("plans_list", { query: "x".repeat(201) })).cmd).toBe(REJECTED);
    expect(hook(message("plans_list", {})).cmd).toBe(REJECTED);
    expect(hook(message("review_start", { planId: "nope" })).cmd).toBe(REJECTED);
    expect(hook(message("review_save", { reviewId: id })).cmd).toBe(REJECTED);
  });
});

describe("the isolation hook and the conflict commands", () => {
  it("passes a conflict's number and the fields to keep", () => {
    for (const m of [
      message("conflicts_list", {}),
      message("conflict_resolve", { conflictId: "7", keepMine: [] }),
      message("conflict_resolve", { conflictId: "12", keepMine: ["family_name", "practitioner_summary"] }),
    ]) {
      expect(hook(m)).toBe(m);
    }
  });

  it("rejects anything else", () => {
    expect(hook(message("conflicts_list", { all: true })).cmd).toBe(REJECTED);
    expect(hook(message("conflict_resolve", { conflictId: 7, keepMine: [] })).cmd).toBe(REJECTED);
    expect(hook(message("conflict_resolve", { conflictId: "7 OR 1=1", keepMine: [] })).cmd).toBe(REJECTED);
    expect(hook(message("conflict_resolve", { conflictId: "7" })).cmd).toBe(REJECTED);
    expect(hook(message("conflict_resolve", { conflictId: "7", keepMine: "family_name" })).cmd).toBe(REJECTED);
    expect(hook(message("conflict_resolve", { conflictId: "7", keepMine: ["../secret"] })).cmd).toBe(REJECTED);
    expect(hook(message("conflict_resolve", { conflictId: "7", keepMine: Array(101).fill("a") })).cmd).toBe(REJECTED);
    expect(hook(message("conflict_resolve", { conflictId: "7", keepMine: [], extra: 1 })).cmd).toBe(REJECTED);
  });
});
