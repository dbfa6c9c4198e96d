//! Cold start of the real app to an interactive dashboard with 1,000 plans in its cache,
//! and the app's resident memory (not a test: it prints figures for BENCHMARKS.md).
//!
//! ```text
//! make bench-e2e   # or, by hand, under xvfb-run and .ci/with-keyring:
//! HEARTH_APP_BIN=... TAURI_DRIVER=... HEARTH_SERVER_BIN=... cargo test -p hearth-e2e --bench cold_start
//! ```
//!
//! The profile signs in once for real (server address, password, emailed code; the cache's
//! key is wrapped with the password, as where there is no OS keyring), then 1,000 invented plans are put in its cache and the
//! server is stopped: every run is a later start on a laptop with no signal, a new app
//! process on the same cache. Such a start opens on "Unlock Hearth"; the run types the
//! password and presses Unlock. Cold start = the age of the app process (from /proc, 10 ms
//! resolution) when "Unlock Hearth" is on screen, plus the time from pressing Unlock until
//! the dashboard's `<h1>` and its tiles are on screen (the typing is not counted). Memory: VmRSS of the app process and of each WebKit
//! helper process under it, 2 s after the dashboard appeared; and their PSS summed (RSS
//! counts WebKit's shared libraries once in every process).

use std::time::{Duration, Instant};

use anyhow::{ensure, Result};
use hearth_e2e::app::eventually;
use hearth_e2e::processes::{process_age, pss_kib, rss_kib};
use hearth_e2e::screens::{CHECK_EMAIL, CONNECT, DASHBOARD, SIGN_IN, UNLOCK};
use hearth_e2e::seed::{seed_plans, PlanMix};
use hearth_e2e::{App, Prereqs, Profile, Server};

const RUNS: usize = 5;
const ALEX: &str = "alex.demoworker@example.org.uk";
/// The demo organisation's password (`hearth-server demo-seed`; invented).
const DEMO_PASSWORD: &str = "hearth demo only 2026";

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn max(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::MIN, f64::max)
}

struct Run {
    to_unlock_ms: f64,
    unlock_ms: f64,
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
    app.wait_for_screen(UNLOCK).await?;
    let to_unlock = process_age(pid).unwrap_or_default();
    app.fill("Password", DEMO_PASSWORD).await?;
    app.press("Unlock").await?;
    let unlock_pressed = Instant::now();
    let expected = format!("{plans}");
    let unlock;
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
            unlock = unlock_pressed.elapsed();
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
        to_unlock_ms: to_unlock.as_secs_f64() * 1000.0,
        unlock_ms: unlock.as_secs_f64() * 1000.0,
        cold_start_ms: (to_unlock + unlock).as_secs_f64() * 1000.0,
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
    let profile = Profile::new("bench")?;
    let mix = PlanMix {
        drafts: 700,
        completed: 250,
        closed: 50,
    };
    let mut server = Server::start(&prereqs)?;
    sign_in(&prereqs, &profile, &server).await?;
    // Every measured start is offline, as on a home visit (and no sync competes with it).
    server.stop()?;
    let seeding = Instant::now();
    seed_plans(profile.data_dir.path(), DEMO_PASSWORD, mix).await?;
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
            "run {}: unlock screen at {:.0} ms, dashboard {:.0} ms after Unlock: cold start {:.0} ms (wall from session request {:.0} ms); RSS app {:.1} MiB, web process {:.1} MiB, other helpers {:.1} MiB",
            i + 1,
            run.to_unlock_ms,
            run.unlock_ms,
            run.cold_start_ms,
            run.wall_ms,
            run.app_mib,
            run.web_mib,
            run.other_mib
        );
        runs.push(run);
    }
    let col = |f: fn(&Run) -> f64| runs.iter().map(f).collect::<Vec<f64>>();
    let to_unlock = col(|r| r.to_unlock_ms);
    let unlock = col(|r| r.unlock_ms);
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
        "  to \"Unlock Hearth\" (app process age): median {:.0} ms; Unlock to the dashboard: median {:.0} ms",
        median(to_unlock),
        median(unlock)
    );
    println!(
        "  cold start (the two added): median {:.0} ms, max {:.0} ms (goal <= 1500 ms)",
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

/// The first start of the profile: server address, password, emailed code, the dashboard.
async fn sign_in(prereqs: &Prereqs, profile: &Profile, server: &Server) -> Result<()> {
    let app = App::start(prereqs, profile).await?;
    app.wait_for_screen(CONNECT).await?;
    app.fill("Server address", &server.url()).await?;
    app.press("Continue").await?;
    app.wait_for_screen(SIGN_IN).await?;
    app.fill("Email address", ALEX).await?;
    app.fill("Password", DEMO_PASSWORD).await?;
    app.press("Sign in").await?;
    app.wait_for_screen(CHECK_EMAIL).await?;
    let code = eventually(|| async { server.latest_sign_in_code(ALEX) }).await?;
    app.fill("Code from the email", &code).await?;
    app.press("Continue").await?;
    app.wait_for_screen(DASHBOARD).await?;
    app.quit().await
}
