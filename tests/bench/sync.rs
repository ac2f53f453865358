//! Sync throughput: `cargo bench --bench sync [-- RECORDS]`.
//!
//! A local server speaks the events seed API (offset pages of 100; `BENCH_NESTED=1`:
//! each record also has a nested object and a list, so every load also fills a child
//! table). For 100,000
//! records and for RECORDS (default 1,000,000) it measures, each in a process of its
//! own so that peak memory is the run's own:
//! - extract: the typed records of `Client::event_data()`, counted (the baseline);
//! - sqlite: `sync` with merge (delete-insert) into a new SQLite file;
//! - postgres: `sync` with merge into a PostgreSQL server started for the run.
//!
//! Each line gives records/s, the ratio to the extract baseline of the same size, and
//! peak RSS.

use connectorgen_e2e::{http, peak_rss_mib};
use connectorgen_runtime::load::{self, Event, SyncOptions};
use connectorgen_runtime::program;
use futures_util::TryStreamExt;
use std::process::Command;
use std::time::Instant;

const PAGE: usize = 100;

/// The generated program's allocator: `sync` is measured as `<connector> sync` runs it.
#[global_allocator]
static ALLOCATOR: program::Allocator = program::ALLOCATOR;

/// Page at `offset`: records `offset..offset + 100`, unique ids, in the events seed's
/// shape; with `BENCH_NESTED` set each also has a nested object and a list of two
/// (two columns more and two child rows). Written as text: the server shares the two
/// cores with the loader and should cost it little.
fn page(offset: usize, records: usize) -> Vec<u8> {
    use std::fmt::Write as _;
    let nested = std::env::var_os("BENCH_NESTED").is_some();
    let mut body = String::with_capacity(PAGE * 200);
    body.push_str("{\"data\":[");
    for id in offset..(offset + PAGE).min(records) {
        if id > offset {
            body.push(',');
        }
        let _ = write!(
            body,
            "{{\"id\":{id},\"name\":\"event number {id}\",\"start_time\":\"2026-03-01T10:00:00Z\",\
             \"end_time\":\"2026-03-01T12:30:00+02:00\""
        );
        if nested {
            body.push_str(
                ",\"venue\":{\"city\":\"Lisbon\",\"capacity\":300},\"tags\":[\"music\",\"outdoor\"]",
            );
        }
        body.push('}');
    }
    let _ = write!(body, "],\"total\":{records}}}");
    body.into_bytes()
}

/// The events API on a thread of its own, like a remote API: the loader's threads do
/// not serve it.
fn serve(records: usize) -> String {
    http::serve_on_thread(move |target| async move {
        http::json(&page(
            http::number_param(&target, "offset").unwrap_or(0),
            records,
        ))
    })
}

/// One measurement, in this process: prints `seconds peak_rss`.
async fn child(what: &str, records: usize, postgres: Option<String>) {
    let mut config = events_connector::Config::new("bench-key");
    config.base_url = serve(records);
    let client = events_connector::Client::new(config).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let count = match what {
        "extract" => client
            .event_data()
            .try_fold(0usize, |n, event| async move {
                std::hint::black_box(&event);
                Ok(n + 1)
            })
            .await
            .unwrap() as u64,
        "sqlite" => {
            let mut destination =
                load::sqlite::Sqlite::open(&dir.path().join("events.db")).unwrap();
            let report = load::sync(
                &client,
                &mut destination,
                &SyncOptions::default(),
                &mut |_: Event<'_>| {},
            )
            .await
            .unwrap();
            report.tables[0].records
        }
        _ => {
            let url = postgres.expect("a server");
            let mut destination = load::postgres::Postgres::open(&url, "events")
                .await
                .unwrap();
            let report = load::sync(
                &client,
                &mut destination,
                &SyncOptions::default(),
                &mut |_: Event<'_>| {},
            )
            .await
            .unwrap();
            report.tables[0].records
        }
    };
    assert_eq!(count, records as u64);
    println!("{} {}", started.elapsed().as_secs_f64(), peak_rss_mib());
}

fn measure(what: &str, records: usize, postgres: Option<&str>) -> (f64, f64) {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command.args(["--child", what, &records.to_string()]);
    if let Some(url) = postgres {
        command.env("BENCH_PG", url);
    }
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8_lossy(&output.stdout);
    let mut parts = text.split_whitespace().map(|p| p.parse::<f64>().unwrap());
    (parts.next().unwrap(), parts.next().unwrap())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        let records: usize = args[i + 2].parse().unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(child(&args[i + 1], records, std::env::var("BENCH_PG").ok()));
        return;
    }
    let large: usize = args
        .iter()
        .filter_map(|a| a.parse().ok())
        .next()
        .unwrap_or(1_000_000);
    // The page written as text is JSON of the expected shape.
    let check: serde_json::Value = serde_json::from_slice(&page(200, 250)).unwrap();
    let last = &check["data"][49];
    assert_eq!(
        (last["id"].as_u64(), check["total"].as_u64()),
        (Some(249), Some(250))
    );
    assert_eq!(last["end_time"], "2026-03-01T12:30:00+02:00");
    let pg = connectorgen_e2e::postgres::PgServer::start();
    for records in [100_000, large] {
        let (baseline, baseline_rss) = measure("extract", records, None);
        println!(
            "{records:>8} records  extract   {:>8.0} records/s  1.00x  peak RSS {baseline_rss:>6.1} MiB",
            records as f64 / baseline
        );
        for what in ["sqlite", "postgres"] {
            let (seconds, rss) = measure(what, records, Some(&pg.url));
            println!(
                "{records:>8} records  {what:<8}  {:>8.0} records/s  {:.2}x  peak RSS {rss:>6.1} MiB",
                records as f64 / seconds,
                baseline / seconds
            );
        }
    }
}
