//! Turns laid-out pages into printpdf operations and PDF bytes, adding each page's
//! header and footer once the page total is known.

use std::sync::OnceLock;

use chrono::NaiveDate;
use printpdf::{
    Color, FontId, Greyscale, Line, LinePoint, Mm, Op, PdfDocument, PdfFontHandle, PdfPage,
    PdfParseErrorSeverity, PdfSaveOptions, Point, Polygon, PolygonRing, Pt, TextItem, TextMatrix,
    WindingOrder,
};

use crate::font::{self, Faces, Weight};
use crate::layout::{
    Header, Item, BODY_W, FOOTER_BASELINE, FOOTER_RULE, HEADER_SIZE, MARGIN_X,
    MARKING_TOP_BASELINE, PAGE_H, PAGE_W,
};
use crate::model::Document;
use crate::PdfError;

/// The protective marking printed at the top and bottom of every page.
pub const MARKING: &str = "OFFICIAL-SENSITIVE";

struct Ids {
    regular: FontId,
    bold: FontId,
}

pub(crate) fn emit(
    faces: &Faces,
    doc: &Document,
    header: &Header,
    bodies: Vec<Vec<Item>>,
) -> Result<Vec<u8>, PdfError> {
    let title = faces.regular.clean(&doc.title);
    let mut pdf = PdfDocument::new(&title);
    if let Some(date) = printpdf_date(doc.printed_on) {
        pdf.metadata.info.creation_date = date;
        pdf.metadata.info.modification_date = date;
        pdf.metadata.info.metadata_date = date;
    }
    pdf.metadata.info.creator = "Hearth".to_owned();
    let ids = Ids {
        regular: pdf.add_font(&faces.regular.parsed),
        bold: pdf.add_font(&faces.bold.parsed),
    };
    let printed = format!("Printed {}", doc.printed_on.format("%d/%m/%Y"));
    let total = bodies.len();
    let mut pages = Vec::with_capacity(total);
    for (index, body) in bodies.into_iter().enumerate() {
        let mut items = Vec::with_capacity(body.len() + 12);
        // Header first, then the body, then the footer: content-stream order is
        // reading order, which keeps text extraction (`pdftotext -raw`) in sequence.
        items.push(centred(faces, MARKING, MARKING_TOP_BASELINE));
        items.extend(header.items.iter().cloned());
        items.extend(body);
        items.push(Item::Line {
            x1: MARGIN_X,
            y1: FOOTER_RULE,
            x2: MARGIN_X + BODY_W,
            y2: FOOTER_RULE,
            width: 0.6,
            grey: 0.55,
        });
        items.push(small(MARGIN_X, &printed, Weight::Regular));
        items.push(centred(faces, MARKING, FOOTER_BASELINE));
        let page_no = format!("Page {} of {}", index + 1, total);
        let x = MARGIN_X + BODY_W - faces.regular.width(&page_no, HEADER_SIZE);
        items.push(small(x, &page_no, Weight::Regular));
        pages.push(PdfPage::new(
            Mm::from(Pt(PAGE_W)),
            Mm::from(Pt(PAGE_H)),
            ops(&ids, &items),
        ));
    }
    pdf.with_pages(pages);
    let mut warnings = Vec::new();
    // What `PdfDocument::save` does (build, compress every stream, write), except that
    // the two font programs are deflated once per process rather than per document:
    // at lopdf's best level they are ~90% of the render time.
    let mut lo = pdf.to_lopdf_document(&PdfSaveOptions::default(), &mut warnings);
    if let Some(w) = warnings
        .iter()
        .find(|w| w.severity == PdfParseErrorSeverity::Error)
    {
        return Err(PdfError::Printpdf {
            message: w.msg.clone(),
        });
    }
    for object in lo.objects.values_mut() {
        let Ok(stream) = object.as_stream_mut() else {
            continue;
        };
        let Some(face) = font::embedded_program(&stream.content) else {
            continue;
        };
        let compressed = COMPRESSED_FONTS[face].get_or_init(|| {
            let mut copy = stream.clone();
            copy.compress().ok()?;
            copy.dict.get(b"Filter").is_ok().then_some(copy.content)
        });
        if let Some(bytes) = compressed {
            stream.dict.set("Filter", "FlateDecode");
            stream.set_content(bytes.clone());
        }
    }
    lo.compress();
    let mut bytes = Vec::new();
    lo.save_to(&mut bytes).map_err(|e| PdfError::Printpdf {
        message: e.to_string(),
    })?;
    Ok(bytes)
}

/// The embedded font programs, deflated (index as in [`font::embedded_program`]).
static COMPRESSED_FONTS: [OnceLock<Option<Vec<u8>>>; 2] = [OnceLock::new(), OnceLock::new()];

fn small(x: f32, text: &str, weight: Weight) -> Item {
    Item::Text {
        x,
        baseline: FOOTER_BASELINE,
        size: HEADER_SIZE,
        weight,
        text: text.to_owned(),
    }
}

fn centred(faces: &Faces, text: &str, baseline: f32) -> Item {
    let w = faces.bold.width(text, HEADER_SIZE);
    Item::Text {
        x: MARGIN_X + (BODY_W - w) / 2.0,
        baseline,
        size: HEADER_SIZE,
        weight: Weight::Bold,
        text: text.to_owned(),
    }
}

fn printpdf_date(date: NaiveDate) -> Option<printpdf::DateTime> {
    let seconds = date.and_hms_opt(0, 0, 0)?.and_utc().timestamp();
    printpdf::DateTime::from_unix_timestamp(seconds).ok()
}

fn grey(level: f32) -> Color {
    Color::Greyscale(Greyscale {
        percent: level,
        icc_profile: None,
    })
}

fn point(x: f32, y_from_top: f32) -> LinePoint {
    LinePoint {
        p: Point {
            x: Pt(x),
            y: Pt(PAGE_H - y_from_top),
        },
        bezier: false,
    }
}

fn ops(ids: &Ids, items: &[Item]) -> Vec<Op> {
    let mut ops = Vec::with_capacity(items.len() * 3);
    let mut in_text = false;
    let mut font: Option<(Weight, f32)> = None;
    for item in items {
        if let Item::Text {
            x,
            baseline,
            size,
            weight,
            text,
        } = item
        {
            if !in_text {
                ops.push(Op::StartTextSection);
                in_text = true;
                font = None;
            }
            if font != Some((*weight, *size)) {
                let id = match weight {
                    Weight::Regular => ids.regular.clone(),
                    Weight::Bold => ids.bold.clone(),
                };
                ops.push(Op::SetFont {
                    font: PdfFontHandle::External(id),
                    size: Pt(*size),
                });
                font = Some((*weight, *size));
            }
            ops.push(Op::SetTextMatrix {
                matrix: TextMatrix::Translate(Pt(*x), Pt(PAGE_H - baseline)),
            });
            ops.push(Op::ShowText {
                items: vec![TextItem::Text(text.clone())],
            });
            continue;
        }
        if in_text {
            ops.push(Op::EndTextSection);
            in_text = false;
        }
        match item {
            Item::Text { .. } => {}
            Item::Line {
                x1,
                y1,
                x2,
                y2,
                width,
                grey: level,
            } => {
                ops.push(Op::SetOutlineColor { col: grey(*level) });
                ops.push(Op::SetOutlineThickness { pt: Pt(*width) });
                ops.push(Op::DrawLine {
                    line: Line {
                        points: vec![point(*x1, *y1), point(*x2, *y2)],
                        is_closed: false,
                    },
                });
            }
            Item::Fill {
                x,
                y,
                w,
                h,
                grey: level,
            } => {
                ops.push(Op::SetFillColor { col: grey(*level) });
                ops.push(Op::DrawPolygon {
                    polygon: Polygon {
                        rings: vec![PolygonRing {
                            points: vec![
                                point(*x, *y),
                                point(x + w, *y),
                                point(x + w, y + h),
                                point(*x, y + h),
                            ],
                        }],
                        mode: printpdf::PaintMode::Fill,
                        winding_order: WindingOrder::NonZero,
                    },
                });
                ops.push(Op::SetFillColor { col: grey(0.0) });
            }
            Item::CheckBox {
                x,
                y,
                size,
                checked,
            } => {
                ops.push(Op::SetOutlineColor { col: grey(0.0) });
                ops.push(Op::SetOutlineThickness { pt: Pt(0.8) });
                ops.push(Op::DrawLine {
                    line: Line {
                        points: vec![
                            point(*x, *y),
                            point(x + size, *y),
                            point(x + size, y + size),
                            point(*x, y + size),
                        ],
                        is_closed: true,
                    },
                });
                if *checked {
                    ops.push(Op::SetOutlineThickness { pt: Pt(1.4) });
                    ops.push(Op::DrawLine {
                        line: Line {
                            points: vec![
                                point(x + size * 0.2, y + size * 0.52),
                                point(x + size * 0.42, y + size * 0.76),
                                point(x + size * 0.82, y + size * 0.22),
                            ],
                            is_closed: false,
                        },
                    });
                }
            }
        }
    }
    if in_text {
        ops.push(Op::EndTextSection);
    }
    ops
}
