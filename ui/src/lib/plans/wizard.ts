// The Family Support Plan wizard's logic, kept out of the components so it is tested:
// element ids for field paths, each step's state on the task list, blank drafts and rows,
// score and date conversions, and the autosave queue. Types come from Rust (bindings.ts).

import type {
  DateParts as RustDateParts,
  FieldError,
  PlanDraft,
  ReviewDraft,
  ScoreInput,
  StepState,
  WizardStep,
} from "../bindings";

/** `T` with every field present: Rust sends whole drafts (serde defaults make them optional in the bindings). */
export type Full<T> = T extends (infer U)[]
  ? Full<U>[]
  : T extends string | number | boolean | null
    ? T
    : T extends object
      ? { [K in keyof T]-?: Full<Exclude<T[K], undefined>> }
      : T;

/** A question page of a form, as the task list names it (`WizardShell`). */
export interface PageInfo<S extends string> {
  step: S;
  number: number;
  title: string;
}

/** A question page's state as Rust reports it after each save. */
export interface PageState<S extends string> {
  step: S;
  saved: boolean;
  errors: FieldError[];
}

/** What a page's save answers (every form's): the record, its reference, its pages. */
export interface Saved<S extends string> {
  id: string;
  reference: string;
  referenceIsPermanent: boolean;
  steps: PageState<S>[];
}

/** What a form's final button answers: every error still there, or the reference. */
export interface Submitted {
  /** "invalid" with `errors`; else done, with the reference to show. */
  outcome: string;
  errors?: FieldError[];
  reference?: string;
  referenceIsPermanent?: boolean;
}

/** What `WizardShell` shows: the task list, a page, "Check your answers" or the confirmation. */
export type ShellView<S extends string> = "tasks" | S | "check" | "done";

/** A plan draft as the forms edit it. */
export type Draft = Full<PlanDraft>;
/** A review draft as the review form edits it. */
export type FullReview = Full<ReviewDraft>;
type Parent = Draft["main_parent"];
type FamilyMember = Draft["family_members"][number];
type OtherService = Draft["contacts"]["other_services"][number];
type ChildStory = Draft["child_stories"][number];
type PlanLine = Draft["family_plan"][number];
type AspectEntry = Draft["aspects"][string];

/**
 * The element id of a field named by a Rust validation path: `family_members[3].date_of_birth`
 * → `family_members-3-date_of_birth`. Ids stay safe in CSS selectors and URLs, and the error
 * summary links to `#${fieldId(path)}`.
 */
export function fieldId(path: string): string {
  return path.replace(/\[(\d+)\]/g, "-$1").replace(/\./g, "-");
}

/** The errors whose path is exactly `path`. */
export function errorFor(errors: readonly FieldError[], path: string): string | undefined {
  return errors.find((e) => e.path === path)?.message;
}

/** An error summary's rows: link target and message, in the order Rust gave them. */
export function summaryLinks(
  errors: readonly FieldError[],
): { href: string; id: string; path: string; message: string }[] {
  return errors.map((e) => ({ href: `#${fieldId(e.path)}`, id: fieldId(e.path), path: e.path, message: e.message }));
}

/** The wizard step each top-level draft field is on (as `step_keys` in src-tauri/plans.rs). */
const STEP_OF_FIELD: Record<string, WizardStep> = {
  consent: "consent_and_practitioner",
  practitioner: "consent_and_practitioner",
  focus_child: "focus_child_and_parent",
  main_parent: "focus_child_and_parent",
  second_parent: "focus_child_and_parent",
  family_members: "family_members",
  contacts: "contacts_and_key_information",
  family_story: "family_story",
  child_stories: "child_story",
  aspects: "aspects_of_life",
  practitioner_summary: "summary_and_family_plan",
  family_plan: "summary_and_family_plan",
  family_name: "family_name_and_review",
  next_review: "family_name_and_review",
};

/** The step whose page has the field at `path`, e.g. `family_plan[2].need` → summary_and_family_plan. */
export function stepOfPath(path: string): WizardStep | undefined {
  const key = path.split(/[.[]/)[0] ?? "";
  return Object.prototype.hasOwnProperty.call(STEP_OF_FIELD, key) ? STEP_OF_FIELD[key] : undefined;
}

/**
 * Where "Continue" on a step goes once the step has no errors: back to "Check your answers"
 * when the step was opened from there ("Change", or a link in Finish's error summary),
 * otherwise the next step, and "Check your answers" after the last.
 */
export function afterContinue<S extends string = WizardStep>(
  steps: readonly S[],
  step: S,
  openedFrom: "check" | null,
): S | "check" {
  if (openedFrom === "check") return "check";
  const index = steps.indexOf(step);
  return index >= 0 && index + 1 < steps.length ? (steps[index + 1] as S) : "check";
}

export type TaskState = "not-started" | "in-progress" | "completed" | "has-errors";

export const TASK_STATE_LABELS: Record<TaskState, string> = {
  "not-started": "Not started",
  "in-progress": "In progress",
  completed: "Completed",
  "has-errors": "Has errors",
};

/**
 * A step's state on the task list. A step never saved is "not started"; one without errors
 * is "completed"; one with errors "has errors" once the practitioner has pressed Continue
 * on it (`checked`) or moved on past it, and "in progress" while they are still on it.
 * Optional steps (no mandatory field) count as completed once saved.
 */
export function taskState(state: Pick<StepState, "saved" | "errors">, checked: boolean): TaskState {
  if (state.errors.length === 0) return state.saved || checked ? "completed" : "not-started";
  if (!state.saved && !checked) return "not-started";
  return checked ? "has-errors" : "in-progress";
}

/** Which steps count as checked: those Continue was pressed on, and any before the last saved step. */
export function checkedSteps<S extends string = WizardStep>(
  steps: readonly { step: S; saved: boolean }[],
  continued: ReadonlySet<S>,
): Set<S> {
  const lastSaved = steps.reduce((last, s, i) => (s.saved ? i : last), -1);
  const out = new Set(continued);
  steps.forEach((s, i) => {
    if (i < lastSaved && s.saved) out.add(s.step);
  });
  return out;
}

export function blankParent(): Parent {
  return {
    first_name: "",
    last_name: "",
    date_of_birth: null,
    gender: null,
    address: { property: "", street: "", area: "", town: "", county: "", postcode: "" },
  };
}

export function blankFamilyMember(): FamilyMember {
  return {
    relationship: "",
    first_name: "",
    last_name: "",
    date_of_birth: null,
    gender: null,
    contact: "",
    part_of_plan: false,
  };
}

export function blankOtherService(): OtherService {
  return { service: "", contact: "", role: "" };
}

export function blankChildStory(childName = ""): ChildStory {
  return { child_name: childName, working_well: "", could_be_better: "", who_i_can_talk_to: "" };
}

export function blankPlanLine(): PlanLine {
  return { focus_area: "", need: "", action: "", who: "", by_when: null, score: null };
}

/** A new plan: every field blank, one row of each list ready to fill in except optional ones. */
export function blankDraft(): Draft {
  return {
    consent: { agrees_to_share: false, not_shared_with: [], consent_date: null },
    practitioner: { name: "", agency: "", prompting: "", phone: "", phone_extension: "", email: "" },
    focus_child: { first_name: "", last_name: "", date_of_birth: null, gender: null },
    main_parent: blankParent(),
    second_parent: null,
    family_members: [],
    contacts: {
      parent_phone: "",
      parent_email: "",
      other_contact_details: "",
      interpreter_needed: false,
      language: "",
      key_information: "",
      other_services: [],
    },
    family_story: { key_events_now: "", past_events: "" },
    child_stories: [],
    aspects: {},
    practitioner_summary: "",
    family_plan: [],
    family_name: "",
    next_review: { date: null, time: null, location: "" },
    unfinished_dates: {},
  };
}

/**
 * A draft from the store, with every field present (older or partial records may lack
 * some), so the form can bind to each one.
 */
export function completeDraft(stored: PlanDraft): Draft {
  const blank = blankDraft();
  const parent = (p: PlanDraft["main_parent"]): Parent => ({
    ...blankParent(),
    ...p,
    address: { ...blankParent().address, ...p?.address },
  }) as Parent;
  const aspects: Draft["aspects"] = {};
  for (const [code, entry] of Object.entries(stored.aspects ?? {})) {
    aspects[code] = { score: entry?.score ?? null, note: entry?.note ?? "" };
  }
  const contacts = { ...blank.contacts, ...stored.contacts } as Draft["contacts"];
  return {
    consent: { ...blank.consent, ...stored.consent } as Draft["consent"],
    practitioner: { ...blank.practitioner, ...stored.practitioner } as Draft["practitioner"],
    focus_child: { ...blank.focus_child, ...stored.focus_child } as Draft["focus_child"],
    main_parent: parent(stored.main_parent),
    second_parent: stored.second_parent ? parent(stored.second_parent) : null,
    family_members: (stored.family_members ?? []).map((m) => ({ ...blankFamilyMember(), ...m }) as FamilyMember),
    contacts: {
      ...contacts,
      other_services: (stored.contacts?.other_services ?? []).map((o) => ({ ...blankOtherService(), ...o }) as OtherService),
    },
    family_story: { ...blank.family_story, ...stored.family_story } as Draft["family_story"],
    child_stories: (stored.child_stories ?? []).map((c) => ({ ...blankChildStory(), ...c }) as ChildStory),
    aspects,
    practitioner_summary: stored.practitioner_summary ?? "",
    family_plan: (stored.family_plan ?? []).map((l) => ({ ...blankPlanLine(), ...l }) as PlanLine),
    family_name: stored.family_name ?? "",
    next_review: { ...blank.next_review, ...stored.next_review } as Draft["next_review"],
    unfinished_dates: completeUnfinished(stored.unfinished_dates),
  };
}

/** A review from the store with every field present. */
export function completeReview(stored: ReviewDraft): FullReview {
  return {
    held_on: stored.held_on ?? null,
    attendees: (stored.attendees ?? []).map((a) => ({ name: a.name ?? "", role: a.role ?? "" })),
    updated_plan: completeDraft(stored.updated_plan ?? {}),
    line_progress: (stored.line_progress ?? []).map((l) => ({
      need: l.need ?? "",
      status: l.status ?? null,
      note: l.note ?? "",
      score: l.score ?? null,
    })),
    review_summary: stored.review_summary ?? "",
    next_steps: stored.next_steps ?? null,
    closure_reason: stored.closure_reason ?? "",
    unfinished_dates: completeUnfinished(stored.unfinished_dates),
  };
}

/** Removes row `index` from `rows` (a new array). */
export function removeRow<T>(rows: readonly T[], index: number): T[] {
  return rows.filter((_, i) => i !== index);
}

/** Adds `row` at the end (a new array); there is no limit. */
export function addRow<T>(rows: readonly T[], row: T): T[] {
  return [...rows, row];
}

/** The aspect's entry, created blank when the plan has none yet. */
export function aspectEntry(aspects: Draft["aspects"], code: string): AspectEntry {
  return aspects[code] ?? { score: null, note: "" };
}

/** A score as the select shows it: "", "1".."10" or "na". */
export function scoreToChoice(score: ScoreInput | null | undefined): string {
  if (score === null || score === undefined) return "";
  if (score === "not_applicable") return "na";
  return String(score.score);
}

export function choiceToScore(choice: string): ScoreInput | null {
  if (choice === "") return null;
  if (choice === "na") return "not_applicable";
  const n = Number(choice);
  return Number.isInteger(n) ? { score: n } : null;
}

/** Day, month and year as typed into a GOV.UK date input (Rust's `DateParts`, every part present). */
export type DateParts = Full<RustDateParts>;

export function isoToParts(iso: string | null | undefined): DateParts {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso ?? "");
  if (!m) return { day: "", month: "", year: "" };
  return { day: String(Number(m[3])), month: String(Number(m[2])), year: m[1] ?? "" };
}

/** The ISO date when the parts make a real date, else `null` (Rust then says what is missing). */
export function partsToIso(parts: DateParts): string | null {
  const day = Number(parts.day.trim());
  const month = Number(parts.month.trim());
  const yearText = parts.year.trim();
  const year = Number(yearText);
  if (!/^\d{4}$/.test(yearText) || !Number.isInteger(day) || !Number.isInteger(month)) return null;
  if (month < 1 || month > 12 || day < 1) return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return `${yearText}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/**
 * What a date input's three boxes mean for the draft: the ISO date when they make a real
 * date; otherwise, if anything is typed, the parts themselves (`unfinished`), which the
 * draft keeps under the field's path so nothing typed is lost and Rust reports the date
 * as unfinished, naming the field. All blank: neither.
 */
export function dateEntry(parts: DateParts): { iso: string | null; unfinished: DateParts | null } {
  const iso = partsToIso(parts);
  if (iso !== null) return { iso, unfinished: null };
  const typed = [parts.day, parts.month, parts.year].some((p) => p.trim() !== "");
  return { iso: null, unfinished: typed ? { day: parts.day, month: parts.month, year: parts.year } : null };
}

/** The parts a date input starts from: the saved date, else what was typed and kept. */
export function initialParts(iso: string | null | undefined, unfinished: Partial<DateParts> | null | undefined): DateParts {
  if (iso) return isoToParts(iso);
  return { day: unfinished?.day ?? "", month: unfinished?.month ?? "", year: unfinished?.year ?? "" };
}

/** The unfinished dates of a stored draft, every part present. */
export function completeUnfinished(
  stored: Readonly<Record<string, Partial<DateParts> | undefined>> | null | undefined,
): Record<string, DateParts> {
  return Object.fromEntries(Object.entries(stored ?? {}).map(([path, p]) => [path, initialParts(null, p)]));
}

/** `map` with the unfinished date at `path` set, or removed when `parts` is `null` (a new object). */
export function withUnfinished(
  map: Readonly<Record<string, DateParts>>,
  path: string,
  parts: DateParts | null,
): Record<string, DateParts> {
  const out: Record<string, DateParts> = {};
  for (const [key, value] of Object.entries(map)) if (key !== path) out[key] = value;
  if (parts !== null) out[path] = parts;
  return out;
}

/**
 * After row `removed` of the list at `list` (e.g. `family_plan`) is removed: its unfinished
 * dates go, and those of later rows move up one, so each stays with its row.
 */
export function shiftUnfinished(
  map: Readonly<Record<string, DateParts>>,
  list: string,
  removed: number,
): Record<string, DateParts> {
  const out: Record<string, DateParts> = {};
  const prefix = `${list}[`;
  for (const [key, value] of Object.entries(map)) {
    const m = key.startsWith(prefix) ? /^\[(\d+)\](.*)$/.exec(key.slice(list.length)) : null;
    if (!m) {
      out[key] = value;
      continue;
    }
    const index = Number(m[1]);
    if (index === removed) continue;
    out[index > removed ? `${list}[${index - 1}]${m[2]}` : key] = value;
  }
  return out;
}

/** "14:30", "9:05" or "14.30" → "14:30:00"; anything else `null`. */
export function timeToIso(text: string): string | null {
  const m = /^(\d{1,2})[:.](\d{2})$/.exec(text.trim());
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 23 || min > 59) return null;
  return `${String(h).padStart(2, "0")}:${m[2]}:00`;
}

export function isoToTime(iso: string | null | undefined): string {
  const m = /^(\d{2}):(\d{2})/.exec(iso ?? "");
  return m ? `${m[1]}:${m[2]}` : "";
}

const UK_DATE = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });

/** "2016-03-04" → "4 March 2016"; blank stays blank. */
export function ukDate(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? iso : UK_DATE.format(d);
}

/** What the "Saved" status region says. */
export type SaveState = { kind: "idle" } | { kind: "saving" } | { kind: "saved" } | { kind: "failed"; message: string };

export function saveStateText(state: SaveState): string {
  switch (state.kind) {
    case "idle":
      return "";
    case "saving":
      return "Saving…";
    case "saved":
      return "Saved";
    case "failed":
      return `Not saved: ${state.message}`;
  }
}

/**
 * Autosave without a save button: `touch()` after each keystroke waits `delayMs` of quiet
 * before saving; `flush()` (on blur and before navigation) saves now. Saves never overlap:
 * a change made while one is running is saved right after it, so the first save's record id
 * is known to the next.
 */
export class Autosaver {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private dirty = false;
  private running: Promise<void> | null = null;

  constructor(
    private readonly save: () => Promise<void>,
    private readonly delayMs: number,
    private readonly timers: {
      set: (fn: () => void, ms: number) => ReturnType<typeof setTimeout>;
      clear: (t: ReturnType<typeof setTimeout>) => void;
    } = { set: (fn, ms) => setTimeout(fn, ms), clear: (t) => clearTimeout(t) },
  ) {}

  /** Something changed: save after a quiet moment. */
  touch(): void {
    this.dirty = true;
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = this.timers.set(() => {
      this.timer = null;
      // A failure is shown by `save` itself and retried on the next touch or flush.
      this.flush().catch(() => undefined);
    }, this.delayMs);
  }

  get pending(): boolean {
    return this.dirty || this.running !== null;
  }

  /** Saves whatever changed, now, and resolves once everything changed so far is saved. */
  async flush(): Promise<void> {
    if (this.timer !== null) {
      this.timers.clear(this.timer);
      this.timer = null;
    }
    while (this.running || this.dirty) {
      if (this.running) {
        await this.running;
        continue;
      }
      this.dirty = false;
      this.running = this.save().finally(() => {
        this.running = null;
      });
      try {
        await this.running;
      } catch (error) {
        // Not saved: keep it marked as changed so the next touch or flush tries again.
        this.dirty = true;
        throw error;
      }
    }
  }
}
