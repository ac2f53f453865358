//! Reading a spec file: text -> value tree -> [`raw::SpecFile`], with every problem
//! located in the text.

mod ignored;
mod load;
mod locate;
mod path;
pub mod raw;
mod yaml;

pub use load::{load, Document, Format, Loaded};
pub use path::{Path, Seg};
