//! The values commands return to the UI. Exported to TypeScript by tauri-specta, so the UI
//! never declares them itself. Field names are camelCase on the wire.

use serde::Serialize;
use specta::Type;

/// Which screen the window should show first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
pub enum AppStatus {
    /// The cache is open: show the dashboard.
    Unlocked,
    /// No OS keyring and no cache yet: ask for a new local password.
    SetPassword,
    /// A password-protected cache exists: ask for its password.
    EnterPassword,
}

/// The home screen's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    pub plans: PlanCounts,
    pub sync: SyncSummary,
}

/// The Family Support Plan tiles (PRODUCT.md). `None` is a figure this device cannot know
/// until it has synced with the server (reviews, transfers and sharing come from there);
/// the UI says so instead of showing a number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PlanCounts {
    pub drafts_in_progress: u32,
    pub completed: u32,
    pub review_overdue_6_weeks: Option<u32>,
    pub review_overdue_12_weeks: Option<u32>,
    pub closed: u32,
    pub transfers_awaiting_me: Option<u32>,
    pub shared_with_several_coordinators: Option<u32>,
}

/// What the sync bar shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SyncSummary {
    /// Local edits in the outbox that the server has not acknowledged yet.
    pub pending_changes: u32,
}

impl Dashboard {
    pub fn from_counts(counts: &hearth_store::Counts) -> Self {
        let plan_drafts = counts
            .drafts
            .get(&hearth_domain::RecordKind::Plan)
            .copied()
            .unwrap_or(0);
        Self {
            plans: PlanCounts {
                drafts_in_progress: saturating_u32(plan_drafts),
                completed: saturating_u32(counts.completed_plans),
                review_overdue_6_weeks: None,
                review_overdue_12_weeks: None,
                closed: saturating_u32(counts.closed_plans),
                transfers_awaiting_me: None,
                shared_with_several_coordinators: None,
            },
            sync: SyncSummary {
                pending_changes: saturating_u32(counts.pending_outbox),
            },
        }
    }
}

/// JavaScript numbers are not 64-bit integers; no caseload gets near `u32::MAX`.
fn saturating_u32(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use hearth_domain::RecordKind;

    use super::*;

    #[test]
    fn plan_tiles_come_from_the_store_counts_and_the_rest_wait_for_sync() {
        let counts = hearth_store::Counts {
            drafts: BTreeMap::from([(RecordKind::Plan, 3), (RecordKind::Referral, 5)]),
            completed_plans: 7,
            closed_plans: 2,
            pending_outbox: 11,
        };
        let dashboard = Dashboard::from_counts(&counts);
        assert_eq!(
            dashboard,
            Dashboard {
                plans: PlanCounts {
                    drafts_in_progress: 3,
                    completed: 7,
                    review_overdue_6_weeks: None,
                    review_overdue_12_weeks: None,
                    closed: 2,
                    transfers_awaiting_me: None,
                    shared_with_several_coordinators: None,
                },
                sync: SyncSummary {
                    pending_changes: 11
                },
            }
        );
    }

    #[test]
    fn no_plan_drafts_is_zero_and_huge_counts_saturate() {
        let counts = hearth_store::Counts {
            drafts: BTreeMap::from([(RecordKind::Referral, 1)]),
            pending_outbox: u64::MAX,
            ..Default::default()
        };
        let dashboard = Dashboard::from_counts(&counts);
        assert_eq!(dashboard.plans.drafts_in_progress, 0);
        assert_eq!(dashboard.sync.pending_changes, u32::MAX);
    }
}
