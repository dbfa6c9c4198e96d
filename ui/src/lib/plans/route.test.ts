import { describe, expect, it } from "vitest";
import { registerPendingEdits, savePendingPlanEdits } from "./route";

describe("saving pending plan edits before a lock", () => {
  it("waits for every registered screen and says whether all saved", async () => {
    const saved: string[] = [];
    const off1 = registerPendingEdits(async () => {
      saved.push("wizard");
      return true;
    });
    expect(await savePendingPlanEdits()).toBe(true);
    const off2 = registerPendingEdits(async () => false);
    expect(await savePendingPlanEdits()).toBe(false);
    off2();
    off1();
    expect(await savePendingPlanEdits()).toBe(true);
    expect(saved).toEqual(["wizard", "wizard"]);
  });
});
