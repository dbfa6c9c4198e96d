//! Delegated tasks (issue 7, seed 002) in the real app window against a real
//! `hearth-server` process, with two app profiles (Robin, a partner nurse; Sam, the
//! manager of their work group) and the council's side over the server's HTTP API:
//!
//! 1. Business support (Pat) delegates three tasks by sync push, as the local authority's
//!    client would: one to Alex, two to Robin. Alex re-assigns the first to Robin (a push
//!    of `assignee_id`; the server bumps the epoch and emails Robin).
//! 2. Robin signs in: the tasks are in "Currently assigned". Submitting the empty form
//!    lists what is missing; Robin answers the form drawn from its form type (drop-down,
//!    text, a repeatable row, a date — left without its year, kept across a reload and
//!    named in the error summary until it is whole), adds two documents through the real
//!    file dialog, finds Sam by email (Sam's out-of-office message is shown) and asks Sam
//!    to counter-sign: the task leaves Robin's "Currently assigned" at once, before any
//!    sync and with the server stopped too. The council retracts the second task: after a
//!    sync it has left "Currently assigned" and is in "Recently retracted". Robin answers
//!    the third from the keyboard alone (a repeatable row added and one removed by
//!    keyboard, every field reached through the error summary) and submits it: "Recently
//!    submitted".
//! 3. Sam signs in, opens the task (both documents there), counter-signs and submits it:
//!    it is in Sam's "Recently submitted".
//!
//! Every screen visited gets a screenshot and axe-core. Needs `xdotool`.

use std::path::Path;

use anyhow::{bail, ensure, Result};
use hearth_e2e::app::eventually;
use hearth_e2e::webdriver::{keys, Using};
use hearth_e2e::{App, Prereqs, Profile, Server};
use serde_json::{json, Value};
use uuid::Uuid;

const ALEX: &str = "alex.demoworker@example.org.uk";
const SAM: &str = "sam.demomanager@example.org.uk";
const PAT: &str = "pat.demosupport@example.org.uk";
const ROBIN: &str = "robin.demonurse@example.nhs.uk";
/// The demo organisation's work group (crates/hearth-server/src/seed.rs).
const NORTH_GROUP: &str = "01920000-0000-7000-8000-000000000003";
const MY_TASKS: &str = "My tasks";
const DIALOG_TITLE: &str = "Add a document to this contribution";
const SAM_AWAY: &str = "Away on Friday; counter-signing as usual";

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

/// The council's side: a signed-in user of the server's API.
struct Api {
    base: String,
    token: String,
    client: Uuid,
    next_mutation: i64,
    http: reqwest::Client,
}

impl Api {
    async fn sign_in(server: &Server, email: &str) -> Result<Api> {
        let session = hearth_e2e::device::sign_in(server, email, "Council test client").await?;
        let token = session.access_token;
        let base = server.url();
        let http = reqwest::Client::new();
        Ok(Api {
            base,
            token,
            client: Uuid::now_v7(),
            next_mutation: 1,
            http,
        })
    }

    async fn put(&self, path: &str, body: Value) -> Result<()> {
        self.http
            .put(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await?
            .error_for_status()?;
        Ok(())
    }

    /// The record as the server has it now: (version, epoch, fields).
    async fn record(&self, id: Uuid) -> Result<(i64, i64, Value)> {
        let mut cursor = 0;
        loop {
            let page: Value = self
                .http
                .get(format!("{}/api/v1/sync/pull?after={cursor}", self.base))
                .bearer_auth(&self.token)
                .send()
                .await?
                .error_for_status()?
                .json()
                .await?;
            let changes = page["changes"].as_array().cloned().unwrap_or_default();
            if let Some(c) = changes
                .iter()
                .rev()
                .find(|c| c["record_id"] == json!(id.to_string()))
            {
                return Ok((
                    c["version"].as_i64().unwrap_or(0),
                    c["epoch"].as_i64().unwrap_or(0),
                    c["fields"].clone(),
                ));
            }
            if page["more"] != json!(true) {
                bail!("record {id} not in this user's pull");
            }
            cursor = page["next_cursor"].as_i64().unwrap_or(0);
        }
    }

    /// One mutation; fails unless the server applied it.
    async fn push(
        &mut self,
        id: Uuid,
        operation: &str,
        (version, epoch): (i64, i64),
        changes: Vec<(&str, Value, Value)>,
    ) -> Result<()> {
        let body = json!({
            "client_id": self.client,
            "mutations": [{
                "mutation_id": self.next_mutation,
                "record_id": id,
                "kind": "task",
                "operation": operation,
                "base_version": version,
                "epoch": epoch,
                "changes": changes
                    .into_iter()
                    .map(|(f, b, v)| json!({"field": f, "base": b, "value": v}))
                    .collect::<Vec<_>>(),
            }],
        });
        self.next_mutation += 1;
        let answer: Value = self
            .http
            .post(format!("{}/api/v1/sync/push", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let outcome = &answer["results"][0]["outcome"];
        ensure!(
            outcome.to_string().contains("applied"),
            "push not applied: {answer}"
        );
        Ok(())
    }
}

/// A new task as the council's client creates it (invented child and sender).
fn new_task(
    assignee: &str,
    child: &str,
    requested_on: &str,
    due: &str,
) -> Vec<(&'static str, Value, Value)> {
    [
        ("form_type", json!("ehcna_information_gathering")),
        (
            "child",
            json!({"name": child, "date_of_birth": "2013-02-10", "address": "23 Test Street, Testertown, TS1 1ST"}),
        ),
        ("requested_on", json!(requested_on)),
        ("due_date", json!(due)),
        ("comments", json!("Please complete the health advice")),
        (
            "sent_by",
            json!({"name": "Nia Testofficer", "department": "SEND team", "phone": "01632 960000", "address": ""}),
        ),
        ("assignee_id", json!(assignee)),
        ("work_group_id", json!(NORTH_GROUP)),
        ("status", json!("assigned")),
    ]
    .into_iter()
    .map(|(f, v)| (f, Value::Null, v))
    .collect()
}

/// The text of the tray section headed `title` ("Currently assigned (2)" and its table).
async fn tray(app: &App, title: &str) -> Result<String> {
    let xpath = format!(
        "//section[h2[starts-with(normalize-space(.), {})]]",
        hearth_e2e::webdriver::xpath_literal(title)
    );
    let found = app.wd.find_all(Using::XPath, &xpath).await?;
    let [section] = found.as_slice() else {
        bail!("expected one tray \"{title}\", found {}", found.len());
    };
    app.wd.text(section).await
}

/// The three trays as shown now: (assigned, retracted, submitted).
async fn trays_now(app: &App) -> Result<(String, String, String)> {
    Ok((
        tray(app, "Currently assigned").await?,
        tray(app, "Recently retracted").await?,
        tray(app, "Recently submitted").await?,
    ))
}

/// Opens My tasks afresh, syncing until `check` holds on the trays.
async fn trays_until(
    app: &App,
    what: &str,
    check: impl Fn(&str, &str, &str) -> bool,
) -> Result<()> {
    eventually(|| async {
        app.synced().await?;
        app.nav(MY_TASKS).await?;
        app.wait_for_screen(MY_TASKS).await?;
        let (a, r, s) = (
            tray(app, "Currently assigned").await?,
            tray(app, "Recently retracted").await?,
            tray(app, "Recently submitted").await?,
        );
        ensure!(
            check(&a, &r, &s),
            "trays not yet {what}: assigned [{a}] retracted [{r}] submitted [{s}]"
        );
        Ok(())
    })
    .await
}

async fn select_option(app: &App, label: &str, option: &str) -> Result<()> {
    let field = app.field(label).await?;
    app.wd
        .execute(
            "const [s, text] = arguments; const o = [...s.options].find(o => o.text === text);\
             s.value = o.value; s.dispatchEvent(new Event('change', {bubbles: true}));",
            vec![field.to_json(), json!(option)],
        )
        .await?;
    Ok(())
}

async fn type_by_id(app: &App, id: &str, text: &str) -> Result<()> {
    let found = app.wd.find_all(Using::Css, &format!("#{id}")).await?;
    let [el] = found.as_slice() else {
        bail!("expected one #{id}, found {}", found.len());
    };
    app.wd.clear(el).await?;
    app.wd.send_keys(el, text).await
}

async fn value_by_id(app: &App, id: &str) -> Result<String> {
    let found = app.wd.find_all(Using::Css, &format!("#{id}")).await?;
    let [el] = found.as_slice() else {
        bail!("expected one #{id}, found {}", found.len());
    };
    Ok(app
        .wd
        .property(el, "value")
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

/// Waits until the element `#id` has focus.
async fn expect_focus(app: &App, id: &str) -> Result<()> {
    eventually(|| async {
        let focused = app.focused_id().await?;
        ensure!(focused == id, "focus is on #{focused}, not #{id}");
        Ok(())
    })
    .await
}

async fn add_document(app: &App, path: &Path, name: &str) -> Result<()> {
    app.press("Add a document").await?;
    hearth_e2e::dialog::pick_file(DIALOG_TITLE, path).await?;
    app.press("Add to this contribution").await?;
    eventually(|| async {
        let text = app.main_text().await?;
        ensure!(
            text.contains("added to this contribution"),
            "{name} not added yet: {text}"
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_task_is_reassigned_contributed_to_with_documents_counter_signed_and_submitted_and_a_retracted_one_moves_trays(
) -> Result<()> {
    let prereqs = Prereqs::from_env()?;
    let mut server = Server::start(&prereqs)?;

    // The council's side, and Sam's out-of-office message.
    let mut pat = Api::sign_in(&server, PAT).await?;
    let mut alex = Api::sign_in(&server, ALEX).await?;
    let sam_api = Api::sign_in(&server, SAM).await?;
    sam_api
        .put("/api/v1/me/out-of-office", json!({"message": SAM_AWAY}))
        .await?;
    let alex_id = "01920000-0000-7000-8000-000000000101";
    let robin_id = "01920000-0000-7000-8000-000000000105";
    let today = chrono::Utc::now().date_naive();
    let (zoe, owen, ada) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let requested = (today - chrono::Days::new(38)).to_string();
    let due_soon = (today + chrono::Days::new(4)).to_string();
    pat.push(
        zoe,
        "create",
        (0, 0),
        new_task(alex_id, "Zoë Testchild", &requested, &due_soon),
    )
    .await?;
    pat.push(
        owen,
        "create",
        (0, 0),
        new_task(
            robin_id,
            "Owen Testchild",
            &today.to_string(),
            &(today + chrono::Days::new(42)).to_string(),
        ),
    )
    .await?;
    pat.push(
        ada,
        "create",
        (0, 0),
        new_task(
            robin_id,
            "Ada Testchild",
            &today.to_string(),
            &(today + chrono::Days::new(42)).to_string(),
        ),
    )
    .await?;
    // Alex re-assigns Zoë's task to Robin, in their work group.
    let (v, e, _) = alex.record(zoe).await?;
    alex.push(
        zoe,
        "update",
        (v, e),
        vec![("assignee_id", json!(alex_id), json!(robin_id))],
    )
    .await?;

    // Robin, on the first profile.
    let robin_profile = Profile::new("robin")?;
    let robin = App::start(&prereqs, &robin_profile).await?;
    robin.sign_in_first_run(&server, ROBIN).await?;
    trays_until(&robin, "all three assigned", |a, _, _| {
        a.contains("Zoë Testchild") && a.contains("Owen Testchild") && a.contains("Ada Testchild")
    })
    .await?;
    let assigned = tray(&robin, "Currently assigned").await?;
    ensure!(assigned.contains("Due in 4 days"), "{assigned}");
    ensure!(assigned.contains("Nia Testofficer"), "{assigned}");
    robin.visit(MY_TASKS).await?;

    robin.follow("Zoë Testchild").await?;
    robin.visit("Zoë Testchild").await?;
    let text = robin.main_text().await?;
    ensure!(text.contains("EHCNA Information Gathering"), "{text}");
    ensure!(
        text.contains("23 Test Street"),
        "child details prefilled: {text}"
    );

    // Submitting at once lists what is missing, each linked to its field.
    robin.press("Submit contribution").await?;
    let summary = eventually(|| async {
        let s = robin.error_summary().await?;
        ensure!(!s.is_empty(), "no error summary yet");
        Ok(s)
    })
    .await?;
    let messages: Vec<&str> = summary.iter().map(|(_, m)| m.as_str()).collect();
    ensure!(messages.len() >= 5, "{messages:?}");
    robin.save_shot("Task form errors").await?;
    robin.axe_check("Task form errors").await?;

    select_option(
        &robin,
        "How long has the child been known to your service? (required)",
        "1 to 2 years",
    )
    .await?;
    robin
        .fill(
            "Health needs (required)",
            "Fine motor difficulties affect handwriting.",
        )
        .await?;
    robin
        .fill(
            "Outcomes (required)",
            "Writes independently by the end of the year.",
        )
        .await?;
    robin
        .fill("Health provision (required)", "Weekly occupational therapy")
        .await?;
    robin
        .fill("Who will provide this (required)", "Community OT team")
        .await?;
    robin
        .fill("Completed by (required)", "Robin Demonurse")
        .await?;
    // The date completed without its year: kept through the store, named until whole.
    type_by_id(
        &robin,
        "fields-completed_on",
        &today.format("%d").to_string(),
    )
    .await?;
    type_by_id(
        &robin,
        "fields-completed_on-month",
        &today.format("%m").to_string(),
    )
    .await?;
    robin.follow("Back to my tasks").await?;
    robin.wait_for_screen(MY_TASKS).await?;
    robin.follow("Zoë Testchild").await?;
    robin.wait_for_screen("Zoë Testchild").await?;
    eventually(|| async {
        let day = value_by_id(&robin, "fields-completed_on").await?;
        let month = value_by_id(&robin, "fields-completed_on-month").await?;
        let year = value_by_id(&robin, "fields-completed_on-year").await?;
        ensure!(
            day == today.format("%d").to_string()
                && month == today.format("%m").to_string()
                && year.is_empty(),
            "half-typed date not kept: {day:?} {month:?} {year:?}"
        );
        Ok(())
    })
    .await?;
    robin.press("Submit contribution").await?;
    let summary = robin.error_summary().await?;
    ensure!(
        summary
            == vec![(
                "#fields-completed_on".to_owned(),
                "Date completed must include a year".to_owned()
            )],
        "{summary:?}"
    );
    robin.save_shot("Task date without its year").await?;
    robin.axe_check("Task date without its year").await?;
    type_by_id(
        &robin,
        "fields-completed_on-year",
        &today.format("%Y").to_string(),
    )
    .await?;
    // Saved through the store: back to the trays and in again, every answer is there.
    robin.follow("Back to my tasks").await?;
    robin.wait_for_screen(MY_TASKS).await?;
    robin.follow("Zoë Testchild").await?;
    robin.wait_for_screen("Zoë Testchild").await?;
    eventually(|| async {
        let needs = robin.value_of("Health needs (required)").await?;
        let year = value_by_id(&robin, "fields-completed_on-year").await?;
        ensure!(
            needs.starts_with("Fine motor") && year == today.format("%Y").to_string(),
            "answers not kept: needs {needs:?}, year {year:?}"
        );
        Ok(())
    })
    .await?;

    let files = tempfile::tempdir()?;
    let pdf = files.path().join("ot assessment.pdf");
    std::fs::write(&pdf, PDF)?;
    let png = files.path().join("pencil grip.png");
    std::fs::write(&png, PNG)?;
    add_document(&robin, &pdf, "the PDF").await?;
    add_document(&robin, &png, "the PNG").await?;
    let text = robin.main_text().await?;
    ensure!(
        text.contains("ot assessment") && text.contains("pencil grip"),
        "{text}"
    );
    robin.save_shot("Task with documents").await?;
    robin.axe_check("Task with documents").await?;

    // Sam, the group's manager, is asked to counter-sign: the out-of-office shows first.
    robin.fill("Their email address", SAM).await?;
    robin.press("Find person").await?;
    robin.wait_for_status(SAM_AWAY).await?;
    robin.save_shot("Re-assign to counter-sign").await?;
    robin.axe_check("Re-assign to counter-sign").await?;
    robin.press("Ask Sam Demomanager to counter-sign").await?;
    // At once, on Robin's device, before any sync: no longer in any of Robin's trays.
    robin
        .wait_for_status("Task sent to Sam Demomanager to counter-sign")
        .await?;
    robin.visit(MY_TASKS).await?;
    let (a, r, s) = trays_now(&robin).await?;
    ensure!(
        !a.contains("Zoë Testchild") && a.contains("Owen Testchild"),
        "not out of Currently assigned at once: [{a}]"
    );
    ensure!(!r.contains("Zoë Testchild") && !s.contains("Zoë Testchild"));
    // Offline too: the server stops, My tasks opened afresh decides from the task's fields.
    server.stop()?;
    robin.nav(MY_TASKS).await?;
    robin.wait_for_screen(MY_TASKS).await?;
    let (a, _, _) = trays_now(&robin).await?;
    ensure!(
        !a.contains("Zoë Testchild") && a.contains("Owen Testchild"),
        "offline, back in Currently assigned: [{a}]"
    );
    server.resume()?;
    trays_until(&robin, "handed over", |a, _, _| {
        !a.contains("Zoë Testchild")
    })
    .await?;

    // The council retracts Owen's task.
    let (v, e, fields) = pat.record(owen).await?;
    ensure!(fields["status"] == json!("assigned"), "{fields}");
    pat.push(
        owen,
        "update",
        (v, e),
        vec![
            ("status", json!("assigned"), json!("retracted")),
            ("closed_at", Value::Null, json!(chrono::Utc::now())),
        ],
    )
    .await?;
    // Synced since the hand-over: Zoë's task has not come back to Robin.
    trays_until(&robin, "retracted", |a, r, _| {
        !a.contains("Owen Testchild")
            && r.contains("Owen Testchild")
            && !a.contains("Zoë Testchild")
    })
    .await?;
    robin.visit(MY_TASKS).await?;

    // Ada's task from the keyboard alone: Tab, Enter and typing, no clicks.
    robin.tab_to("Ada Testchild", 80).await?;
    robin.key(keys::ENTER).await?;
    robin.wait_for_screen("Ada Testchild").await?;
    // "Add another" puts focus in the new row, ready to type.
    robin.tab_to("Add another health provision", 200).await?;
    robin.key(keys::ENTER).await?;
    expect_focus(&robin, "groups-health_provision-1-provision").await?;
    robin.type_text("Home exercise programme").await?;
    robin.key(keys::TAB).await?;
    expect_focus(&robin, "groups-health_provision-1-who").await?;
    robin.type_text("Community OT team").await?;
    // A third row, removed again: focus goes to the group's heading, not lost.
    robin.tab_to("Add another health provision", 20).await?;
    robin.key(keys::ENTER).await?;
    expect_focus(&robin, "groups-health_provision-2-provision").await?;
    robin.tab_to("Remove health provision 3", 20).await?;
    robin.key(keys::ENTER).await?;
    expect_focus(&robin, "groups-health_provision").await?;
    ensure!(
        robin
            .describe("groups-health_provision-2-provision")
            .await?
            .is_none(),
        "row 3 is still there"
    );
    robin.save_shot("Task by keyboard").await?;
    robin.axe_check("Task by keyboard").await?;
    let shown = robin
        .answer_until_done_by_keyboard("Ada Testchild", "Submit contribution", 6)
        .await?;
    let ids: Vec<&str> = shown.iter().map(|(id, _)| id.as_str()).collect();
    for id in [
        "fields-known_to_service",
        "fields-health_needs",
        "groups-health_provision-0-provision",
        "groups-health_provision-0-who",
        "fields-completed_on",
    ] {
        ensure!(ids.contains(&id), "#{id} was not asked for: {shown:?}");
    }
    robin.wait_for_status("Contribution submitted.").await?;
    let (a, _, s) = trays_now(&robin).await?;
    ensure!(
        !a.contains("Ada Testchild") && s.contains("Ada Testchild"),
        "assigned [{a}] submitted [{s}]"
    );
    robin.visit(MY_TASKS).await?;
    robin.synced().await?;
    robin.quit().await?;

    // Sam, on the second profile, reviews, counter-signs and submits.
    let sam_profile = Profile::new("sam")?;
    let sam = App::start(&prereqs, &sam_profile).await?;
    sam.sign_in_first_run(&server, SAM).await?;
    trays_until(&sam, "with Zoë's task", |a, _, _| {
        a.contains("Zoë Testchild")
    })
    .await?;
    sam.follow("Zoë Testchild").await?;
    sam.visit("Zoë Testchild").await?;
    eventually(|| async {
        let text = sam.main_text().await?;
        ensure!(
            text.contains("ot assessment") && text.contains("pencil grip"),
            "documents not here yet: {text}"
        );
        ensure!(text.contains("counter-sign"), "{text}");
        Ok(())
    })
    .await?;
    sam.press("Counter-sign and submit").await?;
    sam.visit(MY_TASKS).await?;
    trays_until(&sam, "submitted", |a, _, s| {
        !a.contains("Zoë Testchild") && s.contains("Zoë Testchild")
    })
    .await?;
    sam.visit(MY_TASKS).await?;
    sam.quit().await?;
    Ok(())
}
