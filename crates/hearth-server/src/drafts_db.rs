//! The storage side of the referral drafts' expiry ([`crate::drafts`], migration
//! `…_draft_expiry.sql`): the live drafts by last save, deleting one through the change log,
//! and the one warning per save. Expanded for SQLite and PostgreSQL from one macro with the
//! same query text, like the rest of [`crate::store`].
//!
//! Lock order, the same as a push's: the record rows (the draft, then its documents), then
//! `sync_state` (the change-log counter). Each call re-reads the draft under its row lock and
//! does nothing when it was saved, submitted or deleted since the sweep looked at it. The
//! author's devices are read without a lock: a device that signs in or refreshes after the
//! sweep read them had run out of its offline period by then (else the draft would not be
//! due), so any save it still holds is past its own 30 days too.

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A live referral draft (`kind = 'referral'`, never submitted, not deleted), as the sweep
/// reads it, with what its author's devices (not to be wiped) tell about saves the server
/// may not have received yet ([`crate::drafts::counted_from`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveDraft {
    pub id: Uuid,
    /// Its last save: the time the server applied its latest mutation (`updated_at`).
    pub last_saved: DateTime<Utc>,
    /// The latest expiry of an access token issued to a device of the author that is in
    /// use (not signed out): that token's issue is the device's last online contact.
    pub token_expires_at: Option<DateTime<Utc>>,
    /// The latest sign-out of a device of the author that signed itself out.
    pub signed_out_at: Option<DateTime<Utc>>,
    /// What the 30 days were counted from when the expiry warning was queued, if one was.
    pub warned_for: Option<DateTime<Utc>>,
}

/// The `client_id` of the change-log rows the expiry writes (no device's id is a UUID of
/// this form, so `(client_id, mutation_id)` stays unique); the mutation id is the row's
/// change-log number.
pub const EXPIRY_CLIENT: &str = "server:draft-expiry";

/// The audit action of a record the server deleted because it expired.
pub const EXPIRE_ACTION: &str = "record.expire";

/// The audit row of what the expiry sweep did to `target` (no actor, no device).
pub(crate) fn sweep_event(
    at: DateTime<Utc>,
    action: &str,
    target: &str,
    outcome: &str,
    reason: String,
) -> crate::store::AuditEvent {
    crate::store::AuditEvent {
        at,
        actor: None,
        device: None,
        action: action.to_owned(),
        target: Some(target.to_owned()),
        outcome: outcome.to_owned(),
        reason: Some(reason),
    }
}

/// The audit action of a queued expiry warning.
pub const WARN_ACTION: &str = "record.expiry_warning";

/// The inherent draft-expiry methods of one store type; the `Store` trait calls them.
macro_rules! drafts_sql {
    ($Store:ident, $Db:ty, $begin:literal) => {
        impl $Store {
            pub(crate) async fn live_drafts_impl(
                &self,
                saved_by: chrono::DateTime<chrono::Utc>,
                after: Option<(chrono::DateTime<chrono::Utc>, uuid::Uuid)>,
                limit: i64,
            ) -> Result<Vec<$crate::drafts_db::LiveDraft>> {
                // Keyset paging on (updated_at, id): the index the migration makes.
                let (after_at, after_id) = match after {
                    Some((at, id)) => (millis(at), id.to_string()),
                    None => (i64::MIN, String::new()),
                };
                // The devices through `devices_by_user` and `sessions_user`. Sessions that
                // were revoked count too: a device the server signed out (a refresh token
                // presented twice) may be used offline until it next asks, and its saves
                // arrive after its next sign-in.
                let rows: Vec<(String, i64, Option<i64>, Option<i64>, Option<i64>)> =
                    sqlx::query_as(
                    "SELECT r.id, r.updated_at, \
                       (SELECT MAX(s.access_expires_at) FROM sessions s \
                        JOIN devices d ON d.id = s.device_id AND d.user_id = s.user_id \
                        WHERE s.user_id = r.owner_id AND d.wipe_requested_at IS NULL \
                          AND d.signed_out_at IS NULL), \
                       (SELECT MAX(d.signed_out_at) FROM devices d \
                        WHERE d.user_id = r.owner_id AND d.wipe_requested_at IS NULL), \
                       n.counted_from \
                     FROM sync_records r \
                     LEFT JOIN draft_expiry_notices n ON n.record_id = r.id \
                     WHERE r.kind = 'referral' AND r.submitted = 0 AND r.deleted = 0 \
                       AND r.updated_at <= $1 \
                       AND (r.updated_at > $2 OR (r.updated_at = $2 AND r.id > $3)) \
                     ORDER BY r.updated_at, r.id LIMIT $4",
                )
                .bind(millis(saved_by))
                .bind(after_at)
                .bind(after_id)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(|(id, saved, token, signed_out, warned)| {
                        Ok($crate::drafts_db::LiveDraft {
                            id: $crate::sync_db::parse_uuid(&id)?,
                            last_saved: from_millis(saved),
                            token_expires_at: token.map(from_millis),
                            signed_out_at: signed_out.map(from_millis),
                            warned_for: warned.map(from_millis),
                        })
                    })
                    .collect()
            }

            /// Locks the draft's row when it is still a live draft last saved at `saved`;
            /// returns its owner.
            async fn lock_live_draft(
                tx: &mut sqlx::Transaction<'_, $Db>,
                id: &str,
                saved: i64,
            ) -> Result<Option<String>> {
                let row: Option<(String,)> = sqlx::query_as(
                    "UPDATE sync_records SET version = version WHERE id = $1 \
                     AND kind = 'referral' AND submitted = 0 AND deleted = 0 \
                     AND updated_at = $2 RETURNING owner_id",
                )
                .bind(id)
                .bind(saved)
                .fetch_optional(&mut **tx)
                .await?;
                Ok(row.map(|(o,)| o))
            }

            pub(crate) async fn draft_expire_impl(
                &self,
                draft: uuid::Uuid,
                last_saved: chrono::DateTime<chrono::Utc>,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<Option<Vec<uuid::Uuid>>> {
                use $crate::drafts_db::{EXPIRE_ACTION, EXPIRY_CLIENT};
                let id = draft.to_string();
                let at = millis(now);
                let mut tx = self.pool.begin_with($begin).await?;
                if Self::lock_live_draft(&mut tx, &id, millis(last_saved))
                    .await?
                    .is_none()
                {
                    // Saved, submitted or deleted since: not this sweep's to delete.
                    return Ok(None);
                }
                // The documents attached to it go too (locked before the counter).
                let documents: Vec<(String,)> = sqlx::query_as(
                    "UPDATE sync_records SET version = version \
                     WHERE parent_id = $1 AND kind = 'document' AND deleted = 0 RETURNING id",
                )
                .bind(&id)
                .fetch_all(&mut *tx)
                .await?;
                let mut documents: Vec<String> = documents.into_iter().map(|(d,)| d).collect();
                documents.sort();
                let reason_of_document = format!("attached to the expired draft {id}");
                let records = std::iter::once((&id, "referral draft not saved for 30 days"))
                    .chain(documents.iter().map(|d| (d, reason_of_document.as_str())));
                for (record, reason) in records {
                    // A tombstone like a device's discard, with nothing of the record kept:
                    // each in the change log with its own number, so every device of the
                    // author removes it on its next pull.
                    let seq = Self::next_change_seq(&mut tx).await?;
                    let (version,): (i64,) = sqlx::query_as(
                        "UPDATE sync_records SET version = version + 1, fields = '{}', \
                         deleted = 1, last_seq = $1, updated_at = $2 WHERE id = $3 \
                         RETURNING version",
                    )
                    .bind(seq)
                    .bind(at)
                    .bind(record)
                    .fetch_one(&mut *tx)
                    .await?;
                    sqlx::query(
                        "INSERT INTO sync_changes (seq, record_id, version, client_id, \
                         mutation_id, at) VALUES ($1, $2, $3, $4, $1, $5)",
                    )
                    .bind(seq)
                    .bind(record)
                    .bind(version)
                    .bind(EXPIRY_CLIENT)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
                    let event = $crate::drafts_db::sweep_event(
                        now,
                        EXPIRE_ACTION,
                        record,
                        "deleted",
                        reason.to_owned(),
                    );
                    self.audit_in(&mut tx, &event).await?;
                }
                sqlx::query("DELETE FROM draft_expiry_notices WHERE record_id = $1")
                    .bind(&id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                documents
                    .iter()
                    .map(|d| $crate::sync_db::parse_uuid(d))
                    .collect::<Result<Vec<_>>>()
                    .map(Some)
            }

            pub(crate) async fn draft_warn_impl(
                &self,
                draft: uuid::Uuid,
                last_saved: chrono::DateTime<chrono::Utc>,
                counted_from: chrono::DateTime<chrono::Utc>,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool> {
                use $crate::drafts_db::WARN_ACTION;
                let id = draft.to_string();
                let counted = millis(counted_from);
                let at = millis(now);
                let mut tx = self.pool.begin_with($begin).await?;
                let Some(owner) = Self::lock_live_draft(&mut tx, &id, millis(last_saved)).await?
                else {
                    return Ok(false);
                };
                let warned: Option<(i64,)> = sqlx::query_as(
                    "SELECT counted_from FROM draft_expiry_notices WHERE record_id = $1",
                )
                .bind(&id)
                .fetch_optional(&mut *tx)
                .await?;
                if warned.is_some_and(|(w,)| w == counted) {
                    // Already warned about this date (another sweep, another replica).
                    return Ok(false);
                }
                sqlx::query(
                    "INSERT INTO draft_expiry_notices (record_id, counted_from, queued_at) \
                     VALUES ($1, $2, $3) ON CONFLICT (record_id) \
                     DO UPDATE SET counted_from = $2, queued_at = $3",
                )
                .bind(&id)
                .bind(counted)
                .bind(at)
                .execute(&mut *tx)
                .await?;
                // Worded when sent (`notify`), from the record as it is then.
                Self::queue_mail(&mut tx, &owner, $crate::drafts::DRAFT_EXPIRING, &id, at).await?;
                let event = $crate::drafts_db::sweep_event(
                    now,
                    WARN_ACTION,
                    &id,
                    "queued",
                    format!("email to user {owner}"),
                );
                self.audit_in(&mut tx, &event).await?;
                tx.commit().await?;
                Ok(true)
            }
        }
    };
}
pub(crate) use drafts_sql;
