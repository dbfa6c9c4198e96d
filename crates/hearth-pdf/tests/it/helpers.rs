//! Running the real PDF tools (qpdf, poppler-utils) on rendered output.

use std::path::{Path, PathBuf};
use std::process::Command;

use hearth_pdf::{Block, Document};

/// A rendered PDF in a temporary directory.
pub struct Rendered {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl Rendered {
    pub fn new(bytes: &[u8]) -> Rendered {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("document.pdf");
        std::fs::write(&path, bytes).expect("write pdf");
        Rendered { _dir: dir, path }
    }

    /// `pdftotext` with `args` before the file, output as UTF-8 text.
    pub fn text(&self, args: &[&str]) -> String {
        let mut all = vec!["-enc", "UTF-8"];
        all.extend_from_slice(args);
        let path = self.path.to_str().expect("utf-8 path");
        all.push(path);
        all.push("-");
        tool("pdftotext", &all)
    }
}

/// Runs a required tool and returns its stdout; panics (fails the test) if the tool is
/// missing — on CI and locally alike — or exits unsuccessfully.
pub fn tool(name: &str, args: &[&str]) -> String {
    let output = match Command::new(name).args(args).output() {
        Ok(output) => output,
        Err(e) => panic!(
            "`{name}` could not be run ({e}); install qpdf and poppler-utils \
             (apt-get install qpdf poppler-utils) — these checks never skip"
        ),
    };
    assert!(
        output.status.success(),
        "`{name} {}` failed with {}:\n{}\n{}",
        args.join(" "),
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("tool output is UTF-8")
}

/// Every text value of the document, in reading order, grouped so that the values
/// of one table row form one group (a row split across pages emits each cell's first
/// part before the next cell's; within a group only each value's own order is checked).
pub fn text_groups(doc: &Document) -> Vec<Vec<String>> {
    // The page header (reference, family name) comes before the title.
    let mut groups: Vec<Vec<String>> = vec![
        vec![doc.reference.clone()],
        vec![doc.family_name.clone()],
        vec![doc.title.clone()],
    ];
    for block in &doc.blocks {
        match block {
            Block::Heading { text, .. } | Block::Paragraph(text) => groups.push(vec![text.clone()]),
            Block::KeyValues(pairs) => {
                for kv in pairs {
                    groups.push(vec![kv.label.clone(), kv.value.clone()]);
                }
            }
            Block::Table(table) => {
                groups.push(table.columns.iter().map(|c| c.header.clone()).collect());
                groups.extend(table.rows.iter().cloned());
            }
            Block::Checkboxes(items) => {
                groups.extend(items.iter().map(|c| vec![c.label.clone()]));
            }
            Block::SignatureLines(labels) => groups.push(labels.clone()),
            Block::Spacer { .. } | Block::PageBreak => {}
        }
    }
    groups
}

fn squash(s: &str) -> Vec<char> {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn find(haystack: &[char], needle: &[char], from: usize) -> Option<usize> {
    if needle.is_empty() {
        return Some(from);
    }
    (from..haystack.len().saturating_sub(needle.len() - 1))
        .find(|&i| haystack[i..i + needle.len()] == *needle)
}

/// Asserts that every word of every value appears in `extracted`, in order.
///
/// Whitespace is removed from the extracted text before searching, so line wrapping
/// (including words broken without a hyphen) does not matter. Groups come in document
/// order; inside a group each value is searched from the group's start.
pub fn assert_values_in_order(doc: &Document, extracted: &str) {
    assert_groups_in_order(&text_groups(doc), extracted);
}

/// [`assert_values_in_order`] for groups of values taken from anywhere (e.g. walked
/// from a record rather than from the document built from it).
pub fn assert_groups_in_order(groups: &[Vec<String>], extracted: &str) {
    let haystack = squash(extracted);
    let mut cursor = 0;
    for group in groups {
        let group_start = cursor;
        for value in group {
            let mut at = group_start;
            for word in value.split_whitespace() {
                let needle = squash(word);
                match find(&haystack, &needle, at) {
                    Some(i) => at = i + needle.len(),
                    None => {
                        let context: String = haystack[at.min(haystack.len())..]
                            .iter()
                            .take(200)
                            .collect();
                        panic!(
                            "word {word:?} of value {:?} not found after position {at}; \
                             text there: {context:?}",
                            value.chars().take(120).collect::<String>()
                        );
                    }
                }
            }
            cursor = cursor.max(at);
        }
    }
}

/// One word box from `pdftotext -bbox`.
#[derive(Debug, Clone)]
pub struct WordBox {
    pub page: usize,
    pub x_min: f32,
    pub y_min: f32,
    pub x_max: f32,
    pub y_max: f32,
    pub text: String,
}

pub fn word_boxes(rendered: &Rendered) -> Vec<WordBox> {
    let html = rendered.text(&["-bbox"]);
    let mut page = 0;
    let mut words = Vec::new();
    for line in html.lines() {
        let line = line.trim();
        if line.starts_with("<page ") {
            page += 1;
        } else if let Some(rest) = line.strip_prefix("<word ") {
            let attr = |name: &str| -> f32 {
                let key = format!("{name}=\"");
                let start = rest.find(&key).expect("attribute") + key.len();
                let end = start + rest[start..].find('"').expect("closing quote");
                rest[start..end].parse().expect("number")
            };
            let text_start = rest.find('>').expect("word text") + 1;
            let text_end = rest.rfind("</word>").expect("word end");
            words.push(WordBox {
                page,
                x_min: attr("xMin"),
                y_min: attr("yMin"),
                x_max: attr("xMax"),
                y_max: attr("yMax"),
                text: rest[text_start..text_end].to_owned(),
            });
        }
    }
    words
}

pub fn page_count(path: &Path) -> usize {
    let info = tool("pdfinfo", &[path.to_str().expect("utf-8 path")]);
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo reports Pages")
}
