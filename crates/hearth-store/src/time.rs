//! Times are stored as fixed-width RFC 3339 text in UTC, so text order is time order.

use chrono::{DateTime, SecondsFormat, Utc};

use crate::error::{StoreError, StoreResult};

pub(crate) fn encode(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub(crate) fn decode(text: &str) -> StoreResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| StoreError::Unreadable("a stored time".to_owned()))
}
