// "Check your answers" and the plan view: each step's answers as rows of question and answer,
// worded for reading (labels from the configured lists, UK dates, "Not given" for blanks).

import type { PlanForm, WizardStep } from "../bindings";
import { isoToTime, ukDate, type Draft } from "./wizard";

export interface AnswerRow {
  key: string;
  value: string;
}

export const NOT_GIVEN = "Not given";

// The words of an answer, for every form's "Check your answers" (plan, referral, request).

/** A typed answer, trimmed; "Not given" when blank. */
export function text(value: string | null | undefined): string {
  const t = (value ?? "").trim();
  return t === "" ? NOT_GIVEN : t;
}

/** The label of a code from one of the configured lists (the code itself if unknown). */
export function label(list: readonly { code: string; label: string }[], code: string | null | undefined): string {
  if (!code) return NOT_GIVEN;
  return list.find((i) => i.code === code)?.label ?? code;
}

export function name(first: string, last: string): string {
  return text(`${first ?? ""} ${last ?? ""}`);
}

/** An address on one line, its parts in order, blanks left out. */
export function address(a: { property?: string; street?: string; area?: string; town?: string; county?: string; postcode?: string }): string {
  return text([a.property, a.street, a.area, a.town, a.county, a.postcode].map((p) => (p ?? "").trim()).filter(Boolean).join(", "));
}

/** The ethnicity list as the forms and their answers show it: "White: British". */
export function ethnicityChoices(list: readonly { code: string; label: string; group?: string | null }[]): { code: string; label: string }[] {
  return list.map((e) => ({ code: e.code, label: e.group ? `${e.group}: ${e.label}` : e.label }));
}

export function yes(b: boolean): string {
  return b ? "Yes" : "No";
}

/** The answers of `step`, in the order the page asks them. */
export function answerRows(step: WizardStep, d: Draft, form: PlanForm): AnswerRow[] {
  switch (step) {
    case "consent_and_practitioner":
      return [
        { key: "Family agrees to share information", value: yes(d.consent.agrees_to_share) },
        {
          key: "Does not agree to share with",
          value: d.consent.not_shared_with.filter((s) => s.trim()).join(", ") || "Nobody",
        },
        { key: "Date consent was given", value: text(ukDate(d.consent.consent_date)) },
        { key: "Your name", value: text(d.practitioner.name) },
        { key: "Agency", value: label(form.agencies, d.practitioner.agency) },
        { key: "What's prompting this FSP", value: label(form.promptingReasons, d.practitioner.prompting) },
        {
          key: "Phone number",
          value: d.practitioner.phone_extension.trim()
            ? `${text(d.practitioner.phone)} extension ${d.practitioner.phone_extension.trim()}`
            : text(d.practitioner.phone),
        },
        { key: "Email address", value: text(d.practitioner.email) },
      ];
    case "focus_child_and_parent": {
      const rows = [
        { key: "Focus child", value: name(d.focus_child.first_name, d.focus_child.last_name) },
        { key: "Child's date of birth", value: text(ukDate(d.focus_child.date_of_birth)) },
        { key: "Child's gender", value: label(form.genders, d.focus_child.gender) },
        { key: "Main parent or carer", value: name(d.main_parent.first_name, d.main_parent.last_name) },
        { key: "Main parent's address", value: address(d.main_parent.address) },
      ];
      if (d.second_parent) {
        rows.push(
          { key: "Second parent or carer", value: name(d.second_parent.first_name, d.second_parent.last_name) },
          { key: "Second parent's address", value: address(d.second_parent.address) },
        );
      }
      return rows;
    }
    case "family_members":
      if (d.family_members.length === 0) return [{ key: "Family members", value: "None added" }];
      return d.family_members.map((m, i) => ({
        key: `Family member ${i + 1}`,
        value: [
          name(m.first_name, m.last_name),
          m.relationship.trim(),
          m.date_of_birth ? `born ${ukDate(m.date_of_birth)}` : "",
          m.part_of_plan ? "part of the plan" : "",
        ]
          .filter(Boolean)
          .join(", "),
      }));
    case "contacts_and_key_information":
      return [
        { key: "Parent's phone number", value: text(d.contacts.parent_phone) },
        { key: "Parent's email address", value: text(d.contacts.parent_email) },
        { key: "Other contact details", value: text(d.contacts.other_contact_details) },
        {
          key: "Interpreter needed",
          value: d.contacts.interpreter_needed ? `Yes, ${text(d.contacts.language)}` : "No",
        },
        { key: "Key information", value: text(d.contacts.key_information) },
        {
          key: "Other services",
          value:
            d.contacts.other_services
              .map((s) => [s.service, s.role, s.contact].map((x) => x.trim()).filter(Boolean).join(", "))
              .join("; ") || "None added",
        },
      ];
    case "family_story":
      return [
        { key: "Key events now", value: text(d.family_story.key_events_now) },
        { key: "Past events", value: text(d.family_story.past_events) },
      ];
    case "child_story":
      if (d.child_stories.length === 0) return [{ key: "Child's story", value: "None added" }];
      return d.child_stories.flatMap((s) => [
        { key: `${text(s.child_name)}: working well`, value: text(s.working_well) },
        { key: `${text(s.child_name)}: could be better`, value: text(s.could_be_better) },
        { key: `${text(s.child_name)}: who I can talk to`, value: text(s.who_i_can_talk_to) },
      ]);
    case "aspects_of_life":
      return form.aspectsOfLife.map((a) => {
        const entry = d.aspects[a.code];
        const score = entry?.score;
        const shown = score === null || score === undefined ? NOT_GIVEN : score === "not_applicable" ? "N/A" : `${score.score} out of 10`;
        const note = entry?.note?.trim();
        return { key: a.label, value: note ? `${shown}. ${note}` : shown };
      });
    case "summary_and_family_plan":
      return [
        { key: "Practitioner summary", value: text(d.practitioner_summary) },
        ...(d.family_plan.length === 0
          ? [{ key: "Family plan", value: "No lines yet" }]
          : d.family_plan.map((l, i) => ({
              key: `Plan line ${i + 1}: ${label(form.focusAreas, l.focus_area)}`,
              value: [
                `Need: ${text(l.need)}`,
                `Action: ${text(l.action)}`,
                `Who: ${text(l.who)}`,
                `By: ${text(ukDate(l.by_when))}`,
                `Score: ${l.score ?? NOT_GIVEN}`,
              ].join(". "),
            }))),
      ];
    case "family_name_and_review":
      return [
        { key: "Family name", value: text(d.family_name) },
        {
          key: "Next review",
          value: d.next_review.date
            ? `${ukDate(d.next_review.date)}${d.next_review.time ? ` at ${isoToTime(d.next_review.time)}` : ""}`
            : NOT_GIVEN,
        },
        { key: "Where", value: text(d.next_review.location) },
      ];
  }
}

/** The plan view's heading: "Testchild family", or a plain title before the family is named. */
export function planHeading(d: Draft): string {
  const family = d.family_name.trim();
  return family ? `${family} family` : "Family Support Plan";
}
