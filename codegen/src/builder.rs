//! Generating a connector from a build script.

use crate::{library, load, Error, Mode, Result};
use std::path::{Path, PathBuf};

/// Generates a connector into `OUT_DIR` from `build.rs`:
///
/// ```no_run
/// // build.rs
/// fn main() -> Result<(), connectorgen::Error> {
///     connectorgen::Builder::new("specs/events.yaml").generate()?;
///     Ok(())
/// }
/// ```
///
/// and in the crate: `include!(concat!(env!("OUT_DIR"), "/events.rs"));` (the file is
/// named after the connector; see [`Builder::file_name`]).
#[derive(Clone, Debug)]
pub struct Builder {
    spec: PathBuf,
    file_name: Option<String>,
    out_dir: Option<PathBuf>,
    warnings: bool,
}

impl Builder {
    /// A spec path, relative to the package (cargo runs build scripts there).
    pub fn new(spec: impl AsRef<Path>) -> Builder {
        Builder {
            spec: spec.as_ref().to_owned(),
            file_name: None,
            out_dir: None,
            warnings: true,
        }
    }

    /// Whether the spec's warnings (dlt keys connectorgen ignores, deprecated forms)
    /// are shown as cargo warnings; default `true`. Turn them off for a spec that uses
    /// such forms on purpose.
    pub fn warnings(mut self, show: bool) -> Builder {
        self.warnings = show;
        self
    }

    /// The name of the written file; default `<connector name>.rs`.
    pub fn file_name(mut self, name: impl Into<String>) -> Builder {
        self.file_name = Some(name.into());
        self
    }

    /// Writes somewhere else than `OUT_DIR`.
    pub fn out_dir(mut self, dir: impl AsRef<Path>) -> Builder {
        self.out_dir = Some(dir.as_ref().to_owned());
        self
    }

    /// Writes the connector and tells cargo to run the build script again when the spec
    /// changes. Returns the written file's path.
    pub fn generate(self) -> Result<PathBuf> {
        println!("cargo:rerun-if-changed={}", self.spec.display());
        let connector = load(&self.spec)?;
        for warning in connector.warnings.iter().filter(|_| self.warnings) {
            // One line per warning: cargo shows each `cargo:warning` line on its own.
            println!("cargo:warning={}", warning.to_string().replace('\n', " "));
        }
        let code = library(&connector, Mode::Include)?;
        let dir = match self.out_dir {
            Some(dir) => dir,
            None => std::env::var_os("OUT_DIR").map(PathBuf::from).ok_or_else(|| Error::Io {
                path: PathBuf::from("OUT_DIR"),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "OUT_DIR is not set: Builder::generate runs in a build script, or takes out_dir()",
                ),
            })?,
        };
        let name = self
            .file_name
            .unwrap_or_else(|| format!("{}.rs", crate::sanitize::snake(&connector.name)));
        let path = dir.join(name);
        crate::write_files(&dir, &[(path.clone(), code)])?;
        Ok(path)
    }
}
