//! Referral drafts on the server: deleted 30 days after their last save (the server's
//! record of it: when it applied the draft's latest mutation), with one warning email to the
//! author in the last days, by the injected clock. The deletion goes through the change log
//! (the author's other device pulls it), takes the draft's documents with it and is audited
//! by id; a submitted referral of the same age stays.
//!
//! The 30 days count from later while a device of the author may hold a save the server has
//! not received (`drafts::counted_from`): a device in use until its last contact + the
//! offline period + a day for a session left open; a device signed out until its sign-out;
//! a device to be wiped not at all.

use std::sync::Arc;

use chrono::Duration;
use hearth_domain::UserId;
use hearth_protocol::paths;
use hearth_protocol::sync::{Outcome, PullResponse};
use hearth_server::app::Policy;
use hearth_server::clock::Clock;
use hearth_server::drafts::{self, Swept};
use hearth_server::mail::Mailer;
use hearth_server::seed::DEMO_PASSWORD;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::access::{sha, upload};
use crate::helpers::{on_both, spawn_app, spawn_app_with_policy, Backend, TestApp};
use crate::notices::{applied, device, Device, ALEX, JO};

on_both!(
    drafts_are_warned_then_deleted_30_days_after_the_last_save,
    serve_sweeps_when_it_starts,
    a_save_made_offline_is_kept_until_the_device_has_sent_it,
    nothing_goes_before_the_offline_period_and_30_days_have_passed,
    a_device_that_keeps_syncing_holds_off_the_sweep_until_it_stops,
    a_signed_out_or_wiped_device_no_longer_holds_off_the_sweep,
);

const SUBJECT: &str = "A draft referral in Hearth will be deleted soon";

async fn pull(app: &TestApp, d: &Device, after: i64) -> PullResponse {
    let r = app
        .get_as(&format!("{}?after={after}", paths::SYNC_PULL), &d.token)
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    serde_json::from_value(r.body).unwrap()
}

/// The warnings Alex received, oldest first, quoted-printable soft line breaks undone.
fn warnings(app: &TestApp) -> Vec<String> {
    app.smtp
        .messages_to(ALEX)
        .into_iter()
        .filter(|m| m.contains(SUBJECT))
        .map(|m| m.replace("=\r\n", "").replace("=\n", ""))
        .collect()
}

/// A new access token for the same device once the clock has moved past the last one
/// (the device signs in again); returns the refresh token.
async fn sign_in_again(app: &TestApp, d: &mut Device, device_id: Uuid) -> String {
    let (device, refresh) = sign_in_on(app, ALEX, device_id).await;
    d.token = device.token;
    refresh
}

/// `email` signs in on the device `device_id` (a sync client of its own); with the refresh
/// token.
async fn sign_in_on(app: &TestApp, email: &str, device_id: Uuid) -> (Device, String) {
    let (attempt, code) = app.start_sign_in(email, DEMO_PASSWORD).await;
    let r = app.verify(attempt, &code, device_id).await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    let text = |v: &Value| v.as_str().expect("a string").to_owned();
    let device = Device {
        token: text(&r.body["tokens"]["access_token"]),
        user: text(&r.body["account"]["id"]),
        client: Uuid::now_v7(),
        next: 1,
    };
    (device, text(&r.body["tokens"]["refresh_token"]))
}

/// The device refreshes its tokens (an online contact, as its sync task does before a sync).
async fn refresh(app: &TestApp, d: &mut Device, refresh_token: &mut String) {
    let r = app
        .post(paths::REFRESH, json!({"refresh_token": refresh_token}))
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    d.token = r.body["access_token"].as_str().unwrap().to_owned();
    *refresh_token = r.body["refresh_token"].as_str().unwrap().to_owned();
}

/// The device signs itself out.
async fn sign_out(app: &TestApp, d: &Device) {
    let r = app.post_as(paths::SIGN_OUT, &d.token, json!({})).await;
    assert_eq!(r.status.as_u16(), 204, "{:?}", r.body);
}

/// A policy whose offline period is `days`.
fn offline_days(days: u32) -> Policy {
    let mut policy = Policy::default();
    policy.client.offline_days = days;
    policy
}

/// A new draft pushed by `d`.
async fn new_draft(app: &TestApp, d: &mut Device) -> Uuid {
    let id = Uuid::now_v7();
    applied(
        &d.push(
            app,
            id,
            "referral",
            "create",
            (0, 0),
            &[("child_forename", Value::Null, json!("Testchild"))],
        )
        .await,
    );
    id
}

/// `d` saves the draft's first update (on version 1): the child's forename becomes
/// "Testchildtwo". Returns the version the server gave it.
async fn rename_child(app: &TestApp, d: &mut Device, draft: Uuid) -> i64 {
    let changes = [("child_forename", json!("Testchild"), json!("Testchildtwo"))];
    let outcome = d
        .push(app, draft, "referral", "update", (1, 0), &changes)
        .await;
    applied(&outcome).0
}

fn deleted(ids: &[Uuid]) -> Swept {
    Swept {
        deleted: ids.to_vec(),
        ..Swept::default()
    }
}

fn warned(ids: &[Uuid]) -> Swept {
    Swept {
        warned: ids.to_vec(),
        ..Swept::default()
    }
}

/// Waits for warning number `n` (0-based) to reach the SMTP server.
async fn nth_warning(app: &TestApp, n: usize) -> String {
    for _ in 0..200 {
        if let Some(m) = warnings(app).get(n) {
            return m.clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no warning number {n} within 10 s");
}

async fn sweep(app: &TestApp) -> Swept {
    drafts::sweep(&app.state).await.expect("sweep")
}

/// Moves the clock on by `by` less a millisecond: the sweep does nothing; then by that last
/// millisecond: the sweep does `then`.
async fn kept_until(app: &TestApp, by: Duration, then: Swept) {
    app.advance(by - Duration::milliseconds(1));
    assert_eq!(sweep(app).await, Swept::default());
    app.advance(Duration::milliseconds(1));
    assert_eq!(sweep(app).await, then);
}

/// The record as the server keeps it: (deleted, fields).
async fn held(app: &TestApp, id: Uuid) -> (i64, String) {
    let sql = "SELECT deleted, fields FROM sync_records WHERE id = $1";
    match app.backend {
        Backend::Sqlite => {
            let mut c = <sqlx::SqliteConnection as sqlx::Connection>::connect(&app.database_url)
                .await
                .unwrap();
            sqlx::query_as(sql)
                .bind(id.to_string())
                .fetch_one(&mut c)
                .await
                .unwrap()
        }
        Backend::Postgres => {
            let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(&app.database_url)
                .await
                .unwrap();
            sqlx::query_as(sql)
                .bind(id.to_string())
                .fetch_one(&mut c)
                .await
                .unwrap()
        }
    }
}

async fn drafts_are_warned_then_deleted_30_days_after_the_last_save(b: Backend) {
    let app = spawn_app(b).await;
    app.seed_demo().await;
    // Alex's laptop writes; Alex's second device (its own sign-in) only pulls. Alex signs
    // out of each after using it, so neither may hold anything newer than the server has
    // and the 30 days count from the last save itself.
    let (laptop_id, desktop_id) = (Uuid::now_v7(), Uuid::now_v7());
    let (mut laptop, _) = sign_in_on(&app, ALEX, laptop_id).await;
    let (mut desktop, _) = sign_in_on(&app, ALEX, desktop_id).await;

    // Day 0: a draft with a document, and a referral submitted the same day.
    let draft = Uuid::now_v7();
    let reference = laptop.push_referral(&app, draft, "draft").await;
    assert!(reference.starts_with("MARF-"), "{reference}");
    let bytes = format!(
        "%PDF-1.7\n% invented referral attachment {}\n",
        Uuid::now_v7()
    );
    upload(&app, &laptop.token, bytes.as_bytes(), "alex").await;
    let document = Uuid::now_v7();
    applied(
        &laptop
            .push(
                &app,
                document,
                "document",
                "put_document",
                (0, 0),
                &[
                    ("sha256", Value::Null, json!(sha(bytes.as_bytes()))),
                    ("record_id", Value::Null, json!(draft.to_string())),
                    ("title", Value::Null, json!("Invented attachment")),
                ],
            )
            .await,
    );
    let submitted = Uuid::now_v7();
    laptop.push_referral(&app, submitted, "submitted").await;
    let first = pull(&app, &desktop, 0).await;
    for id in [draft, document, submitted] {
        assert!(
            first
                .changes
                .iter()
                .any(|c| c.record_id == id && !c.deleted),
            "{id} on the second device"
        );
    }
    let cursor = first.next_cursor;
    sign_out(&app, &laptop).await;
    sign_out(&app, &desktop).await;

    // Day 24: nothing.
    app.advance(Duration::days(24));
    assert_eq!(sweep(&app).await, Swept::default());
    // Day 25: the warning window. One email, with the reference and the date only.
    app.advance(Duration::days(1));
    let swept = sweep(&app).await;
    assert_eq!(swept.warned, vec![draft]);
    assert!(swept.deleted.is_empty());
    let m = nth_warning(&app, 0).await;
    assert!(
        m.contains(&format!(
            "Your draft referral {reference} will be deleted on 21 December 2026 unless you save it."
        )),
        "{m}"
    );
    assert!(!m.contains("Testchild"), "{m}");
    // Swept again (the next hour, another replica): still one.
    app.advance(Duration::hours(1));
    assert_eq!(sweep(&app).await, Swept::default());
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(warnings(&app).len(), 1);

    // Day 26: a save moves the expiry to day 56.
    app.advance(Duration::days(1) - Duration::hours(1));
    sign_in_again(&app, &mut laptop, laptop_id).await;
    rename_child(&app, &mut laptop, draft).await;
    sign_out(&app, &laptop).await;
    // Day 31: nothing is deleted, nobody is warned.
    app.advance(Duration::days(5));
    assert_eq!(sweep(&app).await, Swept::default());
    assert_eq!(held(&app, draft).await.0, 0);
    // Day 51: the new window gets its own warning, with the new date.
    app.advance(Duration::days(20));
    assert_eq!(sweep(&app).await.warned, vec![draft]);
    let m = nth_warning(&app, 1).await;
    assert!(
        m.contains(&format!(
            "Your draft referral {reference} will be deleted on 16 January 2027 unless you save it."
        )),
        "{m}"
    );
    // A millisecond before 30 days after the last save: kept.
    app.advance(Duration::days(5) - Duration::milliseconds(1));
    assert_eq!(sweep(&app).await, Swept::default());
    assert_eq!(held(&app, draft).await.0, 0);

    // Exactly 30 days after the last save (day 56): the draft and its document go.
    app.advance(Duration::milliseconds(1));
    let swept = sweep(&app).await;
    assert_eq!(swept.deleted, vec![draft]);
    assert_eq!(swept.documents, vec![document]);
    assert!(swept.warned.is_empty());
    for id in [draft, document] {
        assert_eq!(
            held(&app, id).await,
            (1, "{}".to_owned()),
            "{id} on the server"
        );
    }
    assert_eq!(sweep(&app).await, Swept::default(), "a second sweep");

    // The second device pulls the deletion of both, and nothing about the submitted one.
    sign_in_again(&app, &mut desktop, desktop_id).await;
    let page = pull(&app, &desktop, cursor).await;
    let deleted: Vec<Uuid> = page
        .changes
        .iter()
        .filter(|c| c.deleted)
        .map(|c| c.record_id)
        .collect();
    assert_eq!(deleted.len(), 2, "{page:?}");
    assert!(deleted.contains(&draft) && deleted.contains(&document));
    assert!(page.changes.iter().all(|c| c.fields.is_empty()), "{page:?}");
    assert!(!page.changes.iter().any(|c| c.record_id == submitted));

    // The submitted referral, now 56 days old, is untouched.
    let (gone, fields) = held(&app, submitted).await;
    assert_eq!(gone, 0);
    assert!(fields.contains("submitted"), "{fields}");

    // The laptop's late edits are refused: to the draft, and a document added to it.
    sign_in_again(&app, &mut laptop, laptop_id).await;
    let r = laptop
        .push(
            &app,
            draft,
            "referral",
            "update",
            (2, 0),
            &[("child_forename", json!("Testchildtwo"), json!("Late"))],
        )
        .await;
    assert!(matches!(r, Outcome::Rejected { .. }), "{r:?}");
    let r = laptop
        .push(
            &app,
            Uuid::now_v7(),
            "document",
            "put_document",
            (0, 0),
            &[
                ("sha256", Value::Null, json!(sha(bytes.as_bytes()))),
                ("record_id", Value::Null, json!(draft.to_string())),
                ("title", Value::Null, json!("Late attachment")),
            ],
        )
        .await;
    assert!(
        matches!(&r, Outcome::Rejected { reason } if reason == "the record it belongs to was deleted"),
        "{r:?}"
    );

    // Audited by id: the two deletions and the two warnings, without the server as an actor
    // and with nothing from the record; the chain verifies.
    let rows = app.audit_rows().await;
    let expired: Vec<_> = rows
        .iter()
        .filter(|r| r.action == "record.expire")
        .collect();
    assert_eq!(expired.len(), 2, "{expired:?}");
    for (row, id) in expired.iter().zip([draft, document]) {
        assert_eq!(row.target.as_deref(), Some(id.to_string().as_str()));
        assert_eq!(row.outcome, "deleted");
        assert!(row.actor.is_none());
    }
    let warned = rows
        .iter()
        .filter(|r| r.action == "record.expiry_warning")
        .count();
    assert_eq!(warned, 2);
    for r in &rows {
        let text = format!("{:?} {:?}", r.target, r.reason);
        assert!(!text.contains("Testchild"), "{r:?}");
    }
    let (rows, seq, hash) = app.store.audit_rows().await.unwrap();
    hearth_server::audit::verify(&rows, seq, &hash).expect("the audit chain verifies");
    assert_eq!(warnings(&app).len(), 2);
}

/// `serve` sweeps as soon as it starts, by its state's clock (then hourly).
async fn serve_sweeps_when_it_starts(b: Backend) {
    let app = spawn_app(b).await;
    app.seed_demo().await;
    let mut laptop = device(&app, ALEX).await;
    let draft = Uuid::now_v7();
    applied(
        &laptop
            .push(
                &app,
                draft,
                "referral",
                "create",
                (0, 0),
                &[("child_forename", Value::Null, json!("Testchild"))],
            )
            .await,
    );
    // Signed out: nothing newer than the server's copy on the laptop.
    sign_out(&app, &laptop).await;
    app.advance(Duration::days(30));
    assert_eq!(
        held(&app, draft).await.0,
        0,
        "the first server swept only at day 0"
    );

    // A second server process on the same database (a replica, or a restart).
    let mailer = Mailer::outbox(
        app.data_dir.path().join("outbox-2"),
        "no-reply@hearth.invalid",
    )
    .unwrap();
    let state =
        hearth_server::app::AppState::new(app.store.clone(), Arc::new(app.clock.clone()), mailer)
            .await
            .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(hearth_server::serve(listener, state, async {
        let _ = stopped.await;
    }));
    let mut gone = false;
    for _ in 0..200 {
        if held(&app, draft).await.0 == 1 {
            gone = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        gone,
        "the draft was not deleted within 10 s of serve starting"
    );
    let _ = stop.send(());
    server.await.unwrap().unwrap();
    sign_in_again(&app, &mut laptop, Uuid::now_v7()).await;
    let page = pull(&app, &laptop, 0).await;
    assert!(page
        .changes
        .iter()
        .any(|c| c.record_id == draft && c.deleted));
}

/// The case the server once got wrong: the laptop saves on day 20 while offline and next
/// reaches the server on day 35. The server, which knew only the day-0 save, must still have
/// the draft then (the laptop's own rule keeps it until day 50), so the push is applied and
/// nothing is pulled over it.
async fn a_save_made_offline_is_kept_until_the_device_has_sent_it(b: Backend) {
    let app = spawn_app(b).await; // 30 days offline
    app.seed_demo().await;
    let laptop_id = Uuid::now_v7();
    let (mut laptop, _) = sign_in_on(&app, ALEX, laptop_id).await;
    let draft = new_draft(&app, &mut laptop).await;
    let cursor = pull(&app, &laptop, 0).await.next_cursor;

    // Day 20: the laptop saves offline (nothing reaches the server). Day 30: the laptop's
    // offline period has run out only now, so it may hold that save: kept, and no warning.
    app.advance(Duration::days(30));
    assert_eq!(sweep(&app).await, Swept::default());
    // Day 35: the laptop signs in again and sends the day-20 save, on the version it had.
    app.advance(Duration::days(5));
    sign_in_again(&app, &mut laptop, laptop_id).await;
    let version = rename_child(&app, &mut laptop, draft).await;
    assert_eq!(version, 2);
    let page = pull(&app, &laptop, cursor).await;
    assert!(page.changes.iter().all(|c| !c.deleted), "{page:?}");
    assert!(held(&app, draft).await.1.contains("Testchildtwo"));

    // Alex signs out: the server's copy is now the newest there is, kept 30 days from the
    // day-35 save (its arrival) and deleted on day 65 exactly.
    sign_out(&app, &laptop).await;
    app.advance(Duration::days(30) - Duration::milliseconds(1));
    assert_eq!(sweep(&app).await.deleted, Vec::<Uuid>::new());
    app.advance(Duration::milliseconds(1));
    assert_eq!(sweep(&app).await, deleted(&[draft]));
}

/// A device last in contact on day 0 with an offline period of 7 days may be used offline
/// until day 7, and a session unlocked then stays open a while (a day is allowed): the draft
/// is warned about on day 33 and deleted on day 38, never before day 30 + 7.
async fn nothing_goes_before_the_offline_period_and_30_days_have_passed(b: Backend) {
    let app = spawn_app_with_policy(b, offline_days(7)).await;
    app.seed_demo().await;
    let (mut laptop, _) = sign_in_on(&app, ALEX, Uuid::now_v7()).await;
    let draft = new_draft(&app, &mut laptop).await;

    // Day 30 (30 days after the last save the server has) and day 37 (30 + 7): kept.
    app.advance(Duration::days(30));
    assert_eq!(sweep(&app).await, Swept::default());
    app.advance(Duration::days(3) - Duration::milliseconds(1));
    assert_eq!(sweep(&app).await, Swept::default());
    // Day 33: the warning, with the date counted from day 8.
    app.advance(Duration::milliseconds(1));
    assert_eq!(sweep(&app).await, warned(&[draft]));
    let m = nth_warning(&app, 0).await;
    assert!(m.contains("will be deleted on 29 December 2026"), "{m}");
    app.advance(Duration::days(4));
    assert_eq!(sweep(&app).await, Swept::default());
    // Day 38, a millisecond before: kept; then deleted.
    app.advance(Duration::days(1) - Duration::milliseconds(1));
    assert_eq!(sweep(&app).await, Swept::default());
    assert_eq!(held(&app, draft).await.0, 0);
    app.advance(Duration::milliseconds(1));
    assert_eq!(sweep(&app).await, deleted(&[draft]));
    assert_eq!(warnings(&app).len(), 1);
}

/// A device that keeps in contact without changing anything (a token refresh and an empty
/// pull every day) may go offline after any of them and save, so the sweep leaves the
/// author's drafts while it does: the rule's bound is 30 days + the offline period + a day
/// after the device's last contact. What ends a draft while the device keeps syncing is the
/// device's own rule: at its 30 days it discards the draft, and that discard deletes the
/// server's copy at once (here `own`; `kept` stands for one the device did not discard).
async fn a_device_that_keeps_syncing_holds_off_the_sweep_until_it_stops(b: Backend) {
    let app = spawn_app_with_policy(b, offline_days(7)).await;
    app.seed_demo().await;
    let (mut laptop, mut refresh_token) = sign_in_on(&app, ALEX, Uuid::now_v7()).await;
    let kept = new_draft(&app, &mut laptop).await;
    let own = new_draft(&app, &mut laptop).await;
    let mut cursor = pull(&app, &laptop, 0).await.next_cursor;

    for day in 1..=40 {
        app.advance(Duration::days(1));
        refresh(&app, &mut laptop, &mut refresh_token).await;
        if day == 30 {
            // The device's own rule, before its sync: the draft saved 30 days ago goes.
            let r = laptop
                .push(&app, own, "referral", "discard", (1, 0), &[])
                .await;
            assert!(matches!(r, Outcome::Applied { .. }), "{r:?}");
            assert_eq!(held(&app, own).await.0, 1);
        }
        let page = pull(&app, &laptop, cursor).await;
        assert!(page.changes.iter().all(|c| c.record_id == own), "{page:?}");
        cursor = page.next_cursor;
        assert_eq!(sweep(&app).await, Swept::default(), "day {day}");
    }
    assert_eq!(held(&app, kept).await.0, 0);

    // The laptop stops on day 40: warned on day 73 (40 + 8 + 25), deleted on day 78.
    kept_until(&app, Duration::days(33), warned(&[kept])).await;
    kept_until(&app, Duration::days(5), deleted(&[kept])).await;
}

/// A device that signed itself out cannot be used until it signs in online, so it holds off
/// the sweep only until its sign-out; a device to be wiped (its user disabled) not at all.
async fn a_signed_out_or_wiped_device_no_longer_holds_off_the_sweep(b: Backend) {
    let app = spawn_app_with_policy(b, offline_days(7)).await;
    app.seed_demo().await;
    // Day 0: Alex's draft from the laptop, which Alex signs out of; the desktop is in use.
    let (mut laptop, _) = sign_in_on(&app, ALEX, Uuid::now_v7()).await;
    let alex_draft = new_draft(&app, &mut laptop).await;
    sign_out(&app, &laptop).await;
    let (mut desktop, mut desktop_refresh) = sign_in_on(&app, ALEX, Uuid::now_v7()).await;
    // Jo's draft, from Jo's device.
    let (mut jo, mut jo_refresh) = sign_in_on(&app, JO, Uuid::now_v7()).await;
    let jo_draft = new_draft(&app, &mut jo).await;

    // Day 10: the desktop syncs (a contact) and Alex signs out of it. In use, it would have
    // held the draft to day 18 + 30; signed out, to day 10 + 30.
    app.advance(Duration::days(10));
    refresh(&app, &mut desktop, &mut desktop_refresh).await;
    sign_out(&app, &desktop).await;
    // Day 20: Jo's device syncs (holding Jo's draft to day 28 + 30); day 21: Jo's account is
    // disabled, so that device is to be wiped and holds nothing that will be sent.
    app.advance(Duration::days(10));
    refresh(&app, &mut jo, &mut jo_refresh).await;
    app.advance(Duration::days(1));
    let jo_id = UserId(Uuid::parse_str(&jo.user).unwrap());
    assert!(app
        .store
        .disable_user(jo_id, app.clock.now())
        .await
        .unwrap());
    assert_eq!(sweep(&app).await, Swept::default());

    // Day 36: Jo's draft is past 30 days from its last save: deleted. Alex's is in its
    // warning window, counted from the desktop's sign-out.
    app.advance(Duration::days(15));
    let swept = sweep(&app).await;
    assert_eq!(swept.deleted, vec![jo_draft]);
    assert_eq!(swept.warned, vec![alex_draft]);
    let m = nth_warning(&app, 0).await;
    assert!(m.contains("will be deleted on 31 December 2026"), "{m}");
    // Day 40: Alex's goes.
    kept_until(&app, Duration::days(4), deleted(&[alex_draft])).await;
}
