//! Reading a spec file: text -> value tree -> [`raw::SpecFile`], with every problem
//! located in the text.

mod ignored;
mod load;
mod locate;
mod path;
pub mod raw;
#[cfg(feature = "schema")]
mod schema;
mod yaml;

pub use load::{load, Document, Format, Loaded};
#[cfg(feature = "schema")]
pub use schema::spec_schema;

/// A value tree as YAML text.
pub(crate) fn to_yaml(value: &serde_json::Value) -> String {
    yaml::to_string(value)
}
pub use path::{Path, Seg};
