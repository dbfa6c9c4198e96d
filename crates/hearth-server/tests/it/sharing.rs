//! Sharing a plan through its synced `sharing` field (PRODUCT.md FSP "Sharing"): the owner
//! attaches people as FSP coordinator or team around the family with an Active tick; an
//! active coordinator may change the list too; anyone else may only take themselves off.
//! Access follows the Active tick (a purge for whoever loses it), and every decision is
//! audited with its reason. And the look-up of a colleague by email that sharing needs.

use hearth_protocol::paths;
use hearth_protocol::sync::{Outcome, PullResponse};
use hearth_protocol::users::FoundUser;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{on_both, spawn_app, Backend, TestApp};
use crate::notices::{applied, device, Device, ALEX, JO, ROBIN};

on_both!(
    sharing_field_drives_access_and_is_audited,
    malformed_sharing_is_rejected,
    colleague_lookup_by_email,
);

async fn pull(app: &TestApp, d: &Device, after: i64) -> PullResponse {
    let r = app
        .get_as(&format!("{}?after={after}", paths::SYNC_PULL), &d.token)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    serde_json::from_value(r.body).unwrap()
}

fn has(p: &PullResponse, id: Uuid) -> bool {
    p.changes.iter().any(|c| c.record_id == id)
}

fn purged(p: &PullResponse, id: Uuid) -> bool {
    p.purges.iter().any(|x| x.record_id == id)
}

fn entry(user: &str, role: &str, active: bool) -> Value {
    json!({"user_id": user, "role": role, "active": active})
}

async fn sharing_field_drives_access_and_is_audited(b: Backend) {
    let app = spawn_app(b).await;
    app.seed_demo().await;
    let mut alex = device(&app, ALEX).await;
    let mut jo = device(&app, JO).await;
    let mut robin = device(&app, ROBIN).await;
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
    assert!(!has(&pull(&app, &jo, 0).await, plan));

    // Alex attaches Jo to the team around the family, active, and Robin inactive.
    let one = json!([
        entry(&jo.user, "team", true),
        entry(&robin.user, "team", false)
    ]);
    applied(
        &alex
            .push(
                &app,
                plan,
                "plan",
                "update",
                (1, 0),
                &[("sharing", Value::Null, one.clone())],
            )
            .await,
    );
    let jo_seen = pull(&app, &jo, 0).await;
    assert!(has(&jo_seen, plan), "shared, active: Jo pulls it");
    let robin_seen = pull(&app, &robin, 0).await;
    assert!(!has(&robin_seen, plan), "inactive: Robin does not");

    // Jo, team around the family, may not attach Robin: denied, audited with the reason,
    // and nothing changes.
    let two = json!([
        entry(&jo.user, "team", true),
        entry(&robin.user, "team", true)
    ]);
    let r = jo
        .push(
            &app,
            plan,
            "plan",
            "update",
            (2, 0),
            &[("sharing", one.clone(), two.clone())],
        )
        .await;
    assert!(
        matches!(&r, Outcome::Rejected { reason } if reason.contains("coordinator")),
        "{r:?}"
    );
    assert!(!has(&pull(&app, &robin, 0).await, plan));
    // Nor may Jo change anything else on the plan.
    let r = jo
        .push(
            &app,
            plan,
            "plan",
            "update",
            (2, 0),
            &[("family_name", json!("Testfamily"), json!("Otherfamily"))],
        )
        .await;
    assert!(matches!(r, Outcome::Rejected { .. }), "{r:?}");

    // Alex makes Jo an FSP coordinator: now Jo may attach Robin.
    let three = json!([
        entry(&jo.user, "coordinator", true),
        entry(&robin.user, "team", false)
    ]);
    applied(
        &alex
            .push(
                &app,
                plan,
                "plan",
                "update",
                (2, 0),
                &[("sharing", one, three.clone())],
            )
            .await,
    );
    let four = json!([
        entry(&jo.user, "coordinator", true),
        entry(&robin.user, "team", true)
    ]);
    applied(
        &jo.push(
            &app,
            plan,
            "plan",
            "update",
            (3, 0),
            &[("sharing", three, four.clone())],
        )
        .await,
    );
    let robin_before = pull(&app, &robin, 0).await;
    assert!(has(&robin_before, plan), "Robin ticked active: pulls it");

    // Robin removes himself (his own row inactive, nothing else changed): applied, and his
    // next pull purges the plan.
    let five = json!([
        entry(&jo.user, "coordinator", true),
        entry(&robin.user, "team", false)
    ]);
    applied(
        &robin
            .push(
                &app,
                plan,
                "plan",
                "update",
                (4, 0),
                &[("sharing", four, five.clone())],
            )
            .await,
    );
    let robin_after = pull(&app, &robin, robin_before.next_cursor).await;
    assert!(purged(&robin_after, plan), "{:?}", robin_after.purges);
    assert!(!has(&robin_after, plan));

    // Alex takes Jo off the list: Jo's next pull purges it.
    let jo_cursor = pull(&app, &jo, 0).await.next_cursor;
    let six = json!([entry(&robin.user, "team", false)]);
    applied(
        &alex
            .push(
                &app,
                plan,
                "plan",
                "update",
                (5, 0),
                &[("sharing", five, six)],
            )
            .await,
    );
    let jo_after = pull(&app, &jo, jo_cursor).await;
    assert!(purged(&jo_after, plan), "{:?}", jo_after.purges);

    // Every decision audited with its reason; the denied attempt too. No email in any.
    let rows = app.audit_rows().await;
    let shares: Vec<_> = rows.iter().filter(|r| r.action == "plan.share").collect();
    let reasons: Vec<String> = shares
        .iter()
        .map(|r| r.reason.clone().unwrap_or_default())
        .collect();
    let said = |who: &str, what: &str, outcome: &str| {
        shares.iter().any(|r| {
            r.outcome == outcome
                && r.target.as_deref() == Some(plan.to_string().as_str())
                && r.reason
                    .as_deref()
                    .is_some_and(|x| x.contains(who) && x.contains(what))
        })
    };
    assert!(
        said(&jo.user, "attached as team around the family", "active"),
        "{reasons:?}"
    );
    assert!(said(&robin.user, "set inactive", "inactive"), "{reasons:?}");
    assert!(
        said(&jo.user, "role changed to FSP coordinator", "active"),
        "{reasons:?}"
    );
    assert!(
        said(&robin.user, "removed themselves", "inactive"),
        "{reasons:?}"
    );
    assert!(
        said(&jo.user, "taken off the sharing list", "inactive"),
        "{reasons:?}"
    );
    assert!(rows.iter().any(|r| r.action == "record.write"
        && r.outcome == "denied"
        && r.actor.as_deref() == Some(jo.user.as_str())
        && r.reason
            .as_deref()
            .is_some_and(|x| x.contains("coordinator"))));
    assert!(reasons.iter().all(|r| !r.contains('@')));
}

async fn malformed_sharing_is_rejected(b: Backend) {
    let app = spawn_app(b).await;
    app.seed_demo().await;
    let mut alex = device(&app, ALEX).await;
    let jo = device(&app, JO).await;
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
    for bad in [
        json!("everyone"),
        json!([{"user_id": "not an id", "role": "team", "active": true}]),
        json!([{"user_id": jo.user, "role": "boss", "active": true}]),
        json!([{"user_id": jo.user, "role": "team"}]),
        json!([
            entry(&jo.user, "team", true),
            entry(&jo.user, "coordinator", true)
        ]),
    ] {
        let r = alex
            .push(
                &app,
                plan,
                "plan",
                "update",
                (1, 0),
                &[("sharing", Value::Null, bad.clone())],
            )
            .await;
        assert!(
            matches!(&r, Outcome::Rejected { reason } if reason.contains("sharing list")),
            "{bad}: {r:?}"
        );
    }
    assert!(!has(&pull(&app, &jo, 0).await, plan));
}

async fn colleague_lookup_by_email(b: Backend) {
    let app = spawn_app(b).await;
    app.seed_demo().await;
    let alex = device(&app, ALEX).await;
    let jo = device(&app, JO).await;
    let r = app
        .post_as(
            paths::USER_LOOKUP,
            &alex.token,
            json!({"email": format!("  {}  ", JO.to_uppercase())}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let found: FoundUser = serde_json::from_value(r.body).unwrap();
    assert_eq!(found.id.to_string(), jo.user);
    assert!(!found.name.is_empty());
    assert_eq!(
        found.role,
        hearth_domain::account::Role::Practitioner,
        "Jo is a practitioner"
    );
    // Alex and Jo share no work group, and Jo has no out-of-office message.
    assert!(found.shared_work_groups.is_empty(), "{found:?}");
    assert_eq!(found.out_of_office, None);
    // Robin (a partner in Alex's North locality group, managed by Sam) away: both shown
    // to Alex, with the one group they share and its manager.
    let robin = device(&app, ROBIN).await;
    let r = app
        .put_as(
            paths::ME_OUT_OF_OFFICE,
            &robin.token,
            json!({"message": "Away until Monday; send work to Sam Demomanager"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app
        .post_as(paths::USER_LOOKUP, &alex.token, json!({"email": ROBIN}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let found: FoundUser = serde_json::from_value(r.body).unwrap();
    assert_eq!(
        found.out_of_office.as_deref(),
        Some("Away until Monday; send work to Sam Demomanager")
    );
    assert_eq!(found.shared_work_groups.len(), 1, "{found:?}");
    let north = &found.shared_work_groups[0];
    assert!(north.includes(found.id) && north.members.iter().any(|m| m.to_string() == alex.user));
    assert_eq!(north.managers.len(), 1);
    // Unknown: nothing about it.
    let r = app
        .post_as(
            paths::USER_LOOKUP,
            &alex.token,
            json!({"email": "nobody.invented@example.org.uk"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);
    assert!(!r.body.to_string().contains("nobody"));
    // Not an email: a clear message for the field.
    let r = app
        .post_as(paths::USER_LOOKUP, &alex.token, json!({"email": "jo"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert!(r.body.to_string().contains("email"), "{:?}", r.body);
    // Signed out: no answer.
    let r = app
        .post_as(paths::USER_LOOKUP, "not-a-token", json!({"email": JO}))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // Both look-ups audited, found and not, with no address in the log.
    let rows = app.audit_rows().await;
    let looks: Vec<_> = rows
        .iter()
        .filter(|r| r.action == "account.lookup")
        .collect();
    assert!(looks
        .iter()
        .any(|r| r.outcome == "found" && r.target.as_deref() == Some(jo.user.as_str())));
    assert!(looks.iter().any(|r| r.outcome == "not_found"));
    assert!(looks.iter().all(
        |r| r.actor.as_deref() == Some(alex.user.as_str()) && !format!("{:?}", r).contains('@')
    ));
}
