//! Page-breaking behaviour: headings kept with what follows, tall rows split,
//! long header values wrapped, characters the font lacks shown rather than dropped.

use std::collections::BTreeSet;

use hearth_pdf::{render, unsupported_chars, Block, Column, Document, HeadingLevel, Table};

use crate::fixture::{free_text, printed_on};
use crate::helpers::{assert_values_in_order, page_count, word_boxes, Rendered};

fn document(blocks: Vec<Block>) -> Document {
    Document {
        title: "Review".to_owned(),
        reference: "REV-2026-000042".to_owned(),
        family_name: "Þórsdóttir".to_owned(),
        printed_on: printed_on(),
        blocks,
    }
}

fn pages(rendered: &Rendered) -> Vec<String> {
    rendered
        .text(&["-layout"])
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

/// Slides a heading down the page, one filler length at a time, and checks it always
/// lands on the same page as the first line of the block after it.
#[test]
fn headings_are_never_left_at_the_bottom_of_a_page() {
    let levels = [HeadingLevel::H1, HeadingLevel::H2, HeadingLevel::H3];
    // Fillers of 3,000–4,000 characters put the heading across the bottom third of
    // page 1, a quarter of a line at a time.
    for step in 0..66 {
        let filler = 3_000 + step * 15;
        let level = levels[step % 3];
        let next = if step % 2 == 0 {
            Block::paragraph("Firstwordafterheading and then some more text.")
        } else {
            Block::Table(Table {
                columns: vec![Column::new("Firstwordafterheading", 1), Column::new("B", 1)],
                rows: vec![vec![free_text(1, 300), "x".into()]],
            })
        };
        let doc = document(vec![
            Block::paragraph(free_text(0, filler)),
            Block::heading(level, "Headingundertest"),
            next,
        ]);
        let rendered = Rendered::new(&render(&doc).unwrap());
        let pages = pages(&rendered);
        let heading_page = pages
            .iter()
            .position(|p| p.contains("Headingundertest"))
            .expect("heading printed");
        assert!(
            pages[heading_page].contains("Firstwordafterheading"),
            "filler {filler}: heading {level:?} orphaned at the bottom of page {}",
            heading_page + 1
        );
    }
}

/// Slides a table down the page and checks its header row always lands on the same
/// page as its first row (a row short enough to be kept whole moves whole, so the
/// header must move with it).
#[test]
fn a_table_header_is_never_left_alone_at_the_bottom_of_a_page() {
    for step in 0..60 {
        let filler = 3_000 + step * 20;
        let doc = document(vec![
            Block::paragraph(free_text(0, filler)),
            Block::heading(HeadingLevel::H2, "Tableheading"),
            Block::Table(Table {
                columns: vec![Column::new("Tableheaderword", 1), Column::new("B", 3)],
                rows: vec![
                    vec!["Firstrowword".into(), free_text(3, 350)],
                    vec!["Secondrowword".into(), "x".into()],
                ],
            }),
        ]);
        let rendered = Rendered::new(&render(&doc).unwrap());
        let pages = pages(&rendered);
        let header_page = pages
            .iter()
            .position(|p| p.contains("Tableheaderword"))
            .expect("header printed");
        assert!(
            pages[header_page].contains("Firstrowword")
                && pages[header_page].contains("Tableheading"),
            "filler {filler}: table header alone at the bottom of page {}",
            header_page + 1
        );
    }
}

#[test]
fn a_row_taller_than_a_page_splits_and_the_header_repeats() {
    let doc = document(vec![Block::Table(Table {
        columns: vec![
            Column::new("Repeatedheader", 1),
            Column::new("What will be done", 4),
        ],
        rows: vec![
            vec!["1".into(), "A short row".into()],
            vec!["2".into(), free_text(2, 9_000)],
            vec!["3".into(), "After the long row".into()],
        ],
    })]);
    let rendered = Rendered::new(&render(&doc).unwrap());
    let total = page_count(&rendered.path);
    assert!(total >= 2, "the long row must continue on a second page");
    for (i, page) in pages(&rendered).iter().enumerate() {
        assert!(
            page.contains("Repeatedheader"),
            "page {} lacks the header row",
            i + 1
        );
    }
    assert_values_in_order(&doc, &rendered.text(&["-raw"]));
}

#[test]
fn over_long_addresses_break_after_punctuation_not_mid_word() {
    let email = "siobhan.ni.bhriain-lukaszewicz@northfield-childrens-centre.example.gov.uk";
    let file = "TASK-2026-000318-261020-OccupationalTherapyReport.pdf";
    let doc = document(vec![Block::Table(Table {
        columns: vec![
            Column::new("Email", 2),
            Column::new("File", 2),
            Column::new("Note", 5),
        ],
        rows: vec![vec![email.into(), file.into(), "x".into()]],
    })]);
    let rendered = Rendered::new(&render(&doc).unwrap());
    for whole in [email, file] {
        let pieces: Vec<String> = word_boxes(&rendered)
            .into_iter()
            // Body words only (not the page number in the footer).
            .filter(|w| w.y_max < 780.0)
            .map(|w| w.text)
            .filter(|t| t != "x" && whole.contains(t.as_str()))
            .collect();
        assert!(
            pieces.len() >= 2,
            "{whole} should need several lines: {pieces:?}"
        );
        assert_eq!(pieces.concat(), whole);
        for piece in &pieces[..pieces.len() - 1] {
            assert!(
                piece.ends_with(['-', '.', '@', '_', '/']),
                "{whole} broken mid-word after {piece:?}: {pieces:?}"
            );
        }
    }
    assert_values_in_order(&doc, &rendered.text(&["-raw"]));
}

#[test]
fn long_reference_and_family_name_wrap_in_the_header() {
    let mut doc = document(vec![Block::paragraph(free_text(0, 300))]);
    doc.reference = format!("REF-{}", "0123456789".repeat(8));
    doc.family_name = "Kowalczyk-Ó Súilleabháin-Nguyễn-Adeyemi-Brennan-Walsh ".repeat(3);
    let rendered = Rendered::new(&render(&doc).unwrap());
    for w in word_boxes(&rendered) {
        assert!(w.x_max <= 595.28 - 50.0, "header runs off the page: {w:?}");
    }
    assert_values_in_order(&doc, &rendered.text(&["-raw"]));
}

#[test]
fn characters_the_font_lacks_are_reported_and_shown_as_replacement() {
    let doc = document(vec![Block::paragraph("Name in Chinese: 王小明, and Zoë")]);
    let missing = unsupported_chars(&doc).unwrap();
    assert_eq!(missing, BTreeSet::from(['王', '小', '明']));
    let rendered = Rendered::new(&render(&doc).unwrap());
    let text = rendered.text(&[]);
    assert!(text.contains("\u{FFFD}\u{FFFD}\u{FFFD}"), "{text}");
    assert!(text.contains("Zoë"));
}

#[test]
fn empty_document_is_one_page() {
    let rendered = Rendered::new(&render(&document(vec![])).unwrap());
    assert_eq!(page_count(&rendered.path), 1);
    assert!(rendered.text(&[]).contains("Page 1 of 1"));
}
