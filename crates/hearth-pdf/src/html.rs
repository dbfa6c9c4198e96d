//! A [`Document`] as one self-contained HTML page with print CSS (A4, the same page
//! header and footer as the PDF through `@page` margin boxes, table headers repeated).
//!
//! Used by the benchmark to have headless Chromium print the same content; also a
//! starting point for an on-screen preview. Every piece of text is escaped: element
//! text and attributes as HTML, page-box strings as CSS escapes (so no text can close
//! the `<style>` element).

use std::fmt::Write;

use crate::emit::MARKING;
use crate::model::{Block, Document, HeadingLevel};

/// The whole HTML page for `doc`.
pub fn to_html(doc: &Document) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let printed = format!("Printed {}", doc.printed_on.format("%d/%m/%Y"));
    out.push_str(
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<title>",
    );
    out.push_str(&escape(&doc.title));
    out.push_str("</title>\n<style>\n");
    let _ = write!(
        out,
        "@page {{ size: A4; margin: 26mm 18mm 22mm 18mm;\n\
         \x20 @top-center {{ content: {marking}; font: 9pt 'DejaVu Sans', sans-serif; vertical-align: top; padding-top: 8mm; }}\n\
         \x20 @top-left {{ content: {reference}; font: 9pt 'DejaVu Sans', sans-serif; }}\n\
         \x20 @top-right {{ content: {family}; font: 9pt 'DejaVu Sans', sans-serif; }}\n\
         \x20 @bottom-left {{ content: {printed}; font: 9pt 'DejaVu Sans', sans-serif; }}\n\
         \x20 @bottom-center {{ content: {marking}; font: 9pt 'DejaVu Sans', sans-serif; }}\n\
         \x20 @bottom-right {{ content: \"Page \" counter(page) \" of \" counter(pages); font: 9pt 'DejaVu Sans', sans-serif; }}\n\
         }}\n",
        marking = css_string(MARKING),
        reference = css_string(&format!("Reference: {}", doc.reference)),
        family = css_string(&format!("Family: {}", doc.family_name)),
        printed = css_string(&printed),
    );
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n<h1 class=\"title\">");
    out.push_str(&escape(&doc.title));
    out.push_str("</h1>\n");
    for block in &doc.blocks {
        block_html(&mut out, block);
    }
    out.push_str("</body>\n</html>\n");
    out
}

const STYLE: &str = "\
body { font: 10.5pt/1.33 'DejaVu Sans', sans-serif; color: #000; margin: 0; }
h1.title { font-size: 18pt; border-bottom: 0.8pt solid #000; margin: 0 0 10pt; }
h2 { font-size: 15pt; border-bottom: 0.8pt solid #000; margin: 16pt 0 7pt; break-after: avoid; }
h3 { font-size: 12.5pt; margin: 12pt 0 4pt; break-after: avoid; }
h4 { font-size: 11pt; margin: 9pt 0 3pt; break-after: avoid; }
p { margin: 6pt 0 0; white-space: pre-wrap; overflow-wrap: anywhere; orphans: 2; widows: 2; }
table { width: 100%; border-collapse: collapse; margin-top: 8pt; font-size: 9.5pt; }
td, th { padding: 3.5pt 4pt; vertical-align: top; text-align: left; white-space: pre-wrap; overflow-wrap: anywhere; }
table.grid td, table.grid th { border: 0.5pt solid #8c8c8c; }
table.grid th { background: #e0e0e0; }
table.summary th { width: 34%; }
table.summary td, table.summary th { border-bottom: 0.4pt solid #bfbfbf; }
thead { display: table-header-group; }
ul.checks { list-style: none; padding: 0; margin: 6pt 0 0; }
ul.checks li { white-space: pre-wrap; }
.signatures { break-inside: avoid; margin-top: 14pt; }
.signature { display: flex; align-items: flex-end; min-height: 40pt; }
.signature span { width: 38%; }
.signature i { flex: 1; border-bottom: 0.8pt solid #000; margin-left: 10pt; }
.page-break { break-after: page; }
";

fn block_html(out: &mut String, block: &Block) {
    match block {
        Block::Heading { level, text } => {
            let tag = match level {
                HeadingLevel::H1 => "h2",
                HeadingLevel::H2 => "h3",
                HeadingLevel::H3 => "h4",
            };
            let _ = writeln!(out, "<{tag}>{}</{tag}>", escape(text));
        }
        Block::Paragraph(text) => {
            let _ = writeln!(out, "<p>{}</p>", escape(text));
        }
        Block::KeyValues(pairs) => {
            out.push_str("<table class=\"summary\">\n");
            for kv in pairs {
                let _ = writeln!(
                    out,
                    "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
                    escape(&kv.label),
                    escape(&kv.value)
                );
            }
            out.push_str("</table>\n");
        }
        Block::Table(table) => {
            let total: u32 = table.columns.iter().map(|c| u32::from(c.width)).sum();
            out.push_str("<table class=\"grid\">\n<thead><tr>");
            for c in &table.columns {
                let pct = f64::from(c.width) * 100.0 / f64::from(total.max(1));
                let _ = write!(
                    out,
                    "<th style=\"width:{pct:.2}%\">{}</th>",
                    escape(&c.header)
                );
            }
            out.push_str("</tr></thead>\n<tbody>\n");
            for row in &table.rows {
                out.push_str("<tr>");
                for value in row {
                    let _ = write!(out, "<td>{}</td>", escape(value));
                }
                out.push_str("</tr>\n");
            }
            out.push_str("</tbody>\n</table>\n");
        }
        Block::Checkboxes(items) => {
            out.push_str("<ul class=\"checks\">\n");
            for c in items {
                let mark = if c.checked { "\u{2611}" } else { "\u{2610}" };
                let _ = writeln!(out, "<li>{mark} {}</li>", escape(&c.label));
            }
            out.push_str("</ul>\n");
        }
        Block::SignatureLines(labels) => {
            out.push_str("<div class=\"signatures\">\n");
            for label in labels {
                let _ = writeln!(
                    out,
                    "<div class=\"signature\"><span>{}</span><i></i></div>",
                    escape(label)
                );
            }
            out.push_str("</div>\n");
        }
        Block::Spacer { lines } => {
            let _ = writeln!(
                out,
                "<div style=\"height:{}pt\"></div>",
                u32::from(*lines) * 14
            );
        }
        Block::PageBreak => out.push_str("<div class=\"page-break\"></div>\n"),
    }
}

/// Escapes text for HTML element content and quoted attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A quoted CSS string: letters, digits, spaces and harmless punctuation as they are,
/// everything else as a CSS hex escape (so quotes, backslashes, newlines and `<` cannot
/// end the string or the style element).
fn css_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if c.is_alphanumeric() && !c.is_control()
            || matches!(c, ' ' | '-' | '_' | '.' | ',' | ':' | '/')
        {
            out.push(c);
        } else {
            let _ = write!(out, "\\{:x} ", u32::from(c));
        }
    }
    out.push('"');
    out
}
