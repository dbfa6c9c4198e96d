//! Documents on a plan (PRODUCT.md FSP "View plan … documents", seed 000 "Case documents"):
//! the plan view's list, "Add a document" through the system's file dialog (rfd) or by
//! dropping files on the window, "Open" read-only, "Edit in Word" with the saved file stored
//! straight back as a new version (watched with `notify`), and "Move to another plan".
//!
//! Files are read here, never through the web view: the window only ever sees names, sizes
//! and the problem with a file. A chosen or dropped file is *staged* (its path kept in
//! memory under a random id) and read and checked again when it is added.
//!
//! Decrypted copies live only in one private temporary folder per app run
//! (`<temp>/hearth-docs-<profile>-<random>`, mode 0700): read-only copies (0400) in a
//! `view-…` folder each, editable copies (0600) in an `edit-…` folder each, which a watcher
//! observes. [`DocumentFiles::forget_all`] stops the watchers and deletes the folder on
//! lock, sign-out, wipe and exit; a folder left by a crash is deleted at the next start
//! ([`DocumentFiles::remove_leftovers`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::Duration;

use chrono::{DateTime, Local, NaiveDate, Utc};
use hearth_domain::document::{
    check_file, suggest_file_name, DocumentDraft, DocumentError, DocumentMeta as DomainMeta,
    DocumentType, FileFacts, RecordLink, Sha256Hex, MAX_DOCUMENT_BYTES, SNIFF_BYTES,
};
use hearth_domain::request::RequestStatus;
use hearth_domain::{DocumentId as DomainDocumentId, FieldError, RecordKind};
use hearth_store::{DocumentId, DocumentMeta, NewDocument, Store};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use specta::Type;
use tauri::{State, WebviewWindow};

use crate::error::{AppError, ErrorCode};
use crate::state::AppState;

/// How long an edited file must stay quiet before it is read and stored back.
pub const SAVE_BACK_QUIET: Duration = Duration::from_millis(1500);

// ---------------------------------------------------------------------------------------
// What the window sees

/// One document in the plan view's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DocumentRow {
    pub id: String,
    pub title: String,
    pub file_name: String,
    /// "PDF", "Word document", "JPEG image" or "PNG image".
    pub kind: String,
    /// "34 KB", "2.5 MB".
    pub size_text: String,
    pub added_at: DateTime<Utc>,
    /// Whether the bytes are on this device (a document pulled from the server downloads
    /// after the pull).
    pub on_device: bool,
    /// A Word document, which "Edit in Word" opens for editing.
    pub word: bool,
    pub version: u32,
}

/// A plan a document can be moved to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PlanChoice {
    pub id: String,
    /// Reference and name, e.g. "FSP-000012: Testwell family".
    pub label: String,
}

/// The plan view's "Documents" section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PlanDocuments {
    pub plan_id: String,
    pub reference: String,
    /// False for a closed plan: it takes no new documents.
    pub open_for_changes: bool,
    pub documents: Vec<DocumentRow>,
    /// The other plans on this device that are not closed (for "Move to another plan").
    pub other_plans: Vec<PlanChoice>,
}

/// A file chosen or dropped, checked and waiting for its title and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct StagedFile {
    /// Names the file's path, which stays in Rust.
    pub staged_id: String,
    /// The file's own name, e.g. "scan.pdf".
    pub original_name: String,
    /// A title to start from: the file's name without its extension.
    pub suggested_title: String,
    /// `REF-YYMMDD-Name.ext` for this plan (a suggestion; any name is accepted).
    pub suggested_name: String,
    pub kind: String,
    pub size_text: String,
}

/// What "Add a document" came back with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(tag = "outcome", rename_all = "camelCase")]
pub enum ChooseOutcome {
    /// The dialog was closed without choosing.
    Cancelled,
    Chosen {
        file: StagedFile,
    },
    /// The file cannot be a document; `message` names it and the problem.
    Refused {
        message: String,
    },
}

/// What "Add to this plan" came back with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(tag = "outcome", rename_all = "camelCase")]
pub enum AddOutcome {
    Added {
        documents: PlanDocuments,
        #[serde(rename = "fileName")]
        file_name: String,
    },
    /// Every problem at once, at `title`, `file_name` or `file`.
    Invalid { errors: Vec<FieldError> },
}

/// One file dropped on the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DroppedFile {
    pub name: String,
    /// Set when the file can be added (`document_staged` gives its suggested name for a plan).
    pub staged_id: Option<String>,
    /// Why it cannot be added.
    pub problem: Option<String>,
}

/// Files were dropped on the window (the plan view offers "Add to this plan").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type, tauri_specta::Event)]
#[tauri_specta(event_name = "documents://dropped")]
#[serde(rename_all = "camelCase")]
pub struct DocumentsDropped {
    pub files: Vec<DroppedFile>,
}

/// A document edited in Word was saved and stored back as a new version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type, tauri_specta::Event)]
#[tauri_specta(event_name = "documents://saved")]
#[serde(rename_all = "camelCase")]
pub struct DocumentSaved {
    pub document_id: String,
    pub plan_id: String,
    pub file_name: String,
    pub version: u32,
}

// ---------------------------------------------------------------------------------------
// Commands

/// The plan's documents.
#[tauri::command]
#[specta::specta]
pub async fn documents_list(
    state: State<'_, AppState>,
    plan_id: String,
) -> Result<PlanDocuments, AppError> {
    let store = state.open_store().await?;
    plan_documents(&store, &plan_id).await
}

/// "Add a document": the system's file dialog, then the chosen file checked here.
#[tauri::command]
#[specta::specta]
pub async fn document_choose(
    window: WebviewWindow,
    state: State<'_, AppState>,
    plan_id: String,
) -> Result<ChooseOutcome, AppError> {
    let store = state.open_store().await?;
    let plan = load_holder(&store, &plan_id).await?;
    refuse_if_closed(&store, &plan).await?;
    // rfd's GTK dialog runs on the main (GTK) thread; this command only awaits it.
    let dialog_title = match plan.summary.kind {
        RecordKind::Task => "Add a document to this contribution",
        RecordKind::Request => "Add a document to this request",
        _ => "Add a document to this plan",
    };
    let chosen = rfd::AsyncFileDialog::new()
        .set_title(dialog_title)
        .add_filter(
            "Word, PDF, JPEG or PNG",
            &["doc", "docx", "pdf", "jpg", "jpeg", "png"],
        )
        .add_filter("All files", &["*"])
        .set_parent(&window)
        .pick_file()
        .await;
    let Some(chosen) = chosen else {
        return Ok(ChooseOutcome::Cancelled);
    };
    // Locked while the dialog was open: nothing is read or kept.
    state.open_store().await?;
    let reference = reference_of(&plan.summary);
    Ok(
        match stage(&state, chosen.path(), &reference, today()).await {
            Ok(file) => ChooseOutcome::Chosen { file },
            Err(message) => ChooseOutcome::Refused { message },
        },
    )
}

/// A dropped file, ready to add to this plan: its suggested title and name.
#[tauri::command]
#[specta::specta]
pub async fn document_staged(
    state: State<'_, AppState>,
    plan_id: String,
    staged_id: String,
) -> Result<StagedFile, AppError> {
    let store = state.open_store().await?;
    let plan = load_holder(&store, &plan_id).await?;
    refuse_if_closed(&store, &plan).await?;
    staged_for(&state, &staged_id, &reference_of(&plan.summary), today())
}

/// "Add to this plan": the staged file read and checked again, then stored (it waits in
/// the outbox for the next sync).
#[tauri::command]
#[specta::specta]
pub async fn document_add(
    state: State<'_, AppState>,
    plan_id: String,
    staged_id: String,
    title: String,
    file_name: String,
) -> Result<AddOutcome, AppError> {
    add(&state, &plan_id, &staged_id, title, file_name, Utc::now()).await
}

/// "Open": a read-only copy in the private folder, opened in the system's viewer.
#[tauri::command]
#[specta::specta]
pub async fn document_open(
    state: State<'_, AppState>,
    document_id: String,
) -> Result<(), AppError> {
    let path = read_only_copy(&state, &document_id).await?;
    open::that_detached(&path).map_err(|_| {
        AppError::new(
            ErrorCode::StoreFailed,
            "Hearth could not open the document: this computer has no program for this kind \
             of file. Ask your IT service desk to install one.",
        )
    })?;
    tracing::info!("document opened read-only");
    Ok(())
}

/// "Edit in Word": an editable copy opened in the system's editor; every save of it is
/// stored back as a new version.
#[tauri::command]
#[specta::specta]
pub async fn document_edit(
    state: State<'_, AppState>,
    document_id: String,
) -> Result<(), AppError> {
    let path = start_editing(&state, &document_id).await?;
    open::that_detached(&path).map_err(|_| {
        AppError::new(
            ErrorCode::StoreFailed,
            "Hearth could not open the document in Word: this computer has no program for \
             Word documents. Ask your IT service desk to install one.",
        )
    })?;
    tracing::info!("document opened for editing");
    Ok(())
}

/// "Remove": a supporting document taken off a task's contribution before it is submitted
/// (documents on a plan are not removed here).
#[tauri::command]
#[specta::specta]
pub async fn document_remove(
    state: State<'_, AppState>,
    document_id: String,
) -> Result<PlanDocuments, AppError> {
    let store = state.open_store().await?;
    remove(&store, &document_id, Utc::now()).await
}

/// "Move to another plan": the document is linked to `plan_id` instead.
#[tauri::command]
#[specta::specta]
pub async fn document_relink(
    state: State<'_, AppState>,
    document_id: String,
    plan_id: String,
) -> Result<PlanDocuments, AppError> {
    let store = state.open_store().await?;
    relink(&store, &document_id, &plan_id, Utc::now()).await
}

// ---------------------------------------------------------------------------------------
// Logic, testable without a window

fn invalid(message: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::InvalidInput, message)
}

fn document_not_found() -> AppError {
    AppError::new(
        ErrorCode::RecordNotFound,
        "This document is no longer on this device. It may have been moved or deleted.",
    )
}

fn today() -> NaiveDate {
    Local::now().date_naive()
}

/// The record documents are kept on: a plan, a request for support (its case document
/// library) or a delegated task (its contribution's supporting documents). Anything else is
/// "not found".
async fn load_holder(store: &Store, id: &str) -> Result<hearth_store::Draft, AppError> {
    let not_found = crate::plans::not_found;
    let id: hearth_store::RecordId = id.parse().map_err(|_| not_found())?;
    match store.load(id).await? {
        Some(record)
            if matches!(
                record.summary.kind,
                RecordKind::Plan | RecordKind::Request | RecordKind::Task
            ) =>
        {
            Ok(record)
        }
        _ => Err(not_found()),
    }
}

/// A closed plan, or a declined, closed or archived request: it takes no new documents.
fn is_closed(record: &hearth_store::Draft) -> bool {
    match record.summary.kind {
        RecordKind::Request => record
            .fields
            .get("status")
            .and_then(|v| serde_json::from_value::<RequestStatus>(v.clone()).ok())
            .is_some_and(RequestStatus::is_closed),
        _ => record.summary.status == hearth_store::status::CLOSED,
    }
}

async fn refuse_if_closed(store: &Store, holder: &hearth_store::Draft) -> Result<(), AppError> {
    if holder.summary.kind == RecordKind::Task {
        // Only the task's editor, while it is assigned, changes its documents.
        return crate::tasks::check_editable_record(store, holder).await;
    }
    if is_closed(holder) {
        return Err(invalid(if holder.summary.kind == RecordKind::Request {
            "This request is closed, so it takes no new documents and none can be moved to it"
        } else {
            "This plan is closed, so it takes no new documents and none can be moved to it"
        }));
    }
    Ok(())
}

fn reference_of(summary: &hearth_store::RecordSummary) -> String {
    summary
        .server_reference
        .clone()
        .unwrap_or_else(|| summary.local_reference.clone())
}

fn parse_document_id(id: &str) -> Result<DocumentId, AppError> {
    id.parse().map_err(|_| document_not_found())
}

/// "34 KB", "2.5 MB" (1 MB = 1024 × 1024 bytes, as the 15 MB limit).
pub fn size_text(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes < MB {
        format!("{} KB", bytes.div_ceil(1024).max(1))
    } else {
        format!("{:.1} MB", bytes as f64 / MB as f64)
    }
}

fn kind_label(t: DocumentType) -> &'static str {
    match t {
        DocumentType::Pdf => "PDF",
        DocumentType::Jpeg => "JPEG image",
        DocumentType::Png => "PNG image",
        DocumentType::Doc | DocumentType::Docx => "Word document",
    }
}

fn type_of_mime(mime: &str) -> Option<DocumentType> {
    [
        DocumentType::Pdf,
        DocumentType::Jpeg,
        DocumentType::Png,
        DocumentType::Doc,
        DocumentType::Docx,
    ]
    .into_iter()
    .find(|t| t.mime_type() == mime)
}

fn row_of(meta: &DocumentMeta) -> DocumentRow {
    let t = type_of_mime(&meta.content_type);
    DocumentRow {
        id: meta.id.to_string(),
        title: meta.title.clone(),
        file_name: meta.file_name.clone(),
        kind: t.map_or("Document", kind_label).to_owned(),
        size_text: size_text(meta.size),
        added_at: meta.added_at,
        on_device: meta.bytes_held,
        word: matches!(t, Some(DocumentType::Doc | DocumentType::Docx)),
        version: u32::try_from(meta.version).unwrap_or(u32::MAX),
    }
}

pub async fn plan_documents(store: &Store, plan_id: &str) -> Result<PlanDocuments, AppError> {
    let plan = load_holder(store, plan_id).await?;
    let documents = store
        .list_documents(plan.summary.id)
        .await?
        .iter()
        .map(row_of)
        .collect();
    // A document moves between records of the same kind (plans, or requests).
    let kind = plan.summary.kind;
    let mut open = Vec::new();
    for r in store
        .list_columns(kind, None, &["$.family_name", "$.status"])
        .await?
    {
        let closed = match kind {
            RecordKind::Request => serde_json::from_value::<RequestStatus>(r.values[1].clone())
                .is_ok_and(RequestStatus::is_closed),
            _ => r.summary.status == hearth_store::status::CLOSED,
        };
        if r.summary.id != plan.summary.id && !closed {
            open.push(r);
        }
    }
    let other_plans = open
        .into_iter()
        .filter(|_| plan.summary.kind != RecordKind::Task)
        .map(|r| {
            let family = r.values[0].as_str().unwrap_or_default().trim().to_owned();
            let name = if family.is_empty() {
                r.summary
                    .title
                    .clone()
                    .filter(|t| !t.trim().is_empty())
                    .unwrap_or_else(|| match kind {
                        RecordKind::Request => {
                            "Request for support (no child named yet)".to_owned()
                        }
                        _ => "Family Support Plan (no family name yet)".to_owned(),
                    })
            } else {
                format!("{family} family")
            };
            PlanChoice {
                id: r.summary.id.to_string(),
                label: format!("{}: {name}", reference_of(&r.summary)),
            }
        })
        .collect();
    Ok(PlanDocuments {
        plan_id: plan.summary.id.to_string(),
        reference: reference_of(&plan.summary),
        open_for_changes: refuse_if_closed(store, &plan).await.is_ok(),
        documents,
        other_plans,
    })
}

/// The file's own name, for messages.
fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// A file read from disk and checked: its bytes, what it is, and its name.
pub struct CheckedFile {
    pub name: String,
    pub bytes: Vec<u8>,
    pub doc_type: DocumentType,
}

/// The sentence for a file that cannot be a document, naming it.
pub fn refusal(name: &str, size: u64, err: DocumentError) -> String {
    match err {
        DocumentError::Empty => format!("{name} is empty"),
        DocumentError::TooLarge => {
            let text = size_text(size);
            if text == "15.0 MB" {
                format!("{name} is more than 15 MB; the largest document Hearth takes is 15 MB")
            } else {
                format!("{name} is {text}; the largest document Hearth takes is 15 MB")
            }
        }
        DocumentError::NotAllowedType => {
            format!("{name} is not a Word, PDF, JPEG or PNG file")
        }
    }
}

fn io_problem(name: &str, err: &std::io::Error) -> String {
    let why = match err.kind() {
        std::io::ErrorKind::NotFound => "it is no longer there".to_owned(),
        std::io::ErrorKind::PermissionDenied => "you do not have permission to open it".to_owned(),
        _ => err.to_string(),
    };
    format!("Hearth could not read {name} ({why})")
}

/// Reads the file at `path` and checks it by size (before reading it all) and content.
/// The error is the sentence to show.
pub async fn read_checked(path: &Path) -> Result<CheckedFile, String> {
    let name = display_name(path);
    let meta = tokio::fs::metadata(path)
        .await
        .map_err(|e| io_problem(&name, &e))?;
    if meta.is_dir() {
        return Err(format!("{name} is a folder, not a file"));
    }
    if meta.len() > MAX_DOCUMENT_BYTES {
        return Err(refusal(&name, meta.len(), DocumentError::TooLarge));
    }
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|e| io_problem(&name, &e))?;
    let size = bytes.len() as u64;
    let doc_type = check_file(size, &bytes[..bytes.len().min(SNIFF_BYTES)])
        .map_err(|e| refusal(&name, size, e))?;
    Ok(CheckedFile {
        name,
        bytes,
        doc_type,
    })
}

/// A checked file waiting to be added: where it is and what it was when checked.
#[derive(Debug, Clone)]
struct Staged {
    path: PathBuf,
    name: String,
    doc_type: DocumentType,
    size: u64,
}

fn staged_file(staged_id: &str, staged: &Staged, reference: &str, on: NaiveDate) -> StagedFile {
    let stem = staged
        .name
        .rsplit_once('.')
        .map_or(staged.name.as_str(), |(s, _)| s)
        .trim()
        .to_owned();
    StagedFile {
        staged_id: staged_id.to_owned(),
        original_name: staged.name.clone(),
        suggested_title: stem,
        suggested_name: suggest_file_name(reference, on, &staged.name, staged.doc_type),
        kind: kind_label(staged.doc_type).to_owned(),
        size_text: size_text(staged.size),
    }
}

/// Checks the file at `path` and keeps its path under a new staged id. The error is the
/// sentence to show.
async fn stage_path(state: &AppState, path: &Path) -> Result<(String, Staged), String> {
    let file = read_checked(path).await?;
    let staged_id = uuid::Uuid::new_v4().to_string();
    let staged = Staged {
        path: path.to_path_buf(),
        name: file.name,
        doc_type: file.doc_type,
        size: file.bytes.len() as u64,
    };
    state.documents.stage(staged_id.clone(), staged.clone());
    Ok((staged_id, staged))
}

/// Checks the file and stages it, with its suggested title and name for the plan whose
/// reference is `reference`.
pub async fn stage(
    state: &AppState,
    path: &Path,
    reference: &str,
    on: NaiveDate,
) -> Result<StagedFile, String> {
    let (id, staged) = stage_path(state, path).await?;
    Ok(staged_file(&id, &staged, reference, on))
}

/// A staged file with its suggestions for the plan whose reference is `reference`.
pub fn staged_for(
    state: &AppState,
    staged_id: &str,
    reference: &str,
    on: NaiveDate,
) -> Result<StagedFile, AppError> {
    let staged = state.documents.staged(staged_id).ok_or_else(|| {
        invalid("Hearth no longer has that file ready (it was locked meanwhile). Drop it again.")
    })?;
    Ok(staged_file(staged_id, &staged, reference, on))
}

/// Files dropped on the window: each checked and staged, or its problem. `None` while
/// Hearth is locked (nothing is shown then).
pub async fn stage_dropped(state: &AppState, paths: Vec<PathBuf>) -> Option<DocumentsDropped> {
    state.open_store().await.ok()?;
    let mut files = Vec::new();
    for path in paths {
        let name = display_name(&path);
        files.push(match stage_path(state, &path).await {
            Ok((id, _)) => DroppedFile {
                name,
                staged_id: Some(id),
                problem: None,
            },
            Err(problem) => DroppedFile {
                name,
                staged_id: None,
                problem: Some(problem),
            },
        });
    }
    Some(DocumentsDropped { files })
}

pub async fn add(
    state: &AppState,
    plan_id: &str,
    staged_id: &str,
    title: String,
    file_name: String,
    now: DateTime<Utc>,
) -> Result<AddOutcome, AppError> {
    let store = state.open_store().await?;
    let plan = load_holder(&store, plan_id).await?;
    refuse_if_closed(&store, &plan).await?;
    let Some(Staged { path, .. }) = state.documents.staged(staged_id) else {
        return Ok(AddOutcome::Invalid {
            errors: vec![FieldError::new(
                "file",
                "Choose the file again: Hearth no longer has it ready (it was locked meanwhile)",
            )],
        });
    };
    let file = match read_checked(&path).await {
        Ok(file) => file,
        Err(message) => {
            return Ok(AddOutcome::Invalid {
                errors: vec![FieldError::new("file", message)],
            })
        }
    };
    let draft = DocumentDraft {
        title,
        file_name,
        link: Some(RecordLink {
            kind: plan.summary.kind,
            record_id: plan.summary.id.as_uuid(),
            case_reference: Some(reference_of(&plan.summary)),
        }),
    };
    let facts = FileFacts {
        size: file.bytes.len() as u64,
        prefix: &file.bytes[..file.bytes.len().min(SNIFF_BYTES)],
        sha256: Sha256Hex::from_bytes(Sha256::digest(&file.bytes).into()),
    };
    let id = DocumentId::new_at(now);
    let meta = match DomainMeta::parse(DomainDocumentId(id.as_uuid()), draft, facts) {
        Ok(meta) => meta,
        Err(errors) => {
            return Ok(AddOutcome::Invalid {
                errors: errors.into_vec(),
            })
        }
    };
    store
        .put_document(NewDocument {
            id: Some(id),
            record_id: plan.summary.id,
            title: meta.title().to_owned(),
            file_name: meta.file_name().to_owned(),
            content_type: meta.content_type().mime_type().to_owned(),
            bytes: &file.bytes,
            added_at: now,
        })
        .await?;
    state.documents.unstage(staged_id);
    tracing::info!(document = %id, kind = %plan.summary.kind.as_str(), "document added");
    Ok(AddOutcome::Added {
        documents: plan_documents(&store, plan_id).await?,
        file_name: meta.file_name().to_owned(),
    })
}

pub async fn relink(
    store: &Store,
    document_id: &str,
    plan_id: &str,
    now: DateTime<Utc>,
) -> Result<PlanDocuments, AppError> {
    let id = parse_document_id(document_id)?;
    let meta = store
        .document_meta(id)
        .await?
        .ok_or_else(document_not_found)?;
    let to = load_holder(store, plan_id).await?;
    if to.summary.id == meta.record_id {
        return Err(invalid(
            "Choose a different plan: the document is on this one already",
        ));
    }
    if to.summary.kind == RecordKind::Task {
        return Err(invalid(
            "A contribution's supporting documents stay on their task: remove one instead",
        ));
    }
    refuse_if_closed(store, &to).await?;
    let from_kind = store.load(meta.record_id).await?.map(|r| r.summary.kind);
    if from_kind.is_some_and(|k| k != to.summary.kind) {
        return Err(invalid(
            "A document moves only to a record of the same kind: a plan's to another plan, a request's to another request",
        ));
    }
    // The domain's rule: the same document (bytes, title, name), linked elsewhere.
    let from = meta.record_id;
    store.relink_document(id, to.summary.id, now).await?;
    tracing::info!(document = %id, "document moved to another plan");
    plan_documents(store, &from.to_string()).await
}

pub async fn remove(
    store: &Store,
    document_id: &str,
    now: DateTime<Utc>,
) -> Result<PlanDocuments, AppError> {
    let id = parse_document_id(document_id)?;
    let meta = store
        .document_meta(id)
        .await?
        .ok_or_else(document_not_found)?;
    let holder = load_holder(store, &meta.record_id.to_string()).await?;
    if holder.summary.kind != RecordKind::Task {
        return Err(invalid(
            "Documents on a plan cannot be removed; move it to another plan instead",
        ));
    }
    refuse_if_closed(store, &holder).await?;
    store.delete_document(id, now).await?;
    tracing::info!(document = %id, "document removed from a contribution");
    plan_documents(store, &meta.record_id.to_string()).await
}

// ---------------------------------------------------------------------------------------
// Decrypted copies

/// A file name safe to create inside the private folder (no folders, no hidden file).
pub fn safe_file_name(name: &str, t: Option<DocumentType>) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c == '/' || c == '\\' || c.is_control() {
                '-'
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim().to_owned();
    if cleaned.is_empty() {
        format!("document.{}", t.map_or("bin", DocumentType::extension))
    } else {
        cleaned
    }
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    let mut p = std::fs::metadata(path)?.permissions();
    p.set_readonly(mode & 0o200 == 0);
    std::fs::set_permissions(path, p)
}

fn temp_problem(err: &std::io::Error) -> AppError {
    tracing::warn!(kind = ?err.kind(), "could not write a document's temporary copy");
    AppError::new(
        ErrorCode::StoreFailed,
        format!("Hearth could not make a temporary copy of the document to open ({err}). Check that the disk is not full, then try again."),
    )
}

async fn held_document(
    state: &AppState,
    document_id: &str,
) -> Result<hearth_store::Document, AppError> {
    let store = state.open_store().await?;
    let id = parse_document_id(document_id)?;
    match store.get_document(id).await {
        Ok(Some(doc)) => Ok(doc),
        Ok(None) => Err(document_not_found()),
        Err(hearth_store::StoreError::DocumentNotDownloaded(_)) => Err(invalid(
            "This document is not on this device yet. It downloads at the next sync: try again after it.",
        )),
        Err(e) => Err(e.into()),
    }
}

/// Decrypts the document into a new `view-…` folder of the private folder as a read-only
/// file (0400) and returns its path.
pub async fn read_only_copy(state: &AppState, document_id: &str) -> Result<PathBuf, AppError> {
    let doc = held_document(state, document_id).await?;
    let name = safe_file_name(&doc.meta.file_name, type_of_mime(&doc.meta.content_type));
    state
        .documents
        .write_copy("view", &name, &doc.bytes, 0o400)
        .map_err(|e| temp_problem(&e))
}

/// Decrypts the document into an `edit-…` folder (0600) and watches it: every save is stored
/// back as a new version ([`DocumentFiles::watch`]). A document already being edited keeps
/// its copy (and the edits in it).
pub async fn start_editing(state: &AppState, document_id: &str) -> Result<PathBuf, AppError> {
    let id = parse_document_id(document_id)?;
    if let Some(path) = state.documents.editing(id) {
        return Ok(path);
    }
    let doc = held_document(state, document_id).await?;
    let t = type_of_mime(&doc.meta.content_type);
    if !matches!(t, Some(DocumentType::Doc | DocumentType::Docx)) {
        return Err(invalid(
            "Only Word documents can be edited. Use Open to look at this one.",
        ));
    }
    let name = safe_file_name(&doc.meta.file_name, t);
    let path = state
        .documents
        .write_copy("edit", &name, &doc.bytes, 0o600)
        .map_err(|e| temp_problem(&e))?;
    let sha = sha256_hex(&doc.bytes);
    state
        .documents
        .watch(state.clone(), id, path.clone(), sha)
        .map_err(|e| {
            tracing::warn!(%e, "could not watch a document being edited");
            AppError::new(
                ErrorCode::StoreFailed,
                "Hearth could not watch the document for changes, so it did not open it for editing. Try again.",
            )
        })?;
    Ok(path)
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether a file of this type is whole, not caught half-written: a PDF ends with
/// `%%EOF`, a PNG with its `IEND` chunk, a JPEG with its end-of-image marker, a `.docx`
/// (zip) has its end-of-central-directory record, a `.doc` is a whole number of sectors.
pub fn looks_complete(t: DocumentType, bytes: &[u8]) -> bool {
    let tail = |n: usize| &bytes[bytes.len().saturating_sub(n)..];
    let has = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
    match t {
        DocumentType::Pdf => has(tail(1024), b"%%EOF"),
        DocumentType::Png => bytes.ends_with(&[0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]),
        DocumentType::Jpeg => has(tail(64), &[0xFF, 0xD9]),
        DocumentType::Docx => has(tail(22 + 65_535), b"PK\x05\x06"),
        DocumentType::Doc => bytes.len() >= 1024 && bytes.len().is_multiple_of(512),
    }
}

/// What one look at an edited file found.
#[derive(Debug, PartialEq, Eq)]
pub enum SaveBack {
    /// Stored as a new version.
    Stored(DocumentSaved),
    /// Not stored: the same bytes as stored, or the file is missing, empty, of another kind,
    /// too large, or not whole yet (the next change of it is looked at again).
    Skipped(&'static str),
}

/// Reads the edited copy and, when it is whole, allowed and changed, stores it as a new
/// version of the document (its current title, name and plan).
pub async fn save_back(
    state: &AppState,
    id: DocumentId,
    path: &Path,
    last_sha: &str,
    now: DateTime<Utc>,
) -> Result<SaveBack, AppError> {
    let Ok(before) = std::fs::metadata(path) else {
        return Ok(SaveBack::Skipped("missing"));
    };
    if before.len() > MAX_DOCUMENT_BYTES {
        return Ok(SaveBack::Skipped("too large"));
    }
    let Ok(bytes) = tokio::fs::read(path).await else {
        return Ok(SaveBack::Skipped("unreadable"));
    };
    let Ok(after) = std::fs::metadata(path) else {
        return Ok(SaveBack::Skipped("missing"));
    };
    if after.len() != bytes.len() as u64 || after.modified().ok() != before.modified().ok() {
        return Ok(SaveBack::Skipped("still being written"));
    }
    let Ok(t) = check_file(bytes.len() as u64, &bytes[..bytes.len().min(SNIFF_BYTES)]) else {
        return Ok(SaveBack::Skipped("not an allowed document"));
    };
    if !looks_complete(t, &bytes) {
        return Ok(SaveBack::Skipped("not whole yet"));
    }
    if sha256_hex(&bytes) == last_sha {
        return Ok(SaveBack::Skipped("unchanged"));
    }
    let store = state.open_store().await?;
    let meta = store
        .document_meta(id)
        .await?
        .ok_or_else(document_not_found)?;
    let saved = store
        .put_document(NewDocument {
            id: Some(id),
            record_id: meta.record_id,
            title: meta.title,
            file_name: meta.file_name.clone(),
            content_type: t.mime_type().to_owned(),
            bytes: &bytes,
            added_at: now,
        })
        .await?;
    tracing::info!(document = %id, version = saved.version, "edited document stored back");
    Ok(SaveBack::Stored(DocumentSaved {
        document_id: id.to_string(),
        plan_id: saved.record_id.to_string(),
        file_name: saved.file_name,
        version: u32::try_from(saved.version).unwrap_or(u32::MAX),
    }))
}

/// Called with each document stored back (the app emits `documents://saved`).
pub type OnSaved = Arc<dyn Fn(DocumentSaved) + Send + Sync>;

struct EditSession {
    path: PathBuf,
    _watcher: notify::RecommendedWatcher,
    task: tokio::task::JoinHandle<()>,
}

#[derive(Default)]
struct Inner {
    root: Option<tempfile::TempDir>,
    staged: HashMap<String, Staged>,
    edits: HashMap<DocumentId, EditSession>,
}

/// The staged files, the private folder of decrypted copies and the watchers of documents
/// being edited. Owned by [`AppState`].
pub struct DocumentFiles {
    base: PathBuf,
    prefix: String,
    quiet: Duration,
    inner: StdMutex<Inner>,
    on_saved: StdMutex<Option<OnSaved>>,
}

fn guard<T>(m: &StdMutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl DocumentFiles {
    /// Copies go in `base` (the system's temporary folder), in a folder named
    /// `hearth-docs-<profile>-…`.
    pub fn new(base: PathBuf, profile: &str, quiet: Duration) -> Self {
        Self {
            base,
            prefix: format!("hearth-docs-{profile}-"),
            quiet,
            inner: StdMutex::default(),
            on_saved: StdMutex::default(),
        }
    }

    pub fn set_on_saved(&self, on_saved: OnSaved) {
        *guard(&self.on_saved) = Some(on_saved);
    }

    fn stage(&self, id: String, staged: Staged) {
        guard(&self.inner).staged.insert(id, staged);
    }

    fn staged(&self, id: &str) -> Option<Staged> {
        guard(&self.inner).staged.get(id).cloned()
    }

    fn unstage(&self, id: &str) {
        guard(&self.inner).staged.remove(id);
    }

    /// The private folder of this run, if it exists now.
    pub fn root(&self) -> Option<PathBuf> {
        guard(&self.inner)
            .root
            .as_ref()
            .map(|r| r.path().to_path_buf())
    }

    /// The editable copy of a document being edited.
    pub fn editing(&self, id: DocumentId) -> Option<PathBuf> {
        guard(&self.inner).edits.get(&id).map(|e| e.path.clone())
    }

    /// Writes `bytes` as `name` in a new `<what>-<random>` folder (0700) of the private
    /// folder, with `mode`.
    fn write_copy(
        &self,
        what: &str,
        name: &str,
        bytes: &[u8],
        mode: u32,
    ) -> std::io::Result<PathBuf> {
        let mut inner = guard(&self.inner);
        if inner.root.is_none() {
            let root = tempfile::Builder::new()
                .prefix(&self.prefix)
                .tempdir_in(&self.base)?;
            set_mode(root.path(), 0o700)?;
            inner.root = Some(root);
        }
        let root = inner
            .root
            .as_ref()
            .map(|r| r.path().to_path_buf())
            .unwrap_or_default();
        let folder = root.join(format!("{what}-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir(&folder)?;
        set_mode(&folder, 0o700)?;
        let path = folder.join(name);
        {
            use std::io::Write as _;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt as _;
                options.mode(0o600);
            }
            let mut file = options.open(&path)?;
            file.write_all(bytes)?;
            file.sync_all()?;
        }
        set_mode(&path, mode)?;
        Ok(path)
    }

    /// Watches the folder of an editable copy: after each change and [`SAVE_BACK_QUIET`]
    /// without another, [`save_back`] looks at the file; a stored version is reported to
    /// the `on_saved` callback.
    fn watch(
        &self,
        state: AppState,
        id: DocumentId,
        path: PathBuf,
        sha: String,
    ) -> notify::Result<()> {
        use notify::Watcher as _;
        let folder = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| path.clone());
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                if let Ok(event) = event {
                    if !matches!(event.kind, notify::EventKind::Access(_)) {
                        let _ = tx.send(());
                    }
                }
            })?;
        watcher.watch(&folder, notify::RecursiveMode::NonRecursive)?;
        let quiet = self.quiet;
        let on_saved = guard(&self.on_saved).clone();
        let file = path.clone();
        let task = tokio::spawn(async move {
            let mut last_sha = sha;
            while rx.recv().await.is_some() {
                // Debounce: wait until the file has been left alone for `quiet`.
                loop {
                    match tokio::time::timeout(quiet, rx.recv()).await {
                        Ok(Some(())) => continue,
                        Ok(None) => return,
                        Err(_) => break,
                    }
                }
                match save_back(&state, id, &file, &last_sha, Utc::now()).await {
                    Ok(SaveBack::Stored(saved)) => {
                        if let Ok(bytes) = tokio::fs::read(&file).await {
                            last_sha = sha256_hex(&bytes);
                        }
                        if let Some(on_saved) = &on_saved {
                            on_saved(saved);
                        }
                    }
                    Ok(SaveBack::Skipped(why)) => {
                        tracing::debug!(document = %id, why, "edited document not stored");
                    }
                    Err(err) => {
                        tracing::info!(document = %id, code = ?err.code, "edited document not stored");
                        if err.code == ErrorCode::Locked {
                            return;
                        }
                    }
                }
            }
        });
        guard(&self.inner).edits.insert(
            id,
            EditSession {
                path,
                _watcher: watcher,
                task,
            },
        );
        Ok(())
    }

    /// Stops every watcher, forgets the staged files and deletes the private folder with
    /// every decrypted copy in it (lock, sign-out, wipe, exit).
    pub fn forget_all(&self) {
        let (root, edits) = {
            let mut inner = guard(&self.inner);
            inner.staged.clear();
            (inner.root.take(), std::mem::take(&mut inner.edits))
        };
        for (_, edit) in edits {
            edit.task.abort();
        }
        if let Some(root) = root {
            let path = root.path().to_path_buf();
            if let Err(err) = root.close() {
                tracing::warn!(kind = ?err.kind(), "could not delete the documents' temporary folder");
                let _ = std::fs::remove_dir_all(&path);
            } else {
                tracing::info!("temporary document copies deleted");
            }
        }
    }

    /// Deletes this profile's folders left by a run that could not clean up (a crash).
    pub fn remove_leftovers(&self) {
        let Ok(entries) = std::fs::read_dir(&self.base) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(&self.prefix) && entry.path().is_dir() {
                match std::fs::remove_dir_all(entry.path()) {
                    Ok(()) => {
                        tracing::info!("temporary document copies from an earlier run deleted")
                    }
                    Err(err) => {
                        tracing::warn!(kind = ?err.kind(), "could not delete earlier temporary document copies")
                    }
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "documents_tests.rs"]
mod tests;
