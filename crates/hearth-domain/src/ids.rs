//! Newtype ids. Every record gets a client-made UUIDv7, passed in (this crate makes none).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::kind::RecordKind;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            pub fn as_uuid(self) -> Uuid {
                self.0
            }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> $name {
                $name(u)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A Family Support Plan.
    PlanId
);
id_type!(
    /// A review of a plan.
    ReviewId
);
id_type!(
    /// A referral to the MASH.
    ReferralId
);
id_type!(
    /// A request for support to a commissioned service.
    RequestId
);
id_type!(
    /// A delegated task.
    TaskId
);
id_type!(
    /// A contribution made for a delegated task.
    ContributionId
);
id_type!(
    /// Metadata of a stored document.
    DocumentId
);
id_type!(
    /// A user account (always one person).
    UserId
);
id_type!(
    /// A service (team) users belong to.
    ServiceId
);
id_type!(
    /// A work group: the users a task can be re-assigned between.
    WorkGroupId
);
id_type!(
    /// A transfer of a plan from one coordinator to another.
    TransferId
);

/// The provisional reference shown at once, before the server's permanent one (e.g.
/// `FSP-000123`) arrives on first sync: the kind's prefix, `L` for local, and the last
/// eight hex digits of the record's id (the random part of a UUIDv7), e.g. `FSP-L3F2A9C1B`.
pub fn provisional_reference(kind: RecordKind, id: Uuid) -> String {
    let hex = id.simple().to_string().to_ascii_uppercase();
    format!("{}-L{}", kind.reference_prefix(), &hex[hex.len() - 8..])
}

/// Is this a provisional (local) reference rather than the server's permanent one?
pub fn is_provisional_reference(reference: &str) -> bool {
    reference
        .split_once('-')
        .is_some_and(|(_, rest)| rest.starts_with('L'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provisional_references() {
        let id = Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_3f2a_9c1b);
        assert_eq!(provisional_reference(RecordKind::Plan, id), "FSP-L3F2A9C1B");
        assert_eq!(
            provisional_reference(RecordKind::Referral, id),
            "MARF-L3F2A9C1B"
        );
        assert!(is_provisional_reference("FSP-L3F2A9C1B"));
        assert!(!is_provisional_reference("FSP-000123"));
        assert_eq!(PlanId(id).to_string(), id.to_string());
    }
}
