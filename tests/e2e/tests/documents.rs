//! Documents on a plan in the real app window against a real server (issue 5): a device
//! with two plans made offline signs in (they sync and get their FSP references); on one
//! plan's page "Add a document" opens the REAL system file dialog (GTK), which this test
//! answers as a person would with the keyboard through xdotool (find the dialog window,
//! Ctrl+L, the file's full path, Return); the file is listed with the suggested
//! `REF-YYMMDD-Name.ext`. A file that is not a document is refused with a message naming
//! it, and what was typed stays. The document is moved to the other plan, and everything
//! syncs. Every screen visited gets a screenshot and an axe-core check.
//!
//! Needs `xdotool` (Debian package, in the Makefile's DEBIAN_PACKAGES). Run with
//! `make test-e2e`.

use anyhow::{anyhow, bail, ensure, Result};
use hearth_e2e::app::eventually;
use hearth_e2e::screens::{CHECK_EMAIL, CONNECT, DASHBOARD, MY_PLANS, SIGN_IN};
use hearth_e2e::seed::seed_family_plans;
use hearth_e2e::webdriver::Using;
use hearth_e2e::{App, Prereqs, Profile, Server};

const ALEX: &str = "alex.demoworker@example.org.uk";
/// The demo organisation's password (`hearth-server demo-seed`; invented).
use hearth_e2e::app::DEMO_PASSWORD;
/// The title of the file dialog the app opens (src-tauri/documents.rs).
const DIALOG_TITLE: &str = "Add a document to this plan";

/// A small, whole PDF (invented content).
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// The first `FSP-<digits>` in the text.
fn fsp_reference(text: &str) -> Option<String> {
    let at = text.find("FSP-")?;
    let digits: String = text[at + 4..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (!digits.is_empty()).then(|| format!("FSP-{digits}"))
}

/// Opens the plan of `family` from "My plans".
async fn open_plan(app: &App, family: &str) -> Result<()> {
    app.nav("My plans").await?;
    app.wait_for_screen(MY_PLANS).await?;
    eventually(|| async {
        for link in app.wd.find_all(Using::Css, "main tbody a").await? {
            if app.wd.text(&link).await?.contains(family) {
                return app.wd.click(&link).await;
            }
        }
        bail!("no plan of the {family} family listed yet")
    })
    .await?;
    app.wait_for_screen(&format!("{family} family")).await
}

/// Scrolls the Documents section to the top of the window and saves a screenshot of it.
async fn shot_of_documents(app: &App, name: &str) -> Result<()> {
    app.wd
        .execute(
            "document.getElementById('documents-heading').scrollIntoView({block: 'start'});",
            vec![],
        )
        .await?;
    app.save_shot(name).await?;
    Ok(())
}

/// The rows of the Documents table, as text.
async fn document_rows(app: &App) -> Result<Vec<String>> {
    app.texts(
        Using::XPath,
        "//section[@aria-labelledby='documents-heading']//tbody/tr",
    )
    .await
}

#[tokio::test]
async fn a_document_is_added_through_the_real_file_dialog_refused_when_not_allowed_and_moved(
) -> Result<()> {
    let prereqs = Prereqs::from_env()?;
    let server = Server::start(&prereqs)?;
    let profile = Profile::new("documents")?;
    // Two plans made on this laptop offline, protected with Alex's password.
    seed_family_plans(
        profile.data_dir.path(),
        DEMO_PASSWORD,
        &["Testwell", "Exampleton"],
    )
    .await?;
    let files = tempfile::Builder::new()
        .prefix("hearth-e2e-documents-files-")
        .tempdir()?;
    let pdf = files.path().join("home visit notes.pdf");
    std::fs::write(&pdf, PDF)?;
    let txt = files.path().join("notes.txt");
    std::fs::write(&txt, "Invented notes, not a document Hearth takes")?;

    let app = App::start(&prereqs, &profile).await?;
    app.visit(CONNECT).await?;
    app.fill("Server address", &server.url()).await?;
    app.press("Continue").await?;
    app.visit(SIGN_IN).await?;
    app.fill("Email address", ALEX).await?;
    app.fill("Password", DEMO_PASSWORD).await?;
    app.press("Sign in").await?;
    app.visit(CHECK_EMAIL).await?;
    let code = eventually(|| async { server.latest_sign_in_code(ALEX) }).await?;
    app.fill("Code from the email", &code).await?;
    app.press("Continue").await?;
    app.visit(DASHBOARD).await?;
    // The offline plans reach the server and get their permanent references.
    app.synced().await?;

    open_plan(&app, "Testwell").await?;
    let reference = eventually(|| async {
        fsp_reference(&app.main_text().await?).ok_or_else(|| anyhow!("no FSP reference yet"))
    })
    .await?;
    eventually(|| async {
        let text = app.main_text().await?;
        ensure!(text.contains("This plan has no documents yet."), "{text}");
        Ok(())
    })
    .await?;
    app.visit("Testwell family").await?;

    // "Add a document": the real GTK file dialog, answered from the keyboard.
    app.press("Add a document").await?;
    hearth_e2e::dialog::pick_file(DIALOG_TITLE, &pdf).await?;
    let today = chrono::Local::now().date_naive().format("%y%m%d");
    let suggested = format!("{reference}-{today}-HomeVisitNotes.pdf");
    eventually(|| async {
        let name = app.value_of("File name").await?;
        ensure!(
            name == suggested,
            "the file name field reads {name:?}, expected {suggested:?}"
        );
        Ok(())
    })
    .await?;
    ensure!(app.value_of("Title").await? == "home visit notes");
    app.fill("Title", "Home visit notes (invented)").await?;
    shot_of_documents(&app, "document-chosen").await?;
    app.axe_check("plan view, a document chosen").await?;

    // A file that is not a document: refused, named, and nothing typed is lost.
    app.press("Choose another file").await?;
    hearth_e2e::dialog::pick_file(DIALOG_TITLE, &txt).await?;
    let summary = app.error_summary().await?;
    ensure!(
        summary
            == vec![(
                "#document-choose".to_owned(),
                "notes.txt is not a Word, PDF, JPEG or PNG file".to_owned()
            )],
        "{summary:?}"
    );
    ensure!(app.value_of("Title").await? == "Home visit notes (invented)");
    ensure!(app.value_of("File name").await? == suggested);
    // It says which file is still waiting, so the refusal is not read as the PDF's.
    ensure!(
        app.main_text()
            .await?
            .contains("home visit notes.pdf is still the file to add. Nothing you typed is lost."),
        "the waiting file is not named after a refusal"
    );
    shot_of_documents(&app, "document-refused").await?;
    app.axe_check("plan view, a file refused").await?;

    // The chosen PDF is still the one added.
    app.press("Add to this plan").await?;
    app.wait_for_status(&format!("{suggested} added to this plan"))
        .await?;
    let rows = document_rows(&app).await?;
    ensure!(
        rows.len() == 1
            && rows[0].contains("Home visit notes (invented)")
            && rows[0].contains(&suggested)
            && rows[0].contains("PDF")
            && rows[0].contains("1 KB")
            && rows[0].contains("Yes"),
        "{rows:?}"
    );
    shot_of_documents(&app, "document-added").await?;
    app.axe_check("plan view, a document added").await?;
    app.synced().await?;

    // Filed against the wrong plan: move it to the Exampleton family's.
    app.press("Move Home visit notes (invented) to another plan")
        .await?;
    let select = app
        .field("Plan to move Home visit notes (invented) to")
        .await?;
    app.wd.click(&select).await?;
    let option = eventually(|| async {
        let options = app
            .wd
            .find_all(Using::XPath, "//option[contains(., 'Exampleton family')]")
            .await?;
        options
            .into_iter()
            .next()
            .ok_or_else(|| anyhow!("no Exampleton plan to move to"))
    })
    .await?;
    app.wd.click(&option).await?;
    shot_of_documents(&app, "document-moving").await?;
    app.axe_check("plan view, moving a document").await?;
    app.press("Move the document").await?;
    app.wait_for_status(&format!("{suggested} moved to"))
        .await?;
    eventually(|| async {
        let text = app.main_text().await?;
        ensure!(text.contains("This plan has no documents yet."), "{text}");
        Ok(())
    })
    .await?;
    app.synced().await?;

    open_plan(&app, "Exampleton").await?;
    eventually(|| async {
        let rows = document_rows(&app).await?;
        ensure!(
            rows.len() == 1 && rows[0].contains(&suggested),
            "the Exampleton plan's documents: {rows:?}"
        );
        Ok(())
    })
    .await?;
    app.visit("Exampleton family").await?;
    app.quit().await
}
