//! The document model: what to print, with no say over where it lands on the page.

use chrono::NaiveDate;

/// One printable record: a plan, review, referral, request or contribution.
///
/// `printed_on` is passed in (the library never reads a clock); it appears in every
/// page footer as `dd/mm/yyyy`.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Shown large at the top of the first page and as the PDF's title.
    pub title: String,
    /// The record's reference, printed in every page header.
    pub reference: String,
    /// The family's name, printed in every page header.
    pub family_name: String,
    /// The day the document is printed, shown in every page footer.
    pub printed_on: NaiveDate,
    /// The content, top to bottom.
    pub blocks: Vec<Block>,
}

/// One piece of content. Text may hold any Unicode the embedded DejaVu Sans covers
/// (Latin, Greek, Cyrillic and more); explicit newlines are kept.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A section heading; never left alone at the bottom of a page.
    Heading { level: HeadingLevel, text: String },
    /// Free text. Wraps, breaks across pages, keeps explicit newlines, breaks words
    /// wider than the page.
    Paragraph(String),
    /// A summary list ("check your answers"): bold labels on the left, wrapping
    /// values on the right.
    KeyValues(Vec<KeyValue>),
    /// A table that wraps its cells and continues across pages with its header repeated.
    Table(Table),
    /// Choices, each drawn with a vector check box (ticked or empty).
    Checkboxes(Vec<Checkbox>),
    /// A line to sign on for each label (for example family, practitioner, date).
    /// The group is kept on one page.
    SignatureLines(Vec<String>),
    /// Vertical space of this many body lines (dropped at the top of a page).
    Spacer { lines: u8 },
    /// Start the next block on a new page.
    PageBreak,
}

/// The three heading sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadingLevel {
    /// A section of the record.
    H1,
    /// A part of a section.
    H2,
    /// A minor heading inside a part.
    H3,
}

/// A label and its value in a [`Block::KeyValues`] list.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyValue {
    pub label: String,
    pub value: String,
}

/// A table: columns with relative widths, a header row, and rows of wrapping cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub columns: Vec<Column>,
    /// Each row holds exactly one cell per column.
    pub rows: Vec<Vec<String>>,
}

/// A table column: its header text and its width relative to the other columns
/// (`2` is twice as wide as `1`).
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub header: String,
    pub width: u16,
}

/// One choice in a [`Block::Checkboxes`] list.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkbox {
    pub label: String,
    pub checked: bool,
}

impl Block {
    /// A heading block.
    pub fn heading(level: HeadingLevel, text: impl Into<String>) -> Self {
        Block::Heading {
            level,
            text: text.into(),
        }
    }

    /// A paragraph block.
    pub fn paragraph(text: impl Into<String>) -> Self {
        Block::Paragraph(text.into())
    }
}

impl KeyValue {
    pub fn new(label: impl Into<String>, value: impl Into<String>) -> Self {
        KeyValue {
            label: label.into(),
            value: value.into(),
        }
    }
}

impl Column {
    pub fn new(header: impl Into<String>, width: u16) -> Self {
        Column {
            header: header.into(),
            width,
        }
    }
}

impl Checkbox {
    pub fn new(label: impl Into<String>, checked: bool) -> Self {
        Checkbox {
            label: label.into(),
            checked,
        }
    }
}
