//! Storage: one trait, [`Store`], with one implementation per database ([`SqliteStore`],
//! [`PgStore`]), each with its own `migrations/` folder. The backend is chosen from the URL
//! scheme by [`connect`].
//!
//! Nothing lives in the server process: sign-in attempts, codes, throttling counts, sessions
//! and the audit chain's head are all rows, so replicas can share one PostgreSQL.
//!
//! Both schemas use the same column types (UUID text, BIGINT milliseconds, 0/1 flags), so the
//! two implementations are expanded from one macro with the same query text; they differ in
//! how they connect and in their migration folders.

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use hearth_domain::account::{Account, Role, Service, WorkGroup};
use hearth_domain::{ServiceId, UserId, WorkGroupId};
use std::collections::BTreeSet;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use uuid::Uuid;

use crate::audit_db::audit_sql;
use crate::documents_db::documents_sql;
pub use crate::documents_db::UploadRow;
use crate::drafts_db::drafts_sql;
pub use crate::drafts_db::LiveDraft;
use crate::sync_db::sync_sql;
pub use crate::sync_db::{MutationIn, PullPage, PushStep};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique value (e.g. an email address or a name) is already taken.
    #[error("already exists")]
    Conflict,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

fn map_unique(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict,
        _ => StoreError::Database(e),
    }
}

pub fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub fn from_millis(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

/// A user as stored (the domain [`Account`] plus what only the server knows).
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub account: Account,
    pub password_hash: Option<String>,
    pub email_confirmed: bool,
    /// The work groups in `account.work_groups`, with their members and managers.
    pub work_groups: Vec<WorkGroup>,
}

pub struct NewUser<'a> {
    pub id: UserId,
    pub forename: &'a str,
    pub surname: &'a str,
    pub email: &'a str,
    pub password_hash: Option<&'a str>,
    pub roles: &'a BTreeSet<Role>,
    pub email_confirmed: bool,
    /// JSON: a partner's professional role, organisation and address.
    pub partner_details: Option<serde_json::Value>,
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Attempt {
    pub id: Uuid,
    pub user_id: UserId,
    pub code_hash: String,
    pub code_sent_at: DateTime<Utc>,
    pub used: bool,
}

pub struct NewSession<'a> {
    pub id: Uuid,
    pub user_id: UserId,
    pub device_id: Uuid,
    pub device_name: &'a str,
    pub access_hash: &'a str,
    pub access_expires_at: DateTime<Utc>,
    pub refresh_hash: &'a str,
    pub refresh_expires_at: DateTime<Utc>,
    pub now: DateTime<Utc>,
}

/// One refresh: the session, its current refresh token's hash, and the new tokens.
#[derive(Debug, Clone)]
pub struct Rotation {
    pub id: Uuid,
    pub old_refresh_hash: String,
    pub access_hash: String,
    pub access_expires_at: DateTime<Utc>,
    pub refresh_hash: String,
    pub refresh_expires_at: DateTime<Utc>,
    pub now: DateTime<Utc>,
}

/// The new tokens for a refresh retried after a lost response.
#[derive(Debug, Clone)]
pub struct RetryRotation {
    /// The oldest swap that still counts as recent.
    pub since: DateTime<Utc>,
    pub access_hash: String,
    pub access_expires_at: DateTime<Utc>,
    pub refresh_hash: String,
    pub refresh_expires_at: DateTime<Utc>,
    pub now: DateTime<Utc>,
}

/// What presenting a retired refresh token led to.
#[derive(Debug)]
pub enum RetiredRefresh {
    /// The hash was never a refresh token here.
    Unknown,
    /// A retry after a lost response: the session now holds the retry's tokens.
    Retried(SessionRecord),
    /// A replay: every session of the device is revoked.
    Revoked(SessionRecord),
}

#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub id: Uuid,
    pub user_id: UserId,
    pub device_id: Uuid,
    pub access_expires_at: DateTime<Utc>,
    pub refresh_expires_at: DateTime<Utc>,
    pub revoked: bool,
    pub device_wipe_requested: bool,
}

/// What the access checks need to know about a user's memberships.
#[derive(Debug, Clone, Default)]
pub struct Memberships {
    pub services: Vec<ServiceId>,
    /// Every work group the user is in, with its members and managers.
    pub work_groups: Vec<WorkGroup>,
}

/// One audit event before it is chained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub at: DateTime<Utc>,
    pub actor: Option<UserId>,
    pub device: Option<Uuid>,
    /// e.g. `auth.sign_in.password`, `user.read`, `plan.share`.
    pub action: String,
    /// A record id (never a name or an email).
    pub target: Option<String>,
    /// `ok`, `denied`, `failed`, `throttled`…
    pub outcome: String,
    /// Why, for sharing decisions and denials; a fixed phrase, never free text from a user.
    pub reason: Option<String>,
}

/// A chained audit row as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditRow {
    pub seq: i64,
    pub at: i64,
    pub actor: Option<String>,
    pub device: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub outcome: String,
    pub reason: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    async fn migrate(&self) -> Result<()>;
    async fn ping(&self) -> Result<()>;

    async fn insert_user(&self, user: NewUser<'_>) -> Result<()>;
    async fn user_by_id(&self, id: UserId) -> Result<Option<UserRecord>>;
    async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>>;
    async fn list_users(&self) -> Result<Vec<UserRecord>>;
    async fn set_password(&self, id: UserId, hash: &str) -> Result<()>;
    async fn confirm_email(&self, id: UserId) -> Result<()>;
    async fn set_out_of_office(&self, id: UserId, message: Option<&str>) -> Result<()>;
    /// Deactivate, end every session at once and mark every device for wipe; one transaction.
    async fn disable_user(&self, id: UserId, now: DateTime<Utc>) -> Result<bool>;

    async fn insert_service(&self, service: &Service) -> Result<()>;
    async fn insert_work_group(&self, id: WorkGroupId, name: &str) -> Result<()>;
    async fn add_service_member(&self, service: ServiceId, user: UserId) -> Result<()>;
    async fn add_work_group_member(
        &self,
        group: WorkGroupId,
        user: UserId,
        is_manager: bool,
    ) -> Result<()>;
    async fn list_services(&self) -> Result<Vec<Service>>;
    async fn list_work_groups(&self) -> Result<Vec<WorkGroup>>;
    async fn memberships(&self, user: UserId) -> Result<Memberships>;

    async fn record_failure(&self, subject: &str, now: DateTime<Utc>) -> Result<()>;
    async fn count_failures(&self, subject: &str, since: DateTime<Utc>) -> Result<i64>;

    async fn insert_attempt(&self, attempt: &Attempt, now: DateTime<Utc>) -> Result<()>;
    async fn attempt(&self, id: Uuid) -> Result<Option<Attempt>>;
    async fn replace_attempt_code(
        &self,
        id: Uuid,
        code_hash: &str,
        sent_at: DateTime<Utc>,
    ) -> Result<()>;
    /// Marks the attempt used; false when it already was (single use, even under a race).
    async fn use_attempt(&self, id: Uuid, now: DateTime<Utc>) -> Result<bool>;

    /// Registers (or refreshes) the device and opens a session on it; a device that had
    /// signed out is no longer marked so.
    async fn insert_session(&self, session: NewSession<'_>) -> Result<()>;
    async fn session_by_access(&self, access_hash: &str) -> Result<Option<SessionRecord>>;
    async fn session_by_refresh(&self, refresh_hash: &str) -> Result<Option<SessionRecord>>;
    /// Swaps both tokens of each session whose refresh token is still `old_refresh_hash`,
    /// and remembers the old one (so presenting it again is seen as a replay); all in one
    /// transaction (one commit for a batch of concurrent refreshes: see
    /// [`crate::auth::RotationQueue`]). Answers, in order, whether each one was rotated.
    async fn rotate_sessions(&self, rotations: &[Rotation]) -> Result<Vec<bool>>;
    /// The device signs itself out: its session is revoked and the device marked signed
    /// out (`devices.signed_out_at`, until its next sign-in), one transaction. A signed-out
    /// device cannot be used until an online sign-in, so its unsent saves are older
    /// ([`crate::drafts`]).
    async fn sign_out_session(&self, id: Uuid, now: DateTime<Utc>) -> Result<()>;
    /// A refresh token that was already rotated away is presented again. If it was
    /// swapped at or after `retry.since` and the token it was swapped for has never been
    /// used, this is a retry after a lost response: the session is rotated once more with
    /// `retry`'s tokens. Otherwise someone holds a copy: every session of the device it
    /// was issued to (the whole token family) is revoked. One transaction either way.
    async fn refresh_retired(
        &self,
        old_refresh_hash: &str,
        retry: &RetryRotation,
    ) -> Result<RetiredRefresh>;

    async fn insert_account_token(
        &self,
        user: UserId,
        purpose: &str,
        secret_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// Marks a current (unused, created after `since`) token used and returns its user.
    async fn take_account_token(
        &self,
        purpose: &str,
        secret_hash: &str,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Option<UserId>>;

    /// Writes one event to the audit log (pending until the sealer chains it; see
    /// [`crate::audit`]) and returns its pending id.
    async fn audit_append(&self, event: &AuditEvent) -> Result<i64>;
    /// Writes several events to the audit log in one commit (see [`crate::audit::AuditQueue`]).
    async fn audit_append_many(&self, events: &[AuditEvent]) -> Result<()>;
    /// Chains up to `max` pending events, oldest first; returns how many.
    async fn audit_seal(&self, max: i64) -> Result<u64>;
    /// Seals whatever is pending, then every chained row in order, and the head (last
    /// sequence number and hash).
    async fn audit_rows(&self) -> Result<(Vec<AuditRow>, i64, String)>;

    /// The database's epoch (a new one after a restore from backup).
    async fn sync_epoch(&self) -> Result<String>;
    /// Answers one pushed mutation in one transaction (apply, skip, conflict or reject,
    /// audited in the same transaction), advancing the client's last mutation id.
    async fn sync_push(&self, push: MutationIn<'_>) -> Result<PushStep>;
    /// One page of the records `actor` may read (by `access::decide`) that changed after
    /// `after`.
    async fn sync_pull(
        &self,
        actor: &crate::access::Actor,
        after: i64,
        limit: u32,
    ) -> Result<PullPage>;
    /// Adds `user` to (or removes them from) a plan's sharing list; `event` is audited in
    /// the same transaction.
    async fn set_sharing(
        &self,
        record: Uuid,
        user: UserId,
        active: bool,
        event: &AuditEvent,
    ) -> Result<()>;

    // Documents (`documents_db`): resumable uploads and content-addressed blobs.

    /// Finds `user`'s upload of these bytes for this document, or starts one.
    async fn upload_open(
        &self,
        user: UserId,
        document_id: Uuid,
        size: u64,
        sha256: &str,
        now: DateTime<Utc>,
    ) -> Result<UploadRow>;
    async fn upload_get(&self, id: Uuid) -> Result<Option<UploadRow>>;
    /// Moves `received` from `from` to `to`; false when it was not at `from` any more.
    async fn upload_advance(
        &self,
        id: Uuid,
        from: u64,
        to: u64,
        now: DateTime<Utc>,
    ) -> Result<bool>;
    /// Starts an unfinalised upload again from byte 0.
    async fn upload_reset(&self, id: Uuid, now: DateTime<Utc>) -> Result<()>;
    /// Records the blob (once per hash) and marks the upload finalised; one transaction.
    async fn upload_finalise(
        &self,
        id: Uuid,
        sha256: &str,
        size: u64,
        content_type: &str,
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// `user` finalised an upload of these bytes.
    async fn upload_finalised_by(&self, user: UserId, sha256: &str) -> Result<bool>;
    /// `user` may download these bytes.
    async fn blob_readable(&self, actor: &crate::access::Actor, sha256: &str) -> Result<bool>;
    /// Answers a pushed mutation with a rejection, advancing the client like any answer.
    async fn sync_reject(&self, push: MutationIn<'_>, reason: &'static str) -> Result<PushStep>;
    /// Takes up to `limit` queued emails that are not sent and not claimed since
    /// `stale_before` (a sender that died), marking them claimed at `now`.
    async fn mail_claim(
        &self,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<QueuedMail>>;
    /// A claimed email was sent (or can never be: an account gone or disabled).
    async fn mail_done(&self, id: &str, now: DateTime<Utc>) -> Result<()>;
    /// A new epoch for a database restored from a backup; returns it.
    async fn sync_new_epoch(&self) -> Result<String>;

    // Referral drafts' expiry (`drafts_db`, `crate::drafts`).

    /// Live referral drafts last saved at or before `saved_by`, oldest save first, after
    /// `after` (the last save and id of the page before), at most `limit`; each with what
    /// its author's devices tell about saves the server may not have yet.
    async fn live_drafts(
        &self,
        saved_by: DateTime<Utc>,
        after: Option<(DateTime<Utc>, Uuid)>,
        limit: i64,
    ) -> Result<Vec<LiveDraft>>;
    /// Deletes a draft still live and last saved at `last_saved`, and the documents attached
    /// to it, through the change log, audited; one transaction. Returns the documents'
    /// ids, or `None` when the draft was saved, submitted or deleted since.
    async fn draft_expire(
        &self,
        draft: Uuid,
        last_saved: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Option<Vec<Uuid>>>;
    /// Queues the expiry warning to a draft's author, once for the 30 days counted from
    /// `counted_from` ([`crate::drafts::counted_from`]), while the draft is still live and
    /// last saved at `last_saved`; false when it was already queued for that date, or the
    /// draft changed since.
    async fn draft_warn(
        &self,
        draft: Uuid,
        last_saved: DateTime<Utc>,
        counted_from: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool>;
    /// [`Store::sync_reject`] with `reason` when there is one, else [`Store::sync_push`].
    async fn sync_push_or_reject(
        &self,
        reason: Option<&'static str>,
        push: MutationIn<'_>,
    ) -> Result<PushStep> {
        match reason {
            Some(r) => self.sync_reject(push, r).await,
            None => self.sync_push(push).await,
        }
    }
}

/// An email a sync push queued (`mail_queue`), claimed for sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedMail {
    pub id: String,
    /// `task_assigned`, `task_retracted`, `transfer_awaiting`, `referral_outcome`,
    /// `draft_expiring`.
    pub kind: String,
    /// The recipient's address; `None` when the account is disabled.
    pub to: Option<String>,
    /// The record's permanent reference (e.g. `TSK-000012`).
    pub reference: Option<String>,
    /// The record's id.
    pub record_id: String,
    /// When it was queued.
    pub queued_at: DateTime<Utc>,
    /// The record's last save when it is a live referral draft (else `None`).
    pub draft_last_saved: Option<DateTime<Utc>>,
    /// What the draft's 30 days were counted from when it was last warned about
    /// (`draft_expiry_notices`), if it was.
    pub draft_counted_from: Option<DateTime<Utc>>,
}

pub type DynStore = Arc<dyn Store>;

/// Opens the database named by `url`: `postgres://…` or `sqlite://…` (a file path).
pub async fn connect(url: &str) -> anyhow::Result<DynStore> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::connect(url).await?))
    } else if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(url).await?))
    } else {
        anyhow::bail!("DATABASE_URL must start with postgres:// or sqlite://")
    }
}

/// The default database: a SQLite file in the data folder.
pub fn sqlite_url_for(data_dir: &Path) -> String {
    format!(
        "sqlite://{}",
        data_dir.join("hearth-server.sqlite3").display()
    )
}

pub struct SqliteStore {
    pool: sqlx::SqlitePool,
}

impl SqliteStore {
    pub async fn connect(url: &str) -> anyhow::Result<SqliteStore> {
        use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(sqlx::sqlite::SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        Ok(SqliteStore { pool })
    }
}

pub struct PgStore {
    pool: sqlx::PgPool,
}

impl PgStore {
    pub async fn connect(url: &str) -> anyhow::Result<PgStore> {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(16)
            .connect(url)
            .await?;
        Ok(PgStore { pool })
    }
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: String,
    forename: String,
    surname: String,
    email: String,
    password_hash: Option<String>,
    roles: String,
    out_of_office: Option<String>,
    active: i64,
    email_confirmed: i64,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: String,
    user_id: String,
    device_id: String,
    access_expires_at: i64,
    refresh_expires_at: i64,
    revoked_at: Option<i64>,
    wipe_requested_at: Option<i64>,
}

fn uuid(s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(|e| StoreError::Unexpected(anyhow::anyhow!("bad uuid in db: {e}")))
}

impl SessionRow {
    fn into_record(self) -> Result<SessionRecord> {
        Ok(SessionRecord {
            id: uuid(&self.id)?,
            user_id: UserId(uuid(&self.user_id)?),
            device_id: uuid(&self.device_id)?,
            access_expires_at: from_millis(self.access_expires_at),
            refresh_expires_at: from_millis(self.refresh_expires_at),
            revoked: self.revoked_at.is_some(),
            device_wipe_requested: self.wipe_requested_at.is_some(),
        })
    }
}

impl UserRow {
    fn into_record(self, m: Memberships) -> Result<UserRecord> {
        let roles: BTreeSet<Role> = serde_json::from_str(&self.roles)
            .map_err(|e| StoreError::Unexpected(anyhow::anyhow!("bad roles in db: {e}")))?;
        let out_of_office = match self.out_of_office {
            Some(m) => hearth_domain::account::OutOfOffice::parse(&m).ok(),
            None => None,
        };
        let id = UserId(uuid(&self.id)?);
        Ok(UserRecord {
            account: Account {
                id,
                forename: self.forename,
                surname: self.surname,
                email: self.email,
                roles,
                services: m.services,
                work_groups: m.work_groups.iter().map(|g| g.id).collect(),
                out_of_office,
                active: self.active != 0,
            },
            password_hash: self.password_hash,
            email_confirmed: self.email_confirmed != 0,
            work_groups: m.work_groups,
        })
    }
}

const USER_COLUMNS: &str =
    "id, forename, surname, email, password_hash, roles, out_of_office, active, email_confirmed";

const SESSION_SELECT: &str = "SELECT s.id, s.user_id, s.device_id, s.access_expires_at, \
     s.refresh_expires_at, s.revoked_at, d.wipe_requested_at \
     FROM sessions s JOIN devices d ON d.id = s.device_id AND d.user_id = s.user_id";

macro_rules! sql_store {
    ($Store:ident, $migrations:literal, $begin_write:literal) => {
        #[async_trait]
        impl Store for $Store {
            async fn migrate(&self) -> Result<()> {
                sqlx::migrate!($migrations).run(&self.pool).await?;
                Ok(())
            }

            async fn ping(&self) -> Result<()> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            async fn insert_user(&self, u: NewUser<'_>) -> Result<()> {
                let roles = serde_json::to_string(u.roles).map_err(anyhow::Error::from)?;
                sqlx::query(
                    "INSERT INTO users (id, forename, surname, email, password_hash, roles, \
                     active, email_confirmed, partner_details, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $9)",
                )
                .bind(u.id.to_string())
                .bind(u.forename)
                .bind(u.surname)
                .bind(u.email.to_lowercase())
                .bind(u.password_hash)
                .bind(roles)
                .bind(i64::from(u.email_confirmed))
                .bind(u.partner_details.map(|v| v.to_string()))
                .bind(millis(u.now))
                .execute(&self.pool)
                .await
                .map_err(map_unique)?;
                Ok(())
            }

            async fn user_by_id(&self, id: UserId) -> Result<Option<UserRecord>> {
                let row: Option<UserRow> =
                    sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
                        .bind(id.to_string())
                        .fetch_optional(&self.pool)
                        .await?;
                match row {
                    Some(r) => {
                        let m = self.memberships(id).await?;
                        Ok(Some(r.into_record(m)?))
                    }
                    None => Ok(None),
                }
            }

            async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>> {
                let row: Option<UserRow> = sqlx::query_as(&format!(
                    "SELECT {USER_COLUMNS} FROM users WHERE email = $1"
                ))
                .bind(email.trim().to_lowercase())
                .fetch_optional(&self.pool)
                .await?;
                match row {
                    Some(r) => {
                        let m = self.memberships(UserId(uuid(&r.id)?)).await?;
                        Ok(Some(r.into_record(m)?))
                    }
                    None => Ok(None),
                }
            }

            async fn list_users(&self) -> Result<Vec<UserRecord>> {
                let rows: Vec<UserRow> = sqlx::query_as(&format!(
                    "SELECT {USER_COLUMNS} FROM users ORDER BY surname, forename, id"
                ))
                .fetch_all(&self.pool)
                .await?;
                let mut out = Vec::with_capacity(rows.len());
                for r in rows {
                    let m = self.memberships(UserId(uuid(&r.id)?)).await?;
                    out.push(r.into_record(m)?);
                }
                Ok(out)
            }

            async fn set_password(&self, id: UserId, hash: &str) -> Result<()> {
                sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                    .bind(hash)
                    .bind(id.to_string())
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn confirm_email(&self, id: UserId) -> Result<()> {
                sqlx::query("UPDATE users SET email_confirmed = 1 WHERE id = $1")
                    .bind(id.to_string())
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn set_out_of_office(&self, id: UserId, message: Option<&str>) -> Result<()> {
                sqlx::query("UPDATE users SET out_of_office = $1 WHERE id = $2")
                    .bind(message)
                    .bind(id.to_string())
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn disable_user(&self, id: UserId, now: DateTime<Utc>) -> Result<bool> {
                let mut tx = self.pool.begin().await?;
                let id = id.to_string();
                let now = millis(now);
                let changed =
                    sqlx::query("UPDATE users SET active = 0, disabled_at = $1 WHERE id = $2")
                        .bind(now)
                        .bind(&id)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                sqlx::query(
                    "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
                )
                .bind(now)
                .bind(&id)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "UPDATE devices SET wipe_requested_at = $1 \
                     WHERE user_id = $2 AND wipe_requested_at IS NULL",
                )
                .bind(now)
                .bind(&id)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(changed == 1)
            }

            async fn insert_service(&self, s: &Service) -> Result<()> {
                sqlx::query(
                    "INSERT INTO services (id, name, commissioned_service) VALUES ($1, $2, $3)",
                )
                .bind(s.id.to_string())
                .bind(&s.name)
                .bind(&s.commissioned_service)
                .execute(&self.pool)
                .await
                .map_err(map_unique)?;
                Ok(())
            }

            async fn insert_work_group(&self, id: WorkGroupId, name: &str) -> Result<()> {
                sqlx::query("INSERT INTO work_groups (id, name) VALUES ($1, $2)")
                    .bind(id.to_string())
                    .bind(name)
                    .execute(&self.pool)
                    .await
                    .map_err(map_unique)?;
                Ok(())
            }

            async fn add_service_member(&self, service: ServiceId, user: UserId) -> Result<()> {
                sqlx::query(
                    "INSERT INTO service_members (service_id, user_id) VALUES ($1, $2) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(service.to_string())
                .bind(user.to_string())
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn add_work_group_member(
                &self,
                group: WorkGroupId,
                user: UserId,
                is_manager: bool,
            ) -> Result<()> {
                sqlx::query(
                    "INSERT INTO work_group_members (work_group_id, user_id, is_manager) \
                     VALUES ($1, $2, $3) \
                     ON CONFLICT (work_group_id, user_id) DO UPDATE SET is_manager = $3",
                )
                .bind(group.to_string())
                .bind(user.to_string())
                .bind(i64::from(is_manager))
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn list_services(&self) -> Result<Vec<Service>> {
                let rows: Vec<(String, String, Option<String>)> = sqlx::query_as(
                    "SELECT id, name, commissioned_service FROM services ORDER BY name",
                )
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(|(id, name, commissioned_service)| {
                        Ok(Service {
                            id: ServiceId(uuid(&id)?),
                            name,
                            commissioned_service,
                        })
                    })
                    .collect()
            }

            async fn list_work_groups(&self) -> Result<Vec<WorkGroup>> {
                let groups: Vec<(String, String)> =
                    sqlx::query_as("SELECT id, name FROM work_groups ORDER BY name")
                        .fetch_all(&self.pool)
                        .await?;
                let members: Vec<(String, String, i64)> = sqlx::query_as(
                    "SELECT work_group_id, user_id, is_manager FROM work_group_members \
                     ORDER BY user_id",
                )
                .fetch_all(&self.pool)
                .await?;
                groups_with_members(groups, members)
            }

            async fn memberships(&self, user: UserId) -> Result<Memberships> {
                // One query (it runs on every authenticated request): the user's services
                // ('s' rows), and each of their work groups with every member ('g' rows).
                let rows: Vec<(String, String, String, String, i64)> = sqlx::query_as(
                    "SELECT 'g' AS k, g.id AS id, g.name AS name, m2.user_id AS member, \
                     m2.is_manager AS is_manager FROM work_group_members m \
                     JOIN work_groups g ON g.id = m.work_group_id \
                     JOIN work_group_members m2 ON m2.work_group_id = g.id \
                     WHERE m.user_id = $1 \
                     UNION ALL \
                     SELECT 's', service_id, '', '', 0 FROM service_members WHERE user_id = $1 \
                     ORDER BY 1, 3, 2, 4",
                )
                .bind(user.to_string())
                .fetch_all(&self.pool)
                .await?;
                let mut services = Vec::new();
                let mut groups: Vec<(String, String)> = Vec::new();
                let mut members: Vec<(String, String, i64)> = Vec::new();
                for (k, id, name, member, is_manager) in rows {
                    if k == "s" {
                        services.push(ServiceId(uuid(&id)?));
                        continue;
                    }
                    if groups.last().is_none_or(|(g, _)| *g != id) {
                        groups.push((id.clone(), name));
                    }
                    members.push((id, member, is_manager));
                }
                Ok(Memberships {
                    services,
                    work_groups: groups_with_members(groups, members)?,
                })
            }

            async fn record_failure(&self, subject: &str, now: DateTime<Utc>) -> Result<()> {
                sqlx::query("INSERT INTO auth_failures (subject, at) VALUES ($1, $2)")
                    .bind(subject)
                    .bind(millis(now))
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn count_failures(&self, subject: &str, since: DateTime<Utc>) -> Result<i64> {
                let (n,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM auth_failures WHERE subject = $1 AND at > $2",
                )
                .bind(subject)
                .bind(millis(since))
                .fetch_one(&self.pool)
                .await?;
                Ok(n)
            }

            async fn insert_attempt(&self, a: &Attempt, now: DateTime<Utc>) -> Result<()> {
                sqlx::query(
                    "INSERT INTO sign_in_attempts (id, user_id, code_hash, code_sent_at, created_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(a.id.to_string())
                .bind(a.user_id.to_string())
                .bind(&a.code_hash)
                .bind(millis(a.code_sent_at))
                .bind(millis(now))
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn attempt(&self, id: Uuid) -> Result<Option<Attempt>> {
                let row: Option<(String, String, i64, Option<i64>)> = sqlx::query_as(
                    "SELECT user_id, code_hash, code_sent_at, used_at FROM sign_in_attempts \
                     WHERE id = $1",
                )
                .bind(id.to_string())
                .fetch_optional(&self.pool)
                .await?;
                row.map(|(user, code_hash, sent, used)| {
                    Ok(Attempt {
                        id,
                        user_id: UserId(uuid(&user)?),
                        code_hash,
                        code_sent_at: from_millis(sent),
                        used: used.is_some(),
                    })
                })
                .transpose()
            }

            async fn replace_attempt_code(
                &self,
                id: Uuid,
                code_hash: &str,
                sent_at: DateTime<Utc>,
            ) -> Result<()> {
                sqlx::query(
                    "UPDATE sign_in_attempts SET code_hash = $1, code_sent_at = $2 \
                     WHERE id = $3 AND used_at IS NULL",
                )
                .bind(code_hash)
                .bind(millis(sent_at))
                .bind(id.to_string())
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn use_attempt(&self, id: Uuid, now: DateTime<Utc>) -> Result<bool> {
                let n = sqlx::query(
                    "UPDATE sign_in_attempts SET used_at = $1 WHERE id = $2 AND used_at IS NULL",
                )
                .bind(millis(now))
                .bind(id.to_string())
                .execute(&self.pool)
                .await?
                .rows_affected();
                Ok(n == 1)
            }

            async fn insert_session(&self, s: NewSession<'_>) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                sqlx::query(
                    "INSERT INTO devices (id, user_id, name, created_at, last_seen_at) \
                     VALUES ($1, $2, $3, $4, $4) \
                     ON CONFLICT (id, user_id) DO UPDATE SET name = $3, last_seen_at = $4, \
                     signed_out_at = NULL",
                )
                .bind(s.device_id.to_string())
                .bind(s.user_id.to_string())
                .bind(s.device_name)
                .bind(millis(s.now))
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO sessions (id, user_id, device_id, access_hash, access_expires_at, \
                     refresh_hash, refresh_expires_at, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(s.id.to_string())
                .bind(s.user_id.to_string())
                .bind(s.device_id.to_string())
                .bind(s.access_hash)
                .bind(millis(s.access_expires_at))
                .bind(s.refresh_hash)
                .bind(millis(s.refresh_expires_at))
                .bind(millis(s.now))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn session_by_access(&self, access_hash: &str) -> Result<Option<SessionRecord>> {
                let row: Option<SessionRow> =
                    sqlx::query_as(&format!("{SESSION_SELECT} WHERE s.access_hash = $1"))
                        .bind(access_hash)
                        .fetch_optional(&self.pool)
                        .await?;
                row.map(SessionRow::into_record).transpose()
            }

            async fn session_by_refresh(
                &self,
                refresh_hash: &str,
            ) -> Result<Option<SessionRecord>> {
                let row: Option<SessionRow> =
                    sqlx::query_as(&format!("{SESSION_SELECT} WHERE s.refresh_hash = $1"))
                        .bind(refresh_hash)
                        .fetch_optional(&self.pool)
                        .await?;
                row.map(SessionRow::into_record).transpose()
            }

            async fn rotate_sessions(&self, rotations: &[Rotation]) -> Result<Vec<bool>> {
                let mut tx = self.pool.begin().await?;
                // One statement for the whole batch: a round trip per rotation inside the
                // transaction kept the batch's row locks (and the next batch) waiting.
                let mut update = sqlx::QueryBuilder::new(
                    "WITH v (id, old_hash, access_hash, access_expires_at, refresh_hash, \
                     refresh_expires_at) AS (",
                );
                update.push_values(rotations, |mut b, r| {
                    b.push_bind(r.id.to_string())
                        .push_bind(r.old_refresh_hash.clone())
                        .push_bind(r.access_hash.clone())
                        .push("CAST(")
                        .push_bind_unseparated(millis(r.access_expires_at))
                        .push_unseparated(" AS BIGINT)")
                        .push_bind(r.refresh_hash.clone())
                        .push("CAST(")
                        .push_bind_unseparated(millis(r.refresh_expires_at))
                        .push_unseparated(" AS BIGINT)");
                });
                update.push(
                    ") UPDATE sessions SET access_hash = v.access_hash, \
                     access_expires_at = v.access_expires_at, refresh_hash = v.refresh_hash, \
                     refresh_expires_at = v.refresh_expires_at \
                     FROM v WHERE sessions.id = v.id AND sessions.refresh_hash = v.old_hash \
                     AND sessions.revoked_at IS NULL \
                     RETURNING sessions.id, sessions.refresh_hash",
                );
                let updated: Vec<(String, String)> =
                    update.build_query_as().fetch_all(&mut *tx).await?;
                // A session named twice in one batch (the same old token sent twice at
                // once) is updated by one of them only: the new hash says which.
                let done: Vec<bool> = rotations
                    .iter()
                    .map(|r| {
                        let id = r.id.to_string();
                        updated.iter().any(|(u, h)| *u == id && *h == r.refresh_hash)
                    })
                    .collect();
                let retired: Vec<&Rotation> = rotations
                    .iter()
                    .zip(&done)
                    .filter(|(_, d)| **d)
                    .map(|(r, _)| r)
                    .collect();
                if !retired.is_empty() {
                    let mut insert = sqlx::QueryBuilder::new(
                        "INSERT INTO retired_refresh_tokens \
                         (refresh_hash, session_id, retired_at, successor_hash) ",
                    );
                    insert.push_values(retired, |mut b, r| {
                        b.push_bind(r.old_refresh_hash.clone())
                            .push_bind(r.id.to_string())
                            .push_bind(millis(r.now))
                            .push_bind(r.refresh_hash.clone());
                    });
                    insert.build().execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(done)
            }

            async fn refresh_retired(
                &self,
                old_refresh_hash: &str,
                retry: &RetryRotation,
            ) -> Result<RetiredRefresh> {
                // Reads, then writes: on SQLite the write lock is taken at BEGIN.
                let mut tx = self.pool.begin_with($begin_write).await?;
                let row: Option<(String, Option<String>, i64)> = sqlx::query_as(
                    "SELECT session_id, successor_hash, retired_at \
                     FROM retired_refresh_tokens WHERE refresh_hash = $1",
                )
                .bind(old_refresh_hash)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((session_id, successor, retired_at)) = row else {
                    return Ok(RetiredRefresh::Unknown);
                };
                let session: SessionRow =
                    sqlx::query_as(&format!("{SESSION_SELECT} WHERE s.id = $1"))
                        .bind(&session_id)
                        .fetch_one(&mut *tx)
                        .await?;
                let session = session.into_record()?;
                let usable = !session.revoked
                    && !session.device_wipe_requested
                    && session.refresh_expires_at > retry.now
                    && retired_at >= millis(retry.since);
                if let (true, Some(successor)) = (usable, successor) {
                    // Swapped only while the successor is still the session's token, i.e.
                    // it was never presented (a used one would have been retired).
                    let n = sqlx::query(
                        "UPDATE sessions SET access_hash = $1, access_expires_at = $2, \
                         refresh_hash = $3, refresh_expires_at = $4 \
                         WHERE id = $5 AND refresh_hash = $6 AND revoked_at IS NULL",
                    )
                    .bind(&retry.access_hash)
                    .bind(millis(retry.access_expires_at))
                    .bind(&retry.refresh_hash)
                    .bind(millis(retry.refresh_expires_at))
                    .bind(&session_id)
                    .bind(&successor)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if n == 1 {
                        sqlx::query(
                            "INSERT INTO retired_refresh_tokens \
                             (refresh_hash, session_id, retired_at, successor_hash) \
                             VALUES ($1, $2, $3, $4)",
                        )
                        .bind(&successor)
                        .bind(&session_id)
                        .bind(millis(retry.now))
                        // The successor was never delivered: presenting it later is a
                        // copy, never a retry.
                        .bind(None::<String>)
                        .execute(&mut *tx)
                        .await?;
                        tx.commit().await?;
                        return Ok(RetiredRefresh::Retried(session));
                    }
                }
                sqlx::query(
                    "UPDATE sessions SET revoked_at = $1 \
                     WHERE user_id = $2 AND device_id = $3 AND revoked_at IS NULL",
                )
                .bind(millis(retry.now))
                .bind(session.user_id.to_string())
                .bind(session.device_id.to_string())
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(RetiredRefresh::Revoked(session))
            }

            async fn sign_out_session(&self, id: Uuid, now: DateTime<Utc>) -> Result<()> {
                // Sessions before devices, the order of every other transaction here.
                let mut tx = self.pool.begin().await?;
                let device: Option<(String, String)> = sqlx::query_as(
                    "UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL \
                     RETURNING device_id, user_id",
                )
                .bind(millis(now))
                .bind(id.to_string())
                .fetch_optional(&mut *tx)
                .await?;
                if let Some((device, user)) = device {
                    sqlx::query(
                        "UPDATE devices SET signed_out_at = $1 WHERE id = $2 AND user_id = $3",
                    )
                    .bind(millis(now))
                    .bind(device)
                    .bind(user)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn insert_account_token(
                &self,
                user: UserId,
                purpose: &str,
                secret_hash: &str,
                now: DateTime<Utc>,
            ) -> Result<()> {
                sqlx::query(
                    "INSERT INTO account_tokens (id, user_id, purpose, secret_hash, created_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(Uuid::now_v7().to_string())
                .bind(user.to_string())
                .bind(purpose)
                .bind(secret_hash)
                .bind(millis(now))
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn take_account_token(
                &self,
                purpose: &str,
                secret_hash: &str,
                since: DateTime<Utc>,
                now: DateTime<Utc>,
            ) -> Result<Option<UserId>> {
                let row: Option<(String,)> = sqlx::query_as(
                    "UPDATE account_tokens SET used_at = $1 \
                     WHERE purpose = $2 AND secret_hash = $3 AND created_at > $4 \
                       AND used_at IS NULL \
                     RETURNING user_id",
                )
                .bind(millis(now))
                .bind(purpose)
                .bind(secret_hash)
                .bind(millis(since))
                .fetch_optional(&self.pool)
                .await?;
                row.map(|(u,)| Ok(UserId(uuid(&u)?))).transpose()
            }

            async fn audit_append(&self, e: &AuditEvent) -> Result<i64> {
                Self::audit_enqueue(&self.pool, e).await
            }

            async fn audit_append_many(&self, events: &[AuditEvent]) -> Result<()> {
                self.audit_enqueue_many(events).await
            }

            async fn audit_seal(&self, max: i64) -> Result<u64> {
                self.audit_seal_impl(max).await
            }

            async fn sync_epoch(&self) -> Result<String> {
                self.sync_epoch_impl().await
            }

            async fn sync_push(&self, push: MutationIn<'_>) -> Result<PushStep> {
                self.sync_push_impl(push).await
            }

            async fn sync_pull(
                &self,
                actor: &crate::access::Actor,
                after: i64,
                limit: u32,
            ) -> Result<PullPage> {
                self.sync_pull_impl(actor, after, limit).await
            }

            async fn set_sharing(
                &self,
                record: Uuid,
                user: UserId,
                active: bool,
                event: &AuditEvent,
            ) -> Result<()> {
                self.set_sharing_impl(record, user, active, event).await
            }

            async fn audit_rows(&self) -> Result<(Vec<AuditRow>, i64, String)> {
                while self.audit_seal_impl(crate::audit::SEAL_BATCH).await? > 0 {}
                let rows: Vec<AuditRow> = sqlx::query_as(
                    "SELECT seq, at, actor, device, action, target, outcome, reason, prev_hash, \
                     hash FROM audit_log ORDER BY seq",
                )
                .fetch_all(&self.pool)
                .await?;
                let (seq, hash): (i64, String) =
                    sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
                        .fetch_one(&self.pool)
                        .await?;
                Ok((rows, seq, hash))
            }

            async fn upload_open(
                &self,
                user: UserId,
                document_id: Uuid,
                size: u64,
                sha256: &str,
                now: DateTime<Utc>,
            ) -> Result<UploadRow> {
                self.upload_open_impl(user, document_id, size, sha256, now)
                    .await
            }

            async fn upload_get(&self, id: Uuid) -> Result<Option<UploadRow>> {
                self.upload_get_impl(id).await
            }

            async fn upload_advance(
                &self,
                id: Uuid,
                from: u64,
                to: u64,
                now: DateTime<Utc>,
            ) -> Result<bool> {
                self.upload_advance_impl(id, from, to, now).await
            }

            async fn upload_reset(&self, id: Uuid, now: DateTime<Utc>) -> Result<()> {
                self.upload_reset_impl(id, now).await
            }

            async fn upload_finalise(
                &self,
                id: Uuid,
                sha256: &str,
                size: u64,
                content_type: &str,
                now: DateTime<Utc>,
            ) -> Result<()> {
                self.upload_finalise_impl(id, sha256, size, content_type, now)
                    .await
            }

            async fn upload_finalised_by(&self, user: UserId, sha256: &str) -> Result<bool> {
                self.upload_finalised_by_impl(user, sha256).await
            }

            async fn blob_readable(
                &self,
                actor: &crate::access::Actor,
                sha256: &str,
            ) -> Result<bool> {
                self.blob_readable_impl(actor, sha256).await
            }

            async fn sync_reject(
                &self,
                push: MutationIn<'_>,
                reason: &'static str,
            ) -> Result<PushStep> {
                self.sync_reject_impl(push, reason).await
            }

            async fn sync_new_epoch(&self) -> Result<String> {
                self.sync_new_epoch_impl().await
            }

            async fn live_drafts(
                &self,
                saved_by: DateTime<Utc>,
                after: Option<(DateTime<Utc>, Uuid)>,
                limit: i64,
            ) -> Result<Vec<LiveDraft>> {
                self.live_drafts_impl(saved_by, after, limit).await
            }

            async fn draft_expire(
                &self,
                draft: Uuid,
                last_saved: DateTime<Utc>,
                now: DateTime<Utc>,
            ) -> Result<Option<Vec<Uuid>>> {
                self.draft_expire_impl(draft, last_saved, now).await
            }

            async fn draft_warn(
                &self,
                draft: Uuid,
                last_saved: DateTime<Utc>,
                counted_from: DateTime<Utc>,
                now: DateTime<Utc>,
            ) -> Result<bool> {
                self.draft_warn_impl(draft, last_saved, counted_from, now)
                    .await
            }

            async fn mail_claim(
                &self,
                now: DateTime<Utc>,
                stale_before: DateTime<Utc>,
                limit: i64,
            ) -> Result<Vec<QueuedMail>> {
                // The conditions stand on the updated rows too, so two senders (replicas)
                // never both claim one email.
                let claimed: Vec<(String, String, String, String, i64)> = sqlx::query_as(
                    "UPDATE mail_queue SET claimed_at = $1 \
                     WHERE sent_at IS NULL AND (claimed_at IS NULL OR claimed_at < $2) \
                       AND id IN (SELECT id FROM mail_queue WHERE sent_at IS NULL \
                                  AND (claimed_at IS NULL OR claimed_at < $2) \
                                  ORDER BY created_at, id LIMIT $3) \
                     RETURNING id, user_id, kind, record_id, created_at",
                )
                .bind(millis(now))
                .bind(millis(stale_before))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                let mut out = Vec::with_capacity(claimed.len());
                for (id, user, kind, record, queued_at) in claimed {
                    let to: Option<(String, i64)> =
                        sqlx::query_as("SELECT email, active FROM users WHERE id = $1")
                            .bind(&user)
                            .fetch_optional(&self.pool)
                            .await?;
                    let held: Option<(Option<String>, String, i64, i64, i64, Option<i64>)> =
                        sqlx::query_as(
                            "SELECT r.reference, r.kind, r.submitted, r.deleted, r.updated_at, \
                             n.counted_from FROM sync_records r \
                             LEFT JOIN draft_expiry_notices n ON n.record_id = r.id \
                             WHERE r.id = $1",
                        )
                    .bind(&record)
                    .fetch_optional(&self.pool)
                    .await?;
                    let draft = held
                        .as_ref()
                        .filter(|(_, kind, submitted, deleted, ..)| {
                            kind == "referral" && *submitted == 0 && *deleted == 0
                        });
                    let draft_last_saved = draft.map(|(.., saved, _)| from_millis(*saved));
                    let draft_counted_from =
                        draft.and_then(|(.., counted)| counted.map(from_millis));
                    out.push(QueuedMail {
                        id,
                        kind,
                        to: to.filter(|(_, active)| *active != 0).map(|(e, _)| e),
                        reference: held.and_then(|(r, ..)| r),
                        record_id: record,
                        queued_at: from_millis(queued_at),
                        draft_last_saved,
                        draft_counted_from,
                    });
                }
                Ok(out)
            }

            async fn mail_done(&self, id: &str, now: DateTime<Utc>) -> Result<()> {
                sqlx::query("UPDATE mail_queue SET sent_at = $1 WHERE id = $2")
                    .bind(millis(now))
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }
        }
    };
}

// SQLite: a transaction that reads before it writes takes the write lock at BEGIN.
sql_store!(SqliteStore, "migrations/sqlite", "BEGIN IMMEDIATE");
sql_store!(PgStore, "migrations/postgres", "BEGIN");
// SQLite: take the write lock at BEGIN, so a push never fails upgrading a read lock.
sync_sql!(SqliteStore, sqlx::Sqlite, "BEGIN IMMEDIATE");
sync_sql!(PgStore, sqlx::Postgres, "BEGIN");
drafts_sql!(SqliteStore, sqlx::Sqlite, "BEGIN IMMEDIATE");
drafts_sql!(PgStore, sqlx::Postgres, "BEGIN");
audit_sql!(SqliteStore, sqlx::Sqlite);
audit_sql!(PgStore, sqlx::Postgres);
documents_sql!(
    SqliteStore,
    sqlx::Sqlite,
    "BEGIN IMMEDIATE",
    "json_extract(fields, '$.sha256')"
);
documents_sql!(
    PgStore,
    sqlx::Postgres,
    "BEGIN",
    "((fields::jsonb) ->> 'sha256')"
);

fn groups_with_members(
    groups: Vec<(String, String)>,
    members: Vec<(String, String, i64)>,
) -> Result<Vec<WorkGroup>> {
    groups
        .into_iter()
        .map(|(id, name)| {
            let mut g = WorkGroup {
                id: WorkGroupId(uuid(&id)?),
                name,
                members: Vec::new(),
                managers: Vec::new(),
            };
            for (gid, user, is_manager) in &members {
                if *gid == id {
                    let u = UserId(uuid(user)?);
                    if *is_manager != 0 {
                        g.managers.push(u);
                    } else {
                        g.members.push(u);
                    }
                }
            }
            Ok(g)
        })
        .collect()
}
