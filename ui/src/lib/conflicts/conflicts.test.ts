import { describe, expect, it } from "vitest";
import type { ConflictView } from "../bindings";
import { choiceId, conflictHeading, keepMine, missingChoices, noChoices, resolvedText } from "./conflicts";

const conflict: ConflictView = {
  id: "7",
  recordId: "0193e3a0-0000-7000-8000-000000000001",
  kindLabel: "Family support plan",
  reference: "FSP-000042",
  title: "Example",
  rejected: false,
  reason: null,
  createdAt: "2026-11-22T09:04:00+00:00",
  fields: [
    { field: "family_name", label: "Family name", base: "Start", mine: "Mine", theirs: "Theirs" },
    { field: "practitioner_summary", label: "Practitioner's summary", base: "(blank)", mine: "Ours", theirs: "Theirs" },
  ],
};

describe("conflict choices", () => {
  it("starts with nothing chosen and names every field still to choose", () => {
    const choices = noChoices(conflict);
    expect(missingChoices(conflict, choices)).toEqual([
      { field: "conflict-7-family_name", message: "Choose which version of family name to keep" },
      { field: "conflict-7-practitioner_summary", message: "Choose which version of practitioner's summary to keep" },
    ]);
    choices.family_name = "theirs";
    expect(missingChoices(conflict, choices).map((e) => e.field)).toEqual([choiceId(conflict, "practitioner_summary")]);
    choices.practitioner_summary = "mine";
    expect(missingChoices(conflict, choices)).toEqual([]);
  });

  it("sends back only the fields kept as mine", () => {
    expect(keepMine({ family_name: "theirs", practitioner_summary: "mine" })).toEqual(["practitioner_summary"]);
    expect(keepMine({ family_name: "theirs" })).toEqual([]);
  });

  it("says what happened", () => {
    expect(conflictHeading(conflict)).toBe("Family support plan FSP-000042 (Example family)");
    expect(conflictHeading({ ...conflict, reference: null, title: null })).toBe("Family support plan no longer on this device");
    expect(resolvedText(conflict, [])).toBe("Family support plan FSP-000042 (Example family) keeps the version on the server.");
    expect(resolvedText(conflict, ["family_name"])).toBe(
      "Your version of 1 answer in Family support plan FSP-000042 (Example family) will be sent at the next sync.",
    );
    expect(resolvedText({ ...conflict, rejected: true }, [])).toContain("dismissed");
  });
});
