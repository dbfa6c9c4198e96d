// The dashboard tiles (PRODUCT.md, Family Support Plan): their order, words and counts.
// Counts come from the local store; a count the store cannot know until the first sync
// arrives as `null` and the tile says so instead of showing a number.

import type { PlanCounts, SyncSummary } from "./bindings";

export interface Tile {
  /** The figure this tile shows, named as in `PlanCounts`. */
  id: keyof PlanCounts;
  label: string;
  /** What the number counts, for screen readers and the hint under the label. */
  hint: string;
  /** `null`: not known on this device until the first sync. */
  count: number | null;
}

const TILES: ReadonlyArray<Omit<Tile, "count">> = [
  { id: "draftsInProgress", label: "Drafts in progress", hint: "Plans you have started but not finished" },
  { id: "completed", label: "Completed", hint: "Active plans" },
  {
    id: "reviewOverdue6Weeks",
    label: "Reviews overdue by more than 6 weeks",
    hint: "Active plans whose review date passed more than 6 weeks ago",
  },
  {
    id: "reviewOverdue12Weeks",
    label: "Reviews overdue by more than 12 weeks",
    hint: "Active plans whose review date passed more than 12 weeks ago",
  },
  { id: "closed", label: "Closed", hint: "Plans closed through a review" },
  {
    id: "transfersAwaitingMe",
    label: "Transfers waiting for me",
    hint: "Plans another practitioner wants to transfer to you",
  },
  {
    id: "sharedWithSeveralCoordinators",
    label: "Shared plans with several coordinators",
    hint: "Plans shared with you that have more than one coordinator",
  },
];

export const AFTER_FIRST_SYNC = "Appears after your first sync";

export function dashboardTiles(counts: PlanCounts): Tile[] {
  return TILES.map((tile) => ({ ...tile, count: counts[tile.id] ?? null }));
}

/** The words a screen reader hears for a tile's number. */
export function tileCountText(tile: Tile): string {
  if (tile.count === null) return AFTER_FIRST_SYNC;
  return tile.count === 1 ? "1 plan" : `${tile.count} plans`;
}

/**
 * The sync bar's sentence about the outbox, counted in records: a plan typed on a visit is
 * one record waiting, not the dozens of autosaves it took.
 */
export function pendingChangesText(sync: SyncSummary): string {
  if (sync.pendingChanges === 0) return "No changes waiting to sync";
  const n = Math.max(1, sync.pendingRecords);
  return n === 1 ? "Changes to 1 record waiting to sync" : `Changes to ${n.toLocaleString("en-GB")} records waiting to sync`;
}
