//! A request for support to a commissioned service (issue 7, seed 000) in the real app
//! window against a real server, on two profiles: Alex (a practitioner of Early Help
//! North) asks Speech and Language Therapy for support through the question pages, each
//! answered through its own error summary, the child's page from the keyboard alone
//! (Tab, Enter, Space and typing) after a date of birth typed without its year is kept
//! when the draft is opened again and named in the page's errors; the request gets its
//! provisional reference,
//! then syncs and gets its permanent one in "My requests". Lee (a manager of the service)
//! pulls it, finds it under "Awaiting decision", accepts it, allocates one of the service's
//! workers from its list (fetched from the server), closes and
//! archives it, and finds it in the archive by each exact filter (case reference, EHM ID,
//! worker name: the whole value in another case, not a part of it). That a practitioner
//! of another service cannot read it is the server's test (`tests/it/requests.rs`). Every
//! screen visited gets a screenshot and an axe-core check.

use anyhow::{anyhow, ensure, Result};
use hearth_e2e::app::eventually;
use hearth_e2e::screens::{CHECK_ANSWERS, CHECK_EMAIL, CONNECT, DASHBOARD, SIGN_IN};
use hearth_e2e::webdriver::{keys, Using};
use hearth_e2e::{App, Prereqs, Profile, Server};

const ALEX: &str = "alex.demoworker@example.org.uk";
const LEE: &str = "lee.demolead@example.org.uk";
/// The demo organisation's password (`hearth-server demo-seed`; invented).
use hearth_e2e::app::DEMO_PASSWORD;
const EHM_ID: &str = "EHM-E2E-0042";
const TASK_LIST: &str = "Request for support";
const CHILD_PAGE: &str = "The child or young person";
/// A worker of the service (the demo organisation's SLT practitioner), chosen from its list.
const WORKER: &str = "Jo Demoworker";

async fn signed_in(
    prereqs: &Prereqs,
    server: &Server,
    profile: &Profile,
    email: &str,
) -> Result<App> {
    let app = App::start(prereqs, profile).await?;
    app.visit(CONNECT).await?;
    app.fill("Server address", &server.url()).await?;
    app.press("Continue").await?;
    app.visit(SIGN_IN).await?;
    app.fill("Email address", email).await?;
    app.fill("Password", DEMO_PASSWORD).await?;
    app.press("Sign in").await?;
    app.wait_for_screen(CHECK_EMAIL).await?;
    let code = eventually(|| async { server.latest_sign_in_code(email) }).await?;
    app.fill("Code from the email", &code).await?;
    app.press("Continue").await?;
    app.wait_for_screen(DASHBOARD).await?;
    Ok(app)
}

/// The rows of the requests table, as text.
async fn rows(app: &App) -> Result<Vec<String>> {
    app.texts(Using::Css, "main tbody tr").await
}

/// The first `RFS-<digits>` in the text that is not a local reference.
fn permanent_reference(text: &str) -> Option<String> {
    let mut rest = text;
    while let Some(at) = rest.find("RFS-") {
        let local = rest[..at].ends_with("LOCAL-");
        let digits: String = rest[at + 4..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if !local && !digits.is_empty() {
            return Some(format!("RFS-{digits}"));
        }
        rest = &rest[at + 4..];
    }
    None
}

/// Opens one of the manager's views from its navigation.
async fn manager_view(app: &App, title: &str) -> Result<()> {
    let link = eventually(|| async {
        let found = app
            .wd
            .find_all(
                Using::XPath,
                &format!(
                    "//nav[@aria-label='Views of the requests']//a[normalize-space(.)='{title}']"
                ),
            )
            .await?;
        found
            .into_iter()
            .next()
            .ok_or_else(|| anyhow!("no view \"{title}\""))
    })
    .await?;
    app.wd.click(&link).await?;
    app.wait_for_screen(title).await?;
    app.wait_for_status("request").await?;
    Ok(())
}

/// Filters the view by `by` with `value`; returns the rows shown.
async fn filtered(app: &App, by: &str, value: &str) -> Result<Vec<String>> {
    let select = app.field("Filter by").await?;
    app.wd.click(&select).await?;
    let option = app
        .wd
        .find_all(
            Using::XPath,
            &format!("//select[@id='request-filter-by']/option[normalize-space(.)='{by}']"),
        )
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| anyhow!("no filter by {by}"))?;
    app.wd.click(&option).await?;
    app.fill("Exact value", value).await?;
    app.press("Filter").await?;
    // The status names the filter applied, so the rows read are this filter's.
    app.wait_for_status(&format!("exactly \u{201c}{}\u{201d}", value.trim()))
        .await?;
    rows(app).await
}

/// On the child's page: a date of birth typed as a day and a month from the keyboard; the
/// draft left and opened again from "My requests" shows them as typed; Continue names the
/// date in its errors; the year typed, the page is answered from the keyboard alone.
async fn half_typed_date_then_keyboard(alex: &App) -> Result<Vec<(String, String)>> {
    alex.tab_to("Day", 60).await?;
    alex.type_text("14").await?;
    alex.key(keys::TAB).await?;
    alex.type_text("3").await?;
    // Leaving the page saves it first.
    alex.tab_to("Back to the task list", 60).await?;
    alex.key(keys::ENTER).await?;
    alex.visit(TASK_LIST).await?;
    alex.nav("My requests").await?;
    alex.visit("My requests").await?;
    alex.follow("No child named yet").await?;
    alex.wait_for_screen(TASK_LIST).await?;
    alex.press("Continue the request").await?;
    // The request's page and the task list share their heading: wait for the task list.
    alex.button(&format!("3. {CHILD_PAGE}")).await?;
    alex.visit(TASK_LIST).await?;
    alex.tab_to(&format!("3. {CHILD_PAGE}"), 60).await?;
    alex.key(keys::ENTER).await?;
    alex.visit(CHILD_PAGE).await?;
    let kept = (
        alex.value_of("Day").await?,
        alex.value_of("Month").await?,
        alex.value_of("Year").await?,
    );
    ensure!(
        kept == ("14".into(), "3".into(), String::new()),
        "the half-typed date of birth came back as {kept:?}"
    );
    alex.tab_to("Continue", 60).await?;
    alex.key(keys::ENTER).await?;
    let errors = alex.error_summary().await?;
    let unfinished = (
        "#child-date_of_birth".to_owned(),
        "The child's date of birth must include a year".to_owned(),
    );
    ensure!(
        errors.contains(&unfinished),
        "the half-typed date is not named: {errors:?}"
    );
    alex.save_shot("request-half-typed-date-named").await?;
    alex.axe_check("The child or young person, half-typed date")
        .await?;
    alex.tab_to(&unfinished.1, 40).await?;
    alex.key(keys::ENTER).await?;
    ensure!(alex.focused_id().await? == "child-date_of_birth");
    alex.key(keys::TAB).await?;
    alex.key(keys::TAB).await?;
    alex.type_text("2016").await?;
    let mut shown = vec![(
        unfinished.0.trim_start_matches('#').to_owned(),
        unfinished.1,
    )];
    shown.extend(
        alex.answer_until_done_by_keyboard(CHILD_PAGE, "Continue", 10)
            .await?,
    );
    Ok(shown)
}

#[tokio::test]
async fn a_request_is_sent_synced_decided_closed_archived_and_found_by_each_exact_filter(
) -> Result<()> {
    let prereqs = Prereqs::from_env()?;
    let server = Server::start(&prereqs)?;

    // Alex asks the Speech and Language Therapy service for support.
    let alex_profile = Profile::new("requests-alex")?;
    let alex = signed_in(&prereqs, &server, &alex_profile, ALEX).await?;
    alex.nav("My requests").await?;
    alex.visit("My requests").await?;
    alex.press("Request support from a commissioned service")
        .await?;
    alex.visit("Request for support").await?;
    alex.press("1. Service and type of request").await?;
    let pages = [
        "Service and type of request",
        "The case",
        "The child or young person",
        "Parent or carer",
        "About you",
        "Reason and the family's agreement",
    ];
    for (i, title) in pages.iter().enumerate() {
        alex.visit(title).await?;
        if *title == "The case" {
            alex.fill("EHM ID of the case", EHM_ID).await?;
        }
        let shown = if *title == CHILD_PAGE {
            half_typed_date_then_keyboard(&alex).await?
        } else {
            alex.answer_until_done(title, "Continue", 6).await?
        };
        // Every page but the case (answered first) asked for something through its summary.
        ensure!(
            *title == "The case" || !shown.is_empty(),
            "\"{title}\" moved on without asking anything"
        );
        if i == 0 {
            ensure!(
                shown.iter().any(|(id, _)| id == "service"),
                "the service was not asked for: {shown:?}"
            );
        }
        if *title == CHILD_PAGE {
            ensure!(
                !shown.iter().any(|(id, _)| id == "child-upn"),
                "the UPN is optional: {shown:?}"
            );
        }
    }
    alex.visit(CHECK_ANSWERS).await?;
    let answers = alex.main_text().await?;
    // The child's page as typed from the keyboard (forms.rs invents "Ada Testwell").
    for shown in [
        "Speech and Language Therapy",
        EHM_ID,
        "Ada Testwell",
        "14 March 2016",
        "PO1 3AX",
    ] {
        ensure!(answers.contains(shown), "\"{shown}\" is not in:\n{answers}");
    }
    alex.press("Send the request").await?;
    alex.visit("Request sent").await?;
    let sent = alex.main_text().await?;
    ensure!(
        sent.contains("LOCAL-RFS-"),
        "a provisional reference first: {sent}"
    );
    alex.synced().await?;
    alex.nav("My requests").await?;
    alex.wait_for_screen("My requests").await?;
    let reference = eventually(|| async {
        let r = rows(&alex).await?;
        r.iter()
            .find_map(|row| permanent_reference(row))
            .ok_or_else(|| anyhow!("no permanent reference yet: {r:?}"))
    })
    .await?;
    let mine = rows(&alex).await?;
    ensure!(
        mine.len() == 1 && mine[0].contains("Awaiting decision") && mine[0].contains(EHM_ID),
        "{mine:?}"
    );
    alex.visit("My requests").await?;
    alex.quit().await?;

    // Lee, a manager of the service, decides on it.
    let lee_profile = Profile::new("requests-lee")?;
    let lee = signed_in(&prereqs, &server, &lee_profile, LEE).await?;
    lee.synced().await?;
    lee.nav("My requests").await?;
    lee.wait_for_screen("My requests").await?;
    lee.press("Requests to your service").await?;
    lee.wait_for_screen("Awaiting decision").await?;
    let awaiting = eventually(|| async {
        let r = rows(&lee).await?;
        ensure!(r.iter().any(|row| row.contains(&reference)), "{r:?}");
        Ok(r)
    })
    .await?;
    ensure!(awaiting.len() == 1, "{awaiting:?}");
    lee.visit("Awaiting decision").await?;
    let link = lee
        .wd
        .find_all(Using::Css, "main tbody a")
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| anyhow!("no request to open"))?;
    let child = lee.wd.text(&link).await?;
    lee.wd.click(&link).await?;
    lee.visit(&child).await?;

    lee.press("Accept the request").await?;
    lee.wait_for_status("Request accepted.").await?;
    // No worker chosen: refused with a message on the field; nothing changes.
    lee.press("Allocate a worker").await?;
    let summary = lee.error_summary().await?;
    ensure!(
        summary
            == vec![(
                "#worker".to_owned(),
                "Select the worker to allocate".to_owned()
            )],
        "{summary:?}"
    );
    lee.save_shot("request-worker-missing").await?;
    lee.axe_check("request, worker name missing").await?;
    // The service's workers, from the server, to choose from.
    lee.field("Name of the worker").await?;
    let option = eventually(|| async {
        lee.wd
            .find_all(
                Using::XPath,
                &format!("//select[@id='worker']/option[normalize-space(.)='{WORKER}']"),
            )
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| anyhow!("{WORKER} is not in the list of workers"))
    })
    .await?;
    lee.wd.click(&option).await?;
    lee.press("Allocate a worker").await?;
    lee.wait_for_status("Worker allocated.").await?;
    ensure!(lee.main_text().await?.contains(WORKER));
    lee.visit(&child).await?;
    lee.press("Close the request").await?;
    lee.wait_for_status("Request closed.").await?;
    // Closed is never re-opened: only archiving and a new request from it are offered.
    let buttons = lee.texts(Using::Css, "main button").await?;
    ensure!(
        !buttons
            .iter()
            .any(|b| b == "Accept the request" || b == "Mark as pending")
            && buttons.iter().any(|b| b == "New request from this one"),
        "{buttons:?}"
    );
    lee.press("Archive the request").await?;
    lee.wait_for_status("Request archived.").await?;
    lee.visit(&child).await?;
    lee.synced().await?;

    // Found in the archive by each exact filter, and nowhere live.
    lee.nav("My requests").await?;
    lee.wait_for_screen("My requests").await?;
    lee.press("Requests to your service").await?;
    lee.wait_for_screen("Awaiting decision").await?;
    lee.wait_for_status("0 requests").await?;
    manager_view(&lee, "Accepted, closed").await?;
    ensure!(rows(&lee).await?.is_empty());
    manager_view(&lee, "Archive").await?;
    for (by, value) in [
        ("Case reference", reference.to_lowercase()),
        ("EHM ID", EHM_ID.to_lowercase()),
        ("Worker name", WORKER.to_uppercase()),
    ] {
        let found = filtered(&lee, by, &value).await?;
        ensure!(
            found.len() == 1 && found[0].contains(&reference),
            "{by} {value}: {found:?}"
        );
        // A part of the value is not a match.
        let part = &value[..value.len() - 2];
        let none = filtered(&lee, by, part).await?;
        ensure!(none.is_empty(), "{by} {part} matched: {none:?}");
    }
    filtered(&lee, "Worker name", WORKER).await?;
    lee.visit("Archive").await?;
    lee.quit().await
}
