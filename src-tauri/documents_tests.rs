//! The documents commands' logic against a real encrypted store, real files on disk and
//! the real `notify` watcher.

use std::time::Duration;

use chrono::TimeZone as _;
use hearth_store::{DatabaseKey, KeyStorage, StepSave};
use serde_json::json;

use super::*;

fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 10, minute, 0).unwrap()
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()
}

/// An unlocked app on a fresh cache in `dir`.
async fn unlocked(dir: &Path) -> (AppState, Store) {
    let state = AppState::new(dir.to_path_buf(), crate::state::KeyPolicy::PasswordOnly);
    let key = DatabaseKey::from_bytes([5; 32]);
    let store = Store::open_or_create(dir, KeyStorage::Supplied { key }, at(0))
        .await
        .unwrap();
    *state.store.lock().await = Some(store.clone());
    (state, store)
}

async fn plan(store: &Store, family: &str) -> String {
    store
        .save_step(StepSave::new(
            None,
            RecordKind::Plan,
            9,
            json!({ "family_name": family }),
            at(1),
        ))
        .await
        .unwrap()
        .record_id
        .to_string()
}

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

/// A small `.docx`-shaped zip: a local header naming `word/document.xml` and, when
/// `whole`, the end-of-central-directory record a finished zip ends with.
fn docx(text: &str, whole: bool) -> Vec<u8> {
    let mut v = b"PK\x03\x04\x14\x00\x06\x00".to_vec();
    v.extend_from_slice(&[0; 22]);
    v.extend_from_slice(b"word/document.xml");
    v.extend_from_slice(text.as_bytes());
    if whole {
        v.extend_from_slice(b"PK\x05\x06");
        v.extend_from_slice(&[0; 18]);
    }
    v
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn a_refused_file_is_named_with_its_problem() {
    let files = tempfile::tempdir().unwrap();
    let notes = write(files.path(), "notes.txt", b"Invented notes from a visit");
    assert_eq!(
        read_checked(&notes).await.err().unwrap(),
        "notes.txt is not a Word, PDF, JPEG or PNG file"
    );
    // Judged by content, not by name.
    let renamed = write(files.path(), "renamed.pdf", b"GIF89a not a pdf");
    assert_eq!(
        read_checked(&renamed).await.err().unwrap(),
        "renamed.pdf is not a Word, PDF, JPEG or PNG file"
    );
    let mut big = PDF.to_vec();
    big.resize(18_035_507, b' ');
    let scan = write(files.path(), "scan.pdf", &big);
    assert_eq!(
        read_checked(&scan).await.err().unwrap(),
        "scan.pdf is 17.2 MB; the largest document Hearth takes is 15 MB"
    );
    let mut just_over = PDF.to_vec();
    just_over.resize(usize::try_from(MAX_DOCUMENT_BYTES).unwrap() + 1, b' ');
    let over = write(files.path(), "over.pdf", &just_over);
    assert_eq!(
        read_checked(&over).await.err().unwrap(),
        "over.pdf is more than 15 MB; the largest document Hearth takes is 15 MB"
    );
    let mut limit = PDF.to_vec();
    limit.resize(usize::try_from(MAX_DOCUMENT_BYTES).unwrap(), b' ');
    let fits = write(files.path(), "fits.pdf", &limit);
    assert_eq!(
        read_checked(&fits).await.unwrap().doc_type,
        DocumentType::Pdf
    );
    let empty = write(files.path(), "empty.pdf", b"");
    assert_eq!(
        read_checked(&empty).await.err().unwrap(),
        "empty.pdf is empty"
    );
    let folder = files.path().join("Visits");
    std::fs::create_dir(&folder).unwrap();
    assert_eq!(
        read_checked(&folder).await.err().unwrap(),
        "Visits is a folder, not a file"
    );
    assert_eq!(
        read_checked(&files.path().join("gone.pdf"))
            .await
            .err()
            .unwrap(),
        "Hearth could not read gone.pdf (it is no longer there)"
    );
    assert_eq!(size_text(1), "1 KB");
    assert_eq!(size_text(35_000), "35 KB");
    assert_eq!(size_text(2_621_440), "2.5 MB");
}

#[tokio::test]
async fn a_chosen_file_is_suggested_a_name_and_stored_through_the_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let (state, store) = unlocked(dir.path()).await;
    let id = plan(&store, "Testwell").await;
    let docs = plan_documents(&store, &id).await.unwrap();
    assert!(docs.documents.is_empty() && docs.open_for_changes);
    assert!(docs.reference.starts_with("LOCAL-FSP-"));

    let path = write(files.path(), "scan of letter.pdf", PDF);
    let staged = stage(&state, &path, &docs.reference, day()).await.unwrap();
    assert_eq!(staged.original_name, "scan of letter.pdf");
    assert_eq!(staged.suggested_title, "scan of letter");
    assert_eq!(
        staged.suggested_name,
        format!("{}-261121-ScanOfLetter.pdf", docs.reference)
    );
    assert_eq!(
        (staged.kind.as_str(), staged.size_text.as_str()),
        ("PDF", "1 KB")
    );

    // Every missing field at once; nothing stored, the file still staged.
    let pending = store.counts().await.unwrap().pending_outbox;
    let AddOutcome::Invalid { errors } = add(
        &state,
        &id,
        &staged.staged_id,
        " ".into(),
        String::new(),
        at(2),
    )
    .await
    .unwrap() else {
        panic!("expected errors")
    };
    let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, ["title", "file_name"]);
    assert_eq!(store.counts().await.unwrap().pending_outbox, pending);

    // Any name is accepted (the suggestion is only a suggestion).
    let AddOutcome::Added {
        documents,
        file_name,
    } = add(
        &state,
        &id,
        &staged.staged_id,
        "Letter from school".into(),
        "letter.pdf".into(),
        at(3),
    )
    .await
    .unwrap()
    else {
        panic!("expected the document added")
    };
    assert_eq!(file_name, "letter.pdf");
    assert_eq!(documents.documents.len(), 1);
    let row = &documents.documents[0];
    assert_eq!(
        (
            row.title.as_str(),
            row.file_name.as_str(),
            row.kind.as_str()
        ),
        ("Letter from school", "letter.pdf", "PDF")
    );
    assert!(row.on_device && !row.word);
    assert_eq!((row.added_at, row.version), (at(3), 1));
    assert_eq!(store.counts().await.unwrap().pending_outbox, pending + 1);
    let queued = store.pending_mutations(100).await.unwrap().pop().unwrap();
    assert_eq!(queued.operation, hearth_store::Operation::PutDocument);
    // Used once: adding it again asks for the file again.
    let AddOutcome::Invalid { errors } = add(
        &state,
        &id,
        &staged.staged_id,
        "Again".into(),
        "again.pdf".into(),
        at(4),
    )
    .await
    .unwrap() else {
        panic!("expected errors")
    };
    assert_eq!(errors[0].path, "file");

    // A file changed after it was chosen is checked again when added.
    std::fs::write(&path, b"now plain text").unwrap();
    let again = stage(&state, &write(files.path(), "b.pdf", PDF), "R", day())
        .await
        .unwrap();
    std::fs::write(files.path().join("b.pdf"), b"now plain text").unwrap();
    let AddOutcome::Invalid { errors } = add(
        &state,
        &id,
        &again.staged_id,
        "B".into(),
        "b.pdf".into(),
        at(5),
    )
    .await
    .unwrap() else {
        panic!("expected errors")
    };
    assert_eq!(
        errors,
        vec![FieldError::new(
            "file",
            "b.pdf is not a Word, PDF, JPEG or PNG file"
        )]
    );

    // A closed plan takes no new document.
    store
        .set_status(id.parse().unwrap(), hearth_store::status::CLOSED, at(6))
        .await
        .unwrap();
    let staged = stage(&state, &write(files.path(), "c.pdf", PDF), "R", day())
        .await
        .unwrap();
    let e = add(
        &state,
        &id,
        &staged.staged_id,
        "C".into(),
        "c.pdf".into(),
        at(7),
    )
    .await
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
    assert!(!plan_documents(&store, &id).await.unwrap().open_for_changes);
}

#[tokio::test]
async fn dropped_files_are_checked_one_by_one_and_forgotten_on_lock() {
    let dir = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let (state, store) = unlocked(dir.path()).await;
    let id = plan(&store, "Testwell").await;
    let good = write(files.path(), "visit photo.png", &{
        let mut png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
        png.extend_from_slice(&[0; 16]);
        png
    });
    let bad = write(files.path(), "notes.txt", b"Invented");
    let dropped = stage_dropped(&state, vec![good, bad]).await.unwrap();
    assert_eq!(dropped.files.len(), 2);
    assert_eq!(dropped.files[0].name, "visit photo.png");
    assert_eq!(dropped.files[0].problem, None);
    assert_eq!(dropped.files[1].name, "notes.txt");
    assert_eq!(dropped.files[1].staged_id, None);
    assert_eq!(
        dropped.files[1].problem.as_deref(),
        Some("notes.txt is not a Word, PDF, JPEG or PNG file")
    );
    let staged_id = dropped.files[0].staged_id.clone().unwrap();
    let reference = plan_documents(&store, &id).await.unwrap().reference;
    let for_plan = staged_for(&state, &staged_id, &reference, day()).unwrap();
    assert_eq!(
        for_plan.suggested_name,
        format!("{reference}-261121-VisitPhoto.png")
    );
    assert_eq!(for_plan.kind, "PNG image");

    crate::shell::lock_now(&state, None).await;
    assert!(staged_for(&state, &staged_id, &reference, day()).is_err());
    // Locked: a drop shows nothing.
    let later = write(files.path(), "later.pdf", PDF);
    assert_eq!(stage_dropped(&state, vec![later]).await, None);
}

#[cfg(unix)]
#[tokio::test]
async fn a_document_opens_as_a_private_read_only_copy_deleted_on_lock() {
    let dir = tempfile::tempdir().unwrap();
    let (state, store) = unlocked(dir.path()).await;
    let id = plan(&store, "Testwell").await;
    let meta = store
        .put_document(NewDocument {
            id: None,
            record_id: id.parse().unwrap(),
            title: "Letter".into(),
            file_name: "../Letter/from school.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: PDF,
            added_at: at(2),
        })
        .await
        .unwrap();

    let first = read_only_copy(&state, &meta.id.to_string()).await.unwrap();
    let second = read_only_copy(&state, &meta.id.to_string()).await.unwrap();
    assert_ne!(first, second, "each opening has its own copy");
    let root = state.documents.root().unwrap();
    assert!(first.starts_with(&root));
    assert!(root
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with("hearth-docs-"));
    assert_eq!(first.file_name().unwrap(), "-Letter-from school.pdf");
    assert_eq!(std::fs::read(&first).unwrap(), PDF);
    assert_eq!(mode(&first), 0o400, "the copy is read-only");
    assert_eq!(mode(first.parent().unwrap()), 0o700);
    assert_eq!(mode(&root), 0o700, "the folder is private");

    // A document whose bytes are still to download, and one that is not there.
    let e = read_only_copy(&state, &DocumentId::new_at(at(3)).to_string())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::RecordNotFound);

    crate::shell::lock_now(&state, None).await;
    assert!(!root.exists(), "locking deletes every decrypted copy");
    assert!(state.documents.root().is_none());
    // Locked: nothing is decrypted.
    let e = read_only_copy(&state, &meta.id.to_string())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Locked);
}

#[tokio::test]
async fn folders_left_by_a_crash_are_deleted_at_the_next_start() {
    let base = tempfile::tempdir().unwrap();
    let files = DocumentFiles::new(base.path().to_path_buf(), "pabc", SAVE_BACK_QUIET);
    let left = base.path().join("hearth-docs-pabc-x1y2");
    std::fs::create_dir_all(left.join("view-1")).unwrap();
    std::fs::write(left.join("view-1").join("a.pdf"), PDF).unwrap();
    let other_profile = base.path().join("hearth-docs-pother-x1y2");
    std::fs::create_dir(&other_profile).unwrap();
    files.remove_leftovers();
    assert!(!left.exists());
    assert!(
        other_profile.exists(),
        "another profile's copies are its own"
    );
}

#[test]
fn only_whole_files_are_stored_back() {
    assert!(looks_complete(DocumentType::Pdf, PDF));
    assert!(!looks_complete(DocumentType::Pdf, &PDF[..PDF.len() - 8]));
    assert!(looks_complete(DocumentType::Docx, &docx("x", true)));
    assert!(!looks_complete(DocumentType::Docx, &docx("x", false)));
    let mut png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0];
    assert!(!looks_complete(DocumentType::Png, &png));
    png.extend_from_slice(&[0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]);
    assert!(looks_complete(DocumentType::Png, &png));
    assert!(looks_complete(
        DocumentType::Jpeg,
        &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0xFF, 0xD9]
    ));
    assert!(!looks_complete(
        DocumentType::Jpeg,
        &[0xFF, 0xD8, 0xFF, 0xE0, 0]
    ));
    assert!(looks_complete(DocumentType::Doc, &[0; 1536]));
    assert!(!looks_complete(DocumentType::Doc, &[0; 1500]));
}

#[test]
fn copies_get_a_safe_file_name() {
    assert_eq!(
        safe_file_name("FSP-000001-261121-Plan.docx", None),
        "FSP-000001-261121-Plan.docx"
    );
    assert_eq!(safe_file_name("a/b\\c.pdf", None), "a-b-c.pdf");
    assert_eq!(safe_file_name(".hidden.pdf", None), "hidden.pdf");
    assert_eq!(
        safe_file_name("  ", Some(DocumentType::Docx)),
        "document.docx"
    );
}

async fn next_saved(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<DocumentSaved>,
    within: Duration,
) -> Option<DocumentSaved> {
    tokio::time::timeout(within, rx.recv()).await.ok().flatten()
}

#[tokio::test]
async fn a_word_document_saved_in_the_editor_is_stored_back_as_a_new_version() {
    let dir = tempfile::tempdir().unwrap();
    let (state, store) = unlocked(dir.path()).await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    state
        .documents
        .set_on_saved(Arc::new(move |saved| tx.send(saved).unwrap()));
    let id = plan(&store, "Testwell").await;
    let original = docx("first words", true);
    let meta = store
        .put_document(NewDocument {
            id: None,
            record_id: id.parse().unwrap(),
            title: "Family plan".into(),
            file_name: "FSP-000001-261121-FamilyPlan.docx".into(),
            content_type: DocumentType::Docx.mime_type().into(),
            bytes: &original,
            added_at: at(2),
        })
        .await
        .unwrap();
    let doc_id = meta.id.to_string();

    // Only Word documents are edited.
    let pdf = store
        .put_document(NewDocument {
            id: None,
            record_id: id.parse().unwrap(),
            title: "Scan".into(),
            file_name: "scan.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: PDF,
            added_at: at(2),
        })
        .await
        .unwrap();
    let e = start_editing(&state, &pdf.id.to_string())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);

    let path = start_editing(&state, &doc_id).await.unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), original);
    #[cfg(unix)]
    assert_eq!(mode(&path), 0o600);
    // Asked again while editing: the same copy (edits in it are kept).
    assert_eq!(start_editing(&state, &doc_id).await.unwrap(), path);

    // Touched but not changed: nothing stored.
    std::fs::write(&path, &original).unwrap();
    assert_eq!(next_saved(&mut rx, Duration::from_secs(4)).await, None);

    // Half-written (no end of the zip yet): not stored.
    std::fs::write(&path, docx("second words, being written", false)).unwrap();
    assert_eq!(next_saved(&mut rx, Duration::from_secs(4)).await, None);
    assert_eq!(
        store.document_meta(meta.id).await.unwrap().unwrap().version,
        1
    );

    // Finished: stored back once, as version 2.
    let edited = docx("second words, being written, done", true);
    std::fs::write(&path, &edited).unwrap();
    let saved = next_saved(&mut rx, Duration::from_secs(10))
        .await
        .expect("the saved file is stored back");
    assert_eq!(
        saved,
        DocumentSaved {
            document_id: doc_id.clone(),
            plan_id: id.clone(),
            file_name: "FSP-000001-261121-FamilyPlan.docx".into(),
            version: 2,
        }
    );
    assert_eq!(
        store.get_document(meta.id).await.unwrap().unwrap().bytes,
        edited
    );
    let queued = store.pending_mutations(100).await.unwrap().pop().unwrap();
    assert_eq!(queued.record_id, meta.id.as_uuid());
    let fields: Vec<&str> = queued.changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, ["size", "sha256"]);

    // An editor saving through a temporary file renamed over the copy.
    let third = docx("third", true);
    let temp = path.with_file_name("~saving.tmp");
    std::fs::write(&temp, &third).unwrap();
    std::fs::rename(&temp, &path).unwrap();
    let saved = next_saved(&mut rx, Duration::from_secs(10))
        .await
        .expect("the renamed file is stored back");
    assert_eq!(saved.version, 3);
    assert_eq!(
        store.get_document(meta.id).await.unwrap().unwrap().bytes,
        third
    );

    // Locked: the watcher stops and the copy is deleted; nothing more is stored.
    let root = state.documents.root().unwrap();
    crate::shell::lock_now(&state, None).await;
    assert!(!root.exists());
    assert_eq!(state.documents.editing(meta.id), None);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, docx("after the lock", true)).unwrap();
    assert_eq!(next_saved(&mut rx, Duration::from_secs(4)).await, None);
    let parked = state.parked.lock().await.clone().unwrap();
    assert_eq!(
        parked
            .document_meta(meta.id)
            .await
            .unwrap()
            .unwrap()
            .version,
        3
    );
    std::fs::remove_dir_all(&root).unwrap();
}

#[tokio::test]
async fn a_document_is_moved_to_another_open_plan_through_the_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let (_state, store) = unlocked(dir.path()).await;
    let from = plan(&store, "Testwell").await;
    let to = plan(&store, "Exampleton").await;
    let closed = plan(&store, "Demoford").await;
    store
        .set_status(closed.parse().unwrap(), hearth_store::status::CLOSED, at(2))
        .await
        .unwrap();
    let meta = store
        .put_document(NewDocument {
            id: None,
            record_id: from.parse().unwrap(),
            title: "Letter".into(),
            file_name: "letter.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: PDF,
            added_at: at(3),
        })
        .await
        .unwrap();
    let docs = plan_documents(&store, &from).await.unwrap();
    let choices: Vec<&str> = docs.other_plans.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(choices, [to.as_str()], "not this plan, not a closed one");
    assert!(docs.other_plans[0].label.ends_with(": Exampleton family"));
    assert!(docs.other_plans[0].label.starts_with("LOCAL-FSP-"));

    let doc_id = meta.id.to_string();
    for (plan_id, words) in [
        (from.as_str(), "a different plan"),
        (closed.as_str(), "closed"),
    ] {
        let e = relink(&store, &doc_id, plan_id, at(4)).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert!(e.message.contains(words), "{}", e.message);
    }
    let pending = store.counts().await.unwrap().pending_outbox;
    let left = relink(&store, &doc_id, &to, at(5)).await.unwrap();
    assert_eq!(left.plan_id, from);
    assert!(left.documents.is_empty());
    let there = plan_documents(&store, &to).await.unwrap();
    assert_eq!(there.documents.len(), 1);
    assert_eq!(there.documents[0].id, doc_id);
    assert_eq!(there.documents[0].version, 2);
    assert_eq!(store.counts().await.unwrap().pending_outbox, pending + 1);
    let e = relink(&store, &DocumentId::new_at(at(6)).to_string(), &to, at(6))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::RecordNotFound);
}

async fn request(store: &Store, child: &str, status: Option<&str>) -> String {
    let id = store
        .save_step(StepSave {
            title: Some(child.into()),
            ..StepSave::new(
                None,
                RecordKind::Request,
                3,
                json!({ "child": { "first_name": child } }),
                at(1),
            )
        })
        .await
        .unwrap()
        .record_id;
    if let Some(s) = status {
        store.set_status(id, s, at(2)).await.unwrap();
    }
    id.to_string()
}

#[tokio::test]
async fn a_request_keeps_its_case_documents_and_a_closed_one_takes_none() {
    let dir = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let (state, store) = unlocked(dir.path()).await;
    let open = request(&store, "Zoë", Some("awaiting_decision")).await;
    let other = request(&store, "Owen", Some("pending")).await;
    let closed = request(&store, "Ada", Some("accepted_closed")).await;
    let a_plan = plan(&store, "Testwell").await;

    let docs = plan_documents(&store, &open).await.unwrap();
    assert!(docs.open_for_changes && docs.reference.starts_with("LOCAL-RFS-"));
    let choices: Vec<&str> = docs.other_plans.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        choices,
        [other.as_str()],
        "other open requests only, no plan"
    );
    assert!(
        docs.other_plans[0].label.ends_with(": Owen"),
        "{}",
        docs.other_plans[0].label
    );
    assert!(
        !plan_documents(&store, &closed)
            .await
            .unwrap()
            .open_for_changes
    );

    let path = write(files.path(), "speech assessment.pdf", PDF);
    let staged = stage(&state, &path, &docs.reference, day()).await.unwrap();
    assert_eq!(
        staged.suggested_name,
        format!("{}-261121-SpeechAssessment.pdf", docs.reference)
    );
    let AddOutcome::Added { documents, .. } = add(
        &state,
        &open,
        &staged.staged_id,
        "Speech assessment".into(),
        staged.suggested_name.clone(),
        at(3),
    )
    .await
    .unwrap() else {
        panic!("expected the document added")
    };
    assert_eq!(documents.documents.len(), 1);
    let doc_id = documents.documents[0].id.clone();

    let staged = stage(&state, &path, &docs.reference, day()).await.unwrap();
    let e = add(
        &state,
        &closed,
        &staged.staged_id,
        "Late".into(),
        "late.pdf".into(),
        at(4),
    )
    .await
    .unwrap_err();
    assert!(
        e.message.contains("This request is closed"),
        "{}",
        e.message
    );
    for (to, words) in [(a_plan.as_str(), "same kind"), (closed.as_str(), "closed")] {
        let e = relink(&store, &doc_id, to, at(5)).await.unwrap_err();
        assert!(e.message.contains(words), "{}", e.message);
    }
    relink(&store, &doc_id, &other, at(6)).await.unwrap();
    assert_eq!(
        plan_documents(&store, &other)
            .await
            .unwrap()
            .documents
            .len(),
        1
    );
}
