// The referral to the MASH in the window: blank drafts and rows, the page each validation
// path is on, the answers as rows for "Check your answers" and the read-only view, and the
// words for statuses, outcomes and the 30-day deletion. Types come from Rust (bindings.ts);
// the element ids, autosave and dates are the plan wizard's (../plans/wizard).

import type {
  ReferralDraft,
  ReferralForm,
  ReferralStep,
  ReferralType,
  TriageOutcome,
} from "../bindings";
import { address, ethnicityChoices, label, name, NOT_GIVEN, text, yes, type AnswerRow } from "../plans/answers";
import { completeUnfinished, ukDate, type Full } from "../plans/wizard";

export { NOT_GIVEN };

/** A referral draft as the form edits it: every field present. */
export type Draft = Full<ReferralDraft>;
export type Child = Draft["children"][number];
export type Member = Draft["household"][number];

export function blankChild(): Child {
  return {
    first_name: "",
    last_name: "",
    date_of_birth: null,
    date_of_birth_estimated: false,
    ethnicity: "",
    gender: null,
    address: { property: "", street: "", area: "", town: "", county: "", postcode: "" },
    school: "",
  };
}

export function blankMember(): Member {
  return {
    relationship: "",
    first_name: "",
    last_name: "",
    date_of_birth: null,
    parental_responsibility: false,
    lives_with_child: false,
    phone: "",
  };
}

/** A new referral: one child ready to fill in (a referral is about at least one). */
export function blankDraft(): Draft {
  return {
    referral_type: null,
    referrer: { name: "", role: "", organisation: "", phone: "", phone_extension: "", email: "", organisation_phone: "" },
    children: [blankChild()],
    household: [],
    concerns: "",
    support_needed: "",
    previous_references: [],
    consent: { given: null, reason_not_given: "" },
    unfinished_dates: {},
  };
}

/** A draft from the store with every field present, so the form can bind to each one. */
export function completeDraft(stored: ReferralDraft): Draft {
  const blank = blankDraft();
  return {
    referral_type: stored.referral_type ?? null,
    referrer: { ...blank.referrer, ...stored.referrer } as Draft["referrer"],
    children: (stored.children ?? []).map(
      (c) => ({ ...blankChild(), ...c, address: { ...blankChild().address, ...c?.address } }) as Child,
    ),
    household: (stored.household ?? []).map((m) => ({ ...blankMember(), ...m }) as Member),
    concerns: stored.concerns ?? "",
    support_needed: stored.support_needed ?? "",
    previous_references: (stored.previous_references ?? []).map((r) => r ?? ""),
    consent: { ...blank.consent, ...stored.consent } as Draft["consent"],
    unfinished_dates: completeUnfinished(stored.unfinished_dates),
  };
}

/** The page each top-level field is on (as `ReferralStep::fields` in the domain). */
const STEP_OF_FIELD: Record<string, ReferralStep> = {
  referral_type: "type_and_referrer",
  referrer: "type_and_referrer",
  children: "children",
  household: "household",
  concerns: "concerns",
  support_needed: "concerns",
  previous_references: "concerns",
  consent: "consent",
};

/** The page with the field at `path`: `children[1].ethnicity` → children. */
export function stepOfPath(path: string): ReferralStep | undefined {
  const key = path.split(/[.[]/)[0] ?? "";
  return Object.prototype.hasOwnProperty.call(STEP_OF_FIELD, key) ? STEP_OF_FIELD[key] : undefined;
}

export const TYPE_LABELS: Record<ReferralType, string> = {
  early_help: "Early Help",
  safeguarding: "Safeguarding",
};

const STATUS_LABELS: Record<string, string> = {
  draft: "Draft",
  submitted: "Submitted",
  outcome_recorded: "Outcome recorded",
};

export function statusLabel(status: string): string {
  return STATUS_LABELS[status] ?? status;
}

export function outcomeLabel(form: ReferralForm, outcome: TriageOutcome | null | undefined): string {
  if (!outcome) return "";
  return form.outcomes.find((o) => o.code === outcome)?.label ?? outcome;
}

/** "Deleted in 3 days unless you change it" and the like, from whole days left. */
export function daysLeftText(days: number): string {
  if (days <= 1) return "deleted within a day";
  return `deleted in ${days} days`;
}

/** "Deleted on 1 December 2026": the date a draft goes unless it is saved again. */
export function expiryDateText(expiresAt: string): string {
  const when = new Date(expiresAt);
  return when.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" });
}


/** The answers of `step`, in the order the page asks them, every field in full. */
export function answerRows(step: ReferralStep, d: Draft, form: ReferralForm): AnswerRow[] {
  switch (step) {
    case "type_and_referrer": {
      const r = d.referrer;
      return [
        { key: "Type of referral", value: d.referral_type ? TYPE_LABELS[d.referral_type] : NOT_GIVEN },
        { key: "Your name", value: text(r.name) },
        { key: "Your role", value: text(r.role) },
        { key: "Your organisation", value: text(r.organisation) },
        {
          key: "Your phone number",
          value: r.phone_extension.trim() ? `${text(r.phone)} extension ${r.phone_extension.trim()}` : text(r.phone),
        },
        { key: "Your email address", value: text(r.email) },
        { key: "Organisation's main phone number", value: text(r.organisation_phone) },
      ];
    }
    case "children":
      if (d.children.length === 0) return [{ key: "Children", value: "None added" }];
      return d.children.flatMap((c, i) => {
        const n = d.children.length > 1 ? ` ${i + 1}` : "";
        const dob = text(ukDate(c.date_of_birth));
        return [
          { key: `Child${n}`, value: name(c.first_name, c.last_name) },
          { key: `Date of birth${n}`, value: c.date_of_birth && c.date_of_birth_estimated ? `${dob} (estimated)` : dob },
          { key: `Ethnicity${n}`, value: label(ethnicityChoices(form.ethnicities), c.ethnicity) },
          { key: `Gender${n}`, value: label(form.genders, c.gender) },
          { key: `Address${n}`, value: address(c.address) },
          { key: `School${n}`, value: text(c.school) },
        ];
      });
    case "household":
      if (d.household.length === 0) return [{ key: "Parents, carers and household", value: "None added" }];
      return d.household.map((m, i) => ({
        key: `Person ${i + 1}`,
        value: [
          name(m.first_name, m.last_name),
          m.relationship.trim(),
          m.date_of_birth ? `born ${ukDate(m.date_of_birth)}` : "",
          m.parental_responsibility ? "has parental responsibility" : "",
          m.lives_with_child ? "lives with the child" : "",
          m.phone.trim() ? `phone ${m.phone.trim()}` : "",
        ]
          .filter(Boolean)
          .join(", "),
      }));
    case "concerns":
      return [
        { key: "Concerns", value: text(d.concerns) },
        { key: "Support or action needed", value: text(d.support_needed) },
        {
          key: "Previous referral references",
          value: d.previous_references.map((r) => r.trim()).filter(Boolean).join(", ") || "None",
        },
      ];
    case "consent":
      return [
        {
          key: "Family has given consent",
          value: d.consent.given === null ? NOT_GIVEN : yes(d.consent.given),
        },
        ...(d.consent.given === false ? [{ key: "Why consent has not been given", value: text(d.consent.reason_not_given) }] : []),
      ];
  }
}
