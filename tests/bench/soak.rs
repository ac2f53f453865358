//! Soak: `cargo bench --bench soak [-- RECORDS] [--concurrency C]`.
//!
//! A local server speaks the events seed API (offset pages of 100, unique ids) and
//! fails one request in ten with 503 and one in ten with 429 and `Retry-After: 0`,
//! chosen by a fixed pseudo-random sequence. The typed records of
//! `Client::event_data()` are read to the end (default 1,000,000) and checked: every id
//! exactly once, in order. It prints the time, the requests and failures the server
//! saw, and the peak RSS after a tenth of the records and at the end (flat memory: the
//! two are about the same).

use connectorgen_e2e::{http, option, peak_rss_mib};
use futures_util::StreamExt;
use serde_json::json;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

const PAGE: usize = 100;

/// What the server answered.
#[derive(Default)]
struct Counts {
    requests: AtomicU64,
    unavailable: AtomicU64,
    too_many: AtomicU64,
}

/// A fixed pseudo-random number for request `n` (splitmix64).
fn noise(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn serve(records: usize, counts: Arc<Counts>) -> String {
    http::serve_on_thread(move |target| {
        let counts = counts.clone();
        async move {
            let n = counts.requests.fetch_add(1, Ordering::Relaxed);
            match noise(n) % 10 {
                0 => {
                    counts.unavailable.fetch_add(1, Ordering::Relaxed);
                    return http::response(503, &[], b"busy");
                }
                1 => {
                    counts.too_many.fetch_add(1, Ordering::Relaxed);
                    return http::response(429, &[("retry-after", "0")], b"slow down");
                }
                _ => {}
            }
            let offset = http::number_param(&target, "offset").unwrap_or(0);
            let data: Vec<_> = (offset..(offset + PAGE).min(records))
                .map(|id| {
                    json!({"id": id, "name": format!("event {id}"),
                                 "start_time": "2026-03-01T10:00:00Z", "end_time": null})
                })
                .collect();
            http::json(&serde_json::to_vec(&json!({"data": data, "total": records})).unwrap())
        }
    })
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let concurrency = option(&args, "--concurrency").unwrap_or(4);
    let records = args
        .iter()
        .enumerate()
        .filter(|(i, _)| *i > 0 && args[i - 1] != "--concurrency")
        .find_map(|(_, a)| a.parse().ok())
        .unwrap_or(1_000_000);
    let counts = Arc::new(Counts::default());
    let base_url = serve(records, counts.clone());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let started = Instant::now();
    let (seen, early_rss) = runtime.block_on(async {
        let mut config = events_connector::Config::new("soak-key");
        config.base_url = base_url;
        config.concurrency = concurrency;
        // Retried quickly (the 429s say when), and often enough that no page runs out.
        config.retry.backoff_factor = 0.001;
        config.retry.max_retries = 20;
        let client = events_connector::Client::new(config).unwrap();
        let mut stream = client.event_data();
        let mut seen = vec![false; records];
        let mut next = 0usize;
        let mut early_rss = 0.0;
        while let Some(event) = stream.next().await {
            let id = event.expect("every failure is retried").id as usize;
            assert_eq!(id, next, "records in order, none lost or repeated");
            assert!(!seen[id], "record {id} twice");
            seen[id] = true;
            next += 1;
            if next == records / 10 {
                early_rss = peak_rss_mib();
            }
        }
        (seen, early_rss)
    });
    let seconds = started.elapsed().as_secs_f64();
    assert!(seen.iter().all(|s| *s), "every record arrived");
    println!(
        "{records} records, each once and in order, in {seconds:.2} s ({:.0} records/s), \
         concurrency {concurrency}",
        records as f64 / seconds
    );
    println!(
        "server: {} requests, {} answered 503, {} answered 429 with Retry-After: 0",
        counts.requests.load(Ordering::Relaxed),
        counts.unavailable.load(Ordering::Relaxed),
        counts.too_many.load(Ordering::Relaxed),
    );
    println!(
        "peak RSS (process, server included): {early_rss:.1} MiB after {} records, {:.1} MiB at the end",
        records / 10,
        peak_rss_mib()
    );
}
