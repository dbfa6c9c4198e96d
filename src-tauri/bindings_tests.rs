//! Keeps the generated TypeScript bindings, the capability and the isolation hook honest.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::{specta_builder, typescript, BINDINGS_PATH};

fn repo_file(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn fresh_bindings() -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bindings.ts");
    specta_builder()
        .export(typescript(), &path)
        .expect("export TypeScript bindings");
    std::fs::read_to_string(&path).expect("read exported bindings")
}

/// The command names the bindings invoke, e.g. `app_status`.
fn invoked_commands(bindings: &str) -> BTreeSet<String> {
    bindings
        .split("TAURI_INVOKE(\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn bindings_are_up_to_date() {
    let fresh = fresh_bindings();
    let committed_path = repo_file(BINDINGS_PATH);
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&committed_path, &fresh).expect("write bindings");
        return;
    }
    let committed = std::fs::read_to_string(&committed_path)
        .unwrap_or_default()
        .replace("\r\n", "\n");
    assert!(
        committed == fresh,
        "{BINDINGS_PATH} is out of date with the Rust commands and types: \
         run `UPDATE_BINDINGS=1 cargo test -p hearth bindings` and commit the result"
    );
}

#[test]
fn every_command_is_granted_by_the_capability_and_allowed_by_the_isolation_hook() {
    let commands = invoked_commands(&fresh_bindings());
    assert_eq!(
        commands,
        [
            "activity",
            "conflict_resolve",
            "conflicts_list",
            "connect_server",
            "dashboard",
            "document_add",
            "document_choose",
            "document_edit",
            "document_open",
            "document_relink",
            "document_remove",
            "document_staged",
            "documents_list",
            "lock",
            "open_saved_pdf",
            "plan_finish",
            "plan_form",
            "plan_load",
            "plan_save",
            "plans_list",
            "print_record",
            "referral_drafts_expiring",
            "referral_form",
            "referral_load",
            "referral_save",
            "referral_submit",
            "referrals_list",
            "request_decide",
            "request_form",
            "request_load",
            "request_new_from",
            "request_save",
            "request_send",
            "request_workers",
            "requests_manage",
            "requests_mine",
            "resend_code",
            "review_finish",
            "review_load",
            "review_save",
            "review_start",
            "sharing_leave",
            "sharing_load",
            "sharing_lookup",
            "sharing_save",
            "shell_status",
            "sign_in",
            "sign_out",
            "sync_now",
            "task_counter_sign",
            "task_find_person",
            "task_load",
            "task_reassign",
            "task_save",
            "task_submit",
            "tasks_trays",
            "transfer_answer",
            "transfer_offer",
            "transfers_waiting",
            "triage_matches",
            "triage_record_outcome",
            "triage_tray",
            "unlock",
            "verify_code",
        ]
        .map(String::from)
        .into(),
        "the commands registered in specta_builder changed: update build.rs, \
         capabilities/main-window.json and ui-isolation/index.js, then this list"
    );

    let capability: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo_file("capabilities/main-window.json"))
            .expect("read capability"),
    )
    .expect("capability is JSON");
    let granted: BTreeSet<String> = capability["permissions"]
        .as_array()
        .expect("permissions array")
        .iter()
        .map(|p| p.as_str().expect("permission identifier").to_owned())
        .collect();
    let mut wanted: BTreeSet<String> = commands
        .iter()
        .map(|c| format!("allow-{}", c.replace('_', "-")))
        .collect();
    // Listening to the app's own events (the hook narrows it to EVENTS, checked below).
    wanted.extend(LISTEN_PERMISSIONS.map(String::from));
    assert_eq!(
        granted, wanted,
        "the main window must be granted exactly the app's commands"
    );

    let hook = std::fs::read_to_string(repo_file("ui-isolation/index.js")).expect("read hook");
    let allowed_block = hook
        .split("const ALLOWED = {")
        .nth(1)
        .and_then(|rest| rest.split("\n};").next())
        .expect("ui-isolation/index.js defines `const ALLOWED = { ... };`");
    let allowed: BTreeSet<String> = allowed_block
        .lines()
        .filter_map(|line| {
            let (name, _) = line.trim().split_once(": (")?;
            Some(name.to_owned())
        })
        .collect();
    assert_eq!(
        allowed, commands,
        "the isolation hook must allow exactly the app's commands"
    );

    // The events the hook lets the window listen to are exactly the app's typed events.
    let events_block = hook
        .split("const EVENTS = [")
        .nth(1)
        .and_then(|rest| rest.split("];").next())
        .expect("ui-isolation/index.js defines `const EVENTS = [ ... ];`");
    let listened: BTreeSet<String> = events_block
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect();
    let registered: BTreeSet<String> = fresh_bindings()
        .split("makeEvent<")
        .skip(1)
        .filter_map(|rest| rest.split("(\"").nth(1)?.split('"').next())
        .filter(|name| name.contains("://"))
        .map(str::to_owned)
        .collect();
    assert_eq!(
        listened,
        ["documents://dropped", "documents://saved"]
            .map(String::from)
            .into(),
        "the isolation hook lets the window listen to Hearth's own events only"
    );
    assert_eq!(
        registered, listened,
        "the hook's EVENTS must be the events registered in specta_builder"
    );
}

/// The only permissions besides the app's own commands: listening to its own events.
const LISTEN_PERMISSIONS: [&str; 2] = ["core:event:allow-listen", "core:event:allow-unlisten"];

/// The window's security settings: loosening any of them must be a deliberate change here.
#[test]
fn csp_isolation_and_capabilities_stay_tight() {
    let conf: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo_file("tauri.conf.json")).expect("read tauri.conf.json"),
    )
    .expect("tauri.conf.json is JSON");
    let security = &conf["app"]["security"];
    assert_eq!(
        security["pattern"]["use"], "isolation",
        "the isolation pattern must stay on"
    );
    assert_eq!(security["pattern"]["options"]["dir"], "ui-isolation");
    assert_eq!(security["freezePrototype"], true);
    assert_eq!(conf["app"]["withGlobalTauri"], false);
    assert!(
        security
            .get("dangerousDisableAssetCspModification")
            .is_none(),
        "Tauri must keep adding nonces and hashes to the CSP"
    );
    let expected_csp = serde_json::json!({
        "default-src": "'self'",
        "connect-src": "ipc: http://ipc.localhost",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self'",
        "font-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'none'"
    });
    assert_eq!(security["csp"], expected_csp, "the production CSP changed");
    for (directive, value) in security["csp"].as_object().unwrap() {
        let value = value.as_str().unwrap();
        for loose in [
            "'unsafe-inline'",
            "'unsafe-eval'",
            "*",
            "data:",
            "blob:",
            "http:",
            "https:",
        ] {
            assert!(
                !value.split_whitespace().any(|source| source == loose),
                "CSP {directive} allows {loose}"
            );
        }
    }
    assert_eq!(
        security["capabilities"],
        serde_json::json!(["main-window"]),
        "only the main window's capability is enabled"
    );

    // One capability file, for the main window only, local content only, no plugin grants.
    let files: Vec<String> = std::fs::read_dir(repo_file("capabilities"))
        .expect("capabilities folder")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, ["main-window.json"], "no other capability files");
    let capability: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo_file("capabilities/main-window.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(capability["windows"], serde_json::json!(["main"]));
    assert!(
        capability.get("remote").is_none(),
        "no remote URL may call commands"
    );
    assert!(capability.get("webviews").is_none());
    for permission in capability["permissions"].as_array().unwrap() {
        let permission = permission
            .as_str()
            .expect("plain permission identifiers, no scopes");
        assert!(
            (permission.starts_with("allow-") && !permission.contains(':'))
                || LISTEN_PERMISSIONS.contains(&permission),
            "{permission}: plugin and core permissions are not granted to the window \
             (listening to Hearth's own events aside)"
        );
    }
}
