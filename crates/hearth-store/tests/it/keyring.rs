//! The real OS keyring (Secret Service). Run inside `.ci/with-keyring`, which sets
//! `HEARTH_IN_KEYRING_SESSION=1`; outside it the test skips, unless `CI` is set, where it fails.

use hearth_store::{
    existing_protection, forget_keyring_key, ExistingCache, KeyStorage, Store, StoreError,
};

use crate::helpers::{at, data_dir, save, snapshot};

fn keyring_session() -> bool {
    if std::env::var("HEARTH_IN_KEYRING_SESSION").is_ok_and(|v| v == "1") {
        return true;
    }
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    assert!(
        !ci,
        "CI is set but there is no keyring session: run the tests through `.ci/with-keyring`"
    );
    eprintln!("skipping the OS keyring test: no keyring session (run through `.ci/with-keyring`)");
    false
}

#[tokio::test]
async fn the_key_is_kept_in_the_os_keyring() {
    if !keyring_session() {
        return;
    }
    let dir = data_dir();
    let service = format!("hearth-store-test-{}", uuid::Uuid::now_v7().simple());
    let keys = || KeyStorage::OsKeyring {
        service: service.clone(),
        account: "cache-key".to_owned(),
    };

    let store = Store::open_or_create(dir.path(), keys(), at(0))
        .await
        .unwrap();
    let saved = save(
        &store,
        None,
        1,
        serde_json::json!({ "surname": "Keyringtest" }),
        1,
    )
    .await;
    store.close().await;
    assert_eq!(
        existing_protection(dir.path()).unwrap(),
        ExistingCache::KeyKeptElsewhere
    );

    let store = Store::open_or_create(dir.path(), keys(), at(2))
        .await
        .unwrap();
    let draft = store.load(saved.record_id).await.unwrap().unwrap();
    assert_eq!(draft.fields["surname"], "Keyringtest");
    store.close().await;

    // The key disappears from the keyring: a clear error, the cache left as it was.
    forget_keyring_key(&service, "cache-key").await.unwrap();
    let before = snapshot(dir.path());
    let err = Store::open_or_create(dir.path(), keys(), at(3))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::KeyMissing), "{err:?}");
    assert!(err
        .to_string()
        .contains("reset this device's cache and download your records again"));
    assert_eq!(snapshot(dir.path()), before);
    forget_keyring_key(&service, "cache-key").await.unwrap();
}

#[tokio::test]
async fn without_a_keyring_service_the_error_says_so_and_nothing_is_created() {
    if std::env::var_os("HEARTH_IN_KEYRING_SESSION").is_some()
        || std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
    {
        return; // a keyring may be reachable: nothing to test here
    }
    let dir = data_dir();
    let keys = KeyStorage::OsKeyring {
        service: "hearth-store-test-no-keyring".to_owned(),
        account: "cache-key".to_owned(),
    };
    let err = Store::open_or_create(dir.path(), keys, at(0))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::KeyringUnavailable { .. }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("can protect its cache with your password instead"),
        "{err}"
    );
    assert_eq!(
        existing_protection(dir.path()).unwrap(),
        ExistingCache::None,
        "no cache without a kept key"
    );
}
