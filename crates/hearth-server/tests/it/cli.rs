//! The command line against the same database and SMTP server as a running app.

use hearth_protocol::paths;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{key_in, on_both, spawn_app, Backend, TestApp};

on_both!(cli_manages_services_groups_and_users);

async fn cli(app: &TestApp, args: &[&str]) -> (bool, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_hearth-server"))
        .args(args)
        .env("DATABASE_URL", &app.database_url)
        .env("HEARTH_DATA_DIR", app.data_dir.path())
        .env(
            "HEARTH_SMTP_URL",
            format!("smtp://127.0.0.1:{}", app.smtp.port),
        )
        .env_remove("HEARTH_CONFIG")
        .output()
        .await
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

async fn cli_manages_services_groups_and_users(b: Backend) {
    let app = spawn_app(b).await;
    let (ok, out) = cli(&app, &["migrate"]).await;
    assert!(ok, "{out}");
    let (ok, out) = cli(&app, &["demo-seed"]).await;
    assert!(ok, "{out}");
    for needle in [
        "alex.demoworker@example.org.uk",
        "pat.demosupport@example.org.uk",
        "robin.demonurse@example.nhs.uk",
        "morgan.demotriage@example.org.uk",
        "sam.demomanager@example.org.uk",
        hearth_server::seed::DEMO_PASSWORD,
    ] {
        assert!(out.contains(needle), "{needle} not in:\n{out}");
    }
    assert!(cli(&app, &["service", "add", "Early Help East"]).await.0);
    assert!(cli(&app, &["work-group", "add", "East locality"]).await.0);
    let email = "kit.clitester@example.org.uk";
    let (ok, out) = cli(
        &app,
        &[
            "user",
            "add",
            "--email",
            email,
            "--forename",
            "Kit",
            "--surname",
            "Clitester",
            "--role",
            "practitioner",
            "--role",
            "manager",
            "--service",
            "Early Help East",
            "--manages",
            "East locality",
        ],
    )
    .await;
    assert!(ok, "{out}");
    let (ok, out) = cli(
        &app,
        &[
            "user",
            "add",
            "--email",
            email,
            "--forename",
            "K",
            "--surname",
            "C",
            "--role",
            "manager",
        ],
    )
    .await;
    assert!(!ok, "the same email twice: {out}");

    // The invitation went out through SMTP; accepting it lets Kit sign in.
    let key = key_in(&app.smtp.nth_message(email, 0).await, "hin_");
    let password = "kit's own passphrase";
    let r = app
        .post(
            paths::ACCEPT_INVITATION,
            json!({"token": key, "password": password}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let kit = app.sign_in(email, password).await;
    assert_eq!(kit.account.roles.len(), 2);
    assert_eq!(kit.account.services.len(), 1);
    assert_eq!(kit.account.work_groups.len(), 1);

    let (ok, out) = cli(&app, &["user", "list"]).await;
    assert!(
        ok && out
            .lines()
            .any(|l| l.contains(email) && l.ends_with("active")),
        "{out}"
    );
    let (ok, out) = cli(&app, &["user", "disable", email]).await;
    assert!(ok, "{out}");
    let (_, out) = cli(&app, &["user", "list"]).await;
    assert!(
        out.lines()
            .any(|l| l.contains(email) && l.ends_with("disabled")),
        "{out}"
    );
    let r = app
        .get_as(paths::ME, kit.tokens.access_token.expose())
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    let (ok, out) = cli(&app, &["audit", "verify"]).await;
    assert!(ok, "{out}");
    let (ok, out) = cli(&app, &["user", "add", "--email", "x@example.org"]).await;
    assert!(!ok && out.contains("--forename"), "{out}");
}
