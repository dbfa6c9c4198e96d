//! Single editor with epochs (DESIGN.md "Sync protocol" 4): a task re-assign and an
//! accepted plan transfer bump the record's epoch in the same transaction; an edit pushed
//! under the old epoch becomes a conflict (not applied, not lost) unless every bump since
//! was the pushing client's own earlier mutation; whoever loses access by
//! it gets a purge for the record and what is attached to it on their next pull, although
//! nothing they could see changed.

use hearth_protocol::paths;
use hearth_protocol::sync::{Outcome, PullResponse};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{on_both, spawn_app, Backend, TestApp};
use crate::notices::{applied, device, Device, ALEX, JO, ROBIN};

on_both!(
    the_assignee_edits_and_reassigns_a_task_and_nobody_else_in_its_group_does,
    reassign_bumps_the_epoch_and_purges_the_old_assignee,
    accepted_transfer_moves_the_plan_and_purges_the_sender,
    refused_transfer_takes_the_offer_back,
);

async fn pull(app: &TestApp, d: &Device, after: i64) -> PullResponse {
    let r = app
        .get_as(&format!("{}?after={after}", paths::SYNC_PULL), &d.token)
        .await;
    assert_eq!(r.status, reqwest::StatusCode::OK, "{:?}", r.body);
    serde_json::from_value(r.body).unwrap()
}

fn purged(p: &PullResponse) -> Vec<Uuid> {
    let mut v: Vec<Uuid> = p.purges.iter().map(|p| p.record_id).collect();
    v.sort();
    v
}

fn sorted(mut v: Vec<Uuid>) -> Vec<Uuid> {
    v.sort();
    v
}

/// The assignee of a task is its editor: they write their contribution and re-assign it
/// (the epoch moves on); a colleague in the work group may read it but not change it, and
/// once re-assigned away the old assignee's edits are refused.
async fn the_assignee_edits_and_reassigns_a_task_and_nobody_else_in_its_group_does(b: Backend) {
    let app = spawn_app(b).await;
    app.seed_demo().await;
    let mut alex = device(&app, ALEX).await;
    let mut robin = device(&app, ROBIN).await;
    let mut sam = device(&app, crate::notices::SAM).await;
    let group = app.store.list_work_groups().await.unwrap()[0]
        .id
        .to_string();
    let task = Uuid::now_v7();
    applied(
        &alex
            .push(
                &app,
                task,
                "task",
                "create",
                (0, 0),
                &[
                    ("assignee_id", Value::Null, json!(robin.user)),
                    ("work_group_id", Value::Null, json!(group)),
                    ("status", Value::Null, json!("assigned")),
                ],
            )
            .await,
    );
    let (version, _) = applied(
        &robin
            .push(
                &app,
                task,
                "task",
                "update",
                (1, 0),
                &[(
                    "answers",
                    Value::Null,
                    json!({"fields": {"outcomes": {"text": "invented"}}}),
                )],
            )
            .await,
    );
    assert_eq!(version, 2);
    // Sam manages the group: may read, may not write while Robin is the editor.
    let r = sam
        .push(
            &app,
            task,
            "task",
            "update",
            (2, 0),
            &[("note", Value::Null, json!("invented"))],
        )
        .await;
    assert!(matches!(r, Outcome::Rejected { .. }), "{r:?}");
    // Robin hands it to Sam to counter-sign: now Sam edits and Robin does not.
    applied(
        &robin
            .push(
                &app,
                task,
                "task",
                "update",
                (2, 0),
                &[("assignee_id", json!(robin.user), json!(sam.user))],
            )
            .await,
    );
    let r = robin
        .push(
            &app,
            task,
            "task",
            "update",
            (3, 1),
            &[("note", Value::Null, json!("invented"))],
        )
        .await;
    assert!(matches!(r, Outcome::Rejected { .. }), "{r:?}");
    applied(
        &sam.push(
            &app,
            task,
            "task",
            "update",
            (3, 1),
            &[("status", json!("assigned"), json!("submitted"))],
        )
        .await,
    );
}

async fn reassign_bumps_the_epoch_and_purges_the_old_assignee(b: Backend) {
    let app = spawn_app(b).await;
    app.seed_demo().await;
    let mut alex = device(&app, ALEX).await;
    let mut robin = device(&app, ROBIN).await;
    let jo = device(&app, JO).await;
    let (task, contribution) = (Uuid::now_v7(), Uuid::now_v7());
    applied(
        &alex
            .push(
                &app,
                task,
                "task",
                "create",
                (0, 0),
                &[
                    ("assignee_id", Value::Null, json!(robin.user)),
                    ("status", Value::Null, json!("assigned")),
                ],
            )
            .await,
    );
    applied(
        &robin
            .push(
                &app,
                contribution,
                "contribution",
                "create",
                (0, 0),
                &[
                    ("task_id", Value::Null, json!(task.to_string())),
                    ("answers", Value::Null, json!({"q1": "invented"})),
                ],
            )
            .await,
    );
    let before = pull(&app, &robin, 0).await;
    let seen: Vec<Uuid> = before.changes.iter().map(|c| c.record_id).collect();
    assert_eq!(sorted(seen), sorted(vec![task, contribution]));
    assert!(before.purges.is_empty());

    // Re-assigned to Jo: the epoch moves on with the same write.
    applied(
        &alex
            .push(
                &app,
                task,
                "task",
                "update",
                (1, 0),
                &[("assignee_id", json!(robin.user), json!(jo.user))],
            )
            .await,
    );
    let now = pull(&app, &alex, 0).await;
    let t = now.changes.iter().find(|c| c.record_id == task).unwrap();
    assert_eq!((t.version, t.epoch), (2, 1));

    // An edit made under the old epoch on a device that did not re-assign it (Alex's
    // second laptop) is a conflict: kept for a person, not applied.
    let mut alex_laptop = alex.other_client();
    let stale = alex_laptop
        .push(
            &app,
            task,
            "task",
            "update",
            (2, 0),
            &[("status", json!("assigned"), json!("retracted"))],
        )
        .await;
    match &stale {
        Outcome::Conflict { version, fields } => {
            assert_eq!(*version, 2);
            assert_eq!(fields[0].mine, json!("retracted"));
            assert_eq!(fields[0].theirs, json!("assigned"));
        }
        other => panic!("{other:?}"),
    }
    let t = pull(&app, &jo, 0).await;
    let t = t.changes.iter().find(|c| c.record_id == task).unwrap();
    assert_eq!(
        (t.version, t.fields["status"].clone()),
        (2, json!("assigned"))
    );

    // Robin lost the task: a purge for it and his contribution, though neither changed
    // in a way he could see.
    let after = pull(&app, &robin, before.next_cursor).await;
    assert!(after.changes.is_empty(), "{:?}", after.changes);
    assert_eq!(purged(&after), sorted(vec![task, contribution]));
    // And he can no longer write it.
    let r = robin
        .push(
            &app,
            contribution,
            "contribution",
            "update",
            (1, 0),
            &[(
                "answers",
                json!({"q1": "invented"}),
                json!({"q1": "changed"}),
            )],
        )
        .await;
    assert!(matches!(r, Outcome::Rejected { .. }), "{r:?}");

    // The device that re-assigned it edits on, still under epoch 0 (it has not pulled):
    // the only bump since was its own, so the edit applies, base checks and all.
    let (version, _) = applied(
        &alex
            .push(
                &app,
                task,
                "task",
                "update",
                (2, 0),
                &[("note", Value::Null, json!("invented note"))],
            )
            .await,
    );
    assert_eq!(version, 3);
    // A stale base is still a conflict, epoch or not.
    let r = alex
        .push(
            &app,
            task,
            "task",
            "update",
            (3, 0),
            &[("note", Value::Null, json!("another note"))],
        )
        .await;
    assert!(matches!(r, Outcome::Conflict { version: 3, .. }), "{r:?}");
    // The second laptop (up to date) re-assigns it back to Robin: a bump by another
    // client, so the first device's next edit under epoch 0 or 1 is a conflict again.
    applied(
        &alex_laptop
            .push(
                &app,
                task,
                "task",
                "update",
                (3, 1),
                &[("assignee_id", json!(jo.user), json!(robin.user))],
            )
            .await,
    );
    let now = pull(&app, &alex, 0).await;
    let t = now.changes.iter().find(|c| c.record_id == task).unwrap();
    assert_eq!((t.version, t.epoch), (4, 2));
    for epoch in [0, 1] {
        let r = alex
            .push(
                &app,
                task,
                "task",
                "update",
                (4, epoch),
                &[("note", json!("invented note"), json!("changed"))],
            )
            .await;
        assert!(matches!(r, Outcome::Conflict { version: 4, .. }), "{r:?}");
    }
}

async fn accepted_transfer_moves_the_plan_and_purges_the_sender(b: Backend) {
    let app = spawn_app(b).await;
    app.seed_demo().await;
    let mut alex = device(&app, ALEX).await;
    let mut jo = device(&app, JO).await;
    let (plan, doc) = (Uuid::now_v7(), Uuid::now_v7());
    applied(
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
    applied(
        &alex
            .push(
                &app,
                doc,
                "document",
                "create",
                (0, 0),
                &[
                    ("record_id", Value::Null, json!(plan.to_string())),
                    ("title", Value::Null, json!("Invented letter")),
                ],
            )
            .await,
    );
    // Jo can see nothing of it yet.
    assert!(pull(&app, &jo, 0).await.changes.is_empty());
    let offer = json!({"to": jo.user, "state": "awaiting_authorisation", "sender_leaves": true});
    applied(
        &alex
            .push(
                &app,
                plan,
                "plan",
                "update",
                (1, 0),
                &[("transfer", Value::Null, offer.clone())],
            )
            .await,
    );
    // Offered: Jo may read it (and its document) to decide.
    let seen = pull(&app, &jo, 0).await;
    let ids: Vec<Uuid> = seen.changes.iter().map(|c| c.record_id).collect();
    assert_eq!(sorted(ids), sorted(vec![plan, doc]));
    let answer = json!({"to": jo.user, "state": "authorised", "sender_leaves": true});
    // Only Jo can answer.
    let r = alex
        .push(
            &app,
            plan,
            "plan",
            "update",
            (2, 0),
            &[("transfer", offer.clone(), answer.clone())],
        )
        .await;
    assert!(
        matches!(&r, Outcome::Rejected { reason } if reason.contains("transferred to")),
        "{r:?}"
    );
    let alex_cursor = pull(&app, &alex, 0).await.next_cursor;
    let (version, _) = applied(
        &jo.push(
            &app,
            plan,
            "plan",
            "update",
            (2, 0),
            &[("transfer", offer, answer)],
        )
        .await,
    );
    assert_eq!(version, 3);

    // Jo's next edit from the same device, still under epoch 0 (made before it pulled the
    // new epoch), applies: the only bump since was Jo's own authorisation.
    let (version, _) = applied(
        &jo.push(
            &app,
            plan,
            "plan",
            "update",
            (3, 0),
            &[("family_name", json!("Testfamily"), json!("Otherfamily"))],
        )
        .await,
    );
    assert_eq!(version, 4);
    let p = pull(&app, &jo, 0).await;
    let c = p.changes.iter().find(|c| c.record_id == plan).unwrap();
    assert_eq!((c.version, c.epoch), (4, 1));
    assert_eq!(c.fields["family_name"], json!("Otherfamily"));
    // Jo's other device, which did not authorise it: under epoch 0 a conflict, under
    // epoch 1 applied.
    let mut jo_laptop = jo.other_client();
    let r = jo_laptop
        .push(
            &app,
            plan,
            "plan",
            "update",
            (4, 0),
            &[("family_name", json!("Otherfamily"), json!("Thirdfamily"))],
        )
        .await;
    assert!(matches!(r, Outcome::Conflict { version: 4, .. }), "{r:?}");
    applied(
        &jo_laptop
            .push(
                &app,
                plan,
                "plan",
                "update",
                (4, 1),
                &[("family_name", json!("Otherfamily"), json!("Thirdfamily"))],
            )
            .await,
    );

    // Alex left with the transfer: their edit is refused (audited), and their next pull
    // purges the plan and its document.
    let r = alex
        .push(
            &app,
            plan,
            "plan",
            "update",
            (3, 0),
            &[("family_name", json!("Testfamily"), json!("Mine"))],
        )
        .await;
    assert!(matches!(r, Outcome::Rejected { .. }), "{r:?}");
    let after = pull(&app, &alex, alex_cursor).await;
    assert!(
        after
            .changes
            .iter()
            .all(|c| c.record_id != plan && c.record_id != doc),
        "{:?}",
        after.changes
    );
    assert_eq!(purged(&after), sorted(vec![plan, doc]));
    let rows = app.audit_rows().await;
    assert!(rows.iter().any(|r| r.action == "record.write"
        && r.outcome == "denied"
        && r.actor.as_deref() == Some(alex.user.as_str())
        && r.target == Some(plan.to_string())));
}

async fn refused_transfer_takes_the_offer_back(b: Backend) {
    let app = spawn_app(b).await;
    app.seed_demo().await;
    let mut alex = device(&app, ALEX).await;
    let mut jo = device(&app, JO).await;
    let plan = Uuid::now_v7();
    applied(
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
    let offer = json!({"to": jo.user, "state": "awaiting_authorisation"});
    applied(
        &alex
            .push(
                &app,
                plan,
                "plan",
                "update",
                (1, 0),
                &[("transfer", Value::Null, offer.clone())],
            )
            .await,
    );
    let seen = pull(&app, &jo, 0).await;
    assert_eq!(seen.changes.len(), 1);
    applied(
        &jo.push(
            &app,
            plan,
            "plan",
            "update",
            (2, 0),
            &[(
                "transfer",
                offer,
                json!({"to": jo.user, "state": "refused"}),
            )],
        )
        .await,
    );
    let after = pull(&app, &jo, seen.next_cursor).await;
    assert_eq!(purged(&after), vec![plan]);
    // Alex still has it, epoch unchanged.
    let p = pull(&app, &alex, 0).await;
    let c = p.changes.iter().find(|c| c.record_id == plan).unwrap();
    assert_eq!((c.version, c.epoch), (3, 0));
}
