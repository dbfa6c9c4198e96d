//! Sharing and transfer in the real app window (issue 5), on a device with no server
//! connection: the plan view's "Sharing" section, looking a colleague up offline (a clear
//! message in the error summary, nothing lost), and "Transfers waiting for you" from the
//! dashboard tile. Every screen visited gets a screenshot and an axe-core check.
//!
//! Run with `make test-e2e` (Xvfb, tauri-driver, the app and the server built first).

use anyhow::{ensure, Result};
use hearth_e2e::app::eventually;
use hearth_e2e::screens::UNLOCK;
use hearth_e2e::seed::{seed_plans, signed_in_offline, PlanMix};
use hearth_e2e::webdriver::Using;
use hearth_e2e::{App, Prereqs, Profile};

/// Invented; long enough for the app's minimum.
const PASSWORD: &str = "invented kettle lantern 42";

#[tokio::test]
async fn the_sharing_section_says_looking_up_needs_a_connection() -> Result<()> {
    let prereqs = Prereqs::from_env()?;
    let profile = Profile::new("sharing-offline")?;
    let mix = PlanMix {
        drafts: 0,
        completed: 1,
        closed: 0,
    };
    seed_plans(profile.data_dir.path(), PASSWORD, mix).await?;
    signed_in_offline(profile.data_dir.path(), PASSWORD).await?;

    let app = App::start(&prereqs, &profile).await?;
    app.visit(UNLOCK).await?;
    app.fill("Password", PASSWORD).await?;
    app.press("Unlock").await?;
    app.visit("Dashboard").await?;

    // The tile leads to the list of transfers waiting (none on this device).
    app.follow("Transfers waiting for me").await?;
    app.visit("Transfers waiting for you").await?;
    ensure!(
        app.main_text()
            .await?
            .contains("No plan is waiting for you to authorise its transfer."),
        "{}",
        app.main_text().await?
    );

    // The plan view has the Sharing section.
    app.nav("My plans").await?;
    app.wait_for_screen("My plans").await?;
    eventually(|| async {
        let links = app.wd.find_all(Using::Css, "main tbody a").await?;
        ensure!(links.len() == 1, "expected one plan, found {}", links.len());
        app.wd.click(&links[0]).await
    })
    .await?;
    eventually(|| async {
        let h2s = app.texts(Using::Css, "main h2").await?;
        ensure!(h2s.iter().any(|h| h == "Sharing"), "h2s: {h2s:?}");
        Ok(())
    })
    .await?;
    let title = app.h1s().await?.remove(0);
    app.visit(&title).await?;
    ensure!(app
        .main_text()
        .await?
        .contains("This plan is not shared with anyone."));

    // Offline: the look-up explains itself, the address stays as typed.
    let email = "jo.invented@example.org.uk";
    app.fill("Their email address", email).await?;
    app.press("Find this person").await?;
    let summary = app.error_summary().await?;
    ensure!(
        summary.len() == 1
            && summary[0].0 == "#sharing-email"
            && summary[0]
                .1
                .contains("needs a connection to the Hearth server"),
        "{summary:?}"
    );
    ensure!(app.value_of("Their email address").await? == email);
    app.axe_check("plan view, sharing look-up offline").await?;
    app.save_shot("sharing-lookup-offline").await?;
    app.quit().await
}
