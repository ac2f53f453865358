//! Incremental loading: only records whose cursor (`updated_at`, `id`, ...) lies in
//! `[start, end)`, and a state that carries the largest cursor seen to the next run.
//!
//! Filtering follows dlt: the start is inclusive and the end exclusive unless
//! `range_start`/`range_end` say otherwise; records at exactly the start value that the
//! previous run already returned (same primary key) are dropped; `last_value_func: min`
//! walks the cursor downwards; `lag` starts each run that much before the last value.
//! Cursors are compared as their column's type, not as text. `Tracker` does the
//! filtering, the rest of this module carries its settings and state.

mod cursor;
mod tracker;

pub(crate) use tracker::Tracker;

use crate::Result;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;
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
    /// dlt's `last_value_func`: the cursor moves up (`max`) or down (`min`).
    pub last_value_func: LastValueFunc,
    /// Whether a record at exactly the start value is in the range (dlt: closed).
    pub range_start: Bound,
    /// Whether a record at exactly the end value is in the range (dlt: open).
    pub range_end: Bound,
    /// Each run starts this much before the last value: seconds for timestamps, days
    /// for dates, units for numbers (dlt's `lag`, an attribution window).
    pub lag: Option<f64>,
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
        last_value_func: LastValueFunc::Max,
        range_start: Bound::Closed,
        range_end: Bound::Open,
        lag: None,
    };
}

/// Which way the cursor moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LastValueFunc {
    Max,
    Min,
}

/// Whether a range includes its boundary value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    Open,
    Closed,
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
    /// The largest cursor value seen (the smallest with `last_value_func: min`).
    pub last_value: Option<Value>,
    /// Primary keys (as JSON text) of the records at exactly `last_value`.
    pub unique_hashes: Vec<String>,
    /// For a child resource: the state of each parent's records, by the parent fields
    /// its requests use (`id=5`). A parent not seen in a run keeps its state.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub parents: std::collections::BTreeMap<String, IncrementalState>,
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
            let mut outcome = lock(&handle.outcome);
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
    pub(crate) trackers: Trackers,
    pub(crate) outcome: Arc<Mutex<Outcome>>,
}

/// The filters of a run: one, or one per parent of a child resource.
#[derive(Clone, Debug)]
pub(crate) enum Trackers {
    One(Arc<Mutex<Tracker>>),
    /// Added as parents arrive; `previous` is the state handed in, whose parents this
    /// run did not see are carried forward as they were.
    PerParent {
        previous: IncrementalState,
        trackers: Arc<Mutex<std::collections::BTreeMap<String, Arc<Mutex<Tracker>>>>>,
    },
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
        let outcome = *lock(&self.outcome);
        (outcome == Outcome::Finished).then(|| match &self.trackers {
            Trackers::One(tracker) => lock(tracker).state(),
            Trackers::PerParent { previous, trackers } => {
                let mut parents = previous.parents.clone();
                for (key, tracker) in lock(trackers).iter() {
                    parents.insert(key.clone(), lock(tracker).state());
                }
                IncrementalState {
                    initial_value: previous.initial_value.clone(),
                    parents,
                    ..IncrementalState::default()
                }
            }
        })
    }
}

/// A lock that a panic elsewhere did not make unusable (the data is plain state).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
