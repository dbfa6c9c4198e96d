//! Benchmarks of the local cache (not tests; they print figures).
//!
//! ```text
//! CARGO_TARGET_DIR=/work/target-store cargo bench -p hearth-store --features bench-plaintext
//! ```
//!
//! (a) search among 10,000 synthetic plans by surname prefix, postcode and reference
//! (median of 200 queries each; goal ≤ 10 ms); (b) autosave of one wizard step (median of
//! 200 saves; goal ≤ 5 ms); (c) the same on plain SQLite, with the ratio (goal ≤ 1.5×).
//! Without the `bench-plaintext` feature only the SQLCipher figures are printed.
//! All data is invented.

use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use hearth_domain::RecordKind;
use hearth_store::{DatabaseKey, KeyStorage, RecordId, SearchTerms, StepSave, Store};
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use serde_json::json;

const PLANS: usize = 10_000;
const QUERIES: usize = 200;
const SAVES: usize = 200;
/// "My plans" lists of all the plans (each reads every record once).
const LISTS: usize = 20;

const SYLLABLES: [&str; 24] = [
    "ab", "bel", "cor", "dun", "el", "fen", "gar", "hol", "ing", "jor", "kel", "lam", "mor", "nor",
    "ost", "pen", "quin", "ros", "sel", "tor", "ul", "ven", "wyn", "yar",
];
const FORENAMES: [&str; 12] = [
    "Ada", "Bilal", "Chloe", "Dev", "Esme", "Finn", "Grace", "Hamza", "Isla", "Jonah", "Kai",
    "Lena",
];

struct Plan {
    id: RecordId,
    surname: String,
    postcode: String,
    reference: String,
}

fn surname(rng: &mut StdRng) -> String {
    let mut s: String = (0..3)
        .map(|_| SYLLABLES[rng.random_range(0..SYLLABLES.len())])
        .collect();
    s[..1].make_ascii_uppercase();
    s
}

fn postcode(rng: &mut StdRng) -> String {
    let letters = b"ABCDEFGHJKLMNPRSTUWYZ";
    let l = |rng: &mut StdRng| letters[rng.random_range(0..letters.len())] as char;
    format!(
        "{}{}{} {}{}{}",
        l(rng),
        l(rng),
        rng.random_range(1..30),
        rng.random_range(0..10),
        l(rng),
        l(rng)
    )
}

fn time(i: usize) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-21T09:00:00Z")
        .unwrap()
        .to_utc()
        + chrono::Duration::milliseconds(i64::try_from(i).unwrap())
}

async fn fill(store: &Store, rng: &mut StdRng) -> Vec<Plan> {
    let mut plans = Vec::with_capacity(PLANS);
    for i in 0..PLANS {
        let surname = surname(rng);
        let forename = FORENAMES[rng.random_range(0..FORENAMES.len())];
        let postcode = postcode(rng);
        let dob = NaiveDate::from_ymd_opt(
            rng.random_range(2008..2025),
            rng.random_range(1..13),
            rng.random_range(1..29),
        )
        .unwrap();
        let fields = json!({
            "child": { "forename": forename, "surname": surname, "date_of_birth": dob.to_string() },
            "address": { "line1": format!("{} Example Street", i % 200 + 1), "postcode": postcode },
            "needs": "Invented text describing the family's needs. ".repeat(10),
        });
        let saved = store
            .save_step(StepSave {
                title: Some(format!("{forename} {surname}")),
                search: Some(SearchTerms {
                    surnames: vec![surname.clone()],
                    forenames: vec![forename.to_owned()],
                    postcodes: vec![postcode.clone()],
                    dates_of_birth: vec![dob],
                    references: vec![],
                }),
                ..StepSave::new(None, RecordKind::Plan, 1, fields, time(i))
            })
            .await
            .unwrap();
        plans.push(Plan {
            id: saved.record_id,
            surname,
            postcode,
            reference: saved.local_reference,
        });
    }
    plans
}

fn median_ms(mut samples: Vec<Duration>) -> f64 {
    samples.sort();
    samples[samples.len() / 2].as_secs_f64() * 1000.0
}

fn p95_ms(mut samples: Vec<Duration>) -> f64 {
    samples.sort();
    samples[samples.len() * 95 / 100].as_secs_f64() * 1000.0
}

#[derive(Debug)]
struct Figures {
    fill_s: f64,
    open_ms: f64,
    surname_ms: (f64, f64),
    postcode_ms: (f64, f64),
    reference_ms: (f64, f64),
    save_ms: (f64, f64),
    list_ms: (f64, f64),
    db_mb: f64,
}

async fn search_times(store: &Store, queries: &[String]) -> (f64, f64) {
    let mut samples = Vec::with_capacity(queries.len());
    for q in queries {
        let t = Instant::now();
        let hits = store.search(q, 20).await.unwrap();
        samples.push(t.elapsed());
        assert!(!hits.is_empty(), "no hit for a query built from the data");
    }
    (median_ms(samples.clone()), p95_ms(samples))
}

async fn run(name: &str, open: impl AsyncFn(&std::path::Path) -> Store) -> Figures {
    let dir = tempfile::Builder::new()
        .prefix("hearth-store-bench-")
        .tempdir()
        .unwrap();
    let mut rng = StdRng::seed_from_u64(20261121);
    let store = open(dir.path()).await;
    eprintln!("{name}: filling {PLANS} plans…");
    let t = Instant::now();
    let plans = fill(&store, &mut rng).await;
    let fill_s = t.elapsed().as_secs_f64();
    store.close().await;

    let t = Instant::now();
    let store = open(dir.path()).await;
    let open_ms = t.elapsed().as_secs_f64() * 1000.0;

    let pick = |rng: &mut StdRng| &plans[rng.random_range(0..plans.len())];
    let surnames: Vec<String> = (0..QUERIES)
        .map(|_| pick(&mut rng).surname[..5].to_owned())
        .collect();
    let postcodes: Vec<String> = (0..QUERIES)
        .map(|i| {
            let p = &pick(&mut rng).postcode;
            if i % 2 == 0 {
                p.clone()
            } else {
                p.replace(' ', "")
            }
        })
        .collect();
    let references: Vec<String> = (0..QUERIES)
        .map(|_| pick(&mut rng).reference.clone())
        .collect();
    let surname_ms = search_times(&store, &surnames).await;
    let postcode_ms = search_times(&store, &postcodes).await;
    let reference_ms = search_times(&store, &references).await;

    let mut samples = Vec::with_capacity(SAVES);
    for i in 0..SAVES {
        let plan = pick(&mut rng);
        let fields =
            json!({ "needs": format!("Edited needs, version {i}. ").repeat(10), "step2_done": i });
        let save = StepSave::new(Some(plan.id), RecordKind::Plan, 2, fields, time(PLANS + i));
        let t = Instant::now();
        store.save_step(save).await.unwrap();
        samples.push(t.elapsed());
    }
    let save_ms = (median_ms(samples.clone()), p95_ms(samples));

    // "My plans": every plan with the columns of its table (`Store::list_columns`).
    let columns = [
        "$.child.forename",
        "$.child.surname",
        "$.child.date_of_birth",
        "$.address.postcode",
        "$.family_name",
        "$.next_review.date",
    ];
    let mut samples = Vec::with_capacity(LISTS);
    for _ in 0..LISTS {
        let t = Instant::now();
        let rows = store
            .list_columns(RecordKind::Plan, None, &columns)
            .await
            .unwrap();
        samples.push(t.elapsed());
        assert_eq!(rows.len(), PLANS);
    }
    let list_ms = (median_ms(samples.clone()), p95_ms(samples));
    let path = store.path().to_owned();
    store.close().await;
    let db_mb = std::fs::metadata(path).unwrap().len() as f64 / 1e6;
    Figures {
        fill_s,
        open_ms,
        surname_ms,
        postcode_ms,
        reference_ms,
        save_ms,
        list_ms,
        db_mb,
    }
}

fn print(prefix: &str, f: &Figures) {
    println!("{prefix}fill_{PLANS}_plans_s {:.1}", f.fill_s);
    println!("{prefix}open_with_integrity_check_ms {:.1}", f.open_ms);
    println!("{prefix}search_surname_median_ms {:.3}", f.surname_ms.0);
    println!("{prefix}search_surname_p95_ms {:.3}", f.surname_ms.1);
    println!("{prefix}search_postcode_median_ms {:.3}", f.postcode_ms.0);
    println!("{prefix}search_postcode_p95_ms {:.3}", f.postcode_ms.1);
    println!("{prefix}search_reference_median_ms {:.3}", f.reference_ms.0);
    println!("{prefix}search_reference_p95_ms {:.3}", f.reference_ms.1);
    println!("{prefix}autosave_step_median_ms {:.3}", f.save_ms.0);
    println!("{prefix}autosave_step_p95_ms {:.3}", f.save_ms.1);
    println!("{prefix}my_plans_list_all_median_ms {:.1}", f.list_ms.0);
    println!("{prefix}my_plans_list_all_p95_ms {:.1}", f.list_ms.1);
    println!("{prefix}database_mb {:.1}", f.db_mb);
}

#[tokio::main]
async fn main() {
    let key = DatabaseKey::generate();
    let encrypted = run("sqlcipher", async |dir: &std::path::Path| {
        Store::open_or_create(dir, KeyStorage::Supplied { key: key.clone() }, time(0))
            .await
            .unwrap()
    })
    .await;
    print("", &encrypted);

    #[cfg(feature = "bench-plaintext")]
    {
        let plain = run("plain sqlite", async |dir: &std::path::Path| {
            Store::open_plaintext_for_benchmark(dir, time(0))
                .await
                .unwrap()
        })
        .await;
        print("plaintext_", &plain);
        let ratio = |e: f64, p: f64| e / p;
        let search_e = encrypted.surname_ms.0 + encrypted.postcode_ms.0 + encrypted.reference_ms.0;
        let search_p = plain.surname_ms.0 + plain.postcode_ms.0 + plain.reference_ms.0;
        println!(
            "ratio_search_sqlcipher_over_plain {:.2}",
            ratio(search_e, search_p)
        );
        println!(
            "ratio_autosave_sqlcipher_over_plain {:.2}",
            ratio(encrypted.save_ms.0, plain.save_ms.0)
        );
        println!(
            "ratio_fill_sqlcipher_over_plain {:.2}",
            ratio(encrypted.fill_s, plain.fill_s)
        );
    }

    let worst_search = encrypted
        .surname_ms
        .0
        .max(encrypted.postcode_ms.0)
        .max(encrypted.reference_ms.0);
    println!();
    println!(
        "Summary: among {PLANS} plans on SQLCipher, the slowest search kind has a median of {worst_search:.2} ms (goal ≤ 10 ms); \
         an autosave of one step has a median of {:.2} ms (goal ≤ 5 ms, each save is an fsynced transaction).",
        encrypted.save_ms.0
    );
    #[cfg(not(feature = "bench-plaintext"))]
    println!("Run with `--features bench-plaintext` for the comparison with plain SQLite.");
}
