//! Pagination: prepared (wrapped) blocks flow down A4 pages as positioned [`Item`]s.
//!
//! Coordinates here are points from the page's top-left corner; `emit` flips them.
//! Two passes: `prepare` wraps every text once; `Flow` places the results, so
//! keep-with-next decisions only look at line counts.

use crate::font::{Faces, Weight};
use crate::model::{Block, Document, HeadingLevel, Table};
use crate::wrap::wrap;
use crate::PdfError;

pub(crate) const PAGE_W: f32 = 595.28;
pub(crate) const PAGE_H: f32 = 841.89;
/// 18 mm left and right.
pub(crate) const MARGIN_X: f32 = 51.0;
pub(crate) const BODY_W: f32 = PAGE_W - 2.0 * MARGIN_X;

pub(crate) const BODY_SIZE: f32 = 10.5;
const BODY_LH: f32 = 14.0;
const TABLE_SIZE: f32 = 9.5;
const TABLE_LH: f32 = 12.5;
const CELL_PAD_X: f32 = 4.0;
const CELL_PAD_Y: f32 = 3.5;
/// Rows up to this many lines move whole to the next page rather than split.
const KEEP_ROW_LINES: usize = 10;

pub(crate) const HEADER_SIZE: f32 = 9.0;
pub(crate) const HEADER_LH: f32 = 12.0;
/// Baseline of the top protective marking.
pub(crate) const MARKING_TOP_BASELINE: f32 = 30.0;
/// Top of the reference / family-name lines.
pub(crate) const HEADER_TOP: f32 = 38.0;
/// Footer rule; the footer line sits below it.
pub(crate) const FOOTER_RULE: f32 = PAGE_H - 50.0;
pub(crate) const FOOTER_BASELINE: f32 = PAGE_H - 36.0;
const BODY_BOTTOM: f32 = FOOTER_RULE - 10.0;

const BLACK: f32 = 0.0;
const RULE_GREY: f32 = 0.55;
const HEADER_FILL: f32 = 0.88;

/// Something drawn on a page, in top-left coordinates.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item {
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        weight: Weight,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        grey: f32,
    },
    Fill {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        grey: f32,
    },
    /// A check box whose top-left corner is at (x, y); ticked or empty.
    CheckBox {
        x: f32,
        y: f32,
        size: f32,
        checked: bool,
    },
}

/// Baseline for text of `size` in a line box of height `lh` starting at `top`:
/// centres the capitals in the box.
pub(crate) fn baseline(top: f32, lh: f32, size: f32) -> f32 {
    top + lh / 2.0 + size * 0.36
}

/// The header (reference and family name) laid out once for every page.
pub(crate) struct Header {
    pub(crate) items: Vec<Item>,
    pub(crate) rule_y: f32,
}

impl Header {
    pub(crate) fn new(faces: &Faces, doc: &Document) -> Header {
        let face = &faces.regular;
        let reference = format!("Reference: {}", face.clean(&doc.reference));
        let family = format!("Family: {}", face.clean(&doc.family_name));
        let ref_lines = wrap(face, HEADER_SIZE, &reference, BODY_W);
        let fam_lines = wrap(face, HEADER_SIZE, &family, BODY_W);
        let mut items = Vec::new();
        let single = ref_lines.len() == 1
            && fam_lines.len() == 1
            && face.width(&ref_lines[0], HEADER_SIZE)
                + face.width(&fam_lines[0], HEADER_SIZE)
                + 24.0
                <= BODY_W;
        let mut top = HEADER_TOP;
        let text = |x: f32, top: f32, text: String| Item::Text {
            x,
            baseline: baseline(top, HEADER_LH, HEADER_SIZE),
            size: HEADER_SIZE,
            weight: Weight::Regular,
            text,
        };
        if single {
            let right = MARGIN_X + BODY_W - face.width(&fam_lines[0], HEADER_SIZE);
            items.push(text(MARGIN_X, top, ref_lines[0].clone()));
            items.push(text(right, top, fam_lines[0].clone()));
            top += HEADER_LH;
        } else {
            for line in ref_lines.into_iter().chain(fam_lines) {
                items.push(text(MARGIN_X, top, line));
                top += HEADER_LH;
            }
        }
        let rule_y = top + 3.0;
        items.push(Item::Line {
            x1: MARGIN_X,
            y1: rule_y,
            x2: MARGIN_X + BODY_W,
            y2: rule_y,
            width: 0.6,
            grey: RULE_GREY,
        });
        Header { items, rule_y }
    }
}

struct TextStyle {
    size: f32,
    lh: f32,
    weight: Weight,
    /// Space above, dropped at the top of a page.
    before: f32,
    after: f32,
}

const TITLE: TextStyle = TextStyle {
    size: 18.0,
    lh: 23.0,
    weight: Weight::Bold,
    before: 0.0,
    after: 10.0,
};

fn heading_style(level: HeadingLevel) -> TextStyle {
    match level {
        HeadingLevel::H1 => TextStyle {
            size: 15.0,
            lh: 19.0,
            weight: Weight::Bold,
            before: 16.0,
            after: 7.0,
        },
        HeadingLevel::H2 => TextStyle {
            size: 12.5,
            lh: 16.0,
            weight: Weight::Bold,
            before: 12.0,
            after: 4.0,
        },
        HeadingLevel::H3 => TextStyle {
            size: 11.0,
            lh: 14.0,
            weight: Weight::Bold,
            before: 9.0,
            after: 3.0,
        },
    }
}

const PARAGRAPH: TextStyle = TextStyle {
    size: BODY_SIZE,
    lh: BODY_LH,
    weight: Weight::Regular,
    before: 6.0,
    after: 0.0,
};
const GRID_BEFORE: f32 = 8.0;
const CHECKS_BEFORE: f32 = 6.0;
const CHECK_GAP: f32 = 2.0;
const CHECK_BOX: f32 = 9.0;
const CHECK_INDENT: f32 = 16.0;
const SIGN_BEFORE: f32 = 14.0;
const SIGN_LABEL_W: f32 = BODY_W * 0.38;
const SIGN_ROW_MIN: f32 = 40.0;

#[derive(Clone, Copy, PartialEq)]
enum GridStyle {
    /// Boxed cells, grey bold header row.
    Table,
    /// No header, bold first column, a rule under each row.
    Summary,
}

struct GridRow {
    cells: Vec<Vec<String>>,
    lines: usize,
}

struct Grid {
    style: GridStyle,
    xs: Vec<f32>,
    header: Option<GridRow>,
    rows: Vec<GridRow>,
}

impl Grid {
    fn row_height(lines: usize) -> f32 {
        lines as f32 * TABLE_LH + 2.0 * CELL_PAD_Y
    }

    fn header_height(&self) -> f32 {
        self.header
            .as_ref()
            .map_or(0.0, |h| Grid::row_height(h.lines))
    }

    /// What must fit below the point where the grid starts: the header and the first
    /// row — whole when it is short enough to be kept whole (see `Flow::grid`), else
    /// its first two lines — so a header row is never left alone at a page's foot.
    fn lead(&self) -> f32 {
        let first = self.rows.first().map_or(0.0, |r| {
            let kept = if r.lines <= KEEP_ROW_LINES {
                r.lines
            } else {
                2
            };
            Grid::row_height(kept)
        });
        GRID_BEFORE + self.header_height() + first
    }
}

enum Prepared {
    Heading {
        style: TextStyle,
        lines: Vec<String>,
        rule: bool,
    },
    Paragraph(Vec<String>),
    Grid(Grid),
    Checks(Vec<(bool, Vec<String>)>),
    Signatures(Vec<Vec<String>>),
    Spacer(f32),
    PageBreak,
}

impl Prepared {
    /// Height that must fit at the start of this block for it to begin on the page.
    fn lead(blocks: &[Prepared], i: usize) -> f32 {
        match blocks.get(i) {
            None | Some(Prepared::PageBreak) => 0.0,
            Some(Prepared::Heading { style, lines, .. }) => {
                style.before
                    + lines.len() as f32 * style.lh
                    + style.after
                    + Prepared::lead(blocks, i + 1)
            }
            Some(Prepared::Paragraph(lines)) => {
                PARAGRAPH.before + lines.len().min(2) as f32 * PARAGRAPH.lh
            }
            Some(Prepared::Grid(grid)) => grid.lead(),
            Some(Prepared::Checks(items)) => {
                CHECKS_BEFORE
                    + items
                        .first()
                        .map_or(0.0, |(_, l)| l.len().min(2) as f32 * BODY_LH)
            }
            Some(Prepared::Signatures(rows)) => {
                SIGN_BEFORE + rows.iter().map(|r| sign_row_h(r)).sum::<f32>()
            }
            Some(Prepared::Spacer(h)) => h + Prepared::lead(blocks, i + 1),
        }
    }
}

fn sign_row_h(label: &[String]) -> f32 {
    (label.len() as f32 * BODY_LH + 22.0).max(SIGN_ROW_MIN)
}

fn prepare(faces: &Faces, doc: &Document) -> Result<Vec<Prepared>, PdfError> {
    let mut out = Vec::with_capacity(doc.blocks.len() + 1);
    let bold = &faces.bold;
    let regular = &faces.regular;
    out.push(Prepared::Heading {
        lines: wrap(bold, TITLE.size, &bold.clean(&doc.title), BODY_W),
        style: TITLE,
        rule: true,
    });
    for (index, block) in doc.blocks.iter().enumerate() {
        let prepared = match block {
            Block::Heading { level, text } => {
                let style = heading_style(*level);
                Prepared::Heading {
                    lines: wrap(bold, style.size, &bold.clean(text), BODY_W),
                    style,
                    rule: *level == HeadingLevel::H1,
                }
            }
            Block::Paragraph(text) => {
                Prepared::Paragraph(wrap(regular, PARAGRAPH.size, &regular.clean(text), BODY_W))
            }
            Block::KeyValues(pairs) => {
                let widths = [BODY_W * 0.34, BODY_W * 0.66];
                let rows = pairs
                    .iter()
                    .map(|kv| grid_row(faces, &widths, &[&kv.label, &kv.value], Weight::Bold))
                    .collect();
                Prepared::Grid(Grid {
                    style: GridStyle::Summary,
                    xs: vec![MARGIN_X, MARGIN_X + widths[0]],
                    header: None,
                    rows,
                })
            }
            Block::Table(table) => {
                if table.columns.is_empty() {
                    return Err(PdfError::NoColumns { block: index });
                }
                if let Some(column) = table.columns.iter().position(|c| c.width == 0) {
                    return Err(PdfError::ZeroWidth {
                        block: index,
                        column,
                    });
                }
                let widths = column_widths(faces, table);
                let mut xs = Vec::with_capacity(widths.len());
                let mut x = MARGIN_X;
                for w in &widths {
                    xs.push(x);
                    x += w;
                }
                let headers: Vec<&str> = table.columns.iter().map(|c| c.header.as_str()).collect();
                let header = header_row(faces, &widths, &headers);
                let mut rows = Vec::with_capacity(table.rows.len());
                for (r, row) in table.rows.iter().enumerate() {
                    if row.len() != widths.len() {
                        return Err(PdfError::RowLength {
                            block: index,
                            row: r,
                            expected: widths.len(),
                            found: row.len(),
                        });
                    }
                    let cells: Vec<&str> = row.iter().map(String::as_str).collect();
                    rows.push(grid_row(faces, &widths, &cells, Weight::Regular));
                }
                Prepared::Grid(Grid {
                    style: GridStyle::Table,
                    xs,
                    header: Some(header),
                    rows,
                })
            }
            Block::Checkboxes(items) => Prepared::Checks(
                items
                    .iter()
                    .map(|c| {
                        let lines = wrap(
                            regular,
                            BODY_SIZE,
                            &regular.clean(&c.label),
                            BODY_W - CHECK_INDENT,
                        );
                        (c.checked, lines)
                    })
                    .collect(),
            ),
            Block::SignatureLines(labels) => Prepared::Signatures(
                labels
                    .iter()
                    .map(|l| wrap(regular, BODY_SIZE, &regular.clean(l), SIGN_LABEL_W))
                    .collect(),
            ),
            Block::Spacer { lines } => Prepared::Spacer(f32::from(*lines) * BODY_LH),
            Block::PageBreak => Prepared::PageBreak,
        };
        out.push(prepared);
    }
    Ok(out)
}

/// Column widths in points: shares of the body width by relative weight, except that a
/// column is widened (taking from the others) to fit its longest word, such as a date,
/// when the whole table can afford it. A word longer than 30% of the page is still
/// broken rather than allowed to squeeze the other columns.
fn column_widths(faces: &Faces, table: &Table) -> Vec<f32> {
    let weights: Vec<f32> = table.columns.iter().map(|c| f32::from(c.width)).collect();
    let longest_word = |weight: Weight, text: &str| -> f32 {
        let face = faces.face(weight);
        face.clean(text)
            .split([' ', '\n'])
            .map(|w| face.width(w, TABLE_SIZE))
            .fold(0.0, f32::max)
    };
    let mins: Vec<f32> = table
        .columns
        .iter()
        .enumerate()
        .map(|(i, column)| {
            let cells = table
                .rows
                .iter()
                .filter_map(|row| row.get(i))
                .map(|cell| longest_word(Weight::Regular, cell))
                .fold(longest_word(Weight::Bold, &column.header), f32::max);
            (cells + 2.0 * CELL_PAD_X + 0.5).min(BODY_W * 0.3)
        })
        .collect();
    let share = |fixed: &[bool]| -> Vec<f32> {
        let fixed_w: f32 = (0..weights.len())
            .filter(|&i| fixed[i])
            .map(|i| mins[i])
            .sum();
        let free_weight: f32 = (0..weights.len())
            .filter(|&i| !fixed[i])
            .map(|i| weights[i])
            .sum();
        (0..weights.len())
            .map(|i| {
                if fixed[i] {
                    mins[i]
                } else {
                    (BODY_W - fixed_w) * weights[i] / free_weight
                }
            })
            .collect()
    };
    let mut fixed = vec![false; weights.len()];
    if mins.iter().sum::<f32>() > BODY_W {
        return share(&fixed);
    }
    loop {
        let widths = share(&fixed);
        let mut changed = false;
        for i in 0..widths.len() {
            if !fixed[i] && widths[i] < mins[i] {
                fixed[i] = true;
                changed = true;
            }
        }
        if fixed.iter().all(|f| *f) {
            // Every column at its minimum: hand out what is left by weight.
            let spare = BODY_W - mins.iter().sum::<f32>();
            let total: f32 = weights.iter().sum();
            return (0..mins.len())
                .map(|i| mins[i] + spare * weights[i] / total)
                .collect();
        }
        if !changed {
            return widths;
        }
    }
}

/// Wraps one row's cells; the first column in `first` (bold for summary labels).
fn grid_row(faces: &Faces, widths: &[f32], cells: &[&str], first: Weight) -> GridRow {
    let cells: Vec<Vec<String>> = cells
        .iter()
        .zip(widths)
        .enumerate()
        .map(|(i, (text, w))| {
            let weight = if i == 0 { first } else { Weight::Regular };
            let face = faces.face(weight);
            wrap(face, TABLE_SIZE, &face.clean(text), w - 2.0 * CELL_PAD_X)
        })
        .collect();
    let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
    GridRow { cells, lines }
}

/// A header row: every cell bold.
fn header_row(faces: &Faces, widths: &[f32], cells: &[&str]) -> GridRow {
    let face = &faces.bold;
    let cells: Vec<Vec<String>> = cells
        .iter()
        .zip(widths)
        .map(|(text, w)| wrap(face, TABLE_SIZE, &face.clean(text), w - 2.0 * CELL_PAD_X))
        .collect();
    let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
    GridRow { cells, lines }
}

/// Per-cell weight when drawing: header cells bold, summary labels bold.
fn cell_weight(style: GridStyle, is_header: bool, column: usize) -> Weight {
    if is_header || (style == GridStyle::Summary && column == 0) {
        Weight::Bold
    } else {
        Weight::Regular
    }
}

struct Flow {
    pages: Vec<Vec<Item>>,
    y: f32,
    top: f32,
    /// Nothing placed on this page yet: leading space is dropped.
    at_top: bool,
}

impl Flow {
    fn new(top: f32) -> Flow {
        Flow {
            pages: vec![Vec::new()],
            y: top,
            top,
            at_top: true,
        }
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = self.top;
        self.at_top = true;
    }

    fn room(&self) -> f32 {
        BODY_BOTTOM - self.y
    }

    fn fits(&self, h: f32) -> bool {
        h <= self.room() + 0.01
    }

    /// Starts a block: `gap` of space (unless at the top of a page) and at least
    /// `need` below it; otherwise a new page.
    fn begin(&mut self, gap: f32, need: f32) {
        if self.at_top {
            return;
        }
        if self.fits(gap + need) {
            self.y += gap;
        } else {
            self.new_page();
        }
    }

    fn push(&mut self, item: Item) {
        self.at_top = false;
        if let Some(page) = self.pages.last_mut() {
            page.push(item);
        }
    }

    fn text(&mut self, x: f32, top: f32, lh: f32, size: f32, weight: Weight, text: &str) {
        if text.is_empty() {
            self.at_top = false;
            return;
        }
        self.push(Item::Text {
            x,
            baseline: baseline(top, lh, size),
            size,
            weight,
            text: text.to_owned(),
        });
    }

    /// Places lines of one style at `x`, breaking across pages with no single line
    /// left behind at the bottom (orphan) or carried alone to the next page (widow).
    /// `check` draws a check box beside the first line.
    fn lines(&mut self, lines: &[String], x: f32, style: &TextStyle, check: Option<bool>) {
        let n = lines.len();
        let mut i = 0;
        while i < n {
            let avail = (self.room() / style.lh + 0.001).floor().max(0.0) as usize;
            let mut take = avail.min(n - i);
            if take < n - i {
                if i == 0 && take < 2 && !self.at_top {
                    self.new_page();
                    continue;
                }
                if n - i - take == 1 && take >= 3 {
                    take -= 1;
                }
            }
            if take == 0 {
                if self.at_top {
                    // A line taller than an empty page: place it anyway.
                    take = 1;
                } else {
                    self.new_page();
                    continue;
                }
            }
            for (k, line) in lines[i..i + take].iter().enumerate() {
                let top = self.y + k as f32 * style.lh;
                if i + k == 0 {
                    if let Some(checked) = check {
                        self.push(Item::CheckBox {
                            x: x - CHECK_INDENT,
                            y: top + (style.lh - CHECK_BOX) / 2.0,
                            size: CHECK_BOX,
                            checked,
                        });
                    }
                }
                self.text(x, top, style.lh, style.size, style.weight, line);
            }
            self.y += take as f32 * style.lh;
            i += take;
            if i < n {
                self.new_page();
            }
        }
    }

    fn grid(&mut self, grid: &Grid) {
        let header_h = grid.header_height();
        self.begin(GRID_BEFORE, grid.lead() - GRID_BEFORE);
        self.grid_header(grid);
        let body_h = BODY_BOTTOM - self.top;
        for row in &grid.rows {
            let mut start = 0;
            while start < row.lines {
                let rest = row.lines - start;
                if self.fits(Grid::row_height(rest)) {
                    self.grid_fragment(grid, row, start, row.lines, false);
                    break;
                }
                let avail = ((self.room() - 2.0 * CELL_PAD_Y) / TABLE_LH + 0.001)
                    .floor()
                    .max(0.0) as usize;
                let fits_fresh = header_h + Grid::row_height(rest) <= body_h;
                if (start == 0 && fits_fresh && rest <= KEEP_ROW_LINES) || avail < 2 {
                    self.new_page();
                    self.grid_header(grid);
                    continue;
                }
                let mut take = avail.min(rest);
                if rest - take == 1 && take >= 3 {
                    take -= 1;
                }
                self.grid_fragment(grid, row, start, start + take, false);
                start += take;
                self.new_page();
                self.grid_header(grid);
            }
        }
    }

    fn grid_header(&mut self, grid: &Grid) {
        if let Some(header) = &grid.header {
            let h = Grid::row_height(header.lines);
            self.push(Item::Fill {
                x: MARGIN_X,
                y: self.y,
                w: BODY_W,
                h,
                grey: HEADER_FILL,
            });
            self.grid_fragment(grid, header, 0, header.lines, true);
        }
    }

    /// Draws lines `from..to` of every cell of `row` at the cursor and moves down.
    fn grid_fragment(&mut self, grid: &Grid, row: &GridRow, from: usize, to: usize, header: bool) {
        let top = self.y;
        let h = Grid::row_height(to - from);
        for (c, cell) in row.cells.iter().enumerate() {
            let weight = cell_weight(grid.style, header, c);
            let x = grid.xs[c] + CELL_PAD_X;
            for (k, line) in cell.iter().enumerate().take(to).skip(from) {
                let line_top = top + CELL_PAD_Y + (k - from) as f32 * TABLE_LH;
                self.text(x, line_top, TABLE_LH, TABLE_SIZE, weight, line);
            }
        }
        let right = MARGIN_X + BODY_W;
        match grid.style {
            GridStyle::Table => {
                let rule = |x1, y1, x2, y2| Item::Line {
                    x1,
                    y1,
                    x2,
                    y2,
                    width: 0.5,
                    grey: RULE_GREY,
                };
                self.push(rule(MARGIN_X, top, right, top));
                self.push(rule(MARGIN_X, top + h, right, top + h));
                for x in &grid.xs {
                    self.push(rule(*x, top, *x, top + h));
                }
                self.push(rule(right, top, right, top + h));
            }
            GridStyle::Summary => {
                self.push(Item::Line {
                    x1: MARGIN_X,
                    y1: top + h,
                    x2: right,
                    y2: top + h,
                    width: 0.4,
                    grey: 0.75,
                });
            }
        }
        self.y += h;
    }

    fn signatures(&mut self, rows: &[Vec<String>]) {
        let total: f32 = rows.iter().map(|r| sign_row_h(r)).sum();
        self.begin(SIGN_BEFORE, total.min(BODY_BOTTOM - self.top));
        for label in rows {
            let h = sign_row_h(label);
            if !self.fits(h) {
                self.new_page();
            }
            // The label's last line sits on the signing line.
            let line_y = self.y + h - 8.0;
            let first_top = line_y - label.len() as f32 * BODY_LH + 3.0;
            for (k, line) in label.iter().enumerate() {
                let top = first_top + k as f32 * BODY_LH;
                self.text(MARGIN_X, top, BODY_LH, BODY_SIZE, Weight::Regular, line);
            }
            self.push(Item::Line {
                x1: MARGIN_X + SIGN_LABEL_W + 10.0,
                y1: line_y,
                x2: MARGIN_X + BODY_W,
                y2: line_y,
                width: 0.8,
                grey: BLACK,
            });
            self.y += h;
        }
    }
}

/// Lays the document out; returns each page's body items.
pub(crate) fn paginate(
    faces: &Faces,
    doc: &Document,
    body_top: f32,
) -> Result<Vec<Vec<Item>>, PdfError> {
    let blocks = prepare(faces, doc)?;
    let mut flow = Flow::new(body_top);
    for (i, block) in blocks.iter().enumerate() {
        match block {
            Prepared::Heading { style, lines, rule } => {
                let keep = Prepared::lead(&blocks, i) - style.before;
                flow.begin(style.before, keep.min(BODY_BOTTOM - body_top));
                flow.lines(lines, MARGIN_X, style, None);
                if *rule {
                    let y = flow.y + 2.0;
                    flow.push(Item::Line {
                        x1: MARGIN_X,
                        y1: y,
                        x2: MARGIN_X + BODY_W,
                        y2: y,
                        width: 0.8,
                        grey: BLACK,
                    });
                }
                flow.y += style.after;
            }
            Prepared::Paragraph(lines) => {
                flow.begin(PARAGRAPH.before, lines.len().min(2) as f32 * PARAGRAPH.lh);
                flow.lines(lines, MARGIN_X, &PARAGRAPH, None);
            }
            Prepared::Grid(grid) => flow.grid(grid),
            Prepared::Checks(items) => {
                for (k, (checked, lines)) in items.iter().enumerate() {
                    let gap = if k == 0 { CHECKS_BEFORE } else { CHECK_GAP };
                    flow.begin(gap, lines.len().min(2) as f32 * BODY_LH);
                    flow.lines(lines, MARGIN_X + CHECK_INDENT, &PARAGRAPH, Some(*checked));
                }
            }
            Prepared::Signatures(rows) => flow.signatures(rows),
            Prepared::Spacer(h) => {
                if !flow.at_top {
                    flow.y = (flow.y + h).min(BODY_BOTTOM);
                }
            }
            Prepared::PageBreak => {
                if !flow.at_top {
                    flow.new_page();
                }
            }
        }
    }
    Ok(flow.pages)
}
