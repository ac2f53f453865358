//! The generated connector against a hand-written client: `cargo bench --bench compare
//! [-- SIZES...] [--rounds N] [--latency-ms MS] [--concurrency C]`.
//!
//! One local server (a thread of this process) speaks the events seed API: offset pages
//! of 100 records with the total, the same pre-serialized page for every offset below
//! it but for the first record's id, after an optional delay that stands for the
//! network. Each client runs in a
//! process of its own, so that its peak memory is its own:
//! - `hand-written`: reqwest + `serde_json::Value`, sequential, counting the records of
//!   `data` (the baseline every ratio is taken against, from the same round);
//! - `library`: the typed records of `events_connector::Client::event_data()`, counted;
//! - `program`: the generated program (`events --resource event_data`, built by this
//!   bench with `cargo build --release`), JSON lines to /dev/null;
//! - `library cC` and `program cC`: the same with `concurrency` C.
//!
//! The clients take turns, round after round; each line gives the median records/s,
//! the median ratio to the hand-written client of the same round with its min–max,
//! the client's CPU time (user + system) per record, and the peak RSS. With no latency
//! the CPU column is what bounds a concurrent client: the machine's cores are shared
//! between the clients and the server.

use connectorgen_e2e::{http, option, peak_rss_mib};
use futures_util::TryStreamExt;
use serde_json::json;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PAGE: usize = 100;
const KEY: &str = "bench-key";

/// One page of the events API, cut before the first record's id: every page is the
/// same 100 records but for that id, which is the page's offset (a page identical to
/// the one before is a pagination loop to the connector).
fn page_parts(records: usize) -> (Vec<u8>, Vec<u8>) {
    let data: Vec<_> = (0..PAGE)
        .map(|i| {
            json!({"id": i, "name": format!("event number {i}"),
                   "start_time": "2026-03-01T10:00:00Z", "end_time": null,
                   "venue": {"city": "Lisbon", "capacity": 300}, "tags": ["music", "outdoor"]})
        })
        .collect();
    let body = serde_json::to_vec(&json!({"data": data, "total": records})).unwrap();
    let cut = b"{\"data\":[{\"id\":".len();
    assert_eq!(body[cut], b'0');
    (body[..cut].to_vec(), body[cut + 1..].to_vec())
}

/// The events API on a thread of its own, answering after `latency`.
fn serve(records: usize, latency: Duration) -> String {
    let (head, tail) = page_parts(records);
    let (head, tail): (Arc<[u8]>, Arc<[u8]>) = (head.into(), tail.into());
    let empty: Arc<[u8]> =
        http::json(format!("{{\"data\":[],\"total\":{records}}}").as_bytes()).into();
    http::serve_on_thread(move |target| {
        let (head, tail, empty) = (head.clone(), tail.clone(), empty.clone());
        async move {
            if !latency.is_zero() {
                tokio::time::sleep(latency).await;
            }
            let offset = http::number_param(&target, "offset").unwrap_or(0);
            if offset < records {
                // One copy of the 16 KB page, a microsecond of the server's time.
                let mut body = Vec::with_capacity(head.len() + tail.len() + 8);
                body.extend_from_slice(&head);
                body.extend_from_slice(offset.to_string().as_bytes());
                body.extend_from_slice(&tail);
                http::json(&body)
            } else {
                empty.to_vec()
            }
        }
    })
}

/// The baseline: what a developer would write by hand in a few minutes with reqwest and
/// serde_json, without a connector.
async fn hand_written(base_url: &str) -> usize {
    let http = reqwest::Client::new();
    let (mut offset, mut count) = (0usize, 0usize);
    loop {
        let url = format!("{base_url}/v1/events?offset={offset}&limit={PAGE}&api_key={KEY}");
        let response = http.get(url).send().await.unwrap();
        assert!(response.status().is_success());
        let body = response.bytes().await.unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let records = doc["data"].as_array().map_or(&[][..], Vec::as_slice);
        for record in records {
            std::hint::black_box(record);
        }
        count += records.len();
        offset += PAGE;
        let total = doc["total"].as_u64().unwrap_or(0) as usize;
        if records.is_empty() || offset >= total {
            return count;
        }
    }
}

async fn library(base_url: &str, concurrency: usize) -> usize {
    let mut config = events_connector::Config::new(KEY);
    config.base_url = base_url.to_owned();
    config.concurrency = concurrency;
    let client = events_connector::Client::new(config).unwrap();
    client
        .event_data()
        .try_fold(0usize, |n, event| async move {
            std::hint::black_box(&event);
            Ok(n + 1)
        })
        .await
        .unwrap()
}

/// One client run: wall seconds, CPU seconds (user + system) of the client and of the
/// server meanwhile, and the client's peak RSS (MiB).
#[derive(Clone, Copy)]
struct Run {
    seconds: f64,
    cpu: f64,
    server_cpu: f64,
    rss: f64,
}

/// CPU seconds used so far by this process (or its thread of the benchmark's server).
fn own_cpu() -> f64 {
    // SAFETY: rusage is plain data that getrusage fills in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    cpu_seconds(&usage)
}

fn cpu_seconds(usage: &libc::rusage) -> f64 {
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// Runs one client in this process and reports `seconds cpu peak_rss` on stderr.
fn child(client: &str, records: usize, base_url: &str, concurrency: usize) {
    let started = Instant::now();
    {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let count = runtime.block_on(async {
            match client {
                "hand-written" => hand_written(base_url).await,
                _ => library(base_url, concurrency).await,
            }
        });
        assert_eq!(count, records);
    }
    eprintln!(
        "BENCH {} {} {}",
        started.elapsed().as_secs_f64(),
        own_cpu(),
        peak_rss_mib()
    );
}

/// Seconds and peak RSS of one client run in a process of its own.
/// The generated `events` program, built as a user builds it.
fn build_program() -> std::path::PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .args(["build", "--release", "--quiet", "-p", "events-connector"])
        .args(["--features", "cli", "--bin", "events"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .unwrap();
    assert!(status.success(), "cannot build the events program");
    // This bench runs from target/release/deps.
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().parent().unwrap().join("events")
}

/// Runs the program and measures it; CPU and peak RSS come from `wait4` (which reaps
/// it, so std's `wait` is not called).
#[allow(clippy::zombie_processes)]
fn run_program(program: &std::path::Path, base_url: &str, concurrency: usize) -> Run {
    let started = Instant::now();
    let child = Command::new(program)
        .args(["--resource", "event_data", "--base-url", base_url, "-q"])
        .args(["--concurrency", &concurrency.to_string()])
        .env("EVENTS_API_KEY", KEY)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut status = 0;
    // SAFETY: rusage is plain data that wait4 fills in; the child is ours and not
    // waited for elsewhere.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(pid, child.id() as libc::pid_t);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "the program failed"
    );
    Run {
        seconds,
        cpu: cpu_seconds(&usage),
        server_cpu: 0.0,
        rss: usage.ru_maxrss as f64 / 1024.0,
    }
}

/// One client run in a process of its own.
fn measure(
    program: &std::path::Path,
    client: &str,
    records: usize,
    base_url: &str,
    concurrency: usize,
) -> Run {
    // While a client runs, this process does nothing but serve it.
    let server_started = own_cpu();
    let mut run = run_client(program, client, records, base_url, concurrency);
    run.server_cpu = own_cpu() - server_started;
    run
}

fn run_client(
    program: &std::path::Path,
    client: &str,
    records: usize,
    base_url: &str,
    concurrency: usize,
) -> Run {
    if client == "program" {
        return run_program(program, base_url, concurrency);
    }
    let exe = std::env::current_exe().unwrap();
    let output = Command::new(exe)
        .env(
            "COMPARE_CHILD",
            format!("{client} {records} {base_url} {concurrency}"),
        )
        .stdout(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{client}: {stderr}");
    let line = stderr
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("BENCH "))
        .unwrap_or_else(|| panic!("{client}: no figures in {stderr}"));
    let mut parts = line.split_whitespace().map(|p| p.parse::<f64>().unwrap());
    Run {
        seconds: parts.next().unwrap(),
        cpu: parts.next().unwrap(),
        server_cpu: 0.0,
        rss: parts.next().unwrap(),
    }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    if let Ok(child_args) = std::env::var("COMPARE_CHILD") {
        let parts: Vec<&str> = child_args.split(' ').collect();
        let (records, concurrency) = (parts[1].parse().unwrap(), parts[3].parse().unwrap());
        child(parts[0], records, parts[2], concurrency);
        return;
    }
    let args: Vec<String> = std::env::args().collect();
    let rounds = option(&args, "--rounds").unwrap_or(3);
    let latency = Duration::from_millis(option(&args, "--latency-ms").unwrap_or(0) as u64);
    let concurrency = option(&args, "--concurrency").unwrap_or(4);
    let program = build_program();
    let mut sizes: Vec<usize> = args
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            !["--rounds", "--latency-ms", "--concurrency"]
                .contains(&args[i.saturating_sub(1)].as_str())
                || *i == 0
        })
        .filter_map(|(_, a)| a.parse().ok())
        .collect();
    if sizes.is_empty() {
        sizes = vec![10_000, 100_000, 1_000_000];
    }
    let clients: Vec<(&str, usize)> = vec![
        ("hand-written", 1),
        ("library", 1),
        ("program", 1),
        ("library", concurrency),
        ("program", concurrency),
    ];
    println!(
        "events seed API on 127.0.0.1, pages of {PAGE}, {} ms latency, {rounds} rounds; \
         ratios to the hand-written client of the same round",
        latency.as_millis()
    );
    println!(
        "{:>9}  {:<14} {:>12}  {:>22}  {:>14}  {:>12}",
        "records", "client", "records/s", "ratio (min-max)", "CPU µs/record", "peak RSS MiB"
    );
    for records in sizes {
        let base_url = serve(records, latency);
        // seconds and RSS per client, per round.
        let mut runs = vec![Vec::new(); clients.len()];
        for _ in 0..rounds {
            for (i, (client, c)) in clients.iter().enumerate() {
                runs[i].push(measure(&program, client, records, &base_url, *c));
            }
        }
        for (i, (client, c)) in clients.iter().enumerate() {
            let name = if *c > 1 {
                format!("{client} c{c}")
            } else {
                client.to_string()
            };
            let mut rates: Vec<f64> = runs[i].iter().map(|r| records as f64 / r.seconds).collect();
            let mut ratios: Vec<f64> = runs[i]
                .iter()
                .zip(&runs[0])
                .map(|(run, base)| base.seconds / run.seconds)
                .collect();
            let mut cpu: Vec<f64> = runs[i]
                .iter()
                .map(|r| r.cpu * 1e6 / records as f64)
                .collect();
            let mut server: Vec<f64> = runs[i]
                .iter()
                .map(|r| r.server_cpu * 1e6 / records as f64)
                .collect();
            let mut rss: Vec<f64> = runs[i].iter().map(|r| r.rss).collect();
            let (low, high) = ratios
                .iter()
                .fold((f64::MAX, f64::MIN), |(l, h), r| (l.min(*r), h.max(*r)));
            println!(
                "{records:>9}  {name:<14} {:>12.0}  {:>8.2}x ({low:.2}-{high:.2})  {:>6.2} + {:<5.2}  {:>12.1}",
                median(&mut rates),
                median(&mut ratios),
                median(&mut cpu),
                median(&mut server),
                median(&mut rss),
            );
        }
    }
}
