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
mod escape;
mod format;
pub mod import;
#[cfg(feature = "infer")]
pub mod infer;
#[cfg(feature = "mock")]
pub mod mock;
pub mod model;
pub mod openapi;
mod pipeline;
mod sanitize;
pub mod spec;

pub use builder::Builder;
pub use crate_files::RuntimeSource;
pub use diagnostics::{SpecError, SpecErrors};
pub use emit::Mode;
pub use model::Connector;
pub use pipeline::{crate_files, library, load, stale_files, write_files};

use std::path::PathBuf;

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
