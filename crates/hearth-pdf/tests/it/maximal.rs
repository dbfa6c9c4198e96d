//! The maximal invented plan, checked end to end with the real tools.

use std::sync::OnceLock;

use hearth_pdf::{render, MARKING};

use crate::fixture::maximal_document;
use crate::helpers::{assert_values_in_order, page_count, tool, word_boxes, Rendered};

/// Rendered once for all tests in this module.
fn rendered() -> &'static Rendered {
    static RENDERED: OnceLock<Rendered> = OnceLock::new();
    RENDERED.get_or_init(|| {
        let bytes = render(&maximal_document()).expect("maximal document renders");
        if let Some(dir) = std::env::var_os("HEARTH_PDF_KEEP") {
            std::fs::write(std::path::Path::new(&dir).join("maximal.pdf"), &bytes)
                .expect("keep a copy");
        }
        Rendered::new(&bytes)
    })
}

#[test]
fn qpdf_check_passes() {
    let out = tool("qpdf", &["--check", rendered().path.to_str().unwrap()]);
    assert!(
        out.contains("No syntax or stream encoding errors found"),
        "qpdf --check:\n{out}"
    );
}

#[test]
fn every_font_is_embedded() {
    let out = tool("pdffonts", &[rendered().path.to_str().unwrap()]);
    // name type encoding emb sub uni object ID: skip the two heading lines.
    let rows: Vec<&str> = out
        .lines()
        .skip(2)
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(rows.len(), 2, "regular and bold DejaVu Sans:\n{out}");
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        // emb, sub, uni are the 4th-, 3rd- and 2nd-from-last before "object ID" (2 cols).
        let n = cols.len();
        assert!(row.contains("DejaVuSans"), "unexpected font: {row}");
        assert_eq!(cols[n - 5], "yes", "font not embedded: {row}");
        assert_eq!(cols[n - 3], "yes", "font has no ToUnicode map: {row}");
    }
}

#[test]
fn extracted_text_has_every_value_in_order() {
    let text = rendered().text(&["-raw"]);
    assert_values_in_order(&maximal_document(), &text);
}

#[test]
fn names_beyond_latin_1_come_back_from_pdftotext() {
    let text = rendered().text(&[]);
    for name in [
        "Zoë",
        "Siobhán",
        "Łukasz",
        "Małgorzata",
        "Nguyễn",
        "Þórsdóttir",
        "Ayşe",
    ] {
        assert!(text.contains(name), "{name} missing from extracted text");
    }
}

#[test]
fn every_page_has_header_footer_and_marking() {
    let doc = maximal_document();
    let pages_total = page_count(&rendered().path);
    assert!(
        (20..=60).contains(&pages_total),
        "{pages_total} pages is implausible for the maximal plan"
    );
    let text = rendered().text(&["-layout"]);
    let pages: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert_eq!(pages.len(), pages_total);
    for (i, page) in pages.iter().enumerate() {
        let n = i + 1;
        assert!(
            page.contains(&format!("Page {n} of {pages_total}")),
            "page {n} has no 'Page {n} of {pages_total}'"
        );
        assert_eq!(
            page.matches(MARKING).count(),
            2,
            "page {n}: marking top and bottom"
        );
        assert!(page.contains(&doc.reference), "page {n}: reference");
        assert!(page.contains(&doc.family_name), "page {n}: family name");
        assert!(page.contains("Printed 21/11/2026"), "page {n}: print date");
    }
}

#[test]
fn nothing_runs_off_the_page_or_overlaps() {
    let words = word_boxes(rendered());
    assert!(words.len() > 5_000, "only {} words", words.len());
    for w in &words {
        assert!(
            w.x_min >= 50.0 && w.x_max <= 595.28 - 50.0,
            "word {:?} outside the side margins: {w:?}",
            w.text
        );
        assert!(
            w.y_min >= 15.0 && w.y_max <= 841.89 - 20.0,
            "word outside the page: {w:?}"
        );
    }
    let last_page = words.iter().map(|w| w.page).max().unwrap_or(0);
    for page in 1..=last_page {
        let on_page: Vec<_> = words.iter().filter(|w| w.page == page).collect();
        for (i, a) in on_page.iter().enumerate() {
            for b in &on_page[i + 1..] {
                let dx = a.x_max.min(b.x_max) - a.x_min.max(b.x_min);
                let dy = a.y_max.min(b.y_max) - a.y_min.max(b.y_min);
                assert!(
                    dx <= 0.5 || dy <= 1.0,
                    "words overlap on page {page}: {a:?} and {b:?}"
                );
            }
        }
    }
}

#[test]
fn pages_rasterise() {
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("page");
    tool(
        "pdftoppm",
        &[
            "-r",
            "30",
            "-png",
            "-f",
            "1",
            "-l",
            "2",
            rendered().path.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    let pngs = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(pngs, 2);
}
