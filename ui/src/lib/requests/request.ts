// The request for support in the window: blank and complete drafts, the page each
// validation path is on, the answers as rows for "Check your answers" and the read-only
// view, the manager's decision words, the exact filter and the allocation list's names. Types come from Rust
// (bindings.ts); element ids, autosave and dates are the plan wizard's (../plans/wizard).

import type { Decision, RequestDraft, RequestFilter, RequestForm, RequestStep, WorkerChoice } from "../bindings";
import { address, ethnicityChoices, label, NOT_GIVEN, text, type AnswerRow } from "../plans/answers";
import { completeUnfinished, ukDate, type Full } from "../plans/wizard";

export { NOT_GIVEN };

/** A request draft as the form edits it: every field present. */
export type Draft = Full<RequestDraft>;

export function blankDraft(): Draft {
  return {
    service: "",
    request_type: null,
    ehm_id: "",
    child: {
      first_name: "",
      last_name: "",
      date_of_birth: null,
      gender: null,
      ethnicity: "",
      upn: "",
      address: { property: "", street: "", area: "", town: "", county: "", postcode: "" },
    },
    parent_carer: { first_name: "", last_name: "", relationship: "", phone: "" },
    requesting_worker: { name: "", team: "", phone: "", email: "" },
    reason: "",
    family_consents: false,
    unfinished_dates: {},
  };
}

/** A draft from the store with every field present, so the form can bind to each one. */
export function completeDraft(stored: RequestDraft): Draft {
  const blank = blankDraft();
  return {
    service: stored.service ?? "",
    request_type: stored.request_type ?? null,
    ehm_id: stored.ehm_id ?? "",
    child: {
      ...blank.child,
      ...stored.child,
      address: { ...blank.child.address, ...stored.child?.address },
    } as Draft["child"],
    parent_carer: { ...blank.parent_carer, ...stored.parent_carer } as Draft["parent_carer"],
    requesting_worker: { ...blank.requesting_worker, ...stored.requesting_worker } as Draft["requesting_worker"],
    reason: stored.reason ?? "",
    family_consents: stored.family_consents ?? false,
    unfinished_dates: completeUnfinished(stored.unfinished_dates),
  };
}

/** The page each top-level field is on (as `RequestStep::fields` in Rust). */
const STEP_OF_FIELD: Record<string, RequestStep> = {
  service: "service",
  request_type: "service",
  ehm_id: "case",
  child: "child",
  parent_carer: "parent_carer",
  requesting_worker: "worker",
  reason: "reason",
  family_consents: "reason",
};

/** The page with the field at `path`: `child.address.postcode` → child. */
export function stepOfPath(path: string): RequestStep | undefined {
  const key = path.split(/[.[]/)[0] ?? "";
  return Object.prototype.hasOwnProperty.call(STEP_OF_FIELD, key) ? STEP_OF_FIELD[key] : undefined;
}

function serviceName(form: RequestForm, code: string): string {
  if (!code) return NOT_GIVEN;
  return form.services.find((s) => s.code === code)?.name ?? code;
}

/** The answers of `step`, in the order the page asks them, every field in full. */
export function answerRows(step: RequestStep, d: Draft, form: RequestForm): AnswerRow[] {
  switch (step) {
    case "service":
      return [
        { key: "Commissioned service", value: serviceName(form, d.service) },
        { key: "Type of request", value: label(form.requestTypes, d.request_type) },
      ];
    case "case":
      return [{ key: "EHM ID", value: text(d.ehm_id) }];
    case "child": {
      const c = d.child;
      return [
        { key: "Child's name", value: text(`${c.first_name} ${c.last_name}`) },
        { key: "Date of birth", value: text(ukDate(c.date_of_birth)) },
        { key: "Gender", value: label(form.genders, c.gender) },
        { key: "Ethnicity", value: label(ethnicityChoices(form.ethnicities), c.ethnicity) },
        { key: "UPN", value: c.upn.trim() || "Not known" },
        { key: "Address", value: address(c.address) },
      ];
    }
    case "parent_carer": {
      const p = d.parent_carer;
      return [
        { key: "Parent or carer", value: text(`${p.first_name} ${p.last_name}`) },
        { key: "Relationship to the child", value: text(p.relationship) },
        { key: "Parent or carer's phone number", value: text(p.phone) },
      ];
    }
    case "worker": {
      const w = d.requesting_worker;
      return [
        { key: "Your name", value: text(w.name) },
        { key: "Your team", value: text(w.team) },
        { key: "Your phone number", value: text(w.phone) },
        { key: "Your email address", value: text(w.email) },
      ];
    }
    case "reason":
      return [
        { key: "Why you are asking for support", value: text(d.reason) },
        { key: "The family agrees to this request", value: d.family_consents ? "Yes" : "No" },
      ];
  }
}

/** The button for each decision a manager may take. */
export const DECISION_LABELS: Record<Decision, string> = {
  accept: "Accept the request",
  mark_pending: "Mark as pending",
  decline: "Decline the request",
  allocate_worker: "Allocate a worker",
  close: "Close the request",
  archive: "Archive the request",
};

export type FilterBy = RequestFilter["by"];

export const FILTER_LABELS: Record<FilterBy, string> = {
  case_reference: "Case reference",
  ehm_id: "EHM ID",
  worker_name: "Worker name",
};

/** The exact filter to ask Rust for; `null` (everything) when the value is blank. */
export function filterOf(by: FilterBy, value: string): RequestFilter | null {
  const v = value.trim();
  if (v === "") return null;
  return { by, value: v } as RequestFilter;
}

/**
 * The choices of the "worker" list: one per name (a request records the worker's name,
 * which the exact "worker name" filter finds), in the order Rust gave them (by name).
 */
export function workerOptions(workers: readonly WorkerChoice[]): { code: string; label: string }[] {
  const seen = new Set<string>();
  const out: { code: string; label: string }[] = [];
  for (const w of workers) {
    const name = w.name.trim();
    if (name === "" || seen.has(name)) continue;
    seen.add(name);
    out.push({ code: name, label: name });
  }
  return out;
}
