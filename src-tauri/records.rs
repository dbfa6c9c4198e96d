//! What the forms of the referral (`referrals`) and the request for support (`requests`)
//! share (the plan's pages, `plans`, save their fields the same way): the signed-in account, references, the fields one page saves, the autosave of
//! a page (the record's kind and state checked, its author recorded on the first save, its
//! title and search terms kept), and whose record a row is. Each kind keeps only its own
//! rules (which status stops edits, what its rows show).

use chrono::{DateTime, Utc};
use hearth_domain::account::Account;
use hearth_domain::RecordKind;
use hearth_store::{Draft, RecordId, RecordSummary, SearchTerms, StepSave, Store};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{AppError, ErrorCode};

/// The field that records who started the record on this device (the signed-in user's
/// id), so "My referrals" and "My requests" tell theirs from records pulled for a role
/// (MASH triage, a service's manager).
pub(crate) const AUTHOR_FIELD: &str = "author_id";

/// Draft fields of no single page, carried by every page's save (the plan's, the
/// referral's, the request's): the dates typed but not finished, keyed by path, so any
/// page may add or clear one (ARCHITECTURE "Invariants": a half-typed date is never dropped).
pub(crate) const SHARED_KEYS: [&str; 1] = ["unfinished_dates"];

/// The signed-in user's account as kept in the encrypted cache.
pub(crate) async fn account_of(store: &Store) -> Result<Option<Account>, AppError> {
    Ok(store
        .setting(crate::session::keys::ACCOUNT)
        .await?
        .and_then(|a| serde_json::from_str::<Account>(&a).ok()))
}

/// The record's reference and whether it is the server's (permanent) one.
pub(crate) fn reference_of(summary: &RecordSummary) -> (String, bool) {
    match &summary.server_reference {
        Some(r) => (r.clone(), true),
        None => (summary.local_reference.clone(), false),
    }
}

/// A record id from the window; anything else is "not on this device".
pub(crate) fn parse_id(id: &str, kind: RecordKind) -> Result<RecordId, AppError> {
    id.parse().map_err(|_| crate::plans::missing(kind))
}

/// A text field of a record, if it is one.
pub(crate) fn text_of(fields: &Map<String, Value>, name: &str) -> Option<String> {
    fields.get(name).and_then(Value::as_str).map(str::to_owned)
}

/// A draft as its top-level fields.
pub(crate) fn to_object<T: Serialize>(value: &T) -> Result<Map<String, Value>, AppError> {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(AppError::new(
            ErrorCode::StoreFailed,
            "Hearth could not prepare the answers for saving.",
        )),
    }
}

/// The fields one page saves: its own top-level `keys` of `draft` (null when absent) and
/// the [`SHARED_KEYS`] the draft has.
pub(crate) fn page_fields<T: Serialize>(
    draft: &T,
    keys: &[&str],
) -> Result<Map<String, Value>, AppError> {
    let all = to_object(draft)?;
    let shared = SHARED_KEYS.iter().filter(|k| all.contains_key(**k));
    Ok(keys
        .iter()
        .chain(shared)
        .map(|k| ((*k).to_owned(), all.get(*k).cloned().unwrap_or(Value::Null)))
        .collect())
}

/// One page of a form to autosave.
pub(crate) struct PageSave<'a> {
    pub kind: RecordKind,
    /// `None`: a new record, created by this save.
    pub record_id: Option<&'a str>,
    /// The page's number (the store's step).
    pub step: u8,
    pub fields: Map<String, Value>,
    /// The name lists and the dashboard show ("" for none yet).
    pub title: String,
    pub search: SearchTerms,
    pub at: DateTime<Utc>,
}

/// Saves one page: an existing record must be of `page.kind` and still editable
/// (`refuse` names why not); a new one records its author. Returns the record as saved.
pub(crate) async fn save_page(
    store: &Store,
    mut page: PageSave<'_>,
    refuse: impl Fn(&Draft) -> Option<AppError>,
) -> Result<Draft, AppError> {
    let missing = || crate::plans::missing(page.kind);
    let id = page
        .record_id
        .map(|id| parse_id(id, page.kind))
        .transpose()?;
    match id {
        Some(id) => match store.load(id).await? {
            Some(r) if r.summary.kind != page.kind => return Err(missing()),
            Some(r) => {
                if let Some(refused) = refuse(&r) {
                    return Err(refused);
                }
            }
            // An id the store has not seen: a draft deleted while its page was open.
            None => return Err(missing()),
        },
        None => {
            if let Some(me) = account_of(store).await? {
                page.fields
                    .insert(AUTHOR_FIELD.to_owned(), Value::String(me.id.to_string()));
            }
        }
    }
    let title = page.title.trim().to_owned();
    let saved = store
        .save_step(StepSave {
            title: (!title.is_empty()).then_some(title),
            search: Some(page.search),
            ..StepSave::new(
                id,
                page.kind,
                u32::from(page.step),
                Value::Object(page.fields),
                page.at,
            )
        })
        .await?;
    tracing::debug!(record = %saved.record_id, kind = ?page.kind, step = page.step, "form page saved");
    store.load(saved.record_id).await?.ok_or_else(missing)
}

/// A record listed for the signed-in user `me` is theirs unless another user started it
/// (then it is on this device only for a role: triage, a service's manager).
pub(crate) fn is_mine(author: Option<&str>, me: Option<&str>) -> bool {
    author.is_none() || author == me
}

/// "Zoë Testchild": a person's name from its parts, trimmed.
pub(crate) fn full_name(first: &str, last: &str) -> String {
    format!("{} {}", first.trim(), last.trim())
        .trim()
        .to_owned()
}

#[cfg(test)]
pub(crate) mod test_support {
    //! A real encrypted store and a signed-in account for the commands' tests.

    use std::collections::BTreeSet;

    use hearth_domain::account::{Account, Role};
    use hearth_domain::ids::{ServiceId, UserId};
    use hearth_store::{DatabaseKey, KeyStorage, Store};

    /// A fresh encrypted store in `dir`, made at `at`.
    pub(crate) async fn temp_store(
        dir: &std::path::Path,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Store {
        let key = DatabaseKey::from_bytes([7; 32]);
        Store::open_or_create(dir, KeyStorage::Supplied { key }, at)
            .await
            .unwrap()
    }

    /// An invented account `n` with these roles and services.
    pub(crate) fn account(n: u128, roles: &[Role], services: &[&str]) -> Account {
        Account {
            id: UserId(uuid::Uuid::from_u128(n)),
            forename: "Sam".into(),
            surname: "Testworker".into(),
            email: "sam.testworker@example.org.uk".into(),
            roles: roles.iter().copied().collect::<BTreeSet<_>>(),
            services: services
                .iter()
                .map(|s| ServiceId(s.parse().unwrap()))
                .collect(),
            work_groups: vec![],
            out_of_office: None,
            active: true,
        }
    }

    /// A real `hearth-server` on a loopback port (SQLite in a temporary folder, emails in a
    /// development outbox), stopped when dropped.
    pub(crate) struct TestServer {
        pub(crate) url: String,
        pub(crate) store: hearth_server::store::DynStore,
        /// Where the server writes the emails it sends.
        pub(crate) outbox: std::path::PathBuf,
        _dir: tempfile::TempDir,
        task: tokio::task::JoinHandle<()>,
    }

    impl Drop for TestServer {
        fn drop(&mut self) {
            self.task.abort();
        }
    }

    /// Starts a [`TestServer`], with the demo organisation (crates/hearth-server/src/seed.rs)
    /// when `demo`, else with no one.
    pub(crate) async fn test_server(demo: bool) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let url = hearth_server::store::sqlite_url_for(dir.path());
        let store = hearth_server::store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        if demo {
            hearth_server::seed::demo_seed(&store, chrono::Utc::now())
                .await
                .unwrap();
        }
        let outbox = dir.path().join("outbox");
        let mailer =
            hearth_server::mail::Mailer::outbox(outbox.clone(), "Hearth <no-reply@hearth.invalid>")
                .unwrap();
        let state = hearth_server::app::AppState::new(
            store.clone(),
            std::sync::Arc::new(hearth_server::clock::SystemClock),
            mailer,
        )
        .await
        .unwrap()
        .with_documents_dir(dir.path());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            let _ = hearth_server::serve(listener, state, std::future::pending()).await;
        });
        TestServer {
            url: format!("http://{addr}"),
            store,
            outbox,
            _dir: dir,
            task,
        }
    }

    /// Makes `account` the signed-in user of `store`.
    pub(crate) async fn sign_in_as(store: &Store, account: &Account) {
        store
            .set_setting(
                crate::session::keys::ACCOUNT,
                &serde_json::to_string(account).unwrap(),
            )
            .await
            .unwrap();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Serialize)]
    struct Form {
        a: u8,
        b: Option<u8>,
        unfinished_dates: Map<String, Value>,
    }

    #[test]
    fn a_page_saves_its_own_fields_and_the_half_typed_dates() {
        let form = Form {
            a: 1,
            b: None,
            unfinished_dates: Map::new(),
        };
        let fields = page_fields(&form, &["b", "c"]).unwrap();
        assert_eq!(
            Value::Object(fields),
            json!({"b": null, "c": null, "unfinished_dates": {}})
        );
        // A form without half-typed dates saves none.
        let fields = page_fields(&json!({"a": 1}), &["a"]).unwrap();
        assert_eq!(Value::Object(fields), json!({"a": 1}));
    }

    #[test]
    fn names_are_trimmed_and_records_are_mine_unless_another_started_them() {
        assert_eq!(full_name(" Zoë ", " Testchild"), "Zoë Testchild");
        assert_eq!(full_name("", " Testchild"), "Testchild");
        assert_eq!(full_name(" ", ""), "");
        assert!(is_mine(None, Some("1")));
        assert!(is_mine(Some("1"), Some("1")));
        assert!(!is_mine(Some("2"), Some("1")));
    }
}
