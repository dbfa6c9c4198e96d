//! The practitioner's desk in the real app window against a real server (issue 5): first
//! run, sign-in with the emailed code, the dashboard, a crash (`kill -9`) and the offline
//! unlock. Every screen visited gets a screenshot and an axe-core check.
//!
//! Run with `make test-e2e` (Xvfb, tauri-driver, the app and the server built first).

use anyhow::{ensure, Result};
use hearth_e2e::app::eventually;
use hearth_e2e::screens::{CHECK_EMAIL, CONNECT, DASHBOARD, SIGN_IN, UNLOCK};
use hearth_e2e::webdriver::keys;
use hearth_e2e::{App, Prereqs, Profile, Server};

const ALEX: &str = "alex.demoworker@example.org.uk";
/// The demo organisation's password (`hearth-server demo-seed`; invented).
use hearth_e2e::app::DEMO_PASSWORD;

async fn expect_tile(app: &App, label: &str, heard: &str) -> Result<()> {
    let text = app.tile(label).await?;
    ensure!(
        format!(" {text} ").contains(&format!(" {heard} ")),
        "the tile \"{label}\" reads \"{text}\" to a screen reader, expected \"{heard}\""
    );
    Ok(())
}

/// The one error in the summary: it links to `#id`, and the field shows the same message.
async fn expect_one_error(app: &App, id: &str, label: &str) -> Result<String> {
    let errors = app.error_summary().await?;
    ensure!(
        errors.len() == 1 && errors[0].0 == format!("#{id}") && !errors[0].1.is_empty(),
        "expected one error on #{id}, the summary has {errors:?}"
    );
    app.expect_field_error(label, &errors[0].1).await?;
    Ok(errors[0].1.clone())
}

#[tokio::test]
async fn first_run_sign_in_crash_and_offline_unlock() -> Result<()> {
    let prereqs = Prereqs::from_env()?;
    let server = Server::start(&prereqs)?;
    let profile = Profile::new("first-run")?;

    let app = App::start(&prereqs, &profile).await?;
    app.visit(CONNECT).await?;
    app.press("Continue").await?;
    expect_one_error(&app, "server", "Server address").await?;
    app.save_shot("connect-error").await?;
    app.axe_check("Connect, with an error").await?;
    app.fill("Server address", &server.url()).await?;
    app.press("Continue").await?;

    app.visit(SIGN_IN).await?;
    app.fill("Email address", ALEX).await?;
    app.fill("Password", "invented wrong password 9").await?;
    app.press("Sign in").await?;
    let message = eventually(|| async {
        let alerts = app
            .texts(hearth_e2e::webdriver::Using::Css, "[role=alert]")
            .await?;
        alerts
            .into_iter()
            .find(|t| !t.is_empty())
            .ok_or_else(|| anyhow::anyhow!("no alert after a wrong password"))
    })
    .await?;
    eprintln!("wrong password at sign-in: {message}");
    // Nothing typed is lost.
    ensure!(app.value_of("Email address").await? == ALEX);
    app.save_shot("sign-in-wrong-password").await?;
    app.axe_check("Sign in, wrong password").await?;
    app.fill("Password", DEMO_PASSWORD).await?;
    app.press("Sign in").await?;

    app.visit(CHECK_EMAIL).await?;
    let code = eventually(|| async { server.latest_sign_in_code(ALEX) }).await?;
    app.fill("Code from the email", &code).await?;
    app.press("Continue").await?;

    app.expect_screen_with_focus(DASHBOARD).await?;
    app.visit(DASHBOARD).await?;
    expect_tile(&app, "Drafts in progress", "0 plans").await?;

    // A crash: nothing gets to close cleanly.
    app.kill9()?;

    let app = App::start(&prereqs, &profile).await?;
    app.visit(UNLOCK).await?;
    // From the keyboard alone: Tab to the field, type, Enter.
    app.tab_to("Password", 20).await?;
    app.type_text("invented wrong password 1").await?;
    app.key(keys::ENTER).await?;
    let message = expect_one_error(&app, "password", "Password").await?;
    eprintln!("wrong password at unlock: {message}");
    // What was typed stays, to correct rather than retype.
    ensure!(app.value_of("Password").await? == "invented wrong password 1");
    app.save_shot("unlock-hearth-wrong-password").await?;
    app.axe_check("Unlock Hearth, wrong password").await?;

    app.fill("Password", DEMO_PASSWORD).await?;
    app.press("Unlock").await?;
    app.visit(DASHBOARD).await?;
    expect_tile(&app, "Drafts in progress", "0 plans").await?;
    app.quit().await
}
