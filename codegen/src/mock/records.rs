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
    let (days, hour) = (n / 24, n % 24);
    let (year, month, day) = civil_from_days(19_723 + days as i64);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:00:00Z")
}

/// Days since 1970-01-01 to (year, month, day) (proleptic Gregorian).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
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
