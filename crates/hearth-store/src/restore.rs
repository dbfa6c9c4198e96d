//! A server restored from a backup (DESIGN.md, "Sync protocol" 6): answered mutations are
//! kept in a journal (`outbox_acked`) when they leave the outbox; when the server shows a
//! new epoch, [`Store::begin_restore`] puts the journal back in front of the outbox (same
//! ids, same content, in order) and starts pull again from the beginning, taking the
//! server's versions as they are. The server skips the mutations it still has (its
//! `last_mutation_id` for this device) and applies the ones it lost; the ones it cannot
//! apply any more come back as conflicts, so no acknowledged edit is lost silently.

use chrono::{DateTime, Duration, Utc};
use sqlx::SqliteConnection;

use crate::error::StoreResult;
use crate::{time, Store};

/// How long answered mutations are kept for a restore.
pub const JOURNAL_DAYS: i64 = 90;

/// Moves one answered outbox row to the journal (inside the caller's transaction).
pub(crate) async fn journal(
    conn: &mut SqliteConnection,
    mutation_id: i64,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT OR REPLACE INTO outbox_acked (mutation_id, client_id, record_id, kind, operation,
             step, base_version, changes, created_at, epoch, acked_at)
         SELECT mutation_id, client_id, record_id, kind, operation, step, base_version, changes,
             created_at, epoch, ? FROM outbox WHERE mutation_id = ?",
    )
    .bind(time::encode(at))
    .bind(mutation_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Forgets journal rows older than [`JOURNAL_DAYS`].
pub(crate) async fn prune(conn: &mut SqliteConnection, now: DateTime<Utc>) -> StoreResult<()> {
    sqlx::query("DELETE FROM outbox_acked WHERE acked_at < ?")
        .bind(time::encode(now - Duration::days(JOURNAL_DAYS)))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl Store {
    /// The server has a new epoch: puts every journalled mutation back in front of the
    /// outbox, starts pull again from the beginning, and takes the server's versions as
    /// they are until [`Store::end_restore`]; one transaction. Returns how many mutations
    /// go again.
    pub async fn begin_restore(&self) -> StoreResult<u64> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let requeued = sqlx::query(
            "INSERT OR IGNORE INTO outbox (mutation_id, client_id, record_id, kind, operation,
                 step, base_version, changes, created_at)
             SELECT mutation_id, client_id, record_id, kind, operation, step, base_version,
                 changes, created_at FROM outbox_acked",
        )
        .execute(&mut *tx)
        .await?
        .rows_affected();
        // The insert trigger took each record's epoch now; the edit was made under its own.
        sqlx::query(
            "UPDATE outbox SET epoch = (SELECT a.epoch FROM outbox_acked a
                                        WHERE a.mutation_id = outbox.mutation_id)
             WHERE mutation_id IN (SELECT mutation_id FROM outbox_acked)",
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM outbox_acked")
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE sync_state SET cursor = 0, server_epoch = NULL, restoring = 1 WHERE id = 1",
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        tracing::warn!(
            requeued,
            "server epoch changed: sending answered mutations again"
        );
        Ok(requeued)
    }

    /// Pull has reached the end of the restored server's log.
    pub async fn end_restore(&self) -> StoreResult<()> {
        sqlx::query("UPDATE sync_state SET restoring = 0 WHERE id = 1")
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Answered mutations kept for a restore.
    pub async fn journal_len(&self) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox_acked")
            .fetch_one(&self.pool)
            .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}
