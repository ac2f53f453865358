//! `resource_defaults` merged into each resource, by dlt's rules, on the value tree.

use serde_json::{Map, Value};

/// A resource as a dict: `"posts"` is `{name: posts, endpoint: {path: posts}}`, and an
/// endpoint written as a string is `{path: ...}`.
pub fn normalize(resource: &Value) -> Value {
    match resource {
        Value::String(name) => serde_json::json!({"name": name, "endpoint": {"path": name}}),
        Value::Object(map) => {
            let mut map = map.clone();
            if let Some(Value::String(path)) = map.get("endpoint") {
                let path = path.clone();
                map.insert("endpoint".into(), serde_json::json!({ "path": path }));
            }
            Value::Object(map)
        }
        other => other.clone(),
    }
}

/// dlt's merge: resource keys over default keys (an explicit `null` clears a default);
/// `endpoint` merged per key, with only `params` and `json` merged one level deeper;
/// `columns` merged per column, the resource's hints winning.
pub fn merge(defaults: &Value, resource: &Value) -> Value {
    let (Value::Object(defaults), Value::Object(resource)) = (defaults, resource) else {
        return resource.clone();
    };
    let mut merged = defaults.clone();
    for (key, value) in resource {
        let value = match (key.as_str(), defaults.get(key)) {
            ("endpoint", Some(default)) => merge_endpoint(&normalize_endpoint(default), value),
            ("columns", Some(default)) => merge_columns(default, value),
            _ => value.clone(),
        };
        merged.insert(key.clone(), value);
    }
    Value::Object(merged)
}

fn normalize_endpoint(endpoint: &Value) -> Value {
    match endpoint {
        Value::String(path) => serde_json::json!({ "path": path }),
        other => other.clone(),
    }
}

fn merge_endpoint(defaults: &Value, endpoint: &Value) -> Value {
    let (Value::Object(defaults), Value::Object(endpoint)) = (defaults, endpoint) else {
        return endpoint.clone();
    };
    let mut merged = defaults.clone();
    for (key, value) in endpoint {
        let value = match (key.as_str(), defaults.get(key), value) {
            ("params" | "json", Some(Value::Object(default)), Value::Object(own)) => {
                let mut both = default.clone();
                both.extend(own.clone());
                Value::Object(both)
            }
            _ => value.clone(),
        };
        merged.insert(key.clone(), value);
    }
    Value::Object(merged)
}

/// Columns as a dict keyed by name (the list form is turned into one).
fn columns_by_name(columns: &Value) -> Map<String, Value> {
    match columns {
        Value::Object(map) => map.clone(),
        Value::Array(list) => list
            .iter()
            .filter_map(|column| {
                let name = column.get("name")?.as_str()?.to_owned();
                Some((name, column.clone()))
            })
            .collect(),
        _ => Map::new(),
    }
}

fn merge_columns(defaults: &Value, columns: &Value) -> Value {
    if columns.is_null() {
        return Value::Null;
    }
    let mut merged = columns_by_name(defaults);
    for (name, hints) in columns_by_name(columns) {
        let hints = match (merged.get(&name), &hints) {
            (Some(Value::Object(default)), Value::Object(own)) => {
                let mut both = default.clone();
                both.extend(own.clone());
                Value::Object(both)
            }
            _ => hints,
        };
        merged.insert(name, hints);
    }
    Value::Object(merged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merges_by_dlt_rules() {
        let defaults = json!({
            "primary_key": "id",
            "write_disposition": "merge",
            "endpoint": {"params": {"per_page": 50, "sort": "asc"}, "data_selector": "data",
                         "paginator": {"type": "offset", "limit": 10}},
            "columns": {"id": {"data_type": "bigint"}, "name": {"data_type": "text"}}
        });
        let resource = normalize(&json!({
            "name": "users",
            "write_disposition": null,
            "endpoint": {"path": "users", "params": {"sort": "desc"}, "paginator": "single_page"},
            "columns": {"name": {"nullable": false}}
        }));
        assert_eq!(
            merge(&defaults, &resource),
            json!({
                "primary_key": "id",
                "write_disposition": null,
                "endpoint": {"params": {"per_page": 50, "sort": "desc"}, "data_selector": "data",
                             "paginator": "single_page", "path": "users"},
                "columns": {"id": {"data_type": "bigint"},
                            "name": {"data_type": "text", "nullable": false}},
                "name": "users"
            })
        );
    }

    #[test]
    fn string_resources_become_dicts() {
        assert_eq!(
            normalize(&json!("posts")),
            json!({"name": "posts", "endpoint": {"path": "posts"}})
        );
    }
}
