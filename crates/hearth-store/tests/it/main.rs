//! Integration tests of hearth-store: one binary, a fresh temporary data folder per test.

mod columns;
mod crash;
mod document_sync;
mod documents;
mod drafts;
mod helpers;
mod keyring;
mod keys;
mod search;
mod sentinel;
mod sqlite_build;
