//! Documents the engine refuses, with the exact error.

use hearth_pdf::{render, Block, Column, Document, PdfError, Table};

use crate::fixture::printed_on;

fn with_table(table: Table) -> Document {
    Document {
        title: "Request for support".to_owned(),
        reference: "RFS-2026-000001".to_owned(),
        family_name: "Brennan".to_owned(),
        printed_on: printed_on(),
        blocks: vec![Block::paragraph("Intro"), Block::Table(table)],
    }
}

#[test]
fn row_with_wrong_cell_count_is_refused() {
    let doc = with_table(Table {
        columns: vec![Column::new("A", 1), Column::new("B", 1)],
        rows: vec![vec!["1".into(), "2".into()], vec!["only one".into()]],
    });
    assert_eq!(
        render(&doc),
        Err(PdfError::RowLength {
            block: 1,
            row: 1,
            expected: 2,
            found: 1
        })
    );
}

#[test]
fn zero_width_column_is_refused() {
    let doc = with_table(Table {
        columns: vec![Column::new("A", 1), Column::new("B", 0)],
        rows: vec![],
    });
    assert_eq!(
        render(&doc),
        Err(PdfError::ZeroWidth {
            block: 1,
            column: 1
        })
    );
}

#[test]
fn table_without_columns_is_refused() {
    let doc = with_table(Table {
        columns: vec![],
        rows: vec![],
    });
    assert_eq!(render(&doc), Err(PdfError::NoColumns { block: 1 }));
}
