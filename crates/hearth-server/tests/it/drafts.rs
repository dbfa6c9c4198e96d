//! Referral drafts on the server: deleted 30 days after their last save (the server's
//! record of it: when it applied the draft's latest mutation), with one warning email to the
//! author in the last days, by the injected clock. The deletion goes through the change log
//! (the author's other device pulls it), takes the draft's documents with it and is audited
//! by id; a submitted referral of the same age stays.

use std::sync::Arc;

use chrono::Duration;
use hearth_protocol::paths;
use hearth_protocol::sync::{Outcome, PullResponse};
use hearth_server::drafts::{self, Swept};
use hearth_server::mail::Mailer;
use hearth_server::seed::DEMO_PASSWORD;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::access::{sha, upload};
use crate::helpers::{on_both, spawn_app, Backend, TestApp};
use crate::notices::{applied, device, Device, ALEX};

on_both!(
    drafts_are_warned_then_deleted_30_days_after_the_last_save,
    serve_sweeps_when_it_starts,
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
/// (the device signs in again).
async fn sign_in_again(app: &TestApp, d: &mut Device, device_id: Uuid) {
    let (attempt, code) = app.start_sign_in(ALEX, DEMO_PASSWORD).await;
    let r = app.verify(attempt, &code, device_id).await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    d.token = r.body["tokens"]["access_token"]
        .as_str()
        .expect("an access token")
        .to_owned();
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
    // Alex's laptop writes; Alex's second device (its own sign-in) only pulls.
    let mut laptop = device(&app, ALEX).await;
    let mut desktop = device(&app, ALEX).await;
    let (laptop_id, desktop_id) = (Uuid::now_v7(), Uuid::now_v7());
    sign_in_again(&app, &mut laptop, laptop_id).await;
    sign_in_again(&app, &mut desktop, desktop_id).await;

    // Day 0: a draft with a document, and a referral submitted the same day.
    let draft = Uuid::now_v7();
    let (_, reference) = applied(
        &laptop
            .push(
                &app,
                draft,
                "referral",
                "create",
                (0, 0),
                &[
                    ("status", Value::Null, json!("draft")),
                    ("child_forename", Value::Null, json!("Testchild")),
                ],
            )
            .await,
    );
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
    applied(
        &laptop
            .push(
                &app,
                submitted,
                "referral",
                "create",
                (0, 0),
                &[
                    ("status", Value::Null, json!("submitted")),
                    ("child_forename", Value::Null, json!("Testchild")),
                ],
            )
            .await,
    );
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
    applied(
        &laptop
            .push(
                &app,
                draft,
                "referral",
                "update",
                (1, 0),
                &[("child_forename", json!("Testchild"), json!("Testchildtwo"))],
            )
            .await,
    );
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
