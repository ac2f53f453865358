//! The command-line program every generated crate builds (feature `cli`).
//!
//! Without a subcommand it fetches one resource or all of them and writes each record
//! as one JSON line on stdout; `sync` loads them into a destination (see
//! [`crate::load`]). Logs go to stderr. Generated `src/main.rs` is one call to [`main`].

mod sync_command;

use crate::{Connector, Error, IncrementalState, Overrides};
use clap::{CommandFactory, FromArgMatches, Parser};
use futures_util::StreamExt;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Debug, Parser)]
#[command(
    about = "Fetches records and writes each as one JSON line on stdout, or loads them into a database (`sync`).",
    after_help = "Secrets are read from environment variables (see the crate's README).",
    args_conflicts_with_subcommands = true
)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    /// Fetch only this resource (its name as written in the spec). Default: all.
    #[arg(long, value_name = "NAME")]
    resource: Option<String>,
    #[command(flatten)]
    client: ClientArgs,
    /// Stop each resource after this many records (an incremental resource stopped
    /// early does not update its state).
    #[arg(long, value_name = "N")]
    limit: Option<u64>,
    /// Keep incremental state in this JSON file: read when present, rewritten (atomically)
    /// after each incremental resource that finished without an error.
    #[arg(long, value_name = "FILE")]
    state: Option<std::path::PathBuf>,
    /// List the resources and exit.
    #[arg(long)]
    list: bool,
    /// Log more to stderr (-v: each page, -vv: each request).
    #[arg(short, long, action = clap::ArgAction::Count)]
    verbose: u8,
    /// Log only errors.
    #[arg(short, long)]
    quiet: bool,
}

/// How the program talks to the API: each flag overrides the `Config` setting and its
/// environment variable.
#[derive(Debug, clap::Args)]
struct ClientArgs {
    /// Use this base URL instead of the spec's.
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Requests of one resource on their way at once (and children fetched at once),
    /// where pages can be addressed up front; records keep their order. Default: the
    /// `<CONNECTOR>_CONCURRENCY` environment variable, else 4.
    #[arg(long, value_name = "C", value_parser = clap::value_parser!(u16).range(1..))]
    concurrency: Option<u16>,
    /// Time allowed for one request, body included, in seconds. Default:
    /// `<CONNECTOR>_TIMEOUT`, else the spec's `client.timeout`, else 60.
    #[arg(long, value_name = "SECONDS", value_parser = seconds)]
    timeout: Option<std::time::Duration>,
    /// Time allowed for each resource (for a child: per parent), in seconds; past it
    /// the resource fails. Default: `<CONNECTOR>_RESOURCE_TIMEOUT`, else no bound.
    #[arg(long, value_name = "SECONDS", value_parser = seconds)]
    resource_timeout: Option<std::time::Duration>,
    /// Pages allowed for each resource (for a child: per parent); one more fails the
    /// resource. Default: `<CONNECTOR>_MAX_PAGES`, else no bound.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    max_pages: Option<u64>,
}

impl ClientArgs {
    fn overrides(&self) -> Overrides {
        let mut overrides =
            Overrides::new(self.base_url.clone(), self.concurrency.map(usize::from));
        overrides.timeout = self.timeout;
        overrides.resource_timeout = self.resource_timeout;
        overrides.max_pages = self.max_pages;
        overrides
    }
}

fn seconds(text: &str) -> Result<std::time::Duration, String> {
    crate::env::parse_seconds(text).ok_or_else(|| "a number of seconds above 0".to_owned())
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Load the resources into a destination, each resource in one transaction, with
    /// its incremental state committed alongside its rows.
    Sync(SyncArgs),
}

#[derive(Debug, clap::Args)]
struct SyncArgs {
    /// Sync only this resource (repeat for more). Default: all.
    #[arg(long, value_name = "NAME")]
    resource: Vec<String>,
    /// Where to load: sqlite:PATH, postgres://USER@HOST:PORT/DB or
    /// file:DIR[?format=jsonl|parquet]. Default: sqlite:<connector>.db
    #[arg(long, value_name = "URL")]
    destination: Option<String>,
    /// The PostgreSQL schema (or folder under file:DIR) to load into. Default: the
    /// connector's name.
    #[arg(long, value_name = "NAME")]
    dataset: Option<String>,
    #[command(flatten)]
    client: ClientArgs,
    /// Forget the incremental state and replace the resources' tables.
    #[arg(long)]
    full_refresh: bool,
    /// Log more to stderr (-v: each page, -vv: each request).
    #[arg(short, long, action = clap::ArgAction::Count)]
    verbose: u8,
    /// Log only errors; no progress.
    #[arg(short, long)]
    quiet: bool,
}

/// The memory allocator of the program (generated `src/main.rs` declares it global):
/// mimalloc. Records are many small allocations, made on the worker that reads a page
/// and freed on the one that writes it out; glibc's allocator is slow at that, and the
/// program reads and loads about 1.4 times as many records a second with mimalloc
/// (README, "Performance"). Library users keep whatever allocator they choose.
pub type Allocator = mimalloc::MiMalloc;

/// The value of the program's [`Allocator`].
pub const ALLOCATOR: Allocator = mimalloc::MiMalloc;

/// Runs the program for connector `C` with the process's arguments.
pub fn main<C: Connector>() -> ExitCode {
    let command = Args::command().name(C::NAME).bin_name(C::NAME);
    let args = match Args::from_arg_matches(&command.get_matches()) {
        Ok(args) => args,
        Err(e) => e.exit(),
    };
    let (quiet, verbose) = match &args.command {
        Some(Command::Sync(sync)) => (sync.quiet, sync.verbose),
        None => (args.quiet, args.verbose),
    };
    let level = match (quiet, verbose) {
        (true, _) => tracing::Level::ERROR,
        (false, 0) => tracing::Level::INFO,
        (false, 1) => tracing::Level::DEBUG,
        (false, _) => tracing::Level::TRACE,
    };
    tracing_subscriber::fmt()
        // Every line, the HTTP crates' own at trace level included, is masked.
        .with_writer(|| crate::MaskedWriter(std::io::stderr()))
        .with_max_level(level)
        .with_target(false)
        // Colours only on a terminal, not in a file or a CI log.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    // Two workers: pages are fetched and read on one while records are written out on
    // the other.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("{}: error: cannot start the async runtime: {e}", C::NAME);
            return ExitCode::FAILURE;
        }
    };
    if let Some(Command::Sync(sync)) = &args.command {
        return match runtime.block_on(sync_command::run::<C>(sync_command::Options {
            resources: sync.resource.clone(),
            destination: sync.destination.clone(),
            dataset: sync.dataset.clone(),
            overrides: sync.client.overrides(),
            full_refresh: sync.full_refresh,
            progress: !sync.quiet,
        })) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!(
                    "{}: error: {}",
                    C::NAME,
                    crate::mask_secrets(&e.to_string())
                );
                ExitCode::FAILURE
            }
        };
    }
    if args.list {
        for resource in C::RESOURCES {
            println!("{resource}");
        }
        return ExitCode::SUCCESS;
    }
    let resources: Vec<&str> = match &args.resource {
        Some(name) if C::RESOURCES.contains(&name.as_str()) => vec![name.as_str()],
        Some(name) => {
            eprintln!(
                "{}: error: no resource `{name}`; resources: {}",
                C::NAME,
                C::RESOURCES.join(", ")
            );
            return ExitCode::from(2);
        }
        None => C::SELECTED.to_vec(),
    };
    match runtime.block_on(run::<C>(&args, &resources)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!(
                "{}: error: {}",
                C::NAME,
                crate::mask_secrets(&e.to_string())
            );
            ExitCode::FAILURE
        }
    }
}

async fn run<C: Connector>(args: &Args, resources: &[&str]) -> Result<(), Error> {
    let connector = C::from_env_with(args.client.overrides())?;
    let mut states = match &args.state {
        Some(path) => read_states(path)?,
        None => BTreeMap::new(),
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for &resource in resources {
        let state = states.get(resource).cloned();
        let Some((mut lines, handle)) = connector.json_lines_with_state(resource, state) else {
            continue;
        };
        let started = Instant::now();
        let mut count = 0u64;
        while args.limit.is_none_or(|limit| count < limit) {
            let Some(chunk) = lines.next().await else {
                break;
            };
            let chunk = chunk?;
            let wanted = args.limit.map_or(chunk.count, |limit| {
                chunk
                    .count
                    .min(usize::try_from(limit - count).unwrap_or(usize::MAX))
            });
            if let Err(e) = out.write_all(chunk.first(wanted)) {
                return Err(Error::Config(format!("cannot write to stdout: {e}")));
            }
            count += wanted as u64;
        }
        out.flush()
            .map_err(|e| Error::Config(format!("cannot write to stdout: {e}")))?;
        tracing::info!(
            "{resource}: {count} records in {:.2}s",
            started.elapsed().as_secs_f64()
        );
        if let (Some(path), Some(state)) = (&args.state, handle.and_then(|h| h.state())) {
            states.insert(resource.to_owned(), state);
            write_states(path, &states)?;
        }
    }
    Ok(())
}

fn read_states(path: &Path) -> Result<BTreeMap<String, IncrementalState>, Error> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text)
            .map_err(|e| Error::Config(format!("state file {} is not valid: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(e) => Err(Error::Config(format!(
            "cannot read the state file {}: {e}",
            path.display()
        ))),
    }
}

/// Writes beside the file, then renames over it: a crash leaves the old state whole.
fn write_states(path: &Path, states: &BTreeMap<String, IncrementalState>) -> Result<(), Error> {
    let failed = |e: std::io::Error| {
        Error::Config(format!(
            "cannot write the state file {}: {e}",
            path.display()
        ))
    };
    let text = serde_json::to_string_pretty(states)
        .map_err(|e| Error::Config(format!("cannot write the state: {e}")))?;
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let temporary = std::path::PathBuf::from(temporary);
    let mut file = std::fs::File::create(&temporary).map_err(failed)?;
    file.write_all(text.as_bytes()).map_err(failed)?;
    file.sync_all().map_err(failed)?;
    std::fs::rename(&temporary, path).map_err(failed)
}
