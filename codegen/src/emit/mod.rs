//! Rust code of a connector, as tokens. Formatting happens afterwards, in `format`.
//!
//! Generated code reaches the runtime through one alias, `rt`, and writes the
//! prelude's names (`Option`, `String`, `Vec`) plainly: `sanitize` keeps every name
//! from a spec off them, so nothing a spec says can shadow them. Spec strings enter as
//! literals built by `quote`.

mod client;
mod config;
mod endpoint;
mod record;

use crate::model::Connector;
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// Whether the code is a crate's `lib.rs` (with crate docs) or a file for `include!`.
///
/// Crate files carry `#![cfg_attr(rustfmt, rustfmt_skip)]`: they are formatted by
/// prettyplease, and `cargo fmt --all` in a workspace that holds them must not make
/// them differ from what `connectorgen check` expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Crate,
    Include,
}

/// The whole library of a connector.
pub fn library(connector: &Connector, mode: Mode) -> TokenStream {
    let docs = match mode {
        Mode::Crate => crate_docs(connector),
        Mode::Include => TokenStream::new(),
    };
    let records = connector.resources.iter().map(record::record);
    let endpoints = connector.resources.iter().map(endpoint::endpoint);
    let client = client::client(connector);
    quote! {
        #docs
        use ::connectorgen_runtime as rt;

        pub use rt::{Error, Page, Pages, Records, Secret};

        /// The result of every fallible call of this connector.
        pub type Result<T> = std::result::Result<T, Error>;

        #client
        #(#records)*

        /// How each resource is fetched: the requests, paginators and selectors of the
        /// spec, as data for the runtime.
        pub mod endpoints {
            use ::connectorgen_runtime as rt;

            #(#endpoints)*
        }
    }
}

/// `src/main.rs` of a generated crate: the command-line program.
pub fn program(connector: &Connector) -> TokenStream {
    let krate = ident(&connector.crate_name().replace('-', "_"));
    quote! {
        #![cfg_attr(rustfmt, rustfmt_skip)]
        #[global_allocator]
        static ALLOCATOR: ::connectorgen_runtime::program::Allocator =
            ::connectorgen_runtime::program::ALLOCATOR;
        fn main() -> std::process::ExitCode {
            ::connectorgen_runtime::program::main::<#krate::Client>()
        }
    }
}

fn crate_docs(connector: &Connector) -> TokenStream {
    // Each part escaped on its own: a code block the description leaves open is closed
    // before what follows.
    let mut lines =
        crate::escape::doc_lines(&format!("Typed client for the `{}` API.", connector.name));
    if let Some(description) = &connector.description {
        lines.push(String::new());
        lines.extend(crate::escape::doc_lines(description.trim_end()));
    }
    lines.push(String::new());
    lines.push("See the crate's README for its resources, fields and settings.".to_owned());
    let lines = lines.iter().map(|line| format!(" {line}"));
    quote! {
        #(#![doc = #lines])*
        #![cfg_attr(rustfmt, rustfmt_skip)]
    }
}

pub(crate) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// A `///` doc comment, one attribute per line, escaped ([`crate::escape::doc_lines`]).
pub(crate) fn doc(text: &str) -> TokenStream {
    let lines = crate::escape::doc_lines(text)
        .into_iter()
        .map(|line| format!(" {line}"));
    quote! { #(#[doc = #lines])* }
}
