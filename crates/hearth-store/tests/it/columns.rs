//! Lists with a few extracted fields: every record of a kind, or the search's matches.

use hearth_domain::RecordKind;
use hearth_store::{SearchTerms, StepSave};
use serde_json::{json, Value};

use crate::helpers::{at, data_dir, open};

#[tokio::test]
async fn lists_the_asked_for_fields_newest_first_and_filters_by_search() {
    let dir = data_dir();
    let store = open(dir.path()).await;
    let mut ids = Vec::new();
    for (i, (first, last, postcode)) in [
        ("Ada", "Testwright", "PO1 2AB"),
        ("Bea", "Samplesmith", "PO9 1AA"),
    ]
    .into_iter()
    .enumerate()
    {
        let saved = store
            .save_step(StepSave {
                search: Some(SearchTerms {
                    surnames: vec![last.into()],
                    forenames: vec![first.into()],
                    postcodes: vec![postcode.into()],
                    ..SearchTerms::default()
                }),
                ..StepSave::new(
                    None,
                    RecordKind::Plan,
                    2,
                    json!({
                        "focus_child": { "first_name": first, "last_name": last },
                        "main_parent": { "address": { "postcode": postcode } },
                    }),
                    at(i as i64),
                )
            })
            .await
            .unwrap();
        ids.push(saved.record_id);
    }
    // A review is another kind: never in the plans' list.
    store
        .save_step(StepSave::new(
            None,
            RecordKind::Review,
            1,
            json!({ "focus_child": { "first_name": "Ada" } }),
            at(5),
        ))
        .await
        .unwrap();

    let paths = [
        "$.focus_child.first_name",
        "$.main_parent.address.postcode",
        "$.family_name",
        "$.focus_child",
    ];
    let all = store
        .list_columns(RecordKind::Plan, None, &paths)
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].summary.id, ids[1], "newest first");
    assert_eq!(
        all[0].values,
        vec![
            json!("Bea"),
            json!("PO9 1AA"),
            Value::Null,
            json!({ "first_name": "Bea", "last_name": "Samplesmith" }),
        ]
    );

    let found = store
        .list_columns(RecordKind::Plan, Some("po12ab"), &paths[..1])
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].summary.id, ids[0]);
    assert_eq!(found[0].values, vec![json!("Ada")]);

    let none = store
        .list_columns(RecordKind::Plan, Some("Nobody"), &paths)
        .await
        .unwrap();
    assert!(none.is_empty());
    assert!(store
        .list_columns(RecordKind::Plan, Some(" - "), &paths)
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .list_columns(RecordKind::Plan, None, &["$.x'); --"])
        .await
        .is_err());
}
