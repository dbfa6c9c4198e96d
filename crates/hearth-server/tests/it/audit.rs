//! The audit chain: intact after use; an edited or removed row is found, by the library and
//! by `hearth-server audit verify`.

use hearth_server::audit::{verify, ChainError};
use hearth_server::seed::DEMO_PASSWORD;
use serde_json::json;

use crate::helpers::{on_both, spawn_app, Backend, TestApp};

on_both!(audit_verify_finds_edits_and_removals);

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
