//! The referral to the MASH (issue 7, seed 003) in the real app window against a real
//! `hearth-server` process:
//!
//! 0. Earlier, on another laptop (a device with no window: the app's store and sync
//!    engine), Jo referred Ada Testwell and her twin Ben with Ada's date of birth, and
//!    later Ada again with a guessed date of birth three months off.
//! 1. Alex, a practitioner, signs in online; the server is stopped (no signal).
//! 2. A new referral: "Submit" straight away lists every missing mandatory answer, exactly
//!    as the domain's rules say, each linking to its question.
//! 3. The pages answered through their own error summaries, the first and the fourth from
//!    the keyboard alone (Tab, Enter, Space and typing), and found on "Check your answers";
//!    consent "No" on an Early Help referral is refused with the message that names the
//!    consent question, on the page and again at "Submit"; changed to a safeguarding
//!    referral, it is submitted offline.
//! 4. The server starts: the referral syncs and gets its permanent reference (MARF-…).
//! 5. Morgan (MASH triage) signs in on a second profile, finds all three in the MASH work
//!    tray, opens Alex's read-only: Jo's two referrals are its existing records of the
//!    child, the same date of birth first, then the one 98 days off (Alex's date is
//!    estimated); records an outcome, and the referrer is emailed. Jo's first referral
//!    (an exact date) finds Alex's and Jo's guessed one (that date is estimated), and
//!    nothing for Ben.
//!
//! A second test seeds referral drafts last saved 27 and 31 days ago into a profile: the
//! dashboard warns about the first (3 days left); the second is deleted when Hearth opens.
//!
//! Every screen visited gets a screenshot (`HEARTH_E2E_SHOTS`) and axe-core (no serious or
//! critical violation). Run with `make test-e2e`.

use anyhow::{anyhow, bail, ensure, Result};
use chrono::NaiveDate;
use chrono::{Duration, Utc};
use hearth_domain::contact::{Address, Gender};
use hearth_domain::referral::{
    Referral, ReferralChild, ReferralConsent, ReferralDraft, ReferralStep, ReferralType, Referrer,
    EARLY_HELP_NEEDS_CONSENT,
};
use hearth_domain::{Config, RecordKind};
use hearth_e2e::app::eventually;
use hearth_e2e::device::Device;
use hearth_e2e::screens::{CHECK_ANSWERS, DASHBOARD, UNLOCK};
use hearth_e2e::seed::signed_in_offline;
use hearth_e2e::webdriver::{keys, Using};
use hearth_e2e::{App, Prereqs, Profile, Server};
use hearth_store::{KeyStorage, Operation, Password, StepSave, Store};
use serde_json::{json, Value};

const ALEX: &str = "alex.demoworker@example.org.uk";
const JO: &str = "jo.demoworker@example.org.uk";
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

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("a real date")
}

/// An invented child of the Testwell family.
fn testwell(first: &str, date_of_birth: NaiveDate, estimated: bool) -> ReferralChild {
    ReferralChild {
        first_name: first.into(),
        last_name: "Testwell".into(),
        date_of_birth: Some(date_of_birth),
        date_of_birth_estimated: estimated,
        ethnicity: "white_british".into(),
        gender: Some(if first == "Ben" {
            Gender::Male
        } else {
            Gender::Female
        }),
        address: Address {
            street: "Testing Row".into(),
            town: "Romford".into(),
            postcode: "RM1 3AB".into(),
            ..Address::default()
        },
        school: "Testbrook Primary".into(),
    }
}

/// Jo's earlier referrals, made and submitted on another laptop and synced, as the app
/// saves them: one page at a time (each page's top-level fields, the first save naming
/// its author), then `status` submitted. Returns their permanent references.
async fn jo_referred_ada_before(server: &Server, config: &Config) -> Result<Vec<String>> {
    let jo = Device::sign_in(server, JO).await?;
    let store = jo.store();
    let referrals = [
        // Ada with her exact date of birth, and her twin brother.
        vec![
            testwell("Ada", d(2016, 3, 14), false),
            testwell("Ben", d(2016, 3, 14), false),
        ],
        // Ada again, her date of birth a guess: 20 June 2016, 98 days after the real one.
        vec![testwell("Ada", d(2016, 6, 20), true)],
    ];
    let mut ids = Vec::new();
    for children in referrals {
        let draft = ReferralDraft {
            referral_type: Some(ReferralType::Safeguarding),
            referrer: Referrer {
                name: "Jo Demoworker".into(),
                role: "Designated safeguarding lead".into(),
                organisation: "Testbrook Primary".into(),
                phone: "01708123456".into(),
                phone_extension: String::new(),
                email: JO.into(),
                organisation_phone: String::new(),
            },
            children,
            household: vec![],
            concerns: "Ada has missed many days of school this term.".into(),
            support_needed: "A visit from a social worker.".into(),
            previous_references: vec![],
            consent: ReferralConsent {
                given: Some(false),
                reason_not_given: "Asking the parents could put the children at risk".into(),
            },
            unfinished_dates: Default::default(),
        };
        Referral::parse(draft.clone(), config).map_err(|e| anyhow!("{e}"))?;
        let Value::Object(all) = serde_json::to_value(&draft)? else {
            bail!("a referral is not an object");
        };
        let title = draft
            .children
            .iter()
            .map(|c| format!("{} {}", c.first_name, c.last_name))
            .collect::<Vec<_>>()
            .join(", ");
        let mut id = None;
        for step in ReferralStep::ALL {
            let mut fields: serde_json::Map<String, Value> = step
                .fields()
                .iter()
                .chain(&["unfinished_dates"])
                .map(|k| ((*k).to_owned(), all[*k].clone()))
                .collect();
            if id.is_none() {
                fields.insert("author_id".into(), Value::String(jo.user_id.clone()));
            }
            let saved = store
                .save_step(StepSave {
                    title: Some(title.clone()),
                    ..StepSave::new(
                        id,
                        RecordKind::Referral,
                        u32::from(step.number()),
                        Value::Object(fields),
                        Utc::now(),
                    )
                })
                .await?;
            id = Some(saved.record_id);
        }
        let id = id.ok_or_else(|| anyhow!("no referral saved"))?;
        store.set_status(id, "submitted", Utc::now()).await?;
        ids.push(id);
    }
    jo.sync().await?;
    let mut references = Vec::new();
    for id in ids {
        let record = store
            .load(id)
            .await?
            .ok_or_else(|| anyhow!("Jo's referral is gone"))?;
        references.push(
            record
                .summary
                .server_reference
                .ok_or_else(|| anyhow!("Jo's referral has no permanent reference after a sync"))?,
        );
    }
    Ok(references)
}

/// Opens the referral of the work tray's row whose reference is `reference`.
async fn open_from_tray(app: &App, reference: &str) -> Result<()> {
    let link = eventually(|| async {
        app.wd
            .find_all(
                Using::XPath,
                &format!(
                    "//main//tr[td[normalize-space(.)={}]]//a",
                    hearth_e2e::webdriver::xpath_literal(reference)
                ),
            )
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| anyhow!("no row for {reference} in the tray"))
    })
    .await?;
    app.wd.click(&link).await
}

/// The rows of the "Existing records of the child" tables, each as one line of text.
async fn matches_shown(app: &App) -> Result<Vec<String>> {
    let section = "//section[h2[normalize-space(.)='Existing records of the child']]";
    // Looked for once the page opens: wait until the search has answered.
    eventually(|| async {
        let text = app.texts(Using::XPath, section).await?.join("\n");
        ensure!(
            !text.contains("Looking for records"),
            "still looking: {text}"
        );
        Ok(())
    })
    .await?;
    Ok(app
        .texts(Using::XPath, &format!("{section}//tbody/tr"))
        .await?
        .into_iter()
        .map(|row| row.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect())
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

    // 0. Jo's earlier referrals about Ada, from another laptop.
    let earlier = jo_referred_ada_before(&server, &config).await?;
    let [jo_same_date, jo_guessed] = earlier.as_slice() else {
        bail!("Jo made {} referrals", earlier.len());
    };
    eprintln!("Jo referred Ada before as {jo_same_date} and {jo_guessed}");

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
    // choice of each list, so Early Help). The first page from the keyboard alone.
    app.press("Back to the task list").await?;
    app.visit(TASK_LIST).await?;
    let first = ReferralStep::TypeAndReferrer.title();
    app.tab_to(&format!("1. {first}"), 60).await?;
    app.key(keys::ENTER).await?;
    app.visit(first).await?;
    let shown = app
        .answer_until_done_by_keyboard(first, "Continue", 20)
        .await?;
    eprintln!("\"{first}\" (keyboard): {} answers asked for", shown.len());
    ensure!(
        shown.iter().any(|(id, _)| id == "referral_type")
            && shown.iter().any(|(id, _)| id == "referrer-email"),
        "the first page did not ask for the type and the email: {shown:?}"
    );
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
    let household = ReferralStep::Household.title();
    app.visit(household).await?;
    let shown = app.answer_until_done(household, "Continue", 20).await?;
    eprintln!("\"{household}\": {} answers asked for", shown.len());
    // The concerns from the keyboard alone.
    let concerns = ReferralStep::Concerns.title();
    app.visit(concerns).await?;
    let shown = app
        .answer_until_done_by_keyboard(concerns, "Continue", 20)
        .await?;
    eprintln!(
        "\"{concerns}\" (keyboard): {} answers asked for",
        shown.len()
    );
    ensure!(shown.iter().any(|(id, _)| id == "concerns"), "{shown:?}");
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
        // Typed from the keyboard on the first page and the concerns.
        "Early Help",
        "Invented Name",
        "invented.person@example.org.uk",
        "02392123456",
        "Invented answer for the test.",
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
        for r in [&reference, jo_same_date, jo_guessed] {
            ensure!(
                text.contains(r.as_str()),
                "{r} not in the tray yet:\n{text}"
            );
        }
        Ok(())
    })
    .await?;
    triage.visit(TRAY).await?;
    ensure!(triage.main_text().await?.contains("3 referrals wait"));
    open_from_tray(&triage, &reference).await?;
    triage.visit(CHILD).await?;
    // Matched: Jo's two referrals hold Ada, the same date of birth first; Ben, her twin,
    // is not her, whatever his date of birth.
    let matched = matches_shown(&triage).await?;
    let expected = [
        format!("{CHILD} 14 March 2016 Same date Referral {jo_same_date}"),
        format!("{CHILD} 20 June 2016 (estimated) 98 Referral {jo_guessed}"),
    ];
    ensure!(
        matched == expected,
        "Alex's referral is matched with {matched:#?}, not {expected:#?}"
    );
    triage.save_shot("referral-matched").await?;
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

    // Jo's first referral has Ada's exact date: Alex's (estimated, the same date) and Jo's
    // guessed one (estimated itself, 98 days off) may be her; nothing is Ben.
    triage.nav("My referrals").await?;
    triage.wait_for_screen(MY_REFERRALS).await?;
    triage.press(TRAY).await?;
    triage.visit(TRAY).await?;
    ensure!(triage.main_text().await?.contains("2 referrals wait"));
    open_from_tray(&triage, jo_same_date).await?;
    triage.visit("Ada Testwell, Ben Testwell").await?;
    let matched = matches_shown(&triage).await?;
    let expected = [
        format!("{CHILD} 14 March 2016 (estimated) Same date Referral {reference}"),
        format!("{CHILD} 20 June 2016 (estimated) 98 Referral {jo_guessed}"),
    ];
    ensure!(
        matched == expected,
        "Jo's referral is matched with {matched:#?}, not {expected:#?}"
    );
    let text = triage.main_text().await?;
    ensure!(
        text.contains("Ben Testwell, born 14 March 2016")
            && text.contains("No existing record found for this child."),
        "{text}"
    );

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
