//! Sync push and pull over HTTP: ordered and idempotent per (client, mutation id), gaps
//! refused with `sync_gap`, conflicts with base/mine/theirs, pull pages with a cursor, only
//! the user's own records, reads and writes audited.

use hearth_protocol::paths;
use hearth_protocol::sync::{Outcome, PullResponse, PushResponse};
use hearth_server::seed::DEMO_PASSWORD;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{on_both, spawn_app, Backend};

on_both!(push_is_ordered_and_idempotent, pull_pages_only_own_records);

fn mutation(id: i64, record: Uuid, op: &str, base: i64, changes: Value) -> Value {
    json!({"mutation_id": id, "record_id": record, "kind": "plan", "operation": op,
           "base_version": base, "epoch": 0, "changes": changes})
}

async fn push_is_ordered_and_idempotent(b: Backend) {
    let app = spawn_app(b).await;
    app.seed_demo().await;
    let alex = app
        .sign_in("alex.demoworker@example.org.uk", DEMO_PASSWORD)
        .await;
    let token = alex.tokens.access_token.expose().to_owned();
    let client = Uuid::now_v7();
    let record = Uuid::now_v7();
    let create = mutation(
        1,
        record,
        "create",
        0,
        json!([{"field": "surname", "base": null, "value": "Testcase"}]),
    );
    let edit = mutation(
        2,
        record,
        "update",
        1,
        json!([{"field": "surname", "base": "Testcase", "value": "Other"}]),
    );
    let stale = mutation(
        3,
        record,
        "update",
        1,
        json!([{"field": "surname", "base": "Testcase", "value": "Third"}]),
    );

    // A gap: the first mutation must be 1.
    let r = app
        .post_as(
            paths::SYNC_PUSH,
            &token,
            json!({"client_id": client, "mutations": [edit]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert_eq!(r.code(), "sync_gap");
    assert!(r.body["message"]
        .as_str()
        .unwrap()
        .contains("send from mutation 1"));

    let r = app
        .post_as(
            paths::SYNC_PUSH,
            &token,
            json!({"client_id": client, "mutations": [create, edit, stale]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let answer: PushResponse = serde_json::from_value(r.body).unwrap();
    assert_eq!(answer.last_mutation_id, 3);
    let Outcome::Applied {
        version: 1,
        reference: Some(reference),
    } = &answer.results[0].outcome
    else {
        panic!("{:?}", answer.results[0]);
    };
    assert!(reference.starts_with("FSP-"));
    assert_eq!(
        answer.results[1].outcome,
        Outcome::Applied {
            version: 2,
            reference: Some(reference.clone())
        }
    );
    let Outcome::Conflict { version: 2, fields } = &answer.results[2].outcome else {
        panic!("{:?}", answer.results[2]);
    };
    assert_eq!(
        (&fields[0].base, &fields[0].mine, &fields[0].theirs),
        (&json!("Testcase"), &json!("Third"), &json!("Other"))
    );

    // The answer was lost: sending again changes nothing and repeats the first answers.
    let r = app
        .post_as(
            paths::SYNC_PUSH,
            &token,
            json!({"client_id": client, "mutations": [create, edit, stale]}),
        )
        .await;
    let again: PushResponse = serde_json::from_value(r.body).unwrap();
    for (first, second) in answer.results.iter().zip(&again.results) {
        assert_eq!(
            second.outcome,
            Outcome::Skipped {
                original: Some(Box::new(first.outcome.clone()))
            }
        );
    }

    // Another user's device may not use this client id; nor edit alex's record.
    let jo = app
        .sign_in("jo.demoworker@example.org.uk", DEMO_PASSWORD)
        .await;
    let jo_token = jo.tokens.access_token.expose().to_owned();
    let r = app
        .post_as(paths::SYNC_PUSH, &jo_token, json!({"client_id": client, "mutations": [mutation(4, record, "update", 2, json!([]))]}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post_as(paths::SYNC_PUSH, &jo_token, json!({"client_id": Uuid::now_v7(), "mutations": [mutation(1, record, "update", 2, json!([]))]}))
        .await;
    let answer: PushResponse = serde_json::from_value(r.body).unwrap();
    assert!(
        matches!(answer.results[0].outcome, Outcome::Rejected { .. }),
        "{answer:?}"
    );

    // Not consecutive within one push: refused as a whole.
    let r = app
        .post_as(paths::SYNC_PUSH, &token, json!({"client_id": client, "mutations": [mutation(4, record, "update", 2, json!([])), mutation(6, record, "update", 2, json!([]))]}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    let writes = app
        .audit_rows()
        .await
        .into_iter()
        .filter(|r| r.action == "record.write")
        .count();
    assert_eq!(
        writes, 4,
        "three answers for alex's device, one rejection for jo's"
    );
}

async fn pull_pages_only_own_records(b: Backend) {
    let app = spawn_app(b).await;
    app.seed_demo().await;
    let alex = app
        .sign_in("alex.demoworker@example.org.uk", DEMO_PASSWORD)
        .await;
    let jo = app
        .sign_in("jo.demoworker@example.org.uk", DEMO_PASSWORD)
        .await;
    let (alex_t, jo_t) = (
        alex.tokens.access_token.expose().to_owned(),
        jo.tokens.access_token.expose().to_owned(),
    );
    let push = |token: String, n: i64| {
        let muts: Vec<Value> = (1..=n)
            .map(|i| {
                mutation(
                    i,
                    Uuid::now_v7(),
                    "create",
                    0,
                    json!([{"field": "n", "base": null, "value": i}]),
                )
            })
            .collect();
        let body = json!({"client_id": Uuid::now_v7(), "mutations": muts});
        let app = &app;
        async move { app.post_as(paths::SYNC_PUSH, &token, body).await }
    };
    assert_eq!(push(alex_t.clone(), 5).await.status, StatusCode::OK);
    assert_eq!(push(jo_t.clone(), 2).await.status, StatusCode::OK);

    let mut cursor = 0;
    let mut seen = Vec::new();
    loop {
        let r = app
            .get_as(
                &format!("{}?after={cursor}&limit=2", paths::SYNC_PULL),
                &alex_t,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let page: PullResponse = serde_json::from_value(r.body).unwrap();
        assert!(page.changes.len() <= 2);
        assert!(page.next_cursor >= cursor);
        seen.extend(page.changes.iter().map(|c| c.fields["n"].as_i64().unwrap()));
        cursor = page.next_cursor;
        if !page.more {
            break;
        }
    }
    assert_eq!(
        seen,
        vec![1, 2, 3, 4, 5],
        "alex's five, in order, none of jo's"
    );
    let r = app
        .get_as(&format!("{}?after={cursor}", paths::SYNC_PULL), &alex_t)
        .await;
    let page: PullResponse = serde_json::from_value(r.body).unwrap();
    assert!(page.changes.is_empty() && !page.more);
    let r = app
        .get_as(&format!("{}?after=-1", paths::SYNC_PULL), &alex_t)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app
        .get_as(&format!("{}?after=x", paths::SYNC_PULL), &alex_t)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let reads = app
        .audit_rows()
        .await
        .into_iter()
        .filter(|r| r.action == "record.read")
        .count();
    assert_eq!(reads, 3, "one audit row per page with records");
}
