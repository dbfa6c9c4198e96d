//! The allocation list against a real `hearth-server` on a loopback port (SQLite, the demo
//! organisation), kept in a real encrypted store and used offline.

use chrono::{Duration, TimeZone as _};
use hearth_domain::UserId;
use uuid::Uuid;

use super::*;
use crate::records::test_support::{self, account, sign_in_as, test_server, TestServer};

/// The demo organisation (crates/hearth-server/src/seed.rs).
const SLT: &str = "01920000-0000-7000-8000-000000000002";
const NORTH: &str = "01920000-0000-7000-8000-000000000001";
const LEE: u128 = 0x0192_0000_0000_7000_8000_0000_0000_0107;
const SAM: u128 = 0x0192_0000_0000_7000_8000_0000_0000_0103;

fn at(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap() + Duration::minutes(minute)
}

impl TestServer {
    /// An access token of a demo user (a session opened as sign-in would open it).
    async fn token(&self, user: u128) -> String {
        let tokens = hearth_server::auth::open_session(
            &self.store,
            UserId(Uuid::from_u128(user)),
            Uuid::now_v7(),
            "Test device",
            (Duration::minutes(15), Duration::days(1)),
            Utc::now(),
        )
        .await
        .unwrap();
        tokens.access_token.expose().to_owned()
    }
}

async fn temp_store(dir: &std::path::Path) -> Store {
    test_support::temp_store(dir, at(0)).await
}

fn names(list: &RequestWorkers) -> Vec<&str> {
    list.workers.iter().map(|w| w.name.as_str()).collect()
}

#[tokio::test]
async fn the_services_workers_come_from_the_server_and_are_kept_for_offline() {
    let server = test_server(true).await;
    let dir = tempfile::tempdir().unwrap();
    let store = temp_store(dir.path()).await;

    // Never fetched, and the server cannot be reached: a message that says what to do.
    let err = workers_with(&store, SLT, Err(FetchFailed::Unreachable), at(0))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::ServerUnreachable);
    assert!(
        err.message.contains("Connect to the internet"),
        "{}",
        err.message
    );
    assert_eq!(
        workers_at("http://127.0.0.1:1", "hat_none", SLT).await,
        Err(FetchFailed::Unreachable)
    );

    // Lee manages Speech and Language Therapy: Jo (practitioner) and Lee, by name.
    let lee = server.token(LEE).await;
    let fetched = workers_at(&server.url, &lee, SLT).await;
    let list = workers_with(&store, SLT, fetched, at(1)).await.unwrap();
    assert_eq!(names(&list), ["Jo Demoworker", "Lee Demolead"]);
    assert!(!list.from_cache);
    assert_eq!(list.fetched_at, at(1));

    // Offline later: the list kept, saying when it was fetched.
    let offline = workers_with(&store, SLT, Err(FetchFailed::Unreachable), at(90))
        .await
        .unwrap();
    assert_eq!(names(&offline), ["Jo Demoworker", "Lee Demolead"]);
    assert!(offline.from_cache);
    assert_eq!(offline.fetched_at, at(1));
    // Another service's list was never fetched.
    assert_eq!(
        workers_with(&store, NORTH, Err(FetchFailed::Unreachable), at(90))
            .await
            .unwrap_err()
            .code,
        ErrorCode::ServerUnreachable
    );

    // Sam manages another service: the server refuses, and no kept list is shown instead.
    let sam = server.token(SAM).await;
    let refused = workers_at(&server.url, &sam, SLT).await;
    assert_eq!(refused, Err(FetchFailed::Refused));
    let err = workers_with(&store, SLT, refused, at(91))
        .await
        .unwrap_err();
    assert!(err.message.contains("do not manage"), "{}", err.message);
    // Sam's own service answers.
    assert!(workers_at(&server.url, &sam, NORTH).await.is_ok());
}

#[tokio::test]
async fn opening_the_managers_views_online_keeps_the_lists_for_later() {
    let server = test_server(true).await;
    let dir = tempfile::tempdir().unwrap();
    let store = temp_store(dir.path()).await;
    sign_in_as(&store, &account(LEE, &[Role::Manager], &[SLT])).await;
    // Offline: nothing is kept, nothing fails.
    refresh_managed(&store, "http://127.0.0.1:1", "hat_none", at(0)).await;
    assert!(
        workers_with(&store, SLT, Err(FetchFailed::Unreachable), at(0))
            .await
            .is_err()
    );
    let token = server.token(LEE).await;
    refresh_managed(&store, &server.url, &token, at(1)).await;
    let kept = workers_with(&store, SLT, Err(FetchFailed::Unreachable), at(60))
        .await
        .unwrap();
    assert_eq!(names(&kept), ["Jo Demoworker", "Lee Demolead"]);
    assert_eq!(kept.fetched_at, at(1));
    // Fetched a minute ago: left alone; later it is fetched again.
    refresh_managed(&store, &server.url, &token, at(2)).await;
    let again = workers_with(&store, SLT, Err(FetchFailed::Unreachable), at(60))
        .await
        .unwrap();
    assert_eq!(again.fetched_at, at(1));
    refresh_managed(&store, &server.url, &token, at(30)).await;
    let later = workers_with(&store, SLT, Err(FetchFailed::Unreachable), at(60))
        .await
        .unwrap();
    assert_eq!(later.fetched_at, at(30));
}

#[tokio::test]
async fn a_worker_is_allocated_only_by_a_name_from_the_kept_list() {
    let dir = tempfile::tempdir().unwrap();
    let store = temp_store(dir.path()).await;
    let err = check_worker(&store, Some(SLT), "Jo Demoworker")
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::ServerUnreachable, "{}", err.message);
    let jo = WorkerChoice {
        id: Uuid::from_u128(1).to_string(),
        name: "Jo Demoworker".into(),
    };
    workers_with(&store, SLT, Ok(vec![jo]), at(1))
        .await
        .unwrap();
    assert_eq!(
        check_worker(&store, Some(SLT), " Jo Demoworker ")
            .await
            .unwrap(),
        "Jo Demoworker"
    );
    for (name, message) in [
        ("  ", "Select the worker to allocate"),
        (
            "Casey Typedin",
            "Select the worker to allocate from the list of the service's workers",
        ),
    ] {
        let err = check_worker(&store, Some(SLT), name).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidInput);
        assert_eq!(err.message, message);
    }
    // A request with no service on this device has no list to choose from.
    assert_eq!(
        check_worker(&store, None, "Jo Demoworker")
            .await
            .unwrap_err()
            .code,
        ErrorCode::ServerUnreachable
    );
}
