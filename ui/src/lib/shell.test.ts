import { describe, expect, it } from "vitest";
import type { SyncStatus } from "./bindings";
import {
  conflictsText,
  fieldForError,
  flushAll,
  IdleTimer,
  locationFromHash,
  progressPercent,
  registerFlush,
  requiredErrors,
  sinceText,
  syncBarText,
} from "./shell";

const sync = (over: Partial<SyncStatus> = {}): SyncStatus => ({
  state: "UpToDate",
  lastSyncedAt: null,
  conflicts: 0,
  pendingChanges: 0,
  pendingRecords: 0,
  upload: null,
  download: null,
  message: null,
  completedSyncs: 0,
  ...over,
});

describe("fieldForError", () => {
  it("puts each sign-in problem on the field to fix", () => {
    expect(fieldForError("connect", { code: "InvalidServerAddress", message: "x" })).toBe("server");
    expect(fieldForError("connect", { code: "ServerUnreachable", message: "x" })).toBe("server");
    expect(fieldForError("sign-in", { code: "WrongCredentials", message: "x" })).toBe("email");
    expect(fieldForError("sign-in", { code: "InvalidInput", message: "Enter your password" })).toBe("password");
    expect(fieldForError("sign-in", { code: "InvalidInput", message: "Enter your email address" })).toBe("email");
    expect(fieldForError("code", { code: "WrongCode", message: "x" })).toBe("code");
    expect(fieldForError("code", { code: "CodeExpired", message: "x" })).toBe("code");
    expect(fieldForError("unlock", { code: "WrongPassword", message: "x" })).toBe("password");
  });

  it("leaves problems that are not about a field to the page", () => {
    expect(fieldForError("sign-in", { code: "ServerUnreachable", message: "x" })).toBeNull();
    expect(fieldForError("unlock", { code: "SignInNeeded", message: "x" })).toBeNull();
    expect(fieldForError("code", { code: "DeviceWiped", message: "x" })).toBeNull();
  });
});

describe("requiredErrors", () => {
  it("names every empty field, in order", () => {
    expect(requiredErrors("sign-in", { email: " ", password: "" })).toEqual([
      { field: "email", message: "Enter your email address" },
      { field: "password", message: "Enter your password" },
    ]);
    expect(requiredErrors("sign-in", { email: "a@example.org.uk", password: " " })).toEqual([]);
    expect(requiredErrors("code", { code: "" })).toEqual([{ field: "code", message: "Enter the 6-digit code from the email" }]);
    expect(requiredErrors("connect", { server: "" })[0]?.field).toBe("server");
    expect(requiredErrors("unlock", { password: "" })[0]?.message).toBe("Enter your password");
  });
});

describe("IdleTimer", () => {
  it("expires after the limit without input and input resets it", () => {
    let t = 0;
    const timer = new IdleTimer(1000, () => t);
    t = 999;
    expect(timer.expired()).toBe(false);
    timer.input();
    t = 1998;
    expect(timer.expired()).toBe(false);
    t = 1999;
    expect(timer.expired()).toBe(true);
    timer.limitMs = 5000;
    expect(timer.expired()).toBe(false);
  });

  it("reports input to Rust at most every few seconds", () => {
    let t = 0;
    const timer = new IdleTimer(60_000, () => t, 5000);
    expect(timer.shouldReport()).toBe(true);
    t = 4999;
    expect(timer.shouldReport()).toBe(false);
    t = 5000;
    expect(timer.shouldReport()).toBe(true);
  });
});

describe("flushAll", () => {
  it("waits for every registered flush, even when one fails, and forgets unregistered ones", async () => {
    const done: string[] = [];
    const a = registerFlush(async () => {
      await new Promise((r) => setTimeout(r, 5));
      done.push("a");
    });
    const b = registerFlush(() => {
      throw new Error("b failed");
    });
    const c = registerFlush(() => {
      done.push("c");
    });
    await flushAll();
    expect(done.sort()).toEqual(["a", "c"]);
    a();
    b();
    c();
    await flushAll();
    expect(done).toHaveLength(2);
  });
});

describe("locationFromHash", () => {
  it("knows the routes, a tile filter, and ignores in-page links", () => {
    expect(locationFromHash("")).toEqual({ route: "dashboard", filter: null });
    expect(locationFromHash("#dashboard")).toEqual({ route: "dashboard", filter: null });
    expect(locationFromHash("#plans")).toEqual({ route: "plans", filter: null });
    expect(locationFromHash("#conflicts")).toEqual({ route: "conflicts", filter: null });
    expect(locationFromHash("#plans/draftsInProgress")).toEqual({ route: "plans", filter: "draftsInProgress" });
    expect(locationFromHash("#plans/<script>")).toEqual({ route: "plans", filter: null });
    expect(locationFromHash("#new-plan")).toEqual({ route: "new-plan", filter: null });
    expect(locationFromHash("#requests")).toEqual({ route: "requests", filter: null });
    expect(locationFromHash("#requests/manage")).toEqual({ route: "requests", filter: "manage" });
    expect(locationFromHash("#main-content")).toBeNull();
    expect(locationFromHash("#email")).toBeNull();
  });
});

describe("the sync bar", () => {
  const now = new Date("2026-11-22T10:30:00Z");

  it("says online or offline and when it last synced", () => {
    expect(syncBarText(sync({ state: "UpToDate", lastSyncedAt: "2026-11-22T10:29:45Z" }), now)).toEqual({
      state: "Online",
      detail: "Last synced just now.",
    });
    const offline = syncBarText(sync({ state: "Offline", lastSyncedAt: "2026-11-22T10:25:00Z" }), now);
    expect(offline.state).toBe("Offline");
    expect(offline.detail).toContain("Last synced 5 minutes ago.");
    expect(syncBarText(sync({ state: "Syncing" }), now)).toEqual({ state: "Syncing…", detail: "Not synced yet." });
    expect(syncBarText(sync({ state: "SignInNeeded", message: null }), now).state).toBe("Sign in to sync");
    expect(syncBarText(sync({ state: "Off" }), now).state).toBe("Starting to sync");
  });

  it("does not claim a connection for edits made since the last sync", () => {
    const edited = syncBarText(sync({ state: "UpToDate", lastSyncedAt: "2026-11-22T10:29:45Z", pendingChanges: 3 }), now);
    expect(edited).toEqual({
      state: "Saved on this device",
      detail: "Last synced just now. Hearth sends them at the next sync.",
    });
  });

  it("words the time since the last sync", () => {
    expect(sinceText(new Date("2026-11-22T10:29:00Z"), now)).toBe("1 minute ago");
    expect(sinceText(new Date("2026-11-22T10:00:00Z"), now)).toBe("30 minutes ago");
    expect(sinceText(new Date("2026-11-20T09:05:00Z"), now)).toMatch(/^on 20 November at \d\d:05$/);
  });

  it("counts conflicts and progress", () => {
    expect(conflictsText(0)).toBeNull();
    expect(conflictsText(1)).toBe("1 conflict to resolve");
    expect(conflictsText(3)).toBe("3 conflicts to resolve");
    expect(progressPercent({ done: 1, total: 4, bytes: 0 })).toBe(25);
    expect(progressPercent({ done: 5, total: 4, bytes: 0 })).toBe(100);
    expect(progressPercent({ done: 3, total: null, bytes: 10 })).toBeNull();
    expect(progressPercent({ done: 0, total: 0, bytes: 0 })).toBeNull();
  });
});
