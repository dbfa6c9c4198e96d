//! Full-text search: names by prefix, postcodes with or without the space, dates of birth
//! in both formats, references exact and by prefix.

use chrono::NaiveDate;
use hearth_domain::RecordKind;
use hearth_store::{RecordId, SearchTerms, StepSave, Store};
use serde_json::json;

use crate::helpers::{at, data_dir, open, save_searchable};

struct Families {
    store: Store,
    okafor: RecordId,
    okafor_ref: String,
    brennan: RecordId,
    brennan_ref: String,
}

async fn families(dir: &std::path::Path) -> Families {
    let store = open(dir).await;
    let okafor = save_searchable(
        &store,
        RecordKind::Plan,
        SearchTerms {
            surnames: vec!["Okafor-Testington".into()],
            forenames: vec!["Chidera".into(), "Émile".into()],
            postcodes: vec!["SW1A 1AA".into()],
            dates_of_birth: vec![NaiveDate::from_ymd_opt(2015, 3, 4).unwrap()],
            references: vec!["NHS 943 476 5919".into()],
        },
        1,
    )
    .await;
    let brennan = save_searchable(
        &store,
        RecordKind::Referral,
        SearchTerms {
            surnames: vec!["O'Brennan".into()],
            forenames: vec!["Maeve".into()],
            postcodes: vec!["m11ae".into()],
            dates_of_birth: vec![NaiveDate::from_ymd_opt(2019, 11, 30).unwrap()],
            references: vec![],
        },
        2,
    )
    .await;
    Families {
        store,
        okafor: okafor.record_id,
        okafor_ref: okafor.local_reference,
        brennan: brennan.record_id,
        brennan_ref: brennan.local_reference,
    }
}

async fn ids(store: &Store, query: &str) -> Vec<RecordId> {
    store
        .search(query, 20)
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect()
}

#[tokio::test]
async fn names_match_by_prefix_in_any_case_and_accent() {
    let dir = data_dir();
    let f = families(dir.path()).await;
    assert_eq!(ids(&f.store, "okaf").await, vec![f.okafor]);
    assert_eq!(ids(&f.store, "Okafor-Testington").await, vec![f.okafor]);
    assert_eq!(
        ids(&f.store, "testing").await,
        vec![f.okafor],
        "each part of a double-barrelled name"
    );
    assert_eq!(ids(&f.store, "CHID").await, vec![f.okafor]);
    assert_eq!(
        ids(&f.store, "emile").await,
        vec![f.okafor],
        "accents are ignored"
    );
    assert_eq!(ids(&f.store, "o'brennan").await, vec![f.brennan]);
    assert_eq!(ids(&f.store, "brenn").await, vec![f.brennan]);
    assert_eq!(
        ids(&f.store, "maeve okafor").await,
        Vec::<RecordId>::new(),
        "every word must match"
    );
    assert_eq!(ids(&f.store, "chidera okafor").await, vec![f.okafor]);
    assert_eq!(ids(&f.store, "nobody").await, Vec::<RecordId>::new());
    f.store.close().await;
}

#[tokio::test]
async fn postcodes_match_with_or_without_the_space() {
    let dir = data_dir();
    let f = families(dir.path()).await;
    for q in ["SW1A 1AA", "sw1a1aa", "SW1A1A", "sw1a", "SW1A 1"] {
        assert_eq!(ids(&f.store, q).await, vec![f.okafor], "query {q:?}");
    }
    for q in ["M1 1AE", "M11AE", "m1 1ae"] {
        assert_eq!(ids(&f.store, q).await, vec![f.brennan], "query {q:?}");
    }
    f.store.close().await;
}

#[tokio::test]
async fn dates_of_birth_match_in_both_formats() {
    let dir = data_dir();
    let f = families(dir.path()).await;
    for q in ["04/03/2015", "4/3/2015", "2015-03-04"] {
        assert_eq!(ids(&f.store, q).await, vec![f.okafor], "query {q:?}");
    }
    assert_eq!(ids(&f.store, "30/11/2019").await, vec![f.brennan]);
    assert_eq!(
        ids(&f.store, "03/04/2015").await,
        Vec::<RecordId>::new(),
        "day and month are not swapped"
    );
    f.store.close().await;
}

#[tokio::test]
async fn references_match_exactly_and_by_prefix() {
    let dir = data_dir();
    let f = families(dir.path()).await;
    assert_eq!(ids(&f.store, &f.okafor_ref).await, vec![f.okafor]);
    assert_eq!(
        ids(&f.store, &f.okafor_ref.to_lowercase()).await,
        vec![f.okafor]
    );
    assert_eq!(
        ids(&f.store, &f.okafor_ref[..14]).await,
        vec![f.okafor],
        "a prefix of the reference"
    );
    assert_eq!(
        ids(&f.store, &f.okafor_ref.replace('-', "")).await,
        vec![f.okafor],
        "without hyphens"
    );
    assert_eq!(ids(&f.store, &f.brennan_ref).await, vec![f.brennan]);
    assert_eq!(
        ids(&f.store, "943 476 5919").await,
        vec![f.okafor],
        "another reference, as written"
    );
    assert_eq!(
        ids(&f.store, "nhs9434765919").await,
        vec![f.okafor],
        "another reference, without spaces"
    );

    // The permanent reference from the server is searchable as soon as it is recorded.
    f.store
        .set_server_reference(f.okafor, "FSP-000123")
        .await
        .unwrap();
    assert_eq!(ids(&f.store, "FSP-000123").await, vec![f.okafor]);
    assert_eq!(ids(&f.store, "fsp-0001").await, vec![f.okafor]);
    assert_eq!(ids(&f.store, "FSP000123").await, vec![f.okafor]);
    assert_eq!(
        ids(&f.store, &f.okafor_ref).await,
        vec![f.okafor],
        "the local reference still works"
    );
    assert_eq!(
        ids(&f.store, "okafor").await,
        vec![f.okafor],
        "the names are kept"
    );
    let hit = &f.store.search("FSP-000123", 5).await.unwrap()[0];
    assert_eq!(hit.server_reference.as_deref(), Some("FSP-000123"));
    f.store.close().await;
}

#[tokio::test]
async fn new_terms_replace_old_ones_and_discard_removes_them() {
    let dir = data_dir();
    let f = families(dir.path()).await;
    f.store
        .save_step(StepSave {
            search: Some(SearchTerms {
                surnames: vec!["Renamedfamily".into()],
                ..Default::default()
            }),
            ..StepSave::new(
                Some(f.okafor),
                RecordKind::Plan,
                1,
                json!({ "surname": "Renamedfamily" }),
                at(3),
            )
        })
        .await
        .unwrap();
    assert_eq!(ids(&f.store, "okafor").await, Vec::<RecordId>::new());
    assert_eq!(ids(&f.store, "renamed").await, vec![f.okafor]);
    assert_eq!(
        ids(&f.store, &f.okafor_ref).await,
        vec![f.okafor],
        "the reference survives new terms"
    );

    // A save without terms keeps the previous ones.
    f.store
        .save_step(StepSave::new(
            Some(f.okafor),
            RecordKind::Plan,
            2,
            json!({ "school": "x" }),
            at(4),
        ))
        .await
        .unwrap();
    assert_eq!(ids(&f.store, "renamed").await, vec![f.okafor]);

    f.store.discard(f.okafor, at(5)).await.unwrap();
    assert_eq!(ids(&f.store, "renamed").await, Vec::<RecordId>::new());
    f.store.close().await;
}

#[tokio::test]
async fn search_syntax_in_a_query_is_just_text() {
    let dir = data_dir();
    let f = families(dir.path()).await;
    for q in [
        "\"",
        "*",
        "AND",
        "NEAR(okafor",
        "okafor OR maeve",
        "names:okafor",
        "-",
        "",
        "   ",
        "^okafor",
        "(",
        "'",
    ] {
        let hits = f.store.search(q, 20).await;
        assert!(hits.is_ok(), "query {q:?}: {hits:?}");
    }
    assert_eq!(
        ids(&f.store, "okafor OR maeve").await,
        Vec::<RecordId>::new(),
        "OR is a word, not an operator"
    );
    f.store.close().await;
}

#[tokio::test]
async fn results_are_limited() {
    let dir = data_dir();
    let store = open(dir.path()).await;
    for i in 0..5 {
        save_searchable(
            &store,
            RecordKind::Plan,
            SearchTerms {
                surnames: vec!["Samename".into()],
                ..Default::default()
            },
            i,
        )
        .await;
    }
    assert_eq!(store.search("samename", 3).await.unwrap().len(), 3);
    assert_eq!(store.search("samename", 10).await.unwrap().len(), 5);
    store.close().await;
}
