//! Runs `tauri-build`: reads `tauri.conf.json`, checks the capabilities in `capabilities/`,
//! and generates the `allow-<command>` permissions for the app's own commands.
//!
//! Listing the commands here makes the ACL apply to them: a command missing from a
//! capability cannot be called from the web view. `bindings_are_up_to_date` (lib tests)
//! checks that this list, the capability and the isolation hook agree with the commands
//! registered with tauri-specta.

/// Every command of the app, as Tauri names them.
const COMMANDS: &[&str] = &[
    "shell_status",
    "connect_server",
    "sign_in",
    "verify_code",
    "resend_code",
    "unlock",
    "lock",
    "activity",
    "sign_out",
    "sync_now",
    "dashboard",
    "print_record",
    "open_saved_pdf",
    "plan_form",
    "plan_load",
    "plan_save",
    "plan_finish",
    "plans_list",
    "review_start",
    "review_load",
    "review_save",
    "review_finish",
    "sharing_load",
    "sharing_lookup",
    "sharing_save",
    "sharing_leave",
    "transfer_offer",
    "transfer_answer",
    "transfers_waiting",
    "conflicts_list",
    "conflict_resolve",
    "documents_list",
    "document_choose",
    "document_staged",
    "document_add",
    "document_open",
    "document_edit",
    "document_relink",
    "referral_form",
    "referral_load",
    "referral_save",
    "referral_submit",
    "referrals_list",
    "referral_drafts_expiring",
    "triage_tray",
    "triage_record_outcome",
    "triage_matches",
    "request_form",
    "request_load",
    "request_save",
    "request_send",
    "requests_mine",
    "requests_manage",
    "request_decide",
    "request_new_from",
    "request_workers",
    "tasks_trays",
    "task_load",
    "task_save",
    "task_submit",
    "task_find_person",
    "task_reassign",
    "task_counter_sign",
    "document_remove",
];

fn main() {
    println!("cargo:rerun-if-changed=capabilities");
    println!("cargo:rerun-if-changed=ui-isolation");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed: check tauri.conf.json and capabilities/");
}
