//! Keys: the password-wrapped key, wrong and missing keys, and setting a cache aside.

use hearth_store::{
    change_password, existing_protection, set_aside_cache, DatabaseKey, ExistingCache, Password,
    Store, StoreError, DATABASE_FILE_NAME, KEY_FILE_NAME,
};

use crate::helpers::{
    at, data_dir, file_names, open, password, save, snapshot, supplied, test_key,
};

#[tokio::test]
async fn the_right_password_opens_and_a_wrong_one_changes_nothing() {
    let dir = data_dir();
    assert_eq!(
        existing_protection(dir.path()).unwrap(),
        ExistingCache::None
    );
    let store = Store::open_or_create(dir.path(), password("correct horse battery"), at(0))
        .await
        .unwrap();
    let saved = save(
        &store,
        None,
        1,
        serde_json::json!({ "surname": "Testcase" }),
        1,
    )
    .await;
    store.close().await;
    assert_eq!(
        existing_protection(dir.path()).unwrap(),
        ExistingCache::PasswordWrapped
    );
    assert_eq!(
        file_names(dir.path()),
        vec![DATABASE_FILE_NAME.to_owned(), KEY_FILE_NAME.to_owned()]
    );

    let before = snapshot(dir.path());
    let err = Store::open_or_create(dir.path(), password("correct horse battery!"), at(2))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::WrongPassword), "{err:?}");
    assert_eq!(
        snapshot(dir.path()),
        before,
        "a wrong password must leave every file as it was"
    );

    let store = Store::open_or_create(dir.path(), password("correct horse battery"), at(3))
        .await
        .unwrap();
    let draft = store.load(saved.record_id).await.unwrap().unwrap();
    assert_eq!(draft.fields["surname"], "Testcase");
    store.close().await;
}

#[tokio::test]
async fn the_key_file_is_argon2id_and_xchacha20poly1305_with_no_key_in_clear() {
    let dir = data_dir();
    let store = Store::open_or_create(dir.path(), password("pw-one"), at(0))
        .await
        .unwrap();
    store.close().await;
    let text = std::fs::read_to_string(dir.path().join(KEY_FILE_NAME)).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["kdf"], "argon2id");
    assert!(json["m_cost_kib"].as_u64().unwrap() >= 19 * 1024);
    assert!(json["t_cost"].as_u64().unwrap() >= 2);
    assert_eq!(json["p_cost"], 1);
    assert_eq!(json["aead"], "xchacha20poly1305");
    assert_eq!(json["salt"].as_str().unwrap().len(), 32);
    assert_eq!(json["nonce"].as_str().unwrap().len(), 48);
    // 32 key bytes + 16 bytes of Poly1305 tag: encrypted, never the bare 32 bytes.
    assert_eq!(json["ciphertext"].as_str().unwrap().len(), 96);
}

#[tokio::test]
async fn changing_the_password_keeps_the_cache() {
    let dir = data_dir();
    let store = Store::open_or_create(dir.path(), password("old password"), at(0))
        .await
        .unwrap();
    let saved = save(&store, None, 1, serde_json::json!({ "a": 1 }), 1).await;
    store.close().await;

    let db_before = snapshot(dir.path())
        .remove(&dir.path().join(DATABASE_FILE_NAME))
        .unwrap();
    let err = change_password(dir.path(), &Password::new("not it"), &Password::new("new"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::WrongPassword), "{err:?}");
    change_password(
        dir.path(),
        &Password::new("old password"),
        &Password::new("new password"),
    )
    .await
    .unwrap();
    assert_eq!(
        snapshot(dir.path())[&dir.path().join(DATABASE_FILE_NAME)],
        db_before,
        "the database is not touched"
    );

    let err = Store::open_or_create(dir.path(), password("old password"), at(2))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::WrongPassword), "{err:?}");
    let store = Store::open_or_create(dir.path(), password("new password"), at(3))
        .await
        .unwrap();
    assert!(store.load(saved.record_id).await.unwrap().is_some());
    store.close().await;
}

#[tokio::test]
async fn a_missing_key_file_is_an_error_not_a_new_cache() {
    let dir = data_dir();
    let store = Store::open_or_create(dir.path(), password("pw"), at(0))
        .await
        .unwrap();
    store.close().await;
    std::fs::remove_file(dir.path().join(KEY_FILE_NAME)).unwrap();
    let before = snapshot(dir.path());

    let err = Store::open_or_create(dir.path(), password("pw"), at(1))
        .await
        .unwrap_err();
    match &err {
        StoreError::KeyFileMissing { path } => assert_eq!(path, &dir.path().join(KEY_FILE_NAME)),
        other => panic!("expected KeyFileMissing, got {other:?}"),
    }
    assert!(err
        .to_string()
        .contains("download your records again from the Hearth server"));
    assert_eq!(snapshot(dir.path()), before);
}

#[tokio::test]
async fn a_wrong_key_is_an_error_and_changes_nothing() {
    let dir = data_dir();
    let store = open(dir.path()).await;
    save(&store, None, 1, serde_json::json!({ "a": 1 }), 1).await;
    store.close().await;
    let before = snapshot(dir.path());

    let other = DatabaseKey::from_bytes([9u8; 32]);
    let err = Store::open_or_create(dir.path(), supplied(&other), at(2))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::WrongKey), "{err:?}");
    assert_eq!(
        err.to_string(),
        "The key found for this device's Hearth cache does not open it, so the cache cannot be read. \
         Nothing has been changed on this device. If you cannot fix this, you can reset this device's \
         cache and download your records again from the Hearth server (edits that were never synced \
         would be lost)."
    );
    assert_eq!(snapshot(dir.path()), before);

    // A cache made with a password does not open with some other key either.
    let dir2 = data_dir();
    Store::open_or_create(dir2.path(), password("pw"), at(0))
        .await
        .unwrap()
        .close()
        .await;
    let before = snapshot(dir2.path());
    let err = Store::open_or_create(dir2.path(), supplied(&test_key()), at(1))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::WrongKey), "{err:?}");
    assert_eq!(snapshot(dir2.path()), before);
}

#[tokio::test]
async fn a_damaged_key_file_is_reported_as_such() {
    let dir = data_dir();
    Store::open_or_create(dir.path(), password("pw"), at(0))
        .await
        .unwrap()
        .close()
        .await;
    std::fs::write(dir.path().join(KEY_FILE_NAME), b"{ not json").unwrap();
    let err = Store::open_or_create(dir.path(), password("pw"), at(1))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::KeyFileDamaged { reason, .. } if reason == "not a wrapped-key file"),
        "{err:?}"
    );
}

#[tokio::test]
async fn setting_the_cache_aside_keeps_it_and_starts_a_new_one() {
    let dir = data_dir();
    let store = Store::open_or_create(dir.path(), password("forgotten"), at(0))
        .await
        .unwrap();
    let saved = save(&store, None, 1, serde_json::json!({ "a": 1 }), 1).await;
    store.close().await;
    let before = snapshot(dir.path());

    let aside = set_aside_cache(dir.path(), at(5)).unwrap();
    assert_eq!(aside, dir.path().join("set-aside-20261121T090500.000Z"));
    let moved: Vec<String> = before.values().cloned().collect();
    let after: Vec<String> = snapshot(&aside).values().cloned().collect();
    assert_eq!(
        after, moved,
        "the old files are moved, byte for byte, not deleted"
    );
    assert_eq!(
        existing_protection(dir.path()).unwrap(),
        ExistingCache::None
    );

    let store = Store::open_or_create(dir.path(), password("new one"), at(6))
        .await
        .unwrap();
    assert_eq!(store.load(saved.record_id).await.unwrap(), None);
    store.close().await;
}

#[tokio::test]
async fn keys_and_passwords_never_show_in_debug_output() {
    let key = DatabaseKey::from_bytes([0xab; 32]);
    assert_eq!(format!("{key:?}"), "DatabaseKey(<redacted>)");
    let pw = Password::new("hunter2");
    assert_eq!(format!("{pw:?}"), "Password(<redacted>)");
    let storage = supplied(&key);
    assert!(!format!("{storage:?}").contains("abab"));
    let dir = data_dir();
    let store = Store::open_or_create(dir.path(), storage, at(0))
        .await
        .unwrap();
    let shown = format!("{store:?}");
    assert!(!shown.contains("abab") && !shown.contains("x'"), "{shown}");
    store.close().await;
}
