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
        let row_order = match spec.row_order.as_deref() {
            None => None,
            Some("asc") => Some("Asc"),
            Some("desc") => Some("Desc"),
            Some(other) => {
                self.problem(
                    Problem::new(at.key("row_order"), format!("unknown row_order `{other}`"))
                        .hint(suggest(other, &["asc", "desc"])),
                );
                None
            }
        };
        let on_cursor_value_missing = match spec.on_cursor_value_missing.as_deref() {
            None | Some("raise") => "Raise",
            Some("include") => "Include",
            Some("exclude") => "Exclude",
            Some(other) => {
                self.problem(
                    Problem::new(
                        at.key("on_cursor_value_missing"),
                        format!("unknown on_cursor_value_missing `{other}`"),
                    )
                    .hint(suggest(other, &["raise", "include", "exclude"])),
                );
                "Raise"
            }
        };
        IncrementalModel {
            cursor_path,
            cursor_type,
            initial_value: spec.initial_value.as_ref().map(Value::to_string),
            end_value: spec.end_value.as_ref().map(Value::to_string),
            start_param: spec.start_param.clone(),
            end_param: spec.end_param.clone(),
            row_order,
            on_cursor_value_missing,
        }
    }
}
