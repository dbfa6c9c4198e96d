//! A plan that comes down from the server is found in search like one typed on the device:
//! by the family's surname, the child's name, the postcode and the date of birth; and by
//! what it says after a colleague's edit comes down, not by what it said before.

use chrono::Utc;
use hearth_domain::RecordKind;
use hearth_store::{RecordId, StepSave, Store};
use serde_json::json;

use crate::helpers::{device, on_both, settle, spawn_server, Backend};

on_both!(a_pulled_plan_is_found_by_its_names_and_by_its_new_name_after_an_edit,);

async fn found(store: &Store, query: &str, plan: RecordId) -> bool {
    store
        .search(query, 10)
        .await
        .unwrap()
        .iter()
        .any(|r| r.id == plan)
}

async fn a_pulled_plan_is_found_by_its_names_and_by_its_new_name_after_an_edit(b: Backend) {
    let server = spawn_server(b).await;
    let (owner, owner_token) = server.practitioner().await;
    let (other, other_token) = server.practitioner().await;
    let a = device(&server.base_url(), &owner_token).await;
    let o = device(&server.base_url(), &other_token).await;

    // Invented family. Saved without search terms, as a device with an older app might.
    let plan = a
        .store
        .save_step(StepSave::new(
            None,
            RecordKind::Plan,
            1,
            json!({
                "family_name": "Quennell-Test",
                "focus_child": {"first_name": "Wren", "last_name": "Quennell-Test",
                                "date_of_birth": "2018-06-09"},
                "main_parent": {"first_name": "Isolde", "last_name": "Marchbank-Test",
                                "address": {"postcode": "ZZ9 4QT"}},
            }),
            Utc::now(),
        ))
        .await
        .unwrap()
        .record_id;
    settle(&a).await;
    server.set_sharing(plan, owner, other, true).await;
    settle(&o).await;
    assert!(
        o.store.load(plan).await.unwrap().is_some(),
        "shared: pulled"
    );
    for query in [
        "Quennell",
        "wren",
        "Marchbank-Test",
        "ZZ94QT",
        "zz9 4qt",
        "09/06/2018",
    ] {
        assert!(
            found(&o.store, query, plan).await,
            "the pulled plan is found by {query:?}"
        );
    }

    // The owner corrects the parent's surname; the colleague's copy comes down again (the
    // path for a record the device already holds).
    a.store
        .save_step(StepSave::new(
            Some(plan),
            RecordKind::Plan,
            1,
            json!({"main_parent": {"first_name": "Isolde", "last_name": "Ashgrove-Test",
                                   "address": {"postcode": "ZZ9 4QT"}}}),
            Utc::now(),
        ))
        .await
        .unwrap();
    settle(&a).await;
    settle(&o).await;
    assert!(
        found(&o.store, "Ashgrove", plan).await,
        "found by the new surname"
    );
    assert!(
        !found(&o.store, "Marchbank", plan).await,
        "no longer found by the old one"
    );
    assert!(
        found(&o.store, "Quennell wren", plan).await,
        "still found by the child"
    );
}
