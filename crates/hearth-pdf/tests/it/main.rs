//! Integration tests for `hearth-pdf`: render documents and check them with the real
//! tools (`qpdf`, `pdftotext`, `pdffonts`, `pdfinfo`, `pdftoppm`). The tools must be
//! installed; a missing tool fails the test rather than skipping it.

mod errors;
mod fixture;
mod helpers;
mod layout;
mod maximal;
mod records;
mod records_fixture;
