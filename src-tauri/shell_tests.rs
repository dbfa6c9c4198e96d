//! The shell against a real `hearth-server` on a loopback port (SQLite, a development
//! outbox for the emailed codes): first run, sign-in with the code, lock and offline
//! unlock, sign-out with pending changes, and a wipe ordered by the server.

use std::path::Path;
use std::time::Duration;

use chrono::Utc;
use hearth_domain::account::Role;
use hearth_domain::{RecordKind, UserId};
use hearth_server::store::NewUser;
use hearth_store::{existing_protection, ExistingCache, StepSave};
use uuid::Uuid;

use crate::dto::{AppStatus, SyncState};
use crate::error::ErrorCode;
use crate::records::test_support::{test_server, TestServer};
use crate::session::{keys, Installation};
use crate::shell::*;
use crate::state::{AppState, KeyPolicy};

const PASSWORD: &str = "kettle-orchard-lantern-42";

async fn server() -> TestServer {
    test_server(false).await
}

impl TestServer {
    /// An invented practitioner with a password; returns the id and email.
    async fn practitioner(&self) -> (UserId, String) {
        let id = UserId(Uuid::now_v7());
        let email = format!("worker-{}@example.org.uk", id.0.simple());
        let hash = hearth_server::secrets::hash_password(PASSWORD).unwrap();
        self.store
            .insert_user(NewUser {
                id,
                forename: "Test",
                surname: "Worker",
                email: &email,
                password_hash: Some(&hash),
                roles: &[Role::Practitioner].into_iter().collect(),
                email_confirmed: true,
                partner_details: None,
                now: Utc::now(),
            })
            .await
            .unwrap();
        (id, email)
    }

    /// The code in the newest sign-in email.
    fn last_code(&self) -> String {
        let mut mails: Vec<_> = std::fs::read_dir(&self.outbox)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        mails.sort();
        let text = std::fs::read_to_string(mails.last().expect("an email")).unwrap();
        let line = text
            .lines()
            .find_map(|l| l.strip_prefix("Your Hearth sign-in code is: "))
            .expect("a sign-in code");
        line.trim().to_owned()
    }
}

fn app(dir: &Path) -> AppState {
    AppState::with_idle_override(dir.to_path_buf(), KeyPolicy::PasswordOnly, Some(2))
}

async fn signed_in(server: &TestServer, dir: &Path) -> (AppState, UserId) {
    let state = app(dir);
    let (id, email) = server.practitioner().await;
    connect(&state, &server.url).await.unwrap();
    start_sign_in(&state, email, PASSWORD.into()).await.unwrap();
    finish_sign_in(&state, &server.last_code()).await.unwrap();
    (state, id)
}

/// A new plan draft with its first step saved: one edit waiting in the outbox.
async fn first_step_of_a_plan(store: &hearth_store::Store) -> hearth_store::Saved {
    store
        .save_step(StepSave::new(
            None,
            RecordKind::Plan,
            1,
            serde_json::json!({ "agency": "School" }),
            Utc::now(),
        ))
        .await
        .unwrap()
}

async fn wait_for(what: &str, mut check: impl AsyncFnMut() -> bool) {
    for _ in 0..300 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_run_asks_for_the_server_then_signs_in_with_the_emailed_code() {
    let server = server().await;
    let dir = tempfile::tempdir().unwrap();
    let state = app(dir.path());
    assert_eq!(status(&state).await.unwrap(), AppStatus::ConnectServer);

    let bad = connect(&state, "hearth.example.org.uk").await.unwrap_err();
    assert_eq!(bad.code, ErrorCode::InvalidServerAddress);
    // Nothing listens on port 9 of this machine.
    let unreachable = connect(&state, "http://127.0.0.1:9").await.unwrap_err();
    assert_eq!(unreachable.code, ErrorCode::ServerUnreachable);
    assert_eq!(status(&state).await.unwrap(), AppStatus::ConnectServer);

    connect(&state, &format!("{}/", server.url)).await.unwrap();
    assert_eq!(status(&state).await.unwrap(), AppStatus::SignIn);
    assert_eq!(
        Installation::load(dir.path()).unwrap().server_url,
        server.url
    );

    let (_, email) = server.practitioner().await;
    let empty = start_sign_in(&state, "  ".into(), PASSWORD.into())
        .await
        .unwrap_err();
    assert_eq!(empty.message, "Enter your email address");
    let wrong = start_sign_in(&state, email.clone(), "not-the-password".into())
        .await
        .unwrap_err();
    assert_eq!(wrong.code, ErrorCode::WrongCredentials);

    let sent = start_sign_in(&state, email.clone(), PASSWORD.into())
        .await
        .unwrap();
    assert_eq!(sent.email, email);
    let first = server.last_code();
    let malformed = finish_sign_in(&state, "12ab").await.unwrap_err();
    assert_eq!(malformed.code, ErrorCode::InvalidInput);
    let wrong_code = if first == "000000" {
        "111111"
    } else {
        "000000"
    };
    assert_eq!(
        finish_sign_in(&state, wrong_code).await.unwrap_err().code,
        ErrorCode::WrongCode
    );
    // "Send me a new code": the first stops working, the new one signs in.
    send_new_code(&state).await.unwrap();
    let second = server.last_code();
    if second != first {
        assert_eq!(
            finish_sign_in(&state, &first).await.unwrap_err().code,
            ErrorCode::WrongCode
        );
    }
    finish_sign_in(&state, &format!(" {} ", second))
        .await
        .unwrap();
    assert_eq!(status(&state).await.unwrap(), AppStatus::Unlocked);

    // The cache exists, wrapped with the account password; the refresh token is inside it
    // and nowhere in plaintext in the data folder.
    assert_eq!(
        existing_protection(dir.path()).unwrap(),
        ExistingCache::PasswordWrapped
    );
    let store = state.store.lock().await.clone().unwrap();
    let refresh = store.setting(keys::REFRESH_TOKEN).await.unwrap().unwrap();
    for entry in std::fs::read_dir(dir.path()).unwrap().flatten() {
        let bytes = std::fs::read(entry.path()).unwrap_or_default();
        assert!(
            !bytes
                .windows(refresh.len())
                .any(|w| w == refresh.as_bytes()),
            "refresh token in plaintext in {:?}",
            entry.file_name()
        );
    }
    // The background sync reaches the server.
    wait_for("a first sync", async || {
        state.sync_status().state == SyncState::UpToDate
    })
    .await;
    sign_out_with(&state, true).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lock_hides_records_and_the_password_unlocks_offline() {
    let server = server().await;
    let dir = tempfile::tempdir().unwrap();
    let (state, _) = signed_in(&server, dir.path()).await;
    let store = state.store.lock().await.clone().unwrap();
    first_step_of_a_plan(&store).await;
    drop(store);

    lock_now(&state, None).await;
    assert_eq!(status(&state).await.unwrap(), AppStatus::Locked);
    assert_eq!(
        crate::commands::dashboard_of(&state)
            .await
            .unwrap_err()
            .code,
        ErrorCode::Locked
    );
    assert!(state.store.lock().await.is_none());
    assert_eq!(
        unlock_with(&state, "wrong-password-here".into())
            .await
            .unwrap_err()
            .code,
        ErrorCode::WrongPassword
    );
    unlock_with(&state, PASSWORD.into()).await.unwrap();
    assert_eq!(
        crate::commands::dashboard_of(&state)
            .await
            .unwrap()
            .plans
            .drafts_in_progress,
        1
    );

    // The app restarts with no server at all: the password still unlocks it.
    lock_now(&state, None).await;
    let url = server.url.clone();
    drop(state);
    drop(server);
    let restarted = app(dir.path());
    assert_eq!(status(&restarted).await.unwrap(), AppStatus::Locked);
    assert_eq!(
        unlock_with(&restarted, "wrong-password-here".into())
            .await
            .unwrap_err()
            .code,
        ErrorCode::WrongPassword
    );
    unlock_with(&restarted, PASSWORD.into()).await.unwrap();
    assert_eq!(status(&restarted).await.unwrap(), AppStatus::Unlocked);
    wait_for("the sync bar to say offline", async || {
        restarted.sync_status().state == SyncState::Offline
    })
    .await;
    assert!(url.starts_with("http://127.0.0.1:"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_idle_lock_parks_the_cache_after_the_limit() {
    let server = server().await;
    let dir = tempfile::tempdir().unwrap();
    let (state, _) = signed_in(&server, dir.path()).await;
    assert_eq!(state.idle_limit(), Duration::from_secs(2));
    assert!(!lock_if_idle(&state, Duration::ZERO).await, "just used");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert!(lock_if_idle(&state, Duration::ZERO).await);
    assert_eq!(status(&state).await.unwrap(), AppStatus::Locked);
    let shown = shell_status_of(&state).await.unwrap();
    assert_eq!(shown.notice.as_deref(), Some(IDLE_NOTICE));
    assert_eq!(shown.idle_lock_seconds, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_offline_period_from_policy_asks_for_an_online_sign_in() {
    let server = server().await;
    let dir = tempfile::tempdir().unwrap();
    let (state, _) = signed_in(&server, dir.path()).await;
    let store = state.store.lock().await.clone().unwrap();
    let long_ago = Utc::now() - chrono::Duration::days(31);
    store
        .set_setting(keys::LAST_ONLINE_AT, &long_ago.to_rfc3339())
        .await
        .unwrap();
    drop(store);
    lock_now(&state, None).await;
    let refused = unlock_with(&state, PASSWORD.into()).await.unwrap_err();
    assert_eq!(refused.code, ErrorCode::SignInNeeded);
    assert!(
        refused.message.contains("more than 30 days"),
        "{}",
        refused.message
    );
    assert!(state.store.lock().await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_out_warns_about_pending_changes_and_keeps_them() {
    let server = server().await;
    let dir = tempfile::tempdir().unwrap();
    let (state, _) = signed_in(&server, dir.path()).await;
    // Stop the sync first so the edit stays pending.
    if let Some(runner) = state.sync.lock().await.take() {
        runner.stop().await;
    }
    let store = state.store.lock().await.clone().unwrap();
    let plan = first_step_of_a_plan(&store).await;
    // A document opened read-only: its decrypted copy must not outlive the session.
    let doc = store
        .put_document(hearth_store::NewDocument {
            id: None,
            record_id: plan.record_id,
            title: "Letter".into(),
            file_name: "letter.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: b"%PDF-1.7\n%%EOF\n",
            added_at: Utc::now(),
        })
        .await
        .unwrap();
    let copy = crate::documents::read_only_copy(&state, &doc.id.to_string())
        .await
        .unwrap();
    assert!(copy.exists());
    drop(store);
    let warned = sign_out_with(&state, false).await.unwrap_err();
    assert_eq!(warned.code, ErrorCode::PendingChanges);
    assert!(
        warned
            .message
            .starts_with("You have changes to 2 records that"),
        "{}",
        warned.message
    );
    assert_eq!(status(&state).await.unwrap(), AppStatus::Unlocked);

    // Warned, not signed out yet: the copy is still open.
    assert!(copy.exists());
    sign_out_with(&state, true).await.unwrap();
    assert_eq!(status(&state).await.unwrap(), AppStatus::SignIn);
    assert!(
        !copy.exists(),
        "signing out deletes every decrypted document copy"
    );
    assert!(state.documents.root().is_none());
    // The local edit is still in the cache, waiting to be sent; the refresh token is gone.
    let storage = hearth_store::KeyStorage::PasswordWrapped {
        password: hearth_store::Password::new(PASSWORD),
    };
    let store = hearth_store::Store::open_or_create(dir.path(), storage, Utc::now())
        .await
        .unwrap();
    assert_eq!(store.counts().await.unwrap().pending_outbox, 2);
    assert_eq!(store.setting(keys::REFRESH_TOKEN).await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_marked_for_wipe_deletes_its_cache_at_next_contact() {
    let server = server().await;
    let dir = tempfile::tempdir().unwrap();
    let (state, id) = signed_in(&server, dir.path()).await;
    wait_for("a first sync", async || {
        state.sync_status().state == SyncState::UpToDate
    })
    .await;
    assert!(server.store.disable_user(id, Utc::now()).await.unwrap());
    // The access token is refused; the refresh answers wipe_device.
    state.session.lock().await.access_token = None;
    if let Some(runner) = state.sync.lock().await.as_ref() {
        runner.sync_now();
    }
    wait_for("the wipe", async || {
        status(&state).await.unwrap() == AppStatus::ConnectServer
    })
    .await;
    assert_eq!(
        existing_protection(dir.path()).unwrap(),
        ExistingCache::None
    );
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    let shown = shell_status_of(&state).await.unwrap();
    assert!(shown
        .notice
        .unwrap()
        .contains("removed Hearth from this device"));
}

/// Issue 5: the first window test of sharing saw "1 conflict" on the first sync of a
/// finished plan, and the colleague never received it. Cause: "Finish" changes the record's
/// status with a base of the status column ("draft"), but the server keeps only the fields
/// pushed, so it had no `status` field (null) and answered a conflict; the plan stayed a
/// draft on the server. Here the whole path runs against a real server: finish, share, sync,
/// no conflict, the permanent reference, and the colleague's device receives the plan.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_finished_and_shared_plan_syncs_without_a_conflict_and_reaches_the_colleague() {
    let server = server().await;
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let (a, _) = signed_in(&server, dir_a.path()).await;
    let (b, b_id) = signed_in(&server, dir_b.path()).await;

    let store_a = a.store.lock().await.clone().unwrap();
    let draft = crate::plans::tests::complete(&hearth_domain::Config::builtin());
    let id = crate::plans::tests::save_all(&store_a, &draft).await;
    crate::plans::finish_plan(&store_a, &id, Utc::now())
        .await
        .unwrap();
    crate::sharing::save_sharing(
        &store_a,
        &id,
        vec![crate::sharing::SharedPerson {
            user_id: b_id.0.to_string(),
            name: "Test Worker".into(),
            role: crate::sharing::ROLE_TEAM.into(),
            active: true,
        }],
        Utc::now(),
    )
    .await
    .unwrap();
    if let Some(runner) = a.sync.lock().await.as_ref() {
        runner.sync_now();
    }
    wait_for("the plan's edits to be answered", async || {
        store_a.counts().await.unwrap().pending_outbox == 0
    })
    .await;
    assert_eq!(store_a.conflicts().await.unwrap(), vec![]);
    let plan = crate::plans::load_plan(&store_a, &id).await.unwrap();
    assert!(plan.reference_is_permanent, "{}", plan.reference);
    assert!(plan.reference.starts_with("FSP-"), "{}", plan.reference);
    assert_eq!(plan.status, hearth_store::status::COMPLETED);

    let store_b = b.store.lock().await.clone().unwrap();
    wait_for("the colleague's device to receive the plan", async || {
        if let Some(runner) = b.sync.lock().await.as_ref() {
            runner.sync_now();
        }
        crate::plans::load_plan(&store_b, &id).await.is_ok()
    })
    .await;
    let theirs = crate::plans::load_plan(&store_b, &id).await.unwrap();
    assert_eq!(theirs.reference, plan.reference);
    assert_eq!(theirs.status, hearth_store::status::COMPLETED);
    assert_eq!(theirs.draft.family_name, draft.family_name);
}

/// Issue 5's window test: after Jo authorised Alex's transfer, Jo's closing review came
/// back from the server as conflicts. The whole path against a real server: offer,
/// authorise, then the new owner's review closes the plan, with no conflict.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_new_owner_closes_a_transferred_plan_through_a_review_without_a_conflict() {
    use hearth_domain::review::{Attendee, LineProgressStatus, NextSteps};
    let server = server().await;
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let (a, _) = signed_in(&server, dir_a.path()).await;
    let (b, b_id) = signed_in(&server, dir_b.path()).await;
    let b_id = b_id.0.to_string();
    let store_a = a.store.lock().await.clone().unwrap();
    let store_b = b.store.lock().await.clone().unwrap();
    let sync = async |state: &AppState, store: &hearth_store::Store| {
        if let Some(runner) = state.sync.lock().await.as_ref() {
            runner.sync_now();
        }
        wait_for("every edit answered", async || {
            store.counts().await.unwrap().pending_outbox == 0
        })
        .await;
        assert_eq!(store.conflicts().await.unwrap(), vec![]);
    };

    let draft = crate::plans::tests::complete(&hearth_domain::Config::builtin());
    let id = crate::plans::tests::save_all(&store_a, &draft).await;
    crate::plans::finish_plan(&store_a, &id, Utc::now())
        .await
        .unwrap();
    // As in the window: shared with the colleague first, and the colleague's device has it.
    crate::sharing::save_sharing(
        &store_a,
        &id,
        vec![crate::sharing::SharedPerson {
            user_id: b_id.clone(),
            name: "Test Worker".into(),
            role: crate::sharing::ROLE_TEAM.into(),
            active: true,
        }],
        Utc::now(),
    )
    .await
    .unwrap();
    sync(&a, &store_a).await;
    wait_for("the shared plan to reach the colleague", async || {
        if let Some(runner) = b.sync.lock().await.as_ref() {
            runner.sync_now();
        }
        crate::plans::load_plan(&store_b, &id).await.is_ok()
    })
    .await;
    // The owner reviews the plan first (it goes on), as in the window.
    let first = crate::plans::start_review(&store_a, &id, Utc::now())
        .await
        .unwrap();
    let mut r = first.draft.clone();
    r.held_on = chrono::NaiveDate::from_ymd_opt(2027, 1, 10);
    r.attendees = vec![Attendee {
        name: "Test Parent".into(),
        role: "Parent".into(),
    }];
    r.line_progress[0].status = Some(LineProgressStatus::InProgress);
    r.next_steps = Some(NextSteps::Continue);
    r.updated_plan.next_review = hearth_domain::plan::NextReview {
        date: chrono::NaiveDate::from_ymd_opt(2027, 3, 14),
        time: chrono::NaiveTime::from_hms_opt(10, 30, 0),
        location: "Testtown Family Hub".into(),
    };
    crate::plans::save_review(&store_a, &first.id, &r, Utc::now())
        .await
        .unwrap();
    assert!(matches!(
        crate::plans::finish_review(&store_a, &first.id, Utc::now())
            .await
            .unwrap(),
        crate::plans::ReviewOutcome::Completed { .. }
    ));
    sync(&a, &store_a).await;
    crate::sharing::offer(&store_a, &id, &b_id, "Test Worker", false, None, Utc::now())
        .await
        .unwrap();
    sync(&a, &store_a).await;

    wait_for("the transfer to reach the recipient", async || {
        if let Some(runner) = b.sync.lock().await.as_ref() {
            runner.sync_now();
        }
        !crate::sharing::waiting_for(&store_b, &b_id)
            .await
            .unwrap()
            .is_empty()
    })
    .await;
    crate::sharing::answer(&store_b, &id, &b_id, true, Utc::now())
        .await
        .unwrap();
    sync(&b, &store_b).await;

    let review = crate::plans::start_review(&store_b, &id, Utc::now())
        .await
        .unwrap();
    let mut r = review.draft.clone();
    r.held_on = chrono::NaiveDate::from_ymd_opt(2027, 2, 1);
    r.attendees = vec![Attendee {
        name: "Test Parent".into(),
        role: "Parent".into(),
    }];
    r.line_progress[0].status = Some(LineProgressStatus::Achieved);
    r.next_steps = Some(NextSteps::Close);
    r.closure_reason = "outcomes_achieved".into();
    crate::plans::save_review(&store_b, &review.id, &r, Utc::now())
        .await
        .unwrap();
    crate::plans::finish_review(&store_b, &review.id, Utc::now())
        .await
        .unwrap();
    sync(&b, &store_b).await;
    let closed = crate::plans::load_plan(&store_b, &id).await.unwrap();
    assert_eq!(closed.status, hearth_store::status::CLOSED);
}

/// Online, an edit reaches the server once typing pauses (`EDITS_QUIET`), without "Sync
/// now" and well before the next 30-second turn; edits the last sync left waiting do not
/// make the task sync over and over.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_made_online_is_sent_when_typing_pauses() {
    let server = server().await;
    let dir = tempfile::tempdir().unwrap();
    let (state, _) = signed_in(&server, dir.path()).await;
    wait_for("the first sync", async || {
        let s = state.sync_status();
        s.state == SyncState::UpToDate && s.completed_syncs >= 1
    })
    .await;
    let store = state.store.lock().await.clone().unwrap();
    let syncs_before = state.sync_status().completed_syncs;
    let started = std::time::Instant::now();
    first_step_of_a_plan(&store).await;
    wait_for("the edit to reach the server", async || {
        store.counts().await.unwrap().pending_outbox == 0
    })
    .await;
    let took = started.elapsed();
    assert!(
        took < crate::sync_task::SYNC_EVERY,
        "sent after {took:?}: that is the 30-second turn, not the pause"
    );
    assert!(took >= crate::sync_task::EDITS_QUIET, "sent after {took:?}");
    // Nothing new typed: no further sync until the next turn.
    let after = state.sync_status().completed_syncs;
    assert!(after > syncs_before);
    tokio::time::sleep(crate::sync_task::EDITS_QUIET * 3).await;
    assert_eq!(state.sync_status().completed_syncs, after);
}
