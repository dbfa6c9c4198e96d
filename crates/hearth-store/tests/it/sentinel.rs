//! A sentinel child's name goes in through a draft, its search terms and a document; it
//! must appear in no file under the data folder (database, WAL, shared memory, key file,
//! a trace log), neither while the store is open nor after it is closed.

use std::sync::Mutex;

use chrono::NaiveDate;
use hearth_domain::RecordKind;
use hearth_store::{
    DatabaseKey, NewDocument, SearchTerms, StepSave, Store, StoreError, DATABASE_FILE_NAME,
    KEY_FILE_NAME,
};
use serde_json::json;

use crate::helpers::{at, contains, data_dir, files_under, password, snapshot, supplied};

const FORENAME: &str = "Zephyrine";
const SURNAME: &str = "Quillfeather-Test";
const FULL: &str = "Zephyrine Quillfeather-Test";

/// The sentinel in UTF-8 (as typed, upper and lower case) and UTF-16 (both byte orders).
fn needles() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for text in [FULL, SURNAME, "Quillfeather", FORENAME] {
        for form in [text.to_owned(), text.to_uppercase(), text.to_lowercase()] {
            out.push(form.as_bytes().to_vec());
            out.push(form.encode_utf16().flat_map(u16::to_le_bytes).collect());
            out.push(form.encode_utf16().flat_map(u16::to_be_bytes).collect());
        }
    }
    out
}

fn assert_absent(dir: &std::path::Path, when: &str) -> usize {
    let files = files_under(dir);
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        for needle in needles() {
            assert!(
                !contains(&bytes, &needle),
                "{when}: the sentinel {:?} is readable in {}",
                String::from_utf8_lossy(&needle),
                path.display()
            );
        }
    }
    files.len()
}

#[tokio::test]
async fn the_sentinel_name_is_nowhere_in_clear() {
    let dir = data_dir();
    let log = std::fs::File::create(dir.path().join("trace.log")).unwrap();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(Mutex::new(log))
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);

    let store = Store::open_or_create(dir.path(), password("sentinel test password"), at(0))
        .await
        .unwrap();
    let saved = store
        .save_step(StepSave {
            title: Some(FULL.to_owned()),
            search: Some(SearchTerms {
                surnames: vec![SURNAME.to_owned()],
                forenames: vec![FORENAME.to_owned()],
                postcodes: vec!["ZZ9 9ZZ".into()],
                dates_of_birth: vec![NaiveDate::from_ymd_opt(2016, 2, 29).unwrap()],
                references: vec![],
            }),
            ..StepSave::new(
                None,
                RecordKind::Plan,
                1,
                json!({ "forename": FORENAME, "surname": SURNAME, "summary": format!("Plan for {FULL}.") }),
                at(1),
            )
        })
        .await
        .unwrap();
    let mut bytes = format!("%PDF-1.7\nReport about {FULL}\n").into_bytes();
    bytes.extend(FULL.encode_utf16().flat_map(u16::to_le_bytes));
    bytes.extend(std::iter::repeat_n(b'.', 100_000));
    store
        .put_document(NewDocument {
            id: None,
            record_id: saved.record_id,
            title: format!("Assessment of {FULL}"),
            file_name: format!("{SURNAME}.pdf"),
            content_type: "application/pdf".into(),
            bytes: &bytes,
            added_at: at(2),
        })
        .await
        .unwrap();
    assert_eq!(store.search("quillfeather", 5).await.unwrap().len(), 1);

    // Open: the database, its WAL and shared-memory files, the key file and the log.
    let names = crate::helpers::file_names(dir.path());
    for expected in [
        DATABASE_FILE_NAME.to_owned(),
        format!("{DATABASE_FILE_NAME}-wal"),
        KEY_FILE_NAME.to_owned(),
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    assert!(assert_absent(dir.path(), "store open") >= 4);
    let header = std::fs::read(dir.path().join(DATABASE_FILE_NAME)).unwrap();
    assert_ne!(
        &header[..16],
        b"SQLite format 3\0",
        "the database must not be plain SQLite"
    );
    store.close().await;

    // Closed.
    assert_absent(dir.path(), "store closed");
    let log = std::fs::read_to_string(dir.path().join("trace.log")).unwrap();
    // (Which events reach a thread-local subscriber can vary while other tests run, so
    // only require that the store did write to it.)
    assert!(log.contains("hearth_store"), "the log was written: {log}");

    // The data is really there, behind the key.
    let store = Store::open_or_create(dir.path(), password("sentinel test password"), at(3))
        .await
        .unwrap();
    let draft = store.load(saved.record_id).await.unwrap().unwrap();
    assert_eq!(draft.summary.title.as_deref(), Some(FULL));
    store.close().await;
    assert_absent(dir.path(), "after reopening");

    drop(guard);

    // Wrong password, wrong key, missing key: clear errors, files byte-identical.
    let before = snapshot(dir.path());
    let err = Store::open_or_create(dir.path(), password("not the password"), at(4))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::WrongPassword), "{err:?}");
    let err = Store::open_or_create(dir.path(), supplied(&DatabaseKey::generate()), at(5))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::WrongKey), "{err:?}");
    assert_eq!(snapshot(dir.path()), before);
    let key_file = dir.path().join(KEY_FILE_NAME);
    let aside = dir.path().join("key-moved-away.json");
    std::fs::rename(&key_file, &aside).unwrap();
    let err = Store::open_or_create(dir.path(), password("sentinel test password"), at(6))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::KeyFileMissing { .. }), "{err:?}");
    std::fs::rename(&aside, &key_file).unwrap();
    assert_eq!(snapshot(dir.path()), before, "no file changed, none added");
}
