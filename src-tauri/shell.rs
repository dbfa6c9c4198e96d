//! The app shell's commands: first run (server address), sign-in with the emailed code,
//! offline unlock, lock (button and idle), sign-out, wipe, and the status the window polls.
//!
//! Each command is a thin wrapper over a function taking `&AppState`, tested without a
//! window. The cache is created at the first online sign-in: its key goes to the OS
//! keyring where there is one, else it is wrapped with the account password. Either way
//! an Argon2id verifier of the password is kept inside the cache, so "Unlock Hearth" works
//! with no server.

use chrono::Utc;
use hearth_store::{
    existing_protection, forget_keyring_key, ExistingCache, KeyStorage, Password, Store,
    StoreError, DATABASE_FILE_NAME, KEY_FILE_NAME,
};
use tauri::State;
use zeroize::Zeroizing;

use crate::dto::{AppStatus, CodeSent, ShellStatus, SyncState};
use crate::error::{AppError, ErrorCode};
use crate::session::{self, keys, AuthClient, Installation};
use crate::state::{AppState, KeyPolicy, PendingAttempt, KEYRING_ACCOUNT, KEYRING_SERVICE};
use crate::sync_task::SyncRunner;

/// Longest password or email accepted from the window (the isolation hook agrees).
const MAX_INPUT_CHARS: usize = 1024;

/// Which screen to show, why, the idle-lock limit and the sync bar (polled by the window).
#[tauri::command]
#[specta::specta]
pub async fn shell_status(state: State<'_, AppState>) -> Result<ShellStatus, AppError> {
    shell_status_of(&state).await
}

/// First run: checks the address, that a Hearth server answers there, and keeps it.
#[tauri::command]
#[specta::specta]
pub async fn connect_server(state: State<'_, AppState>, address: String) -> Result<(), AppError> {
    connect(&state, &address).await
}

/// Sign-in step 1: email and password; the server emails a code.
#[tauri::command]
#[specta::specta]
pub async fn sign_in(
    state: State<'_, AppState>,
    email: String,
    password: String,
) -> Result<CodeSent, AppError> {
    start_sign_in(&state, email, password).await
}

/// Sign-in step 2: the 6-digit code. Opens (or creates) the cache and starts syncing.
#[tauri::command]
#[specta::specta]
pub async fn verify_code(state: State<'_, AppState>, code: String) -> Result<(), AppError> {
    finish_sign_in(&state, &code).await
}

/// "Send me a new code".
#[tauri::command]
#[specta::specta]
pub async fn resend_code(state: State<'_, AppState>) -> Result<CodeSent, AppError> {
    send_new_code(&state).await
}

/// "Unlock Hearth": checks the password on this device, with no server.
#[tauri::command]
#[specta::specta]
pub async fn unlock(state: State<'_, AppState>, password: String) -> Result<(), AppError> {
    unlock_with(&state, password).await
}

/// "Lock" (and the idle lock, after the window has flushed its drafts): hides every record.
#[tauri::command]
#[specta::specta]
pub async fn lock(state: State<'_, AppState>) -> Result<(), AppError> {
    lock_now(&state, None).await;
    Ok(())
}

/// The window saw input (sent at most every few seconds): resets the idle lock.
#[tauri::command]
#[specta::specta]
pub async fn activity(state: State<'_, AppState>) -> Result<(), AppError> {
    state.touch();
    Ok(())
}

/// "Sign out": refuses with `PendingChanges` while edits wait unless `confirmed`.
#[tauri::command]
#[specta::specta]
pub async fn sign_out(state: State<'_, AppState>, confirmed: bool) -> Result<(), AppError> {
    sign_out_with(&state, confirmed).await
}

/// "Sync now".
#[tauri::command]
#[specta::specta]
pub async fn sync_now(state: State<'_, AppState>) -> Result<(), AppError> {
    if let Some(runner) = state.sync.lock().await.as_ref() {
        runner.sync_now();
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------

pub(crate) async fn status(state: &AppState) -> Result<AppStatus, AppError> {
    let Some(installation) = Installation::load(state.data_dir()) else {
        return Ok(AppStatus::ConnectServer);
    };
    if state.store.lock().await.is_some() {
        return Ok(AppStatus::Unlocked);
    }
    let cache = existing_protection(state.data_dir())?;
    if installation.signed_in && cache != ExistingCache::None {
        Ok(AppStatus::Locked)
    } else {
        Ok(AppStatus::SignIn)
    }
}

pub(crate) async fn shell_status_of(state: &AppState) -> Result<ShellStatus, AppError> {
    let status = status(state).await?;
    let mut sync = state.sync_status();
    if status == AppStatus::Unlocked {
        let store = state.store.lock().await.clone();
        if let Some(store) = store {
            sync.set_pending(store.pending().await?);
            // Read here, not only after a sync: conflicts left from an earlier day show
            // offline too, and one resolved leaves the count at once.
            sync.conflicts = crate::dto::saturating_u32(store.unresolved_conflicts().await?);
        }
    } else {
        sync = Default::default();
    }
    Ok(ShellStatus {
        status,
        notice: state.take_notice(),
        idle_lock_seconds: u32::try_from(state.idle_limit().as_secs()).unwrap_or(u32::MAX),
        sync,
    })
}

pub(crate) async fn connect(state: &AppState, address: &str) -> Result<(), AppError> {
    let url = session::parse_server_address(address)?;
    AuthClient::new(&url).check().await.map_err(|failure| match failure {
        session::AuthFailure::Unreachable => AppError::new(
            ErrorCode::ServerUnreachable,
            "Hearth could not reach a server at that address. Check the address and your internet connection",
        ),
        _ => AppError::new(
            ErrorCode::InvalidServerAddress,
            "There is no Hearth server at that address. Check it with your IT service desk",
        ),
    })?;
    // Keep the device id if the address is only being corrected.
    let installation = match Installation::load(state.data_dir()) {
        Some(mut existing) => {
            existing.server_url = url;
            existing
        }
        None => Installation::new(url),
    };
    installation.save(state.data_dir())?;
    tracing::info!("server address saved");
    Ok(())
}

fn installation(state: &AppState) -> Result<Installation, AppError> {
    Installation::load(state.data_dir()).ok_or_else(|| {
        AppError::new(
            ErrorCode::InvalidServerAddress,
            "Enter the address of your Hearth server first",
        )
    })
}

fn check_input(value: &str, empty: &str) -> Result<(), AppError> {
    if value.trim().is_empty() {
        return Err(AppError::new(ErrorCode::InvalidInput, empty));
    }
    if value.chars().count() > MAX_INPUT_CHARS {
        return Err(AppError::new(
            ErrorCode::InvalidInput,
            format!("Enter {MAX_INPUT_CHARS} characters or fewer"),
        ));
    }
    Ok(())
}

pub(crate) async fn start_sign_in(
    state: &AppState,
    email: String,
    password: String,
) -> Result<CodeSent, AppError> {
    let password = Zeroizing::new(password);
    let email = email.trim().to_owned();
    check_input(&email, "Enter your email address")?;
    if !email.contains('@') {
        return Err(AppError::new(
            ErrorCode::InvalidInput,
            "Enter an email address in the correct format, like name@example.org.uk",
        ));
    }
    check_input(&password, "Enter your password")?;
    let installation = installation(state)?;
    let started = AuthClient::new(&installation.server_url)
        .sign_in(&email, &password)
        .await?;
    state.sign_in.lock().await.attempt = Some(PendingAttempt {
        attempt_id: started.attempt_id,
        email: email.clone(),
        password,
    });
    tracing::info!("sign-in code requested");
    Ok(CodeSent {
        email,
        code_expires_at: started.code_expires_at,
    })
}

pub(crate) async fn send_new_code(state: &AppState) -> Result<CodeSent, AppError> {
    let installation = installation(state)?;
    let (attempt_id, email) = {
        let progress = state.sign_in.lock().await;
        let attempt = progress.attempt.as_ref().ok_or_else(start_again)?;
        (attempt.attempt_id, attempt.email.clone())
    };
    let started = AuthClient::new(&installation.server_url)
        .resend(attempt_id)
        .await?;
    Ok(CodeSent {
        email,
        code_expires_at: started.code_expires_at,
    })
}

fn start_again() -> AppError {
    AppError::new(
        ErrorCode::SignInNeeded,
        "Sign in again: enter your email address and password",
    )
}

/// The code as typed, without spaces: six digits.
pub(crate) fn normalise_code(code: &str) -> Result<String, AppError> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.is_empty() {
        return Err(AppError::new(
            ErrorCode::InvalidInput,
            "Enter the 6-digit code from the email",
        ));
    }
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return Err(AppError::new(
            ErrorCode::InvalidInput,
            "The code must be 6 digits, like 123456",
        ));
    }
    Ok(code)
}

fn keyring() -> KeyStorage {
    KeyStorage::OsKeyring {
        service: KEYRING_SERVICE.into(),
        account: KEYRING_ACCOUNT.into(),
    }
}

/// Opens the cache in the data folder, or creates it (first sign-in): key in the OS
/// keyring where there is one (and the policy allows), else wrapped with `password`.
async fn open_cache(state: &AppState, password: &str) -> Result<Store, AppError> {
    let dir = state.data_dir();
    let now = Utc::now();
    let wrapped = || KeyStorage::PasswordWrapped {
        password: Password::new(password.to_owned()),
    };
    match existing_protection(dir)? {
        ExistingCache::PasswordWrapped => Ok(Store::open_or_create(dir, wrapped(), now).await?),
        ExistingCache::KeyKeptElsewhere => match Store::open_or_create(dir, keyring(), now).await {
            Ok(store) => Ok(store),
            Err(StoreError::KeyringUnavailable { reason }) => Err(AppError::new(
                ErrorCode::StoreFailed,
                format!(
                    "Hearth keeps the key of this device's cache in the system keyring, which \
                     cannot be used right now ({reason}). Unlock your keyring or sign in to your \
                     computer again, then try again."
                ),
            )),
            Err(err) => Err(err.into()),
        },
        ExistingCache::None if state.key_policy() == KeyPolicy::PasswordOnly => {
            Ok(Store::open_or_create(dir, wrapped(), now).await?)
        }
        ExistingCache::None => match Store::open_or_create(dir, keyring(), now).await {
            Ok(store) => Ok(store),
            Err(StoreError::KeyringUnavailable { .. }) => {
                tracing::info!("no OS keyring: the cache key is wrapped with the password");
                Ok(Store::open_or_create(dir, wrapped(), now).await?)
            }
            Err(err) => Err(err.into()),
        },
    }
}

async fn verify_blocking(password: Zeroizing<String>, verifier: String) -> bool {
    tokio::task::spawn_blocking(move || session::verify_password(&password, &verifier))
        .await
        .unwrap_or(false)
}

async fn verifier_blocking(password: Zeroizing<String>) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || session::password_verifier(&password))
        .await
        .map_err(|_| {
            AppError::new(
                ErrorCode::StoreFailed,
                "Hearth could not protect the password",
            )
        })
}

pub(crate) async fn finish_sign_in(state: &AppState, code: &str) -> Result<(), AppError> {
    let code = normalise_code(code)?;
    let installation = installation(state)?;
    let (attempt_id, password) = {
        let progress = state.sign_in.lock().await;
        let attempt = progress.attempt.as_ref().ok_or_else(start_again)?;
        (attempt.attempt_id, attempt.password.clone())
    };
    let auth = AuthClient::new(&installation.server_url);
    let signed = match auth
        .verify(
            attempt_id,
            &code,
            installation.device_id,
            &session::device_name(),
        )
        .await
    {
        Ok(signed) => signed,
        Err(failure) if failure.is_wipe() => {
            wipe(state, false).await;
            return Err(failure.into());
        }
        Err(failure) => return Err(failure.into()),
    };
    let now = Utc::now();

    // The cache: already open (signing in again while unlocked or parked), or open/create.
    let open = state.store.lock().await.take();
    let parked = state.parked.lock().await.take();
    let store = match open.or(parked) {
        Some(store) => store,
        None => open_cache(state, &password).await.map_err(|err| {
            if err.code == ErrorCode::WrongPassword {
                AppError::new(
                    ErrorCode::WrongPassword,
                    "Your password has changed since you last used Hearth on this device. \
                     Unlock Hearth with your previous password first, then sign in again.",
                )
            } else {
                err
            }
        })?,
    };

    // Another practitioner's cache: never mix their work with this one's.
    if let Some(previous) = store.setting(keys::ACCOUNT).await? {
        let previous: Option<hearth_domain::account::Account> =
            serde_json::from_str(&previous).ok();
        if previous.is_some_and(|p| p.id != signed.account.id) {
            *state.parked.lock().await = Some(store);
            return Err(AppError::new(
                ErrorCode::ServerRefused,
                "This device holds another practitioner's Hearth data. They must sign in and sign out first.",
            ));
        }
    }

    // A password changed on the server: re-protect a password-wrapped cache.
    let verifier = store.setting(keys::PASSWORD_VERIFIER).await?;
    let changed = match verifier {
        Some(v) => !verify_blocking(password.clone(), v).await,
        None => false,
    };
    if changed && existing_protection(state.data_dir())? == ExistingCache::PasswordWrapped {
        let old = state.session.lock().await.unlock_password.take();
        if let Some(old) = old {
            hearth_store::change_password(
                state.data_dir(),
                &Password::new(old.to_string()),
                &Password::new(password.to_string()),
            )
            .await?;
            tracing::info!("cache key re-wrapped with the new password");
        }
    }
    store
        .set_setting(
            keys::PASSWORD_VERIFIER,
            &verifier_blocking(password.clone()).await?,
        )
        .await?;
    store
        .set_setting(
            keys::ACCOUNT,
            &serde_json::to_string(&signed.account).expect("serialisable"),
        )
        .await?;
    store
        .set_setting(
            keys::POLICY,
            &serde_json::to_string(&signed.policy).expect("serialisable"),
        )
        .await?;
    session::remember_tokens(&store, &signed.tokens, now).await?;
    let mut installation = installation;
    installation.signed_in = true;
    installation.save(state.data_dir())?;
    {
        let mut session = state.session.lock().await;
        session.access_token = Some(Zeroizing::new(
            signed.tokens.access_token.expose().to_owned(),
        ));
        session.access_expires_at = Some(signed.tokens.access_expires_at);
        session.unlock_password = None;
    }
    state.sign_in.lock().await.attempt = None;
    state.set_policy(&signed.policy);
    admit(state, store, &installation).await;
    tracing::info!("signed in");
    Ok(())
}

/// Makes `store` the open cache and starts the background sync.
async fn admit(state: &AppState, store: Store, installation: &Installation) {
    state.touch();
    // Referral drafts past their 30 days go before any screen can list them.
    if let Err(err) = crate::referrals::delete_expired_drafts(&store, Utc::now()).await {
        tracing::warn!(code = ?err.code, "expired referral drafts could not be deleted");
    }
    *state.store.lock().await = Some(store.clone());
    let mut sync = state.sync.lock().await;
    if let Some(old) = sync.take() {
        old.stop().await;
    }
    match SyncRunner::start(state.clone(), store, installation.server_url.clone()) {
        Ok(runner) => {
            *sync = Some(runner);
            // Its first try (a token refresh, perhaps against a server that is not there)
            // can take seconds: the bar says it is trying rather than "not syncing".
            state.update_sync_status(|s| {
                if s.state == SyncState::Off {
                    s.state = SyncState::Syncing;
                }
            });
        }
        Err(err) => {
            tracing::warn!("the sync engine could not start");
            state.update_sync_status(|s| {
                s.state = SyncState::Failed;
                s.message = Some(err.to_string());
            });
        }
    }
}

pub(crate) async fn unlock_with(state: &AppState, password: String) -> Result<(), AppError> {
    let password = Zeroizing::new(password);
    check_input(&password, "Enter your password")?;
    let installation = installation(state)?;
    if state.store.lock().await.is_some() {
        return Ok(());
    }
    let parked = state.parked.lock().await.take();
    let store = match parked {
        Some(store) => store,
        None => {
            if existing_protection(state.data_dir())? == ExistingCache::None {
                return Err(AppError::new(
                    ErrorCode::SignInNeeded,
                    "Sign in to Hearth to set up this device",
                ));
            }
            open_cache(state, &password).await.map_err(|err| {
                if err.code == ErrorCode::WrongPassword {
                    wrong_password()
                } else {
                    err
                }
            })?
        }
    };
    let wrapped = existing_protection(state.data_dir())? == ExistingCache::PasswordWrapped;
    match store.setting(keys::PASSWORD_VERIFIER).await? {
        Some(verifier) => {
            if !verify_blocking(password.clone(), verifier).await {
                *state.parked.lock().await = Some(store);
                tracing::info!("unlock refused: wrong password");
                return Err(wrong_password());
            }
        }
        // A cache made before verifiers: opening a wrapped one proves the password.
        None if wrapped => {
            store
                .set_setting(
                    keys::PASSWORD_VERIFIER,
                    &verifier_blocking(password.clone()).await?,
                )
                .await?;
        }
        None => {
            *state.parked.lock().await = Some(store);
            return Err(AppError::new(
                ErrorCode::SignInNeeded,
                "Sign in to Hearth while connected to set up unlocking on this device",
            ));
        }
    }
    let policy = session::policy(&store).await?;
    state.set_policy(&policy);
    let last_online = session::last_online_at(&store).await?;
    if !installation.signed_in || session::offline_period_over(&policy, last_online, Utc::now()) {
        state.session.lock().await.unlock_password = Some(password);
        *state.parked.lock().await = Some(store);
        let message = if installation.signed_in {
            format!(
                "Hearth has not been able to check your account for more than {} days. \
                 Sign in while connected to the internet to carry on.",
                policy.offline_days
            )
        } else {
            "Sign in to Hearth to carry on".to_owned()
        };
        state.set_notice(message.clone());
        return Err(AppError::new(ErrorCode::SignInNeeded, message));
    }
    admit(state, store, &installation).await;
    tracing::info!("unlocked");
    Ok(())
}

fn wrong_password() -> AppError {
    AppError::new(
        ErrorCode::WrongPassword,
        "The password is not right. Enter the password you use to sign in to Hearth",
    )
}

/// Hides every record: the open cache is parked and the sync stops until unlocked.
pub(crate) async fn lock_now(state: &AppState, notice: Option<&str>) {
    // Decrypted document copies go with the records (and any edit not yet saved in Word
    // with them: Word's own recovery may still have it).
    state.documents.forget_all();
    let store = state.store.lock().await.take();
    if let Some(store) = store {
        if let Some(runner) = state.sync.lock().await.take() {
            runner.stop().await;
        }
        *state.parked.lock().await = Some(store);
        state.update_sync_status(|s| *s = Default::default());
        if let Some(notice) = notice {
            state.set_notice(notice);
        }
        tracing::info!("locked");
    }
}

/// The idle lock's safety net: locks when the window has reported no input for the limit
/// plus `grace` (the window itself locks at the limit, after flushing its drafts).
pub(crate) async fn lock_if_idle(state: &AppState, grace: std::time::Duration) -> bool {
    if state.idle_for() < state.idle_limit() + grace || state.store.lock().await.is_none() {
        return false;
    }
    lock_now(state, Some(IDLE_NOTICE)).await;
    true
}

pub(crate) const IDLE_NOTICE: &str =
    "Hearth locked because it was not used for a while. Your work is saved.";

pub(crate) async fn sign_out_with(state: &AppState, confirmed: bool) -> Result<(), AppError> {
    let installation = installation(state)?;
    let store = {
        let open = state.store.lock().await.clone();
        match open {
            Some(store) => Some(store),
            None => state.parked.lock().await.clone(),
        }
    };
    if let Some(store) = &store {
        let (edits, records) = store.pending().await?;
        if edits > 0 && !confirmed {
            let changes = match records {
                1 => "changes to 1 record".to_owned(),
                n => format!("changes to {n} records"),
            };
            return Err(AppError::new(
                ErrorCode::PendingChanges,
                format!(
                    "You have {changes} that Hearth has not sent to the server yet. If you sign \
                     out, they stay on this device and are sent after you next sign in."
                ),
            ));
        }
    }
    state.documents.forget_all();
    if let Some(runner) = state.sync.lock().await.take() {
        runner.stop().await;
    }
    // Revoke the session on the server when online (best effort: offline, the refresh
    // token is forgotten here and expires there).
    let access = state.session.lock().await.access_token.clone();
    let auth = AuthClient::new(&installation.server_url);
    let mut access = access.map(|t| t.to_string());
    if access.is_none() {
        if let Some(store) = &store {
            if let Some(refresh) = store.setting(keys::REFRESH_TOKEN).await? {
                if let Ok(tokens) = auth.refresh(&refresh).await {
                    access = Some(tokens.access_token.expose().to_owned());
                }
            }
        }
    }
    if let Some(token) = access {
        match auth.sign_out(&token).await {
            Ok(()) => tracing::info!("session revoked on the server"),
            Err(_) => tracing::info!("could not revoke the session on the server"),
        }
    }
    if let Some(store) = &store {
        store.remove_setting(keys::REFRESH_TOKEN).await?;
    }
    let open = state.store.lock().await.take();
    let parked = state.parked.lock().await.take();
    for store in [open, parked].into_iter().flatten() {
        store.close().await;
    }
    *state.session.lock().await = Default::default();
    state.sign_in.lock().await.attempt = None;
    state.update_sync_status(|s| *s = Default::default());
    let mut installation = installation;
    installation.signed_in = false;
    installation.save(state.data_dir())?;
    state.set_notice("You have signed out of Hearth.");
    tracing::info!("signed out");
    Ok(())
}

/// The server says this device must be wiped: closes the cache and deletes its files, the
/// key (keyring entry or wrapped-key file) and the server settings, then the window shows
/// the first-run screen. `from_sync_task` when called by the sync task itself (it must not
/// wait for itself to stop).
pub(crate) async fn wipe(state: &AppState, from_sync_task: bool) {
    tracing::warn!("the server asked for this device to be wiped");
    state.documents.forget_all();
    if let Some(runner) = state.sync.lock().await.take() {
        if from_sync_task {
            runner.signal_stop();
        } else {
            runner.stop().await;
        }
    }
    let open = state.store.lock().await.take();
    let parked = state.parked.lock().await.take();
    for store in [open, parked].into_iter().flatten() {
        store.close().await;
    }
    let dir = state.data_dir();
    let mut names = vec![
        DATABASE_FILE_NAME.to_owned(),
        format!("{DATABASE_FILE_NAME}-wal"),
        format!("{DATABASE_FILE_NAME}-shm"),
        KEY_FILE_NAME.to_owned(),
        session::INSTALLATION_FILE.to_owned(),
    ];
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with("set-aside-") {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
    for name in names.drain(..) {
        match std::fs::remove_file(dir.join(&name)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!(kind = ?e.kind(), "could not delete a cache file"),
        }
    }
    if state.key_policy() == KeyPolicy::KeyringFirst {
        if let Err(err) = forget_keyring_key(KEYRING_SERVICE, KEYRING_ACCOUNT).await {
            tracing::info!(%err, "no keyring entry removed");
        }
    }
    *state.session.lock().await = Default::default();
    state.sign_in.lock().await.attempt = None;
    state.update_sync_status(|s| *s = Default::default());
    state.set_notice(
        "Your organisation has removed Hearth from this device, so its Hearth data has been deleted. \
         Contact your IT service desk if you need to use Hearth here again.",
    );
}
