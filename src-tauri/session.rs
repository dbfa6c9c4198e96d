//! Who is signed in, to which server, and how this device proves it offline.
//!
//! - The server's address and this installation's device id are in `hearth-server.json` in
//!   the data folder (not secret; written at first run, removed by a wipe).
//! - The refresh token, the account, the organisation's policy, the time of the last
//!   online contact and the offline-unlock password verifier (Argon2id) are kept inside the
//!   encrypted cache ([`hearth_store::Store::setting`]), never in plaintext on disk.
//! - The access token lives in memory only ([`crate::state::AppState`]).

use std::path::{Path, PathBuf};
use std::time::Duration;

use argon2::password_hash::{self, Output, ParamsString, PasswordHash, Salt, SaltString};
use argon2::{Algorithm, Params, Version};
use chrono::{DateTime, Utc};
use hearth_protocol::auth::{ClientPolicy, Secret, SignInStarted, SignedIn, Tokens};
use hearth_protocol::{paths, ErrorBody, ErrorCode as WireCode};
use hearth_store::Store;
use rand::TryRngCore as _;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{AppError, ErrorCode};

/// File in the data folder naming the server and this installation's device id.
pub const INSTALLATION_FILE: &str = "hearth-server.json";

/// Names of the values kept inside the encrypted cache.
pub mod keys {
    pub const REFRESH_TOKEN: &str = "session.refresh_token";
    pub const ACCOUNT: &str = "session.account";
    pub const POLICY: &str = "session.policy";
    pub const LAST_ONLINE_AT: &str = "session.last_online_at";
    pub const PASSWORD_VERIFIER: &str = "session.password_verifier";
}

/// The app's own idle-lock limit; a server policy may lower it, never raise it.
pub const MAX_IDLE_LOCK: Duration = Duration::from_secs(15 * 60);

/// What the data folder says about this installation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Installation {
    /// The server's address as [`parse_server_address`] normalised it.
    pub server_url: String,
    /// Sent at sign-in; one per installation (UUIDv7).
    pub device_id: Uuid,
    /// True between an online sign-in and a sign-out: the cache holds a session, so the
    /// app asks for the password to unlock rather than for a full sign-in.
    #[serde(default)]
    pub signed_in: bool,
}

impl Installation {
    pub fn new(server_url: String) -> Self {
        Self {
            server_url,
            device_id: Uuid::now_v7(),
            signed_in: false,
        }
    }

    pub fn path(dir: &Path) -> PathBuf {
        dir.join(INSTALLATION_FILE)
    }

    /// `None` on first run. A damaged file counts as none: the address is asked again.
    pub fn load(dir: &Path) -> Option<Self> {
        let text = std::fs::read_to_string(Self::path(dir)).ok()?;
        match serde_json::from_str(&text) {
            Ok(installation) => Some(installation),
            Err(_) => {
                tracing::warn!("the server settings file could not be read; asking again");
                None
            }
        }
    }

    /// Written to a temporary file and renamed, so a crash never leaves half a file.
    pub fn save(&self, dir: &Path) -> Result<(), AppError> {
        std::fs::create_dir_all(dir).map_err(io_failure)?;
        let path = Self::path(dir);
        let tmp = path.with_extension("json.tmp");
        let text = serde_json::to_string_pretty(self).expect("serialisable");
        std::fs::write(&tmp, text).map_err(io_failure)?;
        std::fs::rename(&tmp, &path).map_err(io_failure)?;
        Ok(())
    }
}

fn io_failure(err: std::io::Error) -> AppError {
    tracing::warn!(kind = ?err.kind(), "could not write the server settings");
    AppError::new(
        ErrorCode::StoreFailed,
        format!("Hearth could not save its settings in its data folder ({err})."),
    )
}

/// Checks and normalises the server address typed on the first-run screen.
///
/// `https://host[:port][/path]` anywhere; `http://` only for a server on this computer
/// (`localhost`, `127.0.0.1`, `[::1]`), for development. No user name, query or fragment.
/// The result has no trailing slash.
pub fn parse_server_address(input: &str) -> Result<String, AppError> {
    let input = input.trim();
    if input.is_empty() {
        return Err(bad_address("Enter the address of your Hearth server"));
    }
    const FORMAT: &str =
        "Enter the address in the correct format, like https://hearth.example.org.uk";
    if !input.contains("://") {
        return Err(bad_address(FORMAT));
    }
    let url = reqwest::Url::parse(input).map_err(|_| bad_address(FORMAT))?;
    let host = url.host_str().unwrap_or_default().to_owned();
    if host.is_empty() {
        return Err(bad_address(FORMAT));
    }
    match url.scheme() {
        "https" => {}
        "http" if matches!(host.as_str(), "localhost" | "127.0.0.1" | "[::1]") => {}
        "http" => {
            return Err(bad_address(
                "Enter an address that starts with https:// (http:// is only for a server on this computer)",
            ))
        }
        _ => return Err(bad_address(FORMAT)),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad_address(
            "Enter the address without a user name or password in it",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad_address(
            "Enter the address without anything after ? or # in it",
        ));
    }
    let mut normalised = format!("{}://{}", url.scheme(), host);
    if let Some(port) = url.port() {
        normalised.push_str(&format!(":{port}"));
    }
    normalised.push_str(url.path().trim_end_matches('/'));
    Ok(normalised)
}

fn bad_address(message: &str) -> AppError {
    AppError::new(ErrorCode::InvalidServerAddress, message)
}

/// A name for this device, shown to the practitioner and business support.
pub fn device_name() -> String {
    let host = std::env::var("COMPUTERNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty() && h.len() <= 100);
    match host {
        Some(host) => format!("Hearth desktop on {host}"),
        None => "Hearth desktop".into(),
    }
}

// ---------------------------------------------------------------------------------------
// The server's auth endpoints

/// Why a call to the server's auth endpoints failed.
#[derive(Debug)]
pub enum AuthFailure {
    /// No answer (offline, DNS, timeout, TLS).
    Unreachable,
    /// The server answered with an error body.
    Refused { code: WireCode, message: String },
    /// The answer was not what a Hearth server sends.
    Unreadable(String),
}

impl AuthFailure {
    pub fn is_wipe(&self) -> bool {
        matches!(
            self,
            AuthFailure::Refused {
                code: WireCode::WipeDevice,
                ..
            }
        )
    }

    pub fn is_unauthenticated(&self) -> bool {
        matches!(
            self,
            AuthFailure::Refused {
                code: WireCode::Unauthenticated,
                ..
            }
        )
    }
}

impl From<AuthFailure> for AppError {
    fn from(failure: AuthFailure) -> Self {
        match failure {
            AuthFailure::Unreachable => AppError::new(
                ErrorCode::ServerUnreachable,
                "Hearth could not reach the server. Check your internet connection and try again.",
            ),
            AuthFailure::Unreadable(_) => AppError::new(
                ErrorCode::ServerUnreachable,
                "The server did not answer like a Hearth server. Check the server address with your IT service desk.",
            ),
            AuthFailure::Refused { code, message } => match code {
                WireCode::InvalidCredentials => AppError::new(
                    ErrorCode::WrongCredentials,
                    "The email address or password is not right",
                ),
                WireCode::InvalidCode => AppError::new(
                    ErrorCode::WrongCode,
                    "The code is not right. Check the email and enter the 6-digit code again, or send a new code",
                ),
                WireCode::CodeExpired => AppError::new(
                    ErrorCode::CodeExpired,
                    "The code has expired. Select \u{201c}Send me a new code\u{201d}",
                ),
                WireCode::Throttled => AppError::new(
                    ErrorCode::Throttled,
                    "You have tried too many times. Wait 5 minutes, then try again",
                ),
                WireCode::WipeDevice => AppError::new(
                    ErrorCode::DeviceWiped,
                    "Your organisation has removed Hearth from this device. Its local data has been deleted.",
                ),
                WireCode::Unauthenticated => AppError::new(
                    ErrorCode::SignInNeeded,
                    "Your session has ended. Sign in again.",
                ),
                WireCode::Validation => AppError::new(ErrorCode::ServerRefused, message),
                _ => AppError::new(
                    ErrorCode::ServerRefused,
                    format!("The Hearth server could not do that: {message}"),
                ),
            },
        }
    }
}

/// A small client for the auth endpoints (the sync engine has its own).
#[derive(Clone)]
pub struct AuthClient {
    http: reqwest::Client,
    base: String,
}

impl AuthClient {
    pub fn new(base: &str) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .connect_timeout(Duration::from_secs(10))
            .build()
            .expect("an HTTP client with timeouts");
        Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    /// `GET /healthz`: is there a server at this address?
    pub async fn check(&self) -> Result<(), AuthFailure> {
        let answer = self
            .http
            .get(format!("{}{}", self.base, paths::HEALTHZ))
            .send()
            .await
            .map_err(|_| AuthFailure::Unreachable)?;
        if answer.status().is_success() {
            Ok(())
        } else {
            Err(AuthFailure::Unreadable(format!(
                "status {}",
                answer.status()
            )))
        }
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Result<SignInStarted, AuthFailure> {
        let body = serde_json::json!({ "email": email, "password": password });
        self.post(paths::SIGN_IN, &body, None).await
    }

    pub async fn verify(
        &self,
        attempt_id: Uuid,
        code: &str,
        device_id: Uuid,
        device_name: &str,
    ) -> Result<SignedIn, AuthFailure> {
        let body = serde_json::json!({
            "attempt_id": attempt_id,
            "code": code,
            "device_id": device_id,
            "device_name": device_name,
        });
        self.post(paths::SIGN_IN_VERIFY, &body, None).await
    }

    pub async fn resend(&self, attempt_id: Uuid) -> Result<SignInStarted, AuthFailure> {
        let body = serde_json::json!({ "attempt_id": attempt_id });
        self.post(paths::SIGN_IN_RESEND_CODE, &body, None).await
    }

    pub async fn refresh(&self, refresh_token: &str) -> Result<Tokens, AuthFailure> {
        let body = serde_json::json!({ "refresh_token": Secret(refresh_token.to_owned()) });
        self.post(paths::REFRESH, &body, None).await
    }

    pub async fn sign_out(&self, access_token: &str) -> Result<(), AuthFailure> {
        let answer = self
            .http
            .post(format!("{}{}", self.base, paths::SIGN_OUT))
            .bearer_auth(access_token)
            .send()
            .await
            .map_err(|_| AuthFailure::Unreachable)?;
        if answer.status().is_success() {
            return Ok(());
        }
        Err(refused(answer).await)
    }

    async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &serde_json::Value,
        bearer: Option<&str>,
    ) -> Result<T, AuthFailure> {
        let mut request = self.http.post(format!("{}{path}", self.base)).json(body);
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let answer = request.send().await.map_err(|_| AuthFailure::Unreachable)?;
        if !answer.status().is_success() {
            return Err(refused(answer).await);
        }
        answer
            .json::<T>()
            .await
            .map_err(|e| AuthFailure::Unreadable(e.to_string()))
    }
}

async fn refused(answer: reqwest::Response) -> AuthFailure {
    let status = answer.status();
    match answer.json::<ErrorBody>().await {
        Ok(body) => AuthFailure::Refused {
            code: body.code,
            message: body.message,
        },
        Err(_) => AuthFailure::Unreadable(format!("status {status}")),
    }
}

// ---------------------------------------------------------------------------------------
// The offline-unlock verifier

fn verifier_params() -> Params {
    // OWASP's minimum for Argon2id, as the server and the wrapped key use.
    Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters")
}

/// Argon2id (v0x13) of `password` as a PHC hash, through `hearth_store::kdf::hash_into` so
/// its 19 MiB of blocks go back to the operating system afterwards.
fn phc_hash<'a>(
    password: &str,
    params: Params,
    salt: Salt<'a>,
) -> password_hash::Result<PasswordHash<'a>> {
    let mut salt_buf = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_buf)?;
    let params_string = ParamsString::try_from(&params)?;
    let len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let output = Output::init_with(len, |out| {
        Ok(hearth_store::kdf::hash_into(
            params,
            password.as_bytes(),
            salt_bytes,
            out,
        )?)
    })?;
    Ok(PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: params_string,
        salt: Some(salt),
        hash: Some(output),
    })
}

/// An Argon2id PHC string of `password` (blocking: tens of milliseconds).
pub fn password_verifier(password: &str) -> String {
    let mut salt = [0u8; 16];
    rand::rngs::OsRng
        .try_fill_bytes(&mut salt)
        .expect("the operating system's random number generator failed");
    let salt = SaltString::encode_b64(&salt).expect("16 bytes make a valid salt");
    phc_hash(password, verifier_params(), salt.as_salt())
        .expect("Argon2 with valid parameters")
        .to_string()
}

/// Whether `password` matches `verifier` (blocking). A damaged verifier, or one that is not
/// Argon2id v0x13 (the only kind this app writes), matches nothing.
pub fn verify_password(password: &str, verifier: &str) -> bool {
    let Ok(hash) = PasswordHash::new(verifier) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (hash.salt, hash.hash) else {
        return false;
    };
    if hash.algorithm != Algorithm::Argon2id.ident()
        || hash.version.is_some_and(|v| v != u32::from(Version::V0x13))
    {
        return false;
    }
    let Ok(params) = Params::try_from(&hash) else {
        return false;
    };
    match phc_hash(password, params, salt) {
        // `Output`'s equality is constant-time.
        Ok(computed) => computed.hash == Some(expected),
        Err(_) => false,
    }
}

// ---------------------------------------------------------------------------------------
// The session kept in the cache

/// Writes what an online sign-in or refresh brings into the encrypted cache.
pub async fn remember_tokens(
    store: &Store,
    tokens: &Tokens,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    store
        .set_setting(keys::REFRESH_TOKEN, tokens.refresh_token.expose())
        .await?;
    store
        .set_setting(keys::LAST_ONLINE_AT, &now.to_rfc3339())
        .await?;
    Ok(())
}

/// The organisation's policy as last received (defaults before the first sign-in).
pub async fn policy(store: &Store) -> Result<ClientPolicy, AppError> {
    Ok(store
        .setting(keys::POLICY)
        .await?
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default())
}

/// The idle-lock limit: `HEARTH_IDLE_LOCK_SECONDS` when set (tests), else the lower of the
/// app's 15 minutes and the policy's.
pub fn idle_limit(policy: &ClientPolicy, override_seconds: Option<u64>) -> Duration {
    if let Some(seconds) = override_seconds {
        return Duration::from_secs(seconds.max(1));
    }
    let policy = Duration::from_secs(u64::from(policy.idle_lock_minutes.max(1)) * 60);
    policy.min(MAX_IDLE_LOCK)
}

/// Whether the offline period of `policy` has run out since `last_online_at` (no record of
/// an online contact counts as run out).
pub fn offline_period_over(
    policy: &ClientPolicy,
    last_online_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    match last_online_at {
        Some(at) => now - at > chrono::Duration::days(i64::from(policy.offline_days)),
        None => true,
    }
}

pub async fn last_online_at(store: &Store) -> Result<Option<DateTime<Utc>>, AppError> {
    Ok(store
        .setting(keys::LAST_ONLINE_AT)
        .await?
        .and_then(|text| DateTime::parse_from_rfc3339(&text).ok())
        .map(|t| t.with_timezone(&Utc)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    #[test]
    fn server_addresses_are_checked_and_normalised() {
        let ok = [
            (
                "https://hearth.example.org.uk",
                "https://hearth.example.org.uk",
            ),
            (
                "  https://hearth.example.org.uk/  ",
                "https://hearth.example.org.uk",
            ),
            (
                "https://example.org.uk:8443/hearth/",
                "https://example.org.uk:8443/hearth",
            ),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("http://localhost:3000/", "http://localhost:3000"),
            (
                "HTTPS://Hearth.Example.org.uk",
                "https://hearth.example.org.uk",
            ),
        ];
        for (input, want) in ok {
            assert_eq!(parse_server_address(input).unwrap(), want, "{input}");
        }
        let bad = [
            ("", "Enter the address of your Hearth server"),
            ("   ", "Enter the address of your Hearth server"),
            ("hearth.example.org.uk", "Enter the address in the correct format, like https://hearth.example.org.uk"),
            ("ftp://hearth.example.org.uk", "Enter the address in the correct format, like https://hearth.example.org.uk"),
            ("https://", "Enter the address in the correct format, like https://hearth.example.org.uk"),
            ("http://hearth.example.org.uk", "Enter an address that starts with https:// (http:// is only for a server on this computer)"),
            ("https://pat:pw@hearth.example.org.uk", "Enter the address without a user name or password in it"),
            ("https://hearth.example.org.uk/?x=1", "Enter the address without anything after ? or # in it"),
        ];
        for (input, message) in bad {
            let err = parse_server_address(input).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidServerAddress, "{input}");
            assert_eq!(err.message, message, "{input}");
        }
    }

    #[test]
    fn the_installation_file_round_trips_and_a_damaged_one_counts_as_none() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Installation::load(dir.path()), None);
        let mut installation = Installation::new("https://hearth.example.org.uk".into());
        installation.save(dir.path()).unwrap();
        assert_eq!(Installation::load(dir.path()), Some(installation.clone()));
        installation.signed_in = true;
        installation.save(dir.path()).unwrap();
        assert!(Installation::load(dir.path()).unwrap().signed_in);
        std::fs::write(Installation::path(dir.path()), "{not json").unwrap();
        assert_eq!(Installation::load(dir.path()), None);
    }

    #[test]
    fn the_verifier_accepts_only_its_password() {
        let verifier = password_verifier("kettle-orchard-lantern");
        assert!(verifier.starts_with("$argon2id$"));
        assert!(!verifier.contains("kettle"));
        assert!(verify_password("kettle-orchard-lantern", &verifier));
        assert!(!verify_password("kettle-orchard-lanterN", &verifier));
        assert!(!verify_password("kettle-orchard-lantern", "damaged"));
    }

    #[test]
    fn the_verifier_is_argon2s_own_phc_string_both_ways() {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
        // A verifier written before `hash_into` (argon2's own hasher, the same parameters)
        // still unlocks, and argon2's own verifier accepts ours.
        let salt = SaltString::encode_b64(b"invented salt 16").unwrap();
        let theirs = argon2::Argon2::new(Algorithm::Argon2id, Version::V0x13, verifier_params())
            .hash_password(b"kettle-orchard-lantern", &salt)
            .unwrap()
            .to_string();
        assert!(verify_password("kettle-orchard-lantern", &theirs));
        assert!(!verify_password("kettle-orchard-lanterN", &theirs));
        let ours = password_verifier("kettle-orchard-lantern");
        assert!(argon2::Argon2::default()
            .verify_password(
                b"kettle-orchard-lantern",
                &PasswordHash::new(&ours).unwrap()
            )
            .is_ok());
        // Argon2i is not what this app writes.
        let argon2i = argon2::Argon2::new(Algorithm::Argon2i, Version::V0x13, verifier_params())
            .hash_password(b"kettle-orchard-lantern", &salt)
            .unwrap()
            .to_string();
        assert!(!verify_password("kettle-orchard-lantern", &argon2i));
    }

    #[test]
    fn the_idle_limit_is_at_most_15_minutes_and_can_be_overridden() {
        let mut policy = ClientPolicy::default();
        assert_eq!(idle_limit(&policy, None), Duration::from_secs(900));
        policy.idle_lock_minutes = 5;
        assert_eq!(idle_limit(&policy, None), Duration::from_secs(300));
        policy.idle_lock_minutes = 60;
        assert_eq!(idle_limit(&policy, None), Duration::from_secs(900));
        assert_eq!(idle_limit(&policy, Some(3)), Duration::from_secs(3));
    }

    #[test]
    fn the_offline_period_counts_days_since_the_last_online_contact() {
        let policy = ClientPolicy {
            idle_lock_minutes: 15,
            offline_days: 7,
        };
        let online = Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap();
        let within = online + chrono::Duration::days(7);
        let after = within + chrono::Duration::seconds(1);
        assert!(!offline_period_over(&policy, Some(online), within));
        assert!(offline_period_over(&policy, Some(online), after));
        assert!(offline_period_over(&policy, None, online));
    }

    #[test]
    fn server_refusals_become_clear_messages() {
        let refused = |code| {
            AppError::from(AuthFailure::Refused {
                code,
                message: "server words".into(),
            })
        };
        assert_eq!(
            refused(WireCode::InvalidCredentials).code,
            ErrorCode::WrongCredentials
        );
        assert_eq!(refused(WireCode::InvalidCode).code, ErrorCode::WrongCode);
        assert_eq!(refused(WireCode::CodeExpired).code, ErrorCode::CodeExpired);
        assert_eq!(refused(WireCode::Throttled).code, ErrorCode::Throttled);
        assert_eq!(refused(WireCode::WipeDevice).code, ErrorCode::DeviceWiped);
        assert_eq!(
            refused(WireCode::Unauthenticated).code,
            ErrorCode::SignInNeeded
        );
        assert_eq!(
            AppError::from(AuthFailure::Unreachable).code,
            ErrorCode::ServerUnreachable
        );
        assert!(AuthFailure::Refused {
            code: WireCode::WipeDevice,
            message: String::new()
        }
        .is_wipe());
    }
}
