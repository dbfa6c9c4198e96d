import { describe, expect, it } from "vitest";
import type { ReferralForm } from "../bindings";
import { locationFromHash } from "../shell";
import { answerRows, blankDraft, completeDraft, daysLeftText, NOT_GIVEN, outcomeLabel, stepOfPath } from "./referral";
import { referralRoute } from "./route";

const form: ReferralForm = {
  steps: [
    { step: "type_and_referrer", number: 1, title: "Type of referral and your details" },
    { step: "children", number: 2, title: "The children" },
    { step: "household", number: 3, title: "Parents, carers and household" },
    { step: "concerns", number: 4, title: "Concerns and support needed" },
    { step: "consent", number: 5, title: "Consent" },
  ],
  ethnicities: [{ code: "white_british", label: "British", hint: "", group: "White" }],
  genders: [{ code: "female", label: "Female" }],
  outcomes: [{ code: "early_help", label: "Early Help" }],
  mashTriage: false,
};

describe("the referral draft", () => {
  it("starts with one blank child and nothing else", () => {
    const d = blankDraft();
    expect(d.children).toHaveLength(1);
    expect(d.household).toEqual([]);
    expect(d.consent.given).toBeNull();
  });

  it("fills in whatever a stored draft lacks, keeping what it has", () => {
    const d = completeDraft({
      referrer: { name: "Sam Testworker" },
      children: [{ first_name: "Zoë", address: { postcode: "RM1 3AB" } }],
      unfinished_dates: { "children[0].date_of_birth": { day: "4", month: "3" } },
    });
    expect(d.referrer.name).toBe("Sam Testworker");
    expect(d.referrer.email).toBe("");
    expect(d.children[0]?.address).toEqual({ property: "", street: "", area: "", town: "", county: "", postcode: "RM1 3AB" });
    expect(d.children[0]?.date_of_birth_estimated).toBe(false);
    expect(d.children).toHaveLength(1);
    expect(d.unfinished_dates["children[0].date_of_birth"]).toEqual({ day: "4", month: "3", year: "" });
  });

  it("knows the page of every validation path", () => {
    expect(stepOfPath("referral_type")).toBe("type_and_referrer");
    expect(stepOfPath("referrer.email")).toBe("type_and_referrer");
    expect(stepOfPath("children[2].ethnicity")).toBe("children");
    expect(stepOfPath("children")).toBe("children");
    expect(stepOfPath("household[0].phone")).toBe("household");
    expect(stepOfPath("previous_references[1]")).toBe("concerns");
    expect(stepOfPath("consent.reason_not_given")).toBe("consent");
    expect(stepOfPath("unfinished_dates")).toBeUndefined();
  });
});

describe("the answers", () => {
  it("say every answer in full, with the lists' labels and the estimated tick", () => {
    const d = blankDraft();
    d.referral_type = "safeguarding";
    d.children[0] = {
      ...d.children[0]!,
      first_name: "Zoë",
      last_name: "Testchild",
      date_of_birth: "2016-03-04",
      date_of_birth_estimated: true,
      ethnicity: "white_british",
      gender: "female",
    };
    const long = "Zoë has missed school. ".repeat(200);
    d.concerns = long;
    expect(answerRows("type_and_referrer", d, form)[0]).toEqual({ key: "Type of referral", value: "Safeguarding" });
    const child = answerRows("children", d, form);
    expect(child).toContainEqual({ key: "Child", value: "Zoë Testchild" });
    expect(child).toContainEqual({ key: "Date of birth", value: "4 March 2016 (estimated)" });
    expect(child).toContainEqual({ key: "Ethnicity", value: "White: British" });
    expect(child).toContainEqual({ key: "Gender", value: "Female" });
    expect(child).toContainEqual({ key: "School", value: NOT_GIVEN });
    expect(answerRows("concerns", d, form)[0]?.value).toBe(long.trim());
    expect(answerRows("household", d, form)).toEqual([{ key: "Parents, carers and household", value: "None added" }]);
    expect(answerRows("consent", d, form)).toEqual([{ key: "Family has given consent", value: NOT_GIVEN }]);
    d.consent = { given: false, reason_not_given: "Telling the parents could put the child at risk" };
    expect(answerRows("consent", d, form)).toEqual([
      { key: "Family has given consent", value: "No" },
      { key: "Why consent has not been given", value: "Telling the parents could put the child at risk" },
    ]);
    d.children.push({ ...d.children[0]!, first_name: "Owen" });
    expect(answerRows("children", d, form)).toContainEqual({ key: "Child 2", value: "Owen Testchild" });
  });

  it("words outcomes and the days left", () => {
    expect(outcomeLabel(form, "early_help")).toBe("Early Help");
    expect(outcomeLabel(form, null)).toBe("");
    expect(daysLeftText(5)).toBe("deleted in 5 days");
    expect(daysLeftText(1)).toBe("deleted within a day");
  });
});

describe("the referral routes", () => {
  it("open the list, the tray, a new referral or one referral from the hash", () => {
    const id = "0192f000-0000-7000-8000-0000000000e2";
    expect(locationFromHash("#referrals")).toEqual({ route: "referrals", filter: null });
    expect(locationFromHash("#referrals/tray")).toEqual({ route: "referrals", filter: "tray" });
    expect(locationFromHash(`#referrals/${id}`)).toEqual({ route: "referrals", filter: id });
    expect(locationFromHash("#referrals/<script>")).toEqual({ route: "referrals", filter: null });
    expect(referralRoute(null)).toEqual({ name: "list" });
    expect(referralRoute("tray")).toEqual({ name: "tray" });
    expect(referralRoute("new")).toEqual({ name: "new" });
    expect(referralRoute(id)).toEqual({ name: "referral", id });
    expect(referralRoute("not-an-id")).toEqual({ name: "list" });
  });
});
