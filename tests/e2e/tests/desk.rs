//! The practitioner's desk in the real app window (issue 5): the local password, the
//! dashboard's counts, a crash (`kill -9`) and unlocking again. Every screen visited gets a
//! screenshot and an axe-core check.
//!
//! Run with `make test-e2e` (Xvfb, tauri-driver, the app and the server built first).

use anyhow::{ensure, Result};
use hearth_e2e::screens::{DASHBOARD, SET_PASSWORD, UNLOCK};
use hearth_e2e::seed::{seed_plans, PlanMix};
use hearth_e2e::{App, Prereqs, Profile};

/// Invented; long enough for the app's minimum.
const PASSWORD: &str = "invented kettle lantern 42";

/// The text a screen reader hears for the dashboard tile labelled `label` (its whole
/// `<li>`: label, count and hint), leaving out what is `aria-hidden`.
async fn tile(app: &App, label: &str) -> Result<String> {
    let text = app
        .wd
        .execute(
            r#"const heard = n => n.nodeType === 3 ? n.textContent
                 : n.nodeType === 1 && n.getAttribute('aria-hidden') === 'true' ? ''
                 : [...n.childNodes].map(heard).join(' ');
               const h = [...document.querySelectorAll('h3')].find(h => h.textContent.trim() === arguments[0]);
               return h ? heard(h.closest('li')).replace(/\s+/g, ' ').trim() : null;"#,
            vec![label.into()],
        )
        .await?;
    text.as_str()
        .map(str::to_owned)
        .ok_or_else(|| anyhow::anyhow!("no dashboard tile \"{label}\""))
}

async fn expect_tile(app: &App, label: &str, heard: &str) -> Result<()> {
    let text = tile(app, label).await?;
    ensure!(
        format!(" {text} ").contains(&format!(" {heard} ")),
        "the tile \"{label}\" reads \"{text}\" to a screen reader, expected \"{heard}\""
    );
    Ok(())
}

fn pairs(errors: &[(&str, &str)]) -> Vec<(String, String)> {
    errors
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

#[tokio::test]
async fn a_new_device_sets_a_password_survives_a_crash_and_unlocks() -> Result<()> {
    let prereqs = Prereqs::from_env()?;
    let profile = Profile::new("new-device")?;

    let app = App::start(&prereqs, &profile).await?;
    app.visit(SET_PASSWORD).await?;

    // Nothing entered: both fields are named in the summary and beside the field.
    app.press("Set password and continue").await?;
    assert_eq!(
        app.error_summary().await?,
        pairs(&[
            ("#password", "Enter a password"),
            ("#confirm", "Enter the password again to confirm it"),
        ])
    );
    app.expect_field_error("Create a password", "Enter a password")
        .await?;
    app.expect_field_error("Confirm password", "Enter the password again to confirm it")
        .await?;
    app.save_shot("set-a-local-password-errors").await?;
    app.axe_check("Set a local password, with errors").await?;

    // Two different passwords: only the confirmation is wrong, and nothing typed is lost.
    app.fill("Create a password", PASSWORD).await?;
    app.fill("Confirm password", "invented but different 7")
        .await?;
    app.press("Set password and continue").await?;
    assert_eq!(
        app.error_summary().await?,
        pairs(&[(
            "#confirm",
            "The passwords do not match. Enter the same password twice"
        )])
    );
    assert_eq!(app.value_of("Create a password").await?, PASSWORD);

    app.fill("Confirm password", PASSWORD).await?;
    app.press("Set password and continue").await?;
    app.visit(DASHBOARD).await?;
    expect_tile(&app, "Drafts in progress", "0 plans").await?;
    expect_tile(&app, "Completed", "0 plans").await?;
    expect_tile(&app, "Closed", "0 plans").await?;

    // A crash: nothing gets to close cleanly.
    app.kill9()?;

    let app = App::start(&prereqs, &profile).await?;
    app.visit(UNLOCK).await?;
    // From the keyboard alone: Tab to the field, type, Enter.
    app.tab_to("Password", 10).await?;
    app.type_text("invented wrong password 1").await?;
    app.key(hearth_e2e::webdriver::keys::ENTER).await?;
    assert_eq!(
        app.error_summary().await?,
        pairs(&[(
            "#password",
            "The password is not right. Check it and enter it again"
        )])
    );
    app.expect_field_error(
        "Password",
        "The password is not right. Check it and enter it again",
    )
    .await?;
    // What was typed stays, to correct rather than retype.
    assert_eq!(app.value_of("Password").await?, "invented wrong password 1");
    app.save_shot("unlock-hearth-wrong-password").await?;
    app.axe_check("Unlock Hearth, wrong password").await?;

    app.fill("Password", PASSWORD).await?;
    app.press("Unlock").await?;
    app.visit(DASHBOARD).await?;
    expect_tile(&app, "Drafts in progress", "0 plans").await?;
    app.quit().await
}

#[tokio::test]
async fn the_dashboard_counts_the_plans_in_the_cache() -> Result<()> {
    let prereqs = Prereqs::from_env()?;
    let profile = Profile::new("busy-device")?;
    let mix = PlanMix {
        drafts: 3,
        completed: 2,
        closed: 1,
    };
    let pending = seed_plans(profile.data_dir.path(), PASSWORD, mix).await?;
    ensure!(pending > 0, "seeding left nothing waiting to sync");

    let app = App::start(&prereqs, &profile).await?;
    app.visit(UNLOCK).await?;
    app.fill("Password", PASSWORD).await?;
    app.press("Unlock").await?;
    app.visit(DASHBOARD).await?;
    expect_tile(&app, "Drafts in progress", "3 plans").await?;
    expect_tile(&app, "Completed", "2 plans").await?;
    expect_tile(&app, "Closed", "1 plan").await?;
    let sync = app
        .texts(hearth_e2e::webdriver::Using::Css, "footer [role=status]")
        .await?;
    ensure!(
        sync.iter()
            .any(|t| t.contains(&format!("{pending} changes waiting to sync"))),
        "the sync bar reads {sync:?}, expected {pending} changes waiting"
    );

    // The axe check itself can fail: an unlabelled field and an image with no text put
    // into the page make it report critical violations naming them.
    app.wd
        .execute(
            r#"const probe = document.createElement('div');
               probe.id = 'axe-probe';
               probe.innerHTML = '<input type="text" id="axe-probe-input"><img src="" id="axe-probe-img">';
               document.querySelector('main').appendChild(probe);"#,
            vec![],
        )
        .await?;
    let err = app
        .axe_check("dashboard with a planted defect")
        .await
        .expect_err("axe-core must report an unlabelled input and an image without alt text");
    let err = format!("{err:#}");
    ensure!(
        err.contains("#axe-probe-input") && err.contains("#axe-probe-img"),
        "{err}"
    );
    ensure!(err.contains("(critical)"), "{err}");
    app.wd
        .execute("document.getElementById('axe-probe').remove();", vec![])
        .await?;
    app.axe_check("Your work, defect removed").await?;
    app.quit().await
}
