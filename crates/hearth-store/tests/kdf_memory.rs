//! Argon2id's working memory goes back to the operating system after each run.
//!
//! A binary of its own with one test, so no other test allocates in the process while the
//! resident set is read. Before `hearth_store::kdf::hash_into`, the second of two 19 MiB
//! runs under glibc stayed resident (about 19 MiB) after it returned.

use argon2::Params;

/// Resident pages of this process, in bytes (`/proc/self/statm`, second field).
fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("reading /proc/self/statm");
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .expect("statm's resident field");
    // Linux's page size on the machines Hearth runs on (x86-64, aarch64 with 4 KiB pages).
    pages * 4096
}

#[test]
fn two_unlock_sized_runs_leave_less_than_2_mib_resident() {
    let before = resident_bytes();
    let mut outputs = Vec::new();
    for salt in [b"invented salt one", b"invented salt two"] {
        // The app's cost: OWASP's minimum, 19 MiB, as the key unwrap and the verifier use.
        let params = Params::new(19 * 1024, 2, 1, Some(32)).unwrap();
        let mut out = [0u8; 32];
        hearth_store::kdf::hash_into(params, b"invented password", salt, &mut out).unwrap();
        outputs.push(out);
    }
    let after = resident_bytes();
    assert_ne!(outputs[0], outputs[1]);
    let grown = after.saturating_sub(before);
    assert!(
        grown < 2 * 1024 * 1024,
        "resident memory grew by {:.1} MiB over two Argon2id runs ({before} -> {after} bytes)",
        grown as f64 / (1024.0 * 1024.0)
    );
}
