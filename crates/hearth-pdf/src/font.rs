//! The embedded DejaVu Sans faces and their glyph advances, used to wrap text exactly as
//! printpdf will draw it (printpdf emits one glyph per char, no kerning, widths from `hmtx`).

use std::collections::HashMap;
use std::sync::OnceLock;

use printpdf::ParsedFont;

use crate::PdfError;

static REGULAR_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
static BOLD_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// Shown for a character the font has no glyph for, so nothing is silently dropped.
const REPLACEMENT: char = '\u{FFFD}';

/// Which embedded font program `bytes` is (0 regular, 1 bold), if either.
pub(crate) fn embedded_program(bytes: &[u8]) -> Option<usize> {
    [REGULAR_TTF, BOLD_TTF].iter().position(|ttf| *ttf == bytes)
}

/// Which of the two embedded faces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

pub(crate) struct Face {
    pub(crate) parsed: ParsedFont,
    /// Advance per char in em, for every char the face maps.
    advances: HashMap<char, f32>,
    /// Advance of [`REPLACEMENT`] (or `?` if the face lacks it), in em.
    fallback: char,
}

pub(crate) struct Faces {
    pub(crate) regular: Face,
    pub(crate) bold: Face,
}

impl Faces {
    /// Both faces, parsed once per process.
    pub(crate) fn get() -> Result<&'static Faces, PdfError> {
        static FACES: OnceLock<Result<Faces, PdfError>> = OnceLock::new();
        FACES
            .get_or_init(|| {
                Ok(Faces {
                    regular: Face::parse(REGULAR_TTF, "DejaVuSans")?,
                    bold: Face::parse(BOLD_TTF, "DejaVuSans-Bold")?,
                })
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    pub(crate) fn face(&self, weight: Weight) -> &Face {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }
}

impl Face {
    /// `name` is the face's PostScript name, written as the PDF's `/BaseFont`.
    fn parse(bytes: &[u8], name: &'static str) -> Result<Face, PdfError> {
        let mut warnings = Vec::new();
        let mut parsed =
            ParsedFont::from_bytes(bytes, 0, &mut warnings).ok_or(PdfError::Font { name })?;
        parsed.font_name = Some(name.to_owned());
        let upem = f32::from(parsed.units_per_em.max(1));
        let advances: HashMap<char, f32> = parsed
            .codepoint_to_glyph
            .iter()
            .filter_map(|(&cp, gid)| {
                let c = char::from_u32(cp)?;
                let w = parsed.glyph_widths.get(gid).copied().unwrap_or(0);
                Some((c, f32::from(w) / upem))
            })
            .collect();
        if advances.get(&'a').copied().unwrap_or(0.0) <= 0.0 {
            return Err(PdfError::Font { name });
        }
        let fallback = if advances.contains_key(&REPLACEMENT) {
            REPLACEMENT
        } else {
            '?'
        };
        Ok(Face {
            parsed,
            advances,
            fallback,
        })
    }

    pub(crate) fn has(&self, c: char) -> bool {
        self.advances.contains_key(&c)
    }

    /// Width of one char in points at `size`.
    pub(crate) fn char_width(&self, c: char, size: f32) -> f32 {
        self.advances.get(&c).copied().unwrap_or(0.0) * size
    }

    /// Width of `text` in points at `size`. `text` must be [`Face::clean`]ed.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.char_width(c, size)).sum()
    }

    /// Text this face can draw: `\r\n`/`\r` become `\n`, tabs and other spaces become
    /// plain spaces, other control characters go, and characters without a glyph become
    /// U+FFFD (shown, never silently dropped).
    pub(crate) fn clean(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\r' => {
                    if chars.peek() != Some(&'\n') {
                        out.push('\n');
                    }
                }
                '\n' => out.push('\n'),
                '\u{2028}' | '\u{2029}' => out.push('\n'),
                c if c.is_whitespace() => out.push(' '),
                c if c.is_control() => {}
                // Zero-width and format characters would draw nothing useful.
                '\u{200B}'..='\u{200F}' | '\u{FEFF}' | '\u{00AD}' => {}
                c if self.has(c) => out.push(c),
                _ => out.push(self.fallback),
            }
        }
        out
    }
}
