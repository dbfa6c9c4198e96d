//! Date rules. The clock is always passed in: `today` is a [`NaiveDate`], `now` a
//! [`DateTime<Utc>`].

use chrono::{DateTime, Days, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The statutory timeframe for health advice to an EHC needs assessment: 6 weeks.
pub const STATUTORY_TIMEFRAME_DAYS: u64 = 6 * 7;
/// A plan's review is flagged when it is overdue by more than this many days (6 weeks).
pub const REVIEW_OVERDUE_FIRST_DAYS: i64 = 6 * 7;
/// …and flagged again when overdue by more than this many days (12 weeks).
pub const REVIEW_OVERDUE_SECOND_DAYS: i64 = 12 * 7;
/// A referral draft is deleted this many days after its last save.
pub const DRAFT_LIFETIME_DAYS: i64 = 30;
/// The user is warned this many days before a draft is deleted.
pub const DRAFT_EXPIRY_WARNING_DAYS: i64 = 5;
/// The "recently retracted" and "recently submitted" trays cover this many days.
pub const RECENT_TRAY_DAYS: i64 = 30;

/// When a delegated task's contribution is due: 6 weeks after the request.
pub fn statutory_due_date(requested_on: NaiveDate) -> NaiveDate {
    requested_on + Days::new(STATUTORY_TIMEFRAME_DAYS)
}

/// How late a plan's review is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ReviewTimeliness {
    /// The review date is still ahead.
    NotYetDue,
    /// The review is due today or overdue by up to 6 weeks.
    Due,
    /// Overdue by more than 6 weeks (and not more than 12).
    OverdueMoreThanSixWeeks,
    /// Overdue by more than 12 weeks.
    OverdueMoreThanTwelveWeeks,
}

/// Classifies a review date against `today`. Exactly 6 weeks late is still [`Due`]:
/// the tiles say "more than".
///
/// [`Due`]: ReviewTimeliness::Due
pub fn review_timeliness(next_review: NaiveDate, today: NaiveDate) -> ReviewTimeliness {
    let late = (today - next_review).num_days();
    if late > REVIEW_OVERDUE_SECOND_DAYS {
        ReviewTimeliness::OverdueMoreThanTwelveWeeks
    } else if late > REVIEW_OVERDUE_FIRST_DAYS {
        ReviewTimeliness::OverdueMoreThanSixWeeks
    } else if late >= 0 {
        ReviewTimeliness::Due
    } else {
        ReviewTimeliness::NotYetDue
    }
}

/// When a draft saved at `last_saved` is deleted. Every save restarts the 30 days, so
/// pass the latest save.
pub fn draft_expires_at(last_saved: DateTime<Utc>) -> DateTime<Utc> {
    last_saved + Duration::days(DRAFT_LIFETIME_DAYS)
}

/// From when the user is warned that the draft will be deleted.
pub fn draft_warn_from(last_saved: DateTime<Utc>) -> DateTime<Utc> {
    draft_expires_at(last_saved) - Duration::days(DRAFT_EXPIRY_WARNING_DAYS)
}

/// Where a draft stands against its deletion date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum DraftExpiry {
    Kept {
        expires_at: DateTime<Utc>,
    },
    /// Warn the user: it will be deleted at `expires_at` unless saved again.
    ExpiresSoon {
        expires_at: DateTime<Utc>,
    },
    /// Past its deletion date: delete it.
    Expired,
}

pub fn draft_expiry(last_saved: DateTime<Utc>, now: DateTime<Utc>) -> DraftExpiry {
    let expires_at = draft_expires_at(last_saved);
    if now >= expires_at {
        DraftExpiry::Expired
    } else if now >= draft_warn_from(last_saved) {
        DraftExpiry::ExpiresSoon { expires_at }
    } else {
        DraftExpiry::Kept { expires_at }
    }
}

/// True when `at` is within the last 30 days of `now` (inclusive), for the
/// "recently retracted" and "recently submitted" trays.
pub fn is_recent(at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    at <= now && now - at <= Duration::days(RECENT_TRAY_DAYS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn t(y: i32, m: u32, day: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, day, h, 0, 0).unwrap()
    }

    #[test]
    fn statutory_due_date_is_six_weeks_after_the_request() {
        assert_eq!(statutory_due_date(d(2026, 11, 21)), d(2027, 1, 2));
        assert_eq!(statutory_due_date(d(2021, 6, 29)), d(2021, 8, 10));
    }

    #[test]
    fn review_overdue_boundaries_are_more_than_six_and_twelve_weeks() {
        let next = d(2026, 9, 1);
        let after = |days: u64| next + Days::new(days);
        assert_eq!(
            review_timeliness(next, d(2026, 8, 31)),
            ReviewTimeliness::NotYetDue
        );
        assert_eq!(review_timeliness(next, next), ReviewTimeliness::Due);
        assert_eq!(review_timeliness(next, after(42)), ReviewTimeliness::Due);
        assert_eq!(
            review_timeliness(next, after(43)),
            ReviewTimeliness::OverdueMoreThanSixWeeks
        );
        assert_eq!(
            review_timeliness(next, after(84)),
            ReviewTimeliness::OverdueMoreThanSixWeeks
        );
        assert_eq!(
            review_timeliness(next, after(85)),
            ReviewTimeliness::OverdueMoreThanTwelveWeeks
        );
    }

    #[test]
    fn draft_expires_thirty_days_after_the_last_save_and_moves_with_every_save() {
        let first_save = t(2026, 11, 1, 9);
        assert_eq!(draft_expires_at(first_save), t(2026, 12, 1, 9));
        assert_eq!(draft_warn_from(first_save), t(2026, 11, 26, 9));
        let second_save = t(2026, 11, 21, 14);
        assert_eq!(draft_expires_at(second_save), t(2026, 12, 21, 14));
        assert_eq!(draft_warn_from(second_save), t(2026, 12, 16, 14));

        assert_eq!(
            draft_expiry(first_save, t(2026, 11, 26, 8)),
            DraftExpiry::Kept {
                expires_at: t(2026, 12, 1, 9)
            }
        );
        assert_eq!(
            draft_expiry(first_save, t(2026, 11, 26, 9)),
            DraftExpiry::ExpiresSoon {
                expires_at: t(2026, 12, 1, 9)
            }
        );
        assert_eq!(
            draft_expiry(first_save, t(2026, 12, 1, 9)),
            DraftExpiry::Expired
        );
        // Saved again: the same moment is no longer near expiry.
        assert_eq!(
            draft_expiry(second_save, t(2026, 12, 1, 9)),
            DraftExpiry::Kept {
                expires_at: t(2026, 12, 21, 14)
            }
        );
    }

    #[test]
    fn recent_means_within_the_last_thirty_days() {
        let now = t(2026, 11, 21, 12);
        assert!(is_recent(now, now));
        assert!(is_recent(t(2026, 10, 22, 12), now));
        assert!(!is_recent(t(2026, 10, 22, 11), now));
        assert!(!is_recent(t(2026, 11, 22, 12), now));
    }
}
