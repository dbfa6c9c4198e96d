//! The commands the web view calls. Each is a thin wrapper over a function taking
//! `&AppState`, so the logic is tested without a window.

use std::path::{Path, PathBuf};

use chrono::{Local, NaiveDate};
use hearth_domain::{Config, RecordKind};
use hearth_store::RecordId;
use tauri::{Manager as _, State, WebviewWindow};

use crate::dto::{Dashboard, LocalRecord, PrintOutcome};
use crate::error::{AppError, ErrorCode};
use crate::printing::{self, PrintedRecord};
use crate::state::AppState;

/// The figures of the home screen.
#[tauri::command]
#[specta::specta]
pub async fn dashboard(state: State<'_, AppState>) -> Result<Dashboard, AppError> {
    dashboard_of(&state).await
}

/// "Download / print": makes the record's PDF, asks where to save it with the system's
/// save dialog, and writes it there. Returns where it was saved, or that the dialog was
/// closed without saving.
#[tauri::command]
#[specta::specta]
pub async fn print_record(
    window: WebviewWindow,
    state: State<'_, AppState>,
    record_id: String,
) -> Result<PrintOutcome, AppError> {
    // The local date: a practitioner printing at 00:30 in June expects today's date.
    let printed = printed_record(&state, &record_id, Local::now().date_naive()).await?;
    let mut dialog = rfd::AsyncFileDialog::new()
        .set_title("Save the PDF")
        .set_file_name(&printed.file_name)
        .add_filter("PDF", &["pdf"])
        .set_parent(&window);
    let paths = window.path();
    if let Some(folder) = save_folder(paths.document_dir().ok(), paths.home_dir().ok()) {
        dialog = dialog.set_directory(folder);
    }
    let Some(chosen) = dialog.save_file().await else {
        tracing::info!(record = %record_id, "save dialog closed without saving");
        return Ok(PrintOutcome::Cancelled);
    };
    let path = chosen.path().to_path_buf();
    save_pdf(&state, &path, &printed.bytes).await?;
    tracing::info!(record = %record_id, "PDF saved");
    Ok(PrintOutcome::Saved {
        path: path.display().to_string(),
        file_name: printed.file_name,
    })
}

/// Opens a PDF that `print_record` saved in the system's PDF viewer, to print it.
#[tauri::command]
#[specta::specta]
pub async fn open_saved_pdf(state: State<'_, AppState>, path: String) -> Result<(), AppError> {
    let path = saved_pdf_to_open(&state, &path)?;
    open::that_detached(&path).map_err(|err| {
        AppError::new(
            ErrorCode::PrintFailed,
            format!(
                "Hearth could not open the PDF in a viewer ({err}). It is saved at {}: \
                 open it from there to print it.",
                path.display()
            ),
        )
    })?;
    tracing::info!("saved PDF opened in the system viewer");
    Ok(())
}

pub(crate) async fn dashboard_of(state: &AppState) -> Result<Dashboard, AppError> {
    let store = state.open_store().await?;
    let counts = store.counts().await?;
    let (recent, on_device) = store.recent(&LISTED_KINDS, RECENT_RECORDS).await?;
    let records = recent.iter().map(LocalRecord::from).collect();
    let mut dashboard = Dashboard::new(&counts, records, on_device);
    // Known once this device knows who is signed in (remembered at the online sign-in).
    if let Some(me) = crate::sharing::me_of(&store).await? {
        let waiting = crate::sharing::waiting_for(&store, &me).await?;
        dashboard.plans.transfers_awaiting_me =
            Some(crate::dto::saturating_u32(waiting.len() as u64));
        dashboard.plans.shared_with_several_coordinators =
            Some(crate::sharing::several_coordinators_for(&store, &me).await?);
    }
    Ok(dashboard)
}

/// The kinds the dashboard lists under "Recently saved on this device".
const LISTED_KINDS: [RecordKind; 3] = [RecordKind::Plan, RecordKind::Referral, RecordKind::Request];
/// How many of them it lists: a cache holds thousands, and every plan is in My plans.
const RECENT_RECORDS: u32 = 10;

/// The store's record `record_id` as PDF bytes and a suggested file name (no dialog).
pub(crate) async fn printed_record(
    state: &AppState,
    record_id: &str,
    printed_on: NaiveDate,
) -> Result<PrintedRecord, AppError> {
    let store = state.open_store().await?;
    let id: RecordId = record_id.parse().map_err(|_| {
        AppError::new(
            ErrorCode::RecordNotFound,
            "Hearth could not find that record on this device.",
        )
    })?;
    let config = Config::builtin();
    Ok(printing::print_record_pdf(&store, id, &config, printed_on).await?)
}

/// Where the save dialog starts: Documents, else the home folder. Without one, GTK would
/// start in the app's working folder.
fn save_folder(documents: Option<PathBuf>, home: Option<PathBuf>) -> Option<PathBuf> {
    [documents, home].into_iter().flatten().find(|p| p.is_dir())
}

/// Writes the PDF where the practitioner chose and remembers it as one `open_saved_pdf`
/// may open.
pub(crate) async fn save_pdf(state: &AppState, path: &Path, bytes: &[u8]) -> Result<(), AppError> {
    tokio::fs::write(path, bytes).await.map_err(|err| {
        // The path is for the practitioner, not the log (it may name a family).
        tracing::warn!(kind = ?err.kind(), "could not write the PDF");
        AppError::new(
            ErrorCode::PrintFailed,
            format!(
                "Hearth could not save the PDF to {} ({}). Choose another folder, \
                 for example Documents, and try again.",
                path.display(),
                io_reason(&err)
            ),
        )
    })?;
    state.remember_saved_pdf(path.to_path_buf());
    Ok(())
}

/// A short, plain reason for a failed write.
fn io_reason(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::PermissionDenied => "you do not have permission to save there".into(),
        std::io::ErrorKind::NotFound => "that folder does not exist".into(),
        std::io::ErrorKind::StorageFull => "the disk is full".into(),
        std::io::ErrorKind::ReadOnlyFilesystem => "that drive is read-only".into(),
        _ => err.to_string(),
    }
}

/// The path to open, if this app saved a PDF there and it is still there.
pub(crate) fn saved_pdf_to_open(state: &AppState, path: &str) -> Result<PathBuf, AppError> {
    let path = PathBuf::from(path);
    if !state.saved_this_pdf(&path) {
        tracing::warn!("refused to open a file this app did not save");
        return Err(AppError::new(
            ErrorCode::PrintFailed,
            "Hearth only opens PDFs it has just saved. Use \"Download / print\" again.",
        ));
    }
    if !path.is_file() {
        return Err(AppError::new(
            ErrorCode::PrintFailed,
            format!(
                "The PDF is no longer at {}. It may have been moved or deleted. \
                 Use \"Download / print\" to save it again.",
                path.display()
            ),
        ));
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use hearth_domain::RecordKind;
    use hearth_store::StepSave;

    use super::*;

    fn password_only(dir: &std::path::Path) -> AppState {
        AppState::new(dir.to_path_buf(), crate::state::KeyPolicy::PasswordOnly)
    }

    /// Opens a cache with a key held by the test, as an unlocked app has it.
    async fn open_store(state: &AppState) {
        let keys = hearth_store::KeyStorage::Supplied {
            key: hearth_store::DatabaseKey::from_bytes([9; 32]),
        };
        let store = hearth_store::Store::open_or_create(state.data_dir(), keys, Utc::now())
            .await
            .unwrap();
        *state.store.lock().await = Some(store);
    }

    async fn code_of<T: std::fmt::Debug>(result: Result<T, AppError>) -> ErrorCode {
        result.expect_err("expected an error").code
    }

    #[tokio::test]
    async fn the_dashboard_needs_an_unlocked_cache_and_counts_its_drafts() {
        let dir = tempfile::tempdir().unwrap();
        let state = password_only(dir.path());
        assert_eq!(code_of(dashboard_of(&state).await).await, ErrorCode::Locked);
        open_store(&state).await;
        let store = state.store.lock().await.clone().unwrap();
        store
            .save_step(StepSave::new(
                None,
                RecordKind::Plan,
                1,
                serde_json::json!({ "agency": "School" }),
                Utc::now(),
            ))
            .await
            .unwrap();
        let dashboard = dashboard_of(&state).await.unwrap();
        assert_eq!(dashboard.plans.drafts_in_progress, 1);
        assert!(dashboard.sync.pending_changes >= 1);
        // Locked again (the store parked): the records are refused.
        let parked = state.store.lock().await.take();
        assert!(parked.is_some());
        assert_eq!(code_of(dashboard_of(&state).await).await, ErrorCode::Locked);
    }

    #[tokio::test]
    async fn the_transfers_tile_counts_plans_awaiting_the_signed_in_user() {
        let dir = tempfile::tempdir().unwrap();
        let state = password_only(dir.path());
        open_store(&state).await;
        let store = state.store.lock().await.clone().unwrap();
        // Nobody known on this device yet: the figures wait.
        let plans = dashboard_of(&state).await.unwrap().plans;
        assert_eq!(plans.transfers_awaiting_me, None);
        assert_eq!(plans.shared_with_several_coordinators, None);
        let me = "0192f000-0000-7000-8000-0000000000aa";
        let account = serde_json::json!({
            "id": me, "forename": "Jo", "surname": "Invented",
            "email": "jo.invented@example.org.uk", "roles": ["practitioner"],
            "services": [], "work_groups": [], "out_of_office": null, "active": true
        });
        store
            .set_setting(crate::session::keys::ACCOUNT, &account.to_string())
            .await
            .unwrap();
        let transfer = |to: &str, state: &str| {
            serde_json::json!({"family_name": "Testfamily",
                               "transfer": {"to": to, "state": state, "sender_leaves": false}})
        };
        for fields in [
            transfer(me, "awaiting_authorisation"),
            transfer(me, "awaiting_authorisation"),
            transfer(me, "refused"),
            transfer(
                "0192f000-0000-7000-8000-0000000000bb",
                "awaiting_authorisation",
            ),
        ] {
            store
                .save_step(StepSave::new(None, RecordKind::Plan, 9, fields, Utc::now()))
                .await
                .unwrap();
        }
        assert_eq!(
            dashboard_of(&state)
                .await
                .unwrap()
                .plans
                .transfers_awaiting_me,
            Some(2)
        );
        // None of those is shared with several coordinators; this one is.
        let plans = dashboard_of(&state).await.unwrap().plans;
        assert_eq!(plans.shared_with_several_coordinators, Some(0));
        let coordinator =
            |id: &str| serde_json::json!({"user_id": id, "role": "coordinator", "active": true});
        store
            .save_step(StepSave::new(
                None,
                RecordKind::Plan,
                0,
                serde_json::json!({"sharing": [
                    {"user_id": me, "role": "team", "active": true},
                    coordinator("0192f000-0000-7000-8000-0000000000bb"),
                    coordinator("0192f000-0000-7000-8000-0000000000cc"),
                ]}),
                Utc::now(),
            ))
            .await
            .unwrap();
        let plans = dashboard_of(&state).await.unwrap().plans;
        assert_eq!(plans.shared_with_several_coordinators, Some(1));
    }

    #[tokio::test]
    async fn the_dashboard_lists_plans_referrals_and_requests_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let state = password_only(dir.path());
        open_store(&state).await;
        let store = state.store.lock().await.clone().unwrap();
        let day = |h| {
            use chrono::TimeZone as _;
            Utc.with_ymd_and_hms(2026, 11, 20, h, 0, 0).unwrap()
        };
        for (kind, hour) in [
            (RecordKind::Plan, 9),
            (RecordKind::Request, 11),
            (RecordKind::Referral, 10),
            (RecordKind::Task, 12),
        ] {
            store
                .save_step(StepSave::new(
                    None,
                    kind,
                    1,
                    serde_json::json!({}),
                    day(hour),
                ))
                .await
                .unwrap();
        }
        let dashboard = dashboard_of(&state).await.unwrap();
        let kinds: Vec<RecordKind> = dashboard.records.iter().map(|r| r.kind).collect();
        assert_eq!(
            kinds,
            [RecordKind::Request, RecordKind::Referral, RecordKind::Plan]
        );
        assert!(dashboard.records.iter().all(|r| r.title.is_none()));
        assert!(dashboard.records[0].reference.starts_with("LOCAL-RFS-"));
    }

    #[tokio::test]
    async fn printing_needs_an_open_store_and_a_record_id() {
        let dir = tempfile::tempdir().unwrap();
        let state = password_only(dir.path());
        let on = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        let id = RecordId::new_at(Utc::now()).to_string();
        assert_eq!(
            code_of(printed_record(&state, &id, on).await).await,
            ErrorCode::Locked
        );
        open_store(&state).await;
        assert_eq!(
            code_of(printed_record(&state, "not-an-id", on).await).await,
            ErrorCode::RecordNotFound
        );
        assert_eq!(
            code_of(printed_record(&state, &id, on).await).await,
            ErrorCode::RecordNotFound
        );
    }

    #[tokio::test]
    async fn only_a_pdf_this_app_saved_can_be_opened() {
        let dir = tempfile::tempdir().unwrap();
        let state = password_only(dir.path());
        let saved = dir
            .path()
            .join("LOCAL-FSP-0123456789-261121-FamilySupportPlan.pdf");
        let other = dir.path().join("other.pdf");
        std::fs::write(&other, b"%PDF-1.7").unwrap();

        let refused = saved_pdf_to_open(&state, &other.display().to_string()).unwrap_err();
        assert_eq!(refused.code, ErrorCode::PrintFailed);
        assert!(refused
            .message
            .contains("only opens PDFs it has just saved"));
        for path in ["/etc/passwd", "", "https://example.invalid/x.pdf"] {
            assert!(saved_pdf_to_open(&state, path).is_err(), "{path}");
        }

        save_pdf(&state, &saved, b"%PDF-1.7").await.unwrap();
        assert_eq!(std::fs::read(&saved).unwrap(), b"%PDF-1.7");
        assert_eq!(
            saved_pdf_to_open(&state, &saved.display().to_string()).unwrap(),
            saved
        );

        // Deleted after saving: say where it was, and how to get it back.
        std::fs::remove_file(&saved).unwrap();
        let gone = saved_pdf_to_open(&state, &saved.display().to_string()).unwrap_err();
        assert_eq!(gone.code, ErrorCode::PrintFailed);
        assert!(gone.message.contains(&saved.display().to_string()));
    }

    #[tokio::test]
    async fn a_pdf_that_cannot_be_written_says_where_and_why_and_is_not_remembered() {
        let dir = tempfile::tempdir().unwrap();
        let state = password_only(dir.path());
        let path = dir.path().join("no-such-folder").join("plan.pdf");
        let err = save_pdf(&state, &path, b"%PDF-1.7").await.unwrap_err();
        assert_eq!(err.code, ErrorCode::PrintFailed);
        assert_eq!(
            err.message,
            format!(
                "Hearth could not save the PDF to {} (that folder does not exist). Choose \
                 another folder, for example Documents, and try again.",
                path.display()
            )
        );
        assert!(!state.saved_this_pdf(&path));
    }

    #[test]
    fn the_save_dialog_starts_in_documents_or_else_home() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().to_path_buf();
        let documents = home.join("Documents");
        assert_eq!(
            save_folder(Some(documents.clone()), Some(home.clone())),
            Some(home.clone()),
            "no Documents folder yet"
        );
        std::fs::create_dir(&documents).unwrap();
        assert_eq!(
            save_folder(Some(documents.clone()), Some(home.clone())),
            Some(documents)
        );
        assert_eq!(save_folder(None, Some(home.clone())), Some(home));
        assert_eq!(save_folder(None, None), None);
    }
}
