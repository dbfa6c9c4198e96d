//! The audit chain: intact after use; an edited or removed row is found, by the library and
//! by `hearth-server audit verify`.

use hearth_server::audit::{verify, ChainError};
use hearth_server::seed::DEMO_PASSWORD;
use serde_json::json;

use crate::helpers::{on_both, spawn_app, Backend, TestApp};

on_both!(
    audit_verify_finds_edits_and_removals,
    concurrent_requests_are_all_chained
);

async fn verify_now(app: &TestApp) -> Result<i64, ChainError> {
    let (rows, seq, hash) = app.store.audit_rows().await.unwrap();
    verify(&rows, seq, &hash)
}

fn cli_verify(app: &TestApp) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hearth-server"))
        .args(["audit", "verify"])
        .env("DATABASE_URL", &app.database_url)
        .env("HEARTH_DATA_DIR", app.data_dir.path())
        .env_remove("HEARTH_SMTP_URL")
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

async fn activity(app: &TestApp) {
    app.seed_demo().await;
    app.sign_in("alex.demoworker@example.org.uk", DEMO_PASSWORD)
        .await;
    app.post(
        hearth_protocol::paths::SIGN_IN,
        json!({"email": "alex.demoworker@example.org.uk", "password": "wrong password!"}),
    )
    .await;
    app.sign_in("pat.demosupport@example.org.uk", DEMO_PASSWORD)
        .await;
    // Rows are chained by the background sealer; reading them seals what is pending, so
    // the tampering below hits chained rows.
    app.audit_rows().await;
}

async fn audit_verify_finds_edits_and_removals(b: Backend) {
    let app = spawn_app(b).await;
    activity(&app).await;
    let n = verify_now(&app).await.unwrap();
    assert!(n >= 5, "{n}");
    let (ok, out) = cli_verify(&app);
    assert!(ok, "{out}");
    assert!(out.contains(&format!("intact: {n} rows")), "{out}");

    // Edit a row's content.
    app.raw_sql("UPDATE audit_log SET outcome = 'ok' WHERE seq = 3")
        .await;
    assert_eq!(verify_now(&app).await, Err(ChainError::Edited { seq: 3 }));
    let (ok, out) = cli_verify(&app);
    assert!(!ok && out.contains("row 3"), "{out}");

    // Remove a row from the middle.
    let app = spawn_app(b).await;
    activity(&app).await;
    app.raw_sql("DELETE FROM audit_log WHERE seq = 2").await;
    assert_eq!(
        verify_now(&app).await,
        Err(ChainError::Gap {
            seq: 3,
            expected: 2
        })
    );
    assert!(!cli_verify(&app).0);

    // Remove the last row.
    let app = spawn_app(b).await;
    activity(&app).await;
    let last = app.audit_rows().await.last().unwrap().seq;
    app.raw_sql(&format!("DELETE FROM audit_log WHERE seq = {last}"))
        .await;
    assert!(matches!(
        verify_now(&app).await,
        Err(ChainError::Truncated { .. })
    ));
    assert!(!cli_verify(&app).0);
}

/// Requests write their rows in shared commits and the sealer chains them later: under
/// concurrency every row still arrives exactly once and the chain verifies.
async fn concurrent_requests_are_all_chained(b: Backend) {
    let app = spawn_app(b).await;
    app.seed_demo().await;
    let s = app
        .sign_in("alex.demoworker@example.org.uk", DEMO_PASSWORD)
        .await;
    let token = s.tokens.access_token.expose().to_owned();
    let before = app.audit_rows().await.len();
    let reads = futures_join(&app, &token, 100).await;
    assert!(reads.iter().all(|s| *s == 200), "{reads:?}");
    let rows = app.audit_rows().await;
    let new: Vec<_> = rows[before..].iter().collect();
    assert_eq!(new.len(), 100);
    assert!(new
        .iter()
        .all(|r| r.action == "account.read" && r.outcome == "ok"));
    assert_eq!(verify_now(&app).await, Ok(rows.len() as i64));
}

async fn futures_join(app: &TestApp, token: &str, n: usize) -> Vec<u16> {
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..n {
        let (http, url, token) = (
            app.http.clone(),
            format!("{}{}", app.base, hearth_protocol::paths::ME),
            token.to_owned(),
        );
        set.spawn(async move {
            http.get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        });
    }
    let mut out = Vec::new();
    while let Some(s) = set.join_next().await {
        out.push(s.unwrap());
    }
    out
}
