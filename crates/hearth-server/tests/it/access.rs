//! The role matrix: every endpoint that exists × every demo role, with users probing other
//! people's ids. Denied exactly where the rules say, and every denial audited.

use hearth_domain::UserId;
use hearth_protocol::paths;
use hearth_server::seed::DEMO_PASSWORD;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{on_both, spawn_app, Backend};

on_both!(role_matrix);

const OK: u16 = 200;
const CREATED: u16 = 201;
const NO_CONTENT: u16 = 204;
const DENIED: u16 = 403;
const MISSING: u16 = 404;

async fn role_matrix(b: Backend) {
    let app = spawn_app(b).await;
    app.seed_demo().await;
    // alex: practitioner, North service + work group; jo: practitioner, SLT service only;
    // sam: manager of the North work group; pat: business support; robin: health partner in
    // the North work group; morgan: MASH triage.
    let names = ["alex", "jo", "sam", "pat", "robin", "morgan"];
    let emails = [
        "alex.demoworker@example.org.uk",
        "jo.demoworker@example.org.uk",
        "sam.demomanager@example.org.uk",
        "pat.demosupport@example.org.uk",
        "robin.demonurse@example.nhs.uk",
        "morgan.demotriage@example.org.uk",
    ];
    let mut tokens = Vec::new();
    let mut ids: Vec<UserId> = Vec::new();
    for e in emails {
        let s = app.sign_in(e, DEMO_PASSWORD).await;
        tokens.push(s.tokens.access_token.expose().to_owned());
        ids.push(s.account.id);
    }
    let [alex, jo, _sam, pat, robin, _morgan] = [ids[0], ids[1], ids[2], ids[3], ids[4], ids[5]];
    let nobody = uuid::Uuid::now_v7();

    //                        alex   jo      sam     pat      robin   morgan
    let reads: Vec<(String, [u16; 6])> = vec![
        (paths::ME.into(), [OK, OK, OK, OK, OK, OK]),
        (
            paths::USERS.into(),
            [DENIED, DENIED, DENIED, OK, DENIED, DENIED],
        ),
        // Alex is in the North work group Sam manages.
        (paths::user(alex), [OK, DENIED, OK, OK, DENIED, DENIED]),
        // Jo is in no group Sam manages.
        (paths::user(jo), [DENIED, OK, DENIED, OK, DENIED, DENIED]),
        (paths::user(robin), [DENIED, DENIED, OK, OK, OK, DENIED]),
        (
            paths::user(pat),
            [DENIED, DENIED, DENIED, OK, DENIED, DENIED],
        ),
        (
            paths::user(nobody),
            [DENIED, DENIED, DENIED, MISSING, DENIED, DENIED],
        ),
    ];
    let mut denials = 0;
    for (path, expected) in &reads {
        for (i, want) in expected.iter().enumerate() {
            let r = app.get_as(path, &tokens[i]).await;
            assert_eq!(
                r.status.as_u16(),
                *want,
                "GET {path} as {}: {:?}",
                names[i],
                r.body
            );
            if *want == DENIED {
                assert_eq!(r.code(), "forbidden");
                denials += 1;
            }
        }
    }

    // Everyone may set their own out-of-office message.
    for (i, name) in names.iter().enumerate() {
        let r = app
            .put_as(
                paths::ME_OUT_OF_OFFICE,
                &tokens[i],
                json!({"message": "Back on Monday"}),
            )
            .await;
        assert_eq!(
            r.status.as_u16(),
            OK,
            "PUT out-of-office as {name}: {:?}",
            r.body
        );
    }

    for (i, name) in names.iter().enumerate() {
        let r = app
            .post_as(
                paths::USERS,
                &tokens[i],
                json!({"forename": "Lee", "surname": "Newstarter",
                       "email": format!("lee.{name}@example.org.uk"), "roles": ["practitioner"]}),
            )
            .await;
        let want = if *name == "pat" { CREATED } else { DENIED };
        assert_eq!(
            r.status.as_u16(),
            want,
            "POST users as {name}: {:?}",
            r.body
        );
        denials += usize::from(want == DENIED);
    }

    // Disable: only business support, never themselves; the target is Morgan.
    let target = paths::user_disable(ids[5]);
    for (i, name) in names.iter().enumerate() {
        if *name == "pat" || *name == "morgan" {
            continue;
        }
        let r = app.post_as(&target, &tokens[i], json!({})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "disable as {name}");
        denials += 1;
    }
    let r = app
        .post_as(&paths::user_disable(pat), &tokens[3], json!({}))
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "business support cannot disable themselves"
    );
    denials += 1;
    let r = app.post_as(&target, &tokens[3], json!({})).await;
    assert_eq!(r.status.as_u16(), NO_CONTENT);

    // Every denial is in the audit log, naming who and which record, never an email.
    let rows = app.audit_rows().await;
    let denied: Vec<_> = rows.iter().filter(|r| r.outcome == "denied").collect();
    assert_eq!(denied.len(), denials);
    assert!(denied
        .iter()
        .all(|r| r.actor.is_some() && r.reason.is_some()));
    assert!(denied
        .iter()
        .any(|r| r.actor == Some(jo.to_string()) && r.target == Some(alex.to_string())));
    assert!(rows.iter().all(|r| {
        let text = format!("{r:?}");
        !text.contains('@')
    }));
}
