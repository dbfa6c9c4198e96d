//! The role matrix: every endpoint that exists × every demo role, with users probing other
//! people's ids — accounts, and synced records of every kind through push and pull. Denied
//! exactly where the rules say, and every denial audited.

use std::collections::BTreeSet;

use chrono::Utc;
use hearth_domain::UserId;
use hearth_protocol::paths;
use hearth_protocol::sync::{Outcome, PullResponse, PushResponse};
use hearth_server::seed::DEMO_PASSWORD;
use hearth_server::store::AuditEvent;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{on_both, spawn_app, Backend, TestApp};

on_both!(role_matrix);

const OK: u16 = 200;
const CREATED: u16 = 201;
const NO_CONTENT: u16 = 204;
const DENIED: u16 = 403;
const MISSING: u16 = 404;
/// The demo organisation's services (crates/hearth-server/src/seed.rs).
const NORTH_SERVICE: &str = "01920000-0000-7000-8000-000000000001";
const SLT_SERVICE: &str = "01920000-0000-7000-8000-000000000002";

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
        (paths::SERVICES.into(), [OK, OK, OK, OK, OK, OK]),
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
        // A service's workers: only its managers (Sam manages Early Help North; Jo only
        // works for Speech and Language Therapy, whose manager is not in this matrix).
        (
            paths::service_workers(NORTH_SERVICE),
            [DENIED, DENIED, OK, DENIED, DENIED, DENIED],
        ),
        (
            paths::service_workers(SLT_SERVICE),
            [DENIED, DENIED, DENIED, DENIED, DENIED, DENIED],
        ),
        (
            paths::service_workers(nobody),
            [DENIED, DENIED, DENIED, DENIED, DENIED, DENIED],
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

    // Everyone signed in may look a colleague up by email, to share a plan with them.
    for (i, name) in names.iter().enumerate() {
        for (email, want) in [
            ("jo.demoworker@example.org.uk", OK),
            ("nobody.invented@example.org.uk", MISSING),
        ] {
            let r = app
                .post_as(paths::USER_LOOKUP, &tokens[i], json!({ "email": email }))
                .await;
            assert_eq!(r.status.as_u16(), want, "lookup as {name}: {:?}", r.body);
        }
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

    let (n, plan, task) = sync_matrix(&app, &names, &tokens, &ids).await;
    denials += n;
    denials += documents_matrix(&app, &names, &tokens, plan, task).await;

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

fn create(id: i64, record: Uuid, kind: &str, fields: Value) -> Value {
    let changes: Vec<Value> = fields
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| json!({"field": k, "base": null, "value": v}))
        .collect();
    json!({"mutation_id": id, "record_id": record, "kind": kind, "operation": "create",
           "base_version": 0, "epoch": 0, "changes": changes})
}

async fn push(app: &TestApp, token: &str, client: Uuid, muts: Vec<Value>) -> PushResponse {
    let r = app
        .post_as(
            paths::SYNC_PUSH,
            token,
            json!({"client_id": client, "mutations": muts}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    serde_json::from_value(r.body).unwrap()
}

async fn pull_all(app: &TestApp, token: &str) -> BTreeSet<Uuid> {
    let (mut cursor, mut seen) = (0, BTreeSet::new());
    loop {
        let r = app
            .get_as(
                &format!("{}?after={cursor}&limit=3", paths::SYNC_PULL),
                token,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let page: PullResponse = serde_json::from_value(r.body).unwrap();
        seen.extend(page.changes.iter().map(|c| c.record_id));
        cursor = page.next_cursor;
        if !page.more {
            return seen;
        }
    }
}

/// Sync push and pull × every role, over a record of every kind Alex wrote: each user's
/// pull holds exactly what `access::decide` lets them read; each user's push to each of
/// those ids is denied (and audited as `denied`) exactly where they may not write, and
/// otherwise refused by the single-editor rule (audited as `rejected`). Returns the number
/// of denials.
async fn sync_matrix(
    app: &TestApp,
    names: &[&str],
    tokens: &[String],
    ids: &[UserId],
) -> (usize, Uuid, Uuid) {
    let [alex, jo, _sam, _pat, robin, _morgan] = [ids[0], ids[1], ids[2], ids[3], ids[4], ids[5]];
    let services = app.store.list_services().await.unwrap();
    let slt = services
        .iter()
        .find(|s| s.commissioned_service.as_deref() == Some("SLT"))
        .unwrap()
        .id;
    let north_group = app.store.list_work_groups().await.unwrap()[0].id;

    // Alex writes one record of every kind (invented content only).
    let [plan, request, task, submitted, draft, document, review, contribution] =
        [(); 8].map(|_| Uuid::now_v7());
    let records = [
        ("plan", plan, json!({"family_name": "Testfamily"})),
        ("request", request, json!({"service_id": slt.to_string()})),
        (
            "task",
            task,
            json!({"assignee_id": robin.to_string(), "work_group_id": north_group.to_string()}),
        ),
        ("referral", submitted, json!({"status": "submitted"})),
        ("referral", draft, json!({"status": {"status": "draft"}})),
        (
            "document",
            document,
            json!({"record_id": plan.to_string(), "title": "Consent form"}),
        ),
        ("review", review, json!({"plan_id": plan.to_string()})),
        (
            "contribution",
            contribution,
            json!({"task_id": task.to_string()}),
        ),
    ];
    let muts = records
        .iter()
        .zip(1..)
        .map(|((kind, id, fields), n)| create(n, *id, kind, fields.clone()))
        .collect();
    let answer = push(app, &tokens[0], Uuid::now_v7(), muts).await;
    for r in &answer.results {
        assert!(
            matches!(r.outcome, Outcome::Applied { version: 1, .. }),
            "{r:?}"
        );
    }
    // The plan is shared with Robin; Jo was on its list and was removed.
    let event = |action: &str| AuditEvent {
        at: Utc::now(),
        actor: Some(alex),
        device: None,
        action: action.to_owned(),
        target: Some(plan.to_string()),
        outcome: "ok".to_owned(),
        reason: Some("changed by the plan's coordinator".to_owned()),
    };
    for (who, active) in [(robin, true), (jo, true), (jo, false)] {
        app.store
            .set_sharing(plan, who, active, &event("plan.share"))
            .await
            .unwrap();
    }

    // Who may read (and write) what, by the rules: a plan by its sharing list (the
    // document and review with it); a request by its service (SLT: Jo); a task by its
    // assignee (Robin) and work group (North: Alex, Sam, Robin), the contribution with
    // it; a referral by its author, and MASH triage once submitted.
    //                         alex  jo     sam    pat    robin  morgan
    let expected: [(Uuid, [bool; 6]); 8] = [
        (plan, [true, false, false, false, true, false]),
        (request, [true, true, false, false, false, false]),
        (task, [true, false, true, false, true, false]),
        (submitted, [true, false, false, false, false, true]),
        (draft, [true, false, false, false, false, false]),
        (document, [true, false, false, false, true, false]),
        (review, [true, false, false, false, true, false]),
        (contribution, [true, false, true, false, true, false]),
    ];

    // Every role may sync its own records: a plan of their own, pushed and pulled back.
    let mut own = Vec::new();
    let mut clients = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let mine = Uuid::now_v7();
        let client = Uuid::now_v7();
        let a = push(
            app,
            token,
            client,
            vec![create(1, mine, "plan", json!({"n": i}))],
        )
        .await;
        assert!(
            matches!(a.results[0].outcome, Outcome::Applied { .. }),
            "{}: {a:?}",
            names[i]
        );
        own.push(mine);
        clients.push(client);
    }
    for (i, token) in tokens.iter().enumerate() {
        let seen = pull_all(app, token).await;
        let mut want: BTreeSet<Uuid> = expected
            .iter()
            .filter(|(_, who)| who[i])
            .map(|(id, _)| *id)
            .collect();
        want.insert(own[i]);
        assert_eq!(seen, want, "pull as {}", names[i]);
    }

    // Everyone but Alex probes every one of Alex's ids: an edit, a create over it, and a
    // document attached to it.
    let mut denials = 0;
    for i in 1..tokens.len() {
        let mut muts = Vec::new();
        let mut want = Vec::new();
        let mut n = 2;
        for (id, who) in &expected {
            let edit = json!({"mutation_id": n, "record_id": id, "kind": "plan",
                "operation": "update", "base_version": 1, "epoch": 0,
                "changes": [{"field": "note", "base": null, "value": "probe"}]});
            let over = create(n + 1, *id, "plan", json!({"note": "probe"}));
            let attach = create(
                n + 2,
                Uuid::now_v7(),
                "document",
                json!({"record_id": id.to_string(), "title": "Probe"}),
            );
            muts.extend([edit, over, attach]);
            // Edits and creates over someone else's record: denied by the rules where
            // they may not write it, else refused by the single-editor rule. Attaching a
            // document: denied where they may not write the record, else applied.
            // The task's assignee (Robin) is its editor: their probes pass the
            // single-editor rule and are refused for their kind ("plan" over a task).
            let refusal = if *id == task && ids[i] == robin {
                "the record is of another kind"
            } else {
                "only the record's current editor may change it"
            };
            want.extend([(!who[i], refusal), (!who[i], refusal), (!who[i], "")]);
            n += 3;
        }
        let answer = push(app, &tokens[i], clients[i], muts).await;
        for (r, (denied, refusal)) in answer.results.iter().zip(&want) {
            match (&r.outcome, denied) {
                (Outcome::Rejected { reason }, true) => {
                    assert_eq!(reason, "you do not have access to this record");
                    denials += 1;
                }
                (Outcome::Rejected { reason }, false) => assert_eq!(reason, refusal),
                (Outcome::Applied { .. }, false) => {}
                other => panic!("{}: mutation {}: {other:?}", names[i], r.mutation_id),
            }
        }
    }

    // Nothing of Alex's changed.
    let r = app
        .get_as(&format!("{}?after=0", paths::SYNC_PULL), &tokens[0])
        .await;
    let page: PullResponse = serde_json::from_value(r.body).unwrap();
    for c in page
        .changes
        .iter()
        .filter(|c| expected.iter().any(|e| e.0 == c.record_id))
    {
        assert_eq!(c.version, 1, "{c:?}");
        assert!(!c.fields.contains_key("note"));
    }
    (denials, plan, task)
}

pub(crate) fn sha(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Uploads `bytes` as `token` through every step (create, chunk, status, finalise),
/// checking each answer; returns the upload id.
pub(crate) async fn upload(app: &TestApp, token: &str, bytes: &[u8], who: &str) -> Uuid {
    let hash = sha(bytes);
    let r = app
        .post_as(
            paths::UPLOADS,
            token,
            json!({"document_id": Uuid::now_v7(), "size": bytes.len(), "sha256": hash}),
        )
        .await;
    assert_eq!(
        r.status.as_u16(),
        OK,
        "create upload as {who}: {:?}",
        r.body
    );
    assert_eq!(r.body["offset"], 0);
    let id: Uuid = serde_json::from_value(r.body["upload_id"].clone()).unwrap();
    let r = app
        .send(
            app.http
                .put(format!("{}{}?offset=0", app.base, paths::upload(id)))
                .bearer_auth(token)
                .header(paths::CHUNK_SHA256_HEADER, &hash)
                .body(bytes.to_vec()),
        )
        .await;
    assert_eq!(r.status.as_u16(), OK, "chunk as {who}: {:?}", r.body);
    let r = app.get_as(&paths::upload(id), token).await;
    assert_eq!(
        r.status.as_u16(),
        OK,
        "upload status as {who}: {:?}",
        r.body
    );
    assert_eq!(r.body["offset"], bytes.len());
    let r = app
        .post_as(&paths::upload_finalise(id), token, json!({"sha256": hash}))
        .await;
    assert_eq!(r.status.as_u16(), OK, "finalise as {who}: {:?}", r.body);
    assert_eq!(r.body["finalised"], true);
    id
}

/// The document endpoints × every role: everyone may upload bytes of their own and read
/// them back; nobody may touch another user's upload (answered "not found", audited as
/// denied); a blob is readable by whoever may read a document record naming it, by the
/// same rules as the record (a plan's sharing list, a task's assignee and work group).
/// Returns the number of denials.
async fn documents_matrix(
    app: &TestApp,
    names: &[&str],
    tokens: &[String],
    plan: Uuid,
    task: Uuid,
) -> usize {
    let mut denials = 0;
    let mut own = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let bytes = format!(
            "%PDF-1.7\n% invented test document {i} {}\n",
            Uuid::now_v7()
        );
        let id = upload(app, token, bytes.as_bytes(), names[i]).await;
        let r = app
            .get_as(&paths::blob(&sha(bytes.as_bytes())), token)
            .await;
        assert_eq!(r.status.as_u16(), OK, "own blob as {}", names[i]);
        assert_eq!(r.body, Value::String(bytes.clone()));
        own.push((id, bytes));
    }

    // Everyone else probes Alex's upload (status, a chunk, finalise) and Alex's bytes,
    // which no record names.
    let (alex_upload, alex_bytes) = &own[0];
    let alex_sha = sha(alex_bytes.as_bytes());
    for (i, token) in tokens.iter().enumerate().skip(1) {
        let who = names[i];
        let r = app.get_as(&paths::upload(*alex_upload), token).await;
        assert_eq!(
            r.status.as_u16(),
            MISSING,
            "status of Alex's upload as {who}"
        );
        let r = app
            .send(
                app.http
                    .put(format!(
                        "{}{}?offset=0",
                        app.base,
                        paths::upload(*alex_upload)
                    ))
                    .bearer_auth(token)
                    .header(paths::CHUNK_SHA256_HEADER, &alex_sha)
                    .body(alex_bytes.clone().into_bytes()),
            )
            .await;
        assert_eq!(
            r.status.as_u16(),
            MISSING,
            "chunk to Alex's upload as {who}"
        );
        let r = app
            .post_as(
                &paths::upload_finalise(*alex_upload),
                token,
                json!({"sha256": alex_sha}),
            )
            .await;
        assert_eq!(
            r.status.as_u16(),
            MISSING,
            "finalise Alex's upload as {who}"
        );
        let r = app.get_as(&paths::blob(&alex_sha), token).await;
        assert_eq!(r.status.as_u16(), MISSING, "Alex's unnamed bytes as {who}");
        assert_eq!(r.code(), "not_found");
        denials += 4;
    }

    // Alex attaches a document to the plan and one to the task, bytes first.
    let on_plan = format!("%PDF-1.7\n% invented plan attachment {}\n", Uuid::now_v7());
    let on_task = format!("%PDF-1.7\n% invented task attachment {}\n", Uuid::now_v7());
    let mut muts = Vec::new();
    for (n, (bytes, parent)) in [(&on_plan, plan), (&on_task, task)].into_iter().enumerate() {
        upload(app, &tokens[0], bytes.as_bytes(), "alex").await;
        muts.push(
            json!({"mutation_id": n + 1, "record_id": Uuid::now_v7(), "kind": "document",
            "operation": "put_document", "base_version": 0, "epoch": 0, "changes": [
                {"field": "sha256", "base": null, "value": sha(bytes.as_bytes())},
                {"field": "record_id", "base": null, "value": parent.to_string()},
                {"field": "title", "base": null, "value": "Invented attachment"}]}),
        );
    }
    let answer = push(app, &tokens[0], Uuid::now_v7(), muts).await;
    for r in &answer.results {
        assert!(matches!(r.outcome, Outcome::Applied { .. }), "{r:?}");
    }
    //                                   alex  jo     sam    pat    robin  morgan
    let blobs: [(&String, [bool; 6]); 2] = [
        (&on_plan, [true, false, false, false, true, false]),
        (&on_task, [true, false, true, false, true, false]),
    ];
    for (bytes, who) in blobs {
        for (i, may) in who.iter().enumerate() {
            let r = app
                .get_as(&paths::blob(&sha(bytes.as_bytes())), &tokens[i])
                .await;
            if *may {
                assert_eq!(r.status.as_u16(), OK, "blob as {}: {:?}", names[i], r.body);
                assert_eq!(r.body, Value::String(bytes.clone()));
            } else {
                assert_eq!(r.status.as_u16(), MISSING, "blob as {}", names[i]);
                denials += 1;
            }
        }
    }
    denials
}
