//! Print-speed figures, run with `cargo bench -p hearth-pdf --bench render`:
//!
//! - `pdf_render_median_ms`: the engine alone on the maximal invented document;
//! - `pdf_plan_render_median_ms`: the maximal invented Family Support Plan record (with
//!   its latest review) mapped to a document and rendered — what "Download / print"
//!   costs;
//! - `chromium_print_median_ms`: headless Chromium printing the same plan document,
//!   exported as HTML with print CSS ([`hearth_pdf::to_html`]), to PDF: a fresh process
//!   and profile per run, as a print-from-HTML design would pay each time;
//! - `speedup_ratio`: the Chromium median over the plan median.
//!
//! With `HEARTH_PDF_KEEP=<dir>` the HTML and both PDFs of the plan are kept there.
//!
//! Chromium is Debian's `chromium` package (`apt-get install chromium`), or the binary
//! named by `$CHROMIUM`. Without it the bench prints the PDF figures and fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hearth_domain::review::NextSteps;
use hearth_domain::Config;
use hearth_pdf::{plan_document, render, to_html, PrintContext};

#[path = "../tests/it/fixture.rs"]
mod fixture;
#[allow(dead_code)] // The bench uses only the plan and its review.
#[path = "../tests/it/records_fixture.rs"]
mod records_fixture;

const RUNS: usize = 25;
const CHROMIUM_RUNS: usize = 5;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Times `f` once to warm up (fonts parsed and deflated once per process, as in the
/// running app), then `RUNS` times; returns the median and the last output.
fn time_renders(what: &str, f: impl Fn() -> Vec<u8>) -> Duration {
    let start = Instant::now();
    let bytes = f();
    let first = start.elapsed();
    let times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .collect();
    let (min, max) = (
        times.iter().min().copied().unwrap_or_default(),
        times.iter().max().copied().unwrap_or_default(),
    );
    eprintln!(
        "{what}: first {:.1} ms; {RUNS} runs, {} bytes, min {:.1} ms, max {:.1} ms",
        ms(first),
        bytes.len(),
        ms(min),
        ms(max)
    );
    median(times)
}

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// One headless print of `html` to `out`, with a fresh profile directory.
fn chromium_print(chromium: &Path, html: &Path, out: &Path, profile: &Path) -> Duration {
    let start = Instant::now();
    let status = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            // Our @page margin boxes carry the header and footer, not Chromium's own.
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", out.display()))
        .arg(format!("file://{}", html.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("chromium runs");
    let elapsed = start.elapsed();
    assert!(status.success(), "chromium failed: {status}");
    let pdf = std::fs::read(out).expect("chromium wrote the PDF");
    assert!(pdf.starts_with(b"%PDF-"), "chromium output is not a PDF");
    elapsed
}

fn main() {
    let engine_doc = fixture::maximal_document();
    let engine = time_renders("engine, maximal document", || {
        render(&engine_doc).expect("renders")
    });
    println!("pdf_render_median_ms {:.1}", ms(engine));

    let config = Config::builtin();
    let plan = records_fixture::maximal_plan(&config);
    let review = records_fixture::maximal_review(&plan, &config, NextSteps::Continue);
    let ctx = PrintContext {
        config: &config,
        printed_on: fixture::printed_on(),
    };
    let plan_ms = time_renders("maximal plan record, mapped and rendered", || {
        let doc = plan_document(&plan, Some(&review), records_fixture::PLAN_REFERENCE, &ctx);
        render(&doc).expect("renders")
    });
    println!("pdf_plan_render_median_ms {:.1}", ms(plan_ms));

    let Some(chromium) = chromium() else {
        eprintln!(
            "chromium not found: install Debian's `chromium` package (apt-get install -y \
             chromium) or set CHROMIUM to its path"
        );
        println!("chromium_print_median_ms unavailable");
        std::process::exit(1);
    };
    let doc = plan_document(&plan, Some(&review), records_fixture::PLAN_REFERENCE, &ctx);
    let dir = tempfile::tempdir().expect("temp dir");
    let html = dir.path().join("plan.html");
    std::fs::write(&html, to_html(&doc)).expect("write html");
    let out = dir.path().join("plan-chromium.pdf");
    // One untimed run warms the disk cache; each timed run gets a fresh profile.
    chromium_print(&chromium, &html, &out, &dir.path().join("profile-warm-up"));
    let times: Vec<Duration> = (0..CHROMIUM_RUNS)
        .map(|i| {
            let _ = std::fs::remove_file(&out);
            chromium_print(
                &chromium,
                &html,
                &out,
                &dir.path().join(format!("profile-{i}")),
            )
        })
        .collect();
    let ours = dir.path().join("plan-hearth.pdf");
    std::fs::write(&ours, render(&doc).expect("renders")).expect("write pdf");
    let (chromium_pages, ours_pages) = (pages(&out), pages(&ours));
    eprintln!(
        "chromium: {CHROMIUM_RUNS} runs, min {:.0} ms, max {:.0} ms; {chromium_pages} pages \
         (Hearth: {ours_pages} pages)",
        ms(*times.iter().min().expect("runs")),
        ms(*times.iter().max().expect("runs")),
    );
    if let Some(keep) = std::env::var_os("HEARTH_PDF_KEEP") {
        let keep = Path::new(&keep);
        for (from, to) in [
            (&html, "plan.html"),
            (&out, "plan-chromium.pdf"),
            (&ours, "plan-hearth.pdf"),
        ] {
            std::fs::copy(from, keep.join(to)).expect("keep a copy");
        }
    }
    let chromium_ms = median(times);
    println!("chromium_print_median_ms {:.1}", ms(chromium_ms));
    println!(
        "speedup_ratio {:.1}",
        chromium_ms.as_secs_f64() / plan_ms.as_secs_f64()
    );
}

/// Pages by `pdfinfo` (poppler-utils), for the report line only; "?" without it.
fn pages(pdf: &Path) -> String {
    Command::new("pdfinfo")
        .arg(pdf)
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .find_map(|l| l.strip_prefix("Pages:").map(|n| n.trim().to_owned()))
        })
        .unwrap_or_else(|| "?".to_owned())
}
