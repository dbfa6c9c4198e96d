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
/// A piece ends after the last hyphen, slash, dot, underscore or `@` that fits, when
/// there is one (e-mail addresses, file names and web addresses break where a reader
/// expects); otherwise between any two characters.
fn break_word(face: &Face, size: f32, word: &str, width: f32) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut piece = String::new();
    let mut piece_width = 0.0;
    // Byte offset in `piece` just after its last soft break, if any.
    let mut soft: Option<usize> = None;
    for c in word.chars() {
        let w = face.char_width(c, size);
        if !piece.is_empty() && piece_width + w > width {
            // Break at the soft break only if that leaves at least half a line.
            let at = soft
                .filter(|&at| at < piece.len() && face.width(&piece[..at], size) >= width / 2.0);
            match at {
                Some(at) => {
                    let rest = piece.split_off(at);
                    pieces.push(std::mem::replace(&mut piece, rest));
                    piece_width = face.width(&piece, size);
                }
                None => {
                    pieces.push(std::mem::take(&mut piece));
                    piece_width = 0.0;
                }
            }
            soft = None;
            if !piece.is_empty() && piece_width + w > width {
                pieces.push(std::mem::take(&mut piece));
                piece_width = 0.0;
            }
        }
        piece.push(c);
        piece_width += w;
        if matches!(c, '-' | '/' | '.' | '_' | '@' | '\\' | '?' | '&' | '=') {
            soft = Some(piece.len());
        }
    }
    pieces.push(piece);
    pieces
}
