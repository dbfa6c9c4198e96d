// "My plans": sorting by any column and paging, so thousands of plans stay quick to show.
// Search itself is Rust's (the store's full-text index); this only orders and slices rows.

import type { PlanRow } from "../bindings";

export type SortKey = "family" | "child" | "dateOfBirth" | "postcode" | "reference" | "status" | "nextReview" | "lastSaved";
export type SortDirection = "ascending" | "descending";

export const PAGE_SIZE = 50;

export const COLUMNS: readonly { key: SortKey; label: string }[] = [
  { key: "family", label: "Family" },
  { key: "child", label: "Focus child" },
  { key: "dateOfBirth", label: "Date of birth" },
  { key: "postcode", label: "Postcode" },
  { key: "reference", label: "Reference" },
  { key: "status", label: "Status" },
  { key: "nextReview", label: "Next review" },
  { key: "lastSaved", label: "Last saved" },
];

function sortValue(row: PlanRow, key: SortKey): string {
  switch (key) {
    case "family":
      return row.familyName.toLocaleLowerCase("en-GB");
    case "child":
      return `${row.childLastName} ${row.childFirstName}`.trim().toLocaleLowerCase("en-GB");
    case "dateOfBirth":
      return row.childDateOfBirth ?? "";
    case "postcode":
      return row.postcode.replace(/\s+/g, "").toUpperCase();
    case "reference":
      return row.reference;
    case "status":
      return row.status;
    case "nextReview":
      return row.nextReview ?? "";
    case "lastSaved":
      return row.lastSavedAt;
  }
}

/** A sorted copy; blanks always last, ties keep the incoming order (best search match first). */
export function sortRows(rows: readonly PlanRow[], key: SortKey, direction: SortDirection): PlanRow[] {
  const sign = direction === "ascending" ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index, value: sortValue(row, key) }))
    .sort((a, b) => {
      if (a.value === "" && b.value !== "") return 1;
      if (b.value === "" && a.value !== "") return -1;
      const c = a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
      return c !== 0 ? c * sign : a.index - b.index;
    })
    .map((x) => x.row);
}

/** Clicking a column: the same column flips direction; a new one starts ascending (dates newest first). */
export function nextSort(current: { key: SortKey; direction: SortDirection }, clicked: SortKey): { key: SortKey; direction: SortDirection } {
  if (current.key === clicked) {
    return { key: clicked, direction: current.direction === "ascending" ? "descending" : "ascending" };
  }
  return { key: clicked, direction: clicked === "lastSaved" ? "descending" : "ascending" };
}

export function pageCount(total: number): number {
  return Math.max(1, Math.ceil(total / PAGE_SIZE));
}

export function pageOf<T>(rows: readonly T[], page: number): T[] {
  const p = Math.min(Math.max(1, page), pageCount(rows.length));
  return rows.slice((p - 1) * PAGE_SIZE, p * PAGE_SIZE);
}
