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
            _ => match &spec.initial_value {
                Some(Value::Number(_)) => "Number",
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
