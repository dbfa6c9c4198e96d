//! `hearth-pdf` prints Hearth's records: it lays a [`Document`] (headings, paragraphs,
//! summary lists, tables, check boxes, signature lines) out on A4 pages and returns the
//! PDF as bytes.
//!
//! Nothing is cut: text wraps by the embedded font's glyph widths, paragraphs and table
//! rows break across pages, tables repeat their header row, and over-long words are
//! broken. Every page carries the record's reference, the family name, the
//! `OFFICIAL-SENSITIVE` marking (top and bottom), the print date (`dd/mm/yyyy`) and
//! "Page X of Y". The fonts (DejaVu Sans and DejaVu Sans Bold, Bitstream Vera licence)
//! are embedded, so names such as Zoë, Siobhán and Łukasz print and extract correctly.
//!
//! [`records`] maps each of Hearth's records to a [`Document`]: the Family Support Plan
//! with its latest review ([`plan_document`]), a review ([`review_document`]), a
//! referral to the MASH ([`referral_document`]), a request for support
//! ([`request_document`]) and a contribution ([`contribution_document`]), each also as a
//! draft. [`to_html`] gives the same document as an HTML page with print CSS. The
//! layout engine itself ([`render`]) knows nothing of records. The crate does no IO
//! and reads no clock (the print date is passed in).
//!
//! ```
//! use chrono::NaiveDate;
//! use hearth_domain::plan::PlanDraft;
//! use hearth_domain::Config;
//! use hearth_pdf::{plan_draft_document, render, PrintContext};
//!
//! let config = Config::builtin();
//! let ctx = PrintContext { config: &config, printed_on: NaiveDate::from_ymd_opt(2026, 11, 21).unwrap() };
//! let doc = plan_draft_document(&PlanDraft::default(), "FSP-LOCAL-0001", &ctx);
//! assert_eq!(doc.title, "Family Support Plan (draft)");
//! let bytes = render(&doc).unwrap();
//! assert!(bytes.starts_with(b"%PDF-"));
//! ```
//!
//! Building a [`Document`] by hand:
//!
//! ```
//! use chrono::NaiveDate;
//! use hearth_pdf::{render, Block, Checkbox, Column, Document, HeadingLevel, KeyValue, Table};
//!
//! let doc = Document {
//!     title: "Family Support Plan".into(),
//!     reference: "FSP-2026-000123".into(),
//!     family_name: "Nowak-Ó Briain".into(),
//!     printed_on: NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(),
//!     blocks: vec![
//!         Block::heading(HeadingLevel::H1, "Focus child"),
//!         Block::KeyValues(vec![KeyValue::new("Name", "Zoë Nowak")]),
//!         Block::Table(Table {
//!             columns: vec![Column::new("Action", 3), Column::new("By when", 1)],
//!             rows: vec![vec!["Attend the parenting course".into(), "31/01/2027".into()]],
//!         }),
//!         Block::Checkboxes(vec![Checkbox::new("Family agrees to share", true)]),
//!         Block::SignatureLines(vec!["Family member".into(), "Practitioner".into(), "Date".into()]),
//!     ],
//! };
//! let bytes = render(&doc).unwrap();
//! assert!(bytes.starts_with(b"%PDF-"));
//! ```
#![forbid(unsafe_code)]

mod emit;
mod font;
mod html;
mod layout;
mod model;
pub mod records;
mod wrap;

use std::collections::BTreeSet;

pub use emit::MARKING;
pub use html::to_html;
pub use model::{Block, Checkbox, Column, Document, HeadingLevel, KeyValue, Table};
pub use records::{
    contribution_document, contribution_draft_document, plan_document, plan_draft_document,
    referral_document, referral_draft_document, request_document, request_draft_document,
    review_document, review_draft_document, PrintContext,
};

/// Why a document could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfError {
    /// A table block (index `block` in `Document::blocks`) has no columns.
    #[error("table in block {block} has no columns")]
    NoColumns { block: usize },
    /// A table column has relative width 0.
    #[error("table in block {block}: column {column} has width 0; relative widths start at 1")]
    ZeroWidth { block: usize, column: usize },
    /// A table row's cell count differs from its column count.
    #[error("table in block {block}: row {row} has {found} cells, expected {expected}")]
    RowLength {
        block: usize,
        row: usize,
        expected: usize,
        found: usize,
    },
    /// An embedded font failed to parse (a build defect, not a data problem).
    #[error("embedded font {name} could not be parsed")]
    Font { name: &'static str },
    /// printpdf reported an error while writing the file.
    #[error("PDF writer failed: {message}")]
    Printpdf { message: String },
}

/// Renders `doc` as an A4 PDF.
pub fn render(doc: &Document) -> Result<Vec<u8>, PdfError> {
    let faces = font::Faces::get()?;
    let header = layout::Header::new(faces, doc);
    let body_top = header.rule_y + 14.0;
    let pages = layout::paginate(faces, doc, body_top)?;
    emit::emit(faces, doc, &header, pages)
}

/// Characters in `doc` that the embedded font cannot draw; [`render`] prints each as
/// U+FFFD. Lets a caller warn before printing.
pub fn unsupported_chars(doc: &Document) -> Result<BTreeSet<char>, PdfError> {
    let faces = font::Faces::get()?;
    let mut texts: Vec<&str> = vec![&doc.title, &doc.reference, &doc.family_name];
    for block in &doc.blocks {
        match block {
            Block::Heading { text, .. } | Block::Paragraph(text) => texts.push(text),
            Block::KeyValues(pairs) => {
                for kv in pairs {
                    texts.push(&kv.label);
                    texts.push(&kv.value);
                }
            }
            Block::Table(table) => {
                texts.extend(table.columns.iter().map(|c| c.header.as_str()));
                texts.extend(table.rows.iter().flatten().map(String::as_str));
            }
            Block::Checkboxes(items) => texts.extend(items.iter().map(|c| c.label.as_str())),
            Block::SignatureLines(labels) => texts.extend(labels.iter().map(String::as_str)),
            Block::Spacer { .. } | Block::PageBreak => {}
        }
    }
    Ok(texts
        .into_iter()
        .flat_map(str::chars)
        .filter(|c| !c.is_control() && !c.is_whitespace() && !faces.regular.has(*c))
        .collect())
}
