//! Deterministic records for a resource, made from its declared columns: the same
//! spec, index and parent always give the same record.

use crate::model::{DataType, Field, Resource};
use serde_json::{json, Map, Value};

/// Record `index` (0-based) of `resource`; a child's records are numbered from
/// `seed * 1000` (the parent's number), so every parent has its own.
pub fn record(resource: &Resource, index: u64, seed: u64) -> Value {
    let n = seed * 1_000 + index + 1;
    let mut fields = Map::new();
    for (position, field) in resource.fields.iter().enumerate() {
        // `include_from_parent` fields are added by the client, not the API.
        if resource
            .parent
            .as_ref()
            .is_some_and(|link| field.name.starts_with(&format!("_{}_", link.resource)))
        {
            continue;
        }
        fields.insert(
            field.name.clone(),
            value(resource, field, n, position as u64),
        );
    }
    // A few fields the spec does not declare, as real APIs send them.
    if n.is_multiple_of(5) {
        fields.insert("mock_note".into(), json!(format!("note {n}")));
        fields.insert("mock_labels".into(), json!(["a", "b"]));
        fields.insert(
            "mock_venue".into(),
            json!({"city": "Lisbon", "geo": {"lat": 38.72, "lon": -9.14}}),
        );
    }
    Value::Object(fields)
}

/// 2024-01-01T00:00:00Z plus `n` hours: record `n`'s cursor when it is a timestamp.
pub fn timestamp(n: u64) -> String {
    let start = chrono::DateTime::from_timestamp(1_704_067_200, 0).unwrap_or_default();
    (start + chrono::Duration::hours(n as i64))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn value(resource: &Resource, field: &Field, n: u64, position: u64) -> Value {
    let key = resource.primary_key.iter().any(|k| k == &field.name);
    if field.nullable && !key && n % 7 == 3 {
        return Value::Null;
    }
    let cursor = resource
        .incremental
        .as_ref()
        .is_some_and(|i| i.cursor_path.trim_start_matches("$.") == field.name);
    match field.data_type {
        DataType::Bigint if key => json!(n),
        DataType::Text if key => json!(format!("{}-{n}", field.name)),
        DataType::Bigint => json!(n * 7 % 1_000),
        DataType::Double => json!((n as f64) * 1.5),
        DataType::Bool => json!(n.is_multiple_of(2)),
        DataType::Text => json!(format!("{} {n}", field.name)),
        DataType::Timestamp if cursor => json!(timestamp(n)),
        DataType::Timestamp => json!(timestamp(n * 3 + position)),
        DataType::Date => json!(timestamp(n * 24)[..10].to_owned()),
        DataType::Time => json!(format!("{:02}:{:02}:00", n % 24, n % 60)),
        DataType::Decimal => json!(format!("{}.{:02}", n, n % 100)),
        DataType::Wei => json!((u128::from(n) * 1_000_000_000_000_000_000).to_string()),
        DataType::Binary => json!("bW9jaw=="),
        DataType::Json => json!({"n": n, "items": [n, n + 1]}),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamps_count_hours_from_2024() {
        assert_eq!(super::timestamp(0), "2024-01-01T00:00:00Z");
        assert_eq!(super::timestamp(24 * 60 + 5), "2024-03-01T05:00:00Z");
    }
}
