//! Emails caused by sync pushes, through the real SMTP sink: a new task, a task retracted
//! or re-assigned away, a plan transfer waiting for authorisation, a referral outcome. Each
//! carries the record's reference and one sentence, never a name from the record; nothing
//! is sent for a push that was not applied.

use hearth_protocol::paths;
use hearth_protocol::sync::{Outcome, PushResponse};
use hearth_server::seed::DEMO_PASSWORD;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{on_both, spawn_app, Backend, TestApp};

on_both!(
    task_assigned_reassigned_and_retracted,
    transfer_waiting_for_authorisation,
    referral_outcome_goes_to_the_referrer,
);

pub const ALEX: &str = "alex.demoworker@example.org.uk";
pub const JO: &str = "jo.demoworker@example.org.uk";
pub const SAM: &str = "sam.demomanager@example.org.uk";
pub const ROBIN: &str = "robin.demonurse@example.nhs.uk";
pub const MORGAN: &str = "morgan.demotriage@example.org.uk";

/// A signed-in device: its token, user id and sync client with its next mutation id.
pub struct Device {
    pub token: String,
    pub user: String,
    pub client: Uuid,
    pub next: i64,
}

pub async fn device(app: &TestApp, email: &str) -> Device {
    let s = app.sign_in(email, DEMO_PASSWORD).await;
    Device {
        token: s.tokens.access_token.expose().to_owned(),
        user: s.account.id.to_string(),
        client: Uuid::now_v7(),
        next: 1,
    }
}

/// One mutation: `changes` is `[(field, base, value)]`.
pub fn mutation(
    n: i64,
    record: Uuid,
    kind: &str,
    op: &str,
    base_version: i64,
    epoch: i64,
    changes: &[(&str, Value, Value)],
) -> Value {
    let changes: Vec<Value> = changes
        .iter()
        .map(|(f, b, v)| json!({"field": f, "base": b, "value": v}))
        .collect();
    json!({"mutation_id": n, "record_id": record, "kind": kind, "operation": op,
           "base_version": base_version, "epoch": epoch, "changes": changes})
}

impl Device {
    /// Another sync client of the same user (as a second laptop's store would be), from
    /// its first mutation.
    pub fn other_client(&self) -> Device {
        Device {
            token: self.token.clone(),
            user: self.user.clone(),
            client: Uuid::now_v7(),
            next: 1,
        }
    }

    /// Pushes one mutation (numbered here) and returns its outcome.
    pub async fn push(
        &mut self,
        app: &TestApp,
        record: Uuid,
        kind: &str,
        op: &str,
        (base_version, epoch): (i64, i64),
        changes: &[(&str, Value, Value)],
    ) -> Outcome {
        let m = mutation(self.next, record, kind, op, base_version, epoch, changes);
        self.next += 1;
        let r = app
            .post_as(
                paths::SYNC_PUSH,
                &self.token,
                json!({"client_id": self.client, "mutations": [m]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let mut answer: PushResponse = serde_json::from_value(r.body).unwrap();
        answer.results.remove(0).outcome
    }

    /// Pushes a new referral `id` about "Testchild" with this `status`; returns the
    /// reference the server gave it.
    pub async fn push_referral(&mut self, app: &TestApp, id: Uuid, status: &str) -> String {
        let changes = [
            ("status", Value::Null, json!(status)),
            ("child_forename", Value::Null, json!("Testchild")),
        ];
        let outcome = self
            .push(app, id, "referral", "create", (0, 0), &changes)
            .await;
        applied(&outcome).1
    }
}

#[track_caller]
pub fn applied(o: &Outcome) -> (i64, String) {
    match o {
        Outcome::Applied { version, reference } => {
            (*version, reference.clone().unwrap_or_default())
        }
        other => panic!("not applied: {other:?}"),
    }
}

/// The body of a received message, checked for what a notice must never carry.
fn notice(message: &str, subject: &str) -> String {
    assert!(message.contains(subject), "{message}");
    for personal in ["Testchild", "Testfamily", "Alex", "Jo ", "Robin", "Demo"] {
        assert!(
            !message.contains(personal),
            "{personal:?} in a notice:\n{message}"
        );
    }
    message.to_owned()
}

async fn task_assigned_reassigned_and_retracted(b: Backend) {
    let app = spawn_app(b).await;
    app.seed_demo().await;
    let mut alex = device(&app, ALEX).await;
    let robin = device(&app, ROBIN).await;
    let jo = device(&app, JO).await;
    let task = Uuid::now_v7();
    let created = alex
        .push(
            &app,
            task,
            "task",
            "create",
            (0, 0),
            &[
                ("assignee_id", Value::Null, json!(robin.user)),
                ("status", Value::Null, json!("assigned")),
                ("child_forename", Value::Null, json!("Testchild")),
            ],
        )
        .await;
    let (_, reference) = applied(&created);
    assert!(reference.starts_with("TSK-"));
    let m = notice(
        &app.smtp.nth_message(ROBIN, 1).await,
        "A task has been assigned to you",
    );
    assert!(
        m.contains(&format!("Task {reference} has been assigned to you.")),
        "{m}"
    );

    // Re-assigned to Jo: Jo is told, and Robin, who lost it.
    let r = alex
        .push(
            &app,
            task,
            "task",
            "update",
            (1, 0),
            &[("assignee_id", json!(robin.user), json!(jo.user))],
        )
        .await;
    applied(&r);
    let m = notice(
        &app.smtp.nth_message(JO, 1).await,
        "A task has been assigned to you",
    );
    assert!(m.contains(&reference));
    let m = notice(
        &app.smtp.nth_message(ROBIN, 2).await,
        "A task is no longer assigned to you",
    );
    assert!(
        m.contains(&format!("Task {reference} is no longer assigned to you")),
        "{m}"
    );

    // An edit that is not applied (made on Alex's other laptop under the epoch before the
    // re-assign) sends nothing; then the retraction tells Jo.
    let mut alex_laptop = alex.other_client();
    let stale = alex_laptop
        .push(
            &app,
            task,
            "task",
            "update",
            (2, 0),
            &[("assignee_id", json!(jo.user), json!(robin.user))],
        )
        .await;
    assert!(matches!(stale, Outcome::Conflict { .. }), "{stale:?}");
    let r = alex
        .push(
            &app,
            task,
            "task",
            "update",
            (2, 1),
            &[("status", json!("assigned"), json!("retracted"))],
        )
        .await;
    applied(&r);
    let m = notice(
        &app.smtp.nth_message(JO, 2).await,
        "A task is no longer assigned to you",
    );
    assert!(m.contains(&reference));
    // Exactly (after each sign-in code): Robin assigned + lost it; Jo assigned +
    // retracted. Nothing for the conflict.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(app.smtp.messages_to(ROBIN).len(), 3);
    assert_eq!(app.smtp.messages_to(JO).len(), 3);
    assert!(
        app.smtp.messages_to(ALEX).len() == 1,
        "only Alex's sign-in code"
    );
}

async fn transfer_waiting_for_authorisation(b: Backend) {
    let app = spawn_app(b).await;
    app.seed_demo().await;
    let mut alex = device(&app, ALEX).await;
    let mut jo = device(&app, JO).await;
    let plan = Uuid::now_v7();
    let (_, reference) = applied(
        &alex
            .push(
                &app,
                plan,
                "plan",
                "create",
                (0, 0),
                &[("family_name", Value::Null, json!("Testfamily"))],
            )
            .await,
    );
    // Someone who is not the coordinator cannot offer it (and nothing is sent).
    let r = jo
        .push(
            &app,
            plan,
            "plan",
            "update",
            (1, 0),
            &[(
                "transfer",
                Value::Null,
                json!({"to": jo.user, "state": "awaiting_authorisation"}),
            )],
        )
        .await;
    assert!(matches!(r, Outcome::Rejected { .. }), "{r:?}");
    let offer = json!({"to": jo.user, "state": "awaiting_authorisation"});
    applied(
        &alex
            .push(
                &app,
                plan,
                "plan",
                "update",
                (1, 0),
                &[("transfer", Value::Null, offer)],
            )
            .await,
    );
    let m = notice(
        &app.smtp.nth_message(JO, 1).await,
        "A plan transfer is waiting for you",
    );
    assert!(
        m.contains(&format!(
            "Plan {reference} is waiting for you to authorise its transfer."
        )),
        "{m}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        app.smtp.messages_to(JO).len(),
        2,
        "the sign-in code and one notice"
    );
}

async fn referral_outcome_goes_to_the_referrer(b: Backend) {
    let app = spawn_app(b).await;
    app.seed_demo().await;
    let mut alex = device(&app, ALEX).await;
    let mut morgan = device(&app, MORGAN).await;
    let mut sam = device(&app, SAM).await;
    let referral = Uuid::now_v7();
    let reference = alex.push_referral(&app, referral, "submitted").await;
    assert!(reference.starts_with("MARF-"));
    // Only MASH triage records an outcome, and only the status.
    let outcome = json!({"status": "outcome_recorded", "outcome": "early_help"});
    let r = sam
        .push(
            &app,
            referral,
            "referral",
            "update",
            (1, 0),
            &[("status", json!("submitted"), outcome.clone())],
        )
        .await;
    assert!(matches!(r, Outcome::Rejected { .. }), "{r:?}");
    let r = morgan
        .push(
            &app,
            referral,
            "referral",
            "update",
            (1, 0),
            &[
                ("status", json!("submitted"), outcome.clone()),
                ("child_forename", json!("Testchild"), json!("Changed")),
            ],
        )
        .await;
    assert!(matches!(r, Outcome::Rejected { .. }), "{r:?}");
    applied(
        &morgan
            .push(
                &app,
                referral,
                "referral",
                "update",
                (1, 0),
                &[("status", json!("submitted"), outcome)],
            )
            .await,
    );
    let m = notice(
        &app.smtp.nth_message(ALEX, 1).await,
        "An outcome has been recorded on your referral",
    );
    assert!(
        m.contains(&format!(
            "MASH triage has recorded an outcome for referral {reference}."
        )),
        "{m}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.smtp.messages_to(ALEX).len(), 2);
    assert_eq!(
        app.smtp.messages_to(MORGAN).len(),
        1,
        "only Morgan's sign-in code"
    );
}
