//! Hearth's records and the rules the four systems it replaces enforce: Family Support
//! Plans and their reviews, sharing and transfers (seed 001); referrals to the MASH
//! (seed 003); requests for support to commissioned services (seed 000); delegated tasks
//! and contributions (seed 002); document metadata; accounts; and the configurable lists.
//!
//! Pure: nothing here does IO, reads a clock or makes randomness. Dates (`today`),
//! timestamps (`now`, `last_saved`) and ids are passed in.
//!
//! # How to use it
//!
//! - The UI edits a *draft* ([`plan::PlanDraft`], [`referral::ReferralDraft`],
//!   [`request::RequestDraft`], [`review::ReviewDraft`], [`task::ContributionDraft`], …):
//!   plain serde structs whose fields all default, so a partial JSON step deserialises.
//! - Validate a draft against the [`config::Config`] (built in: [`config::Config::builtin`])
//!   to get every [`validation::FieldError`] at once, each with a path such as
//!   `family_members[3].date_of_birth` and a message a practitioner understands. A plan is
//!   also validated step by step with [`plan::PlanDraft::validate_step`].
//! - A complete draft becomes a validated record through `parse` (e.g.
//!   [`plan::Plan::parse`]), which returns [`validation::ValidationErrors`] otherwise.
//!   Validated records have private fields and no setters.
//! - Workflows are state machines: `apply(event)` returns the new state or a
//!   [`workflow::TransitionError`] (plan and referral statuses, request progression,
//!   transfers, tasks).
//! - Date rules are functions in [`dates`]: the 6-week statutory due date, review overdue
//!   by more than 6 or 12 weeks, the 30-day draft expiry, the 30-day trays.
//!
//! With the `specta` feature every type the UI shows or edits derives `specta::Type`.

#![forbid(unsafe_code)]

pub mod account;
pub mod config;
pub mod contact;
pub mod dates;
pub mod document;
pub mod form;
pub mod ids;
pub mod kind;
pub mod plan;
pub mod referral;
pub mod request;
pub mod review;
pub mod search;
pub mod sharing;
pub mod task;
pub mod validation;
pub mod workflow;

pub use config::Config;
pub use ids::{
    ContributionId, DocumentId, PlanId, ReferralId, RequestId, ReviewId, ServiceId, TaskId,
    TransferId, UserId, WorkGroupId,
};
pub use kind::RecordKind;
pub use validation::{FieldError, ValidationErrors};
pub use workflow::TransitionError;
