//! The audit tables' queries (see [`crate::audit`] for the design): `audit_enqueue` writes a
//! row into `audit_pending` on any executor (the pool, or a caller's transaction), and
//! `audit_seal_impl` chains a batch of pending rows under the `audit_head` row lock.
//! Expanded for SQLite and PostgreSQL from one macro with the same query text.

/// The inherent audit methods of one store type; the `Store` trait calls them.
macro_rules! audit_sql {
    ($Store:ident, $Db:ty) => {
        impl $Store {
            /// Writes one event to `audit_pending`; returns its pending id. Cheap: no lock
            /// on the chain's head, so concurrent requests do not queue here.
            pub(crate) async fn audit_enqueue<'c, E>(
                exec: E,
                e: &$crate::store::AuditEvent,
            ) -> $crate::store::Result<i64>
            where
                E: sqlx::Executor<'c, Database = $Db>,
            {
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO audit_pending (at, actor, device, action, target, outcome, \
                     reason) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind($crate::store::millis(e.at))
                .bind(e.actor.map(|u| u.to_string()))
                .bind(e.device.map(|d| d.to_string()))
                .bind(&e.action)
                .bind(&e.target)
                .bind(&e.outcome)
                .bind(&e.reason)
                .fetch_one(exec)
                .await?;
                Ok(id)
            }

            /// Writes several events to `audit_pending` in one statement (one commit).
            pub(crate) async fn audit_enqueue_many(
                &self,
                events: &[$crate::store::AuditEvent],
            ) -> $crate::store::Result<()> {
                if events.is_empty() {
                    return Ok(());
                }
                let mut insert = sqlx::QueryBuilder::<$Db>::new(
                    "INSERT INTO audit_pending (at, actor, device, action, target, outcome, \
                     reason) ",
                );
                insert.push_values(events, |mut b, e| {
                    b.push_bind($crate::store::millis(e.at))
                        .push_bind(e.actor.map(|u| u.to_string()))
                        .push_bind(e.device.map(|d| d.to_string()))
                        .push_bind(e.action.clone())
                        .push_bind(e.target.clone())
                        .push_bind(e.outcome.clone())
                        .push_bind(e.reason.clone());
                });
                insert.build().execute(&self.pool).await?;
                Ok(())
            }

            /// Chains up to `max` pending rows, oldest first, in one transaction: lock the
            /// head, link each row to the one before, insert them into `audit_log`, delete
            /// exactly those rows from `audit_pending`, move the head.
            pub(crate) async fn audit_seal_impl(&self, max: i64) -> $crate::store::Result<u64> {
                use $crate::store::AuditRow;
                let any: Option<(i64,)> = sqlx::query_as("SELECT id FROM audit_pending LIMIT 1")
                    .fetch_optional(&self.pool)
                    .await?;
                if any.is_none() {
                    return Ok(0);
                }
                let mut tx = self.pool.begin().await?;
                // Taken first (a write), so sealers on every replica queue here, and on
                // SQLite the transaction holds the write lock from its first statement.
                let (mut seq, mut prev): (i64, String) = sqlx::query_as(
                    "UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash",
                )
                .fetch_one(&mut *tx)
                .await?;
                let pending: Vec<(i64, i64, Option<String>, Option<String>, String, Option<String>, String, Option<String>)> =
                    sqlx::query_as(
                        "SELECT id, at, actor, device, action, target, outcome, reason \
                         FROM audit_pending ORDER BY id LIMIT $1",
                    )
                    .bind(max)
                    .fetch_all(&mut *tx)
                    .await?;
                if pending.is_empty() {
                    tx.rollback().await?;
                    return Ok(0);
                }
                let mut ids = Vec::with_capacity(pending.len());
                let mut rows = Vec::with_capacity(pending.len());
                for (id, at, actor, device, action, target, outcome, reason) in pending {
                    seq += 1;
                    let row = $crate::audit::link(
                        seq,
                        &prev,
                        AuditRow {
                            seq,
                            at,
                            actor,
                            device,
                            action,
                            target,
                            outcome,
                            reason,
                            prev_hash: String::new(),
                            hash: String::new(),
                        },
                    );
                    prev = row.hash.clone();
                    ids.push(id);
                    rows.push(row);
                }
                let mut insert = sqlx::QueryBuilder::<$Db>::new(
                    "INSERT INTO audit_log \
                     (seq, at, actor, device, action, target, outcome, reason, prev_hash, hash) ",
                );
                insert.push_values(&rows, |mut b, r| {
                    b.push_bind(r.seq)
                        .push_bind(r.at)
                        .push_bind(r.actor.clone())
                        .push_bind(r.device.clone())
                        .push_bind(r.action.clone())
                        .push_bind(r.target.clone())
                        .push_bind(r.outcome.clone())
                        .push_bind(r.reason.clone())
                        .push_bind(r.prev_hash.clone())
                        .push_bind(r.hash.clone());
                });
                insert.build().execute(&mut *tx).await?;
                let mut delete =
                    sqlx::QueryBuilder::<$Db>::new("DELETE FROM audit_pending WHERE id IN (");
                let mut list = delete.separated(", ");
                for id in &ids {
                    list.push_bind(*id);
                }
                delete.push(")");
                let deleted = delete.build().execute(&mut *tx).await?.rows_affected();
                if deleted != ids.len() as u64 {
                    // Another sealer took some of them: leave everything to it.
                    tx.rollback().await?;
                    return Ok(0);
                }
                sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
                    .bind(seq)
                    .bind(&prev)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(ids.len() as u64)
            }
        }
    };
}
pub(crate) use audit_sql;
