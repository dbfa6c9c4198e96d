//! The sync tables (migration `…_sync.sql`): one push transaction per mutation, pull pages
//! bounded by the change-log counter, plan sharing. Expanded for SQLite and PostgreSQL from
//! one macro with the same query text, like the rest of [`crate::store`].
//!
//! Lock order inside a push transaction, the same for every writer so none can deadlock:
//! the client's row, the record's row, the kind's reference counter, `sync_state` (the
//! change-log counter). The audit row goes to `audit_pending` (no lock; chained later).

use chrono::{DateTime, Utc};
use hearth_domain::{RecordKind, UserId};
use hearth_protocol::sync::{Change, FieldConflict, Outcome, PushMutation, SyncOperation};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::access::{decide_record, Action, Actor, RecordFacts};
use crate::store::{millis, AuditEvent, Result, StoreError};

/// What the storage answered for one mutation.
#[derive(Debug, Clone, PartialEq)]
pub enum PushStep {
    Answered(Outcome),
    /// The mutation id does not follow the last one answered; nothing was done.
    Gap {
        expected: i64,
    },
    /// The client id was first used by another user's device.
    ForeignClient,
}

/// One page of pull, before it is put on the wire.
#[derive(Debug, Clone, PartialEq)]
pub struct PullPage {
    pub changes: Vec<(i64, Change)>,
    pub purges: Vec<Uuid>,
    pub next_cursor: i64,
    pub more: bool,
}

/// The push of one mutation by a signed-in device.
#[derive(Debug, Clone, Copy)]
pub struct MutationIn<'a> {
    pub client_id: Uuid,
    pub user: UserId,
    pub device: Uuid,
    /// The signed-in user as the access rules see them (`actor.user == user`).
    pub actor: &'a Actor,
    pub mutation: &'a PushMutation,
    pub now: DateTime<Utc>,
}

/// A record's row as a push reads it.
pub(crate) struct Current {
    pub kind: String,
    pub owner_id: String,
    pub version: i64,
    pub epoch: i64,
    pub fields: Map<String, Value>,
    pub reference: Option<String>,
    pub deleted: bool,
}

/// What to do with a mutation, decided without IO from the record as it is.
pub(crate) enum Decision {
    /// Write the record: new fields, deleted flag; `create` when there was no row.
    Apply {
        fields: Map<String, Value>,
        deleted: bool,
        create: bool,
    },
    Conflict(Outcome),
    Reject(&'static str),
}

pub(crate) fn is_delete(op: SyncOperation) -> bool {
    matches!(op, SyncOperation::Discard | SyncOperation::DeleteDocument)
}

/// A plan's `transfer` field: `{"to": user id, "state": "awaiting_authorisation" |
/// "authorised" | "refused" | "cancelled", "sender_leaves": bool}` (the domain's
/// `Transfer`; `sender_leaves`: the coordinator does not stay on as team around the family).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TransferField {
    pub to: String,
    pub state: String,
    pub sender_leaves: bool,
}

pub(crate) const AWAITING: &str = "awaiting_authorisation";

impl TransferField {
    fn of(value: Option<&Value>) -> Option<TransferField> {
        let o = value?.as_object()?;
        Some(TransferField {
            to: id_field(o, "to")?,
            state: o.get("state")?.as_str()?.to_owned(),
            sender_leaves: o
                .get("sender_leaves")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        })
    }

    fn in_fields(fields: &Map<String, Value>) -> Option<TransferField> {
        TransferField::of(fields.get("transfer"))
    }

    fn awaiting(&self) -> bool {
        self.state == AWAITING
    }
}

/// One row of a plan's `sharing` field: `[{"user_id": id, "role": "coordinator" | "team",
/// "active": bool}, …]` (PRODUCT.md FSP "Sharing": FSP coordinator or team around the
/// family, with an Active tick). The server applies it into `sync_sharing`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SharingEntry {
    pub user: String,
    pub role: String,
    pub active: bool,
}

pub(crate) const BAD_SHARING: &str =
    "the sharing list must be a list of people, each with a user id, a role of coordinator or team, and an Active tick";

pub(crate) const SHARING_DENIED: &str =
    "only the plan's coordinator may change who it is shared with; others may only remove themselves";

impl SharingEntry {
    /// The list in `value` (`null` or absent: empty); `Err` when it is not well formed.
    pub(crate) fn list(
        value: Option<&Value>,
    ) -> std::result::Result<Vec<SharingEntry>, &'static str> {
        let items = match value {
            None | Some(Value::Null) => return Ok(Vec::new()),
            Some(Value::Array(a)) => a,
            Some(_) => return Err(BAD_SHARING),
        };
        let mut out: Vec<SharingEntry> = Vec::with_capacity(items.len());
        for item in items {
            let o = item.as_object().ok_or(BAD_SHARING)?;
            let user = id_field(o, "user_id").ok_or(BAD_SHARING)?;
            let role = match o.get("role").and_then(Value::as_str) {
                Some(r @ ("coordinator" | "team")) => r.to_owned(),
                _ => return Err(BAD_SHARING),
            };
            let active = o
                .get("active")
                .and_then(Value::as_bool)
                .ok_or(BAD_SHARING)?;
            if out.iter().any(|e| e.user == user) {
                return Err(BAD_SHARING);
            }
            out.push(SharingEntry { user, role, active });
        }
        Ok(out)
    }

    /// The list in a record's fields; a malformed stored list counts as empty.
    fn in_fields(fields: &Map<String, Value>) -> Vec<SharingEntry> {
        SharingEntry::list(fields.get("sharing")).unwrap_or_default()
    }
}

/// Whether `me` may replace the plan's sharing list `before` with `after` although not its
/// owner: an active coordinator on it may; anyone else only by making their own row
/// inactive (or taking it out) and changing nothing else.
fn may_change_sharing(me: &str, before: &[SharingEntry], after: &[SharingEntry]) -> bool {
    if before
        .iter()
        .any(|e| e.user == me && e.active && e.role == "coordinator")
    {
        return true;
    }
    let others = |l: &[SharingEntry]| -> Vec<SharingEntry> {
        l.iter().filter(|e| e.user != me).cloned().collect()
    };
    if others(before) != others(after) {
        return false;
    }
    after.iter().filter(|e| e.user == me).all(|e| !e.active)
}

/// A record's `status`, as a string or as `{"status": …}`.
fn status_of(fields: &Map<String, Value>) -> Option<&str> {
    match fields.get("status") {
        Some(Value::String(s)) => Some(s.as_str()),
        Some(Value::Object(o)) => o.get("status").and_then(Value::as_str),
        _ => None,
    }
}

/// Whether `actor` is the record's current editor for this mutation (DESIGN.md "Single
/// editor"): its owner; the person a plan is being transferred to, answering the transfer
/// and nothing else; MASH triage recording the outcome of a submitted referral.
fn may_edit(
    actor: &Actor,
    m: &PushMutation,
    cur: &Current,
) -> std::result::Result<(), &'static str> {
    let me = actor.user.to_string();
    let only = |names: &[&str]| {
        !m.changes.is_empty()
            && !is_delete(m.operation)
            && m.changes.iter().all(|c| names.contains(&c.field.as_str()))
    };
    let offered = (cur.kind == "plan")
        .then(|| TransferField::in_fields(&cur.fields))
        .flatten()
        .filter(TransferField::awaiting);
    let answer = m
        .changes
        .iter()
        .find(|c| c.field == "transfer")
        .and_then(|c| TransferField::of(Some(&c.value)))
        .filter(|t| t.state == "authorised" || t.state == "refused");
    if cur.owner_id == me {
        if offered.is_some() && answer.is_some() {
            return Err("only the person the plan is being transferred to can answer");
        }
        return Ok(());
    }
    if let (Some(offer), Some(answer)) = (&offered, &answer) {
        if offer.to == me
            && answer.to == offer.to
            && answer.sender_leaves == offer.sender_leaves
            && only(&["transfer"])
        {
            return Ok(());
        }
    }
    if cur.kind == "plan" && only(&["sharing"]) {
        let before = SharingEntry::in_fields(&cur.fields);
        let after = m
            .changes
            .iter()
            .find(|c| c.field == "sharing")
            .map(|c| SharingEntry::list(Some(&c.value)));
        return match after {
            Some(Ok(after)) if may_change_sharing(&me, &before, &after) => Ok(()),
            Some(Err(bad)) => Err(bad),
            _ => Err(SHARING_DENIED),
        };
    }
    // A delegated task: its assignee is its editor (re-assigning hands that on, with the
    // epoch bumped); the council that delegated it (the owner) may still retract it.
    if cur.kind == "task" && id_field(&cur.fields, "assignee_id").as_deref() == Some(me.as_str()) {
        return Ok(());
    }
    if cur.kind == "referral"
        && actor.has(hearth_domain::account::Role::MashTriage)
        && status_of(&cur.fields).is_some_and(|s| s != "draft")
        && only(&["status"])
    {
        return Ok(());
    }
    if cur.kind == "request"
        && actor.has(hearth_domain::account::Role::Manager)
        && service_of(&cur.fields).is_some_and(|s| actor.services.contains(&s))
        && only(&REQUEST_DECISION_FIELDS)
    {
        return request_decision(&cur.fields, m);
    }
    Err("only the record's current editor may change it")
}

/// The fields of a request for support a manager of its service may change: the decision
/// and progression (`status`, archiving included) and the allocated `worker`.
pub(crate) const REQUEST_DECISION_FIELDS: [&str; 2] = ["status", "worker"];

fn service_of(fields: &Map<String, Value>) -> Option<hearth_domain::ServiceId> {
    fields
        .get("service_id")
        .and_then(Value::as_str)
        .and_then(|s| s.parse::<Uuid>().ok())
        .map(hearth_domain::ServiceId)
}

/// A manager's change to a request: the new status must follow from the current one by
/// one of the request's transitions (`RequestStatus::apply`: a closed request is never
/// re-opened), and a worker is named exactly when the request is (or stays) accepted with
/// a worker.
fn request_decision(
    fields: &Map<String, Value>,
    m: &PushMutation,
) -> std::result::Result<(), &'static str> {
    use hearth_domain::request::{RequestEvent, RequestStatus};
    let new_value = |name: &str| {
        m.changes
            .iter()
            .find(|c| c.field == name)
            .map(|c| &c.value)
            .or_else(|| fields.get(name))
    };
    let parse =
        |v: Option<&Value>| v.and_then(|v| serde_json::from_value::<RequestStatus>(v.clone()).ok());
    let Some(from) = parse(fields.get("status")) else {
        return Err("the request has not been sent to the service");
    };
    let Some(to) = parse(new_value("status")) else {
        return Err("the request's status is not one the service knows");
    };
    let worker_changed = m.changes.iter().any(|c| c.field == "worker");
    let worker = new_value("worker")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|w| !w.is_empty());
    if worker_changed && worker.is_none() {
        return Err("a worker must be named");
    }
    let events = [
        RequestEvent::MarkPending,
        RequestEvent::Decline,
        RequestEvent::Accept,
        RequestEvent::AllocateWorker {
            worker: worker.unwrap_or_default().to_owned(),
        },
        RequestEvent::Close,
        RequestEvent::Archive,
    ];
    let allocating = |e: &RequestEvent| matches!(e, RequestEvent::AllocateWorker { .. });
    let allowed = events.iter().any(|e| {
        from.apply(e) == Ok(to)
            && (from != to || allocating(e))
            && (!allocating(e) || (worker_changed && worker.is_some()))
            && (allocating(e) || !worker_changed)
    });
    if allowed {
        Ok(())
    } else {
        Err("that change of the request's status is not allowed")
    }
}

/// What an applied write does besides storing the fields, all in its transaction.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Effects {
    /// Emails to queue: (user id, kind of message).
    pub notices: Vec<(String, &'static str)>,
    /// The single-editor epoch moves on (re-assign, accepted transfer): edits made under
    /// the old one become conflicts.
    pub bump_epoch: bool,
    /// A transfer was authorised: the recipient becomes the owner (coordinator).
    pub new_owner: Option<String>,
    /// Sharing rows to write: (user, active, only because of an offered transfer).
    pub sharing: Vec<(String, bool, bool)>,
    /// Transfer offers withdrawn or refused: the recipient's sharing row goes if it was
    /// there only for the offer.
    pub unshare_offer: Vec<String>,
    /// Users who may have lost read access (checked again on their next pull).
    pub maybe_lost: Vec<String>,
    /// Sharing decisions made through the plan's `sharing` field, each audited:
    /// (user, active, reason).
    pub shared: Vec<(String, bool, String)>,
}

pub const TASK_ASSIGNED: &str = "task_assigned";
pub const TASK_RETRACTED: &str = "task_retracted";
pub const TRANSFER_AWAITING: &str = "transfer_awaiting";
pub const REFERRAL_OUTCOME: &str = "referral_outcome";

/// The effects of writing `after` over `before` (`None`: a new record), by `actor`.
pub(crate) fn effects(
    kind: &str,
    owner: &str,
    actor: &str,
    before: Option<&Map<String, Value>>,
    after: &Map<String, Value>,
) -> Effects {
    let mut e = Effects::default();
    let empty = Map::new();
    let was = before.unwrap_or(&empty);
    match kind {
        "task" => {
            let (old, new) = (id_field(was, "assignee_id"), id_field(after, "assignee_id"));
            let retracted = status_of(after) == Some("retracted");
            let was_retracted = status_of(was) == Some("retracted");
            if new != old {
                if before.is_some() {
                    e.bump_epoch = true;
                }
                if let (Some(n), false) = (&new, retracted) {
                    e.notices.push((n.clone(), TASK_ASSIGNED));
                }
                if let Some(o) = &old {
                    if !was_retracted {
                        e.notices.push((o.clone(), TASK_RETRACTED));
                    }
                    e.maybe_lost.push(o.clone());
                }
            }
            if retracted && !was_retracted && before.is_some() {
                if let Some(a) = new.as_ref().or(old.as_ref()) {
                    if !e.notices.contains(&(a.clone(), TASK_RETRACTED)) {
                        e.notices.push((a.clone(), TASK_RETRACTED));
                    }
                }
            }
        }
        "plan" => {
            let (old, new) = (
                TransferField::in_fields(was).filter(TransferField::awaiting),
                TransferField::in_fields(after),
            );
            match (&old, &new) {
                (Some(o), Some(n)) if n.to == o.to && n.state == "authorised" => {
                    e.new_owner = Some(n.to.clone());
                    e.bump_epoch = true;
                    e.sharing.push((n.to.clone(), true, false));
                    e.sharing.push((owner.to_owned(), !n.sender_leaves, false));
                }
                (Some(o), Some(n)) if n.to == o.to && n.awaiting() => {}
                (Some(o), _) => {
                    e.unshare_offer.push(o.to.clone());
                    if let Some(n) = new.as_ref().filter(|n| n.awaiting()) {
                        e.notices.push((n.to.clone(), TRANSFER_AWAITING));
                        e.sharing.push((n.to.clone(), true, true));
                    }
                }
                (None, Some(n)) if n.awaiting() => {
                    e.notices.push((n.to.clone(), TRANSFER_AWAITING));
                    e.sharing.push((n.to.clone(), true, true));
                }
                _ => {}
            }
            sharing_effects(&mut e, owner, actor, was, after);
        }
        "referral"
            if status_of(after) == Some("outcome_recorded")
                && status_of(was) != Some("outcome_recorded") =>
        {
            e.notices.push((owner.to_owned(), REFERRAL_OUTCOME));
        }
        _ => {}
    }
    e.notices.retain(|(to, _)| to != actor);
    e
}

/// What a change of a plan's `sharing` field does: a `sync_sharing` row for everyone whose
/// Active tick changed (or who was taken off the list), and an audited reason for each
/// decision, role changes included. The owner is never on it (they have the plan anyway).
fn sharing_effects(
    e: &mut Effects,
    owner: &str,
    actor: &str,
    was: &Map<String, Value>,
    after: &Map<String, Value>,
) {
    let (old, new) = (SharingEntry::in_fields(was), SharingEntry::in_fields(after));
    let by = if actor == owner {
        "the plan's owner"
    } else {
        "a coordinator of the plan"
    };
    for n in new.iter().filter(|n| n.user != owner) {
        let o = old.iter().find(|o| o.user == n.user);
        let role = if n.role == "coordinator" {
            "FSP coordinator"
        } else {
            "team around the family"
        };
        let reason = match (o, n.active) {
            (Some(o), _) if o.active == n.active && o.role == n.role => continue,
            (Some(o), true) if o.active => format!("role changed to {role} by {by}"),
            (_, true) => format!("attached as {role} (active) by {by}"),
            (_, false) if n.user == actor => "removed themselves from the plan".to_owned(),
            (_, false) => format!("set inactive as {role} by {by}"),
        };
        if o.is_some_and(|o| o.active) != n.active {
            e.sharing.push((n.user.clone(), n.active, false));
        }
        e.shared.push((n.user.clone(), n.active, reason));
    }
    for o in old.iter().filter(|o| o.user != owner) {
        if new.iter().any(|n| n.user == o.user) {
            continue;
        }
        if o.active {
            e.sharing.push((o.user.clone(), false, false));
        }
        let reason = if o.user == actor {
            "removed themselves from the plan".to_owned()
        } else {
            format!("taken off the sharing list by {by}")
        };
        e.shared.push((o.user.clone(), false, reason));
    }
}

/// Decides a mutation against the record as it is. `own_bumps`: the mutation was made under
/// an earlier epoch, but every bump since then was caused by the same client's own earlier
/// mutations (the recipient of a transfer editing on the device that authorised it, before
/// that device pulled the new epoch; see [`OWN_BUMPS`]). Such a mutation is judged as if made
/// under the current epoch: its sender must be the record's editor now, and its version and
/// field bases must still hold.
pub(crate) fn decide(
    actor: &Actor,
    m: &PushMutation,
    cur: Option<&Current>,
    own_bumps: bool,
) -> Decision {
    // A plan's sharing list is checked whoever sends it.
    if m.kind.as_str() == "plan" && !is_delete(m.operation) {
        if let Some(c) = m.changes.iter().find(|c| c.field == "sharing") {
            if let Err(bad) = SharingEntry::list(Some(&c.value)) {
                return Decision::Reject(bad);
            }
        }
    }
    let Some(cur) = cur else {
        if is_delete(m.operation) {
            return Decision::Reject("the record is not on the server");
        }
        if m.base_version != 0 {
            return Decision::Reject("the record is not on the server");
        }
        let mut fields = Map::new();
        for c in &m.changes {
            fields.insert(c.field.clone(), c.value.clone());
        }
        return Decision::Apply {
            fields,
            deleted: false,
            create: true,
        };
    };
    // Made under an earlier editor (before a transfer or a re-assign someone else made): a
    // conflict for a person to resolve, whoever sent it, never an overwrite.
    let stale_epoch = cur.epoch != m.epoch && !(own_bumps && m.epoch < cur.epoch);
    if !stale_epoch {
        if let Err(reason) = may_edit(actor, m, cur) {
            return Decision::Reject(reason);
        }
    }
    if cur.kind != m.kind.as_str() {
        return Decision::Reject("the record is of another kind");
    }
    if cur.deleted {
        return Decision::Reject("the record was discarded");
    }
    let null = Value::Null;
    let bases_hold = m
        .changes
        .iter()
        .all(|c| cur.fields.get(&c.field).unwrap_or(&null) == &c.base);
    if cur.version != m.base_version || stale_epoch || !bases_hold {
        return Decision::Conflict(Outcome::Conflict {
            version: cur.version,
            fields: m
                .changes
                .iter()
                .map(|c| FieldConflict {
                    field: c.field.clone(),
                    base: c.base.clone(),
                    mine: c.value.clone(),
                    theirs: cur.fields.get(&c.field).cloned().unwrap_or(Value::Null),
                })
                .collect(),
        });
    }
    let mut fields = cur.fields.clone();
    for c in &m.changes {
        fields.insert(c.field.clone(), c.value.clone());
    }
    Decision::Apply {
        fields,
        deleted: is_delete(m.operation),
        create: false,
    }
}

/// How many of a record's epoch bumps after `$2` up to `$3` were caused by client `$4`
/// with a mutation before `$5` (`sync_epoch_bumps`, one row per bump). When that is every
/// bump in between, a mutation made under epoch `$2` knew of them all.
pub(crate) const OWN_BUMPS: &str = "SELECT COUNT(*) FROM sync_epoch_bumps WHERE record_id = $1 \
     AND epoch > $2 AND epoch <= $3 AND client_id = $4 AND mutation_id < $5";

/// Told to a device that pushes to a record it may not write (the audit row keeps the
/// rule's own reason).
pub(crate) const NO_ACCESS: &str = "you do not have access to this record";

/// Told to a device that writes a record onto one that was deleted (a document added to a
/// referral draft the server has since deleted as expired).
pub(crate) const PARENT_DELETED: &str = "the record it belongs to was deleted";

/// The access columns of `sync_records` (migration `…_record_access.sql`), taken from a
/// record's fields when it is written. Only well-formed ids are kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct AccessColumns {
    pub service: Option<String>,
    pub assignee: Option<String>,
    pub work_group: Option<String>,
    pub submitted: bool,
    pub parent: Option<String>,
}

fn id_field(fields: &Map<String, Value>, name: &str) -> Option<String> {
    fields
        .get(name)
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
        .map(|u| u.to_string())
}

pub(crate) fn access_columns(kind: &str, fields: &Map<String, Value>) -> AccessColumns {
    let status = match fields.get("status") {
        Some(Value::String(s)) => Some(s.as_str()),
        Some(Value::Object(o)) => o.get("status").and_then(Value::as_str),
        _ => None,
    };
    AccessColumns {
        service: (kind == "request")
            .then(|| id_field(fields, "service_id"))
            .flatten(),
        assignee: (kind == "task")
            .then(|| id_field(fields, "assignee_id"))
            .flatten(),
        work_group: (kind == "task")
            .then(|| id_field(fields, "work_group_id"))
            .flatten(),
        submitted: kind == "referral" && status.is_some_and(|s| s != "draft"),
        parent: match kind {
            "review" => id_field(fields, "plan_id"),
            "contribution" => id_field(fields, "task_id"),
            "document" => id_field(fields, "record_id"),
            _ => None,
        },
    }
}

/// Reviews, contributions and documents: their access follows another record.
pub(crate) fn is_attached_kind(kind: &str) -> bool {
    matches!(kind, "review" | "contribution" | "document")
}

/// A record's access facts as one row: kind, owner, service, assignee, work group,
/// submitted, parent, and how many active sharing rows name the asking user (0 or 1).
pub(crate) type FactsRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    Option<String>,
    i64,
);

pub(crate) const FACTS_SELECT: &str =
    "SELECT r.kind, r.owner_id, r.service_id, r.assignee_id, r.work_group_id, r.submitted, \
     r.parent_id, (SELECT COUNT(*) FROM sync_sharing s WHERE s.record_id = r.id \
     AND s.user_id = $2 AND s.active = 1) FROM sync_records r WHERE r.id = $1";

pub(crate) fn facts_of(row: FactsRow) -> (RecordFacts, Option<String>) {
    let (kind, owner, service, assignee, work_group, submitted, parent, shared) = row;
    (
        RecordFacts {
            kind,
            owner,
            service,
            assignee,
            work_group,
            submitted: submitted != 0,
            shared_with_actor: shared > 0,
        },
        parent,
    )
}

/// The facts a record would have after a write: its owner, kind and fields.
pub(crate) fn proposed_facts(owner: &str, kind: &str, fields: &Map<String, Value>) -> RecordFacts {
    let c = access_columns(kind, fields);
    RecordFacts {
        kind: kind.to_owned(),
        owner: owner.to_owned(),
        service: c.service,
        assignee: c.assignee,
        work_group: c.work_group,
        submitted: c.submitted,
        shared_with_actor: false,
    }
}

/// Whether `actor` may do `action`: `Err(the rule's reason)` when not.
pub(crate) fn access(
    actor: &Actor,
    action: Action,
    record: &RecordFacts,
    parent: Option<&RecordFacts>,
) -> std::result::Result<(), &'static str> {
    match decide_record(actor, action, record, parent) {
        crate::access::Decision::Allow => Ok(()),
        crate::access::Decision::Deny(r) => Err(r),
    }
}

/// One row of a pull scan: the record, its access facts and its parent's.
#[derive(sqlx::FromRow)]
pub(crate) struct PullRow {
    pub id: String,
    pub kind: String,
    pub version: i64,
    pub epoch: i64,
    pub fields: String,
    pub reference: Option<String>,
    pub deleted: i64,
    pub last_seq: i64,
    pub owner_id: String,
    pub service_id: Option<String>,
    pub assignee_id: Option<String>,
    pub work_group_id: Option<String>,
    pub submitted: i64,
    pub shared: i64,
    pub p_kind: Option<String>,
    pub p_owner_id: Option<String>,
    pub p_service_id: Option<String>,
    pub p_assignee_id: Option<String>,
    pub p_work_group_id: Option<String>,
    pub p_submitted: Option<i64>,
    pub p_shared: i64,
}

impl PullRow {
    /// Whether `actor` may read this record, by [`crate::access::decide`].
    pub(crate) fn visible_to(&self, actor: &Actor) -> bool {
        let facts = RecordFacts {
            kind: self.kind.clone(),
            owner: self.owner_id.clone(),
            service: self.service_id.clone(),
            assignee: self.assignee_id.clone(),
            work_group: self.work_group_id.clone(),
            submitted: self.submitted != 0,
            shared_with_actor: self.shared > 0,
        };
        let parent = match (&self.p_kind, &self.p_owner_id) {
            (Some(kind), Some(owner)) => Some(RecordFacts {
                kind: kind.clone(),
                owner: owner.clone(),
                service: self.p_service_id.clone(),
                assignee: self.p_assignee_id.clone(),
                work_group: self.p_work_group_id.clone(),
                submitted: self.p_submitted.unwrap_or(0) != 0,
                shared_with_actor: self.p_shared > 0,
            }),
            _ => None,
        };
        access(actor, Action::Read, &facts, parent.as_ref()).is_ok()
    }
}

pub(crate) const PULL_SELECT: &str =
    "SELECT r.id, r.kind, r.version, r.epoch, r.fields, r.reference, r.deleted, r.last_seq, \
     r.owner_id, r.service_id, r.assignee_id, r.work_group_id, r.submitted, \
     (SELECT COUNT(*) FROM sync_sharing s WHERE s.record_id = r.id AND s.user_id = $3 \
      AND s.active = 1) AS shared, \
     p.kind AS p_kind, p.owner_id AS p_owner_id, p.service_id AS p_service_id, \
     p.assignee_id AS p_assignee_id, p.work_group_id AS p_work_group_id, \
     p.submitted AS p_submitted, \
     (SELECT COUNT(*) FROM sync_sharing s WHERE s.record_id = p.id AND s.user_id = $3 \
      AND s.active = 1) AS p_shared \
     FROM sync_records r LEFT JOIN sync_records p ON p.id = r.parent_id \
     WHERE r.last_seq > $1 AND r.last_seq <= $2 ORDER BY r.last_seq LIMIT $4";

pub(crate) fn parse_fields(s: &str) -> Result<Map<String, Value>> {
    serde_json::from_str(s)
        .map_err(|e| StoreError::Unexpected(anyhow::anyhow!("bad record fields in db: {e}")))
}

pub(crate) fn parse_kind(s: &str) -> Result<RecordKind> {
    RecordKind::parse(s)
        .ok_or_else(|| StoreError::Unexpected(anyhow::anyhow!("bad record kind in db")))
}

pub(crate) fn write_event(
    user: UserId,
    device: Uuid,
    record: Uuid,
    outcome: &str,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> AuditEvent {
    AuditEvent {
        at: now,
        actor: Some(user),
        device: Some(device),
        action: "record.write".to_owned(),
        target: Some(record.to_string()),
        outcome: outcome.to_owned(),
        reason: reason.map(str::to_owned),
    }
}

pub(crate) fn at(now: DateTime<Utc>) -> i64 {
    millis(now)
}

/// The inherent sync methods of one store type; the `Store` trait calls them.
macro_rules! sync_sql {
    ($Store:ident, $Db:ty, $begin:literal) => {
        impl $Store {
            pub(crate) async fn sync_epoch_impl(&self) -> Result<String> {
                let (epoch,): (String,) =
                    sqlx::query_as("SELECT epoch FROM sync_state WHERE id = 1")
                        .fetch_one(&self.pool)
                        .await?;
                Ok(epoch)
            }

            pub(crate) async fn sync_push_impl(
                &self,
                p: $crate::sync_db::MutationIn<'_>,
            ) -> Result<$crate::sync_db::PushStep> {
                use $crate::sync_db::{
                    access, access_columns, decide, is_attached_kind, parse_fields, proposed_facts, write_event,
                    Current, Decision, PushStep, NO_ACCESS,
                };
                use $crate::access::Action;
                use hearth_protocol::sync::Outcome;
                let m = p.mutation;
                let now = $crate::sync_db::at(p.now);
                let client = p.client_id.to_string();
                let record = m.record_id.to_string();
                let mut tx = self.pool.begin_with($begin).await?;
                if let Some(step) = self
                    .sync_admit(&mut tx, &client, &p.user.to_string(), m.mutation_id, now)
                    .await?
                {
                    return Ok(step);
                }
                // Locks the record's row (a no-op update: SQLite has no FOR UPDATE).
                let row: Option<(String, String, i64, i64, String, Option<String>, i64)> =
                    sqlx::query_as(
                        "UPDATE sync_records SET version = version WHERE id = $1 \
                         RETURNING kind, owner_id, version, epoch, fields, reference, deleted",
                    )
                    .bind(&record)
                    .fetch_optional(&mut *tx)
                    .await?;
                let cur = match row {
                    Some((kind, owner_id, version, epoch, fields, reference, deleted)) => {
                        Some(Current {
                            kind,
                            owner_id,
                            version,
                            epoch,
                            fields: parse_fields(&fields)?,
                            reference,
                            deleted: deleted != 0,
                        })
                    }
                    None => None,
                };
                // Access (access::decide): the record as it is, and as this write would leave
                // it (e.g. a document attached to a plan this user may not see).
                let user = p.user.to_string();
                let mut denied: Option<&'static str> = None;
                // Where the record's access comes from after this write (parent_id).
                let mut root: Option<String> = None;
                let existing = self.record_facts(&mut tx, &record, &user).await?;
                if let Some((now_facts, parent_id)) = &existing {
                    let parent = match parent_id {
                        Some(id) => self.record_facts(&mut tx, id, &user).await?.map(|f| f.0),
                        None => None,
                    };
                    denied = access(p.actor, Action::Write, now_facts, parent.as_ref()).err();
                }
                if denied.is_none() {
                    let mut after = cur.as_ref().map(|c| c.fields.clone()).unwrap_or_default();
                    for c in &m.changes {
                        after.insert(c.field.clone(), c.value.clone());
                    }
                    let owner = cur.as_ref().map_or(user.clone(), |c| c.owner_id.clone());
                    let kind = cur.as_ref().map_or(m.kind.as_str(), |c| c.kind.as_str()).to_owned();
                    let mut next = proposed_facts(&owner, &kind, &after);
                    next.shared_with_actor =
                        existing.as_ref().is_some_and(|e| e.0.shared_with_actor);
                    let mut parent = None;
                    if let Some(id) = access_columns(&kind, &after).parent {
                        // Attached to an attached record (a document on a contribution):
                        // follow that record's own parent, so access comes from the plan or
                        // task at the root.
                        root = Some(id.clone());
                        if let Some((f, up)) = self.record_facts(&mut tx, &id, &user).await? {
                            match up.filter(|_| is_attached_kind(&f.kind)) {
                                Some(up) => {
                                    parent = self.record_facts(&mut tx, &up, &user).await?.map(|f| f.0);
                                    root = Some(up);
                                }
                                None => parent = Some(f),
                            }
                        }
                    }
                    denied = access(p.actor, Action::Write, &next, parent.as_ref()).err();
                }
                // Made under an earlier epoch: were all the bumps since this client's own?
                let own_bumps = match &cur {
                    Some(c) if m.epoch >= 0 && m.epoch < c.epoch => {
                        let (n,): (i64,) = sqlx::query_as($crate::sync_db::OWN_BUMPS)
                            .bind(&record)
                            .bind(m.epoch)
                            .bind(c.epoch)
                            .bind(&client)
                            .bind(m.mutation_id)
                            .fetch_one(&mut *tx)
                            .await?;
                        n == c.epoch - m.epoch
                    }
                    _ => false,
                };
                // Nothing new is attached to a deleted record (its documents went with it).
                let parent_deleted = match &root {
                    Some(id) if !$crate::sync_db::is_delete(m.operation) => {
                        let row: Option<(i64,)> =
                            sqlx::query_as("SELECT deleted FROM sync_records WHERE id = $1")
                                .bind(id)
                                .fetch_optional(&mut *tx)
                                .await?;
                        row.is_some_and(|(d,)| d != 0)
                    }
                    _ => false,
                };
                let decision = match denied {
                    Some(_) => Decision::Reject(NO_ACCESS),
                    None if parent_deleted => Decision::Reject($crate::sync_db::PARENT_DELETED),
                    None => decide(p.actor, m, cur.as_ref(), own_bumps),
                };
                let (outcome, audit_outcome, reason) = match decision {
                    Decision::Apply {
                        fields,
                        deleted,
                        create,
                    } => {
                        let reference = if create {
                            let prefix = m.kind.reference_prefix();
                            let (n,): (i64,) = sqlx::query_as(
                                "UPDATE reference_counters SET last_value = last_value + 1 \
                                 WHERE prefix = $1 RETURNING last_value",
                            )
                            .bind(prefix)
                            .fetch_one(&mut *tx)
                            .await?;
                            Some(format!("{prefix}-{n:06}"))
                        } else {
                            cur.as_ref().and_then(|c| c.reference.clone())
                        };
                        let version = cur.as_ref().map_or(0, |c| c.version) + 1;
                        let kind = cur.as_ref().map_or(m.kind.as_str(), |c| c.kind.as_str());
                        let owner = cur.as_ref().map_or(user.clone(), |c| c.owner_id.clone());
                        let effects = $crate::sync_db::effects(
                            kind,
                            &owner,
                            &user,
                            cur.as_ref().map(|c| &c.fields),
                            &fields,
                        );
                        let epoch = cur.as_ref().map_or(m.epoch, |c| c.epoch)
                            + i64::from(effects.bump_epoch);
                        // Taken last: holding it serialises writers, so keep it short.
                        let seq = Self::next_change_seq(&mut tx).await?;
                        let mut cols = access_columns(kind, &fields);
                        cols.parent = root.clone();
                        let fields_json = serde_json::Value::Object(fields).to_string();
                        if create {
                            sqlx::query(
                                "INSERT INTO sync_records (id, kind, owner_id, version, epoch, \
                                 fields, reference, deleted, last_seq, created_at, updated_at, \
                                 service_id, assignee_id, work_group_id, submitted, parent_id) \
                                 VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9, $9, \
                                 $10, $11, $12, $13, $14)",
                            )
                            .bind(&record)
                            .bind(m.kind.as_str())
                            .bind(p.user.to_string())
                            .bind(version)
                            .bind(epoch)
                            .bind(&fields_json)
                            .bind(&reference)
                            .bind(seq)
                            .bind(now)
                            .bind(&cols.service)
                            .bind(&cols.assignee)
                            .bind(&cols.work_group)
                            .bind(i64::from(cols.submitted))
                            .bind(&cols.parent)
                            .execute(&mut *tx)
                            .await?;
                        } else {
                            sqlx::query(
                                "UPDATE sync_records SET version = $1, fields = $2, deleted = $3, \
                                 last_seq = $4, updated_at = $5, service_id = $7, \
                                 assignee_id = $8, work_group_id = $9, submitted = $10, \
                                 parent_id = $11, epoch = $12, owner_id = $13 WHERE id = $6",
                            )
                            .bind(version)
                            .bind(&fields_json)
                            .bind(i64::from(deleted))
                            .bind(seq)
                            .bind(now)
                            .bind(&record)
                            .bind(&cols.service)
                            .bind(&cols.assignee)
                            .bind(&cols.work_group)
                            .bind(i64::from(cols.submitted))
                            .bind(&cols.parent)
                            .bind(epoch)
                            .bind(effects.new_owner.as_ref().unwrap_or(&owner))
                            .execute(&mut *tx)
                            .await?;
                        }
                        if effects.bump_epoch && !create {
                            // Who moved the epoch on: their later edits made under the old
                            // one still apply (`OWN_BUMPS`), anyone else's are conflicts.
                            sqlx::query(
                                "INSERT INTO sync_epoch_bumps (record_id, epoch, client_id, \
                                 mutation_id, at) VALUES ($1, $2, $3, $4, $5)",
                            )
                            .bind(&record)
                            .bind(epoch)
                            .bind(&client)
                            .bind(m.mutation_id)
                            .bind(now)
                            .execute(&mut *tx)
                            .await?;
                        }
                        self.sync_effects(&mut tx, &record, seq, now, &effects).await?;
                        for (who, active, why) in &effects.shared {
                            let event = $crate::store::AuditEvent {
                                at: p.now,
                                actor: Some(p.user),
                                device: Some(p.device),
                                action: "plan.share".to_owned(),
                                target: Some(record.clone()),
                                outcome: if *active { "active" } else { "inactive" }.to_owned(),
                                reason: Some(format!("user {who}: {why}")),
                            };
                            self.audit_in(&mut tx, &event).await?;
                        }
                        sqlx::query(
                            "INSERT INTO sync_changes (seq, record_id, version, client_id, \
                             mutation_id, at) VALUES ($1, $2, $3, $4, $5, $6)",
                        )
                        .bind(seq)
                        .bind(&record)
                        .bind(version)
                        .bind(&client)
                        .bind(m.mutation_id)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                        (Outcome::Applied { version, reference }, "applied", None)
                    }
                    Decision::Conflict(outcome) => {
                        self.sync_answered(&mut tx, &client, m, "conflict", &outcome, now)
                            .await?;
                        (outcome, "conflict", None)
                    }
                    Decision::Reject(reason) => {
                        let outcome = Outcome::Rejected {
                            reason: reason.to_owned(),
                        };
                        self.sync_answered(&mut tx, &client, m, "rejected", &outcome, now)
                            .await?;
                        match denied {
                            // A denial by the access rules, with the rule's reason.
                            Some(rule) => (outcome, "denied", Some(rule)),
                            // A sharing change by someone who may not make it.
                            None if reason == $crate::sync_db::SHARING_DENIED => {
                                (outcome, "denied", Some(reason))
                            }
                            None => (outcome, "rejected", Some(reason)),
                        }
                    }
                };
                sqlx::query("UPDATE sync_clients SET last_mutation_id = $1 WHERE client_id = $2")
                    .bind(m.mutation_id)
                    .bind(&client)
                    .execute(&mut *tx)
                    .await?;
                let event = write_event(p.user, p.device, m.record_id, audit_outcome, reason, p.now);
                self.audit_in(&mut tx, &event).await?;
                tx.commit().await?;
                Ok(PushStep::Answered(outcome))
            }

            /// Writes what an applied mutation does besides its fields (sharing for a
            /// transfer, possible loss of access, queued emails), numbered `seq`.
            async fn sync_effects(
                &self,
                tx: &mut sqlx::Transaction<'_, $Db>,
                record: &str,
                seq: i64,
                now: i64,
                effects: &$crate::sync_db::Effects,
            ) -> Result<()> {
                for (user, active, via_transfer) in &effects.sharing {
                    // Only for accounts that exist (a made-up id in a field changes nothing).
                    sqlx::query(
                        "INSERT INTO sync_sharing (record_id, user_id, active, changed_seq, \
                         via_transfer) SELECT $1, id, $3, $4, $5 FROM users WHERE id = $2 \
                         ON CONFLICT (record_id, user_id) DO UPDATE SET active = $3, \
                         changed_seq = $4, via_transfer = CASE \
                           WHEN $5 = 1 AND sync_sharing.active = 1 THEN sync_sharing.via_transfer \
                           ELSE $5 END",
                    )
                    .bind(record)
                    .bind(user)
                    .bind(i64::from(*active))
                    .bind(seq)
                    .bind(i64::from(*via_transfer))
                    .execute(&mut **tx)
                    .await?;
                }
                for user in &effects.unshare_offer {
                    sqlx::query(
                        "UPDATE sync_sharing SET active = 0, via_transfer = 0, changed_seq = $3 \
                         WHERE record_id = $1 AND user_id = $2 AND via_transfer = 1",
                    )
                    .bind(record)
                    .bind(user)
                    .bind(seq)
                    .execute(&mut **tx)
                    .await?;
                }
                for user in &effects.maybe_lost {
                    sqlx::query(
                        "INSERT INTO sync_purges (seq, user_id, record_id) VALUES ($1, $2, $3) \
                         ON CONFLICT DO NOTHING",
                    )
                    .bind(seq)
                    .bind(user)
                    .bind(record)
                    .execute(&mut **tx)
                    .await?;
                }
                for (user, kind) in &effects.notices {
                    Self::queue_mail(tx, user, kind, record, now).await?;
                }
                Ok(())
            }

            /// The next change-log number (`sync_state.change_seq`), taken inside `tx`:
            /// holding it serialises writers, so take it last and keep the rest short.
            pub(crate) async fn next_change_seq(
                tx: &mut sqlx::Transaction<'_, $Db>,
            ) -> Result<i64> {
                let (seq,): (i64,) = sqlx::query_as(
                    "UPDATE sync_state SET change_seq = change_seq + 1 WHERE id = 1 \
                     RETURNING change_seq",
                )
                .fetch_one(&mut **tx)
                .await?;
                Ok(seq)
            }

            /// Queues an email of `kind` about `record` to `user` (ids only; worded when
            /// sent, `notify`), in `tx`. Only to accounts that exist: a made-up id in a field
            /// gets nothing.
            pub(crate) async fn queue_mail(
                tx: &mut sqlx::Transaction<'_, $Db>,
                user: &str,
                kind: &str,
                record: &str,
                now: i64,
            ) -> Result<()> {
                sqlx::query(
                    "INSERT INTO mail_queue (id, user_id, kind, record_id, created_at) \
                     SELECT $1, id, $3, $4, $5 FROM users WHERE id = $2",
                )
                .bind(uuid::Uuid::now_v7().to_string())
                .bind(user)
                .bind(kind)
                .bind(record)
                .bind(now)
                .execute(&mut **tx)
                .await?;
                Ok(())
            }

            /// A record's access facts and parent id, as `user` asks.
            async fn record_facts(
                &self,
                tx: &mut sqlx::Transaction<'_, $Db>,
                id: &str,
                user: &str,
            ) -> Result<Option<($crate::access::RecordFacts, Option<String>)>> {
                let row: Option<$crate::sync_db::FactsRow> =
                    sqlx::query_as($crate::sync_db::FACTS_SELECT)
                        .bind(id)
                        .bind(user)
                        .fetch_optional(&mut **tx)
                        .await?;
                Ok(row.map($crate::sync_db::facts_of))
            }

            async fn sync_answered(
                &self,
                tx: &mut sqlx::Transaction<'_, $Db>,
                client: &str,
                m: &hearth_protocol::sync::PushMutation,
                outcome: &str,
                detail: &hearth_protocol::sync::Outcome,
                now: i64,
            ) -> Result<()> {
                let detail = serde_json::to_string(detail).map_err(anyhow::Error::from)?;
                sqlx::query(
                    "INSERT INTO sync_conflicts (client_id, mutation_id, record_id, outcome, \
                     detail, at) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(client)
                .bind(m.mutation_id)
                .bind(m.record_id.to_string())
                .bind(outcome)
                .bind(detail)
                .bind(now)
                .execute(&mut **tx)
                .await?;
                Ok(())
            }

            /// The first answer to an already answered mutation, when it is still known.
            /// The start of every pushed mutation's transaction: registers the client on its
            /// first push, locks its row (a retry racing its own first attempt waits here)
            /// and says whether this mutation is the next one. `Some(step)` is the answer
            /// when it is not: another user's client, a replay, or a gap.
            async fn sync_admit(
                &self,
                tx: &mut sqlx::Transaction<'_, $Db>,
                client: &str,
                user: &str,
                mutation_id: i64,
                now: i64,
            ) -> Result<Option<$crate::sync_db::PushStep>> {
                use $crate::sync_db::PushStep;
                use hearth_protocol::sync::Outcome;
                sqlx::query(
                    "INSERT INTO sync_clients (client_id, user_id, last_mutation_id, created_at, \
                     last_push_at) VALUES ($1, $2, 0, $3, $3) ON CONFLICT (client_id) DO NOTHING",
                )
                .bind(client)
                .bind(user)
                .bind(now)
                .execute(&mut **tx)
                .await?;
                let (owner, last): (String, i64) = sqlx::query_as(
                    "UPDATE sync_clients SET last_push_at = $1 WHERE client_id = $2 \
                     RETURNING user_id, last_mutation_id",
                )
                .bind(now)
                .bind(client)
                .fetch_one(&mut **tx)
                .await?;
                if owner != user {
                    return Ok(Some(PushStep::ForeignClient));
                }
                if mutation_id <= last {
                    let original = self.sync_original(tx, client, mutation_id).await?;
                    return Ok(Some(PushStep::Answered(Outcome::Skipped {
                        original: original.map(Box::new),
                    })));
                }
                if mutation_id != last + 1 {
                    return Ok(Some(PushStep::Gap { expected: last + 1 }));
                }
                Ok(None)
            }

            async fn sync_original(
                &self,
                tx: &mut sqlx::Transaction<'_, $Db>,
                client: &str,
                mutation_id: i64,
            ) -> Result<Option<hearth_protocol::sync::Outcome>> {
                use hearth_protocol::sync::Outcome;
                let applied: Option<(i64, Option<String>)> = sqlx::query_as(
                    "SELECT c.version, r.reference FROM sync_changes c \
                     JOIN sync_records r ON r.id = c.record_id \
                     WHERE c.client_id = $1 AND c.mutation_id = $2",
                )
                .bind(client)
                .bind(mutation_id)
                .fetch_optional(&mut **tx)
                .await?;
                if let Some((version, reference)) = applied {
                    return Ok(Some(Outcome::Applied { version, reference }));
                }
                let answered: Option<(String,)> = sqlx::query_as(
                    "SELECT detail FROM sync_conflicts WHERE client_id = $1 AND mutation_id = $2",
                )
                .bind(client)
                .bind(mutation_id)
                .fetch_optional(&mut **tx)
                .await?;
                Ok(answered.and_then(|(d,)| serde_json::from_str(&d).ok()))
            }

            /// Writes an audit row inside the caller's transaction (chained later by the
            /// sealer; see `crate::audit`).
            async fn audit_in(
                &self,
                tx: &mut sqlx::Transaction<'_, $Db>,
                e: &$crate::store::AuditEvent,
            ) -> Result<()> {
                Self::audit_enqueue(&mut **tx, e).await?;
                Ok(())
            }

            pub(crate) async fn sync_pull_impl(
                &self,
                actor: &$crate::access::Actor,
                after: i64,
                limit: u32,
            ) -> Result<$crate::sync_db::PullPage> {
                use $crate::sync_db::{parse_fields, parse_kind, PullPage, PullRow, PULL_SELECT};
                use hearth_protocol::sync::Change;
                let user = actor.user.to_string();
                // Read first: every change numbered at or below it has committed (writers
                // take numbers in commit order), so serving only up to it never skips one.
                let (bound,): (i64,) =
                    sqlx::query_as("SELECT change_seq FROM sync_state WHERE id = 1")
                        .fetch_one(&self.pool)
                        .await?;
                // Scan the change log in order, keeping what access::decide lets this user
                // read, until the page is full, the log ends, or the scan budget is spent.
                let want = usize::try_from(limit).unwrap_or(usize::MAX);
                let batch = i64::from(limit);
                let budget = want.saturating_mul(10).max(5000);
                let mut scanned = 0usize;
                let mut cursor = after;
                let mut visible: Vec<PullRow> = Vec::new();
                let more = 'scan: loop {
                    let rows: Vec<PullRow> = sqlx::query_as(PULL_SELECT)
                        .bind(cursor)
                        .bind(bound)
                        .bind(&user)
                        .bind(batch)
                        .fetch_all(&self.pool)
                        .await?;
                    let n = rows.len();
                    for row in rows {
                        if row.visible_to(actor) {
                            if visible.len() == want {
                                break 'scan true;
                            }
                            cursor = row.last_seq;
                            visible.push(row);
                        } else {
                            cursor = row.last_seq;
                        }
                    }
                    scanned += n;
                    if i64::try_from(n).unwrap_or(i64::MAX) < batch {
                        break false;
                    }
                    if scanned >= budget {
                        break true;
                    }
                };
                let next_cursor = if more { cursor } else { bound.max(after) };
                let mut changes = Vec::with_capacity(visible.len());
                for r in visible {
                    changes.push((
                        r.last_seq,
                        Change {
                            record_id: $crate::sync_db::parse_uuid(&r.id)?,
                            kind: parse_kind(&r.kind)?,
                            version: r.version,
                            epoch: r.epoch,
                            deleted: r.deleted != 0,
                            fields: parse_fields(&r.fields)?,
                            reference: r.reference,
                        },
                    ));
                }
                // Plans whose sharing list no longer has this user (removed, a transfer
                // refused, or a coordinator who left with a transfer).
                let purges: Vec<(String,)> = sqlx::query_as(
                    "SELECT s.record_id FROM sync_sharing s \
                     WHERE s.user_id = $1 AND s.active = 0 \
                       AND s.changed_seq > $2 AND s.changed_seq <= $3 \
                       AND NOT EXISTS (SELECT 1 FROM sync_records r \
                                       WHERE r.id = s.record_id AND r.owner_id = $1) \
                     ORDER BY s.changed_seq",
                )
                .bind(&user)
                .bind(after)
                .bind(next_cursor)
                .fetch_all(&self.pool)
                .await?;
                let mut purged: Vec<String> = purges.into_iter().map(|(id,)| id).collect();
                // Writes that may have taken this user's access away (a task re-assigned):
                // a purge when the rules no longer let them read the record.
                let lost: Vec<(String,)> = sqlx::query_as(
                    "SELECT DISTINCT record_id FROM sync_purges \
                     WHERE user_id = $1 AND seq > $2 AND seq <= $3",
                )
                .bind(&user)
                .bind(after)
                .bind(next_cursor)
                .fetch_all(&self.pool)
                .await?;
                for (id,) in lost {
                    if purged.contains(&id) {
                        continue;
                    }
                    let row: Option<$crate::sync_db::FactsRow> =
                        sqlx::query_as($crate::sync_db::FACTS_SELECT)
                            .bind(&id)
                            .bind(&user)
                            .fetch_optional(&self.pool)
                            .await?;
                    let readable = match row.map($crate::sync_db::facts_of) {
                        Some((facts, _)) => $crate::sync_db::access(
                            actor,
                            $crate::access::Action::Read,
                            &facts,
                            None,
                        )
                        .is_ok(),
                        None => false,
                    };
                    if !readable {
                        purged.push(id);
                    }
                }
                // What belongs to a purged record (its documents, reviews, contributions)
                // goes with it: its access follows that record.
                let mut attached = Vec::new();
                for id in &purged {
                    let children: Vec<(String,)> =
                        sqlx::query_as("SELECT id FROM sync_records WHERE parent_id = $1")
                            .bind(id)
                            .fetch_all(&self.pool)
                            .await?;
                    attached.extend(children.into_iter().map(|(c,)| c));
                }
                for c in attached {
                    if !purged.contains(&c) {
                        purged.push(c);
                    }
                }
                Ok(PullPage {
                    changes,
                    purges: purged
                        .iter()
                        .map(|id| $crate::sync_db::parse_uuid(id))
                        .collect::<Result<_>>()?,
                    next_cursor,
                    more,
                })
            }

            pub(crate) async fn set_sharing_impl(
                &self,
                record: Uuid,
                user: UserId,
                active: bool,
                event: &$crate::store::AuditEvent,
            ) -> Result<()> {
                let mut tx = self.pool.begin_with($begin).await?;
                let seq = Self::next_change_seq(&mut tx).await?;
                sqlx::query(
                    "INSERT INTO sync_sharing (record_id, user_id, active, changed_seq) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (record_id, user_id) \
                     DO UPDATE SET active = $3, changed_seq = $4",
                )
                .bind(record.to_string())
                .bind(user.to_string())
                .bind(i64::from(active))
                .bind(seq)
                .execute(&mut *tx)
                .await?;
                if active {
                    // Newly shared: the record comes down on the user's next pull.
                    sqlx::query("UPDATE sync_records SET last_seq = $1 WHERE id = $2")
                        .bind(seq)
                        .bind(record.to_string())
                        .execute(&mut *tx)
                        .await?;
                }
                self.audit_in(&mut tx, event).await?;
                tx.commit().await?;
                Ok(())
            }
        }
    };
}
pub(crate) use sync_sql;

pub(crate) fn parse_uuid(s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(|e| StoreError::Unexpected(anyhow::anyhow!("bad uuid in db: {e}")))
}
