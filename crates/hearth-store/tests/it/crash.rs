//! Crash test: a child process autosaves drafts in a loop and is killed with SIGKILL at
//! random moments, over and over. After every kill the cache must open, pass both
//! integrity checks, and hold every draft whose save had returned, exactly as reported.
//!
//! The delays come from a seeded generator; the seed is printed, and
//! `HEARTH_CRASH_SEED=<seed>` replays a run.

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use hearth_domain::RecordKind;
use hearth_store::{DatabaseKey, KeyStorage, Store};
use rand::{Rng as _, SeedableRng as _};

use crate::helpers::{at, data_dir, sha256_hex};

const KILLS: usize = 200;

/// What the child said before it was killed.
#[derive(Default)]
struct Reports {
    /// Last `saved` line per record: (version, sha of fields).
    saved: HashMap<String, (i64, String)>,
    /// The last `saving` line: (record id or "new", sha), if its `saved` line never came.
    in_flight: Option<(String, String)>,
    saves: usize,
    /// Kills that landed between a `saving` and its `saved` line.
    mid_save: usize,
}

fn read_reports(lines: &[String], reports: &mut Reports) {
    for line in lines {
        let parts: Vec<&str> = line.split(' ').collect();
        match parts.as_slice() {
            ["saving", id, sha] if sha.len() == 64 => {
                reports.in_flight = Some(((*id).to_owned(), (*sha).to_owned()))
            }
            ["saved", id, version, sha] if sha.len() == 64 => {
                reports.saved.insert(
                    (*id).to_owned(),
                    (version.parse().unwrap(), (*sha).to_owned()),
                );
                reports.in_flight = None;
                reports.saves += 1;
            }
            _ => {} // "ready", or a line cut short by the kill
        }
    }
}

/// Runs the child until `delay` after it says it is ready, then SIGKILLs it.
fn run_and_kill(dir: &Path, key_hex: &str, delay: Duration) -> Vec<String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hearth-store-crash-child"))
        .arg(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{key_hex}\n").as_bytes())
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (ready_tx, ready_rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut lines = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if line == "ready" {
                ready_tx.send(()).ok();
            }
            lines.push(line);
        }
        lines
    });
    ready_rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the child did not get ready");
    std::thread::sleep(delay);
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    reader.join().unwrap()
}

/// Checks the cache after a kill and returns its drafts' state, which the next round
/// starts from.
async fn verify(
    dir: &Path,
    key: &DatabaseKey,
    reports: &Reports,
    round: usize,
) -> HashMap<String, (i64, String)> {
    let store = Store::open_or_create(dir, KeyStorage::Supplied { key: key.clone() }, at(0))
        .await
        .unwrap_or_else(|e| panic!("round {round}: the cache does not open: {e}"));
    store
        .check_integrity()
        .await
        .unwrap_or_else(|e| panic!("round {round}: {e}"));

    let plans = store.list(RecordKind::Plan).await.unwrap();
    let outbox = store.pending_mutations(u32::MAX).await.unwrap();
    let last = store.last_mutation_id().await.unwrap().0;
    let ids: Vec<i64> = outbox.iter().map(|m| m.mutation_id.0).collect();
    assert_eq!(
        ids,
        (1..=last).collect::<Vec<_>>(),
        "round {round}: mutation ids without gaps"
    );

    for (id, (version, sha)) in &reports.saved {
        let plan = plans.iter().find(|p| &p.id.to_string() == id);
        let plan = plan.unwrap_or_else(|| panic!("round {round}: saved record {id} is gone"));
        let draft = store.load(plan.id).await.unwrap().unwrap();
        let actual = sha256_hex(serde_json::to_string(&draft.fields).unwrap().as_bytes());
        if plan.version == *version {
            assert_eq!(
                &actual, sha,
                "round {round}: record {id} v{version} changed"
            );
        } else {
            // The kill came after a later save committed but before it was reported.
            assert_eq!(
                plan.version,
                version + 1,
                "round {round}: record {id} version"
            );
            let (flight_id, flight_sha) = reports.in_flight.as_ref().expect("an unreported save");
            assert_eq!(
                (flight_id, &actual),
                (id, flight_sha),
                "round {round}: record {id}"
            );
        }
    }
    for plan in plans
        .iter()
        .filter(|p| !reports.saved.contains_key(&p.id.to_string()))
    {
        // Only an unreported first save may have left a record nobody was told about.
        let (flight_id, flight_sha) = reports.in_flight.as_ref().expect("an unreported record");
        assert_eq!(
            (flight_id.as_str(), plan.version),
            ("new", 1),
            "round {round}"
        );
        let draft = store.load(plan.id).await.unwrap().unwrap();
        assert_eq!(
            &sha256_hex(serde_json::to_string(&draft.fields).unwrap().as_bytes()),
            flight_sha
        );
    }
    let mut state = HashMap::new();
    for plan in &plans {
        // The edit and its outbox row were written together: one row per version.
        let rows = outbox
            .iter()
            .filter(|m| m.record_id == plan.id.as_uuid())
            .count();
        assert_eq!(
            i64::try_from(rows).unwrap(),
            plan.version,
            "round {round}: outbox rows of {}",
            plan.id
        );
        let draft = store.load(plan.id).await.unwrap().unwrap();
        let sha = sha256_hex(serde_json::to_string(&draft.fields).unwrap().as_bytes());
        state.insert(plan.id.to_string(), (plan.version, sha));
    }
    store.close().await;
    state
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_autosaves_lose_nothing_that_was_reported() {
    let seed: u64 = std::env::var("HEARTH_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| rand::rng().random());
    eprintln!("crash test seed {seed} (replay with HEARTH_CRASH_SEED={seed})");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);

    let dir = data_dir();
    let key = DatabaseKey::generate();
    let key_hex: String = key.as_bytes().iter().map(|b| format!("{b:02x}")).collect();
    let mut reports = Reports::default();
    let started = Instant::now();

    for round in 0..KILLS {
        let delay = Duration::from_millis(rng.random_range(5..=60));
        let dir_path = dir.path().to_owned();
        let hex = key_hex.clone();
        let lines = tokio::task::spawn_blocking(move || run_and_kill(&dir_path, &hex, delay))
            .await
            .unwrap();
        read_reports(&lines, &mut reports);
        reports.mid_save += usize::from(reports.in_flight.is_some());
        // Checked against the reports; what was in flight is now either committed or lost.
        reports.saved = verify(dir.path(), &key, &reports, round).await;
        reports.in_flight = None;
    }
    eprintln!(
        "crash test: {KILLS} kills ({} in the middle of a save), {} reported saves, {:.1} s",
        reports.mid_save,
        reports.saves,
        started.elapsed().as_secs_f64()
    );
    assert!(
        reports.saves >= KILLS,
        "the child saved too little to test anything: {}",
        reports.saves
    );
}
