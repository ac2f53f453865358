use crate::{Error, Result};
use futures_util::{Stream, StreamExt};
use serde::Serialize;
use std::pin::Pin;

/// Records of one resource as JSON lines, in chunks of the records that were ready
/// together (about a page).
pub type JsonLines = Pin<Box<dyn Stream<Item = Result<Lines>> + Send>>;

/// Records, each serialized as one line of JSON ending in `\n` (JSON text never holds
/// a raw newline).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lines {
    pub text: Vec<u8>,
    /// How many records (lines) `text` holds.
    pub count: usize,
}

impl Lines {
    /// The first `records` lines.
    pub fn first(&self, records: usize) -> &[u8] {
        if records >= self.count {
            return &self.text;
        }
        let Some(last) = records.checked_sub(1) else {
            return &[];
        };
        let end = self
            .text
            .iter()
            .enumerate()
            .filter(|(_, byte)| **byte == b'\n')
            .nth(last)
            .map_or(0, |(index, _)| index + 1);
        &self.text[..end]
    }
}

/// Records taken from a stream at once, at most: more than a page of most APIs.
const CHUNK: usize = 1024;

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
    /// `--timeout`: time allowed for one request.
    pub timeout: Option<std::time::Duration>,
    /// `--resource-timeout`: time allowed for one paginated call.
    pub resource_timeout: Option<std::time::Duration>,
    /// `--max-pages`: pages allowed for one paginated call.
    pub max_pages: Option<u64>,
}

impl Overrides {
    /// Overrides of the base URL and the concurrency; set the others field by field.
    pub fn new(base_url: Option<String>, concurrency: Option<usize>) -> Self {
        Overrides {
            base_url,
            concurrency,
            ..Overrides::default()
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

/// Serializes a stream of typed records as JSON lines, into one buffer for the records
/// that are ready together rather than a string each. An error comes after the lines
/// of the records before it.
///
/// `extra`'s values are copied as their text (`RawValue`s), which only serde_json
/// understands: a `T` whose `Serialize` runs another serializer on a record inside
/// must not be given here.
pub fn json_lines<T: Serialize + Send + 'static>(
    records: impl Stream<Item = Result<T>> + Send + 'static,
) -> JsonLines {
    Box::pin(records.ready_chunks(CHUNK).flat_map(|chunk| {
        let mut lines = Lines::default();
        let mut failed = None;
        for record in chunk {
            let written = record.and_then(|record| {
                crate::record::with_serde_json(|| serde_json::to_writer(&mut lines.text, &record))
                    .map_err(|e| Error::Config(format!("cannot write a record as JSON: {e}")))
            });
            match written {
                Ok(()) => {
                    lines.text.push(b'\n');
                    lines.count += 1;
                }
                Err(error) => {
                    failed = Some(error);
                    break;
                }
            }
        }
        let lines = (lines.count > 0).then_some(Ok(lines));
        futures_util::stream::iter(lines.into_iter().chain(failed.map(Err)))
    }))
}

/// Turns a stream of typed records into JSON values, for the loader.
///
/// As for [`json_lines`], `T` is serialized with serde_json's own serializer only.
pub fn values<T: Serialize>(records: impl Stream<Item = Result<T>> + Send + 'static) -> Values {
    Box::pin(records.map(|record| {
        record.and_then(|record| {
            crate::record::with_serde_json(|| serde_json::to_value(&record))
                .map_err(|e| Error::Config(format!("cannot read a record as JSON: {e}")))
        })
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn records_ready_together_make_one_chunk_and_an_error_follows_its_lines() {
        let records = futures_util::stream::iter(vec![
            Ok(serde_json::json!({"id": 1})),
            Ok(serde_json::json!({"id": 2, "text": "a\nb"})),
            Err(Error::Config("broken".into())),
        ]);
        let items: Vec<Result<Lines>> = json_lines(records).collect().await;
        assert_eq!(items.len(), 2);
        let lines = items[0].as_ref().unwrap();
        assert_eq!(lines.count, 2);
        assert_eq!(
            String::from_utf8_lossy(&lines.text),
            "{\"id\":1}\n{\"id\":2,\"text\":\"a\\nb\"}\n"
        );
        assert_eq!(lines.first(1), b"{\"id\":1}\n");
        assert_eq!(lines.first(0), b"");
        assert_eq!(lines.first(5), &lines.text[..]);
        assert_eq!(items[1].as_ref().unwrap_err().to_string(), "broken");
    }
}
