//! The referral to the MASH (issue 7, seed 003) in the real app window against a real
//! `hearth-server` process:
//!
//! 1. Alex, a practitioner, signs in online; the server is stopped (no signal).
//! 2. A new referral: "Submit" straight away lists every missing mandatory answer, exactly
//!    as the domain's rules say, each linking to its question.
//! 3. The pages answered through their own error summaries; consent "No" on an Early Help
//!    referral is refused with the message that names the consent question, on the page
//!    and again at "Submit"; changed to a safeguarding referral, it is submitted offline.
//! 4. The server starts: the referral syncs and gets its permanent reference (MARF-…).
//! 5. Morgan (MASH triage) signs in on a second profile, finds it in the MASH work tray,
//!    opens it read-only and records an outcome; the referrer is emailed.
//!
//! A second test seeds referral drafts last saved 27 and 31 days ago into a profile: the
//! dashboard warns about the first (3 days left); the second is deleted when Hearth opens.
//!
//! Every screen visited gets a screenshot (`HEARTH_E2E_SHOTS`) and axe-core (no serious or
//! critical violation). Run with `make test-e2e`.

use anyhow::{anyhow, bail, ensure, Result};
use chrono::{Duration, Utc};
use hearth_domain::referral::{ReferralDraft, ReferralStep, EARLY_HELP_NEEDS_CONSENT};
use hearth_domain::{Config, RecordKind};
use hearth_e2e::app::eventually;
use hearth_e2e::screens::{CHECK_ANSWERS, DASHBOARD, UNLOCK};
use hearth_e2e::seed::signed_in_offline;
use hearth_e2e::webdriver::Using;
use hearth_e2e::{App, Prereqs, Profile, Server};
use hearth_store::{KeyStorage, Operation, Password, StepSave, Store};
use serde_json::json;

const ALEX: &str = "alex.demoworker@example.org.uk";
const MORGAN: &str = "morgan.demotriage@example.org.uk";
const TASK_LIST: &str = "Referral to the MASH";
const SUBMITTED: &str = "Referral submitted";
const MY_REFERRALS: &str = "My referrals";
const TRAY: &str = "MASH work tray";
/// The child's name as the answers invented by forms.rs make it.
const CHILD: &str = "Ada Testwell";

/// An element id as the UI makes it from a validation path (ARCHITECTURE "Invariants").
fn field_id(path: &str) -> String {
    path.replace('[', "-").replace(']', "").replace('.', "-")
}

/// The first `MARF-<digits>` in a text.
fn marf_reference(text: &str) -> Option<String> {
    let at = text.find("MARF-")?;
    let digits: String = text[at + 5..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (!digits.is_empty()).then(|| format!("MARF-{digits}"))
}

/// Clicks the radio or checkbox whose label reads `label`.
async fn choose(app: &App, label: &str) -> Result<()> {
    let input = app.field(label).await?;
    app.wd.click(&input).await?;
    ensure!(
        app.wd.property(&input, "checked").await?.as_bool() == Some(true),
        "\"{label}\" is not chosen"
    );
    Ok(())
}

#[tokio::test]
async fn a_referral_drafted_offline_is_submitted_synced_and_decided_by_the_mash() -> Result<()> {
    let prereqs = Prereqs::from_env()?;
    let mut server = Server::start(&prereqs)?;
    let config = Config::builtin();

    // 1. Alex signs in online, then the connection goes.
    let alex = Profile::new("referrer")?;
    let app = App::start(&prereqs, &alex).await?;
    app.sign_in_first_run(&server, ALEX).await?;
    server.stop()?;

    // 2. "Submit" at once lists every missing mandatory answer.
    app.nav("New referral").await?;
    app.visit(TASK_LIST).await?;
    app.press("Check your answers").await?;
    app.visit(CHECK_ANSWERS).await?;
    app.press("Submit the referral").await?;
    let listed = app.error_summary().await?;
    let expected: Vec<(String, String)> = ReferralDraft::default()
        .validate(&config)
        .into_iter()
        .map(|e| (format!("#{}", field_id(&e.path)), e.message))
        .collect();
    ensure!(
        listed == expected,
        "Submit on a blank referral lists\n{listed:#?}\nbut the rules say\n{expected:#?}"
    );
    eprintln!(
        "Submit on a blank referral: {} missing answers",
        listed.len()
    );
    app.save_shot("referral-every-missing-answer").await?;
    app.axe_check("Check your answers, every missing answer")
        .await?;
    // A link opens the question's page with focus on the field.
    let (first_href, first_message) = listed[0].clone();
    app.follow(&first_message).await?;
    app.wait_for_screen(ReferralStep::TypeAndReferrer.title())
        .await?;
    eventually(|| async {
        let focused = app.focused_id().await?;
        ensure!(
            format!("#{focused}") == first_href,
            "focus is on #{focused}, not {first_href}"
        );
        Ok(())
    })
    .await?;

    // 3. Opened from "Check your answers", Continue would go back there: start from the
    // task list instead, and answer each page through its own error summary (the first
    // choice of each list, so Early Help).
    app.press("Back to the task list").await?;
    app.visit(TASK_LIST).await?;
    app.press(&format!("1. {}", ReferralStep::TypeAndReferrer.title()))
        .await?;
    let first = ReferralStep::TypeAndReferrer.title();
    app.visit(first).await?;
    let shown = app.answer_until_done(first, "Continue", 20).await?;
    eprintln!("\"{first}\": {} answers asked for", shown.len());
    // The child, typed as a referrer would, the lists by type-ahead; the date of birth is
    // a guess, so "estimated" is ticked.
    let children = ReferralStep::Children.title();
    app.visit(children).await?;
    app.press("Continue").await?;
    eventually(|| async {
        let asked = app.error_summary().await?;
        ensure!(asked.len() == 5, "the children's page asks for {asked:?}");
        Ok(())
    })
    .await?;
    app.fill("First name", "Ada").await?;
    app.fill("Last name", "Testwell").await?;
    app.fill("Day", "14").await?;
    app.fill("Month", "3").await?;
    app.fill("Year", "2016").await?;
    choose(&app, "Is the date of birth estimated?").await?;
    let ethnicity = app.field("Ethnicity").await?;
    app.wd.send_keys(&ethnicity, "White").await?;
    let gender = app.field("Gender").await?;
    app.wd.send_keys(&gender, "Female").await?;
    app.press("Continue").await?;
    for step in [ReferralStep::Household, ReferralStep::Concerns] {
        app.visit(step.title()).await?;
        let shown = app.answer_until_done(step.title(), "Continue", 20).await?;
        eprintln!("\"{}\": {} answers asked for", step.title(), shown.len());
    }
    // Consent: "No" with a reason, on an Early Help referral.
    let consent = ReferralStep::Consent.title();
    app.visit(consent).await?;
    choose(&app, "No").await?;
    app.fill(
        "Why has consent not been given?",
        "The invented parents have not been asked yet.",
    )
    .await?;
    let needs_consent = (
        format!("#{}", field_id("consent.given")),
        EARLY_HELP_NEEDS_CONSENT.to_owned(),
    );
    // The page opens with Submit's summary; the press brings the page's own.
    app.press("Continue").await?;
    eventually(|| async {
        let refused = app.error_summary().await?;
        ensure!(
            refused == [needs_consent.clone()],
            "consent No on an Early Help referral shows {refused:?}"
        );
        Ok(())
    })
    .await?;
    app.save_shot("early-help-needs-consent").await?;
    app.axe_check("Consent, Early Help without consent").await?;
    // Nothing typed is lost; Submit refuses it too, with the same message.
    app.press("Back to the task list").await?;
    app.visit(TASK_LIST).await?;
    app.press("Check your answers").await?;
    app.visit(CHECK_ANSWERS).await?;
    let answers = app.main_text().await?;
    for shown in [
        CHILD,
        "14 March 2016 (estimated)",
        "Female",
        "The invented parents have not been asked yet.",
    ] {
        ensure!(
            answers.contains(shown),
            "\"{shown}\" is not in the answers:\n{answers}"
        );
    }
    app.press("Submit the referral").await?;
    eventually(|| async {
        let refused = app.error_summary().await?;
        ensure!(
            refused == [needs_consent.clone()],
            "Submit shows {refused:?}"
        );
        Ok(())
    })
    .await?;
    app.save_shot("submit-refused-without-consent").await?;

    // Changed to a safeguarding referral: it goes through, offline.
    app.press("Change type of referral").await?;
    app.visit(ReferralStep::TypeAndReferrer.title()).await?;
    choose(&app, "Safeguarding").await?;
    app.press("Continue").await?;
    app.visit(CHECK_ANSWERS).await?;
    ensure!(app.main_text().await?.contains("Safeguarding"));
    app.press("Submit the referral").await?;
    app.visit(SUBMITTED).await?;
    let done = app.main_text().await?;
    ensure!(done.contains("LOCAL-MARF-"), "{done}");
    let bar = app.sync_bar().await?;
    ensure!(!bar.contains("No changes waiting"), "offline, yet: {bar}");

    // 4. Back online: it syncs and gets its permanent reference.
    server.resume()?;
    app.press("View the referral").await?;
    app.visit(CHILD).await?;
    app.synced().await?;
    let reference = eventually(|| async {
        app.nav("My referrals").await?;
        app.wait_for_screen(MY_REFERRALS).await?;
        marf_reference(&app.main_text().await?)
            .ok_or_else(|| anyhow!("no permanent reference in My referrals yet"))
    })
    .await?;
    eprintln!("the referral synced as {reference}");
    app.visit(MY_REFERRALS).await?;

    // 5. MASH triage finds it in the tray and records the outcome.
    let morgan = Profile::new("triage")?;
    let triage = App::start(&prereqs, &morgan).await?;
    triage.sign_in_first_run(&server, MORGAN).await?;
    eventually(|| async {
        if let Ok(b) = triage.button("Sync now").await {
            let _ = triage.wd.click(&b).await;
        }
        triage.nav("My referrals").await?;
        triage.wait_for_screen(MY_REFERRALS).await?;
        triage.press(TRAY).await?;
        triage.wait_for_screen(TRAY).await?;
        let text = triage.main_text().await?;
        ensure!(text.contains(&reference), "not in the tray yet:\n{text}");
        Ok(())
    })
    .await?;
    triage.visit(TRAY).await?;
    ensure!(triage.main_text().await?.contains("1 referral waits"));
    triage.follow(CHILD).await?;
    triage.visit(CHILD).await?;
    let text = triage.main_text().await?;
    for shown in [
        "Existing records of the child",
        "Safeguarding",
        "The invented parents have not been asked yet.",
    ] {
        ensure!(
            text.contains(shown),
            "\"{shown}\" is not on the page:\n{text}"
        );
    }
    ensure!(
        triage
            .wd
            .find_all(Using::Css, "main input[type=text], main textarea")
            .await?
            .is_empty(),
        "triage's view of the referral has answer fields"
    );
    triage.press("Record the outcome").await?;
    let errors = triage.error_summary().await?;
    ensure!(
        errors
            == [(
                "#outcome".to_owned(),
                "Select the outcome of the referral".to_owned()
            )],
        "{errors:?}"
    );
    triage.axe_check("referral, outcome not chosen").await?;
    choose(&triage, "Early Help").await?;
    triage.press("Record the outcome").await?;
    triage
        .wait_for_status("Outcome recorded: Early Help")
        .await?;
    triage.save_shot("outcome-recorded").await?;
    triage.axe_check("referral, outcome recorded").await?;
    triage.synced().await?;

    // The referrer is emailed (development outbox), and sees the outcome after a sync.
    let outbox = server.data_dir.path().join("outbox");
    eventually(|| async {
        for entry in std::fs::read_dir(&outbox)?.flatten() {
            let mail = std::fs::read_to_string(entry.path())?;
            if mail.lines().any(|l| l == format!("To: {ALEX}"))
                && mail.contains(&format!("recorded an outcome for referral {reference}"))
            {
                return Ok(());
            }
        }
        bail!("no outcome email to the referrer in {}", outbox.display())
    })
    .await?;
    eventually(|| async {
        if let Ok(b) = app.button("Sync now").await {
            let _ = app.wd.click(&b).await;
        }
        app.nav("Dashboard").await?;
        app.wait_for_screen(DASHBOARD).await?;
        app.nav("My referrals").await?;
        app.wait_for_screen(MY_REFERRALS).await?;
        let text = app.main_text().await?;
        ensure!(
            text.contains("Outcome recorded: Early Help"),
            "the referrer does not see the outcome yet:\n{text}"
        );
        Ok(())
    })
    .await?;
    app.visit(MY_REFERRALS).await?;

    triage.quit().await?;
    app.quit().await?;
    Ok(())
}

/// Invented; long enough for the app's minimum.
const PASSWORD: &str = "invented kettle lantern 42";

#[tokio::test]
async fn drafts_are_deleted_thirty_days_after_their_last_save_with_a_warning_before() -> Result<()>
{
    let prereqs = Prereqs::from_env()?;
    let profile = Profile::new("old-drafts")?;
    let store = Store::open_or_create(
        profile.data_dir.path(),
        KeyStorage::PasswordWrapped {
            password: Password::new(PASSWORD),
        },
        Utc::now(),
    )
    .await?;
    // Saved `days_ago` days and an hour ago: 27 days leaves 2 days 23 hours (said as 3).
    let draft = |first: &str, days_ago: i64| StepSave {
        title: Some(format!("{first} Oldfield")),
        ..StepSave::new(
            None,
            RecordKind::Referral,
            2,
            json!({"children": [{"first_name": first, "last_name": "Oldfield"}]}),
            Utc::now() - Duration::days(days_ago) - Duration::hours(1),
        )
    };
    let soon = store.save_step(draft("Ada", 27)).await?.record_id;
    let gone = store.save_step(draft("Bea", 31)).await?.record_id;
    store.close().await;
    signed_in_offline(profile.data_dir.path(), PASSWORD).await?;

    let app = App::start(&prereqs, &profile).await?;
    app.visit(UNLOCK).await?;
    app.fill("Password", PASSWORD).await?;
    app.press("Unlock").await?;
    app.wait_for_screen(DASHBOARD).await?;
    let warning = eventually(|| async {
        let text = app.main_text().await?;
        ensure!(
            text.contains("A draft referral is about to be deleted"),
            "no warning on the dashboard:\n{text}"
        );
        Ok(text)
    })
    .await?;
    ensure!(
        warning.contains("Ada Oldfield") && warning.contains("deleted in 3 days"),
        "{warning}"
    );
    ensure!(!warning.contains("Bea Oldfield"), "{warning}");
    app.visit(DASHBOARD).await?;
    app.save_shot("dashboard-draft-about-to-be-deleted").await?;

    app.nav("My referrals").await?;
    app.visit(MY_REFERRALS).await?;
    let list = app.main_text().await?;
    ensure!(
        list.contains("Ada Oldfield") && !list.contains("Bea Oldfield"),
        "{list}"
    );
    app.quit().await?;

    // The expired draft is gone from the cache, with a discard waiting for the server.
    let store = Store::open_or_create(
        profile.data_dir.path(),
        KeyStorage::PasswordWrapped {
            password: Password::new(PASSWORD),
        },
        Utc::now(),
    )
    .await?;
    ensure!(
        store.load(gone).await?.is_none(),
        "the 31-day-old draft is still there"
    );
    ensure!(store.load(soon).await?.is_some());
    let pending = store.pending_mutations(100).await?;
    ensure!(
        pending
            .iter()
            .any(|m| m.record_id == gone.as_uuid() && matches!(m.operation, Operation::Discard)),
        "no discard queued for the deleted draft"
    );
    store.close().await;
    Ok(())
}
