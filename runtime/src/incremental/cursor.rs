//! A record's cursor value: found by its path, compared as its type (not as text), and
//! moved by a lag.

use super::CursorType;
use crate::select::Selector;
use crate::{Error, Result};
use serde_json::Value;
use std::cmp::Ordering;

#[derive(Debug)]
pub(super) struct Cursor {
    resource: &'static str,
    path: &'static str,
    kind: CursorType,
    selector: Selector,
}

impl Cursor {
    pub(super) fn new(
        resource: &'static str,
        path: &'static str,
        kind: CursorType,
    ) -> Result<Cursor> {
        let selector = Selector::parse(path)
            .map_err(|e| Error::Config(format!("resource `{resource}`: cursor_path {e}")))?;
        Ok(Cursor {
            resource,
            path,
            kind,
            selector,
        })
    }

    pub(super) fn path(&self) -> &'static str {
        self.path
    }

    /// The record's cursor value; `None` when it is missing or null.
    pub(super) fn of(&self, record: &Value) -> Option<Value> {
        self.selector
            .find(record)
            .into_iter()
            .next()
            .filter(|v| !v.is_null())
            .cloned()
    }

    pub(super) fn compare(&self, a: &Value, b: &Value) -> Result<Ordering> {
        Ok(match self.kind {
            CursorType::Timestamp => self.timestamp(a)?.cmp(&self.timestamp(b)?),
            CursorType::Date => self.date(a)?.cmp(&self.date(b)?),
            CursorType::Integer | CursorType::Number => self.number(a)?.total_cmp(&self.number(b)?),
            CursorType::Text => self.text(a)?.cmp(&self.text(b)?),
        })
    }

    /// `value` moved by `by`: seconds for timestamps, days for dates, units for numbers
    /// (dlt's `lag`). The value keeps its form (a timestamp its offset).
    pub(super) fn shift(&self, value: &Value, by: f64) -> Result<Value> {
        Ok(match self.kind {
            CursorType::Timestamp => {
                let text = self.text(value)?;
                let millis = (by * 1000.0).round() as i64;
                let moved = self.timestamp(value)? + chrono::Duration::milliseconds(millis);
                Value::String(
                    moved.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, text.ends_with('Z')),
                )
            }
            CursorType::Date => {
                let moved = self.date(value)? + chrono::Duration::days(by.round() as i64);
                Value::String(moved.to_string())
            }
            CursorType::Integer => Value::from((self.number(value)? + by).round() as i64),
            CursorType::Number => serde_json::Number::from_f64(self.number(value)? + by)
                .map(Value::Number)
                .ok_or_else(|| self.bad(value))?,
            CursorType::Text => {
                return Err(Error::Config(format!(
                    "resource `{}`: `lag` needs a timestamp, date or number cursor; `{}` is text",
                    self.resource, self.path
                )))
            }
        })
    }

    fn text(&self, v: &Value) -> Result<String> {
        match v {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            _ => Err(self.bad(v)),
        }
    }

    fn timestamp(&self, v: &Value) -> Result<chrono::DateTime<chrono::FixedOffset>> {
        chrono::DateTime::parse_from_rfc3339(&self.text(v)?).map_err(|_| self.bad(v))
    }

    fn date(&self, v: &Value) -> Result<chrono::NaiveDate> {
        self.text(v)?.parse().map_err(|_| self.bad(v))
    }

    fn number(&self, v: &Value) -> Result<f64> {
        self.text(v)?.parse().map_err(|_| self.bad(v))
    }

    fn bad(&self, v: &Value) -> Error {
        Error::Config(format!(
            "resource `{}`: cursor value {v} at `{}` is not a {:?} value",
            self.resource, self.path, self.kind
        ))
    }
}
