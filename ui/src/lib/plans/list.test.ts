import { describe, expect, it } from "vitest";
import type { PlanRow } from "../bindings";
import { nextSort, PAGE_SIZE, pageCount, pageOf, sortRows } from "./list";

function row(n: number, over: Partial<PlanRow> = {}): PlanRow {
  return {
    id: `id-${n}`,
    reference: `LOCAL-FSP-${String(n).padStart(10, "0")}`,
    referenceIsPermanent: false,
    status: "draft",
    familyName: `Family${n}`,
    childFirstName: "Ada",
    childLastName: `Test${n}`,
    childDateOfBirth: null,
    postcode: "",
    nextReview: null,
    lastSavedAt: `2026-11-${String(10 + (n % 10)).padStart(2, "0")}T10:00:00Z`,
    ...over,
  };
}

describe("sorting my plans", () => {
  it("sorts by family name either way, case-insensitively", () => {
    const rows = [row(1, { familyName: "brown" }), row(2, { familyName: "Adams" }), row(3, { familyName: "Clark" })];
    expect(sortRows(rows, "family", "ascending").map((r) => r.familyName)).toEqual(["Adams", "brown", "Clark"]);
    expect(sortRows(rows, "family", "descending").map((r) => r.familyName)).toEqual(["Clark", "brown", "Adams"]);
  });

  it("keeps blanks last and ties in search order", () => {
    const rows = [row(1, { childDateOfBirth: null }), row(2, { childDateOfBirth: "2016-03-04" }), row(3, { childDateOfBirth: "2012-01-01" })];
    expect(sortRows(rows, "dateOfBirth", "ascending").map((r) => r.id)).toEqual(["id-3", "id-2", "id-1"]);
    expect(sortRows(rows, "dateOfBirth", "descending").map((r) => r.id)).toEqual(["id-2", "id-3", "id-1"]);
    const ties = [row(1, { status: "draft" }), row(2, { status: "draft" })];
    expect(sortRows(ties, "status", "descending").map((r) => r.id)).toEqual(["id-1", "id-2"]);
  });

  it("flips the direction on the same column", () => {
    expect(nextSort({ key: "family", direction: "ascending" }, "family")).toEqual({ key: "family", direction: "descending" });
    expect(nextSort({ key: "family", direction: "descending" }, "postcode")).toEqual({ key: "postcode", direction: "ascending" });
    expect(nextSort({ key: "family", direction: "ascending" }, "lastSaved")).toEqual({ key: "lastSaved", direction: "descending" });
  });
});

describe("paging", () => {
  it("shows thousands of plans a page at a time", () => {
    const rows = Array.from({ length: 5000 }, (_, i) => row(i));
    expect(pageCount(rows.length)).toBe(100);
    expect(pageOf(rows, 1)).toHaveLength(PAGE_SIZE);
    expect(pageOf(rows, 100)[PAGE_SIZE - 1]?.id).toBe("id-4999");
    expect(pageOf(rows, 500)[0]?.id).toBe("id-4950");
    expect(pageOf([], 1)).toEqual([]);
    expect(pageCount(0)).toBe(1);
  });

  it("sorts 5,000 rows", () => {
    const rows = Array.from({ length: 5000 }, (_, i) => row(i, { postcode: `PO${i % 97} 1AA` }));
    const sorted = sortRows(rows, "postcode", "ascending");
    expect(sorted).toHaveLength(5000);
    expect(sorted[0]?.postcode).toBe("PO0 1AA");
  });
});
