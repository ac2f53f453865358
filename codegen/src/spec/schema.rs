//! The JSON Schema of the spec format (feature `schema`), generated from the types a
//! spec is read into ([`super::raw`]), so it cannot drift from what the loader takes.
//! Editors (the YAML language server of VS Code, JetBrains) complete and check spec
//! files with it: `connectorgen schema > spec.schema.json`.
//!
//! Two things the types do not say are added here: the dlt keys connectorgen accepts
//! and ignores with a warning ([`super::ignored`]), and the `x-*` column hints.

use super::raw::{Columns, SpecFile, StringOr};
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde_json::{json, Value};
use std::borrow::Cow;

impl<T: JsonSchema> JsonSchema for StringOr<T> {
    fn schema_name() -> Cow<'static, str> {
        format!("StringOr{}", T::schema_name()).into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({ "anyOf": [{ "type": "string" }, generator.subschema_for::<T>()] })
    }
}

impl JsonSchema for Columns {
    fn schema_name() -> Cow<'static, str> {
        "Columns".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let column = generator.subschema_for::<super::raw::ColumnSpec>();
        json_schema!({
            "description": "Columns by name, or a list of columns with `name`.",
            "anyOf": [
                { "type": "object", "additionalProperties": column },
                { "type": "array", "items": column }
            ]
        })
    }
}

/// The schema, as JSON.
pub fn spec_schema() -> Value {
    let mut schema = schemars::schema_for!(SpecFile).to_value();
    schema["title"] = json!("connectorgen spec");
    schema["description"] = json!(
        "A connector spec for connectorgen: the keys and meaning of dlt's rest_api_source config, \
         and connectorgen's extensions (client.retry, client.timeout)."
    );
    let ignored = |keys: &[(&str, &str)]| -> Value {
        keys.iter()
            .map(|(key, instead)| {
                let note =
                    format!("dlt's `{key}`: accepted and ignored, with a warning ({instead}).");
                ((*key).to_owned(), json!({ "description": note }))
            })
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    let defs = &mut schema["$defs"];
    if let Some(Value::Object(properties)) = defs.pointer_mut("/ResourceSpec/properties") {
        if let Value::Object(extra) = ignored(super::ignored::RESOURCE_KEYS) {
            properties.extend(extra);
        }
    }
    if let Some(Value::Object(column)) = defs.pointer_mut("/ColumnSpec") {
        if let Some(Value::Object(properties)) = column.get_mut("properties") {
            if let Value::Object(extra) = ignored(super::ignored::COLUMN_KEYS) {
                properties.extend(extra);
            }
        }
        column.insert(
            "patternProperties".to_owned(),
            json!({ "^x-": { "description": "An extension hint: accepted and ignored, with a warning." } }),
        );
    }
    schema
}
