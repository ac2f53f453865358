//! Incremental loading: only records whose cursor (`updated_at`, `id`, ...) lies in
//! `[start, end)`, and a state that carries the largest cursor seen to the next run.
//!
//! Filtering follows dlt: the start is inclusive and the end exclusive; records at
//! exactly the start value that the previous run already returned (same primary key)
//! are dropped. Cursors are compared as their column's type, not as text.

use crate::select::Selector;
use crate::{Error, Result};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::cmp::Ordering;
use std::sync::{Arc, Mutex};

/// An endpoint's `incremental` settings.
#[derive(Clone, Copy, Debug)]
pub struct Incremental {
    /// JSONPath to the cursor in a record.
    pub cursor_path: &'static str,
    pub cursor_type: CursorType,
    /// Where the first run starts (JSON text).
    pub initial_value: Option<&'static str>,
    /// Where every run ends, exclusive (JSON text); set for a backfill.
    pub end_value: Option<&'static str>,
    /// Query parameter that gets the start value (dlt's `start_param`).
    pub start_param: Option<&'static str>,
    /// Query parameter that gets the end value (dlt's `end_param`).
    pub end_param: Option<&'static str>,
    /// The order the API returns records in, if it promises one: pagination then stops
    /// at the first record past the range.
    pub row_order: Option<RowOrder>,
    pub on_cursor_value_missing: OnMissing,
}

impl Incremental {
    /// Nothing but a cursor (set `cursor_path` and `cursor_type`), a missing cursor
    /// value an error, as in dlt. Generated statics write the fields that differ.
    pub const DEFAULT: Incremental = Incremental {
        cursor_path: "",
        cursor_type: CursorType::Text,
        initial_value: None,
        end_value: None,
        start_param: None,
        end_param: None,
        row_order: None,
        on_cursor_value_missing: OnMissing::Raise,
    };
}

/// How cursor values compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CursorType {
    Timestamp,
    Date,
    Integer,
    Number,
    Text,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowOrder {
    Asc,
    Desc,
}

/// What to do with a record without a cursor value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnMissing {
    Raise,
    Include,
    Exclude,
}

/// What an incremental resource carries from one run to the next. Persist it anywhere
/// (it is plain serde) and hand it to the next run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IncrementalState {
    pub initial_value: Option<Value>,
    /// The largest cursor value seen.
    pub last_value: Option<Value>,
    /// Primary keys (as JSON text) of the records at exactly `last_value`.
    pub unique_hashes: Vec<String>,
}

/// The filter of one run, shared between the record stream and its state handle.
#[derive(Debug)]
pub(crate) struct Tracker {
    config: Incremental,
    resource: &'static str,
    cursor: Selector,
    primary_key: &'static [&'static str],
    input: Option<IncrementalState>,
    start: Option<Value>,
    end: Option<Value>,
    seen_at_start: Vec<String>,
    last_value: Option<Value>,
    hashes_at_last: Vec<String>,
    /// A record past the range arrived and the rows are ordered: no more pages.
    pub(crate) exhausted: bool,
}

impl Tracker {
    pub(crate) fn new(
        resource: &'static str,
        config: Incremental,
        primary_key: &'static [&'static str],
        state: Option<IncrementalState>,
    ) -> Result<Tracker> {
        let parse = |text: Option<&str>| -> Result<Option<Value>> {
            text.map(serde_json::from_str).transpose().map_err(|e| {
                Error::Config(format!(
                    "resource `{resource}`: incremental value is not JSON: {e}"
                ))
            })
        };
        let initial = parse(config.initial_value)?;
        let (start, seen_at_start) = match state.as_ref().and_then(|s| s.last_value.clone()) {
            Some(last) => (
                Some(last),
                state
                    .as_ref()
                    .map(|s| s.unique_hashes.clone())
                    .unwrap_or_default(),
            ),
            None => (initial.clone(), Vec::new()),
        };
        Ok(Tracker {
            cursor: Selector::parse(config.cursor_path)
                .map_err(|e| Error::Config(format!("resource `{resource}`: cursor_path {e}")))?,
            end: parse(config.end_value)?,
            last_value: start.clone(),
            hashes_at_last: seen_at_start.clone(),
            config,
            resource,
            primary_key,
            input: state.or(Some(IncrementalState {
                initial_value: initial,
                ..Default::default()
            })),
            start,
            seen_at_start,
            exhausted: false,
        })
    }

    /// `{incremental.start_value}`, `{incremental.end_value}`, `{incremental.last_value}`.
    pub(crate) fn placeholder(&self, name: &str) -> Option<Value> {
        match name {
            "start_value" | "last_value" => Some(self.start.clone().unwrap_or(Value::Null)),
            "end_value" => Some(self.end.clone().unwrap_or(Value::Null)),
            _ => None,
        }
    }

    /// `start_param`/`end_param` of the first request.
    pub(crate) fn params(&self) -> Vec<(&'static str, Value)> {
        let mut params = Vec::new();
        if let (Some(name), Some(start)) = (self.config.start_param, &self.start) {
            params.push((name, start.clone()));
        }
        if let (Some(name), Some(end)) = (self.config.end_param, &self.end) {
            params.push((name, end.clone()));
        }
        params
    }

    /// Whether to keep a record; remembers the largest cursor seen.
    pub(crate) fn keep(&mut self, record: &Value) -> Result<bool> {
        let Some(cursor) = self
            .cursor
            .find(record)
            .into_iter()
            .next()
            .filter(|v| !v.is_null())
            .cloned()
        else {
            return match self.config.on_cursor_value_missing {
                OnMissing::Raise => Err(Error::Config(format!(
                    "resource `{}`: a record has no cursor value at `{}` (set `on_cursor_value_missing: include` or `exclude` to accept it)",
                    self.resource, self.config.cursor_path
                ))),
                OnMissing::Include => Ok(true),
                OnMissing::Exclude => Ok(false),
            };
        };
        if let Some(start) = &self.start {
            match self.compare(&cursor, start)? {
                Ordering::Less => {
                    if self.config.row_order == Some(RowOrder::Desc) {
                        self.exhausted = true;
                    }
                    return Ok(false);
                }
                Ordering::Equal if self.seen_at_start.contains(&self.key(record)) => {
                    return Ok(false)
                }
                _ => {}
            }
        }
        if let Some(end) = &self.end {
            if self.compare(&cursor, end)? != Ordering::Less {
                if self.config.row_order == Some(RowOrder::Asc) {
                    self.exhausted = true;
                }
                return Ok(false);
            }
        }
        let key = self.key(record);
        match self
            .last_value
            .as_ref()
            .map(|last| self.compare(&cursor, last))
            .transpose()?
        {
            None | Some(Ordering::Greater) => {
                self.last_value = Some(cursor);
                self.hashes_at_last = vec![key];
            }
            Some(Ordering::Equal) => {
                if !self.hashes_at_last.contains(&key) {
                    self.hashes_at_last.push(key);
                }
            }
            Some(Ordering::Less) => {}
        }
        Ok(true)
    }

    /// The state to carry forward; a backfill (`end_value` set) carries nothing new.
    pub(crate) fn state(&self) -> IncrementalState {
        if self.end.is_some() {
            return self.input.clone().unwrap_or_default();
        }
        IncrementalState {
            initial_value: self.input.as_ref().and_then(|s| s.initial_value.clone()),
            last_value: self.last_value.clone(),
            unique_hashes: self.hashes_at_last.clone(),
        }
    }

    /// A record's identity for de-duplication: its primary key, else the whole record.
    fn key(&self, record: &Value) -> String {
        if self.primary_key.is_empty() {
            return record.to_string();
        }
        let values: Vec<&Value> = self
            .primary_key
            .iter()
            .map(|k| record.get(*k).unwrap_or(&Value::Null))
            .collect();
        serde_json::to_string(&values).unwrap_or_default()
    }

    fn compare(&self, a: &Value, b: &Value) -> Result<Ordering> {
        let bad = |v: &Value| {
            Error::Config(format!(
                "resource `{}`: cursor value {v} at `{}` is not a {:?} value",
                self.resource, self.config.cursor_path, self.config.cursor_type
            ))
        };
        let text = |v: &Value| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        Ok(match self.config.cursor_type {
            CursorType::Timestamp => {
                let parse = |v: &Value| {
                    text(v)
                        .and_then(|s| chrono::DateTime::parse_from_rfc3339(&s).ok())
                        .ok_or_else(|| bad(v))
                };
                parse(a)?.cmp(&parse(b)?)
            }
            CursorType::Date => {
                let parse = |v: &Value| {
                    text(v)
                        .and_then(|s| s.parse::<chrono::NaiveDate>().ok())
                        .ok_or_else(|| bad(v))
                };
                parse(a)?.cmp(&parse(b)?)
            }
            CursorType::Integer | CursorType::Number => {
                let parse = |v: &Value| {
                    text(v)
                        .and_then(|s| s.parse::<f64>().ok())
                        .ok_or_else(|| bad(v))
                };
                parse(a)?.total_cmp(&parse(b)?)
            }
            CursorType::Text => text(a)
                .ok_or_else(|| bad(a))?
                .cmp(&text(b).ok_or_else(|| bad(b))?),
        })
    }
}

/// The records of an incremental run; [`handle`](Self::handle) gives its new state.
pub struct IncrementalRecords<T> {
    pub(crate) records: crate::Records<T>,
    pub(crate) handle: Option<StateHandle>,
}

impl<T> IncrementalRecords<T> {
    /// The run's state, readable (with [`StateHandle::state`]) once the stream ended
    /// without an error; `None` when the run could not start.
    pub fn handle(&self) -> Option<StateHandle> {
        self.handle.clone()
    }
}

impl<T> futures_util::Stream for IncrementalRecords<T> {
    type Item = Result<T>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<T>>> {
        let polled = self.records.poll_next_unpin(cx);
        if let (std::task::Poll::Ready(item), Some(handle)) = (&polled, &self.handle) {
            let mut outcome = handle.outcome.lock().unwrap_or_else(|e| e.into_inner());
            match item {
                Some(Err(_)) => *outcome = Outcome::Failed,
                None if *outcome == Outcome::Running => *outcome = Outcome::Finished,
                _ => {}
            }
        }
        polled
    }
}

/// The state of an incremental run, readable once its records have all been read.
#[derive(Clone, Debug)]
pub struct StateHandle {
    pub(crate) tracker: Arc<Mutex<Tracker>>,
    pub(crate) outcome: Arc<Mutex<Outcome>>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Outcome {
    #[default]
    Running,
    Finished,
    Failed,
}

impl StateHandle {
    /// The state to persist: `Some` only after the stream ended without an error.
    pub fn state(&self) -> Option<IncrementalState> {
        let outcome = *self.outcome.lock().unwrap_or_else(|e| e.into_inner());
        (outcome == Outcome::Finished).then(|| {
            self.tracker
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .state()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn config(cursor_type: CursorType) -> Incremental {
        Incremental {
            cursor_path: "updated",
            cursor_type,
            initial_value: Some("\"2024-01-01T00:00:00Z\""),
            end_value: None,
            start_param: None,
            end_param: None,
            row_order: None,
            on_cursor_value_missing: OnMissing::Raise,
        }
    }

    #[test]
    fn timestamps_compare_as_instants_not_text() {
        let mut tracker = Tracker::new("r", config(CursorType::Timestamp), &["id"], None).unwrap();
        // 2024-01-01T01:00:00+02:00 is before the start (23:00 the day before in UTC).
        assert!(!tracker
            .keep(&json!({"id": 1, "updated": "2024-01-01T01:00:00+02:00"}))
            .unwrap());
        assert!(tracker
            .keep(&json!({"id": 2, "updated": "2024-01-01T00:00:00Z"}))
            .unwrap());
        assert!(tracker
            .keep(&json!({"id": 3, "updated": "2024-03-01T00:00:00+01:00"}))
            .unwrap());
        let state = tracker.state();
        assert_eq!(state.last_value, Some(json!("2024-03-01T00:00:00+01:00")));
        assert_eq!(state.unique_hashes, vec!["[3]".to_string()]);
    }

    #[test]
    fn records_without_a_cursor_follow_on_cursor_value_missing() {
        let record = json!({"id": 1});
        let mut raise = Tracker::new("r", config(CursorType::Timestamp), &[], None).unwrap();
        let error = raise.keep(&record).unwrap_err().to_string();
        assert!(
            error.starts_with("resource `r`: a record has no cursor value at `updated`"),
            "{error}"
        );
        for (on_missing, kept) in [(OnMissing::Include, true), (OnMissing::Exclude, false)] {
            let mut c = config(CursorType::Timestamp);
            c.on_cursor_value_missing = on_missing;
            let mut tracker = Tracker::new("r", c, &[], None).unwrap();
            assert_eq!(tracker.keep(&record).unwrap(), kept);
        }
    }

    #[test]
    fn numbers_compare_as_numbers() {
        let mut c = config(CursorType::Integer);
        c.initial_value = Some("9");
        let mut tracker = Tracker::new("r", c, &[], None).unwrap();
        assert!(
            tracker.keep(&json!({"updated": 10})).unwrap(),
            "10 > 9 although \"10\" < \"9\""
        );
        assert!(!tracker.keep(&json!({"updated": 8})).unwrap());
    }
}
