//! The documents tables (migration `…_documents.sql`): resumable uploads, their progress
//! and the finalised, deduplicated blobs; who may read a blob; and the two sync calls the
//! documents need (a rejected `put_document` whose bytes are not up, a new epoch after a
//! restore). Expanded for SQLite and PostgreSQL from one macro with the same query text,
//! like the rest of [`crate::store`].

use hearth_domain::UserId;
use uuid::Uuid;

/// One resumable upload as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadRow {
    pub id: Uuid,
    pub document_id: Uuid,
    pub user: UserId,
    pub size: u64,
    pub sha256: String,
    /// Bytes checked and written so far: the next chunk starts here.
    pub received: u64,
    pub finalised: bool,
}

pub(crate) type UploadTuple = (String, String, String, i64, String, i64, i64);

pub(crate) const UPLOAD_COLUMNS: &str =
    "id, document_id, user_id, size, sha256, received, finalised";

pub(crate) fn upload_row(t: UploadTuple) -> crate::store::Result<UploadRow> {
    let (id, document_id, user, size, sha256, received, finalised) = t;
    Ok(UploadRow {
        id: crate::sync_db::parse_uuid(&id)?,
        document_id: crate::sync_db::parse_uuid(&document_id)?,
        user: UserId(crate::sync_db::parse_uuid(&user)?),
        size: u64::try_from(size).unwrap_or(0),
        sha256,
        received: u64::try_from(received).unwrap_or(0),
        finalised: finalised != 0,
    })
}

pub(crate) fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The inherent documents methods of one store type; the `Store` trait calls them.
macro_rules! documents_sql {
    ($Store:ident, $Db:ty, $begin:literal, $doc_sha256:literal) => {
        impl $Store {
            pub(crate) async fn upload_open_impl(
                &self,
                user: hearth_domain::UserId,
                document_id: uuid::Uuid,
                size: u64,
                sha256: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<$crate::documents_db::UploadRow> {
                use $crate::documents_db::{to_i64, upload_row, UploadTuple, UPLOAD_COLUMNS};
                let now = millis(now);
                sqlx::query(
                    "INSERT INTO document_uploads (id, document_id, user_id, size, sha256, \
                     received, finalised, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, 0, 0, $6, $6) \
                     ON CONFLICT (user_id, document_id, sha256) DO NOTHING",
                )
                .bind(uuid::Uuid::now_v7().to_string())
                .bind(document_id.to_string())
                .bind(user.to_string())
                .bind(to_i64(size))
                .bind(sha256)
                .bind(now)
                .execute(&self.pool)
                .await?;
                let row: UploadTuple = sqlx::query_as(&format!(
                    "SELECT {UPLOAD_COLUMNS} FROM document_uploads \
                     WHERE user_id = $1 AND document_id = $2 AND sha256 = $3"
                ))
                .bind(user.to_string())
                .bind(document_id.to_string())
                .bind(sha256)
                .fetch_one(&self.pool)
                .await?;
                upload_row(row)
            }

            pub(crate) async fn upload_get_impl(
                &self,
                id: uuid::Uuid,
            ) -> Result<Option<$crate::documents_db::UploadRow>> {
                use $crate::documents_db::{upload_row, UploadTuple, UPLOAD_COLUMNS};
                let row: Option<UploadTuple> = sqlx::query_as(&format!(
                    "SELECT {UPLOAD_COLUMNS} FROM document_uploads WHERE id = $1"
                ))
                .bind(id.to_string())
                .fetch_optional(&self.pool)
                .await?;
                row.map(upload_row).transpose()
            }

            pub(crate) async fn upload_advance_impl(
                &self,
                id: uuid::Uuid,
                from: u64,
                to: u64,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool> {
                use $crate::documents_db::to_i64;
                let n = sqlx::query(
                    "UPDATE document_uploads SET received = $1, updated_at = $2 \
                     WHERE id = $3 AND received = $4 AND finalised = 0",
                )
                .bind(to_i64(to))
                .bind(millis(now))
                .bind(id.to_string())
                .bind(to_i64(from))
                .execute(&self.pool)
                .await?
                .rows_affected();
                Ok(n == 1)
            }

            pub(crate) async fn upload_reset_impl(
                &self,
                id: uuid::Uuid,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<()> {
                sqlx::query(
                    "UPDATE document_uploads SET received = 0, updated_at = $1 \
                     WHERE id = $2 AND finalised = 0",
                )
                .bind(millis(now))
                .bind(id.to_string())
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            pub(crate) async fn upload_finalise_impl(
                &self,
                id: uuid::Uuid,
                sha256: &str,
                size: u64,
                content_type: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<()> {
                use $crate::documents_db::to_i64;
                let now = millis(now);
                let mut tx = self.pool.begin_with($begin).await?;
                sqlx::query(
                    "INSERT INTO document_blobs (sha256, size, content_type, created_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING",
                )
                .bind(sha256)
                .bind(to_i64(size))
                .bind(content_type)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "UPDATE document_uploads SET finalised = 1, received = size, updated_at = $1 \
                     WHERE id = $2",
                )
                .bind(now)
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            pub(crate) async fn upload_finalised_by_impl(
                &self,
                user: hearth_domain::UserId,
                sha256: &str,
            ) -> Result<bool> {
                let row: Option<(i64,)> = sqlx::query_as(
                    "SELECT CAST(1 AS BIGINT) FROM document_uploads \
                     WHERE sha256 = $1 AND user_id = $2 AND finalised = 1 LIMIT 1",
                )
                .bind(sha256)
                .bind(user.to_string())
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.is_some())
            }

            /// Who may read a blob: the user who uploaded it (from finalise on); and anyone
            /// `access::decide` lets read a live document record naming it (the document
            /// follows the record it belongs to: a plan's sharing list, a task's assignee
            /// and work group, and so on), by the same facts sync pull uses.
            pub(crate) async fn blob_readable_impl(
                &self,
                actor: &$crate::access::Actor,
                sha256: &str,
            ) -> Result<bool> {
                use $crate::sync_db::{facts_of, FactsRow, FACTS_SELECT};
                let me = actor.user.to_string();
                if self.upload_finalised_by_impl(actor.user, sha256).await? {
                    return Ok(true);
                }
                // Indexed: the sha256 expression (the document's `sha256` field) is the one
                // of the partial index `sync_records_by_doc_sha256` on each backend. The
                // candidates are still checked field by field.
                let docs: Vec<(String, String)> = sqlx::query_as(concat!(
                    "SELECT id, fields FROM sync_records \
                     WHERE kind = 'document' AND ",
                    $doc_sha256,
                    " = $1 AND deleted = 0"
                ))
                .bind(sha256)
                .fetch_all(&self.pool)
                .await?;
                for (id, fields) in docs {
                    let fields = $crate::sync_db::parse_fields(&fields)?;
                    if fields.get("sha256").and_then(|v| v.as_str()) != Some(sha256) {
                        continue;
                    }
                    let row: Option<FactsRow> = sqlx::query_as(FACTS_SELECT)
                        .bind(&id)
                        .bind(&me)
                        .fetch_optional(&self.pool)
                        .await?;
                    let Some((facts, parent_id)) = row.map(facts_of) else {
                        continue;
                    };
                    let parent = match parent_id {
                        Some(p) => sqlx::query_as::<_, FactsRow>(FACTS_SELECT)
                            .bind(&p)
                            .bind(&me)
                            .fetch_optional(&self.pool)
                            .await?
                            .map(|r| facts_of(r).0),
                        None => None,
                    };
                    if $crate::sync_db::access(
                        actor,
                        $crate::access::Action::Read,
                        &facts,
                        parent.as_ref(),
                    )
                    .is_ok()
                    {
                        return Ok(true);
                    }
                }
                Ok(false)
            }

            /// Answers one pushed mutation with a rejection (e.g. a document's metadata
            /// whose bytes were never finalised), in one transaction, advancing the client's
            /// last mutation id like any other answer.
            pub(crate) async fn sync_reject_impl(
                &self,
                p: $crate::sync_db::MutationIn<'_>,
                reason: &'static str,
            ) -> Result<$crate::sync_db::PushStep> {
                use hearth_protocol::sync::Outcome;
                use $crate::sync_db::{write_event, PushStep};
                let m = p.mutation;
                let now = $crate::sync_db::at(p.now);
                let client = p.client_id.to_string();
                let mut tx = self.pool.begin_with($begin).await?;
                if let Some(step) = self
                    .sync_admit(&mut tx, &client, &p.user.to_string(), m.mutation_id, now)
                    .await?
                {
                    return Ok(step);
                }
                let outcome = Outcome::Rejected {
                    reason: reason.to_owned(),
                };
                self.sync_answered(&mut tx, &client, m, "rejected", &outcome, now)
                    .await?;
                sqlx::query("UPDATE sync_clients SET last_mutation_id = $1 WHERE client_id = $2")
                    .bind(m.mutation_id)
                    .bind(&client)
                    .execute(&mut *tx)
                    .await?;
                let event = write_event(
                    p.user,
                    p.device,
                    m.record_id,
                    "rejected",
                    Some(reason),
                    p.now,
                );
                self.audit_in(&mut tx, &event).await?;
                tx.commit().await?;
                Ok(PushStep::Answered(outcome))
            }

            /// Gives the database a new epoch (after it was restored from a backup), so
            /// every client sends again what the server lacks. Returns the new epoch.
            pub(crate) async fn sync_new_epoch_impl(&self) -> Result<String> {
                let epoch = uuid::Uuid::now_v7().simple().to_string();
                sqlx::query("UPDATE sync_state SET epoch = $1 WHERE id = 1")
                    .bind(&epoch)
                    .execute(&self.pool)
                    .await?;
                Ok(epoch)
            }
        }
    };
}
pub(crate) use documents_sql;
