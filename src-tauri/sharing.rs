//! Sharing and transfer of a Family Support Plan (PRODUCT.md FSP "Sharing", "Transfer").
//!
//! Everything is an ordinary edit of the plan, saved through the store's normal path (one
//! outbox row), so it is queued offline and applied at sync, where the server decides
//! (coordinators change the list; anyone may take themselves off; only the recipient answers
//! a transfer) and its refusals come back as conflicts or rejections like any other edit.
//!
//! - `sharing`: `[{user_id, name, role: "coordinator" | "team", active}]`; the server reads
//!   `user_id`, `role` and `active` and keeps `sync_sharing` from them.
//! - `transfer`: `{to, to_name, state: "awaiting_authorisation" | "authorised" | "refused"
//!   | "cancelled", sender_leaves}`.
//!
//! Only finding a colleague by email needs the server (`POST /api/v1/users/lookup`).

use chrono::{DateTime, Utc};
use hearth_domain::RecordKind;
use hearth_store::{Draft, StepSave, Store};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use specta::Type;
use tauri::State;

use crate::error::{AppError, ErrorCode};
use crate::plans::load_kind;
use crate::state::AppState;

/// The store step number sharing and transfer edits are saved under: not a wizard step, so
/// they never mark one of the nine as started.
const SHARING_STEP: u32 = 0;

pub const ROLE_COORDINATOR: &str = "coordinator";
pub const ROLE_TEAM: &str = "team";
const AWAITING: &str = "awaiting_authorisation";

/// One person on a plan's sharing list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SharedPerson {
    pub user_id: String,
    pub name: String,
    /// `coordinator` (FSP coordinator) or `team` (team around the family).
    pub role: String,
    pub active: bool,
}

/// A transfer of the plan to another practitioner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TransferView {
    pub to: String,
    pub to_name: String,
    /// `awaiting_authorisation`, `authorised`, `refused` or `cancelled`.
    pub state: String,
    pub sender_leaves: bool,
}

/// The sharing section of the plan view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PlanSharing {
    pub plan_id: String,
    /// The signed-in practitioner's id (to mark "you" and offer "Remove me").
    pub me: Option<String>,
    pub people: Vec<SharedPerson>,
    pub transfer: Option<TransferView>,
}

/// A colleague found by email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FoundPerson {
    pub user_id: String,
    pub name: String,
    /// Their main role, as a label.
    pub role: String,
}

/// A plan someone is transferring to the signed-in practitioner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TransferWaiting {
    pub plan_id: String,
    pub reference: String,
    pub family_name: String,
    pub sender_leaves: bool,
    pub last_saved_at: DateTime<Utc>,
}

// ---------------------------------------------------------------------------------------
// Commands

/// The plan's sharing list and transfer.
#[tauri::command]
#[specta::specta]
pub async fn sharing_load(
    state: State<'_, AppState>,
    record_id: String,
) -> Result<PlanSharing, AppError> {
    let store = state.open_store().await?;
    let me = me_of(&store).await?;
    sharing_of(&store, &record_id, me).await
}

/// Finds an active colleague by exact email (needs a connection to the server).
#[tauri::command]
#[specta::specta]
pub async fn sharing_lookup(
    state: State<'_, AppState>,
    email: String,
) -> Result<FoundPerson, AppError> {
    lookup(&state, &email).await
}

/// Replaces the plan's sharing list (queued in the outbox, applied at sync).
#[tauri::command]
#[specta::specta]
pub async fn sharing_save(
    state: State<'_, AppState>,
    record_id: String,
    people: Vec<SharedPerson>,
) -> Result<PlanSharing, AppError> {
    let store = state.open_store().await?;
    let me = me_of(&store).await?;
    save_sharing(&store, &record_id, people, Utc::now()).await?;
    sharing_of(&store, &record_id, me).await
}

/// "Remove me from this plan": the signed-in practitioner's own row goes inactive.
#[tauri::command]
#[specta::specta]
pub async fn sharing_leave(
    state: State<'_, AppState>,
    record_id: String,
) -> Result<PlanSharing, AppError> {
    let store = state.open_store().await?;
    let me = me_of(&store).await?.ok_or_else(not_signed_in)?;
    leave(&store, &record_id, &me, Utc::now()).await?;
    sharing_of(&store, &record_id, Some(me)).await
}

/// Offers the plan to another practitioner, who authorises or refuses it.
#[tauri::command]
#[specta::specta]
pub async fn transfer_offer(
    state: State<'_, AppState>,
    record_id: String,
    to: String,
    to_name: String,
    sender_leaves: bool,
) -> Result<PlanSharing, AppError> {
    let store = state.open_store().await?;
    let me = me_of(&store).await?;
    offer(
        &store,
        &record_id,
        &to,
        &to_name,
        sender_leaves,
        me.as_deref(),
        Utc::now(),
    )
    .await?;
    sharing_of(&store, &record_id, me).await
}

/// The recipient's answer to a transfer: authorise (`true`) or refuse.
#[tauri::command]
#[specta::specta]
pub async fn transfer_answer(
    state: State<'_, AppState>,
    record_id: String,
    authorise: bool,
) -> Result<PlanSharing, AppError> {
    let store = state.open_store().await?;
    let me = me_of(&store).await?.ok_or_else(not_signed_in)?;
    answer(&store, &record_id, &me, authorise, Utc::now()).await?;
    sharing_of(&store, &record_id, Some(me)).await
}

/// "Transfers waiting for you".
#[tauri::command]
#[specta::specta]
pub async fn transfers_waiting(
    state: State<'_, AppState>,
) -> Result<Vec<TransferWaiting>, AppError> {
    let store = state.open_store().await?;
    match me_of(&store).await? {
        Some(me) => waiting_for(&store, &me).await,
        None => Ok(Vec::new()),
    }
}

// ---------------------------------------------------------------------------------------
// Logic, testable without a window

fn not_signed_in() -> AppError {
    AppError::new(
        ErrorCode::InvalidInput,
        "Hearth does not know who you are on this device yet. Sign in online once, then try again.",
    )
}

fn invalid(message: &str) -> AppError {
    AppError::new(ErrorCode::InvalidInput, message)
}

/// The signed-in practitioner's id, as remembered at the last online sign-in.
pub async fn me_of(store: &Store) -> Result<Option<String>, AppError> {
    let account = store.setting(crate::session::keys::ACCOUNT).await?;
    Ok(account
        .and_then(|a| serde_json::from_str::<hearth_domain::account::Account>(&a).ok())
        .map(|a| a.id.to_string()))
}

fn people_in(fields: &serde_json::Map<String, Value>) -> Vec<SharedPerson> {
    fields.get("sharing").map(people_of).unwrap_or_default()
}

/// The people of a `sharing` value (a list; anything else is nobody).
fn people_of(sharing: &Value) -> Vec<SharedPerson> {
    let Value::Array(items) = sharing else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|i| {
            let o = i.as_object()?;
            Some(SharedPerson {
                user_id: o.get("user_id")?.as_str()?.to_owned(),
                name: o
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("Name not known on this device")
                    .to_owned(),
                role: o.get("role")?.as_str()?.to_owned(),
                active: o.get("active")?.as_bool()?,
            })
        })
        .collect()
}

fn transfer_in(fields: &serde_json::Map<String, Value>) -> Option<TransferView> {
    let o = fields.get("transfer")?.as_object()?;
    Some(TransferView {
        to: o.get("to")?.as_str()?.to_owned(),
        to_name: o
            .get("to_name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        state: o.get("state")?.as_str()?.to_owned(),
        sender_leaves: o
            .get("sender_leaves")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    })
}

pub async fn sharing_of(
    store: &Store,
    id: &str,
    me: Option<String>,
) -> Result<PlanSharing, AppError> {
    let record = load_kind(store, id, RecordKind::Plan).await?;
    Ok(PlanSharing {
        plan_id: record.summary.id.to_string(),
        me,
        people: people_in(&record.fields),
        transfer: transfer_in(&record.fields),
    })
}

async fn save_fields(
    store: &Store,
    record: &Draft,
    fields: Value,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    store
        .save_step(StepSave::new(
            Some(record.summary.id),
            RecordKind::Plan,
            SHARING_STEP,
            fields,
            now,
        ))
        .await?;
    Ok(())
}

fn sharing_json(people: &[SharedPerson]) -> Value {
    Value::Array(
        people
            .iter()
            .map(|p| {
                json!({"user_id": p.user_id, "name": p.name, "role": p.role, "active": p.active})
            })
            .collect(),
    )
}

pub async fn save_sharing(
    store: &Store,
    id: &str,
    people: Vec<SharedPerson>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let record = load_kind(store, id, RecordKind::Plan).await?;
    for (i, p) in people.iter().enumerate() {
        if uuid::Uuid::parse_str(&p.user_id).is_err() {
            return Err(invalid(
                "Find the person by their email address before attaching them",
            ));
        }
        if p.role != ROLE_COORDINATOR && p.role != ROLE_TEAM {
            return Err(invalid(
                "Choose whether they are an FSP coordinator or in the team around the family",
            ));
        }
        if people[..i].iter().any(|q| q.user_id == p.user_id) {
            return Err(invalid("This person is already attached to the plan"));
        }
    }
    save_fields(
        store,
        &record,
        json!({ "sharing": sharing_json(&people) }),
        now,
    )
    .await
}

pub async fn leave(store: &Store, id: &str, me: &str, now: DateTime<Utc>) -> Result<(), AppError> {
    let record = load_kind(store, id, RecordKind::Plan).await?;
    let mut people = people_in(&record.fields);
    let Some(mine) = people.iter_mut().find(|p| p.user_id == me) else {
        return Err(invalid("You are not on this plan's sharing list"));
    };
    mine.active = false;
    save_fields(
        store,
        &record,
        json!({ "sharing": sharing_json(&people) }),
        now,
    )
    .await
}

pub async fn offer(
    store: &Store,
    id: &str,
    to: &str,
    to_name: &str,
    sender_leaves: bool,
    me: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let record = load_kind(store, id, RecordKind::Plan).await?;
    if uuid::Uuid::parse_str(to).is_err() {
        return Err(invalid(
            "Find the person by their email address before transferring the plan",
        ));
    }
    if me == Some(to) {
        return Err(invalid("Choose someone other than yourself"));
    }
    if transfer_in(&record.fields).is_some_and(|t| t.state == AWAITING) {
        return Err(invalid(
            "This plan is already waiting for someone to authorise its transfer",
        ));
    }
    let transfer = json!({"to": to, "to_name": to_name, "state": AWAITING,
                          "sender_leaves": sender_leaves});
    save_fields(store, &record, json!({ "transfer": transfer }), now).await
}

pub async fn answer(
    store: &Store,
    id: &str,
    me: &str,
    authorise: bool,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let record = load_kind(store, id, RecordKind::Plan).await?;
    let Some(t) = transfer_in(&record.fields).filter(|t| t.state == AWAITING && t.to == me) else {
        return Err(invalid("This plan is not waiting for you to authorise it"));
    };
    let transfer = json!({"to": t.to, "to_name": t.to_name,
                          "state": if authorise { "authorised" } else { "refused" },
                          "sender_leaves": t.sender_leaves});
    save_fields(store, &record, json!({ "transfer": transfer }), now).await
}

const WAITING_PATHS: [&str; 4] = [
    "$.transfer.to",
    "$.transfer.state",
    "$.transfer.sender_leaves",
    "$.family_name",
];

/// Plans whose transfer to `me` waits for an answer.
pub async fn waiting_for(store: &Store, me: &str) -> Result<Vec<TransferWaiting>, AppError> {
    let rows = store
        .list_columns(RecordKind::Plan, None, &WAITING_PATHS)
        .await?;
    Ok(rows
        .into_iter()
        .filter(|r| r.values[0].as_str() == Some(me) && r.values[1].as_str() == Some(AWAITING))
        .map(|r| TransferWaiting {
            plan_id: r.summary.id.to_string(),
            reference: r
                .summary
                .server_reference
                .clone()
                .unwrap_or_else(|| r.summary.local_reference.clone()),
            family_name: r.values[3].as_str().unwrap_or_default().trim().to_owned(),
            sender_leaves: r.values[2].as_bool().unwrap_or(false),
            last_saved_at: r.summary.last_saved_at,
        })
        .collect())
}

/// How many plans shared with `me` (an active row for them on the plan's sharing list) have
/// more than one active FSP coordinator on that list: the dashboard's "Shared plans with
/// several coordinators" (seed 001: "any FSP with multiple coordinators that you are
/// connected to"). From the cache's `sharing` fields, so it works offline.
pub async fn several_coordinators_for(store: &Store, me: &str) -> Result<u32, AppError> {
    let rows = store
        .list_columns(RecordKind::Plan, None, &["$.sharing"])
        .await?;
    let n = rows
        .iter()
        .filter(|r| {
            let people = people_of(&r.values[0]);
            let shared_with_me = people.iter().any(|p| p.user_id == me && p.active);
            let coordinators = people
                .iter()
                .filter(|p| p.active && p.role == ROLE_COORDINATOR)
                .count();
            shared_with_me && coordinators > 1
        })
        .count();
    Ok(crate::dto::saturating_u32(n as u64))
}

/// Finds a colleague on the server by exact email.
async fn lookup(state: &AppState, email: &str) -> Result<FoundPerson, AppError> {
    let found = find_user(state, email).await?;
    Ok(FoundPerson {
        user_id: found.id.to_string(),
        name: found.name,
        role: found.role.label().to_owned(),
    })
}

/// The server's answer about a colleague (also used by `tasks` for re-assigning).
pub(crate) async fn find_user(
    state: &AppState,
    email: &str,
) -> Result<hearth_protocol::users::FoundUser, AppError> {
    let email = email.trim();
    if email.is_empty() {
        return Err(invalid("Enter their email address"));
    }
    if hearth_domain::contact::EmailAddress::parse(email).is_err() {
        return Err(invalid(
            "Enter an email address in the correct format, like name@example.org.uk",
        ));
    }
    let offline = || {
        AppError::new(
            ErrorCode::ServerUnreachable,
            "Looking someone up needs a connection to the Hearth server. Try again when you are online.",
        )
    };
    let (server, token) = state.server_and_token().await.ok_or_else(offline)?;
    find_user_at(&server, &token, email).await
}

pub async fn lookup_at(server: &str, token: &str, email: &str) -> Result<FoundPerson, AppError> {
    let found = find_user_at(server, token, email).await?;
    Ok(FoundPerson {
        user_id: found.id.to_string(),
        name: found.name,
        role: found.role.label().to_owned(),
    })
}

pub async fn find_user_at(
    server: &str,
    token: &str,
    email: &str,
) -> Result<hearth_protocol::users::FoundUser, AppError> {
    let offline = || {
        AppError::new(
            ErrorCode::ServerUnreachable,
            "Looking someone up needs a connection to the Hearth server. Try again when you are online.",
        )
    };
    let url = format!(
        "{}{}",
        server.trim_end_matches('/'),
        hearth_protocol::paths::USER_LOOKUP
    );
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(15))
        .build()
        .map_err(|_| offline())?;
    let answer = http
        .post(url)
        .bearer_auth(token)
        .json(&json!({ "email": email }))
        .send()
        .await
        .map_err(|_| offline())?;
    match answer.status().as_u16() {
        200 => answer.json().await.map_err(|_| offline()),
        404 => Err(invalid(
            "No active Hearth user has that email address. Check it, or ask them to register.",
        )),
        422 => Err(invalid(
            "Enter an email address in the correct format, like name@example.org.uk",
        )),
        401 => Err(AppError::new(
            ErrorCode::ServerUnreachable,
            "Hearth needs you to sign in online again before it can look anyone up.",
        )),
        _ => Err(offline()),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;
    use hearth_store::{DatabaseKey, KeyStorage};

    use super::*;

    fn at(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 21, 10, minute, 0).unwrap()
    }

    async fn temp_store(dir: &std::path::Path) -> Store {
        let key = DatabaseKey::from_bytes([7; 32]);
        Store::open_or_create(dir, KeyStorage::Supplied { key }, at(0))
            .await
            .unwrap()
    }

    async fn plan(store: &Store) -> String {
        store
            .save_step(StepSave::new(
                None,
                RecordKind::Plan,
                9,
                json!({"family_name": "Testfamily"}),
                at(1),
            ))
            .await
            .unwrap()
            .record_id
            .to_string()
    }

    const JO: &str = "0192f000-0000-7000-8000-00000000000a";
    const ROBIN: &str = "0192f000-0000-7000-8000-00000000000b";

    fn person(id: &str, role: &str, active: bool) -> SharedPerson {
        SharedPerson {
            user_id: id.into(),
            name: "Invented Person".into(),
            role: role.into(),
            active,
        }
    }

    #[tokio::test]
    async fn sharing_is_saved_as_an_outbox_edit_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = temp_store(dir.path()).await;
        let id = plan(&store).await;
        let before = store.counts().await.unwrap().pending_outbox;
        save_sharing(
            &store,
            &id,
            vec![
                person(JO, ROLE_COORDINATOR, true),
                person(ROBIN, ROLE_TEAM, false),
            ],
            at(2),
        )
        .await
        .unwrap();
        assert_eq!(store.counts().await.unwrap().pending_outbox, before + 1);
        let s = sharing_of(&store, &id, Some(ROBIN.into())).await.unwrap();
        assert_eq!(
            s.people,
            vec![
                person(JO, ROLE_COORDINATOR, true),
                person(ROBIN, ROLE_TEAM, false)
            ]
        );
        // The wizard's nine steps are not touched by it.
        let record = store.load(id.parse().unwrap()).await.unwrap().unwrap();
        assert!(!record.summary.steps_saved.contains(&1));

        // Robin takes himself off (his row inactive); Jo stays.
        save_sharing(
            &store,
            &id,
            vec![person(JO, ROLE_TEAM, true), person(ROBIN, ROLE_TEAM, true)],
            at(3),
        )
        .await
        .unwrap();
        leave(&store, &id, ROBIN, at(4)).await.unwrap();
        let s = sharing_of(&store, &id, None).await.unwrap();
        assert_eq!(
            s.people,
            vec![person(JO, ROLE_TEAM, true), person(ROBIN, ROLE_TEAM, false)]
        );
        let e = leave(&store, &id, "0192f000-0000-7000-8000-0000000000ff", at(5))
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
    }

    #[tokio::test]
    async fn bad_sharing_lists_are_refused_with_a_message_and_change_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = temp_store(dir.path()).await;
        let id = plan(&store).await;
        for (people, words) in [
            (vec![person("jo", ROLE_TEAM, true)], "email address"),
            (vec![person(JO, "boss", true)], "FSP coordinator"),
            (
                vec![
                    person(JO, ROLE_TEAM, true),
                    person(JO, ROLE_COORDINATOR, true),
                ],
                "already",
            ),
        ] {
            let e = save_sharing(&store, &id, people, at(2)).await.unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidInput);
            assert!(e.message.contains(words), "{}", e.message);
        }
        assert!(sharing_of(&store, &id, None)
            .await
            .unwrap()
            .people
            .is_empty());
    }

    #[tokio::test]
    async fn a_transfer_waits_for_its_recipient_who_answers_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = temp_store(dir.path()).await;
        let id = plan(&store).await;
        let other = plan(&store).await;
        let me = "0192f000-0000-7000-8000-000000000001";
        let e = offer(&store, &id, me, "Me", false, Some(me), at(2))
            .await
            .unwrap_err();
        assert!(e.message.contains("other than yourself"));
        offer(&store, &id, JO, "Jo Invented", true, Some(me), at(2))
            .await
            .unwrap();
        let e = offer(&store, &id, ROBIN, "Robin", true, Some(me), at(3))
            .await
            .unwrap_err();
        assert!(e.message.contains("already waiting"));
        let s = sharing_of(&store, &id, None).await.unwrap();
        assert_eq!(
            s.transfer,
            Some(TransferView {
                to: JO.into(),
                to_name: "Jo Invented".into(),
                state: AWAITING.into(),
                sender_leaves: true
            })
        );
        // Jo's list (as on Jo's device after the pull): this plan only.
        let waiting = waiting_for(&store, JO).await.unwrap();
        assert_eq!(waiting.len(), 1);
        assert_eq!(waiting[0].plan_id, id);
        assert_eq!(waiting[0].family_name, "Testfamily");
        assert!(waiting_for(&store, ROBIN).await.unwrap().is_empty());
        // Only the recipient may answer.
        let e = answer(&store, &id, ROBIN, true, at(4)).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        let e = answer(&store, &other, JO, true, at(4)).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        answer(&store, &id, JO, true, at(5)).await.unwrap();
        let s = sharing_of(&store, &id, None).await.unwrap();
        assert_eq!(s.transfer.unwrap().state, "authorised");
        assert!(waiting_for(&store, JO).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn plans_shared_with_me_with_several_active_coordinators_are_counted() {
        let dir = tempfile::tempdir().unwrap();
        let store = temp_store(dir.path()).await;
        const ME: &str = "0192f000-0000-7000-8000-000000000001";
        const SAM: &str = "0192f000-0000-7000-8000-00000000000c";
        assert_eq!(several_coordinators_for(&store, ME).await.unwrap(), 0);
        let lists = [
            // Counted: me on it (team), Jo and Sam active coordinators.
            vec![
                person(ME, ROLE_TEAM, true),
                person(JO, ROLE_COORDINATOR, true),
                person(SAM, ROLE_COORDINATOR, true),
            ],
            // Counted: I am one of the two coordinators.
            vec![
                person(ME, ROLE_COORDINATOR, true),
                person(JO, ROLE_COORDINATOR, true),
            ],
            // Not: only one coordinator is active.
            vec![
                person(ME, ROLE_TEAM, true),
                person(JO, ROLE_COORDINATOR, true),
                person(SAM, ROLE_COORDINATOR, false),
            ],
            // Not: several coordinators, but I am no longer active on it.
            vec![
                person(ME, ROLE_TEAM, false),
                person(JO, ROLE_COORDINATOR, true),
                person(SAM, ROLE_COORDINATOR, true),
            ],
            // Not: several coordinators, not shared with me at all.
            vec![
                person(ROBIN, ROLE_TEAM, true),
                person(JO, ROLE_COORDINATOR, true),
                person(SAM, ROLE_COORDINATOR, true),
            ],
        ];
        let mut ids = Vec::new();
        for people in lists {
            let id = plan(&store).await;
            save_sharing(&store, &id, people, at(2)).await.unwrap();
            ids.push(id);
        }
        // And one never shared.
        plan(&store).await;
        assert_eq!(several_coordinators_for(&store, ME).await.unwrap(), 2);
        assert_eq!(several_coordinators_for(&store, JO).await.unwrap(), 4);
        assert_eq!(several_coordinators_for(&store, ROBIN).await.unwrap(), 1);
        // Jo leaves the first: one coordinator left there.
        leave(&store, &ids[0], JO, at(3)).await.unwrap();
        assert_eq!(several_coordinators_for(&store, ME).await.unwrap(), 1);
    }

    #[tokio::test]
    async fn looking_up_needs_a_server_and_says_so() {
        // Nothing listens on this port: a clear message, not a failure of the app.
        let e = lookup_at("http://127.0.0.1:9", "token", "jo@example.org.uk")
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::ServerUnreachable);
        assert!(e.message.contains("needs a connection"), "{}", e.message);
    }
}
