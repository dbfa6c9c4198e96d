//! Referral drafts are deleted 30 days after their last save, with a warning a few days
//! before (PRODUCT.md, the MASH referral), on the server as on the device. The boundaries
//! are the domain's ([`hearth_domain::dates::draft_expiry`]), counted on the server from
//! [`counted_from`]: the last save it has (when it applied the draft's latest mutation,
//! `updated_at`), or later while a device of the author may still hold a save it has not
//! sent.
//!
//! Such a save is bounded by what the device may do offline (src-tauri `session`, `shell`):
//! - a device in use may be unlocked offline until the policy's offline period
//!   ([`hearth_protocol::auth::ClientPolicy::offline_days`]) has run out since its last
//!   online contact (a sign-in or token refresh: when its newest access token was issued),
//!   and an unlocked session goes on until it locks; after that it needs an online sign-in,
//!   which pushes what it holds. So its saves are no later than that contact + the offline
//!   period + [`OPEN_SESSION_ALLOWANCE`];
//! - a device that signed itself out cannot be used until it signs in online again: its
//!   unsent saves are no later than its sign-out;
//! - a device to be wiped sends nothing more, and a session revoked by the server (a
//!   refresh token presented twice) still counts: its device may be used offline until it
//!   next asks.
//!
//! Each device's own rule keeps a draft 30 days after the save it holds, so the server keeps
//! it until 30 days after the latest of those bounds and the last save. While a device keeps
//! in contact the sweep therefore leaves its author's drafts alone; that device deletes a
//! draft at its own 30 days and its discard deletes the server's copy.
//!
//! [`sweep`] (run by `serve` once at start and then every [`SWEEP_EVERY`], with the state's
//! clock and policy; callable directly) looks at every live draft past the start of its
//! warning window:
//! - expired: the draft and the documents attached to it become tombstones in the change
//!   log, their fields emptied (the author's devices remove them on their next pull, as
//!   after a device's own discard), each deletion audited by id;
//! - in the warning window: one email to its author is queued through `mail_queue`, once
//!   per date (`draft_expiry_notices` remembers what it counted from; a later save or
//!   contact moves the expiry and a new window gets its own warning).
//!
//! A submitted referral is never deleted, whatever its age. Replicas may sweep at the same
//! time: each deletion and each warning re-reads the draft under its row lock.

use std::sync::{Arc, Weak};

use chrono::{DateTime, Datelike, Days, Duration, NaiveDate, Utc};
use hearth_domain::dates::{draft_expiry, draft_warn_from, DraftExpiry};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::app::{AppState, Policy};
use crate::clock::Clock;
use crate::mail::{messages, Email};
use crate::store::{LiveDraft, QueuedMail, Store};

/// The `mail_queue` kind of the expiry warning.
pub const DRAFT_EXPIRING: &str = "draft_expiring";

/// How often `serve` sweeps (and once when it starts).
pub const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(60 * 60);

/// The offline period is checked when Hearth is unlocked: one unlocked at the last moment
/// stays usable until it locks (15 minutes without input, sign-out, exit). This long is
/// allowed for such a session after the offline period.
pub const OPEN_SESSION_ALLOWANCE: Duration = Duration::days(1);

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

/// What the 30 days of `draft` are counted from under `policy`: the latest of its last save
/// on the server, each in-use device's last contact + the offline period +
/// [`OPEN_SESSION_ALLOWANCE`] (the contact is when its newest access token was issued: that
/// token's expiry less [`Policy::access_token`]), and each signed-out device's sign-out.
pub fn counted_from(draft: &LiveDraft, policy: &Policy) -> DateTime<Utc> {
    let offline = Duration::days(i64::from(policy.client.offline_days));
    let in_use = draft
        .token_expires_at
        .map(|t| t - policy.access_token + offline + OPEN_SESSION_ALLOWANCE);
    [Some(draft.last_saved), in_use, draft.signed_out_at]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(draft.last_saved)
}

/// The last saves that are no longer simply kept at `now`: at or before this time. The
/// domain's warning starts a fixed time after a save, so this is exact; each draft is then
/// classified by [`draft_expiry`] on [`counted_from`], which is never earlier than its last
/// save.
fn not_kept_if_saved_by(now: DateTime<Utc>) -> DateTime<Utc> {
    now - (draft_warn_from(now) - now)
}

/// One sweep at `now` under `policy` (see the module's documentation).
pub async fn sweep_at(
    store: &dyn Store,
    now: DateTime<Utc>,
    policy: &Policy,
) -> anyhow::Result<Swept> {
    let mut swept = Swept::default();
    let saved_by = not_kept_if_saved_by(now);
    let mut after = None;
    loop {
        let page = store.live_drafts(saved_by, after, PAGE).await?;
        for d in &page {
            let from = counted_from(d, policy);
            match draft_expiry(from, now) {
                DraftExpiry::Expired => {
                    if let Some(documents) = store.draft_expire(d.id, d.last_saved, now).await? {
                        swept.deleted.push(d.id);
                        swept.documents.extend(documents);
                    }
                }
                DraftExpiry::ExpiresSoon { .. } => {
                    if d.warned_for != Some(from)
                        && store.draft_warn(d.id, d.last_saved, from, now).await?
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

/// One sweep with the state's clock and policy; wakes the notice sender when it queued a
/// warning.
pub async fn sweep(state: &AppState) -> anyhow::Result<Swept> {
    sweep_with(
        &*state.store,
        &*state.clock,
        &state.policy,
        &state.mail_wake,
    )
    .await
}

async fn sweep_with(
    store: &dyn Store,
    clock: &dyn Clock,
    policy: &Policy,
    wake: &Notify,
) -> anyhow::Result<Swept> {
    let swept = sweep_at(store, clock.now(), policy).await?;
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
    policy: Policy,
    wake: Arc<Notify>,
    every: std::time::Duration,
) {
    loop {
        let Some(s) = store.upgrade() else { return };
        if let Err(e) = sweep_with(&*s, &*clock, &policy, &wake).await {
            tracing::warn!(error = %e, "sweeping referral drafts failed; trying again later");
        }
        drop(s);
        tokio::time::sleep(every).await;
    }
}

/// The warning for a queued `draft_expiring` email, worded now with the date it was queued
/// for: `None` when it no longer holds (the draft was saved again since it was queued,
/// submitted, deleted, or is past its window).
pub(crate) fn warning(to: &str, m: &QueuedMail, now: DateTime<Utc>) -> Option<Email> {
    let saved = m.draft_last_saved?;
    if saved > m.queued_at {
        return None;
    }
    let from = m.draft_counted_from.map_or(saved, |c| c.max(saved));
    match draft_expiry(from, now) {
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
            draft_counted_from: None,
        }
    }

    #[test]
    fn a_warning_counted_from_a_device_gives_that_date() {
        let saved = t(2026, 11, 21, 9, 0);
        // Counted from 8 days after the save (a device's offline period).
        let mut m = queued(Some(saved), saved + Duration::days(33));
        m.draft_counted_from = Some(saved + Duration::days(8));
        let email = warning("a@example.invalid", &m, m.queued_at).expect("a warning");
        assert!(
            email.body.contains("will be deleted on 29 December 2026"),
            "{}",
            email.body
        );
        // Not yet in that window, and past it: nothing.
        assert!(warning("a@example.invalid", &m, saved + Duration::days(32)).is_none());
        assert!(warning("a@example.invalid", &m, saved + Duration::days(38)).is_none());
    }

    fn draft(
        saved: DateTime<Utc>,
        token: Option<DateTime<Utc>>,
        signed_out: Option<DateTime<Utc>>,
    ) -> LiveDraft {
        LiveDraft {
            id: Uuid::nil(),
            last_saved: saved,
            token_expires_at: token,
            signed_out_at: signed_out,
            warned_for: None,
        }
    }

    #[test]
    fn the_30_days_count_from_the_latest_save_a_device_may_hold() {
        let saved = t(2026, 11, 21, 9, 0);
        let mut policy = Policy::default();
        policy.client.offline_days = 7;
        let day = |n: i64| Duration::days(n);
        // No device of the author: the last save.
        assert_eq!(counted_from(&draft(saved, None, None), &policy), saved);
        // A device whose newest token was issued on the day of the save: 7 days offline
        // and the open session after them.
        let issued_then = saved + policy.access_token;
        assert_eq!(
            counted_from(&draft(saved, Some(issued_then), None), &policy),
            saved + day(8)
        );
        // A device signed out on day 3 (and none in use): day 3.
        assert_eq!(
            counted_from(&draft(saved, None, Some(saved + day(3))), &policy),
            saved + day(3)
        );
        // Contacts long before the last save do not move it.
        assert_eq!(
            counted_from(
                &draft(saved, Some(saved - day(40)), Some(saved - day(1))),
                &policy
            ),
            saved
        );
        // The latest of them all.
        assert_eq!(
            counted_from(
                &draft(saved, Some(issued_then), Some(saved + day(20))),
                &policy
            ),
            saved + day(20)
        );
        // The default policy: 30 days offline.
        assert_eq!(
            counted_from(&draft(saved, Some(issued_then), None), &Policy::default()),
            saved + day(31)
        );
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
