//! `incremental`: the cursor, its type and dlt's options, checked.

use super::Resolver;
use crate::diagnostics::{suggest, Problem};
use crate::model::{DataType, IncrementalModel};
use crate::spec::raw;
use crate::spec::Path;
use serde_json::Value;

impl Resolver<'_> {
    /// `incremental`: values as JSON text, the cursor compared as its column's type (or,
    /// without a column, as the initial value's kind).
    pub(super) fn incremental(
        &mut self,
        spec: &raw::IncrementalSpec,
        at: &Path,
        column: Option<DataType>,
    ) -> IncrementalModel {
        let cursor_path = self.json_path(at.key("cursor_path"), "cursor_path", &spec.cursor_path);
        let cursor_type = match column {
            Some(DataType::Timestamp) => "Timestamp",
            Some(DataType::Date) => "Date",
            Some(DataType::Bigint) => "Integer",
            Some(DataType::Double | DataType::Decimal | DataType::Wei) => "Number",
            Some(DataType::Text) => "Text",
            // Without a column, as dlt does: the initial value's kind, a string read
            // as a timestamp or a date when it is one.
            _ => match &spec.initial_value {
                Some(Value::Number(n)) if n.is_i64() || n.is_u64() => "Integer",
                Some(Value::Number(_)) => "Number",
                Some(Value::String(text)) if is_timestamp(text) => "Timestamp",
                Some(Value::String(text)) if is_date(text) => "Date",
                _ => "Text",
            },
        };
        let row_order = self.choice(
            at,
            "row_order",
            &spec.row_order,
            &[("asc", "Asc"), ("desc", "Desc")],
        );
        let on_cursor_value_missing = self
            .choice(
                at,
                "on_cursor_value_missing",
                &spec.on_cursor_value_missing,
                &[
                    ("raise", "Raise"),
                    ("include", "Include"),
                    ("exclude", "Exclude"),
                ],
            )
            .unwrap_or("Raise");
        let last_value_func = self
            .choice(
                at,
                "last_value_func",
                &spec.last_value_func,
                &[("max", "Max"), ("min", "Min")],
            )
            .unwrap_or("Max");
        let bounds = [("closed", "Closed"), ("open", "Open")];
        let range_start = self
            .choice(at, "range_start", &spec.range_start, &bounds)
            .unwrap_or("Closed");
        let range_end = self
            .choice(at, "range_end", &spec.range_end, &bounds)
            .unwrap_or("Open");
        if let Some(lag) = spec.lag {
            if !(lag.is_finite() && lag >= 0.0) {
                self.problem(Problem::new(
                    at.key("lag"),
                    format!("lag {lag} is not a number of 0 or more"),
                ));
            } else if cursor_type == "Text" {
                self.problem(
                    Problem::new(at.key("lag"), "`lag` on a text cursor")
                        .hint("lag moves a timestamp (seconds), a date (days) or a number: give the cursor's column a `data_type`"),
                );
            }
        }
        IncrementalModel {
            cursor_path,
            cursor_type,
            initial_value: spec.initial_value.as_ref().map(Value::to_string),
            end_value: spec.end_value.as_ref().map(Value::to_string),
            start_param: spec.start_param.clone(),
            end_param: spec.end_param.clone(),
            row_order,
            on_cursor_value_missing,
            last_value_func,
            range_start,
            range_end,
            lag: spec.lag,
        }
    }

    /// One of dlt's named options, as the runtime's variant name; `None` when not set.
    fn choice(
        &mut self,
        at: &Path,
        key: &str,
        value: &Option<String>,
        choices: &[(&str, &'static str)],
    ) -> Option<&'static str> {
        let value = value.as_deref()?;
        if let Some((_, variant)) = choices.iter().find(|(name, _)| *name == value) {
            return Some(variant);
        }
        let names: Vec<&str> = choices.iter().map(|(name, _)| *name).collect();
        self.problem(
            Problem::new(at.key(key), format!("unknown {key} `{value}`"))
                .hint(suggest(value, &names)),
        );
        None
    }
}

/// `YYYY-MM-DD`.
fn is_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        })
}

/// `YYYY-MM-DDTHH:MM:SS` with a `Z` or `±HH:MM` offset (fractions allowed), RFC 3339.
fn is_timestamp(text: &str) -> bool {
    let Some((date, time)) = text.split_once(['T', 't', ' ']) else {
        return false;
    };
    let clock = |t: &str| {
        let b = t.as_bytes();
        b.len() == 8
            && b[2] == b':'
            && b[5] == b':'
            && t.chars().filter(char::is_ascii_digit).count() == 6
    };
    let time = time.strip_suffix(['Z', 'z']).or_else(|| {
        let at = time.rfind(['+', '-'])?;
        clock(&format!("{}:00", &time[at + 1..])).then(|| &time[..at])
    });
    let Some(time) = time else {
        return false;
    };
    let whole = time.split('.').next().unwrap_or_default();
    is_date(date) && clock(whole)
}

#[cfg(test)]
mod tests {
    use super::{is_date, is_timestamp};

    #[test]
    fn initial_values_are_recognised_as_dlt_would() {
        for text in [
            "2024-01-01T00:00:00Z",
            "2024-01-01T00:00:00.123+02:00",
            "2024-01-01 10:00:00-05:00",
        ] {
            assert!(is_timestamp(text), "{text}");
        }
        for text in [
            "2024-01-01",
            "2024-01-01T00:00",
            "yesterday",
            "2024-01-01T00:00:00",
        ] {
            assert!(!is_timestamp(text), "{text}");
        }
        assert!(is_date("2024-01-01"));
        assert!(!is_date("2024-1-01"));
    }
}
