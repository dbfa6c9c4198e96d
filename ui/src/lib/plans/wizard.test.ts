import { describe, expect, it } from "vitest";
import type { StepState, WizardStep } from "../bindings";
import {
  addRow,
  afterContinue,
  Autosaver,
  blankDraft,
  blankFamilyMember,
  checkedSteps,
  choiceToScore,
  completeDraft,
  completeReview,
  dateEntry,
  errorFor,
  fieldId,
  initialParts,
  isoToParts,
  isoToTime,
  partsToIso,
  removeRow,
  stepOfPath,
  saveStateText,
  scoreToChoice,
  shiftUnfinished,
  summaryLinks,
  taskState,
  timeToIso,
  ukDate,
  withUnfinished,
} from "./wizard";

const error = (path: string, message: string) => ({ path, message });

describe("field ids for validation paths", () => {
  it("turns paths into ids safe in selectors and links", () => {
    expect(fieldId("practitioner.phone")).toBe("practitioner-phone");
    expect(fieldId("family_members[3].date_of_birth")).toBe("family_members-3-date_of_birth");
    expect(fieldId("aspects.health.score")).toBe("aspects-health-score");
    expect(fieldId("family_plan")).toBe("family_plan");
    expect(fieldId("consent.not_shared_with[10]")).toBe("consent-not_shared_with-10");
  });

  it("links the summary to each field, with Rust's messages verbatim and in order", () => {
    const errors = [
      error("practitioner.name", "Enter your name"),
      error("family_members[0].first_name", "Enter this person's first name"),
    ];
    expect(summaryLinks(errors)).toEqual([
      { href: "#practitioner-name", id: "practitioner-name", path: "practitioner.name", message: "Enter your name" },
      {
        href: "#family_members-0-first_name",
        id: "family_members-0-first_name",
        path: "family_members[0].first_name",
        message: "Enter this person's first name",
      },
    ]);
    expect(errorFor(errors, "practitioner.name")).toBe("Enter your name");
    expect(errorFor(errors, "practitioner")).toBeUndefined();
  });
});

describe("which step a field is on", () => {
  it("finds the step page of any validation path", () => {
    expect(stepOfPath("practitioner.phone")).toBe("consent_and_practitioner");
    expect(stepOfPath("family_members[3].date_of_birth")).toBe("family_members");
    expect(stepOfPath("aspects.health.score")).toBe("aspects_of_life");
    expect(stepOfPath("family_plan")).toBe("summary_and_family_plan");
    expect(stepOfPath("next_review.time")).toBe("family_name_and_review");
    expect(stepOfPath("nonsense")).toBeUndefined();
  });
});

describe("task list states", () => {
  const state = (saved: boolean, errors: number): StepState => ({
    step: "family_story",
    saved,
    errors: Array.from({ length: errors }, (_, i) => error(`x${i}`, "Enter it")),
  });

  it("shows not started, in progress, completed and has errors", () => {
    expect(taskState(state(false, 3), false)).toBe("not-started");
    expect(taskState(state(true, 3), false)).toBe("in-progress");
    expect(taskState(state(true, 3), true)).toBe("has-errors");
    expect(taskState(state(false, 3), true)).toBe("has-errors");
    expect(taskState(state(true, 0), false)).toBe("completed");
    // An optional step with nothing typed is not started until visited.
    expect(taskState(state(false, 0), false)).toBe("not-started");
    expect(taskState(state(false, 0), true)).toBe("completed");
  });

  it("counts steps before the last saved one as checked", () => {
    const steps: StepState[] = (["consent_and_practitioner", "focus_child_and_parent", "family_members"] as WizardStep[]).map(
      (step, i) => ({ step, saved: i !== 1, errors: [] }),
    );
    const checked = checkedSteps(steps, new Set<WizardStep>(["family_members"]));
    expect([...checked].sort()).toEqual(["consent_and_practitioner", "family_members"]);
  });
});

describe("drafts and repeatable rows", () => {
  it("adds and removes rows with no limit", () => {
    let rows = blankDraft().family_members;
    for (let i = 0; i < 40; i++) rows = addRow(rows, { ...blankFamilyMember(), first_name: `T${i}` });
    expect(rows).toHaveLength(40);
    rows = removeRow(rows, 0);
    expect(rows).toHaveLength(39);
    expect(rows[0]?.first_name).toBe("T1");
    expect(removeRow(rows, 99)).toHaveLength(39);
  });

  it("fills in fields a stored draft lacks, keeping what it has", () => {
    const stored = { ...blankDraft(), practitioner: { name: "Sam Testworker" } } as unknown as ReturnType<typeof blankDraft>;
    const full = completeDraft(stored);
    expect(full.practitioner.name).toBe("Sam Testworker");
    expect(full.practitioner.email).toBe("");
    expect(full.main_parent.address.postcode).toBe("");
  });
});

describe("scores, dates and times", () => {
  it("round-trips aspect scores through the select", () => {
    expect(scoreToChoice(null)).toBe("");
    expect(scoreToChoice("not_applicable")).toBe("na");
    expect(scoreToChoice({ score: 7 })).toBe("7");
    expect(choiceToScore("")).toBeNull();
    expect(choiceToScore("na")).toBe("not_applicable");
    expect(choiceToScore("10")).toEqual({ score: 10 });
  });

  it("makes ISO dates only from real dates", () => {
    expect(partsToIso({ day: "4", month: "3", year: "2016" })).toBe("2016-03-04");
    expect(partsToIso({ day: "29", month: "2", year: "2024" })).toBe("2024-02-29");
    expect(partsToIso({ day: "29", month: "2", year: "2023" })).toBeNull();
    expect(partsToIso({ day: "", month: "3", year: "2016" })).toBeNull();
    expect(partsToIso({ day: "4", month: "13", year: "2016" })).toBeNull();
    expect(partsToIso({ day: "4", month: "3", year: "16" })).toBeNull();
    expect(isoToParts("2016-03-04")).toEqual({ day: "4", month: "3", year: "2016" });
    expect(isoToParts(null)).toEqual({ day: "", month: "", year: "" });
    expect(ukDate("2016-03-04")).toBe("4 March 2016");
    expect(ukDate(null)).toBe("");
  });

  it("reads times as people type them", () => {
    expect(timeToIso("14:30")).toBe("14:30:00");
    expect(timeToIso("9.05")).toBe("09:05:00");
    expect(timeToIso("24:00")).toBeNull();
    expect(timeToIso("half two")).toBeNull();
    expect(isoToTime("10:30:00")).toBe("10:30");
    expect(isoToTime(null)).toBe("");
  });
});

describe("autosave", () => {
  function manualTimers() {
    const pending = new Map<number, () => void>();
    let next = 1;
    return {
      timers: {
        set: (fn: () => void) => {
          const id = next++;
          pending.set(id, fn);
          return id as unknown as ReturnType<typeof setTimeout>;
        },
        clear: (t: ReturnType<typeof setTimeout>) => {
          pending.delete(t as unknown as number);
        },
      },
      fire() {
        const fns = [...pending.values()];
        pending.clear();
        fns.forEach((fn) => fn());
      },
      get count() {
        return pending.size;
      },
    };
  }

  it("debounces keystrokes into one save and flushes at once on blur", async () => {
    const t = manualTimers();
    let saves = 0;
    const saver = new Autosaver(async () => void saves++, 500, t.timers);
    saver.touch();
    saver.touch();
    saver.touch();
    expect(t.count).toBe(1);
    expect(saves).toBe(0);
    await saver.flush();
    expect(saves).toBe(1);
    expect(t.count).toBe(0);
    await saver.flush();
    expect(saves).toBe(1); // nothing changed since
  });

  it("never runs two saves at once and saves a change made during a save", async () => {
    const t = manualTimers();
    let active = 0;
    let maxActive = 0;
    let saves = 0;
    let release: () => void = () => {};
    const saver = new Autosaver(
      () =>
        new Promise<void>((resolve) => {
          active++;
          maxActive = Math.max(maxActive, active);
          release = () => {
            active--;
            saves++;
            resolve();
          };
        }),
      500,
      t.timers,
    );
    saver.touch();
    const first = saver.flush();
    saver.touch();
    const second = saver.flush();
    await Promise.resolve();
    release();
    await new Promise((r) => setTimeout(r, 0));
    release();
    await Promise.all([first, second]);
    expect(saves).toBe(2);
    expect(maxActive).toBe(1);
    expect(saver.pending).toBe(false);
  });

  it("keeps a failed save marked as changed so it is tried again", async () => {
    const t = manualTimers();
    let fail = true;
    let saves = 0;
    const saver = new Autosaver(
      async () => {
        if (fail) throw new Error("locked");
        saves++;
      },
      500,
      t.timers,
    );
    saver.touch();
    await expect(saver.flush()).rejects.toThrow("locked");
    expect(saver.pending).toBe(true);
    fail = false;
    await saver.flush();
    expect(saves).toBe(1);
    expect(saver.pending).toBe(false);
  });

  it("says what happened in the status region", () => {
    expect(saveStateText({ kind: "saved" })).toBe("Saved");
    expect(saveStateText({ kind: "idle" })).toBe("");
    expect(saveStateText({ kind: "failed", message: "Hearth is locked." })).toBe("Not saved: Hearth is locked.");
  });
});

const STEPS: WizardStep[] = [
  "consent_and_practitioner",
  "focus_child_and_parent",
  "family_members",
  "contacts_and_key_information",
  "family_story",
  "child_story",
  "aspects_of_life",
  "summary_and_family_plan",
  "family_name_and_review",
];

describe("where Continue goes", () => {
  it("goes to the next step, and to Check your answers after the last", () => {
    expect(afterContinue(STEPS, "consent_and_practitioner", null)).toBe("focus_child_and_parent");
    expect(afterContinue(STEPS, "aspects_of_life", null)).toBe("summary_and_family_plan");
    expect(afterContinue(STEPS, "family_name_and_review", null)).toBe("check");
  });

  it("returns to Check your answers when the step was opened from there (Change)", () => {
    expect(afterContinue(STEPS, "focus_child_and_parent", "check")).toBe("check");
    expect(afterContinue(STEPS, "consent_and_practitioner", "check")).toBe("check");
  });
});

describe("half-typed dates", () => {
  it("keeps what was typed when the boxes do not make a date yet", () => {
    expect(dateEntry({ day: "14", month: "3", year: "" })).toEqual({
      iso: null,
      unfinished: { day: "14", month: "3", year: "" },
    });
    expect(dateEntry({ day: "31", month: "2", year: "2016" })).toEqual({
      iso: null,
      unfinished: { day: "31", month: "2", year: "2016" },
    });
  });

  it("gives the date once it is whole, and nothing when all three are blank", () => {
    expect(dateEntry({ day: "14", month: "3", year: "2016" })).toEqual({ iso: "2016-03-14", unfinished: null });
    expect(dateEntry({ day: " ", month: "", year: "" })).toEqual({ iso: null, unfinished: null });
  });

  it("redraws the boxes from the saved date, else from what was kept", () => {
    expect(initialParts("2016-03-04", { day: "9", month: "", year: "" })).toEqual({ day: "4", month: "3", year: "2016" });
    expect(initialParts(null, { day: "14", month: "3" })).toEqual({ day: "14", month: "3", year: "" });
    expect(initialParts(null, null)).toEqual({ day: "", month: "", year: "" });
  });

  it("sets and clears an entry by path without touching the others", () => {
    const one = withUnfinished({}, "focus_child.date_of_birth", { day: "14", month: "3", year: "" });
    const two = withUnfinished(one, "next_review.date", { day: "1", month: "", year: "" });
    expect(Object.keys(two).sort()).toEqual(["focus_child.date_of_birth", "next_review.date"]);
    expect(withUnfinished(two, "focus_child.date_of_birth", null)).toEqual({
      "next_review.date": { day: "1", month: "", year: "" },
    });
    expect(one).toEqual({ "focus_child.date_of_birth": { day: "14", month: "3", year: "" } });
  });

  it("moves each row's kept date with its row when a row above is removed", () => {
    const p = (day: string) => ({ day, month: "", year: "" });
    const map = {
      "family_plan[0].by_when": p("1"),
      "family_plan[1].by_when": p("2"),
      "family_plan[2].by_when": p("3"),
      "family_members[1].date_of_birth": p("9"),
    };
    expect(shiftUnfinished(map, "family_plan", 1)).toEqual({
      "family_plan[0].by_when": p("1"),
      "family_plan[1].by_when": p("3"),
      "family_members[1].date_of_birth": p("9"),
    });
  });

  it("survives a reload: completeDraft keeps the kept parts", () => {
    const draft = completeDraft({ unfinished_dates: { "focus_child.date_of_birth": { day: "14", month: "3" } } });
    expect(draft.unfinished_dates).toEqual({ "focus_child.date_of_birth": { day: "14", month: "3", year: "" } });
    expect(blankDraft().unfinished_dates).toEqual({});
  });

  it("keeps a review's half-typed meeting date beside the updated plan's own", () => {
    const review = completeReview({
      held_on: null,
      unfinished_dates: { held_on: { day: "14", month: "3" } },
      updated_plan: { unfinished_dates: { "next_review.date": { day: "1", month: "", year: "" } } },
    } as Parameters<typeof completeReview>[0]);
    expect(review.unfinished_dates).toEqual({ held_on: { day: "14", month: "3", year: "" } });
    expect(review.updated_plan.unfinished_dates).toEqual({ "next_review.date": { day: "1", month: "", year: "" } });
    // The boxes come back as typed, and finishing the date drops the kept parts.
    expect(initialParts(review.held_on, review.unfinished_dates["held_on"])).toEqual({ day: "14", month: "3", year: "" });
    const finished = dateEntry({ day: "14", month: "3", year: "2027" });
    expect(finished.iso).toBe("2027-03-14");
    expect(withUnfinished(review.unfinished_dates, "held_on", finished.unfinished)).toEqual({});
    expect(completeReview({} as Parameters<typeof completeReview>[0]).unfinished_dates).toEqual({});
  });
});
