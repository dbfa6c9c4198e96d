//! Cold start of the real app to an interactive dashboard with 1,000 plans in its cache,
//! and the app's resident memory (not a test: it prints figures for BENCHMARKS.md).
//!
//! ```text
//! make bench-e2e   # or, by hand, under xvfb-run and .ci/with-keyring:
//! HEARTH_APP_BIN=... TAURI_DRIVER=... HEARTH_SERVER_BIN=... cargo test -p hearth-e2e --bench cold_start
//! ```
//!
//! The cache's key is in the OS keyring (as on a machine that has one), so the app opens
//! straight to the dashboard. Cold start = the age of the app process (from /proc, 10 ms
//! resolution) when the dashboard's `<h1>` and its tiles are on screen; each run is a new
//! app process on the same cache. Memory: VmRSS of the app process and of each WebKit
//! helper process under it, 2 s after the dashboard appeared; and their PSS summed (RSS
//! counts WebKit's shared libraries once in every process).

use std::time::{Duration, Instant};

use anyhow::{ensure, Result};
use hearth_e2e::processes::{process_age, pss_kib, rss_kib};
use hearth_e2e::screens::DASHBOARD;
use hearth_e2e::seed::{seed_plans_in_keyring, PlanMix};
use hearth_e2e::{App, Prereqs, Profile};

const RUNS: usize = 5;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn max(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::MIN, f64::max)
}

struct Run {
    cold_start_ms: f64,
    wall_ms: f64,
    app_mib: f64,
    web_mib: f64,
    other_mib: f64,
    pss_sum_mib: f64,
}

async fn one_run(prereqs: &Prereqs, profile: &Profile, plans: usize) -> Result<Run> {
    let t0 = Instant::now();
    let app = App::start(prereqs, profile).await?;
    let pid = app.app_pid()?;
    let expected = format!("{plans}");
    let cold_start;
    loop {
        let ready = app
            .wd
            .execute(
                r#"const h1 = document.querySelectorAll('h1');
                   if (h1.length !== 1 || h1[0].textContent.trim() !== arguments[0]) return null;
                   const tile = [...document.querySelectorAll('h3')].find(h => h.textContent.trim() === 'Drafts in progress');
                   return tile ? tile.closest('li').textContent : null;"#,
                vec![DASHBOARD.into()],
            )
            .await?;
        if let Some(text) = ready.as_str() {
            cold_start = process_age(pid).unwrap_or_default();
            ensure!(
                text.replace(',', "").contains(&expected),
                "the dashboard shows {text:?}, not {plans} drafts"
            );
            break;
        }
        ensure!(
            t0.elapsed() < Duration::from_secs(60),
            "no dashboard within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let wall = t0.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (mut app_kib, mut web_kib, mut other_kib, mut pss_kib_sum) = (0, 0, 0, 0);
    for (p, exe) in app.process_tree()? {
        let kib = rss_kib(p).unwrap_or(0);
        pss_kib_sum += pss_kib(p).unwrap_or(0);
        let name = exe
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if p == pid {
            app_kib += kib;
        } else if name.contains("WebKitWebProcess") {
            web_kib += kib;
        } else {
            eprintln!("  helper {name}: {:.1} MiB", kib as f64 / 1024.0);
            other_kib += kib;
        }
    }
    app.quit().await?;
    Ok(Run {
        cold_start_ms: cold_start.as_secs_f64() * 1000.0,
        wall_ms: wall.as_secs_f64() * 1000.0,
        app_mib: app_kib as f64 / 1024.0,
        web_mib: web_kib as f64 / 1024.0,
        other_mib: other_kib as f64 / 1024.0,
        pss_sum_mib: pss_kib_sum as f64 / 1024.0,
    })
}

#[tokio::main]
async fn main() -> Result<()> {
    let prereqs = Prereqs::from_env()?;
    let mut profile = Profile::new("bench")?;
    profile.password_only = false;
    let mix = PlanMix {
        drafts: 700,
        completed: 250,
        closed: 50,
    };
    let seeding = Instant::now();
    seed_plans_in_keyring(profile.data_dir.path(), mix).await?;
    eprintln!(
        "seeded {} plans in {:.1} s",
        mix.total(),
        seeding.elapsed().as_secs_f64()
    );
    // One start to warm the OS file cache (the app binary, WebKit's libraries).
    one_run(&prereqs, &profile, mix.drafts).await?;
    let mut runs = Vec::new();
    for i in 0..RUNS {
        let run = one_run(&prereqs, &profile, mix.drafts).await?;
        eprintln!(
            "run {}: cold start {:.0} ms (wall from session request {:.0} ms); RSS app {:.1} MiB, web process {:.1} MiB, other helpers {:.1} MiB",
            i + 1,
            run.cold_start_ms,
            run.wall_ms,
            run.app_mib,
            run.web_mib,
            run.other_mib
        );
        runs.push(run);
    }
    let col = |f: fn(&Run) -> f64| runs.iter().map(f).collect::<Vec<f64>>();
    let cold = col(|r| r.cold_start_ms);
    let wall = col(|r| r.wall_ms);
    let app = col(|r| r.app_mib);
    let web = col(|r| r.web_mib);
    let other = col(|r| r.other_mib);
    let sum = col(|r| r.app_mib + r.web_mib + r.other_mib);
    let pss = col(|r| r.pss_sum_mib);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "cold start to an interactive dashboard, {} plans in the cache ({RUNS} runs, load {}):",
        mix.total(),
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!(
        "  cold start (app process age): median {:.0} ms, max {:.0} ms (goal <= 1500 ms)",
        median(cold.clone()),
        max(&cold)
    );
    println!(
        "  wall time from WebDriver session request: median {:.0} ms",
        median(wall)
    );
    println!(
        "  resident memory: app {:.1} MiB, WebKit web process {:.1} MiB, other WebKit helpers {:.1} MiB, sum {:.1} MiB (median; max sum {:.1} MiB; goal <= 200 MB)",
        median(app),
        median(web),
        median(other),
        median(sum.clone()),
        max(&sum)
    );
    println!(
        "  proportional (PSS, shared libraries counted once) summed over those processes: median {:.1} MiB",
        median(pss)
    );
    Ok(())
}
