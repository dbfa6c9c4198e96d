//! Emails caused by sync pushes: a new task (to its assignee), a task retracted or
//! re-assigned away (to the assignee who lost it), a plan transfer waiting for
//! authorisation (to its recipient), a referral outcome (to the referrer); and the warning
//! that a referral draft will soon be deleted (to its author, queued by [`crate::drafts`]).
//!
//! A push writes the email's row into `mail_queue` in the same transaction as the record
//! (`sync_db`'s `sync_effects`): a rolled-back push queues nothing, and a crash between
//! commit and send loses nothing. [`run`] (one task per server process, woken after every
//! push that applied something, and every few seconds) claims queued rows and sends them;
//! a claim that was never marked sent (a sender that died, an SMTP failure) is taken again
//! after [`CLAIM_STALE`]. The queue holds ids only; the message is worded at send time from
//! the record's reference, never with a name or other personal data.

use std::sync::{Arc, Weak};

use tokio::sync::Notify;

use crate::clock::Clock;
use crate::mail::{messages, Mailer};
use crate::store::Store;

/// A claim older than this is taken again.
pub const CLAIM_STALE: chrono::Duration = chrono::Duration::minutes(5);

/// Sends what is queued; returns how many emails went out.
pub async fn flush(store: &dyn Store, mailer: &Mailer, clock: &dyn Clock) -> anyhow::Result<usize> {
    let mut sent = 0;
    loop {
        let now = clock.now();
        let batch = store.mail_claim(now, now - CLAIM_STALE, 20).await?;
        if batch.is_empty() {
            return Ok(sent);
        }
        for m in batch {
            let email = m.to.as_deref().and_then(|to| match m.kind.as_str() {
                crate::drafts::DRAFT_EXPIRING => crate::drafts::warning(to, &m, now),
                kind => messages::notice(to, kind, m.reference.as_deref()),
            });
            let Some(email) = email else {
                // A disabled account, a kind this server does not word, or a warning that no
                // longer holds: nothing to send.
                store.mail_done(&m.id, clock.now()).await?;
                continue;
            };
            match mailer.send(email).await {
                Ok(()) => {
                    store.mail_done(&m.id, clock.now()).await?;
                    sent += 1;
                }
                Err(e) => {
                    tracing::warn!(mail = %m.id, error = %e, "sending a notice failed; it will be retried");
                }
            }
        }
    }
}

/// The sender task: runs until the store is dropped.
pub async fn run(
    store: Weak<dyn Store>,
    mailer: Arc<Mailer>,
    clock: Arc<dyn Clock>,
    wake: Arc<Notify>,
    every: std::time::Duration,
) {
    loop {
        tokio::select! {
            () = wake.notified() => {}
            () = tokio::time::sleep(every) => {}
        }
        let Some(s) = store.upgrade() else { return };
        if let Err(e) = flush(&*s, &mailer, &*clock).await {
            tracing::warn!(error = %e, "sending queued notices failed; retrying");
        }
    }
}
