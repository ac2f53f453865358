//! dlt keys that connectorgen accepts and does not use. A dlt config that sets them
//! must still generate, so they are taken out of the value tree before it is typed,
//! each with a warning that says what connectorgen does instead. Nothing is dropped
//! silently.

use super::path::Path;
use crate::diagnostics::Problem;
use serde_json::Value;

/// Resource keys (also in `resource_defaults`), with what connectorgen does instead.
pub(super) const RESOURCE_KEYS: &[(&str, &str)] = &[
    (
        "parallelized",
        "connectorgen fetches the children of many parents at once by itself (`Config::fan_out`)",
    ),
    (
        "max_table_nesting",
        "nested objects and lists are loaded into child tables at any depth",
    ),
    (
        "schema_contract",
        "the record type is the contract: declared columns are typed, other fields are kept in `extra` and loaded as dlt's `evolve` mode would",
    ),
    (
        "table_format",
        "tables are plain SQLite or PostgreSQL tables, or JSON-lines/Parquet files",
    ),
    (
        "file_format",
        "the file destination writes the format of its URL (`file:DIR?format=jsonl|parquet`)",
    ),
    (
        "references",
        "table references are not stored in the destination",
    ),
    (
        "nested_hints",
        "hints for nested tables are not applied",
    ),
];

/// Column hints, with what connectorgen does instead; `x-*` hints are ignored too.
pub(super) const COLUMN_KEYS: &[(&str, &str)] = &[
    (
        "dedup_sort",
        "duplicates of a primary key within one load keep the last record",
    ),
    (
        "hard_delete",
        "rows are not deleted by this column; it is loaded as data",
    ),
    (
        "row_key",
        "connectorgen sets `_dlt_id` itself, as dlt does by default",
    ),
    (
        "parent_key",
        "connectorgen sets `_dlt_parent_id` itself, as dlt does by default",
    ),
    (
        "root_key",
        "connectorgen sets `_dlt_root_id` itself where dlt would",
    ),
    (
        "variant",
        "a variant column is made when a value does not fit its column",
    ),
    ("precision", "columns get dlt's default precision"),
    ("scale", "columns get dlt's default scale"),
    (
        "timezone",
        "timestamps are stored in UTC with their time zone",
    ),
    ("unique", "no unique constraint or index is created"),
    ("sort", "no sort key is created"),
    ("partition", "tables are not partitioned"),
    ("cluster", "tables are not clustered"),
];

/// Takes the ignored keys out of a spec's value tree; a warning for each.
pub fn take_ignored(spec: &mut Value) -> Vec<Problem> {
    let mut warnings = Vec::new();
    let root = Path::root();
    if let Some(defaults) = spec.get_mut("resource_defaults") {
        resource(defaults, &root.key("resource_defaults"), &mut warnings);
    }
    if let Some(Value::Array(resources)) = spec.get_mut("resources") {
        for (index, item) in resources.iter_mut().enumerate() {
            resource(item, &root.key("resources").index(index), &mut warnings);
        }
    }
    warnings
}

fn resource(resource: &mut Value, at: &Path, warnings: &mut Vec<Problem>) {
    let Value::Object(map) = resource else {
        return;
    };
    for (key, instead) in RESOURCE_KEYS {
        if map.remove(*key).is_some() {
            warnings.push(warning(at.key(key), key, instead));
        }
    }
    let at = at.key("columns");
    match map.get_mut("columns") {
        Some(Value::Object(columns)) => {
            for (name, column) in columns.iter_mut() {
                self::column(column, &at.key(name), warnings);
            }
        }
        Some(Value::Array(columns)) => {
            for (index, column) in columns.iter_mut().enumerate() {
                self::column(column, &at.index(index), warnings);
            }
        }
        _ => {}
    }
}

fn column(column: &mut Value, at: &Path, warnings: &mut Vec<Problem>) {
    let Value::Object(map) = column else {
        return;
    };
    for (key, instead) in COLUMN_KEYS {
        if map.remove(*key).is_some() {
            warnings.push(warning(at.key(key), key, instead));
        }
    }
    let extensions: Vec<String> = map
        .keys()
        .filter(|k| k.starts_with("x-"))
        .cloned()
        .collect();
    for key in extensions {
        map.remove(&key);
        warnings.push(warning(at.key(&key), &key, "extension hints are not used"));
    }
}

fn warning(at: Path, key: &str, instead: &str) -> Problem {
    Problem::new(
        at,
        format!("`{key}` is a dlt key that connectorgen ignores"),
    )
    .hint(instead.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ignored_keys_leave_the_tree_with_a_warning_each() {
        let mut spec = json!({
            "resource_defaults": {"parallelized": true},
            "resources": [
                "plain",
                {"name": "a", "max_table_nesting": 1,
                 "columns": {"id": {"data_type": "bigint", "dedup_sort": "desc", "x-owner": "me"}}},
                {"name": "b", "columns": [{"name": "id", "hard_delete": true}]}
            ]
        });
        let warnings = take_ignored(&mut spec);
        let paths: Vec<String> = warnings.iter().map(|w| w.path.to_string()).collect();
        assert_eq!(
            paths,
            [
                "resource_defaults.parallelized",
                "resources[1].max_table_nesting",
                "resources[1].columns.id.dedup_sort",
                "resources[1].columns.id.x-owner",
                "resources[2].columns[0].hard_delete",
            ]
        );
        assert_eq!(
            spec,
            json!({
                "resource_defaults": {},
                "resources": [
                    "plain",
                    {"name": "a", "columns": {"id": {"data_type": "bigint"}}},
                    {"name": "b", "columns": [{"name": "id"}]}
                ]
            })
        );
    }
}
