//! OpenAPI schema objects, read the same way for 3.0 and 3.1: `$ref`s followed,
//! `allOf` merged, nullability from 3.0's `nullable: true` or 3.1's `type: [.., "null"]`,
//! and each property's dlt data type.

use serde_json::{json, Map, Value};

/// Follows local `$ref`s (`#/components/schemas/Event`), at most 32 deep (a cycle ends
/// as an empty schema).
pub(super) fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    let mut at = schema;
    for _ in 0..32 {
        let Some(reference) = at.get("$ref").and_then(Value::as_str) else {
            return at;
        };
        let Some(pointer) = reference.strip_prefix('#') else {
            return &Value::Null;
        };
        match doc.pointer(pointer) {
            Some(target) => at = target,
            None => return &Value::Null,
        }
    }
    &Value::Null
}

/// The schema with `$ref`s followed and `allOf` merged into one object schema
/// (properties and `required` of the schema and of every part).
pub(super) fn flatten(doc: &Value, schema: &Value) -> Value {
    flatten_at(doc, schema, 0)
}

/// [`flatten`], `depth` parts deep: a part that includes itself ends there.
fn flatten_at(doc: &Value, schema: &Value, depth: usize) -> Value {
    let schema = resolve(doc, schema);
    let Some(parts) = schema.get("allOf").and_then(Value::as_array) else {
        return schema.clone();
    };
    let mut merged = match schema {
        Value::Object(map) => map.clone(),
        _ => Map::new(),
    };
    merged.remove("allOf");
    let mut properties = Map::new();
    let mut required: Vec<Value> = match merged.get("required") {
        Some(Value::Array(own)) => own.clone(),
        _ => Vec::new(),
    };
    for part in parts.iter().filter(|_| depth < 32) {
        let part = flatten_at(doc, part, depth + 1);
        if let Some(Value::Object(props)) = part.get("properties") {
            properties.extend(props.clone());
        }
        if let Some(Value::Array(names)) = part.get("required") {
            required.extend(names.iter().cloned());
        }
        for key in ["type", "description", "nullable"] {
            if let (Some(value), false) = (part.get(key), merged.contains_key(key)) {
                merged.insert(key.to_owned(), value.clone());
            }
        }
    }
    if let Some(Value::Object(own)) = merged.get("properties") {
        properties.extend(own.clone());
    }
    merged.insert("properties".to_owned(), Value::Object(properties));
    merged.insert("required".to_owned(), Value::Array(required));
    Value::Object(merged)
}

/// The schema's types, without `null` (3.1 writes `type: [string, "null"]`).
fn types(schema: &Value) -> Vec<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether the schema lets a value be null, in the 3.0 or the 3.1 way (or through a
/// `oneOf`/`anyOf` with a null branch).
pub(super) fn nullable(doc: &Value, schema: &Value) -> bool {
    let schema = resolve(doc, schema);
    schema.get("nullable").and_then(Value::as_bool) == Some(true)
        || matches!(schema.get("type"), Some(Value::Array(ts)) if ts.iter().any(|t| t == "null"))
        || ["oneOf", "anyOf"].iter().any(|key| {
            schema
                .get(key)
                .and_then(Value::as_array)
                .is_some_and(|branches| {
                    branches
                        .iter()
                        .any(|b| b.get("type") == Some(&json!("null")))
                })
        })
}

pub(super) fn is_array(doc: &Value, schema: &Value) -> bool {
    let schema = resolve(doc, schema);
    types(schema).contains(&"array") || schema.get("items").is_some()
}

/// dlt's data type for a property schema.
pub(super) fn data_type(doc: &Value, schema: &Value) -> &'static str {
    data_type_at(doc, schema, 0)
}

fn data_type_at(doc: &Value, schema: &Value, depth: usize) -> &'static str {
    if depth > 32 {
        return "json";
    }
    let schema = flatten(doc, schema);
    // A `oneOf`/`anyOf` of one type and null is that type.
    if let Some(branch) = ["oneOf", "anyOf"].iter().find_map(|key| {
        let branches = schema.get(key)?.as_array()?;
        let typed: Vec<&Value> = branches
            .iter()
            .filter(|b| b.get("type") != Some(&json!("null")))
            .collect();
        (typed.len() == 1).then(|| typed[0].clone())
    }) {
        return data_type_at(doc, &branch, depth + 1);
    }
    let format = schema
        .get("format")
        .and_then(Value::as_str)
        .unwrap_or_default();
    match types(&schema).first().copied() {
        Some("integer") => "bigint",
        Some("number") if format == "decimal" => "decimal",
        Some("number") => "double",
        Some("boolean") => "bool",
        Some("string") => match format {
            "date-time" => "timestamp",
            "date" => "date",
            "time" => "time",
            "byte" | "binary" => "binary",
            "decimal" => "decimal",
            _ => "text",
        },
        Some("array") | Some("object") => "json",
        _ if schema.get("properties").is_some() || schema.get("items").is_some() => "json",
        _ => "text",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_all_of_and_both_nullable_forms() {
        let doc = json!({"components": {"schemas": {
            "Base": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer", "format": "int64"}}},
            "Event": {"allOf": [{"$ref": "#/components/schemas/Base"},
                                {"properties": {"at": {"type": "string", "format": "date-time", "nullable": true}}}]},
            "Loop": {"$ref": "#/components/schemas/Loop"}
        }}});
        let event = flatten(&doc, &json!({"$ref": "#/components/schemas/Event"}));
        assert_eq!(event["required"], json!(["id"]));
        assert_eq!(data_type(&doc, &event["properties"]["id"]), "bigint");
        assert_eq!(data_type(&doc, &event["properties"]["at"]), "timestamp");
        assert!(nullable(&doc, &event["properties"]["at"]));
        assert!(nullable(&doc, &json!({"type": ["string", "null"]})));
        assert_eq!(
            data_type(&doc, &json!({"type": ["string", "null"], "format": "date"})),
            "date"
        );
        assert_eq!(
            data_type(
                &doc,
                &json!({"oneOf": [{"type": "null"}, {"type": "boolean"}]})
            ),
            "bool"
        );
        assert!(!nullable(&doc, &json!({"type": "string"})));
        assert_eq!(
            resolve(&doc, &json!({"$ref": "#/components/schemas/Loop"})),
            &Value::Null
        );
        // A schema whose `allOf` includes itself ends; its own `required` is kept.
        let doc = json!({"components": {"schemas": {"Node": {
            "required": ["id"], "properties": {"id": {"type": "integer"}},
            "allOf": [{"$ref": "#/components/schemas/Node"}]}}}});
        let node = flatten(&doc, &json!({"$ref": "#/components/schemas/Node"}));
        assert!(node["required"].as_array().unwrap().contains(&json!("id")));
    }
}
