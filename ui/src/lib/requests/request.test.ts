import { describe, expect, it } from "vitest";
import type { RequestForm } from "../bindings";
import { dateEntry, initialParts, withUnfinished } from "../plans/wizard";
import { answerRows, blankDraft, completeDraft, filterOf, NOT_GIVEN, stepOfPath, workerOptions } from "./request";

const form = {
  steps: [],
  services: [{ id: "01920000-0000-7000-8000-000000000002", name: "Speech and Language Therapy", code: "SLT" }],
  servicesFromCache: false,
  requestTypes: [
    { code: "lead", label: "Lead" },
    { code: "support", label: "Support" },
  ],
  ethnicities: [{ code: "white_british", label: "British", group: "White" }],
  genders: [{ code: "female", label: "Female" }],
  views: [],
  manager: false,
} as unknown as RequestForm;

describe("request drafts", () => {
  it("fills every field of a partial stored draft so the form can bind to it", () => {
    const d = completeDraft({ ehm_id: "EHM-1", child: { first_name: "Zoë", address: { town: "Testtown" } } });
    expect(d.ehm_id).toBe("EHM-1");
    expect(d.child.first_name).toBe("Zoë");
    expect(d.child.last_name).toBe("");
    expect(d.child.address.town).toBe("Testtown");
    expect(d.child.address.postcode).toBe("");
    expect(d.parent_carer.phone).toBe("");
    expect(d.family_consents).toBe(false);
    expect(completeDraft({})).toEqual(blankDraft());
  });

  it("keeps a half-typed date of birth through a save and a reload, and drops it once whole", () => {
    // The child's page: a day and a month typed, no year (what DateInput hands the draft).
    const typed = dateEntry({ day: "14", month: "3", year: "" });
    expect(typed).toEqual({ iso: null, unfinished: { day: "14", month: "3", year: "" } });
    const d = blankDraft();
    d.child.date_of_birth = typed.iso;
    d.unfinished_dates = withUnfinished(d.unfinished_dates, "child.date_of_birth", typed.unfinished);
    // Saved as JSON (every page's save carries the map), loaded back as the store has it.
    const reloaded = completeDraft(JSON.parse(JSON.stringify(d)));
    expect(reloaded.unfinished_dates).toEqual({ "child.date_of_birth": { day: "14", month: "3", year: "" } });
    // The date boxes open with what was typed.
    expect(initialParts(reloaded.child.date_of_birth, reloaded.unfinished_dates["child.date_of_birth"])).toEqual({
      day: "14",
      month: "3",
      year: "",
    });
    // Parts stored without their blanks still fill every box.
    expect(completeDraft({ unfinished_dates: { "child.date_of_birth": { day: "14" } } }).unfinished_dates).toEqual({
      "child.date_of_birth": { day: "14", month: "", year: "" },
    });
    // The year typed: a whole date, and nothing unfinished left.
    const whole = dateEntry({ day: "14", month: "3", year: "2016" });
    expect(whole).toEqual({ iso: "2016-03-14", unfinished: null });
    expect(withUnfinished(reloaded.unfinished_dates, "child.date_of_birth", whole.unfinished)).toEqual({});
    expect(stepOfPath("unfinished_dates")).toBeUndefined();
  });

  it("finds the page of every validation path", () => {
    expect(stepOfPath("service")).toBe("service");
    expect(stepOfPath("request_type")).toBe("service");
    expect(stepOfPath("ehm_id")).toBe("case");
    expect(stepOfPath("child.address.postcode")).toBe("child");
    expect(stepOfPath("parent_carer.phone")).toBe("parent_carer");
    expect(stepOfPath("requesting_worker.email")).toBe("worker");
    expect(stepOfPath("family_consents")).toBe("reason");
    expect(stepOfPath("toString")).toBeUndefined();
  });
});

describe("answers", () => {
  it("names the service and lists missing answers as not given; a blank UPN is not known", () => {
    const d = blankDraft();
    d.service = "SLT";
    d.request_type = "support";
    expect(answerRows("service", d, form)).toEqual([
      { key: "Commissioned service", value: "Speech and Language Therapy" },
      { key: "Type of request", value: "Support" },
    ]);
    const child = answerRows("child", d, form);
    expect(child.find((r) => r.key === "Child's name")?.value).toBe(NOT_GIVEN);
    expect(child.find((r) => r.key === "UPN")?.value).toBe("Not known");
    d.child.date_of_birth = "2016-03-04";
    expect(answerRows("child", d, form).find((r) => r.key === "Date of birth")?.value).toBe("4 March 2016");
    // The ethnicity as the list offered it, with its group.
    d.child.ethnicity = "white_british";
    expect(answerRows("child", d, form).find((r) => r.key === "Ethnicity")?.value).toBe("White: British");
  });
});

describe("filters", () => {
  it("asks for everything when blank and trims the value otherwise", () => {
    expect(filterOf("ehm_id", "   ")).toBeNull();
    expect(filterOf("worker_name", " Casey Testworker ")).toEqual({ by: "worker_name", value: "Casey Testworker" });
  });
});

import { requestRoute } from "./route";

describe("routes", () => {
  it("opens the list, the form, the manager's views or one request", () => {
    expect(requestRoute(null)).toEqual({ name: "list" });
    expect(requestRoute("new")).toEqual({ name: "new" });
    expect(requestRoute("manage")).toEqual({ name: "manage" });
    expect(requestRoute("0192a000-0000-7000-8000-000000000001")).toEqual({ name: "request", id: "0192a000-0000-7000-8000-000000000001" });
    expect(requestRoute("nonsense")).toEqual({ name: "list" });
  });
});

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
