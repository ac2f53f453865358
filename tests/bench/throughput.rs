//! Throughput of a generated connector: `cargo bench --bench throughput`.
//!
//! Serves a pre-built page of the events seed API from a local server and reads it
//! through `events_connector::Client::event_data()`, typed. Reports records per second
//! and the process's peak memory, once for a small and once for a large resource:
//! streaming page by page, peak memory must not grow with the number of records.

use futures_util::TryStreamExt;
use serde_json::json;
use std::time::Instant;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

const PAGE: usize = 100;

/// One page of the events API, serialized up front: the same 100 records answer every
/// offset below the total, so the server holds one page whatever the total and the
/// peak memory measured is the client's.
fn page_body(records: usize) -> Vec<u8> {
    let data: Vec<_> = (0..PAGE)
        .map(|i| {
            json!({"id": i, "name": format!("event number {i}"),
                   "start_time": "2026-03-01T10:00:00Z", "end_time": null,
                   "venue": {"city": "Lisbon", "capacity": 300}, "tags": ["music", "outdoor"]})
        })
        .collect();
    serde_json::to_vec(&json!({"data": data, "total": records})).unwrap()
}

/// A minimal HTTP/1.1 keep-alive server for `GET /v1/events?offset=N&...`. Not wiremock:
/// wiremock keeps per-request state, and its memory would be counted as the client's.
async fn serve(records: usize) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let full = std::sync::Arc::new(page_body(records));
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let full = full.clone();
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = tokio::io::BufReader::new(read).lines();
                let mut offset = 0usize;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(target) = line.strip_prefix("GET ") {
                        offset = target
                            .split(['?', '&', ' '])
                            .find_map(|kv| kv.strip_prefix("offset="))
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(0);
                    } else if line.is_empty() {
                        let empty = format!("{{\"data\":[],\"total\":{records}}}").into_bytes();
                        let body: &[u8] = if offset < records { &full } else { &empty };
                        let head = format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                            body.len()
                        );
                        // One write: head and body in two would wait on Nagle's algorithm.
                        let mut response = head.into_bytes();
                        response.extend_from_slice(body);
                        if write.write_all(&response).await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    format!("http://{address}")
}

/// Peak resident memory of this process, in MiB (Linux).
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

async fn run(records: usize) {
    let bytes = page_body(records).len() * records / PAGE;
    let mut config = events_connector::Config::new("bench-key");
    config.base_url = serve(records).await;
    let client = events_connector::Client::new(config).unwrap();

    let started = Instant::now();
    let count = client
        .event_data()
        .try_fold(0usize, |n, event| async move {
            std::hint::black_box(&event);
            Ok(n + 1)
        })
        .await
        .unwrap();
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(count, records);
    println!(
        "{records:>8} records, {:>5} pages, {:>6.1} MiB of JSON: {seconds:>6.2} s, {:>9.0} records/s, {:>6.1} MiB/s, peak RSS {:.1} MiB",
        records.div_ceil(PAGE),
        bytes as f64 / 1048576.0,
        records as f64 / seconds,
        bytes as f64 / 1048576.0 / seconds,
        peak_rss_mib(),
    );
}

#[tokio::main]
async fn main() {
    // `cargo bench` passes `--bench`; a number argument (a multiple of 100) sets the
    // large size.
    let large: usize = std::env::args()
        .filter_map(|a| a.parse().ok())
        .next()
        .unwrap_or(200_000);
    run(10_000).await;
    run(large).await;
}
