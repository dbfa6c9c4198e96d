import { describe, expect, it } from "vitest";
import type { PlanCounts } from "./bindings";
import { AFTER_FIRST_SYNC, dashboardTiles, pendingChangesText, tileCountText } from "./dashboard";

const counts: PlanCounts = {
  draftsInProgress: 2,
  completed: 0,
  reviewOverdue6Weeks: null,
  reviewOverdue12Weeks: null,
  closed: 1,
  transfersAwaitingMe: null,
  sharedWithSeveralCoordinators: null,
};

describe("dashboardTiles", () => {
  it("lists the seven plan tiles in the order PRODUCT.md gives", () => {
    expect(dashboardTiles(counts).map((t) => t.label)).toEqual([
      "Drafts in progress",
      "Completed",
      "Reviews overdue by more than 6 weeks",
      "Reviews overdue by more than 12 weeks",
      "Closed",
      "Transfers waiting for me",
      "Shared plans with several coordinators",
    ]);
  });

  it("keeps a real zero and marks unknown figures as waiting for sync", () => {
    const tiles = dashboardTiles(counts);
    const byId = Object.fromEntries(tiles.map((t) => [t.id, t.count]));
    expect(byId).toEqual({
      draftsInProgress: 2,
      completed: 0,
      reviewOverdue6Weeks: null,
      reviewOverdue12Weeks: null,
      closed: 1,
      transfersAwaitingMe: null,
      sharedWithSeveralCoordinators: null,
    });
  });

  it("has a tile for every figure the store sends", () => {
    const ids = dashboardTiles(counts).map((t) => t.id).sort();
    expect(ids).toEqual(Object.keys(counts).sort());
  });
});

describe("the shared plans with several coordinators tile", () => {
  it("shows the store's count once this device knows who is signed in", () => {
    const tile = (n: number | null) =>
      dashboardTiles({ ...counts, sharedWithSeveralCoordinators: n }).find((t) => t.id === "sharedWithSeveralCoordinators")!;
    expect(tile(null).count).toBeNull();
    expect(tileCountText(tile(null))).toBe(AFTER_FIRST_SYNC);
    expect(tile(0).count).toBe(0);
    expect(tileCountText(tile(0))).toBe("0 plans");
    expect(tileCountText(tile(2))).toBe("2 plans");
    expect(tile(2).hint).toBe("Plans shared with you that have more than one coordinator");
  });
});

describe("tileCountText", () => {
  it("reads counts as plans and unknown counts as waiting for sync", () => {
    const [drafts, completed, overdue] = dashboardTiles({ ...counts, draftsInProgress: 1 });
    expect(tileCountText(drafts!)).toBe("1 plan");
    expect(tileCountText(completed!)).toBe("0 plans");
    expect(tileCountText(overdue!)).toBe(AFTER_FIRST_SYNC);
  });
});

describe("pendingChangesText", () => {
  it("counts the records waiting, not the autosaves", () => {
    expect(pendingChangesText({ pendingChanges: 0, pendingRecords: 0 })).toBe("No changes waiting to sync");
    expect(pendingChangesText({ pendingChanges: 48, pendingRecords: 1 })).toBe("Changes to 1 record waiting to sync");
    expect(pendingChangesText({ pendingChanges: 5000, pendingRecords: 1234 })).toBe(
      "Changes to 1,234 records waiting to sync",
    );
  });
});
