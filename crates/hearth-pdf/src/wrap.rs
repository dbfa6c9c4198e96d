//! Greedy line breaking by glyph widths.

use crate::font::Face;

/// Breaks cleaned `text` into lines no wider than `width` points at `size`.
///
/// Explicit newlines are kept (an empty line stays an empty line); runs of spaces
/// between words collapse to one; a word wider than `width` is broken between
/// characters, with no hyphen added, so nothing is ever cut. Always returns at least
/// one line (possibly empty).
pub(crate) fn wrap(face: &Face, size: f32, text: &str, width: f32) -> Vec<String> {
    let space = face.char_width(' ', size);
    let mut lines = Vec::new();
    for hard_line in text.split('\n') {
        let mut current = String::new();
        let mut current_width = 0.0;
        for word in hard_line.split(' ').filter(|w| !w.is_empty()) {
            let word_width = face.width(word, size);
            if !current.is_empty() && current_width + space + word_width <= width {
                current.push(' ');
                current.push_str(word);
                current_width += space + word_width;
                continue;
            }
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
            }
            if word_width <= width {
                current.push_str(word);
                current_width = word_width;
            } else {
                let mut pieces = break_word(face, size, word, width);
                let last = pieces.pop().unwrap_or_default();
                lines.extend(pieces);
                current_width = face.width(&last, size);
                current = last;
            }
        }
        lines.push(current);
    }
    lines
}

/// Splits one over-long word into pieces that each fit `width` (at least one char each).
fn break_word(face: &Face, size: f32, word: &str, width: f32) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut piece = String::new();
    let mut piece_width = 0.0;
    for c in word.chars() {
        let w = face.char_width(c, size);
        if !piece.is_empty() && piece_width + w > width {
            pieces.push(std::mem::take(&mut piece));
            piece_width = 0.0;
        }
        piece.push(c);
        piece_width += w;
    }
    pieces.push(piece);
    pieces
}
