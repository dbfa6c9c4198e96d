//! The whole Family Support Plan story (issue 5, seed 001) in the real app window against a
//! real `hearth-server` process, with two practitioners on two app profiles:
//!
//! 1. Alex signs in online; the server is stopped (a home visit, no signal).
//! 2. A new plan: "Finish" straight away lists every missing mandatory field, exactly as the
//!    domain's rules say, each linking to its question.
//! 3. The nine steps from the keyboard alone (Tab, Enter, Space and typing; no clicks), each
//!    page answered through its own error summary; a half-typed date is kept and named in
//!    its error; the app is killed (`kill -9`) mid-step and restarted: unlocked with the
//!    password, the draft is intact; "Change" on "Check your answers" returns there; Finish.
//! 4. The server starts again: the plan syncs with no conflict and its permanent reference
//!    (FSP-…) appears. Alex shares it with Jo; Jo, on the second profile, signs in and sees it.
//! 5. Alex adds a review; Alex offers the plan to Jo, who authorises the transfer from the
//!    dashboard; Jo closes the plan through a review.
//!
//! Every screen visited gets a screenshot (`HEARTH_E2E_SHOTS`) and axe-core (no serious or
//! critical violation). Run with `make test-e2e`.

use std::collections::BTreeSet;

use anyhow::{anyhow, bail, ensure, Result};
use hearth_domain::plan::{PlanDraft, WizardStep};
use hearth_domain::Config;
use hearth_e2e::app::eventually;
use hearth_e2e::screens::{CHECK_ANSWERS, DASHBOARD, MY_PLANS, PLAN_COMPLETED, TASK_LIST, UNLOCK};
use hearth_e2e::webdriver::{keys, Using};
use hearth_e2e::{App, Prereqs, Profile, Server};

const ALEX: &str = "alex.demoworker@example.org.uk";
const JO: &str = "jo.demoworker@example.org.uk";
/// The demo organisation's password (`hearth-server demo-seed`; invented).
use hearth_e2e::app::DEMO_PASSWORD;
/// What the keyboard answers give the plan's family name (forms.rs `invented_text`).
const FAMILY: &str = "Testwell";
const PLAN_TITLE: &str = "Testwell family";
const REVIEW_TITLE: &str = "Review the plan";

/// An element id as the UI makes it from a validation path (ARCHITECTURE "Invariants").
fn field_id(path: &str) -> String {
    let mut out = String::new();
    for c in path.chars() {
        match c {
            '[' | '.' => out.push('-'),
            ']' => {}
            c => out.push(c),
        }
    }
    out
}

/// The task list's button for a step: "3. Family members and important people".
fn task(step: WizardStep) -> String {
    format!("{}. {}", step.number(), step.title())
}

/// The first `FSP-<digits>` in the screen's text.
fn fsp_reference(text: &str) -> Option<String> {
    let at = text.find("FSP-")?;
    let digits: String = text[at + 4..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (!digits.is_empty()).then(|| format!("FSP-{digits}"))
}

/// Presses the one visible button whose text starts with `prefix` ("Attach Jo …").
async fn press_starting(app: &App, prefix: &str) -> Result<()> {
    let xpath = format!(
        "//button[starts-with(normalize-space(.), {})]",
        hearth_e2e::webdriver::xpath_literal(prefix)
    );
    let button = eventually(|| async {
        let mut visible = Vec::new();
        for b in app.wd.find_all(Using::XPath, &xpath).await? {
            if app.wd.is_displayed(&b).await? {
                visible.push(b);
            }
        }
        match visible.as_slice() {
            [one] => Ok(one.clone()),
            _ => bail!(
                "expected one button starting \"{prefix}\", found {}",
                visible.len()
            ),
        }
    })
    .await?;
    app.wd.click(&button).await
}

/// Opens the plan from "My plans" (by mouse), waiting for it to be listed.
async fn open_from_my_plans(app: &App, reference: &str) -> Result<()> {
    eventually(|| async {
        app.nav("My plans").await?;
        app.wait_for_screen(MY_PLANS).await?;
        let text = app.main_text().await?;
        if !text.contains(reference) {
            if let Ok(b) = app.button("Sync now").await {
                let _ = app.wd.click(&b).await;
            }
            bail!("{reference} is not in My plans yet:\n{text}");
        }
        Ok(())
    })
    .await?;
    app.visit(MY_PLANS).await?;
    app.follow(FAMILY).await?;
    app.visit(PLAN_TITLE).await?;
    Ok(())
}

#[tokio::test]
async fn a_family_support_plan_from_a_home_visit_to_its_closure() -> Result<()> {
    let prereqs = Prereqs::from_env()?;
    let mut server = Server::start(&prereqs)?;
    let config = Config::builtin();

    // ---------------------------------------------------------------------------------
    // 1. Alex signs in online, then the connection goes.
    let alex = Profile::new("alex")?;
    let app = App::start(&prereqs, &alex).await?;
    app.sign_in_first_run(&server, ALEX).await?;
    server.stop()?;

    // ---------------------------------------------------------------------------------
    // 2. A new plan; "Finish" at once lists every missing mandatory field.
    app.nav("New plan").await?;
    app.visit(TASK_LIST).await?;
    app.press("Check your answers").await?;
    app.visit(CHECK_ANSWERS).await?;
    app.press("Finish").await?;
    let listed = app.error_summary().await?;
    let expected: Vec<(String, String)> = PlanDraft::default()
        .validate(&config)
        .into_iter()
        .map(|e| (format!("#{}", field_id(&e.path)), e.message))
        .collect();
    ensure!(
        listed == expected,
        "Finish on a blank plan lists\n{listed:#?}\nbut the plan's rules say\n{expected:#?}"
    );
    eprintln!(
        "Finish on a blank plan: {} missing answers listed",
        listed.len()
    );
    app.save_shot("check-your-answers-every-missing-field")
        .await?;
    app.axe_check("Check your answers, every missing field")
        .await?;
    // A link opens the question's page with focus on the field.
    let (first_href, first_message) = listed[0].clone();
    app.follow(&first_message).await?;
    app.wait_for_screen(WizardStep::ConsentAndPractitioner.title())
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
    app.press("Back to the task list").await?;
    app.visit(TASK_LIST).await?;

    // ---------------------------------------------------------------------------------
    // 3. The nine steps from the keyboard alone.
    let mut linked_on_pages: BTreeSet<String> = BTreeSet::new();
    app.tab_to(&task(WizardStep::ConsentAndPractitioner), 60)
        .await?;
    app.key(keys::ENTER).await?;
    for step in &WizardStep::ALL[..8] {
        app.visit(step.title()).await?;
        let shown = app
            .answer_until_done_by_keyboard(step.title(), "Continue", 40)
            .await?;
        linked_on_pages.extend(shown.into_iter().map(|(id, _)| format!("#{id}")));
    }

    // Step 9: the family name, and a date of the next review with no year yet.
    let step9 = WizardStep::FamilyNameAndReview;
    app.visit(step9.title()).await?;
    // Finish was pressed once, so the page opens with its own summary: every link on it
    // leads to a field of this page.
    for (href, message) in app.errors_now().await? {
        let id = href.trim_start_matches('#');
        ensure!(
            app.describe(id).await?.is_some(),
            "\"{message}\" links to {href}, which is not on the page"
        );
        linked_on_pages.insert(href);
    }
    app.tab_to("Family name", 40).await?;
    app.type_text(FAMILY).await?;
    app.tab_to("Day", 40).await?;
    app.type_text("1").await?;
    app.key(keys::TAB).await?;
    app.type_text("3").await?;
    // Leaving the page saves everything first (the task list shows only after the save).
    app.tab_to("Back to the task list", 40).await?;
    app.key(keys::ENTER).await?;
    app.visit(TASK_LIST).await?;
    app.tab_to(&task(step9), 60).await?;
    app.key(keys::ENTER).await?;
    app.wait_for_screen(step9.title()).await?;
    ensure!(app.value_of("Day").await? == "1");
    // Mid-step: typing where the next review will be, then the battery goes.
    app.tab_to("Where the next review will be", 40).await?;
    app.type_text("Family hub, ro").await?;
    app.kill9()?;

    let app = App::start(&prereqs, &alex).await?;
    app.visit(UNLOCK).await?;
    app.tab_to("Password", 20).await?;
    app.type_text(DEMO_PASSWORD).await?;
    app.key(keys::ENTER).await?;
    app.visit(DASHBOARD).await?;
    let drafts = app.tile("Drafts in progress").await?;
    ensure!(
        drafts.contains("1 plan"),
        "after the crash the dashboard says \"{drafts}\""
    );
    app.tab_to("My plans", 40).await?;
    app.key(keys::ENTER).await?;
    app.visit(MY_PLANS).await?;
    app.tab_to(FAMILY, 60).await?;
    app.key(keys::ENTER).await?;
    app.visit(PLAN_TITLE).await?;
    app.tab_to("Carry on with this plan", 40).await?;
    app.key(keys::ENTER).await?;
    app.visit(TASK_LIST).await?;
    let tasks = app.texts(Using::Css, "main li").await?;
    for step in &WizardStep::ALL[..8] {
        ensure!(
            tasks
                .iter()
                .any(|t| t.starts_with(&task(*step)) && t.ends_with("Completed")),
            "after the crash the task list reads {tasks:?}"
        );
    }
    app.tab_to(&task(step9), 60).await?;
    app.key(keys::ENTER).await?;
    app.visit(step9.title()).await?;
    // The draft is intact, the half-typed date included.
    ensure!(app.value_of("Family name").await? == FAMILY);
    ensure!(app.value_of("Day").await? == "1");
    ensure!(app.value_of("Month").await? == "3");
    ensure!(app.value_of("Year").await?.is_empty());
    app.tab_to("Continue", 40).await?;
    app.key(keys::ENTER).await?;
    let errors = app.error_summary().await?;
    let unfinished = (
        format!("#{}", field_id("next_review.date")),
        "The date of the next review must include a year".to_owned(),
    );
    ensure!(
        errors.contains(&unfinished),
        "the half-typed date is not named in the summary: {errors:?}"
    );
    // GOV.UK date input: the fieldset is described by the message, the boxes are invalid.
    let inline = app
        .wd
        .execute(
            r#"const day = document.getElementById(arguments[0]);
               const set = day.closest('fieldset');
               const err = document.getElementById(arguments[0] + '-error');
               return [day.getAttribute('aria-invalid'),
                       (set.getAttribute('aria-describedby') || '').split(/\s+/).includes(arguments[0] + '-error'),
                       err ? err.innerText : ''];"#,
            vec![field_id("next_review.date").into()],
        )
        .await?;
    ensure!(
        inline[0] == "true"
            && inline[1] == true
            && inline[2]
                .as_str()
                .is_some_and(|t| t.contains(&unfinished.1)),
        "the date input does not show its error inline: {inline}"
    );
    app.save_shot("half-typed-date-named").await?;
    app.axe_check("Family name and next review, half-typed date")
        .await?;
    app.tab_to(&unfinished.1, 40).await?;
    app.key(keys::ENTER).await?;
    ensure!(app.focused_id().await? == field_id("next_review.date"));
    app.key(keys::TAB).await?;
    app.key(keys::TAB).await?;
    app.type_text("2027").await?;
    let shown = app
        .answer_until_done_by_keyboard(step9.title(), "Continue", 20)
        .await?;
    linked_on_pages.extend(shown.into_iter().map(|(id, _)| format!("#{id}")));
    linked_on_pages.insert(unfinished.0.clone());

    // Every link of Finish's list was a working link on its own page too.
    let missed: Vec<&String> = expected
        .iter()
        .map(|(href, _)| href)
        .filter(|href| !linked_on_pages.contains(*href))
        .collect();
    ensure!(
        missed.is_empty(),
        "no question page linked {missed:?}; pages linked {linked_on_pages:?}"
    );

    // "Check your answers": "Change" goes to the question and comes back here.
    app.visit(CHECK_ANSWERS).await?;
    app.tab_to("Change focus child", 200).await?;
    app.key(keys::ENTER).await?;
    app.visit(WizardStep::FocusChildAndParent.title()).await?;
    let first_name = field_id("focus_child.first_name");
    ensure!(
        app.tab_to_id_or(&first_name, "Continue", 40).await?,
        "Tab did not reach the child's first name"
    );
    // Tab selects the field's text, so typing replaces it.
    app.type_text("Adabelle").await?;
    let typed = app.describe(&first_name).await?.map(|f| f.value);
    ensure!(typed.as_deref() == Some("Adabelle"), "{typed:?}");
    app.tab_to("Continue", 200).await?;
    app.key(keys::ENTER).await?;
    app.wait_for_screen(CHECK_ANSWERS).await?;
    let answers = app.main_text().await?;
    ensure!(
        answers.contains("Adabelle Testwell"),
        "the changed name is not on Check your answers:\n{answers}"
    );
    app.tab_to("Finish", 400).await?;
    app.key(keys::ENTER).await?;
    app.visit(PLAN_COMPLETED).await?;
    let done = app.main_text().await?;
    ensure!(
        done.contains("This is a local reference") && done.contains("LOCAL-"),
        "{done}"
    );
    // Dozens of autosaves wait in the outbox; the bar counts the one plan they belong to.
    eventually(|| async {
        let bar = app.sync_bar().await?;
        ensure!(
            bar.contains("Changes to 1 record waiting to sync"),
            "the sync bar says: {bar}"
        );
        Ok(())
    })
    .await?;

    // ---------------------------------------------------------------------------------
    // 4. Back online: the permanent reference; shared with Jo, who sees it.
    server.resume()?;
    app.press("View the plan").await?;
    app.visit(PLAN_TITLE).await?;
    app.synced().await?;
    let reference = eventually(|| async {
        // The plan view shows what it loaded: open it again until the reference is there.
        app.nav("My plans").await?;
        app.wait_for_screen(MY_PLANS).await?;
        app.follow(FAMILY).await?;
        app.wait_for_screen(PLAN_TITLE).await?;
        fsp_reference(&app.main_text().await?)
            .ok_or_else(|| anyhow!("no permanent reference on the plan yet"))
    })
    .await?;
    eprintln!("the plan synced as {reference}");
    app.visit(PLAN_TITLE).await?;

    app.fill("Their email address", JO).await?;
    app.press("Find this person").await?;
    eventually(|| async {
        ensure!(app.main_text().await?.contains("Found:"));
        Ok(())
    })
    .await?;
    app.save_shot("sharing-found").await?;
    app.axe_check("plan view, colleague found").await?;
    press_starting(&app, "Attach ").await?;
    app.wait_for_status("This is sent at the next sync").await?;
    app.synced().await?;

    let jo = Profile::new("jo")?;
    let jo_app = App::start(&prereqs, &jo).await?;
    jo_app.sign_in_first_run(&server, JO).await?;
    open_from_my_plans(&jo_app, &reference).await?;
    ensure!(jo_app.main_text().await?.contains(&reference));

    // ---------------------------------------------------------------------------------
    // 5. A review by Alex; a transfer to Jo, authorised by Jo; closed through Jo's review.
    app.press("Add a review").await?;
    app.visit(REVIEW_TITLE).await?;
    app.answer_until_done(REVIEW_TITLE, "Complete the review", 40)
        .await?;
    app.visit(PLAN_TITLE).await?;
    ensure!(
        app.main_text().await?.contains("Completed"),
        "{}",
        app.main_text().await?
    );
    app.synced().await?;

    app.fill("Email address of the practitioner taking the plan over", JO)
        .await?;
    app.press("Find the practitioner").await?;
    app.press("Transfer this plan").await?;
    app.wait_for_status("They authorise it from their dashboard")
        .await?;
    app.save_shot("transfer-offered").await?;
    app.axe_check("plan view, transfer offered").await?;
    app.synced().await?;

    eventually(|| async {
        if let Ok(b) = jo_app.button("Sync now").await {
            let _ = jo_app.wd.click(&b).await;
        }
        jo_app.nav("Dashboard").await?;
        jo_app.wait_for_screen(DASHBOARD).await?;
        jo_app.follow("Transfers waiting for me").await?;
        jo_app.wait_for_screen("Transfers waiting for you").await?;
        let text = jo_app.main_text().await?;
        ensure!(text.contains(&reference), "not waiting yet: {text}");
        Ok(())
    })
    .await?;
    jo_app.visit("Transfers waiting for you").await?;
    press_starting(&jo_app, "Authorise").await?;
    eventually(|| async {
        let text = jo_app.main_text().await?;
        ensure!(
            text.contains("No plan is waiting for you to authorise its transfer."),
            "{text}"
        );
        Ok(())
    })
    .await?;
    // Jo goes straight on: the authorisation and the review are sent together at Jo's next
    // sync, and the plan edits made before Jo's device has pulled the new epoch still apply
    // (the only epoch bump since was Jo's own authorisation).
    open_from_my_plans(&jo_app, &reference).await?;
    jo_app.press("Add a review").await?;
    jo_app.visit(REVIEW_TITLE).await?;
    // Choose "close" by its label, as a practitioner would.
    let close_label = "Close the family support plan because…";
    let labels = jo_app
        .wd
        .find_all(
            Using::XPath,
            &format!(
                "//label[normalize-space(.)={}]",
                hearth_e2e::webdriver::xpath_literal(close_label)
            ),
        )
        .await?;
    let label = labels
        .first()
        .ok_or_else(|| anyhow!("no label \"{close_label}\""))?;
    if let Err(err) = jo_app.wd.click(label).await {
        let rect = jo_app
            .wd
            .execute(
                r#"const l = arguments[0]; const i = document.getElementById(l.htmlFor);
                   const r = e => { const b = e.getBoundingClientRect(); const s = getComputedStyle(e);
                     return [b.x, b.y, b.width, b.height, s.display, s.visibility, s.opacity]; };
                   return [r(l), i ? r(i) : null, document.querySelectorAll('#' + l.htmlFor).length];"#,
                vec![label.to_json()],
            )
            .await?;
        bail!("clicking \"{close_label}\": {err}; label, input, count: {rect}");
    }
    let chosen = jo_app.field(close_label).await?;
    ensure!(
        jo_app.wd.property(&chosen, "checked").await?.as_bool() == Some(true),
        "\"{close_label}\" is not chosen"
    );
    jo_app
        .answer_until_done(REVIEW_TITLE, "Complete the review", 40)
        .await?;
    jo_app.visit(PLAN_TITLE).await?;
    let closed = jo_app.main_text().await?;
    ensure!(closed.contains("Closed"), "{closed}");
    ensure!(closed.contains("closed the plan"), "{closed}");
    if let Err(err) = jo_app.synced().await {
        // Say what the server refused: the conflicts as Jo's cache keeps them.
        jo_app.kill9()?;
        let store = hearth_store::Store::open_or_create(
            jo.data_dir.path(),
            hearth_store::KeyStorage::PasswordWrapped {
                password: hearth_store::Password::new(DEMO_PASSWORD),
            },
            chrono::Utc::now(),
        )
        .await?;
        let conflicts = store.conflicts().await?;
        let plans: Vec<_> = store
            .list(hearth_domain::RecordKind::Plan)
            .await?
            .into_iter()
            .map(|p| (p.status, p.version, p.server_version))
            .collect();
        store.close().await;
        eprintln!("Jo's plans (status, version, server version): {plans:?}");
        let server_side = std::process::Command::new("python3")
            .arg("-c")
            .arg(
                "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); \
                 print(c.execute('select kind, owner_id, version, epoch from sync_records where kind=\"plan\"').fetchall()); \
                 print(c.execute('select c.version, c.client_id, c.mutation_id from sync_changes c join sync_records r on r.id=c.record_id where r.kind=\"plan\" order by c.seq desc limit 6').fetchall()); \
                 print(c.execute('select client_id, mutation_id, detail from sync_conflicts').fetchall())",
            )
            .arg(server.data_dir.path().join("hearth-server.sqlite3"))
            .output()?;
        bail!(
            "{err}\nJo's cache keeps: {conflicts:#?}\nthe server: {}{}",
            String::from_utf8_lossy(&server_side.stdout),
            String::from_utf8_lossy(&server_side.stderr)
        );
    }
    jo_app.nav("Dashboard").await?;
    jo_app.visit(DASHBOARD).await?;
    let closed_tile = jo_app.tile("Closed").await?;
    ensure!(closed_tile.contains("1 plan"), "{closed_tile}");

    jo_app.quit().await?;
    app.quit().await?;
    Ok(())
}
