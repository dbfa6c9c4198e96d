//! "Download / print": a record in the local store becomes PDF bytes and a suggested file
//! name. No window, no dialog and no clock here (the print date is passed in), so it is
//! tested with a temporary store; `commands::print_record` adds the native save dialog.

use chrono::NaiveDate;
use hearth_domain::document::{suggest_file_name, DocumentType};
use hearth_domain::plan::PlanDraft;
use hearth_domain::referral::ReferralDraft;
use hearth_domain::request::RequestDraft;
use hearth_domain::review::ReviewDraft;
use hearth_domain::search::lenient_draft;
use hearth_domain::{Config, RecordKind};
use hearth_pdf::{PdfError, PrintContext};
use hearth_store::{RecordId, Store, StoreError};

/// A record ready to save: the PDF and the name the save dialog suggests.
#[derive(Debug, Clone)]
pub struct PrintedRecord {
    pub bytes: Vec<u8>,
    /// `REF-YYMMDD-Name.pdf` (the seed systems' convention), e.g.
    /// `LOCAL-FSP-9C3E1A7F42-261121-FamilySupportPlan.pdf`. It names the kind of record,
    /// never the family, so no personal data lands in recent-file lists.
    pub file_name: String,
}

/// Why a record could not be printed.
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error("This record is no longer on this device. It may have been discarded.")]
    NotFound(RecordId),
    #[error("Hearth cannot print this kind of record yet.")]
    NotPrintable(RecordKind),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("Hearth could not make the PDF ({0}). Nothing was saved.")]
    Render(#[from] PdfError),
}

/// Loads the record, reads its fields as the draft of its kind and lays it out as a PDF
/// printed on `printed_on`.
pub async fn print_record_pdf(
    store: &Store,
    id: RecordId,
    config: &Config,
    printed_on: NaiveDate,
) -> Result<PrintedRecord, PrintError> {
    let draft = store.load(id).await?.ok_or(PrintError::NotFound(id))?;
    let summary = &draft.summary;
    let reference = summary
        .server_reference
        .as_deref()
        .unwrap_or(&summary.local_reference);
    let ctx = PrintContext { config, printed_on };
    let fields = &draft.fields;
    let (doc, skipped) = match summary.kind {
        RecordKind::Plan => {
            let (d, skipped) = lenient_draft::<PlanDraft>(fields);
            (
                hearth_pdf::plan_draft_document(&d, reference, &ctx),
                skipped,
            )
        }
        RecordKind::Review => {
            let (d, skipped) = lenient_draft::<ReviewDraft>(fields);
            (
                hearth_pdf::review_draft_document(&d, reference, &ctx),
                skipped,
            )
        }
        RecordKind::Referral => {
            let (d, skipped) = lenient_draft::<ReferralDraft>(fields);
            (
                hearth_pdf::referral_draft_document(&d, reference, &ctx),
                skipped,
            )
        }
        RecordKind::Request => {
            let (d, skipped) = lenient_draft::<RequestDraft>(fields);
            (
                hearth_pdf::request_draft_document(&d, reference, &ctx),
                skipped,
            )
        }
        // A task prints as its contribution: final once submitted (and valid), else a draft.
        RecordKind::Task => {
            let task = crate::tasks::task_of(id, fields)
                .ok_or(PrintError::NotPrintable(RecordKind::Task))?;
            let draft = hearth_domain::task::ContributionDraft {
                answers: crate::tasks::answers_of(fields),
                documents: vec![],
            };
            let submitted = task.status() == hearth_domain::task::TaskStatus::Submitted;
            let doc = match hearth_domain::task::Contribution::parse(&task, draft.clone(), config) {
                Ok(c) if submitted => {
                    hearth_pdf::contribution_document(&task, &c, &[], reference, &ctx)
                }
                _ => hearth_pdf::contribution_draft_document(&task, &draft, &[], reference, &ctx),
            };
            (doc, 0)
        }
        // A contribution record on its own and documents have no print layout.
        kind => return Err(PrintError::NotPrintable(kind)),
    };
    if skipped > 0 {
        // Ids and counts only: the field names could hint at the content.
        tracing::warn!(record = %id, skipped, "fields not readable as the draft; printed blank");
    }
    let bytes = hearth_pdf::render(&doc)?;
    tracing::info!(record = %id, kind = summary.kind.as_str(), bytes = bytes.len(), "record printed to PDF");
    Ok(PrintedRecord {
        bytes,
        file_name: suggest_file_name(
            reference,
            printed_on,
            document_name(summary.kind),
            DocumentType::Pdf,
        ),
    })
}

/// The "Name" part of the suggested file name.
fn document_name(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Plan => "Family support plan",
        RecordKind::Review => "Family support plan review",
        RecordKind::Referral => "Referral",
        RecordKind::Request => "Request for support",
        RecordKind::Task => "Task",
        RecordKind::Contribution => "Contribution",
        RecordKind::Document => "Document",
    }
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    use chrono::{TimeZone as _, Utc};
    use hearth_store::{DatabaseKey, KeyStorage, StepSave};
    use serde_json::{json, Map, Value};

    use super::*;

    fn printed_on() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()
    }

    async fn temp_store(dir: &std::path::Path) -> Store {
        let key = DatabaseKey::from_bytes([7; 32]);
        let saved_at = Utc.with_ymd_and_hms(2026, 11, 20, 9, 30, 0).unwrap();
        Store::open_or_create(dir, KeyStorage::Supplied { key }, saved_at)
            .await
            .expect("create a temporary store")
    }

    fn pdf_text(bytes: &[u8]) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("record.pdf");
        std::fs::write(&path, bytes).unwrap();
        let out = Command::new("pdftotext")
            .args(["-enc", "UTF-8"])
            .arg(&path)
            .arg("-")
            .output()
            .expect("pdftotext (poppler-utils) is installed");
        assert!(out.status.success(), "pdftotext failed");
        String::from_utf8(out.stdout).unwrap()
    }

    #[tokio::test]
    async fn a_saved_plan_draft_prints_with_the_childs_name_and_a_conventional_file_name() {
        let dir = tempfile::tempdir().unwrap();
        let store = temp_store(dir.path()).await;
        let at = Utc.with_ymd_and_hms(2026, 11, 20, 10, 0, 0).unwrap();
        // Two wizard steps, saved as the UI autosaves them.
        let first = store
            .save_step(StepSave {
                title: Some("Zoë Łukasz-Nowak".into()),
                ..StepSave::new(
                    None,
                    RecordKind::Plan,
                    2,
                    json!({
                        "focus_child": {
                            "first_name": "Zoë",
                            "last_name": "Łukasz-Nowak",
                            "date_of_birth": "2017-03-09",
                        },
                    }),
                    at,
                )
            })
            .await
            .unwrap();
        store
            .save_step(StepSave::new(
                Some(first.record_id),
                RecordKind::Plan,
                9,
                json!({ "family_name": "Łukasz-Nowak family" }),
                at,
            ))
            .await
            .unwrap();

        let printed = print_record_pdf(&store, first.record_id, &Config::builtin(), printed_on())
            .await
            .unwrap();

        assert!(printed.bytes.starts_with(b"%PDF"));
        let text = pdf_text(&printed.bytes);
        assert!(text.contains("Zoë"), "child's first name printed");
        assert!(text.contains("Łukasz-Nowak"), "child's last name printed");
        assert!(text.contains(&first.local_reference), "reference printed");
        assert!(text.contains("21/11/2026"), "print date printed");
        assert_eq!(
            printed.file_name,
            format!("{}-261121-FamilySupportPlan.pdf", first.local_reference)
        );
        assert!(hearth_domain::document::follows_naming_convention(
            &printed.file_name,
            &first.local_reference
        ));
    }

    #[tokio::test]
    async fn the_permanent_reference_is_used_once_the_server_has_given_one() {
        let dir = tempfile::tempdir().unwrap();
        let store = temp_store(dir.path()).await;
        let at = Utc.with_ymd_and_hms(2026, 11, 20, 10, 0, 0).unwrap();
        let saved = store
            .save_step(StepSave::new(
                None,
                RecordKind::Referral,
                1,
                json!({ "concerns": "Invented concern for a test" }),
                at,
            ))
            .await
            .unwrap();
        store
            .set_server_reference(saved.record_id, "MARF-000042")
            .await
            .unwrap();

        let printed = print_record_pdf(&store, saved.record_id, &Config::builtin(), printed_on())
            .await
            .unwrap();
        assert_eq!(printed.file_name, "MARF-000042-261121-Referral.pdf");
        let text = pdf_text(&printed.bytes);
        assert!(text.contains("MARF-000042"));
        assert!(text.contains("Invented concern for a test"));
    }

    #[tokio::test]
    async fn a_missing_record_and_a_kind_without_a_print_layout_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let store = temp_store(dir.path()).await;
        let at = Utc.with_ymd_and_hms(2026, 11, 20, 10, 0, 0).unwrap();
        let config = Config::builtin();

        let unknown = RecordId::new_at(at);
        let err = print_record_pdf(&store, unknown, &config, printed_on())
            .await
            .unwrap_err();
        assert!(matches!(err, PrintError::NotFound(id) if id == unknown));

        let task = store
            .save_step(StepSave::new(None, RecordKind::Task, 1, json!({}), at))
            .await
            .unwrap();
        let err = print_record_pdf(&store, task.record_id, &config, printed_on())
            .await
            .unwrap_err();
        assert!(matches!(err, PrintError::NotPrintable(RecordKind::Task)));
    }

    #[test]
    fn fields_that_do_not_fit_the_draft_are_left_out_and_the_rest_is_kept() {
        let fields = json!({
            "family_name": "Invented family",
            // Cleared in the wizard: the store keeps `null`.
            "practitioner_summary": null,
            // A value of the wrong shape (e.g. from an older version of a step).
            "focus_child": "not an object",
            "family_plan": [{ "need": "Invented need", "score": 4 }],
            // A key the draft does not have is ignored, not an error.
            "unknown_key": 1,
        });
        let Value::Object(fields) = fields else {
            unreachable!()
        };
        let (draft, skipped) = lenient_draft::<PlanDraft>(&fields);
        assert_eq!(skipped, 2);
        assert_eq!(draft.family_name, "Invented family");
        assert_eq!(draft.practitioner_summary, "");
        assert_eq!(draft.focus_child, Default::default());
        assert_eq!(draft.family_plan.len(), 1);
        assert_eq!(draft.family_plan[0].need, "Invented need");

        let (clean, skipped) = lenient_draft::<PlanDraft>(&Map::new());
        assert_eq!((clean, skipped), (PlanDraft::default(), 0));
    }
}
