//! Referral drafts are deleted 30 days after their last save, with a warning a few days
//! before (PRODUCT.md, the MASH referral), on the server as on the device. The boundaries
//! are the domain's ([`hearth_domain::dates::draft_expiry`]), given the server's record of
//! the last save: the time it applied the draft's latest mutation (`updated_at`). A save
//! reaches the server no earlier than it was made, so the server never deletes a draft
//! sooner than the device that saved it would.
//!
//! [`sweep`] (run by `serve` once at start and then every [`SWEEP_EVERY`], with the state's
//! clock; callable directly) looks at every live draft past the start of its warning window:
//! - expired: the draft and the documents attached to it become tombstones in the change
//!   log, their fields emptied (the author's devices remove them on their next pull, as
//!   after a device's own discard), each deletion audited by id;
//! - in the warning window: one email to its author is queued through `mail_queue`, once
//!   per save (`draft_expiry_notices` remembers the save it warned about; a later save moves
//!   the expiry and a new window gets its own warning).
//!
//! A submitted referral is never deleted, whatever its age. Replicas may sweep at the same
//! time: each deletion and each warning re-reads the draft under its row lock.

use std::sync::{Arc, Weak};

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use hearth_domain::dates::{draft_expiry, draft_warn_from, DraftExpiry};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::app::AppState;
use crate::clock::Clock;
use crate::mail::{messages, Email};
use crate::store::{QueuedMail, Store};

/// The `mail_queue` kind of the expiry warning.
pub const DRAFT_EXPIRING: &str = "draft_expiring";

/// How often `serve` sweeps (and once when it starts).
pub const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(60 * 60);

/// Drafts read per page.
const PAGE: i64 = 500;

/// What one sweep did (ids only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Swept {
    /// Drafts deleted.
    pub deleted: Vec<Uuid>,
    /// Documents deleted with them.
    pub documents: Vec<Uuid>,
    /// Drafts whose author was warned.
    pub warned: Vec<Uuid>,
}

/// The last saves that are no longer simply kept at `now`: at or before this time. The
/// domain's warning starts a fixed time after a save, so this is exact; each draft is then
/// classified by [`draft_expiry`] itself.
fn not_kept_if_saved_by(now: DateTime<Utc>) -> DateTime<Utc> {
    now - (draft_warn_from(now) - now)
}

/// One sweep at `now` (see the module's documentation).
pub async fn sweep_at(store: &dyn Store, now: DateTime<Utc>) -> anyhow::Result<Swept> {
    let mut swept = Swept::default();
    let saved_by = not_kept_if_saved_by(now);
    let mut after = None;
    loop {
        let page = store.live_drafts(saved_by, after, PAGE).await?;
        for d in &page {
            match draft_expiry(d.last_saved, now) {
                DraftExpiry::Expired => {
                    if let Some(documents) = store.draft_expire(d.id, d.last_saved, now).await? {
                        swept.deleted.push(d.id);
                        swept.documents.extend(documents);
                    }
                }
                DraftExpiry::ExpiresSoon { .. } => {
                    if d.warned_for != Some(d.last_saved)
                        && store.draft_warn(d.id, d.last_saved, now).await?
                    {
                        swept.warned.push(d.id);
                    }
                }
                DraftExpiry::Kept { .. } => {}
            }
        }
        match page.last() {
            Some(last) if page.len() == usize::try_from(PAGE).unwrap_or(usize::MAX) => {
                after = Some((last.last_saved, last.id));
            }
            _ => return Ok(swept),
        }
    }
}

/// One sweep with the state's clock; wakes the notice sender when it queued a warning.
pub async fn sweep(state: &AppState) -> anyhow::Result<Swept> {
    sweep_with(&*state.store, &*state.clock, &state.mail_wake).await
}

async fn sweep_with(store: &dyn Store, clock: &dyn Clock, wake: &Notify) -> anyhow::Result<Swept> {
    let swept = sweep_at(store, clock.now()).await?;
    if !swept.warned.is_empty() {
        wake.notify_one();
    }
    if !swept.deleted.is_empty() || !swept.warned.is_empty() {
        tracing::info!(
            deleted = swept.deleted.len(),
            documents = swept.documents.len(),
            warned = swept.warned.len(),
            "referral drafts swept (deleted 30 days after their last save)"
        );
    }
    Ok(swept)
}

/// The sweeper task: sweeps at once, then every `every`, until the store is dropped.
pub async fn run(
    store: Weak<dyn Store>,
    clock: Arc<dyn Clock>,
    wake: Arc<Notify>,
    every: std::time::Duration,
) {
    loop {
        let Some(s) = store.upgrade() else { return };
        if let Err(e) = sweep_with(&*s, &*clock, &wake).await {
            tracing::warn!(error = %e, "sweeping referral drafts failed; trying again later");
        }
        drop(s);
        tokio::time::sleep(every).await;
    }
}

/// The warning for a queued `draft_expiring` email, worded now: `None` when it no longer
/// holds (the draft was saved again since it was queued, submitted, deleted, or is past
/// its window).
pub(crate) fn warning(to: &str, m: &QueuedMail, now: DateTime<Utc>) -> Option<Email> {
    let saved = m.draft_last_saved?;
    if saved > m.queued_at {
        return None;
    }
    match draft_expiry(saved, now) {
        DraftExpiry::ExpiresSoon { expires_at } => Some(messages::draft_expiring(
            to,
            m.reference.as_deref().unwrap_or(&m.record_id),
            &uk_date(expires_at),
        )),
        DraftExpiry::Kept { .. } | DraftExpiry::Expired => None,
    }
}

/// The last Sunday of `month`.
fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let first_of_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }
    .unwrap_or_default();
    let last = first_of_next - Days::new(1);
    last - Days::new(u64::from(last.weekday().num_days_from_sunday()))
}

/// The date in the UK ("21 December 2026"): British Summer Time from 01:00 UTC on the last
/// Sunday of March to 01:00 UTC on the last Sunday of October, GMT otherwise.
pub fn uk_date(t: DateTime<Utc>) -> String {
    let y = t.year();
    let at_one = |d: NaiveDate| d.and_hms_opt(1, 0, 0).unwrap_or_default().and_utc();
    let summer = t >= at_one(last_sunday(y, 3)) && t < at_one(last_sunday(y, 10));
    let local = if summer {
        t + chrono::Duration::hours(1)
    } else {
        t
    };
    local.date_naive().format("%-d %B %Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};
    use hearth_domain::dates::draft_expires_at;

    fn t(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    #[test]
    fn the_sweep_reads_exactly_the_saves_the_domain_does_not_keep() {
        let now = t(2026, 12, 21, 9, 0);
        let bound = not_kept_if_saved_by(now);
        let ms = Duration::milliseconds(1);
        assert!(matches!(
            draft_expiry(bound, now),
            DraftExpiry::ExpiresSoon { .. }
        ));
        assert!(matches!(
            draft_expiry(bound + ms, now),
            DraftExpiry::Kept { .. }
        ));
        // Exactly 30 days after the last save it is deleted; a millisecond before, not yet.
        let saved = now - Duration::days(30);
        assert_eq!(draft_expires_at(saved), now);
        assert_eq!(draft_expiry(saved, now), DraftExpiry::Expired);
        assert!(matches!(
            draft_expiry(saved + ms, now),
            DraftExpiry::ExpiresSoon { .. }
        ));
        assert!(saved <= bound);
    }

    #[test]
    fn uk_dates_follow_british_summer_time() {
        assert_eq!(uk_date(t(2026, 12, 21, 9, 0)), "21 December 2026");
        // 2026: BST from 29 March 01:00 UTC to 25 October 01:00 UTC.
        assert_eq!(
            last_sunday(2026, 3),
            NaiveDate::from_ymd_opt(2026, 3, 29).unwrap()
        );
        assert_eq!(
            last_sunday(2026, 10),
            NaiveDate::from_ymd_opt(2026, 10, 25).unwrap()
        );
        assert_eq!(uk_date(t(2026, 7, 1, 23, 30)), "2 July 2026");
        assert_eq!(uk_date(t(2026, 7, 1, 22, 59)), "1 July 2026");
        assert_eq!(uk_date(t(2026, 3, 29, 0, 59)), "29 March 2026");
        assert_eq!(uk_date(t(2026, 3, 28, 23, 30)), "28 March 2026");
        assert_eq!(uk_date(t(2026, 10, 24, 23, 30)), "25 October 2026");
        assert_eq!(uk_date(t(2026, 10, 25, 23, 30)), "25 October 2026");
        assert_eq!(uk_date(t(2026, 1, 31, 23, 59)), "31 January 2026");
        assert_eq!(
            last_sunday(2027, 12),
            NaiveDate::from_ymd_opt(2027, 12, 26).unwrap()
        );
    }

    fn queued(saved: Option<DateTime<Utc>>, queued_at: DateTime<Utc>) -> QueuedMail {
        QueuedMail {
            id: "m".into(),
            kind: DRAFT_EXPIRING.into(),
            to: Some("alex@example.invalid".into()),
            reference: Some("MARF-000001".into()),
            record_id: Uuid::nil().to_string(),
            queued_at,
            draft_last_saved: saved,
        }
    }

    #[test]
    fn a_warning_names_the_reference_and_the_date_and_only_while_it_holds() {
        let saved = t(2026, 11, 21, 9, 0);
        let queued_at = saved + Duration::days(25);
        let m = queued(Some(saved), queued_at);
        let email = warning("alex@example.invalid", &m, queued_at).expect("a warning");
        assert!(
            email.body.contains(
                "Your draft referral MARF-000001 will be deleted on 21 December 2026 unless you save it."
            ),
            "{}",
            email.body
        );
        // Saved again after it was queued: the date no longer holds.
        let later = queued(Some(saved + Duration::days(26)), queued_at);
        assert!(warning("a@example.invalid", &later, queued_at + Duration::days(1)).is_none());
        // Deleted or submitted: nothing.
        assert!(warning("a@example.invalid", &queued(None, queued_at), queued_at).is_none());
        // Sent only after the draft expired: nothing.
        assert!(warning("a@example.invalid", &m, saved + Duration::days(30)).is_none());
        // No reference: the record's id.
        let mut no_ref = queued(Some(saved), queued_at);
        no_ref.reference = None;
        let email = warning("a@example.invalid", &no_ref, queued_at).unwrap();
        assert!(
            email.body.contains(&Uuid::nil().to_string()),
            "{}",
            email.body
        );
    }
}
