//! The pipeline's steps as functions: a spec file to a [`Connector`], a connector to
//! its formatted library or to every file of its crate, and writing those files.

use crate::RuntimeSource;
use crate::{crate_files as files, emit, format, model, spec, Connector, Error, Mode, Result};
use std::path::{Path, PathBuf};

/// Reads, checks and resolves a spec file.
pub fn load(spec: &Path) -> Result<Connector> {
    let spec::Loaded {
        document,
        spec,
        checked,
        mut problems,
        mut warnings,
    } = spec::load(spec)?;
    if let Some(raw) = spec {
        match model::resolve(&document, &checked, &raw) {
            Ok((mut connector, more)) if problems.is_empty() => {
                warnings.extend(more);
                connector.warnings = document.warnings(warnings);
                return Ok(connector);
            }
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
            files::cargo_toml(connector, runtime).map_err(render)?,
        ),
        (
            PathBuf::from("README.md"),
            files::readme(connector).map_err(render)?,
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
