//! Cold start of the real app to an interactive dashboard with 1,000 plans in its cache,
//! and the app's resident memory (not a test: it prints figures for BENCHMARKS.md).
//!
//! ```text
//! make bench-e2e   # or, by hand, under xvfb-run and .ci/with-keyring:
//! HEARTH_APP_BIN=... TAURI_DRIVER=... HEARTH_SERVER_BIN=... cargo test -p hearth-e2e --bench cold_start
//! ```
//!
//! The profile signs in once for real (server address, password, emailed code; the cache's
//! key is wrapped with the password, as where there is no OS keyring), then 1,000 invented
//! plans are put in its cache and the server is stopped: every run is a later start on a
//! laptop with no signal, a new app process on the same cache. Such a start opens on "Unlock
//! Hearth"; the run types the password and presses Unlock. Cold start = the age of the app
//! process (from /proc, 10 ms resolution) when "Unlock Hearth" is on screen, plus the time
//! from pressing Unlock until the dashboard's `<h1>` and its tiles are on screen (the typing
//! is not counted). Memory, 2 s after the dashboard appeared, from /proc/<pid>/smaps_rollup
//! of the app process and of each WebKit helper under it (the web process, the network
//! process): RSS (VmRSS), PSS (shared pages divided among the processes sharing them: the
//! fair figure to add up, as RSS counts WebKit's shared libraries once in every process),
//! the private (unique) pages, and how much of RSS is anonymous (heaps, stacks, JavaScript)
//! rather than mapped files.
//!
//! `HEARTH_BENCH_SMAPS=<folder>` also saves each process's full /proc/<pid>/smaps there
//! (overwritten each run, so the last run's remain), to see which mappings hold the memory.
//! `HEARTH_BENCH_RUNS=<n>` measures n starts instead of 5.

use std::time::{Duration, Instant};

use anyhow::{ensure, Result};
use hearth_e2e::app::eventually;
use hearth_e2e::processes::process_age;
use hearth_e2e::screens::{CHECK_EMAIL, CONNECT, DASHBOARD, SIGN_IN, UNLOCK};
use hearth_e2e::seed::{seed_plans, PlanMix};
use hearth_e2e::{App, Prereqs, Profile, Server};

/// Measured starts: 5, or `HEARTH_BENCH_RUNS` (fewer, to compare settings quickly).
fn measured_runs() -> usize {
    std::env::var("HEARTH_BENCH_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(5)
}
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

/// One process's memory, in KiB, from /proc/<pid>/smaps_rollup.
#[derive(Debug, Clone, Copy, Default)]
struct Mem {
    rss: u64,
    pss: u64,
    /// Private_Clean + Private_Dirty: what only this process maps (its unique set).
    private: u64,
    anonymous: u64,
}

impl Mem {
    fn of(pid: u32) -> Mem {
        let rollup =
            std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
        let field = |name: &str| -> u64 {
            rollup
                .lines()
                .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        Mem {
            rss: field("Rss"),
            pss: field("Pss"),
            private: field("Private_Clean") + field("Private_Dirty"),
            anonymous: field("Anonymous"),
        }
    }

    fn add(&mut self, other: Mem) {
        self.rss += other.rss;
        self.pss += other.pss;
        self.private += other.private;
        self.anonymous += other.anonymous;
    }
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// The processes measured, in the order printed.
const PROCESSES: [&str; 4] = [
    "app",
    "WebKitWebProcess",
    "WebKitNetworkProcess",
    "other helpers",
];

struct Run {
    to_unlock_ms: f64,
    unlock_ms: f64,
    cold_start_ms: f64,
    wall_ms: f64,
    /// Per entry of [`PROCESSES`].
    mem: [Mem; 4],
}

impl Run {
    fn total(&self) -> Mem {
        let mut sum = Mem::default();
        for m in self.mem {
            sum.add(m);
        }
        sum
    }
}

/// What the warm-up start checks on the dashboard with 1,000 plans (not timed): it lists a
/// few recent records, not the whole cache, and links to My plans; axe-core finds nothing
/// serious; a screenshot (`HEARTH_E2E_SHOTS`).
async fn check_dashboard(app: &App) -> Result<()> {
    let listed = app
        .wd
        .execute(
            r#"const list = document.getElementById('records-heading').closest('section');
               const link = [...list.querySelectorAll('a')].some(a => a.getAttribute('href') === '#plans');
               return [list.querySelectorAll('tbody tr').length, link, list.querySelector('p').textContent.trim()];"#,
            vec![],
        )
        .await?;
    let rows = listed[0].as_u64().unwrap_or(0);
    eprintln!("dashboard list: {rows} rows; {}", listed[2]);
    ensure!(
        (1..=10).contains(&rows),
        "the dashboard lists {rows} records; it should list the few most recent"
    );
    ensure!(
        listed[1].as_bool() == Some(true),
        "the dashboard's list does not link to My plans"
    );
    let shot = app.save_shot("dashboard-1000-plans").await?;
    eprintln!("screenshot: {}", shot.display());
    app.axe_check("Dashboard, 1,000 plans").await?;
    Ok(())
}

async fn one_run(prereqs: &Prereqs, profile: &Profile, plans: usize, check: bool) -> Result<Run> {
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
    let mut mem = [Mem::default(); 4];
    let smaps_dir = std::env::var_os("HEARTH_BENCH_SMAPS").map(std::path::PathBuf::from);
    for (p, exe) in app.process_tree()? {
        let name = exe
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let slot = if p == pid {
            0
        } else if name.contains("WebKitWebProcess") {
            1
        } else if name.contains("WebKitNetworkProcess") {
            2
        } else {
            eprintln!("  helper {name}: {:.1} MiB RSS", mib(Mem::of(p).rss));
            3
        };
        mem[slot].add(Mem::of(p));
        if let Some(dir) = &smaps_dir {
            std::fs::create_dir_all(dir)?;
            let smaps = std::fs::read_to_string(format!("/proc/{p}/smaps")).unwrap_or_default();
            let file = format!("{}-{name}.smaps", PROCESSES[slot].replace(' ', "-"));
            std::fs::write(dir.join(file), smaps)?;
        }
    }
    if check {
        check_dashboard(&app).await?;
    }
    app.quit().await?;
    Ok(Run {
        to_unlock_ms: to_unlock.as_secs_f64() * 1000.0,
        unlock_ms: unlock.as_secs_f64() * 1000.0,
        cold_start_ms: (to_unlock + unlock).as_secs_f64() * 1000.0,
        wall_ms: wall.as_secs_f64() * 1000.0,
        mem,
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
    // One start to warm the OS file cache (the app binary, WebKit's libraries), which also
    // checks the dashboard's list (after its figures are taken; they are not counted).
    one_run(&prereqs, &profile, mix.drafts, true).await?;
    let mut runs = Vec::new();
    for i in 0..measured_runs() {
        let run = one_run(&prereqs, &profile, mix.drafts, false).await?;
        let total = run.total();
        eprintln!(
            "run {}: unlock screen at {:.0} ms, dashboard {:.0} ms after Unlock: cold start {:.0} ms (wall from session request {:.0} ms); RSS app {:.1} MiB, web process {:.1} MiB, network process {:.1} MiB, other {:.1} MiB; sums RSS {:.1}, PSS {:.1}, private {:.1} MiB",
            i + 1,
            run.to_unlock_ms,
            run.unlock_ms,
            run.cold_start_ms,
            run.wall_ms,
            mib(run.mem[0].rss),
            mib(run.mem[1].rss),
            mib(run.mem[2].rss),
            mib(run.mem[3].rss),
            mib(total.rss),
            mib(total.pss),
            mib(total.private),
        );
        runs.push(run);
    }
    let col = |f: fn(&Run) -> f64| runs.iter().map(f).collect::<Vec<f64>>();
    let to_unlock = col(|r| r.to_unlock_ms);
    let unlock = col(|r| r.unlock_ms);
    let cold = col(|r| r.cold_start_ms);
    let wall = col(|r| r.wall_ms);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "cold start to an interactive dashboard, {} plans in the cache ({} runs, load {}):",
        mix.total(),
        runs.len(),
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
    println!("  memory 2 s after the dashboard (MiB, median of the runs; goal <= 200 MB):");
    println!(
        "    {:<22} {:>8} {:>8} {:>8} {:>10} {:>10}",
        "process", "RSS", "PSS", "private", "anonymous", "files+shm"
    );
    let row = |label: &str, of: &dyn Fn(&Run) -> Mem| {
        let m = |f: fn(Mem) -> u64| median(runs.iter().map(|r| mib(f(of(r)))).collect());
        println!(
            "    {:<22} {:>8.1} {:>8.1} {:>8.1} {:>10.1} {:>10.1}",
            label,
            m(|x| x.rss),
            m(|x| x.pss),
            m(|x| x.private),
            m(|x| x.anonymous),
            m(|x| x.rss.saturating_sub(x.anonymous)),
        );
    };
    for (i, label) in PROCESSES.iter().enumerate() {
        row(label, &|r: &Run| r.mem[i]);
    }
    row("sum", &|r: &Run| r.total());
    let rss = col(|r| mib(r.total().rss));
    let pss = col(|r| mib(r.total().pss));
    println!(
        "  RSS sum: median {:.1} MiB, max {:.1} MiB; PSS sum: median {:.1} MiB, max {:.1} MiB",
        median(rss.clone()),
        max(&rss),
        median(pss.clone()),
        max(&pss)
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
