//! Requests for support (PRODUCT.md seed 000): the teams providing a commissioned service
//! are listed to any signed-in user; a request is read by its author and its service's
//! members only; a manager of its service may change exactly its decision fields
//! (`status` along the allowed transitions, `worker`), and nobody else may.

use hearth_protocol::paths;
use hearth_protocol::sync::{Outcome, PullResponse};
use hearth_protocol::users::{CommissionedServices, ServiceWorkers, UserCreated};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{on_both, spawn_app, Backend, TestApp};
use crate::notices::{applied, device, Device, ALEX, JO, SAM};

on_both!(
    commissioned_services_are_listed,
    a_manager_of_the_service_decides,
    a_manager_lists_the_workers_of_their_service,
);

const LEE: &str = "lee.demolead@example.org.uk";

async fn slt(app: &TestApp, d: &Device) -> String {
    let r = app.get_as(paths::SERVICES, &d.token).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let list: CommissionedServices = serde_json::from_value(r.body).unwrap();
    list.services
        .iter()
        .find(|s| s.code == "SLT")
        .map(|s| s.id.to_string())
        .unwrap()
}

async fn pulled(app: &TestApp, d: &Device, id: Uuid) -> bool {
    let r = app
        .get_as(&format!("{}?after=0", paths::SYNC_PULL), &d.token)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let p: PullResponse = serde_json::from_value(r.body).unwrap();
    p.changes.iter().any(|c| c.record_id == id)
}

async fn commissioned_services_are_listed(b: Backend) {
    let app = spawn_app(b).await;
    app.seed_demo().await;
    let alex = device(&app, ALEX).await;
    let r = app.get_as(paths::SERVICES, &alex.token).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let list: CommissionedServices = serde_json::from_value(r.body).unwrap();
    // Early Help North provides no commissioned service, so it is not offered.
    assert_eq!(list.services.len(), 1, "{list:?}");
    assert_eq!(list.services[0].name, "Speech and Language Therapy");
    assert_eq!(list.services[0].code, "SLT");
    assert!(hearth_domain::config::find(
        &hearth_domain::Config::builtin().commissioned_services,
        &list.services[0].code
    )
    .is_some());
    let r = app.get_as(paths::SERVICES, "not-a-token").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

async fn a_manager_lists_the_workers_of_their_service(b: Backend) {
    let app = spawn_app(b).await;
    app.seed_demo().await;
    let lee = device(&app, LEE).await;
    let pat = device(&app, "pat.demosupport@example.org.uk").await;
    let service = slt(&app, &lee).await;
    // Business support adds three people to the service: a practitioner (listed at once,
    // before they have set a password), one who then leaves (deactivated), and MASH
    // triage (not someone a request is allocated to).
    let mut created = Vec::new();
    for (forename, surname, role) in [
        ("Casey", "Newworker", "practitioner"),
        ("Dana", "Leftworker", "practitioner"),
        ("Eli", "Triageonly", "mash_triage"),
    ] {
        let r = app
            .post_as(
                paths::USERS,
                &pat.token,
                json!({"forename": forename, "surname": surname,
                       "email": format!("{}.{}@example.org.uk", forename.to_lowercase(), surname.to_lowercase()),
                       "roles": [role], "services": [service]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let c: UserCreated = serde_json::from_value(r.body).unwrap();
        created.push(c.user_id);
    }
    let r = app
        .post_as(&paths::user_disable(created[1]), &pat.token, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);

    let r = app
        .get_as(&paths::service_workers(&service), &lee.token)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let list: ServiceWorkers = serde_json::from_value(r.body).unwrap();
    assert_eq!(list.service_id.to_string(), service);
    let names: Vec<&str> = list.workers.iter().map(|w| w.name.as_str()).collect();
    // Jo (practitioner) and Lee (manager) from the demo seed; by name.
    assert_eq!(names, ["Casey Newworker", "Jo Demoworker", "Lee Demolead"]);
    assert_eq!(list.workers[0].id, created[0]);

    // Jo works for the service but does not manage it; Sam manages another service.
    for email in [JO, SAM] {
        let d = device(&app, email).await;
        let r = app
            .get_as(&paths::service_workers(&service), &d.token)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{email}: {:?}", r.body);
    }
    let r = app
        .get_as(&paths::service_workers(&service), "not-a-token")
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = app
        .get_as("/api/v1/services/not-an-id/workers", &lee.token)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    // Audited by the service's id, allowed and denied, never a name.
    let rows = app.audit_rows().await;
    let asked: Vec<_> = rows
        .iter()
        .filter(|r| r.action == "service.workers")
        .collect();
    assert_eq!(asked.len(), 3, "{asked:?}");
    assert!(asked
        .iter()
        .all(|r| r.target.as_deref() == Some(service.as_str())));
    assert_eq!(asked.iter().filter(|r| r.outcome == "denied").count(), 2);
    assert!(!format!("{asked:?}").contains("Casey"));
}

fn rejected(o: &Outcome) {
    assert!(matches!(o, Outcome::Rejected { .. }), "{o:?}");
}

async fn a_manager_of_the_service_decides(b: Backend) {
    let app = spawn_app(b).await;
    app.seed_demo().await;
    let mut alex = device(&app, ALEX).await;
    let mut lee = device(&app, LEE).await;
    let mut sam = device(&app, SAM).await;
    let mut jo = device(&app, JO).await;
    let service = slt(&app, &alex).await;
    let request = Uuid::now_v7();
    let (_, reference) = applied(
        &alex
            .push(
                &app,
                request,
                "request",
                "create",
                (0, 0),
                &[
                    ("service_id", Value::Null, json!(service)),
                    ("service", Value::Null, json!("SLT")),
                    ("ehm_id", Value::Null, json!("EHM-000123")),
                    ("status", Value::Null, json!("awaiting_decision")),
                ],
            )
            .await,
    );
    assert!(reference.starts_with("RFS-"), "{reference}");
    // Read by its author and the service's members only: Sam (a manager of another
    // service) never sees it.
    assert!(pulled(&app, &lee, request).await);
    assert!(pulled(&app, &jo, request).await);
    assert!(!pulled(&app, &sam, request).await);
    let status = |from: &str, to: &str| ("status", json!(from), json!(to));
    // Sam is a manager, but not of this service.
    rejected(
        &sam.push(
            &app,
            request,
            "request",
            "update",
            (1, 0),
            &[status("awaiting_decision", "accepted_awaiting_worker")],
        )
        .await,
    );
    // Jo is a member of the service but not a manager.
    rejected(
        &jo.push(
            &app,
            request,
            "request",
            "update",
            (1, 0),
            &[status("awaiting_decision", "accepted_awaiting_worker")],
        )
        .await,
    );
    // Lee may change the decision fields only: not the form's answers, not the service.
    for extra in [
        ("ehm_id", json!("EHM-000123"), json!("EHM-999")),
        (
            "service_id",
            json!(service),
            json!(Uuid::now_v7().to_string()),
        ),
    ] {
        rejected(
            &lee.push(
                &app,
                request,
                "request",
                "update",
                (1, 0),
                &[status("awaiting_decision", "pending"), extra],
            )
            .await,
        );
    }
    // Only along the allowed transitions: not straight to closed, no worker before acceptance.
    rejected(
        &lee.push(
            &app,
            request,
            "request",
            "update",
            (1, 0),
            &[status("awaiting_decision", "accepted_closed")],
        )
        .await,
    );
    rejected(
        &lee.push(
            &app,
            request,
            "request",
            "update",
            (1, 0),
            &[("worker", Value::Null, json!("Casey Testworker"))],
        )
        .await,
    );
    rejected(
        &lee.push(
            &app,
            request,
            "request",
            "update",
            (1, 0),
            &[status("awaiting_decision", "nonsense")],
        )
        .await,
    );
    let mut version = 1;
    for changes in [
        vec![status("awaiting_decision", "pending")],
        vec![status("pending", "accepted_awaiting_worker")],
        vec![
            status("accepted_awaiting_worker", "accepted_with_worker"),
            ("worker", Value::Null, json!("Casey Testworker")),
        ],
        // Re-allocating keeps the status.
        vec![(
            "worker",
            json!("Casey Testworker"),
            json!("Drew Testworker"),
        )],
    ] {
        let (v, _) = applied(
            &lee.push(&app, request, "request", "update", (version, 0), &changes)
                .await,
        );
        version = v;
    }
    // A blank worker is refused.
    rejected(
        &lee.push(
            &app,
            request,
            "request",
            "update",
            (version, 0),
            &[("worker", json!("Drew Testworker"), json!("  "))],
        )
        .await,
    );
    let (v, _) = applied(
        &lee.push(
            &app,
            request,
            "request",
            "update",
            (version, 0),
            &[status("accepted_with_worker", "accepted_closed")],
        )
        .await,
    );
    version = v;
    // A closed request is never re-opened.
    for to in ["accepted_with_worker", "pending", "awaiting_decision"] {
        rejected(
            &lee.push(
                &app,
                request,
                "request",
                "update",
                (version, 0),
                &[status("accepted_closed", to)],
            )
            .await,
        );
    }
    applied(
        &lee.push(
            &app,
            request,
            "request",
            "update",
            (version, 0),
            &[status("accepted_closed", "archived")],
        )
        .await,
    );
    assert!(pulled(&app, &alex, request).await);
}
