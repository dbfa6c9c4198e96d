// Hearth's isolation hook (Tauri "isolation" pattern).
//
// Every IPC message from the main web view passes through this sandboxed frame before Tauri
// encrypts it and hands it to Rust. The hook lets through only Hearth's own commands with
// arguments of the expected shape, so a script injected into the main view cannot reach
// anything else. `bindings_are_up_to_date` (src-tauri) checks that ALLOWED lists exactly the
// commands in ui/src/lib/bindings.ts.
//
// A rejected message is not dropped (the caller would wait for ever): its command is
// renamed to one that does not exist, so Tauri answers it with an error.

const REJECTED = "hearth_rejected_by_isolation";
const MAX_PASSWORD_LENGTH = 1024;
const MAX_PATH_LENGTH = 4096;
const MAX_ADDRESS_LENGTH = 2048;
const MAX_EMAIL_LENGTH = 320;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_QUERY_LENGTH = 200;
const MAX_NAME_LENGTH = 500;
// A plan's sharing list: far above any real team around a family.
const MAX_PEOPLE = 500;
// A plan or review draft as JSON; far above any real plan (hundreds of rows of text).
const MAX_DRAFT_JSON_LENGTH = 4 * 1024 * 1024;
const REQUEST_STEPS = ["service", "case", "child", "parent_carer", "worker", "reason"];
const REQUEST_VIEWS = [
  "awaiting_decision",
  "pending",
  "declined",
  "accepted_awaiting_worker",
  "accepted_with_worker",
  "accepted_closed",
  "archive",
];
const REQUEST_FILTERS = ["case_reference", "ehm_id", "worker_name"];
const REQUEST_EVENTS = ["mark_pending", "decline", "accept", "close", "archive"];
const REFERRAL_STEPS = ["type_and_referrer", "children", "household", "concerns", "consent"];
const TRIAGE_OUTCOMES = [
  "no_further_action",
  "advice_and_signposting",
  "early_help",
  "early_help_universal_plus",
  "social_care_assessment",
  "strategy_discussion",
];
const WIZARD_STEPS = [
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

/** Commands the front end may call, each with a check of its arguments. */
const ALLOWED = {
  activity: (args) => hasOnlyKeys(args, []),
  // A conflict's number, and the record fields (snake_case names) to keep as this device's.
  conflict_resolve: (args) =>
    hasOnlyKeys(args, ["conflictId", "keepMine"]) &&
    typeof args.conflictId === "string" &&
    /^[0-9]{1,19}$/.test(args.conflictId) &&
    Array.isArray(args.keepMine) &&
    args.keepMine.length <= 100 &&
    args.keepMine.every((f) => typeof f === "string" && /^[a-z][a-z0-9_]{0,63}$/.test(f)),
  conflicts_list: (args) => hasOnlyKeys(args, []),
  connect_server: (args) =>
    hasOnlyKeys(args, ["address"]) && typeof args.address === "string" && args.address.length <= MAX_ADDRESS_LENGTH,
  dashboard: (args) => hasOnlyKeys(args, []),
  // Documents: ids only; the files themselves are chosen, read and checked in Rust.
  document_add: (args) =>
    hasOnlyKeys(args, ["planId", "stagedId", "title", "fileName"]) &&
    isId(args.planId) &&
    isId(args.stagedId) &&
    typeof args.title === "string" &&
    args.title.length <= MAX_NAME_LENGTH &&
    typeof args.fileName === "string" &&
    args.fileName.length <= MAX_NAME_LENGTH,
  document_choose: (args) => hasOnlyKeys(args, ["planId"]) && isId(args.planId),
  document_edit: (args) => hasOnlyKeys(args, ["documentId"]) && isId(args.documentId),
  document_open: (args) => hasOnlyKeys(args, ["documentId"]) && isId(args.documentId),
  document_relink: (args) =>
    hasOnlyKeys(args, ["documentId", "planId"]) && isId(args.documentId) && isId(args.planId),
  document_remove: (args) => hasOnlyKeys(args, ["documentId"]) && isId(args.documentId),
  document_staged: (args) => hasOnlyKeys(args, ["planId", "stagedId"]) && isId(args.planId) && isId(args.stagedId),
  documents_list: (args) => hasOnlyKeys(args, ["planId"]) && isId(args.planId),
  lock: (args) => hasOnlyKeys(args, []),
  // Rust also opens only a PDF it saved itself since it started.
  open_saved_pdf: (args) =>
    hasOnlyKeys(args, ["path"]) &&
    typeof args.path === "string" &&
    args.path.length > 0 &&
    args.path.length <= MAX_PATH_LENGTH,
  plan_finish: (args) => hasOnlyKeys(args, ["recordId"]) && isId(args.recordId),
  plan_form: (args) => hasOnlyKeys(args, []),
  plan_load: (args) => hasOnlyKeys(args, ["recordId"]) && isId(args.recordId),
  plan_save: (args) =>
    hasOnlyKeys(args, ["recordId", "step", "draft"]) &&
    (args.recordId === null || isId(args.recordId)) &&
    WIZARD_STEPS.includes(args.step) &&
    isDraft(args.draft),
  plans_list: (args) =>
    hasOnlyKeys(args, ["query"]) && typeof args.query === "string" && args.query.length <= MAX_QUERY_LENGTH,
  print_record: (args) =>
    hasOnlyKeys(args, ["recordId"]) && typeof args.recordId === "string" && UUID.test(args.recordId),
  referral_drafts_expiring: (args) => hasOnlyKeys(args, []),
  referral_form: (args) => hasOnlyKeys(args, []),
  referral_load: (args) => hasOnlyKeys(args, ["recordId"]) && isId(args.recordId),
  referral_save: (args) =>
    hasOnlyKeys(args, ["recordId", "step", "draft"]) &&
    (args.recordId === null || isId(args.recordId)) &&
    REFERRAL_STEPS.includes(args.step) &&
    isDraft(args.draft),
  referral_submit: (args) => hasOnlyKeys(args, ["recordId"]) && isId(args.recordId),
  referrals_list: (args) => hasOnlyKeys(args, []),
  request_decide: (args) => hasOnlyKeys(args, ["recordId", "event"]) && isId(args.recordId) && isRequestEvent(args.event),
  request_form: (args) => hasOnlyKeys(args, []),
  request_load: (args) => hasOnlyKeys(args, ["recordId"]) && isId(args.recordId),
  request_new_from: (args) => hasOnlyKeys(args, ["recordId"]) && isId(args.recordId),
  request_save: (args) =>
    hasOnlyKeys(args, ["recordId", "step", "draft"]) &&
    (args.recordId === null || isId(args.recordId)) &&
    REQUEST_STEPS.includes(args.step) &&
    isDraft(args.draft),
  request_send: (args) => hasOnlyKeys(args, ["recordId"]) && isId(args.recordId),
  request_workers: (args) => hasOnlyKeys(args, ["recordId"]) && isId(args.recordId),
  requests_manage: (args) =>
    hasOnlyKeys(args, ["view", "filter"]) &&
    REQUEST_VIEWS.includes(args.view) &&
    (args.filter === null ||
      (hasOnlyKeys(args.filter, ["by", "value"]) &&
        REQUEST_FILTERS.includes(args.filter.by) &&
        typeof args.filter.value === "string" &&
        args.filter.value.length <= MAX_QUERY_LENGTH)),
  requests_mine: (args) => hasOnlyKeys(args, []),
  resend_code: (args) => hasOnlyKeys(args, []),
  review_finish: (args) => hasOnlyKeys(args, ["reviewId"]) && isId(args.reviewId),
  review_load: (args) => hasOnlyKeys(args, ["reviewId"]) && isId(args.reviewId),
  review_save: (args) => hasOnlyKeys(args, ["reviewId", "draft"]) && isId(args.reviewId) && isDraft(args.draft),
  review_start: (args) => hasOnlyKeys(args, ["planId"]) && isId(args.planId),
  sharing_leave: (args) => hasOnlyKeys(args, ["recordId"]) && isId(args.recordId),
  sharing_load: (args) => hasOnlyKeys(args, ["recordId"]) && isId(args.recordId),
  sharing_lookup: (args) =>
    hasOnlyKeys(args, ["email"]) && typeof args.email === "string" && args.email.length <= MAX_EMAIL_LENGTH,
  sharing_save: (args) =>
    hasOnlyKeys(args, ["recordId", "people"]) && isId(args.recordId) && isPeople(args.people),
  shell_status: (args) => hasOnlyKeys(args, []),
  // Empty fields reach Rust, which answers with the message for the field.
  sign_in: (args) =>
    hasOnlyKeys(args, ["email", "password"]) &&
    typeof args.email === "string" &&
    args.email.length <= MAX_EMAIL_LENGTH &&
    typeof args.password === "string" &&
    args.password.length <= MAX_PASSWORD_LENGTH,
  sign_out: (args) => hasOnlyKeys(args, ["confirmed"]) && typeof args.confirmed === "boolean",
  sync_now: (args) => hasOnlyKeys(args, []),
  task_counter_sign: (args) => hasOnlyKeys(args, ["recordId"]) && isId(args.recordId),
  task_find_person: (args) =>
    hasOnlyKeys(args, ["recordId", "email"]) &&
    isId(args.recordId) &&
    typeof args.email === "string" &&
    args.email.length <= MAX_EMAIL_LENGTH,
  task_load: (args) => hasOnlyKeys(args, ["recordId"]) && isId(args.recordId),
  task_reassign: (args) =>
    hasOnlyKeys(args, ["recordId", "email", "counterSign"]) &&
    isId(args.recordId) &&
    typeof args.email === "string" &&
    args.email.length <= MAX_EMAIL_LENGTH &&
    typeof args.counterSign === "boolean",
  task_save: (args) => hasOnlyKeys(args, ["recordId", "answers"]) && isId(args.recordId) && isDraft(args.answers),
  task_submit: (args) => hasOnlyKeys(args, ["recordId"]) && isId(args.recordId),
  tasks_trays: (args) => hasOnlyKeys(args, []),
  triage_matches: (args) => hasOnlyKeys(args, ["recordId"]) && isId(args.recordId),
  triage_record_outcome: (args) =>
    hasOnlyKeys(args, ["recordId", "outcome"]) && isId(args.recordId) && TRIAGE_OUTCOMES.includes(args.outcome),
  triage_tray: (args) => hasOnlyKeys(args, []),
  transfer_answer: (args) =>
    hasOnlyKeys(args, ["recordId", "authorise"]) && isId(args.recordId) && typeof args.authorise === "boolean",
  transfer_offer: (args) =>
    hasOnlyKeys(args, ["recordId", "to", "toName", "senderLeaves"]) &&
    isId(args.recordId) &&
    typeof args.to === "string" &&
    UUID.test(args.to) &&
    typeof args.toName === "string" &&
    args.toName.length <= MAX_NAME_LENGTH &&
    typeof args.senderLeaves === "boolean",
  transfers_waiting: (args) => hasOnlyKeys(args, []),
  unlock: (args) =>
    hasOnlyKeys(args, ["password"]) &&
    typeof args.password === "string" &&
    args.password.length > 0 &&
    args.password.length <= MAX_PASSWORD_LENGTH,
  verify_code: (args) => hasOnlyKeys(args, ["code"]) && typeof args.code === "string" && args.code.length <= 32,
};

/** Hearth's own events (tauri-specta), the only ones the window may listen to. */
const EVENTS = [
  "documents://dropped",
  "documents://saved",
];

/** Listening to (and stopping listening to) one of Hearth's own events. */
const EVENT_CALLS = {
  "plugin:event|listen": (args) =>
    hasOnlyKeys(args, ["event", "target", "handler"]) &&
    EVENTS.includes(args.event) &&
    typeof args.handler === "number",
  "plugin:event|unlisten": (args) =>
    hasOnlyKeys(args, ["event", "eventId"]) && EVENTS.includes(args.event) && typeof args.eventId === "number",
};

function isId(value) {
  return typeof value === "string" && UUID.test(value);
}

function isRequestEvent(value) {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  if (value.event === "allocate_worker") {
    return hasOnlyKeys(value, ["event", "worker"]) && typeof value.worker === "string" && value.worker.length <= MAX_NAME_LENGTH;
  }
  return hasOnlyKeys(value, ["event"]) && REQUEST_EVENTS.includes(value.event);
}

function isDraft(value) {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  try {
    return JSON.stringify(value).length <= MAX_DRAFT_JSON_LENGTH;
  } catch {
    return false;
  }
}

function isPeople(value) {
  return (
    Array.isArray(value) &&
    value.length <= MAX_PEOPLE &&
    value.every(
      (p) =>
        hasOnlyKeys(p, ["userId", "name", "role", "active"]) &&
        typeof p.userId === "string" &&
        p.userId.length <= 64 &&
        typeof p.name === "string" &&
        p.name.length <= MAX_NAME_LENGTH &&
        typeof p.role === "string" &&
        p.role.length <= 32 &&
        typeof p.active === "boolean",
    )
  );
}

function hasOnlyKeys(args, keys) {
  if (args === undefined || args === null) return keys.length === 0;
  if (typeof args !== "object" || Array.isArray(args)) return false;
  return Object.keys(args).every((key) => keys.includes(key)) && keys.every((key) => key in args);
}

function isAllowed(payload) {
  if (typeof payload !== "object" || payload === null) return false;
  const { cmd } = payload;
  if (typeof cmd !== "string") return false;
  if (Object.prototype.hasOwnProperty.call(EVENT_CALLS, cmd)) return EVENT_CALLS[cmd](payload.payload) === true;
  if (!Object.prototype.hasOwnProperty.call(ALLOWED, cmd)) return false;
  return ALLOWED[cmd](payload.payload) === true;
}

window.__TAURI_ISOLATION_HOOK__ = (payload) => {
  if (isAllowed(payload)) return payload;
  return { ...payload, cmd: REJECTED, payload: {} };
};
