//! Median time to render the maximal invented plan. Run with
//! `cargo bench -p hearth-pdf --bench render`; prints `pdf_render_median_ms N`.

use std::time::{Duration, Instant};

#[path = "../tests/it/fixture.rs"]
mod fixture;

const RUNS: usize = 25;

fn main() {
    let doc = fixture::maximal_document();
    // The first render also parses and deflates the embedded fonts (once per process,
    // as in the running app); it is reported but not part of the median.
    let start = Instant::now();
    let bytes = hearth_pdf::render(&doc).expect("renders");
    let first = start.elapsed();
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let out = hearth_pdf::render(&doc).expect("renders");
            let elapsed = start.elapsed();
            std::hint::black_box(out);
            elapsed
        })
        .collect();
    times.sort();
    let median = times[RUNS / 2];
    eprintln!(
        "first render {:.1} ms; {RUNS} runs, {} bytes, min {:.1} ms, max {:.1} ms",
        first.as_secs_f64() * 1e3,
        bytes.len(),
        times[0].as_secs_f64() * 1e3,
        times[RUNS - 1].as_secs_f64() * 1e3
    );
    println!("pdf_render_median_ms {:.1}", median.as_secs_f64() * 1e3);
}
