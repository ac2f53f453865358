//! connectorgen: typed Rust connectors from dlt `rest_api` specs.
//!
//! The pipeline runs one way, a module per step:
//!
//! ```text
//! spec file --spec--> raw::SpecFile --model--> Connector --emit--> TokenStream
//!           --format--> src/lib.rs, src/main.rs   --crate_files--> Cargo.toml, README.md
//! ```
//!
//! Use it through the `connectorgen` command, from a build script with [`Builder`], or
//! with the functions below.

mod builder;
mod crate_files;
mod diagnostics;
pub mod emit;
mod format;
#[cfg(feature = "mock")]
pub mod mock;
pub mod model;
mod sanitize;
pub mod spec;

pub use builder::Builder;
pub use crate_files::RuntimeSource;
pub use diagnostics::{SpecError, SpecErrors};
pub use emit::Mode;
pub use model::Connector;

use std::path::{Path, PathBuf};

/// Why generation failed.
#[derive(thiserror::Error)]
pub enum Error {
    /// The spec has problems; each names file, line and column.
    #[error("{0}")]
    Spec(#[from] SpecErrors),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A defect of connectorgen itself (generated code that does not parse, a template
    /// that does not render).
    #[error("internal error, please report it: {0}")]
    Internal(String),
}

// `fn main() -> Result<(), connectorgen::Error>` in a build script prints `Debug`:
// make it the readable message.
impl std::fmt::Debug for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Reads, checks and resolves a spec file.
pub fn load(spec: &Path) -> Result<Connector> {
    let spec::Loaded {
        document,
        spec,
        checked,
        mut problems,
    } = spec::load(spec)?;
    if let Some(raw) = spec {
        match model::resolve(&document, &checked, &raw) {
            Ok(connector) if problems.is_empty() => return Ok(connector),
            Ok(_) => {}
            // A value that did not type-check was left out; what the later checks say
            // about the same place adds nothing.
            Err(more) => {
                let more: Vec<_> = more
                    .into_iter()
                    .filter(|p| !problems.iter().any(|q| q.path == p.path))
                    .collect();
                problems.extend(more);
            }
        }
    }
    Err(Error::Spec(document.errors(problems)))
}

/// The Rust library of a connector, formatted.
pub fn library(connector: &Connector, mode: Mode) -> Result<String> {
    let tokens = emit::library(connector, mode);
    format::rust_file(
        tokens,
        &format::header(&connector.spec_file, &connector.spec_sha256),
    )
    .map_err(|e| Error::Internal(format!("generated code does not parse: {e}")))
}

/// The files of a connector crate, by path relative to the crate's folder.
pub fn crate_files(
    connector: &Connector,
    runtime: &RuntimeSource,
) -> Result<Vec<(PathBuf, String)>> {
    let header = format::header(&connector.spec_file, &connector.spec_sha256);
    let main = format::rust_file(emit::program(connector), &header)
        .map_err(|e| Error::Internal(format!("generated program does not parse: {e}")))?;
    let render = |e: minijinja::Error| Error::Internal(format!("template: {e}"));
    Ok(vec![
        (
            PathBuf::from("Cargo.toml"),
            crate_files::cargo_toml(connector, runtime).map_err(render)?,
        ),
        (
            PathBuf::from("README.md"),
            crate_files::readme(connector).map_err(render)?,
        ),
        (
            PathBuf::from("src/lib.rs"),
            library(connector, Mode::Crate)?,
        ),
        (PathBuf::from("src/main.rs"), main),
    ])
}

/// Writes files under `dir`, creating folders; files whose content is already right
/// are left untouched (so their modification time does not trigger rebuilds).
pub fn write_files(dir: &Path, files: &[(PathBuf, String)]) -> Result<()> {
    for (relative, content) in files {
        let path = dir.join(relative);
        if std::fs::read_to_string(&path).is_ok_and(|old| &old == content) {
            continue;
        }
        let io = |source| Error::Io {
            path: path.clone(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        std::fs::write(&path, content).map_err(io)?;
    }
    Ok(())
}

/// The files under `dir` whose content differs from `files` (or that are missing).
pub fn stale_files(dir: &Path, files: &[(PathBuf, String)]) -> Vec<PathBuf> {
    files
        .iter()
        .filter(|(relative, content)| {
            std::fs::read_to_string(dir.join(relative)).map_or(true, |old| &old != content)
        })
        .map(|(relative, _)| dir.join(relative))
        .collect()
}
