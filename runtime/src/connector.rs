use crate::{Error, Result};
use futures_util::{Stream, StreamExt};
use serde::Serialize;
use std::pin::Pin;

/// Records of one resource, each serialized as one line of JSON.
pub type JsonLines = Pin<Box<dyn Stream<Item = Result<String>> + Send>>;

/// Records of one resource as JSON values, for the loader.
pub type Values = Pin<Box<dyn Stream<Item = Result<serde_json::Value>> + Send>>;

/// Settings the program's flags put over those of the environment.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct Overrides {
    /// `--base-url`.
    pub base_url: Option<String>,
    /// `--concurrency`: requests of one resource, and children fetched, at once.
    pub concurrency: Option<usize>,
}

impl Overrides {
    pub fn new(base_url: Option<String>, concurrency: Option<usize>) -> Self {
        Overrides {
            base_url,
            concurrency,
        }
    }
}

/// What a generated client offers to the generic command-line program.
pub trait Connector: Sized {
    /// The connector's name (the spec's `name`, or its file stem).
    const NAME: &'static str;
    /// Resource names as written in the spec, in spec order.
    const RESOURCES: &'static [&'static str];
    /// The table of each resource, in the order of [`RESOURCES`](Self::RESOURCES).
    const TABLES: &'static [crate::load::TableDef];
    /// The resources fetched and loaded when none are named: all but those the spec
    /// marks `selected: false`, which are still fetched by name and as parents.
    const SELECTED: &'static [&'static str] = Self::RESOURCES;

    /// A client configured from environment variables, then from `overrides` (the
    /// program's flags).
    fn from_env_with(overrides: Overrides) -> Result<Self>;

    /// The records of a resource as JSON lines; `None` for an unknown resource name.
    fn json_lines(&self, resource: &str) -> Option<JsonLines>;

    /// Like [`json_lines`](Self::json_lines), from an incremental state; for an
    /// incremental resource also the handle of its new state.
    fn json_lines_with_state(
        &self,
        resource: &str,
        state: Option<crate::IncrementalState>,
    ) -> Option<(JsonLines, Option<crate::StateHandle>)> {
        let _ = state;
        self.json_lines(resource).map(|lines| (lines, None))
    }

    /// Pages received so far by this connector's client, for progress displays.
    fn pages_received(&self) -> u64 {
        0
    }

    /// The records of a resource as JSON values, from an incremental state where the
    /// resource is incremental (with the handle of its new state); `None` for an
    /// unknown resource name.
    fn values(
        &self,
        resource: &str,
        state: Option<crate::IncrementalState>,
    ) -> Option<(Values, Option<crate::StateHandle>)>;
}

/// Serializes a stream of typed records, one JSON document per item.
pub fn json_lines<T: Serialize>(
    records: impl Stream<Item = Result<T>> + Send + 'static,
) -> JsonLines {
    Box::pin(records.map(|record| {
        record.and_then(|record| {
            serde_json::to_string(&record)
                .map_err(|e| Error::Config(format!("cannot write a record as JSON: {e}")))
        })
    }))
}

/// Turns a stream of typed records into JSON values, for the loader.
pub fn values<T: Serialize>(records: impl Stream<Item = Result<T>> + Send + 'static) -> Values {
    Box::pin(records.map(|record| {
        record.and_then(|record| {
            serde_json::to_value(&record)
                .map_err(|e| Error::Config(format!("cannot read a record as JSON: {e}")))
        })
    }))
}
