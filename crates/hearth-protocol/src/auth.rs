//! Sign-in and account life cycle.
//!
//! Sign-in is two steps: [`SignIn`] (email + password) answers [`SignInStarted`] and emails a
//! 6-digit code bound to that attempt; [`VerifyCode`] (attempt + code + device) answers
//! [`SignedIn`] with a short-lived access token and a refresh token for that device.
//! [`ResendCode`] replaces the attempt's code. [`Refresh`] swaps a refresh token for new tokens.

use chrono::{DateTime, Utc};
use hearth_domain::account::{Account, PartnerRegistrationDraft};
use hearth_domain::contact::Address;
use hearth_domain::UserId;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A password, token or code: serialised as a plain string, never printed by `Debug`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(transparent)]
pub struct Secret(pub String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Secret {
        Secret(s.to_owned())
    }
}

/// Step 1: email and password.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    pub email: String,
    #[cfg_attr(feature = "utoipa", schema(value_type = String))]
    pub password: Secret,
}

/// The password was right: a code has been emailed for this attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct SignInStarted {
    pub attempt_id: Uuid,
    /// When the code just sent stops working.
    pub code_expires_at: DateTime<Utc>,
}

/// Step 2: the emailed code, for this attempt, from this device.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VerifyCode {
    pub attempt_id: Uuid,
    #[cfg_attr(feature = "utoipa", schema(value_type = String))]
    pub code: Secret,
    /// Made by the app once per installation (UUIDv7).
    pub device_id: Uuid,
    /// Shown to the user and to business support, e.g. "Laptop HX-0412".
    pub device_name: String,
}

/// "Send me a new code": the attempt's old code stops working.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResendCode {
    pub attempt_id: Uuid,
}

/// An access token (send as `Authorization: Bearer …`) and the refresh token for this device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Tokens {
    #[cfg_attr(feature = "utoipa", schema(value_type = String))]
    pub access_token: Secret,
    pub access_expires_at: DateTime<Utc>,
    #[cfg_attr(feature = "utoipa", schema(value_type = String))]
    pub refresh_token: Secret,
    pub refresh_expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct SignedIn {
    pub tokens: Tokens,
    #[cfg_attr(feature = "utoipa", schema(value_type = Object))]
    pub account: Account,
    /// The organisation's rules for the desktop app (absent from older servers: defaults).
    #[serde(default)]
    pub policy: ClientPolicy,
}

/// What the desktop app enforces on its own while offline, set by the organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct ClientPolicy {
    /// The app locks after this many minutes without input (the app's own limit is 15; the
    /// lower of the two applies).
    pub idle_lock_minutes: u32,
    /// Days the app may be used without an online sign-in or token refresh; after that it
    /// asks for an online sign-in.
    pub offline_days: u32,
}

impl Default for ClientPolicy {
    fn default() -> ClientPolicy {
        ClientPolicy {
            idle_lock_minutes: 15,
            offline_days: 30,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Refresh {
    #[cfg_attr(feature = "utoipa", schema(value_type = String))]
    pub refresh_token: Secret,
}

/// A partner professional's self-registration. Converted to the domain's
/// [`PartnerRegistrationDraft`] and validated there.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegisterPartner {
    pub forename: String,
    pub surname: String,
    pub professional_capacity: bool,
    pub professional_role: String,
    pub organisation: String,
    #[cfg_attr(feature = "utoipa", schema(value_type = Object))]
    pub address: Address,
    pub email: String,
    #[cfg_attr(feature = "utoipa", schema(value_type = String))]
    pub password: Secret,
}

impl From<RegisterPartner> for PartnerRegistrationDraft {
    fn from(r: RegisterPartner) -> PartnerRegistrationDraft {
        PartnerRegistrationDraft {
            forename: r.forename,
            surname: r.surname,
            professional_capacity: r.professional_capacity,
            professional_role: r.professional_role,
            organisation: r.organisation,
            address: r.address,
            email: r.email,
            password: r.password.0,
        }
    }
}

/// The code emailed after registering.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConfirmEmail {
    pub email: String,
    #[cfg_attr(feature = "utoipa", schema(value_type = String))]
    pub code: Secret,
}

/// A staff member sets their first password from the invitation email.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitation {
    #[cfg_attr(feature = "utoipa", schema(value_type = String))]
    pub token: Secret,
    #[cfg_attr(feature = "utoipa", schema(value_type = String))]
    pub password: Secret,
}

/// "I have forgotten my password": always answered with [`Accepted`].
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    pub email: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordResetComplete {
    #[cfg_attr(feature = "utoipa", schema(value_type = String))]
    pub token: Secret,
    #[cfg_attr(feature = "utoipa", schema(value_type = String))]
    pub new_password: Secret,
}

/// A request was taken; what happens next is in the message (usually "check your email").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Accepted {
    pub message: String,
}

/// Returned by registration: the new account's id (it cannot sign in until confirmed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Registered {
    #[cfg_attr(feature = "utoipa", schema(value_type = String, format = Uuid))]
    pub user_id: UserId,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_are_refused_and_secrets_not_printed() {
        let err = serde_json::from_str::<SignIn>(
            r#"{"email":"a@example.org","password":"pw","remember":true}"#,
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("unknown field `remember`"),
            "{err}"
        );
        let ok: SignIn =
            serde_json::from_str(r#"{"email":"a@example.org","password":"hunter22hunter"}"#)
                .unwrap();
        assert!(!format!("{ok:?}").contains("hunter"));
        assert_eq!(ok.password.expose(), "hunter22hunter");
    }
}
