//! The kinds of record Hearth keeps, as stored and synced.

use serde::{Deserialize, Serialize};

/// Every record kind that has drafts, an outbox and a place in search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// Family Support Plan (seed 001).
    Plan,
    /// A review of a Family Support Plan, which may close it.
    Review,
    /// Referral to the MASH (seed 003).
    Referral,
    /// Request for support to a commissioned service (seed 000).
    Request,
    /// A task delegated to a partner for an EHC needs assessment (seed 002).
    Task,
    /// The contribution made for a delegated task.
    Contribution,
    /// Metadata of a stored document.
    Document,
}

impl RecordKind {
    pub const ALL: [RecordKind; 7] = [
        RecordKind::Plan,
        RecordKind::Review,
        RecordKind::Referral,
        RecordKind::Request,
        RecordKind::Task,
        RecordKind::Contribution,
        RecordKind::Document,
    ];

    /// The stable name used in storage and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Plan => "plan",
            RecordKind::Review => "review",
            RecordKind::Referral => "referral",
            RecordKind::Request => "request",
            RecordKind::Task => "task",
            RecordKind::Contribution => "contribution",
            RecordKind::Document => "document",
        }
    }

    /// The inverse of [`RecordKind::as_str`].
    pub fn parse(s: &str) -> Option<RecordKind> {
        RecordKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Prefix of the permanent reference number given by the server (e.g. `FSP-000123`).
    pub fn reference_prefix(self) -> &'static str {
        match self {
            RecordKind::Plan => "FSP",
            RecordKind::Review => "REV",
            RecordKind::Referral => "MARF",
            RecordKind::Request => "RFS",
            RecordKind::Task => "TSK",
            RecordKind::Contribution => "CON",
            RecordKind::Document => "DOC",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in RecordKind::ALL {
            assert_eq!(RecordKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(RecordKind::parse("nope"), None);
    }
}
