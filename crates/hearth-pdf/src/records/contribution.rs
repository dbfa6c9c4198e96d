//! A contribution to a delegated task (seed 002): the task, then the answers laid out by
//! the form type's definition (data, from the configuration), repeatable rows as
//! tables, then the supporting documents.

use std::collections::{BTreeMap, BTreeSet};

use hearth_domain::document::{DocumentMeta, DocumentType};
use hearth_domain::form::{
    Answers, FieldDefinition, FieldKind, FieldValue, FormDefinition, FormItem, GroupDefinition,
};
use hearth_domain::task::{Contribution, ContributionDraft, CounterSignature, Task, TaskStatus};

use super::{
    cell, date, document, or_not_given, uk_date, yes_no, Blocks, PrintContext, Stage, BLANK_CELL,
    NOT_GIVEN,
};
use crate::model::{Checkbox, Document, HeadingLevel};

/// A contribution that satisfies its form, with the task it answers. `documents` are
/// the metadata of its supporting documents (others are ignored; a document whose
/// metadata is missing prints as its id).
///
/// Submission and counter-signing dates are the UTC dates of those moments.
pub fn contribution_document(
    task: &Task,
    contribution: &Contribution,
    documents: &[DocumentMeta],
    reference: &str,
    ctx: &PrintContext<'_>,
) -> Document {
    contribution_doc(
        &Input {
            task,
            form_type: contribution.form_type(),
            prefilled: contribution.prefilled().clone(),
            content: contribution.content(),
            documents,
        },
        reference,
        ctx,
        Stage::Final,
    )
}

/// A contribution still being written ("(draft)" in the title); the read-only child
/// details come from the task.
pub fn contribution_draft_document(
    task: &Task,
    draft: &ContributionDraft,
    documents: &[DocumentMeta],
    reference: &str,
    ctx: &PrintContext<'_>,
) -> Document {
    let prefilled = ctx
        .config
        .form_type(task.form_type())
        .map(|form| form.prefilled(task.child()))
        .unwrap_or_default();
    contribution_doc(
        &Input {
            task,
            form_type: task.form_type(),
            prefilled,
            content: draft,
            documents,
        },
        reference,
        ctx,
        Stage::Draft,
    )
}

struct Input<'a> {
    task: &'a Task,
    form_type: &'a str,
    prefilled: BTreeMap<String, FieldValue>,
    content: &'a ContributionDraft,
    documents: &'a [DocumentMeta],
}

fn contribution_doc(
    input: &Input<'_>,
    reference: &str,
    ctx: &PrintContext<'_>,
    stage: Stage,
) -> Document {
    let form = ctx.config.form_type(input.form_type);
    let title = form.map_or_else(
        || format!("Contribution ({})", input.form_type),
        |f| f.title.clone(),
    );
    let mut b = Blocks::default();
    task_section(&mut b, input.task, &title);
    let answers = &input.content.answers;
    match form {
        Some(form) => {
            for section in &form.sections {
                b.h1(section.title.as_str());
                if !section.guidance.trim().is_empty() {
                    b.note(section.guidance.trim());
                }
                for item in &section.items {
                    match item {
                        FormItem::Field(f) => {
                            let value = if f.prefill.is_some() {
                                input.prefilled.get(&f.id)
                            } else {
                                answers.fields.get(&f.id)
                            };
                            field(&mut b, f, value);
                        }
                        FormItem::Group(g) => group(&mut b, g, answers.groups.get(&g.id)),
                    }
                }
            }
            other_answers(&mut b, Some(form), answers);
        }
        None => {
            b.h1("Answers");
            b.note(format!(
                "The form type ‘{}’ is no longer in the configuration: the answers are shown \
                 by question.",
                input.form_type
            ));
            other_answers(&mut b, None, answers);
        }
    }
    documents_section(&mut b, input);
    let child = input.task.child().name.as_str();
    document(stage.title(&title), reference, child, ctx, b)
}

fn task_section(b: &mut Blocks, task: &Task, form_title: &str) {
    b.h1("Task");
    b.kv("Form type", form_title);
    let child = task.child();
    b.kv("Child", or_not_given(&child.name));
    b.kv("Child's date of birth", date(child.date_of_birth));
    b.kv("Child's address", or_not_given(&child.address));
    b.kv("Requested on", uk_date(task.requested_on()));
    b.kv("Due by", uk_date(task.due_date()));
    b.kv("Comments", or_not_given(task.comments()));
    let sent = task.sent_by();
    b.kv("Sent by", or_not_given(&sent.name));
    b.kv("Department", or_not_given(&sent.department));
    b.kv("Telephone", or_not_given(&sent.phone));
    b.kv("Address", or_not_given(&sent.address));
    let closed = task.closed_at().map_or(String::new(), |at| {
        format!(" on {}", uk_date(at.date_naive()))
    });
    b.kv(
        "Status",
        match task.status() {
            TaskStatus::Assigned => "Assigned, not yet submitted".to_owned(),
            TaskStatus::Submitted => format!("Submitted{closed}"),
            TaskStatus::Retracted => format!("Retracted{closed}"),
        },
    );
    b.kv(
        "Counter-signature",
        match task.counter_signature() {
            CounterSignature::NotRequested => "Not requested".to_owned(),
            CounterSignature::Awaiting { .. } => "Waiting for the counter-signatory".to_owned(),
            CounterSignature::Signed { at, .. } => {
                format!("Counter-signed on {}", uk_date(at.date_naive()))
            }
        },
    );
}

fn value_text(value: Option<&FieldValue>, blank: &str) -> String {
    match value {
        None => blank.to_owned(),
        Some(FieldValue::Text(t) | FieldValue::Choice(t)) => {
            if t.trim().is_empty() {
                blank.to_owned()
            } else {
                t.trim().to_owned()
            }
        }
        Some(FieldValue::Date(d)) => uk_date(*d),
        Some(FieldValue::Checked(ticked)) => yes_no(*ticked),
    }
}

fn field(b: &mut Blocks, f: &FieldDefinition, value: Option<&FieldValue>) {
    match f.kind {
        FieldKind::LongText => {
            b.heading(HeadingLevel::H3, f.label.as_str());
            b.note(value_text(value, NOT_GIVEN));
        }
        FieldKind::Checkbox => {
            let ticked = matches!(value, Some(FieldValue::Checked(true)));
            b.checks(vec![Checkbox::new(f.label.as_str(), ticked)]);
        }
        FieldKind::Text | FieldKind::Date | FieldKind::DropDown { .. } => {
            b.kv(&f.label, value_text(value, NOT_GIVEN));
        }
    }
}

fn column_weight(kind: &FieldKind) -> u16 {
    match kind {
        FieldKind::LongText => 6,
        FieldKind::Text | FieldKind::DropDown { .. } => 3,
        FieldKind::Date | FieldKind::Checkbox => 2,
    }
}

fn group(b: &mut Blocks, g: &GroupDefinition, rows: Option<&Vec<BTreeMap<String, FieldValue>>>) {
    b.h2(g.label.as_str());
    let columns: Vec<(&str, u16)> = g
        .columns
        .iter()
        .map(|c| (c.label.as_str(), column_weight(&c.kind)))
        .collect();
    let rows = rows.map_or(&[][..], Vec::as_slice);
    b.table(
        &columns,
        rows.iter()
            .map(|row| {
                g.columns
                    .iter()
                    .map(|c| value_text(row.get(&c.id), BLANK_CELL))
                    .collect()
            })
            .collect(),
        "No rows were added.",
    );
}

/// Answers the form (or the missing form) does not ask for: printed by their ids so
/// nothing recorded is lost.
fn other_answers(b: &mut Blocks, form: Option<&FormDefinition>, answers: &Answers) {
    let fields: BTreeSet<&str> = form
        .map(|f| f.fields().map(|d| d.id.as_str()).collect())
        .unwrap_or_default();
    let groups: BTreeMap<&str, &GroupDefinition> = form
        .map(|f| f.groups().map(|g| (g.id.as_str(), g)).collect())
        .unwrap_or_default();
    let mut rows = Vec::new();
    for (id, value) in &answers.fields {
        if !fields.contains(id.as_str()) {
            rows.push(vec![id.clone(), value_text(Some(value), BLANK_CELL)]);
        }
    }
    for (id, group_rows) in &answers.groups {
        let known = groups.get(id.as_str());
        for (r, row) in group_rows.iter().enumerate() {
            for (column, value) in row {
                let known_column = known.is_some_and(|g| g.columns.iter().any(|c| &c.id == column));
                if !known_column {
                    rows.push(vec![
                        format!("{id}, row {}, {column}", r + 1),
                        value_text(Some(value), BLANK_CELL),
                    ]);
                }
            }
        }
    }
    if !rows.is_empty() {
        b.h1("Other answers");
        b.note("Answers to questions this form no longer asks.");
        b.table(&[("Question", 2), ("Answer", 5)], rows, "");
    }
}

fn documents_section(b: &mut Blocks, input: &Input<'_>) {
    b.h1("Supporting documents");
    b.table(
        &[("Title", 4), ("File name", 5), ("Type", 1), ("Size", 1)],
        input
            .content
            .documents
            .iter()
            .map(|id| match input.documents.iter().find(|d| d.id() == *id) {
                Some(d) => vec![
                    cell(d.title()),
                    cell(d.file_name()),
                    type_label(d.content_type()).to_owned(),
                    size(d.size()),
                ],
                None => vec![
                    "Not available on this device".to_owned(),
                    id.to_string(),
                    BLANK_CELL.to_owned(),
                    BLANK_CELL.to_owned(),
                ],
            })
            .collect(),
        "No supporting documents were attached.",
    );
}

fn type_label(t: DocumentType) -> &'static str {
    match t {
        DocumentType::Pdf => "PDF",
        DocumentType::Jpeg => "JPEG",
        DocumentType::Png => "PNG",
        DocumentType::Doc | DocumentType::Docx => "Word",
    }
}

fn size(bytes: u32) -> String {
    let b = f64::from(bytes);
    if b >= 1024.0 * 1024.0 {
        format!("{:.1} MB", b / (1024.0 * 1024.0))
    } else {
        format!("{} KB", (b / 1024.0).ceil().max(1.0))
    }
}
