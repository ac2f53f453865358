//! The `connectorgen` command.

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use connectorgen::{crate_files, stale_files, write_files, Connector, Error, RuntimeSource};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "connectorgen",
    version,
    about = "Typed Rust connectors from dlt rest_api specs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write a connector crate for each spec.
    ///
    /// One spec file: the crate is written to --out. A folder of specs: each crate is
    /// written to --out/<connector name>.
    Generate {
        /// A spec file (.yaml, .yml, .json) or a folder of them.
        spec: PathBuf,
        /// Where to write.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        runtime: RuntimeArgs,
    },
    /// Fail, naming the stale files, when checked-in crates differ from their specs.
    Check {
        /// Folder of specs.
        #[arg(long, default_value = "specs")]
        specs: PathBuf,
        /// Folder of generated crates.
        #[arg(long, default_value = "generated")]
        generated: PathBuf,
        #[command(flatten)]
        runtime: RuntimeArgs,
    },
    /// Check specs without writing anything.
    Validate {
        /// Spec files.
        #[arg(required = true)]
        specs: Vec<PathBuf>,
    },
    /// Write a spec from a dlt pipeline: a .py file, or a Markdown/text document with a
    /// ```python block.
    ///
    /// The config passed to `rest_api_source(...)` becomes the spec; what a spec cannot
    /// hold (callables, custom classes, values computed at run time) is listed on stderr
    /// and as comments at the top of the spec. With --out, the spec is validated too.
    Import {
        /// The pipeline file.
        file: PathBuf,
        /// Where to write the spec (default: stdout).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Serve a local HTTP API that speaks a spec (needs the `mock` feature).
    ///
    /// Every resource at its path, behind its paginator and data_selector envelope,
    /// with deterministic records made from its columns. The first line on stdout is
    /// `listening on http://127.0.0.1:PORT`; it runs until stopped.
    Mock {
        /// The spec file.
        spec: PathBuf,
        /// Port on 127.0.0.1 (default: any free port).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Records of each top-level resource.
        #[arg(long, default_value_t = 250)]
        records: u64,
        /// Fail every K-th request with 503.
        #[arg(long, value_name = "K", default_value_t = 0)]
        fail_every: u64,
        /// Answer every K-th request with 429 and Retry-After: 1.
        #[arg(long, value_name = "K", default_value_t = 0)]
        throttle_every: u64,
    },
    /// Write a spec from an OpenAPI 3.0 or 3.1 document (YAML or JSON).
    ///
    /// Base URL, auth, one resource per GET endpoint with its records, paginator,
    /// primary key, parent and typed columns. What had to be guessed is listed on
    /// stderr and as comments at the top of the spec. With --out, the spec is validated.
    Openapi {
        /// The OpenAPI document.
        document: PathBuf,
        /// Where to write the spec (default: stdout).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Propose `columns` from live responses (needs the `infer` feature).
    ///
    /// Fetches up to --pages pages of every top-level resource, with the spec's auth
    /// (secrets from the same environment variables as the generated `Config`),
    /// paginator and data selector, and prints what every field showed against the
    /// spec's columns. With --write, writes the spec with the proposed columns next to
    /// it, as <stem>.inferred.yaml (or .json).
    Infer {
        /// The spec file.
        spec: PathBuf,
        /// Use this base URL instead of the spec's (a staging API, `connectorgen mock`).
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// Pages of each resource, at most.
        #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..))]
        pages: u16,
        /// Write the spec with the proposed columns.
        #[arg(long)]
        write: bool,
    },
    /// Print the JSON Schema of the spec format, for editors (needs the `schema`
    /// feature).
    ///
    /// Point an editor at it from a YAML spec with a first line
    /// `# yaml-language-server: $schema=PATH`, or from a JSON spec with a `"$schema"` key.
    Schema,
}

#[derive(clap::Args)]
struct RuntimeArgs {
    /// Depend on connectorgen-runtime at this path (default: this repository's runtime).
    #[arg(long, value_name = "DIR", conflicts_with = "runtime_version")]
    runtime_path: Option<PathBuf>,
    /// Depend on this crates.io version of connectorgen-runtime.
    #[arg(long, value_name = "VERSION")]
    runtime_version: Option<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Generate { spec, out, runtime } => generate(&spec, &out, &runtime),
        Command::Check {
            specs,
            generated,
            runtime,
        } => check(&specs, &generated, &runtime),
        Command::Validate { specs } => validate(&specs),
        Command::Import { file, out } => import(&file, out.as_deref()),
        Command::Mock {
            spec,
            port,
            records,
            fail_every,
            throttle_every,
        } => mock(&spec, port, records, fail_every, throttle_every),
        Command::Schema => schema(),
        Command::Openapi { document, out } => openapi(&document, out.as_deref()),
        Command::Infer {
            spec,
            base_url,
            pages,
            write,
        } => infer(&spec, base_url, pages.into(), write),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            match error.downcast_ref::<Error>() {
                Some(Error::Spec(errors)) => eprintln!("{errors}"),
                _ => eprintln!("error: {error:#}"),
            }
            ExitCode::from(2)
        }
    }
}

/// Loads a spec and prints its warnings on stderr.
fn load(spec: &Path) -> Result<Connector, Error> {
    let connector = connectorgen::load(spec)?;
    for warning in &connector.warnings {
        eprintln!("{warning}");
    }
    Ok(connector)
}

fn generate(spec: &Path, out: &Path, runtime: &RuntimeArgs) -> anyhow::Result<ExitCode> {
    let specs = spec_files(spec)?;
    let single = spec.is_file();
    for (index, spec) in specs.iter().enumerate() {
        let connector = load(spec)?;
        let dir = if single {
            out.to_owned()
        } else {
            out.join(crate_dir(&connector))
        };
        let files = crate_files(&connector, &runtime_source(runtime, &dir)?)?;
        write_files(&dir, &files)?;
        eprintln!(
            "[{}/{}] {} -> {} ({} resources)",
            index + 1,
            specs.len(),
            spec.display(),
            dir.display(),
            connector.resources.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn check(specs: &Path, generated: &Path, runtime: &RuntimeArgs) -> anyhow::Result<ExitCode> {
    let mut stale = Vec::new();
    let mut expected_dirs = Vec::new();
    for spec in spec_files(specs)? {
        let connector = load(&spec)?;
        let dir = generated.join(crate_dir(&connector));
        let files = crate_files(&connector, &runtime_source(runtime, &dir)?)?;
        stale.extend(stale_files(&dir, &files));
        expected_dirs.push(dir);
    }
    // A crate whose spec was removed is stale too.
    if let Ok(entries) = std::fs::read_dir(generated) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() && !expected_dirs.contains(&path) {
                stale.push(path);
            }
        }
    }
    if stale.is_empty() {
        eprintln!(
            "{} is up to date with {}",
            generated.display(),
            specs.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    stale.sort();
    for path in &stale {
        eprintln!("stale: {}", path.display());
    }
    eprintln!(
        "{} file(s) out of date; run `connectorgen generate {} --out {}`",
        stale.len(),
        specs.display(),
        generated.display()
    );
    Ok(ExitCode::FAILURE)
}

fn import(file: &Path, out: Option<&Path>) -> anyhow::Result<ExitCode> {
    let imported = connectorgen::import::import(file)?;
    for note in &imported.notes {
        eprintln!("{}:{}: note: {}", file.display(), note.line, note.message);
        if let Some(hint) = &note.hint {
            eprintln!("  hint: {hint}");
        }
    }
    put_spec(&imported.yaml(&file_name(file)), out)
}

fn openapi(document: &Path, out: Option<&Path>) -> anyhow::Result<ExitCode> {
    let imported = connectorgen::openapi::import(document)?;
    for guess in &imported.guesses {
        eprintln!("guessed: {guess}");
    }
    for skipped in &imported.skipped {
        eprintln!("left out: {skipped}");
    }
    put_spec(&imported.yaml(&file_name(document)), out)
}

/// A path's file name, for the comment naming a spec's source.
fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A spec written by `import` or `openapi`: on stdout, or to `out` and validated there.
fn put_spec(yaml: &str, out: Option<&Path>) -> anyhow::Result<ExitCode> {
    let Some(out) = out else {
        print!("{yaml}");
        return Ok(ExitCode::SUCCESS);
    };
    std::fs::write(out, yaml).with_context(|| format!("cannot write {}", out.display()))?;
    eprintln!("wrote {}", out.display());
    validate(&[out.to_owned()])
}

fn validate(specs: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let mut failed = false;
    for spec in specs {
        match load(spec) {
            Ok(connector) => eprintln!(
                "{}: ok ({} resources)",
                spec.display(),
                connector.resources.len()
            ),
            Err(Error::Spec(errors)) => {
                eprintln!("{errors}");
                failed = true;
            }
            Err(other) => return Err(other.into()),
        }
    }
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// The folder of a connector crate: its name, snake_cased.
fn crate_dir(connector: &connectorgen::Connector) -> String {
    connector.program_name().replace('-', "_")
}

/// A spec file, or the spec files of a folder in name order.
fn spec_files(path: &Path) -> anyhow::Result<Vec<PathBuf>> {
    if path.is_file() {
        return Ok(vec![path.to_owned()]);
    }
    let entries =
        std::fs::read_dir(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut specs: Vec<PathBuf> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            )
        })
        .collect();
    specs.sort();
    if specs.is_empty() {
        bail!("no spec files (.yaml, .yml, .json) in {}", path.display());
    }
    Ok(specs)
}

/// Where the crate at `crate_dir` gets the runtime. A path dependency is written
/// relative to the crate when both are in the same repository, so that checked-in
/// crates do not name the machine they were generated on.
fn runtime_source(args: &RuntimeArgs, crate_dir: &Path) -> anyhow::Result<RuntimeSource> {
    if let Some(version) = &args.runtime_version {
        return Ok(RuntimeSource::Version(version.clone()));
    }
    let runtime = match &args.runtime_path {
        Some(path) => path.clone(),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime"),
    };
    if !runtime.join("Cargo.toml").is_file() {
        bail!(
            "connectorgen-runtime is not at {}; pass --runtime-path DIR or --runtime-version VERSION",
            runtime.display()
        );
    }
    let runtime = normalize(&std::path::absolute(&runtime)?);
    let crate_dir = normalize(&std::path::absolute(crate_dir)?);
    let same_repo = repository_root(&runtime).is_some_and(|root| crate_dir.starts_with(root));
    let path = if same_repo {
        pathdiff::diff_paths(&runtime, &crate_dir).unwrap_or(runtime)
    } else {
        runtime
    };
    Ok(RuntimeSource::Path(
        path.to_string_lossy().replace('\\', "/"),
    ))
}

/// `a/b/../c` -> `a/c`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn repository_root(path: &Path) -> Option<&Path> {
    path.ancestors().find(|dir| dir.join(".git").exists())
}

#[cfg(feature = "infer")]
fn infer(
    spec: &Path,
    base_url: Option<String>,
    pages: usize,
    write: bool,
) -> anyhow::Result<ExitCode> {
    let connector = connectorgen::load(spec)?;
    let options = connectorgen::infer::Options { base_url, pages };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let proposals = runtime
        .block_on(connectorgen::infer::infer(&connector, &options))
        .map_err(|e| anyhow::anyhow!("{}", connectorgen_runtime::mask_secrets(&e.to_string())))?;
    for proposal in &proposals {
        print!("{}", proposal.report());
    }
    if write {
        let path = connectorgen::infer::write_spec(spec, &proposals)?;
        eprintln!("wrote {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(not(feature = "infer"))]
fn infer(_: &Path, _: Option<String>, _: usize, _: bool) -> anyhow::Result<ExitCode> {
    bail!("this connectorgen was built without the `infer` feature: cargo run -p connectorgen --features infer -- infer SPEC")
}

#[cfg(feature = "schema")]
fn schema() -> anyhow::Result<ExitCode> {
    let schema = connectorgen::spec::spec_schema();
    println!("{}", serde_json::to_string_pretty(&schema)?);
    Ok(ExitCode::SUCCESS)
}

#[cfg(not(feature = "schema"))]
fn schema() -> anyhow::Result<ExitCode> {
    bail!("this connectorgen was built without the `schema` feature: cargo run -p connectorgen --features schema -- schema")
}

#[cfg(feature = "mock")]
fn mock(
    spec: &Path,
    port: u16,
    records: u64,
    fail_every: u64,
    throttle_every: u64,
) -> anyhow::Result<ExitCode> {
    use std::io::Write as _;
    let connector = load(spec)?;
    let options = connectorgen::mock::MockOptions {
        port,
        records,
        fail_every,
        throttle_every,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let mock = connectorgen::mock::start(connector, options)
            .await
            .context("cannot listen on 127.0.0.1")?;
        // Written once; a reader that goes away after the first line must not stop
        // the server, so errors writing them are not fatal.
        let mut out = std::io::stdout().lock();
        let _ = write!(
            out,
            "listening on http://{}\nbase URL: {}\n",
            mock.address, mock.base_url
        )
        .and_then(|()| out.flush());
        drop(out);
        tokio::signal::ctrl_c().await?;
        drop(mock);
        Ok(ExitCode::SUCCESS)
    })
}

#[cfg(not(feature = "mock"))]
fn mock(_: &Path, _: u16, _: u64, _: u64, _: u64) -> anyhow::Result<ExitCode> {
    bail!("this connectorgen was built without the `mock` feature: cargo run -p connectorgen --features mock -- mock SPEC")
}
