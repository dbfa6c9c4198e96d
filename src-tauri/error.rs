//! The one error shape that crosses into the UI: `{ code, message }`.
//!
//! `code` is what the UI acts on (which screen or field to show); `message` is written for
//! the practitioner and is shown as is. A code is added only when the UI does something
//! different for it; everything else is `StoreFailed` with the store's own message.

use hearth_store::StoreError;

use crate::printing::PrintError;
use serde::Serialize;
use specta::Type;

/// What went wrong, as far as the UI needs to know to decide what to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
pub enum ErrorCode {
    /// No OS keyring can hold the key: the user must set or enter a local password.
    PasswordNeeded,
    /// The password does not unlock the cache (shown on the password field).
    WrongPassword,
    /// The new password is too short (shown on the password field).
    PasswordTooShort,
    /// The cache exists but its key is gone (keyring entry or wrapped-key file removed).
    KeyMissing,
    /// The cache is not open yet: the UI goes back to the unlock screen.
    Locked,
    /// The record asked for is not in the cache (discarded meanwhile): the UI reloads its list.
    RecordNotFound,
    /// "Download / print" could not make, save or open the PDF: shown beside the list,
    /// which stays usable.
    PrintFailed,
    /// Anything else the local cache or the app could not do.
    StoreFailed,
    /// The server address typed on the first-run screen is not usable (field `server`).
    InvalidServerAddress,
    /// A sign-in field is empty or malformed (the message names it; field per UI).
    InvalidInput,
    /// The server could not be reached (offline, wrong address): try again later.
    ServerUnreachable,
    /// Sign-in: the email address or password is wrong.
    WrongCredentials,
    /// Sign-in: the emailed code is wrong, used, or from another sign-in.
    WrongCode,
    /// Sign-in: the code is too old; ask for a new one.
    CodeExpired,
    /// Too many wrong passwords or codes: wait.
    Throttled,
    /// An online sign-in is needed (session ended, or the offline period ran out).
    SignInNeeded,
    /// The organisation removed Hearth from this device; its data was deleted.
    DeviceWiped,
    /// The server refused for another reason (its message is shown).
    ServerRefused,
    /// Sign-out was asked while edits wait to be sent: the UI asks to confirm.
    PendingChanges,
}

/// An error returned by a command. Its message never carries personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    pub fn locked() -> Self {
        Self::new(
            ErrorCode::Locked,
            "Hearth is locked. Unlock it to see your work.",
        )
    }

    pub fn password_too_short(min_chars: usize) -> Self {
        Self::new(
            ErrorCode::PasswordTooShort,
            format!("Password must be {min_chars} characters or more"),
        )
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        let code = match &err {
            StoreError::KeyringUnavailable { .. } => ErrorCode::PasswordNeeded,
            StoreError::WrongPassword => ErrorCode::WrongPassword,
            StoreError::KeyMissing | StoreError::KeyFileMissing { .. } => ErrorCode::KeyMissing,
            _ => ErrorCode::StoreFailed,
        };
        // The code only: store messages may name the data folder.
        tracing::warn!(?code, "store error");
        Self::new(code, err.to_string())
    }
}

impl From<PrintError> for AppError {
    fn from(err: PrintError) -> Self {
        match err {
            PrintError::Store(store) => store.into(),
            PrintError::NotFound(_) => Self::new(ErrorCode::RecordNotFound, err.to_string()),
            PrintError::NotPrintable(_) | PrintError::Render(_) => {
                Self::new(ErrorCode::PrintFailed, err.to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_errors_map_to_the_codes_the_ui_acts_on() {
        let cases = [
            (
                StoreError::KeyringUnavailable {
                    reason: "no Secret Service".into(),
                },
                ErrorCode::PasswordNeeded,
            ),
            (StoreError::WrongPassword, ErrorCode::WrongPassword),
            (StoreError::KeyMissing, ErrorCode::KeyMissing),
            (
                StoreError::KeyFileMissing {
                    path: "/data/key".into(),
                },
                ErrorCode::KeyMissing,
            ),
            (StoreError::WrongKey, ErrorCode::StoreFailed),
            (StoreError::Corrupt { problems: 2 }, ErrorCode::StoreFailed),
        ];
        for (store_error, code) in cases {
            let message = store_error.to_string();
            let app_error = AppError::from(store_error);
            assert_eq!(app_error.code, code);
            assert_eq!(app_error.message, message);
        }
    }

    #[test]
    fn serialises_as_code_and_message() {
        let json = serde_json::to_value(AppError::locked()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "code": "Locked",
                "message": "Hearth is locked. Unlock it to see your work.",
            })
        );
    }

    #[test]
    fn print_errors_map_to_codes_the_list_acts_on() {
        let at = chrono::Utc::now();
        let id = hearth_store::RecordId::new_at(at);
        let missing = AppError::from(PrintError::NotFound(id));
        assert_eq!(missing.code, ErrorCode::RecordNotFound);
        assert_eq!(
            missing.message,
            "This record is no longer on this device. It may have been discarded."
        );
        let task = AppError::from(PrintError::NotPrintable(hearth_domain::RecordKind::Task));
        assert_eq!(task.code, ErrorCode::PrintFailed);
        let store = AppError::from(PrintError::Store(StoreError::WrongKey));
        assert_eq!(store.code, ErrorCode::StoreFailed);
    }
}
