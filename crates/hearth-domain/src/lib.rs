//! Hearth's records and the rules the four systems it replaces enforce.
//!
//! Pure: nothing here does IO or reads a clock; time is passed in.

pub mod kind;

pub use kind::RecordKind;
