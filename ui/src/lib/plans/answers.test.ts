import { describe, expect, it } from "vitest";
import type { PlanForm } from "../bindings";
import { answerRows, NOT_GIVEN, planHeading } from "./answers";
import { blankDraft, blankFamilyMember } from "./wizard";

const form: PlanForm = {
  steps: [],
  agencies: [{ code: "school", label: "School", hint: "", group: "" }],
  promptingReasons: [],
  aspectsOfLife: [
    { code: "health", label: "Health", hint: "", group: "" },
    { code: "housing", label: "Housing", hint: "", group: "" },
  ],
  focusAreas: [],
  closureReasons: [],
  genders: [{ code: "female", label: "Female" }],
};

describe("check your answers", () => {
  it("words each answer, with labels from the lists and blanks as Not given", () => {
    const d = blankDraft();
    d.practitioner.agency = "school";
    d.practitioner.phone = "02392123456";
    d.practitioner.phone_extension = "4021";
    const rows = answerRows("consent_and_practitioner", d, form);
    expect(rows.find((r) => r.key === "Agency")?.value).toBe("School");
    expect(rows.find((r) => r.key === "Phone number")?.value).toBe("02392123456 extension 4021");
    expect(rows.find((r) => r.key === "Your name")?.value).toBe(NOT_GIVEN);
    expect(rows.find((r) => r.key === "Family agrees to share information")?.value).toBe("No");
  });

  it("lists every family member and every configured aspect", () => {
    const d = blankDraft();
    d.family_members = [
      { ...blankFamilyMember(), first_name: "Owen", last_name: "Testchild", relationship: "Brother", date_of_birth: "2018-05-06", part_of_plan: true },
      { ...blankFamilyMember(), first_name: "Ada", last_name: "Testchild", relationship: "Aunt" },
    ];
    expect(answerRows("family_members", d, form).map((r) => r.value)).toEqual([
      "Owen Testchild, Brother, born 6 May 2018, part of the plan",
      "Ada Testchild, Aunt",
    ]);
    d.aspects = { health: { score: { score: 7 }, note: "Better sleep" }, housing: { score: "not_applicable", note: "" } };
    expect(answerRows("aspects_of_life", d, form)).toEqual([
      { key: "Health", value: "7 out of 10. Better sleep" },
      { key: "Housing", value: "N/A" },
    ]);
  });

  it("names the plan after the family once it has a family name", () => {
    const d = blankDraft();
    expect(planHeading(d)).toBe("Family Support Plan");
    d.family_name = " Testchild ";
    expect(planHeading(d)).toBe("Testchild family");
    d.next_review = { date: "2027-02-01", time: "10:30:00", location: "Family Hub" };
    expect(answerRows("family_name_and_review", d, form)[1]).toEqual({ key: "Next review", value: "1 February 2027 at 10:30" });
  });
});
