//! The values commands return to the UI. Exported to TypeScript by tauri-specta, so the UI
//! never declares them itself. Field names are camelCase on the wire.

use chrono::{DateTime, Utc};
use hearth_domain::RecordKind;
use serde::Serialize;
use specta::Type;

/// Which screen the window should show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
pub enum AppStatus {
    /// First run (or after a wipe): ask for the server's address.
    ConnectServer,
    /// No session on this device: sign in online (email, password, emailed code).
    SignIn,
    /// Signed in, but locked (start, idle, "Lock"): ask for the password ("Unlock Hearth").
    Locked,
    /// The cache is open: show the dashboard.
    Unlocked,
}

/// What the window polls every few seconds: the screen it should be on, why, the idle-lock
/// limit and the sync bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ShellStatus {
    pub status: AppStatus,
    /// Why the app moved to this screen (idle lock, session ended, wipe), shown once.
    pub notice: Option<String>,
    /// The UI locks (after flushing drafts) after this many seconds without input.
    pub idle_lock_seconds: u32,
    pub sync: SyncStatus,
}

/// The sync engine's state, as the sync bar shows it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Type)]
pub enum SyncState {
    /// Not signed in or locked: nothing runs.
    #[default]
    Off,
    Syncing,
    /// The last sync finished without error.
    UpToDate,
    /// The server cannot be reached; changes wait on this device.
    Offline,
    /// The session ended: sign in again to sync.
    SignInNeeded,
    /// The last sync failed for another reason (see `message`).
    Failed,
}

/// What the sync bar shows. Counts saturate at `u32::MAX` (JavaScript numbers).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    pub state: SyncState,
    pub last_synced_at: Option<DateTime<Utc>>,
    /// Conflicts waiting for the practitioner to resolve.
    pub conflicts: u32,
    /// Local edits not yet acknowledged by the server.
    pub pending_changes: u32,
    /// The records those edits belong to (what the sync bar counts).
    pub pending_records: u32,
    /// During a push: changes sent and the total to send, and bytes sent.
    pub upload: Option<Progress>,
    /// During a pull: records received so far and bytes received (the total is unknown).
    pub download: Option<Progress>,
    /// The last failure, in words for the practitioner.
    pub message: Option<String>,
    /// Goes up after each finished sync: the UI reloads the dashboard when it changes.
    pub completed_syncs: u32,
}

impl SyncStatus {
    /// The outbox figures, from [`hearth_store::Store::pending`].
    pub fn set_pending(&mut self, (edits, records): (u64, u64)) {
        self.pending_changes = saturating_u32(edits);
        self.pending_records = saturating_u32(records);
    }
}

/// A progress figure for the sync bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    pub done: u32,
    /// `None` when the total is not known (pulls).
    pub total: Option<u32>,
    pub bytes: u32,
}

/// What "Sign in" answered: the code was emailed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CodeSent {
    pub email: String,
    pub code_expires_at: DateTime<Utc>,
}

/// The home screen's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    pub plans: PlanCounts,
    pub sync: SyncSummary,
    /// The few plans, referrals and requests saved most recently, newest first.
    pub records: Vec<LocalRecord>,
    /// How many plans, referrals and requests the local store holds in all.
    pub records_on_device: u32,
}

/// One record in the local store, as the "Your records on this device" list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct LocalRecord {
    /// The record's id (a UUID), passed back to `print_record`.
    pub id: String,
    pub kind: RecordKind,
    /// The label the wizard gave it (e.g. the child's name); `None` until it has one.
    pub title: Option<String>,
    /// The permanent reference from the server, else the provisional one made here.
    pub reference: String,
    /// True when `reference` is the server's permanent one.
    pub reference_is_permanent: bool,
    /// `draft`, `completed`, `closed`, … as the store keeps it.
    pub status: String,
    pub last_saved_at: DateTime<Utc>,
}

impl From<&hearth_store::RecordSummary> for LocalRecord {
    fn from(summary: &hearth_store::RecordSummary) -> Self {
        Self {
            id: summary.id.to_string(),
            kind: summary.kind,
            title: summary.title.clone(),
            reference: summary
                .server_reference
                .clone()
                .unwrap_or_else(|| summary.local_reference.clone()),
            reference_is_permanent: summary.server_reference.is_some(),
            status: summary.status.clone(),
            last_saved_at: summary.last_saved_at,
        }
    }
}

/// What "Download / print" did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(tag = "outcome", rename_all = "camelCase")]
pub enum PrintOutcome {
    /// The PDF was written here; `open_saved_pdf` may open it.
    #[serde(rename_all = "camelCase")]
    Saved { path: String, file_name: String },
    /// The practitioner closed the save dialog: nothing was written.
    Cancelled,
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
    /// The records those edits belong to.
    pub pending_records: u32,
}

impl Dashboard {
    /// The figures from `counts`, and `records` (already in the order to show).
    pub fn new(
        counts: &hearth_store::Counts,
        records: Vec<LocalRecord>,
        records_on_device: u64,
    ) -> Self {
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
                pending_records: saturating_u32(counts.pending_records),
            },
            records,
            records_on_device: saturating_u32(records_on_device),
        }
    }
}

/// JavaScript numbers are not 64-bit integers; no caseload gets near `u32::MAX`.
pub(crate) fn saturating_u32(n: u64) -> u32 {
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
            pending_records: 2,
        };
        let dashboard = Dashboard::new(&counts, Vec::new(), 0);
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
                    pending_changes: 11,
                    pending_records: 2,
                },
                records: Vec::new(),
                records_on_device: 0,
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
        let dashboard = Dashboard::new(&counts, Vec::new(), 0);
        assert_eq!(dashboard.plans.drafts_in_progress, 0);
        assert_eq!(dashboard.sync.pending_changes, u32::MAX);
    }

    #[test]
    fn a_local_record_shows_the_permanent_reference_once_there_is_one() {
        use chrono::TimeZone as _;
        let saved = chrono::Utc
            .with_ymd_and_hms(2026, 11, 20, 14, 5, 0)
            .unwrap();
        let mut summary = hearth_store::RecordSummary {
            id: hearth_store::RecordId::new_at(saved),
            kind: RecordKind::Referral,
            status: "draft".into(),
            local_reference: "LOCAL-MARF-0123456789".into(),
            server_reference: None,
            title: Some("Invented title".into()),
            last_step: 2,
            steps_saved: vec![1, 2],
            version: 2,
            server_version: None,
            created_at: saved,
            last_saved_at: saved,
        };
        let local = LocalRecord::from(&summary);
        assert_eq!(local.id, summary.id.to_string());
        assert_eq!(local.reference, "LOCAL-MARF-0123456789");
        assert!(!local.reference_is_permanent);
        assert_eq!(local.title.as_deref(), Some("Invented title"));

        summary.server_reference = Some("MARF-000042".into());
        let synced = LocalRecord::from(&summary);
        assert_eq!(synced.reference, "MARF-000042");
        assert!(synced.reference_is_permanent);
        assert_eq!(
            serde_json::to_value(&synced).unwrap()["lastSavedAt"],
            "2026-11-20T14:05:00Z"
        );
    }
}
