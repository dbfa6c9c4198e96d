//! Document metadata: what is stored about an uploaded file, which files are allowed
//! (Word, PDF, JPEG, PNG, decided by content; at most 15 MB), the suggested file name
//! `REF-YYMMDD-Name.ext`, and re-linking a document to another record.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::DocumentId;
use crate::kind::RecordKind;
use crate::validation::{Errors, FieldError, ValidationErrors};

/// The largest document accepted: 15 MB.
pub const MAX_DOCUMENT_BYTES: u64 = 15 * 1024 * 1024;
/// How much of the start of a file [`detect_document_type`] should be given to recognise a
/// `.docx` (the `word/` part name is usually in the first few kilobytes).
pub const SNIFF_BYTES: usize = 64 * 1024;

/// The allowed kinds of document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    Pdf,
    Jpeg,
    Png,
    /// Word 97–2003 (`.doc`).
    Doc,
    /// Word (`.docx`).
    Docx,
}

impl DocumentType {
    pub fn mime_type(self) -> &'static str {
        match self {
            DocumentType::Pdf => "application/pdf",
            DocumentType::Jpeg => "image/jpeg",
            DocumentType::Png => "image/png",
            DocumentType::Doc => "application/msword",
            DocumentType::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
        }
    }

    /// Without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            DocumentType::Pdf => "pdf",
            DocumentType::Jpeg => "jpg",
            DocumentType::Png => "png",
            DocumentType::Doc => "doc",
            DocumentType::Docx => "docx",
        }
    }
}

/// Recognises an allowed document by its first bytes; `None` for anything else.
/// `.doc` is the OLE compound-file signature, `.docx` a zip holding a `word/` part.
pub fn detect_document_type(prefix: &[u8]) -> Option<DocumentType> {
    const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    if prefix.starts_with(b"%PDF-") {
        Some(DocumentType::Pdf)
    } else if prefix.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(DocumentType::Jpeg)
    } else if prefix.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some(DocumentType::Png)
    } else if prefix.starts_with(OLE) {
        Some(DocumentType::Doc)
    } else if prefix.starts_with(b"PK\x03\x04") && prefix.windows(5).any(|w| w == b"word/") {
        Some(DocumentType::Docx)
    } else {
        None
    }
}

/// Why a file cannot be attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum DocumentError {
    #[error("The selected file is empty")]
    Empty,
    #[error("The selected file must be 15 MB or smaller")]
    TooLarge,
    #[error("The selected file must be a Word document, PDF, JPEG or PNG")]
    NotAllowedType,
}

/// Checks a file before it is stored: its size and its first bytes (pass at least
/// [`SNIFF_BYTES`], or the whole file if smaller).
pub fn check_file(size: u64, prefix: &[u8]) -> Result<DocumentType, DocumentError> {
    if size == 0 {
        return Err(DocumentError::Empty);
    }
    if size > MAX_DOCUMENT_BYTES {
        return Err(DocumentError::TooLarge);
    }
    detect_document_type(prefix).ok_or(DocumentError::NotAllowedType)
}

/// A SHA-256 digest, as 64 lower-case hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(try_from = "String", into = "String")]
pub struct Sha256Hex(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a SHA-256 digest is 64 hexadecimal digits")]
pub struct Sha256Error;

impl Sha256Hex {
    pub fn parse(s: &str) -> Result<Sha256Hex, Sha256Error> {
        if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Sha256Hex(s.to_ascii_lowercase()))
        } else {
            Err(Sha256Error)
        }
    }

    pub fn from_bytes(digest: [u8; 32]) -> Sha256Hex {
        Sha256Hex(digest.iter().map(|b| format!("{b:02x}")).collect())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Sha256Hex {
    type Error = Sha256Error;
    fn try_from(s: String) -> Result<Sha256Hex, Sha256Error> {
        Sha256Hex::parse(&s)
    }
}

impl From<Sha256Hex> for String {
    fn from(h: Sha256Hex) -> String {
        h.0
    }
}

/// The record (and case reference) a document belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RecordLink {
    pub kind: RecordKind,
    pub record_id: Uuid,
    /// The case reference (e.g. a request's Thrive-style ID or a plan's reference), if any.
    pub case_reference: Option<String>,
}

/// What the upload form asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct DocumentDraft {
    pub title: String,
    pub file_name: String,
    pub link: Option<RecordLink>,
}

/// The file itself, as measured by whoever read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileFacts<'a> {
    pub size: u64,
    /// The first bytes of the file (see [`SNIFF_BYTES`]).
    pub prefix: &'a [u8],
    pub sha256: Sha256Hex,
}

/// Metadata of a stored document. Built only by [`DocumentMeta::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DocumentMeta {
    id: DocumentId,
    title: String,
    file_name: String,
    link: RecordLink,
    content_type: DocumentType,
    /// Bytes; at most [`MAX_DOCUMENT_BYTES`], so it fits a `u32` (and a JavaScript number).
    size: u32,
    sha256: Sha256Hex,
}

impl DocumentMeta {
    /// Every problem at once: title, file name, link, and the file's type and size
    /// (reported at `file`).
    pub fn parse(
        id: DocumentId,
        draft: DocumentDraft,
        file: FileFacts<'_>,
    ) -> Result<DocumentMeta, ValidationErrors> {
        let mut e = Errors::new();
        e.required("title", &draft.title, "Enter a title for the document");
        e.required("file_name", &draft.file_name, "Enter a file name");
        e.required_some(
            "link",
            &draft.link,
            "Choose the case or record this document belongs to",
        );
        let content_type = match check_file(file.size, file.prefix) {
            Ok(t) => Some(t),
            Err(err) => {
                e.push("file", err.to_string());
                None
            }
        };
        let (Some(link), Some(content_type)) = (draft.link, content_type) else {
            return Err(ValidationErrors(e.into_vec()));
        };
        e.finish()?;
        Ok(DocumentMeta {
            id,
            title: draft.title.trim().to_owned(),
            file_name: draft.file_name.trim().to_owned(),
            link,
            content_type,
            size: u32::try_from(file.size).map_err(|_| {
                ValidationErrors(vec![FieldError::new(
                    "file",
                    DocumentError::TooLarge.to_string(),
                )])
            })?,
            sha256: file.sha256,
        })
    }

    pub fn id(&self) -> DocumentId {
        self.id
    }
    pub fn title(&self) -> &str {
        &self.title
    }
    pub fn file_name(&self) -> &str {
        &self.file_name
    }
    pub fn link(&self) -> &RecordLink {
        &self.link
    }
    pub fn content_type(&self) -> DocumentType {
        self.content_type
    }
    pub fn size(&self) -> u32 {
        self.size
    }
    pub fn sha256(&self) -> &Sha256Hex {
        &self.sha256
    }

    /// The same document linked to another record (it was filed against the wrong case).
    pub fn relink(&self, link: RecordLink) -> DocumentMeta {
        DocumentMeta {
            link,
            ..self.clone()
        }
    }

    /// Does the file name follow the `REF-YYMMDD-Name.ext` convention for its case?
    pub fn follows_naming_convention(&self) -> bool {
        self.link
            .case_reference
            .as_deref()
            .is_some_and(|r| follows_naming_convention(&self.file_name, r))
    }
}

/// The suggested file name `REF-YYMMDD-Name.ext`, e.g. `Test13-210116-ETHFamilyPlan.docx`.
/// `name` is squeezed to letters and digits, each word capitalised. A suggestion only.
pub fn suggest_file_name(
    reference: &str,
    date: NaiveDate,
    name: &str,
    doc_type: DocumentType,
) -> String {
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let squeezed: String = stem
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            cs.next()
                .map(|c| c.to_uppercase().chain(cs).collect::<String>())
                .unwrap_or_default()
        })
        .collect();
    let squeezed = if squeezed.is_empty() {
        "Document".to_owned()
    } else {
        squeezed
    };
    format!(
        "{}-{}-{}.{}",
        reference.trim(),
        date.format("%y%m%d"),
        squeezed,
        doc_type.extension()
    )
}

/// Does `file_name` look like `REF-YYMMDD-Name.ext` for this reference?
pub fn follows_naming_convention(file_name: &str, reference: &str) -> bool {
    let Some(rest) = file_name
        .strip_prefix(reference.trim())
        .and_then(|r| r.strip_prefix('-'))
    else {
        return false;
    };
    let (date, name) = match rest.split_once('-') {
        Some(parts) => parts,
        None => return false,
    };
    date.len() == 6
        && NaiveDate::parse_from_str(date, "%y%m%d").is_ok()
        && name
            .rsplit_once('.')
            .is_some_and(|(n, ext)| !n.is_empty() && !ext.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.7\n%\xE2\xE3";
    const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F'];
    const PNG: &[u8] = &[
        0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D,
    ];
    const DOC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0];

    fn docx() -> Vec<u8> {
        let mut v = b"PK\x03\x04\x14\x00\x06\x00".to_vec();
        v.extend_from_slice(&[0; 22]);
        v.extend_from_slice(b"[Content_Types].xml");
        v.extend_from_slice(&[0x55; 300]);
        v.extend_from_slice(b"PK\x03\x04");
        v.extend_from_slice(&[0; 26]);
        v.extend_from_slice(b"word/document.xml");
        v
    }

    fn xlsx() -> Vec<u8> {
        let mut v = b"PK\x03\x04\x14\x00\x06\x00".to_vec();
        v.extend_from_slice(&[0; 22]);
        v.extend_from_slice(b"xl/workbook.xml");
        v
    }

    fn sha() -> Sha256Hex {
        Sha256Hex::from_bytes([0xAB; 32])
    }

    fn link(reference: &str) -> RecordLink {
        RecordLink {
            kind: RecordKind::Request,
            record_id: Uuid::from_u128(3),
            case_reference: Some(reference.into()),
        }
    }

    #[test]
    fn only_word_pdf_jpeg_and_png_by_content() {
        assert_eq!(detect_document_type(PDF), Some(DocumentType::Pdf));
        assert_eq!(detect_document_type(JPEG), Some(DocumentType::Jpeg));
        assert_eq!(detect_document_type(PNG), Some(DocumentType::Png));
        assert_eq!(detect_document_type(DOC), Some(DocumentType::Doc));
        assert_eq!(detect_document_type(&docx()), Some(DocumentType::Docx));
        assert_eq!(detect_document_type(&xlsx()), None);
        assert_eq!(detect_document_type(b"GIF89a"), None);
        assert_eq!(detect_document_type(b"<html>"), None);
        assert_eq!(detect_document_type(b"MZ\x90\x00"), None);
        assert_eq!(detect_document_type(b""), None);
        // A renamed file is judged by what it is, not its name.
        let renamed = DocumentDraft {
            title: "Plan".into(),
            file_name: "plan.pdf".into(),
            link: Some(link("Test13")),
        };
        let facts = FileFacts {
            size: 100,
            prefix: b"GIF89a",
            sha256: sha(),
        };
        assert_eq!(
            DocumentMeta::parse(DocumentId(Uuid::from_u128(1)), renamed, facts)
                .unwrap_err()
                .into_vec(),
            vec![FieldError::new(
                "file",
                "The selected file must be a Word document, PDF, JPEG or PNG"
            )]
        );
    }

    #[test]
    fn at_most_fifteen_megabytes() {
        assert_eq!(MAX_DOCUMENT_BYTES, 15_728_640);
        assert_eq!(check_file(MAX_DOCUMENT_BYTES, PDF), Ok(DocumentType::Pdf));
        assert_eq!(
            check_file(MAX_DOCUMENT_BYTES + 1, PDF),
            Err(DocumentError::TooLarge)
        );
        assert_eq!(check_file(0, PDF), Err(DocumentError::Empty));
        assert_eq!(
            DocumentError::TooLarge.to_string(),
            "The selected file must be 15 MB or smaller"
        );
    }

    #[test]
    fn metadata_reports_every_problem_and_relinks() {
        let facts = FileFacts {
            size: MAX_DOCUMENT_BYTES + 1,
            prefix: PDF,
            sha256: sha(),
        };
        assert_eq!(
            DocumentMeta::parse(
                DocumentId(Uuid::from_u128(1)),
                DocumentDraft::default(),
                facts
            )
            .unwrap_err()
            .paths(),
            ["title", "file_name", "link", "file"]
        );
        let draft = DocumentDraft {
            title: "Family plan".into(),
            file_name: "Test13-210116-ETHFamilyPlan.docx".into(),
            link: Some(link("Test31")),
        };
        let doc = DocumentMeta::parse(
            DocumentId(Uuid::from_u128(1)),
            draft,
            FileFacts {
                size: 2048,
                prefix: &docx(),
                sha256: sha(),
            },
        )
        .unwrap();
        assert_eq!(doc.content_type(), DocumentType::Docx);
        assert!(!doc.follows_naming_convention());
        let fixed = doc.relink(link("Test13"));
        assert_eq!(fixed.link().case_reference.as_deref(), Some("Test13"));
        assert!(fixed.follows_naming_convention());
        assert_eq!(fixed.sha256(), doc.sha256());
        assert_eq!(fixed.id(), doc.id());
    }

    #[test]
    fn suggested_file_names() {
        let date = NaiveDate::from_ymd_opt(2021, 1, 16).unwrap();
        assert_eq!(
            suggest_file_name("Test13", date, "ETH family plan.docx", DocumentType::Docx),
            "Test13-210116-ETHFamilyPlan.docx"
        );
        assert_eq!(
            suggest_file_name("FSP-000123", date, "scan (2)", DocumentType::Jpeg),
            "FSP-000123-210116-Scan2.jpg"
        );
        assert_eq!(
            suggest_file_name("Test13", date, "***", DocumentType::Pdf),
            "Test13-210116-Document.pdf"
        );
        assert!(follows_naming_convention(
            "Test13-210116-ETHFamilyPlan.xlsx",
            "Test13"
        ));
        assert!(!follows_naming_convention(
            "Test13-2101-ETHFamilyPlan.docx",
            "Test13"
        ));
        assert!(!follows_naming_convention("family plan.docx", "Test13"));
    }

    #[test]
    fn sha256_is_sixty_four_hex_digits() {
        assert_eq!(
            Sha256Hex::parse(&"A".repeat(64)).unwrap().as_str(),
            "a".repeat(64)
        );
        assert_eq!(Sha256Hex::parse("abc"), Err(Sha256Error));
        assert!(serde_json::from_str::<Sha256Hex>(&format!("\"{}\"", "g".repeat(64))).is_err());
    }
}
