//! Newtype ids. Records and documents use client-made UUIDv7 ids (DESIGN.md, sync contract).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A new UUIDv7 whose time part is `at` (the caller's clock) and the rest random.
            pub fn new_at(at: DateTime<Utc>) -> Self {
                let secs = u64::try_from(at.timestamp()).unwrap_or(0);
                let ts = uuid::Timestamp::from_unix(uuid::NoContext, secs, at.timestamp_subsec_nanos());
                Self(Uuid::new_v7(ts))
            }

            /// Wraps an existing id (for example one that came from the server).
            pub fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

uuid_id!(
    /// The id of a record (plan, referral, …): a UUIDv7 made on the client.
    RecordId
);
uuid_id!(
    /// The id of a stored document; documents are records of kind `Document` too.
    DocumentId
);
uuid_id!(
    /// This device's cache, as the sync protocol knows it; made once when the cache is created.
    ClientId
);

/// Position of a mutation in this client's outbox: per client, strictly increasing, no gaps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MutationId(pub i64);

impl fmt::Display for MutationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
