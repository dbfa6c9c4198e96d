//! Hearth's desktop shell: the Tauri app around the local store.
//!
//! It is the only crate that knows Tauri. It keeps the open [`hearth_store::Store`] in
//! [`state::AppState`], exposes a few thin commands to the web view (`ui/`), and maps every
//! failure to the one error shape the UI understands ([`error::AppError`]).
//!
//! Commands are registered once, in [`specta_builder`]; the TypeScript bindings the UI
//! imports (`ui/src/lib/bindings.ts`) are generated from it and committed. The test
//! `bindings_are_up_to_date` fails when they are stale; `UPDATE_BINDINGS=1 cargo test -p
//! hearth bindings` rewrites them.
//!
//! Start-up: the data folder is `HEARTH_DATA_DIR` or the platform's app data folder. The
//! window polls `shell_status` (module `shell`): first run asks for the server address
//! (`connect_server`), then sign-in (`sign_in`, `verify_code`, `resend_code`) creates the
//! encrypted cache (key in the OS keyring, else wrapped with the account password) and
//! keeps the refresh token and an Argon2id password verifier inside it; later starts ask
//! for the password (`unlock`, checked on this device, no server). `lock` (button, or the
//! window's idle timer after flushing drafts; a watchdog here locks too if the window
//! stops reporting input) parks the cache so every record command refuses. `sign_out`
//! revokes the session; a `wipe_device` answer deletes the cache. While unlocked the sync
//! engine runs in the background (module `sync_task`) and feeds the sync bar.
//! `dashboard` reads the counts and the list of records for the home screen.
//! `conflicts_list` and `conflict_resolve` (module `conflicts`) feed the conflicts screen:
//! base, mine and theirs per field of each edit the server did not apply.
//! Module `referrals`: the referral to the MASH (form autosave, submit, "My referrals", the
//! 30-day deletion of drafts and its warning) and the MASH triage work tray.
//! Module `requests`: the request for support to a commissioned service (form autosave,
//! send, "My requests") and its service manager's views, decisions and filters; module
//! `workers`: the service's workers a manager allocates (fetched online, kept offline).
//! Module `tasks`: delegated tasks (the three trays, the contribution form from its form
//! type's data, autosave, submit).
//!
//! Documents (module `documents`): the plan view's list, "Add a document" (the system's file
//! dialog, or files dropped on the window: `documents://dropped`), open read-only, "Edit in
//! Word" with each save stored back (`documents://saved`), and "Move to another plan".
//! Decrypted copies live in one private temporary folder, deleted on lock, sign-out and exit.
//!
//! "Download / print": `print_record` lays a record out as a PDF (module `printing`, no window
//! needed), asks where to save it with the system's save dialog (rfd) and writes it;
//! `open_saved_pdf` opens a PDF it saved in the system's viewer, and nothing else.

#![forbid(unsafe_code)]

mod commands;
mod conflicts;
pub mod documents;
mod dto;
mod error;
mod plans;
mod printing;
mod records;
mod referrals;
pub mod rendering;
mod requests;
mod session;
pub mod sharing;
mod shell;
mod state;
mod sync_task;
mod tasks;
mod workers;

use tauri::Manager as _;
use tauri_specta::{collect_commands, collect_events, Builder, Event as _};

pub use dto::{
    AppStatus, CodeSent, Dashboard, LocalRecord, PlanCounts, PrintOutcome, Progress, ShellStatus,
    SyncState, SyncStatus, SyncSummary,
};
pub use error::{AppError, ErrorCode};

/// Where the generated bindings live, relative to the repository root.
pub const BINDINGS_PATH: &str = "ui/src/lib/bindings.ts";

/// Every command and constant the UI can use, in one place.
pub fn specta_builder() -> Builder<tauri::Wry> {
    Builder::<tauri::Wry>::new()
        // Commands return values only; one TypeScript type per Rust type reads better than
        // separate serialize/deserialize shapes.
        .disable_serde_phases()
        .commands(collect_commands![
            shell::shell_status,
            shell::connect_server,
            shell::sign_in,
            shell::verify_code,
            shell::resend_code,
            shell::unlock,
            shell::lock,
            shell::activity,
            shell::sign_out,
            shell::sync_now,
            commands::dashboard,
            commands::print_record,
            commands::open_saved_pdf,
            plans::plan_form,
            plans::plan_load,
            plans::plan_save,
            plans::plan_finish,
            plans::plans_list,
            plans::review_start,
            plans::review_load,
            plans::review_save,
            plans::review_finish,
            sharing::sharing_load,
            sharing::sharing_lookup,
            sharing::sharing_save,
            sharing::sharing_leave,
            sharing::transfer_offer,
            sharing::transfer_answer,
            sharing::transfers_waiting,
            conflicts::conflicts_list,
            conflicts::conflict_resolve,
            documents::documents_list,
            documents::document_choose,
            documents::document_staged,
            documents::document_add,
            documents::document_open,
            documents::document_edit,
            documents::document_relink,
            referrals::referral_form,
            referrals::referral_load,
            referrals::referral_save,
            referrals::referral_submit,
            referrals::referrals_list,
            referrals::referral_drafts_expiring,
            referrals::triage_tray,
            referrals::triage_record_outcome,
            referrals::triage_matches,
            requests::request_form,
            requests::request_load,
            requests::request_save,
            requests::request_send,
            requests::requests_mine,
            requests::requests_manage,
            requests::request_decide,
            requests::request_new_from,
            workers::request_workers,
            tasks::tasks_trays,
            tasks::task_load,
            tasks::task_save,
            tasks::task_submit,
            tasks::task_find_person,
            tasks::task_reassign,
            tasks::task_counter_sign,
            documents::document_remove,
        ])
        .events(collect_events![
            documents::DocumentSaved,
            documents::DocumentsDropped
        ])
}

/// The TypeScript exporter settings used for `ui/src/lib/bindings.ts`.
pub fn typescript() -> specta_typescript::Typescript {
    specta_typescript::Typescript::default().header(
        "// Generated by tauri-specta from src-tauri (specta_builder). Do not edit: run\n\
         // `UPDATE_BINDINGS=1 cargo test -p hearth bindings` after changing a command or type.\n",
    )
}

/// How long after the idle limit the backend locks by itself if the window has not.
const IDLE_GRACE: std::time::Duration = std::time::Duration::from_secs(15);

/// Starts the app. Logs go to stderr (`RUST_LOG` filters them) and never carry personal data.
pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();

    let builder = specta_builder();
    let profile = state::profile_key(std::env::var_os(state::DATA_DIR_ENV).as_deref());
    tauri::Builder::default()
        // First: a second start of the same profile focuses the open window and exits.
        .plugin(
            tauri_plugin_single_instance::Builder::new()
                .dbus_id(format!("uk.hearth.desktop.{profile}"))
                .callback(|app, _args, _cwd| {
                    if let Some(window) = app.get_webview_window("main") {
                        let _ = window.unminimize();
                        let _ = window.show();
                        let _ = window.set_focus();
                    }
                })
                .build(),
        )
        .plugin(
            tauri_plugin_window_state::Builder::default()
                .with_filename(format!("window-state-{profile}.json"))
                .build(),
        )
        .plugin(tauri_plugin_notification::init())
        .invoke_handler(builder.invoke_handler())
        .setup(move |app| {
            builder.mount_events(app);
            let data_dir = state::resolve_data_dir(app)?;
            let key_policy = state::KeyPolicy::from_env();
            tracing::info!(?key_policy, "data folder resolved");
            let app_state = state::AppState::new(data_dir, key_policy);
            let handle = app.handle().clone();
            app_state.set_notifier(Box::new(move |title, body| {
                use tauri_plugin_notification::NotificationExt as _;
                if let Err(err) = handle
                    .notification()
                    .builder()
                    .title(title)
                    .body(body)
                    .show()
                {
                    tracing::info!(%err, "could not show a notification");
                }
            }));
            app_state.documents.remove_leftovers();
            let handle = app.handle().clone();
            app_state
                .documents
                .set_on_saved(std::sync::Arc::new(move |saved: documents::DocumentSaved| {
                    if let Err(err) = saved.emit(&handle) {
                        tracing::warn!(%err, "could not tell the window a document was saved");
                    }
                }));
            // Files dropped on the window are read and checked here; the window gets only
            // their names and problems (`documents://dropped`).
            if let Some(window) = app.get_webview_window("main") {
                let handle = app.handle().clone();
                let drop_state = app_state.clone();
                window.on_window_event(move |event| {
                    if let tauri::WindowEvent::DragDrop(tauri::DragDropEvent::Drop {
                        paths, ..
                    }) = event
                    {
                        let paths = paths.clone();
                        let handle = handle.clone();
                        let drop_state = drop_state.clone();
                        tauri::async_runtime::spawn(async move {
                            if let Some(dropped) = documents::stage_dropped(&drop_state, paths).await {
                                if let Err(err) = dropped.emit(&handle) {
                                    tracing::warn!(%err, "could not tell the window about dropped files");
                                }
                            }
                        });
                    }
                });
            }
            app.manage(app_state.clone());
            // The idle lock's safety net, should the window stop reporting input or locking.
            tauri::async_runtime::spawn(async move {
                loop {
                    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
                    shell::lock_if_idle(&app_state, IDLE_GRACE).await;
                }
            });
            Ok(())
        })
        .build(tauri::generate_context!())
        .unwrap_or_else(|err| match err {
            // Another start of this profile holds its D-Bus name but did not answer: it has
            // just gone (a crash, or a quit still finishing). Start again rather than fail.
            tauri::Error::PluginInitialization(ref plugin, _) if plugin == "single-instance" => {
                restart_after_a_gone_instance(&err)
            }
            err => panic!("Hearth could not start its window: {err:?}"),
        })
        .run(|app, event| {
            if let tauri::RunEvent::Exit = event {
                // Nothing decrypted outlives the app.
                app.state::<state::AppState>().documents.forget_all();
            }
        });
}

/// How many times [`restart_after_a_gone_instance`] starts Hearth again before giving up.
const START_ATTEMPTS: u32 = 5;
const START_ATTEMPT_ENV: &str = "HEARTH_START_ATTEMPT";

/// The single-instance check found the profile's D-Bus name held by an instance that did not
/// answer, which happens for a moment after that instance crashed or quit. Waits a second
/// and replaces this process with a fresh start of the same program (same arguments,
/// environment and process id), a few times at most.
fn restart_after_a_gone_instance(err: &tauri::Error) -> ! {
    let attempt: u32 = std::env::var(START_ATTEMPT_ENV)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    if attempt >= START_ATTEMPTS {
        panic!("Hearth could not start its window after {attempt} tries: {err:?}");
    }
    tracing::warn!(
        attempt,
        "the previous Hearth window of this profile did not answer; starting again"
    );
    std::thread::sleep(std::time::Duration::from_secs(1));
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt as _;
        let exe = std::env::current_exe().expect("Hearth could not find its own program file");
        let failure = std::process::Command::new(exe)
            .args(std::env::args_os().skip(1))
            .env(START_ATTEMPT_ENV, (attempt + 1).to_string())
            .exec();
        panic!("Hearth could not start again: {failure}");
    }
    #[cfg(not(unix))]
    panic!("Hearth could not start its window: {err:?}");
}

#[cfg(test)]
mod bindings_tests;
#[cfg(test)]
mod shell_tests;
