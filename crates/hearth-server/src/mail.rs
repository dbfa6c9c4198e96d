//! Outgoing email: lettre over SMTP in production (`smtp://` plain for a local relay,
//! `smtp://…?tls=required` for STARTTLS, `smtps://` for TLS); in development an outbox
//! folder plus the console, so the sign-in code can be read without a mail server.

use std::path::PathBuf;

use anyhow::Context;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// One message, already worded.
#[derive(Clone)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub body: String,
}

pub enum Mailer {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    /// Development: each message is written to `dir` and printed to the console.
    Outbox { dir: PathBuf, from: String },
}

impl Mailer {
    pub fn smtp(url: &str, from: &str) -> anyhow::Result<Mailer> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .context("HEARTH_SMTP_URL is not a valid smtp:// or smtps:// URL")?
            .build();
        Ok(Mailer::Smtp {
            transport,
            from: from
                .parse()
                .context("HEARTH_MAIL_FROM is not an email address")?,
        })
    }

    pub fn outbox(dir: PathBuf, from: &str) -> anyhow::Result<Mailer> {
        std::fs::create_dir_all(&dir).context("creating the outbox folder")?;
        Ok(Mailer::Outbox {
            dir,
            from: from.to_owned(),
        })
    }

    /// True in development: messages are printed, so they may contain codes on the console.
    pub fn is_outbox(&self) -> bool {
        matches!(self, Mailer::Outbox { .. })
    }

    pub async fn send(&self, email: Email) -> anyhow::Result<()> {
        match self {
            Mailer::Smtp { transport, from } => {
                let message = Message::builder()
                    .from(from.clone())
                    .to(email.to.parse().context("recipient address")?)
                    .subject(email.subject)
                    .body(email.body)
                    .context("building the message")?;
                transport.send(message).await.context("sending by SMTP")?;
                Ok(())
            }
            Mailer::Outbox { dir, from } => {
                let text = format!(
                    "From: {from}\nTo: {}\nSubject: {}\n\n{}\n",
                    email.to, email.subject, email.body
                );
                let name = format!("{}.eml", uuid::Uuid::now_v7());
                tokio::fs::write(dir.join(name), &text)
                    .await
                    .context("writing to the outbox")?;
                // Development only: the design asks for the code on the console.
                println!("---- email (development outbox) ----\n{text}------------------------------------");
                Ok(())
            }
        }
    }
}

/// The messages the server sends. Each names no more than the recipient needs.
pub mod messages {
    use super::Email;

    pub fn sign_in_code(to: &str, code: &str) -> Email {
        Email {
            to: to.to_owned(),
            subject: "Your Hearth sign-in code".into(),
            body: format!(
                "Your Hearth sign-in code is: {code}\n\n\
                 It works once, for 10 minutes, for the sign-in you have just started.\n\
                 If you did not try to sign in, tell your business support team.\n"
            ),
        }
    }

    pub fn invitation(to: &str, forename: &str, token: &str) -> Email {
        Email {
            to: to.to_owned(),
            subject: "You have a Hearth account".into(),
            body: format!(
                "Hello {forename},\n\nBusiness support has made you a Hearth account.\n\
                 Open Hearth, choose \"I have an invitation\" and enter this invitation key \
                 to set your password:\n\n{token}\n\nThe key works once, for 7 days.\n"
            ),
        }
    }

    pub fn confirm_email(to: &str, code: &str) -> Email {
        Email {
            to: to.to_owned(),
            subject: "Confirm your email address for Hearth".into(),
            body: format!(
                "Your Hearth confirmation code is: {code}\n\n\
                 Enter it in Hearth to finish registering. It works for 24 hours.\n"
            ),
        }
    }

    pub fn password_reset(to: &str, token: &str) -> Email {
        Email {
            to: to.to_owned(),
            subject: "Reset your Hearth password".into(),
            body: format!(
                "Someone asked to reset your Hearth password.\n\
                 Enter this reset key in Hearth to choose a new password:\n\n{token}\n\n\
                 It works once, for 1 hour. If it was not you, ignore this email.\n"
            ),
        }
    }

    /// A referral draft enters its last days (`crate::drafts`): its reference and the date
    /// it goes, never a name.
    pub fn draft_expiring(to: &str, reference: &str, date: &str) -> Email {
        Email {
            to: to.to_owned(),
            subject: "A draft referral in Hearth will be deleted soon".into(),
            body: format!(
                "Your draft referral {reference} will be deleted on {date} unless you save it.\n\n\
                 Open Hearth and change it to keep it for another 30 days, or submit it.\n"
            ),
        }
    }

    /// The messages a sync push causes: a reference and one sentence, never a name.
    pub fn notice(to: &str, kind: &str, reference: Option<&str>) -> Option<Email> {
        let r = reference.unwrap_or("(no reference yet)");
        let (subject, sentence) = match kind {
            "task_assigned" => (
                "A task has been assigned to you in Hearth",
                format!("Task {r} has been assigned to you."),
            ),
            "task_retracted" => (
                "A task is no longer assigned to you in Hearth",
                format!("Task {r} is no longer assigned to you.\nIt was retracted or re-assigned."),
            ),
            "transfer_awaiting" => (
                "A plan transfer is waiting for you in Hearth",
                format!("Plan {r} is waiting for you to authorise its transfer."),
            ),
            "referral_outcome" => (
                "An outcome has been recorded on your referral in Hearth",
                format!("MASH triage has recorded an outcome for referral {r}."),
            ),
            _ => return None,
        };
        Some(Email {
            to: to.to_owned(),
            subject: subject.into(),
            body: format!("{sentence}\n\nOpen Hearth to see it.\n"),
        })
    }
}
