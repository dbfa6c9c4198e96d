import { describe, expect, it } from "vitest";
import { workerOptions } from "./workers";

describe("the allocation list", () => {
  it("offers each worker's name once, as Rust ordered them", () => {
    expect(
      workerOptions([
        { id: "1", name: "Jo Demoworker" },
        { id: "2", name: "Lee Demolead" },
        { id: "3", name: "Lee Demolead" },
        { id: "4", name: " " },
      ]),
    ).toEqual([
      { code: "Jo Demoworker", label: "Jo Demoworker" },
      { code: "Lee Demolead", label: "Lee Demolead" },
    ]);
    expect(workerOptions([])).toEqual([]);
  });
});
