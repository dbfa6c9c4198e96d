//! Hearth's records as printable [`Document`]s: one mapping per record type, each
//! printing every field the record holds, long text in full.
//!
//! - Family Support Plan: [`plan_document`] (with its latest review) and
//!   [`plan_draft_document`];
//! - review of a plan: [`review_document`], [`review_draft_document`];
//! - referral to the MASH: [`referral_document`], [`referral_draft_document`];
//! - request for support: [`request_document`], [`request_draft_document`];
//! - contribution to a delegated task: [`contribution_document`],
//!   [`contribution_draft_document`] (the answers laid out by the form type's
//!   definition from the configuration, repeatable rows as tables).
//!
//! Every mapping works from the record's content (the draft type, whose fields are
//! public), so a validated record and a draft print the same way; the draft variants
//! add "(draft)" to the title. Codes print as their labels from the [`Config`] (a code
//! the configuration no longer has prints as itself), dates as `dd/mm/yyyy`, times as
//! `HH:MM`, blank answers as "Not given" (or "—" in a table cell). Nothing is dropped:
//! answers a form definition no longer asks for print under "Other answers".
//!
//! None of the record types holds its own print reference (a plan's reference lives in
//! the local store), so callers pass it, except for a saved request, which prints its
//! case reference.

use chrono::NaiveDate;
use hearth_domain::config::{self, ListItem};
use hearth_domain::contact::{Address, Gender};
use hearth_domain::Config;

use crate::model::{Block, Checkbox, Column, Document, HeadingLevel, KeyValue, Table};

mod contribution;
mod plan;
mod referral;
mod request;

pub use contribution::{contribution_document, contribution_draft_document};
pub use plan::{
    plan_document, plan_draft_document, review_document, review_draft_document,
    PLAN_CONSENT_STATEMENT,
};
pub use referral::{referral_document, referral_draft_document};
pub use request::{request_document, request_draft_document};

/// What every mapping needs besides the record: the configuration that turns codes
/// into labels, and the day of printing (the library reads no clock).
#[derive(Debug, Clone, Copy)]
pub struct PrintContext<'a> {
    pub config: &'a Config,
    pub printed_on: NaiveDate,
}

/// Printed for a blank answer.
pub const NOT_GIVEN: &str = "Not given";
/// Printed in a table cell whose answer is blank.
pub const BLANK_CELL: &str = "—";

/// Whether the record printed is complete (validated) or a draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Final,
    Draft,
}

impl Stage {
    fn title(self, title: &str) -> String {
        match self {
            Stage::Final => title.to_owned(),
            Stage::Draft => format!("{title} (draft)"),
        }
    }
}

/// Collects blocks; consecutive [`Blocks::kv`] pairs become one summary list.
#[derive(Default)]
struct Blocks {
    blocks: Vec<Block>,
    pairs: Vec<KeyValue>,
}

impl Blocks {
    fn flush(&mut self) {
        if !self.pairs.is_empty() {
            let pairs = std::mem::take(&mut self.pairs);
            self.blocks.push(Block::KeyValues(pairs));
        }
    }

    fn push(&mut self, block: Block) {
        self.flush();
        self.blocks.push(block);
    }

    fn heading(&mut self, level: HeadingLevel, text: impl Into<String>) {
        self.push(Block::heading(level, text));
    }

    fn h1(&mut self, text: impl Into<String>) {
        self.heading(HeadingLevel::H1, text);
    }

    fn h2(&mut self, text: impl Into<String>) {
        self.heading(HeadingLevel::H2, text);
    }

    /// Free text in full, or "Not given".
    fn paragraph(&mut self, text: &str) {
        self.push(Block::paragraph(or_not_given(text)));
    }

    /// A fixed sentence (not an answer).
    fn note(&mut self, text: impl Into<String>) {
        self.push(Block::paragraph(text));
    }

    /// A heading at `level` over free text.
    fn long(&mut self, level: HeadingLevel, heading: &str, text: &str) {
        self.heading(level, heading);
        self.paragraph(text);
    }

    /// One row of a summary list; `value` is printed as given (already formatted).
    fn kv(&mut self, label: &str, value: impl Into<String>) {
        self.pairs.push(KeyValue::new(label, value));
    }

    /// A table, or `empty` as a sentence when there are no rows.
    fn table(&mut self, columns: &[(&str, u16)], rows: Vec<Vec<String>>, empty: &str) {
        if rows.is_empty() {
            self.note(empty);
            return;
        }
        self.push(Block::Table(Table {
            columns: columns.iter().map(|(h, w)| Column::new(*h, *w)).collect(),
            rows,
        }));
    }

    fn checks(&mut self, items: Vec<Checkbox>) {
        self.push(Block::Checkboxes(items));
    }

    fn finish(mut self) -> Vec<Block> {
        self.flush();
        self.blocks
    }
}

fn document(
    title: String,
    reference: &str,
    family_name: &str,
    ctx: &PrintContext<'_>,
    blocks: Blocks,
) -> Document {
    Document {
        title,
        reference: or_not_given(reference),
        family_name: or_not_given(family_name),
        printed_on: ctx.printed_on,
        blocks: blocks.finish(),
    }
}

fn or_not_given(text: &str) -> String {
    let t = text.trim();
    if t.is_empty() {
        NOT_GIVEN.to_owned()
    } else {
        t.to_owned()
    }
}

fn cell(text: &str) -> String {
    let t = text.trim();
    if t.is_empty() {
        BLANK_CELL.to_owned()
    } else {
        t.to_owned()
    }
}

/// `dd/mm/yyyy`.
fn uk_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

fn date_or(date: Option<NaiveDate>, blank: &str) -> String {
    date.map_or_else(|| blank.to_owned(), uk_date)
}

fn date(date: Option<NaiveDate>) -> String {
    date_or(date, NOT_GIVEN)
}

fn date_cell(date: Option<NaiveDate>) -> String {
    date_or(date, BLANK_CELL)
}

fn yes_no(value: bool) -> String {
    if value { "Yes" } else { "No" }.to_owned()
}

fn full_name(first: &str, last: &str) -> String {
    format!("{} {}", first.trim(), last.trim())
        .trim()
        .to_owned()
}

fn gender(gender: Option<Gender>) -> String {
    gender.map_or(NOT_GIVEN, Gender::label).to_owned()
}

fn gender_cell(gender: Option<Gender>) -> String {
    gender.map_or(BLANK_CELL, Gender::label).to_owned()
}

/// One part of the address a line, blank parts left out.
fn address(address: &Address) -> String {
    let lines: Vec<&str> = [
        &address.property,
        &address.street,
        &address.area,
        &address.town,
        &address.county,
        &address.postcode,
    ]
    .iter()
    .map(|s| s.trim())
    .filter(|s| !s.is_empty())
    .collect();
    if lines.is_empty() {
        NOT_GIVEN.to_owned()
    } else {
        lines.join("\n")
    }
}

/// A phone number with its extension, if any.
fn phone(number: &str, extension: &str) -> String {
    let number = or_not_given(number);
    match extension.trim() {
        "" => number,
        ext => format!("{number} extension {ext}"),
    }
}

/// The label of a configured code ("Not given" when blank).
fn label(list: &[ListItem], code: &str) -> String {
    if code.trim().is_empty() {
        NOT_GIVEN.to_owned()
    } else {
        config::label(list, code).to_owned()
    }
}

fn label_cell(list: &[ListItem], code: &str) -> String {
    if code.trim().is_empty() {
        BLANK_CELL.to_owned()
    } else {
        config::label(list, code).to_owned()
    }
}

/// An ethnicity with its group heading: "White: Irish".
fn ethnicity(config: &Config, code: &str) -> String {
    match config::find(&config.ethnicities, code) {
        Some(item) if !item.group.trim().is_empty() => format!("{}: {}", item.group, item.label),
        Some(item) => item.label.clone(),
        None => or_not_given(code),
    }
}
