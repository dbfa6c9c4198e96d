//! Field errors, collected so a form can show every problem at once.
//!
//! Paths name the field the way the draft types serialise it, e.g.
//! `family_members[3].date_of_birth` or `aspects.health.score`, so the UI can link an
//! error summary to the input.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::plan::DateParts;

/// One problem with one field, worded for a practitioner (GOV.UK style).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FieldError {
    /// Where the problem is, e.g. `family_members[3].date_of_birth`.
    pub path: String,
    /// What to do about it, e.g. "Enter the child's date of birth".
    pub message: String,
}

impl FieldError {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Every field error found in a record; never empty when returned as an `Err`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[error("there is a problem with {} field(s): {}", .0.len(), summary(.0))]
pub struct ValidationErrors(pub Vec<FieldError>);

fn summary(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| e.path.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

impl ValidationErrors {
    pub fn errors(&self) -> &[FieldError] {
        &self.0
    }

    pub fn into_vec(self) -> Vec<FieldError> {
        self.0
    }

    /// The paths, in order; handy in tests and for focusing the first field.
    pub fn paths(&self) -> Vec<&str> {
        self.0.iter().map(|e| e.path.as_str()).collect()
    }

    /// `Ok(())` when there are no errors, otherwise all of them.
    pub fn check(errors: Vec<FieldError>) -> Result<(), ValidationErrors> {
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors(errors))
        }
    }
}

/// Collects errors while a validator walks a draft.
#[derive(Debug, Default)]
pub(crate) struct Errors(pub(crate) Vec<FieldError>);

impl Errors {
    pub(crate) fn new() -> Errors {
        Errors(Vec::new())
    }

    pub(crate) fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError::new(path, message));
    }

    /// Blank (empty or only whitespace) text is an error.
    pub(crate) fn required(&mut self, path: impl Into<String>, value: &str, message: &str) {
        if is_blank(value) {
            self.push(path, message);
        }
    }

    pub(crate) fn required_some<T>(
        &mut self,
        path: impl Into<String>,
        value: &Option<T>,
        message: &str,
    ) {
        if value.is_none() {
            self.push(path, message);
        }
    }

    /// A date typed but not finished at `path`, whose answer `date` is still empty: the
    /// problem of its `parts`, naming the field by `label` ("The child's date of birth must
    /// include a year"), in place of any "Enter the date" there. A date answered, or parts
    /// with nothing to say, add nothing.
    pub(crate) fn unfinished_date(
        &mut self,
        path: &str,
        label: &str,
        date: Option<NaiveDate>,
        parts: Option<&DateParts>,
    ) {
        if date.is_some() {
            return;
        }
        if let Some(problem) = parts.and_then(DateParts::problem) {
            self.replace_or_push(path, format!("{label} {problem}"));
        }
    }

    /// Replaces the message of the error at `path`, or adds one there.
    pub(crate) fn replace_or_push(&mut self, path: &str, message: String) {
        match self.0.iter_mut().find(|e| e.path == path) {
            Some(existing) => existing.message = message,
            None => self.push(path, message),
        }
    }

    pub(crate) fn into_vec(self) -> Vec<FieldError> {
        self.0
    }

    pub(crate) fn finish(self) -> Result<(), ValidationErrors> {
        ValidationErrors::check(self.0)
    }
}

pub(crate) fn is_blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// Joins a path prefix and a field name: `join("consent", "phone")` is `consent.phone`.
pub(crate) fn join(prefix: &str, field: &str) -> String {
    if prefix.is_empty() {
        field.to_owned()
    } else {
        format!("{prefix}.{field}")
    }
}

/// A path to an item of a list: `item("family_members", 3)` is `family_members[3]`.
pub(crate) fn item(prefix: &str, index: usize) -> String {
    format!("{prefix}[{index}]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_message_lists_every_path() {
        let e = ValidationErrors(vec![
            FieldError::new("a", "Enter a"),
            FieldError::new("b[1].c", "Enter c"),
        ]);
        assert_eq!(
            e.to_string(),
            "there is a problem with 2 field(s): a, b[1].c"
        );
        assert_eq!(e.paths(), vec!["a", "b[1].c"]);
    }

    #[test]
    fn check_is_ok_only_when_empty() {
        assert_eq!(ValidationErrors::check(vec![]), Ok(()));
        assert!(ValidationErrors::check(vec![FieldError::new("a", "m")]).is_err());
    }

    #[test]
    fn paths_join() {
        assert_eq!(join("", "x"), "x");
        assert_eq!(
            join(&item("family_members", 3), "date_of_birth"),
            "family_members[3].date_of_birth"
        );
    }
}
