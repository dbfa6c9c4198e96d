import { describe, expect, it } from "vitest";
import { answerOf, failureShower } from "./recordApp.svelte";

describe("the record screens' failures", () => {
  it("sends a locked store to the unlock screen and anything else to the problem page", () => {
    const seen: string[] = [];
    const show = failureShower(
      (message) => seen.push(`locked: ${message}`),
      (title, message) => seen.push(`${title}: ${message}`),
    );
    show({ code: "Locked", message: "Hearth is locked." });
    show({ code: "RecordNotFound", message: "This referral is not on this device." });
    show(new Error("internals"));
    expect(seen[0]).toBe("locked: Hearth is locked.");
    expect(seen[1]).toBe("Sorry, there is a problem with Hearth: This referral is not on this device.");
    expect(seen[2]).not.toContain("internals");
  });

  it("hands over what a command answered, or shows its failure and gives null", async () => {
    const failures: unknown[] = [];
    expect(await answerOf(Promise.resolve({ status: "ok" as const, data: 7 }), (e) => failures.push(e))).toBe(7);
    const error = { code: "StoreFailed" as const, message: "Hearth could not save." };
    expect(await answerOf(Promise.resolve({ status: "error" as const, error }), (e) => failures.push(e))).toBeNull();
    expect(failures).toEqual([error]);
  });
});
