//! The conflicts screen in the real app window (issue 5): a device whose cache holds one
//! conflict (both sides changed two answers of a plan) and one rejection (a change the
//! server will never accept), offline. The sync bar's count leads to "Conflicts to
//! resolve"; saving without choosing names every unanswered choice; choosing keeps one
//! answer as mine (a new change waiting to be sent) and one as the server's; the rejection
//! shows what was entered and is dismissed. Every screen gets an axe-core check.
//!
//! Run with `make test-e2e` (Xvfb, tauri-driver, the app and the server built first).

use anyhow::{ensure, Result};
use chrono::{DateTime, Utc};
use hearth_domain::RecordKind;
use hearth_e2e::app::eventually;
use hearth_e2e::screens::UNLOCK;
use hearth_e2e::seed::signed_in_offline;
use hearth_e2e::webdriver::Using;
use hearth_e2e::{App, Prereqs, Profile};
use hearth_store::{Answer, ConflictField, KeyStorage, Password, StepSave, Store};
use serde_json::{json, Value};

/// Invented; long enough for the app's minimum.
const PASSWORD: &str = "invented kettle lantern 42";

fn at(minute: i64) -> DateTime<Utc> {
    Utc::now() - chrono::Duration::minutes(60 - minute)
}

/// A plan the server confirmed as FSP-000042, whose next edit came back as a conflict; and
/// a second plan whose first save the server refused. Returns the changes then waiting.
async fn seed_conflicts(store: &Store) -> Result<u64> {
    let first = store
        .save_step(StepSave {
            title: Some("Startfamily".into()),
            ..StepSave::new(
                None,
                RecordKind::Plan,
                9,
                json!({"family_name": "Startfamily"}),
                at(1),
            )
        })
        .await?;
    store
        .record_answers(
            &[(
                first.mutation_id.expect("a new plan is queued"),
                Answer::Applied {
                    version: 1,
                    reference: Some("FSP-000042".into()),
                },
            )],
            at(2),
        )
        .await?;
    let edit = store
        .save_step(StepSave::new(
            Some(first.record_id),
            RecordKind::Plan,
            9,
            json!({"family_name": "Mineside", "practitioner_summary": "Our invented words"}),
            at(3),
        ))
        .await?;
    let refused = store
        .save_step(StepSave::new(
            None,
            RecordKind::Plan,
            9,
            json!({"family_name": "Refusedfamily"}),
            at(4),
        ))
        .await?;
    store
        .record_answers(
            &[
                (
                    edit.mutation_id.expect("an edit is queued"),
                    Answer::Conflict {
                        server_version: 2,
                        fields: vec![
                            ConflictField {
                                field: "family_name".into(),
                                base: json!("Startfamily"),
                                mine: json!("Mineside"),
                                theirs: json!("Theirside"),
                            },
                            ConflictField {
                                field: "practitioner_summary".into(),
                                base: Value::Null,
                                mine: json!("Our invented words"),
                                theirs: json!("Their invented words"),
                            },
                        ],
                    },
                ),
                (
                    refused.mutation_id.expect("a new plan is queued"),
                    Answer::Rejected {
                        reason: "You may no longer change this plan.".into(),
                    },
                ),
            ],
            at(5),
        )
        .await?;
    Ok(store.counts().await?.pending_outbox)
}

#[tokio::test]
async fn conflicts_are_resolved_field_by_field_and_rejections_dismissed() -> Result<()> {
    let prereqs = Prereqs::from_env()?;
    let profile = Profile::new("conflicts-offline")?;
    let store = Store::open_or_create(
        profile.data_dir.path(),
        KeyStorage::PasswordWrapped {
            password: Password::new(PASSWORD),
        },
        Utc::now(),
    )
    .await?;
    let pending_before = seed_conflicts(&store).await?;
    store.close().await;
    signed_in_offline(profile.data_dir.path(), PASSWORD).await?;

    let app = App::start(&prereqs, &profile).await?;
    app.visit(UNLOCK).await?;
    app.fill("Password", PASSWORD).await?;
    app.press("Unlock").await?;
    app.visit("Dashboard").await?;

    // Offline, the sync bar still counts what is waiting, and links to it.
    app.follow("2 conflicts to resolve").await?;
    app.visit("Conflicts to resolve").await?;
    let headings = eventually(|| async {
        let headings = app.texts(Using::Css, "main h2").await?;
        ensure!(headings.len() == 2, "two sections expected: {headings:?}");
        Ok(headings)
    })
    .await?;
    app.axe_check("Conflicts to resolve").await?;
    let conflict = headings
        .iter()
        .find(|h| h.contains("FSP-000042"))
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("no section for FSP-000042: {headings:?}"))?;
    let rejection = headings
        .iter()
        .find(|h| !h.contains("FSP-000042"))
        .cloned()
        .expect("two headings");
    let text = app.main_text().await?;
    for shown in [
        "Before either change: Startfamily",
        "Keep the version on the server: Theirside",
        "Keep your version: Mineside",
        "Keep the version on the server: Their invented words",
        "Keep your version: Our invented words",
        "The server did not accept this change: You may no longer change this plan.",
        "Refusedfamily",
    ] {
        ensure!(
            text.contains(shown),
            "\"{shown}\" is not on the page:\n{text}"
        );
    }

    // Saving without choosing: every unanswered choice is named and linked.
    app.press(&format!("Save these choices for {conflict}"))
        .await?;
    let errors = eventually(|| async {
        let errors = app.error_summary().await?;
        ensure!(
            errors.len() == 2,
            "expected two errors, the summary has {errors:?}"
        );
        Ok(errors)
    })
    .await?;
    ensure!(
        errors[0].1 == "Choose which version of family name to keep"
            && errors[1].1 == "Choose which version of practitioner's summary to keep",
        "{errors:?}"
    );
    app.axe_check("Conflicts to resolve, with errors").await?;
    app.save_shot("conflicts-errors").await?;

    // Mine for the family name, theirs for the summary.
    let mine = app.field("Keep your version: Mineside").await?;
    app.wd.click(&mine).await?;
    let theirs = app
        .field("Keep the version on the server: Their invented words")
        .await?;
    app.wd.click(&theirs).await?;
    app.press(&format!("Save these choices for {conflict}"))
        .await?;
    app.wait_for_status("Your version of 1 answer").await?;
    eventually(|| async {
        let left = app.texts(Using::Css, "main h2").await?;
        ensure!(left == [rejection.clone()], "still listed: {left:?}");
        Ok(())
    })
    .await?;
    app.axe_check("Conflicts to resolve, one left").await?;

    // The rejection is dismissed; nothing is left.
    app.press(&format!("Dismiss the change to {rejection}"))
        .await?;
    app.wait_for_status("You dismissed the change").await?;
    eventually(|| async {
        let text = app.main_text().await?;
        ensure!(text.contains("There is nothing to resolve."), "{text}");
        let bar = app.texts(Using::Css, ".sync-bar").await?.join(" ");
        ensure!(!bar.contains("conflict"), "the sync bar still says {bar}");
        Ok(())
    })
    .await?;
    app.axe_check("Conflicts to resolve, none left").await?;
    app.save_shot("conflicts-resolved").await?;
    app.quit().await?;

    // The answer kept as mine is a new change waiting to be sent, on the plan itself.
    let store = Store::open_or_create(
        profile.data_dir.path(),
        KeyStorage::PasswordWrapped {
            password: Password::new(PASSWORD),
        },
        Utc::now(),
    )
    .await?;
    let pending = store.pending_mutations(100).await?;
    ensure!(
        pending.len() as u64 == pending_before + 1,
        "expected one more change waiting ({pending_before} before), found {}",
        pending.len()
    );
    let last = pending.last().expect("one waiting");
    ensure!(
        last.changes.len() == 1
            && last.changes[0].field == "family_name"
            && last.changes[0].value == json!("Mineside"),
        "{:?}",
        last.changes
    );
    ensure!(store.conflicts().await?.is_empty());
    store.close().await;
    Ok(())
}
