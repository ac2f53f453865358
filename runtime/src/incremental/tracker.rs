//! The filter of one incremental run: which records are in range, and the state it
//! leaves for the next run.

use super::cursor::Cursor;
use super::{Bound, Incremental, IncrementalState, LastValueFunc, OnMissing, RowOrder};
use crate::{Error, Result};
use serde_json::Value;
use std::cmp::Ordering;

/// Shared between the record stream and its state handle.
#[derive(Debug)]
pub(crate) struct Tracker {
    config: Incremental,
    resource: &'static str,
    cursor: Cursor,
    primary_key: &'static [&'static str],
    input: Option<IncrementalState>,
    initial: Option<Value>,
    start: Option<Value>,
    end: Option<Value>,
    /// Keys of the records at exactly the start value that the last run returned.
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
        let cursor = Cursor::new(resource, config.cursor_path, config.cursor_type)?;
        let initial = parse(config.initial_value)?;
        let previous = state.as_ref().and_then(|s| s.last_value.clone());
        let hashes = state
            .as_ref()
            .map(|s| s.unique_hashes.clone())
            .unwrap_or_default();
        let mut tracker = Tracker {
            end: parse(config.end_value)?,
            last_value: previous.clone().or_else(|| initial.clone()),
            hashes_at_last: if previous.is_some() {
                hashes.clone()
            } else {
                Vec::new()
            },
            start: initial.clone(),
            seen_at_start: Vec::new(),
            input: state.or(Some(IncrementalState {
                initial_value: initial.clone(),
                ..Default::default()
            })),
            initial,
            cursor,
            config,
            resource,
            primary_key,
            exhausted: false,
        };
        // A backfill (`end_value` set) is its own range: it starts at the initial value
        // whatever the state says, without lag or de-duplication, as in dlt.
        if let Some(previous) = previous.filter(|_| tracker.end.is_none()) {
            match config.lag {
                // A lag re-reads a window before the last value (records there may have
                // changed), so nothing in it counts as already seen; it never starts
                // before the initial value.
                Some(lag) => {
                    let back = match config.last_value_func {
                        LastValueFunc::Max => -lag,
                        LastValueFunc::Min => lag,
                    };
                    let mut start = tracker.cursor.shift(&previous, back)?;
                    if let Some(initial) = &tracker.initial {
                        if tracker.towards_end(&start, initial)? == Ordering::Less {
                            start = initial.clone();
                        }
                    }
                    tracker.start = Some(start);
                }
                None => {
                    tracker.start = Some(previous);
                    tracker.seen_at_start = hashes;
                }
            }
        }
        Ok(tracker)
    }

    /// `{incremental.start_value}`, `{incremental.end_value}`, `{incremental.last_value}`,
    /// `{incremental.initial_value}`.
    pub(crate) fn placeholder(&self, name: &str) -> Option<Value> {
        let value = match name {
            "start_value" | "last_value" => &self.start,
            "end_value" => &self.end,
            "initial_value" => &self.initial,
            _ => return None,
        };
        Some(value.clone().unwrap_or(Value::Null))
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

    /// Whether to keep a record; remembers the last cursor value seen.
    pub(crate) fn keep(&mut self, record: &Value) -> Result<bool> {
        let Some(cursor) = self.cursor.of(record) else {
            return match self.config.on_cursor_value_missing {
                OnMissing::Raise => Err(Error::Config(format!(
                    "resource `{}`: a record has no cursor value at `{}` (set `on_cursor_value_missing: include` or `exclude` to accept it)",
                    self.resource,
                    self.cursor.path()
                ))),
                OnMissing::Include => Ok(true),
                OnMissing::Exclude => Ok(false),
            };
        };
        // dlt's `row_order` is in the order of `last_value_func`: `asc` rows move with
        // the cursor (the first one past the end ends the run), `desc` rows against it
        // (the first one before the start does).
        let (with_cursor, against_cursor) = (RowOrder::Asc, RowOrder::Desc);
        if let Some(start) = &self.start {
            match self.towards_end(&cursor, start)? {
                Ordering::Less => {
                    self.exhausted |= self.config.row_order == Some(against_cursor);
                    return Ok(false);
                }
                Ordering::Equal
                    if self.config.range_start == Bound::Open
                        || self.seen_at_start.contains(&self.key(record)) =>
                {
                    return Ok(false)
                }
                _ => {}
            }
        }
        if let Some(end) = &self.end {
            let past = match self.towards_end(&cursor, end)? {
                Ordering::Greater => true,
                Ordering::Equal => self.config.range_end == Bound::Open,
                Ordering::Less => false,
            };
            if past {
                self.exhausted |= self.config.row_order == Some(with_cursor);
                return Ok(false);
            }
        }
        let key = self.key(record);
        match self
            .last_value
            .as_ref()
            .map(|last| self.towards_end(&cursor, last))
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
            ..IncrementalState::default()
        }
    }

    /// How `a` compares with `b` in the direction the cursor moves: `Greater` is
    /// further on (larger with `max`, smaller with `min`).
    fn towards_end(&self, a: &Value, b: &Value) -> Result<Ordering> {
        let ordering = self.cursor.compare(a, b)?;
        Ok(match self.config.last_value_func {
            LastValueFunc::Max => ordering,
            LastValueFunc::Min => ordering.reverse(),
        })
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
}

#[cfg(test)]
mod tests {
    use super::super::CursorType;
    use super::*;
    use serde_json::json;

    fn config(cursor_type: CursorType) -> Incremental {
        Incremental {
            cursor_path: "updated",
            cursor_type,
            initial_value: Some("\"2024-01-01T00:00:00Z\""),
            ..Incremental::DEFAULT
        }
    }

    fn kept(tracker: &mut Tracker, values: &[Value]) -> Vec<Value> {
        values
            .iter()
            .filter(|v| tracker.keep(&json!({"updated": v})).unwrap())
            .cloned()
            .collect()
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

    /// dlt's range options: `[start, end)` by default, `(start, end]` when asked.
    #[test]
    fn range_start_and_range_end_decide_the_boundaries() {
        let values = [json!(5), json!(6), json!(9), json!(10)];
        let mut c = config(CursorType::Integer);
        c.initial_value = Some("5");
        c.end_value = Some("10");
        let mut tracker = Tracker::new("r", c, &[], None).unwrap();
        assert_eq!(kept(&mut tracker, &values), [json!(5), json!(6), json!(9)]);
        c.range_start = Bound::Open;
        c.range_end = Bound::Closed;
        let mut tracker = Tracker::new("r", c, &[], None).unwrap();
        assert_eq!(kept(&mut tracker, &values), [json!(6), json!(9), json!(10)]);
    }

    /// `last_value_func: min`: the cursor walks down; the state keeps the smallest;
    /// `row_order` is in the function's order (`desc` rows climb, as in dlt).
    #[test]
    fn min_walks_the_cursor_downwards() {
        let mut c = config(CursorType::Integer);
        c.initial_value = Some("100");
        c.last_value_func = LastValueFunc::Min;
        let mut tracker = Tracker::new("r", c, &[], None).unwrap();
        let values = [json!(120), json!(100), json!(90), json!(40)];
        assert_eq!(
            kept(&mut tracker, &values),
            [json!(100), json!(90), json!(40)]
        );
        assert!(!tracker.exhausted, "no row order, no early stop");
        assert_eq!(tracker.state().last_value, Some(json!(40)));
        let state = Some(tracker.state());
        c.row_order = Some(RowOrder::Asc);
        let mut next = Tracker::new("r", c, &[], state).unwrap();
        assert_eq!(kept(&mut next, &[json!(30), json!(50)]), [json!(30)]);
        assert!(
            !next.exhausted,
            "asc rows fall with a min cursor: one before the start is no end"
        );
        c.row_order = Some(RowOrder::Desc);
        let mut against = Tracker::new("r", c, &[], Some(next.state())).unwrap();
        assert_eq!(kept(&mut against, &[json!(35)]), Vec::<Value>::new());
        assert!(
            against.exhausted,
            "desc rows climb: one before the start ends the run"
        );
    }

    /// A backfill (`end_value` set) starts at the initial value whatever the state
    /// says, with no lag.
    #[test]
    fn a_backfill_ignores_the_state() {
        let mut c = config(CursorType::Integer);
        c.initial_value = Some("10");
        c.end_value = Some("20");
        c.lag = Some(5.0);
        let state = IncrementalState {
            last_value: Some(json!(50)),
            ..IncrementalState::default()
        };
        let tracker = Tracker::new("r", c, &[], Some(state.clone())).unwrap();
        assert_eq!(tracker.placeholder("start_value"), Some(json!(10)));
        assert_eq!(
            tracker.state(),
            state,
            "a backfill hands the state back unchanged"
        );
    }

    /// `lag`: the next run starts that much before the last value, re-reading the
    /// window without de-duplication, never before the initial value.
    #[test]
    fn lag_re_reads_a_window_before_the_last_value() {
        let mut c = config(CursorType::Timestamp);
        c.lag = Some(3600.0);
        let state = IncrementalState {
            initial_value: Some(json!("2024-01-01T00:00:00Z")),
            last_value: Some(json!("2024-05-01T12:00:00Z")),
            unique_hashes: vec![r#"{"updated":"2024-05-01T12:00:00Z"}"#.to_owned()],
            ..IncrementalState::default()
        };
        let mut tracker = Tracker::new("r", c, &[], Some(state)).unwrap();
        assert_eq!(
            tracker.placeholder("start_value"),
            Some(json!("2024-05-01T11:00:00Z"))
        );
        assert_eq!(
            kept(
                &mut tracker,
                &[
                    json!("2024-05-01T10:59:59Z"),
                    json!("2024-05-01T11:30:00Z"),
                    json!("2024-05-01T12:00:00Z")
                ]
            ),
            [json!("2024-05-01T11:30:00Z"), json!("2024-05-01T12:00:00Z")]
        );
        assert_eq!(
            tracker.state().last_value,
            Some(json!("2024-05-01T12:00:00Z"))
        );

        let mut dates = config(CursorType::Date);
        dates.initial_value = Some("\"2024-05-01\"");
        dates.lag = Some(10.0);
        let state = IncrementalState {
            last_value: Some(json!("2024-05-03")),
            ..IncrementalState::default()
        };
        let tracker = Tracker::new("r", dates, &[], Some(state)).unwrap();
        assert_eq!(
            tracker.placeholder("start_value"),
            Some(json!("2024-05-01"))
        );
        assert_eq!(
            tracker.placeholder("initial_value"),
            Some(json!("2024-05-01"))
        );
    }
}
