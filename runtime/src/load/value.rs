//! One value of one row, typed by its column, and the coercion of JSON values into
//! column types.

use super::table::DataType;
use base64::Engine as _;
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use serde_json::Value;

/// A value ready for a destination, of its column's data type.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Null,
    Bool(bool),
    Bigint(i64),
    Double(f64),
    Text(String),
    Timestamp(DateTime<Utc>),
    Date(NaiveDate),
    Time(NaiveTime),
    /// Exact decimal digits.
    Decimal(String),
    /// An unsigned integer as decimal digits (dlt's `wei`).
    Wei(String),
    /// JSON text.
    Json(String),
    Binary(Vec<u8>),
}

impl Cell {
    pub fn is_null(&self) -> bool {
        matches!(self, Cell::Null)
    }

    /// The value as text, as destinations without a native type store it (`None` for
    /// null and binary). Timestamps are RFC 3339 in UTC with microseconds.
    pub fn to_text(&self) -> Option<String> {
        Some(match self {
            Cell::Null | Cell::Binary(_) => return None,
            Cell::Bool(b) => b.to_string(),
            Cell::Bigint(i) => i.to_string(),
            Cell::Double(f) => f.to_string(),
            Cell::Text(s) | Cell::Decimal(s) | Cell::Wei(s) | Cell::Json(s) => s.clone(),
            Cell::Timestamp(t) => format_timestamp(t),
            Cell::Date(d) => d.to_string(),
            Cell::Time(t) => t.format("%H:%M:%S%.f").to_string(),
        })
    }

    /// The JSON form of the value (for JSON-lines files).
    pub fn to_json(&self) -> Value {
        match self {
            Cell::Null => Value::Null,
            Cell::Bool(b) => Value::Bool(*b),
            Cell::Bigint(i) => Value::from(*i),
            Cell::Double(f) => Value::from(*f),
            Cell::Json(s) => serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.clone())),
            Cell::Binary(b) => Value::String(base64::engine::general_purpose::STANDARD.encode(b)),
            other => other.to_text().map(Value::String).unwrap_or(Value::Null),
        }
    }
}

/// RFC 3339 in UTC with microseconds: `2024-05-01T10:00:00.000000+00:00`, which sorts
/// as text in time order. (chrono's RFC 3339 writer: a strftime pattern would be parsed
/// again for every value.)
pub fn format_timestamp(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, false)
}

/// An ISO 8601 / RFC 3339 timestamp; without an offset it is taken as UTC (as dlt does).
pub fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%d %H:%M:%S%.f%:z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f%z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(text, format) {
            return Some(t.with_timezone(&Utc));
        }
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Some(t.and_utc());
        }
    }
    None
}

/// `value` as a cell of type `to`, or `None` when it cannot be one without loss.
/// Null is always possible (nullability is checked elsewhere).
pub fn coerce(value: &Value, to: DataType) -> Option<Cell> {
    if value.is_null() {
        return Some(Cell::Null);
    }
    let text = value.as_str();
    Some(match to {
        DataType::Text => match value {
            Value::String(s) => Cell::Text(s.clone()),
            Value::Number(n) => Cell::Text(n.to_string()),
            Value::Bool(b) => Cell::Text(b.to_string()),
            _ => return None,
        },
        DataType::Bigint => match value {
            Value::Number(n) => match n.as_i64() {
                Some(i) => Cell::Bigint(i),
                None => {
                    let f = n.as_f64()?;
                    if f.fract() != 0.0 || f.abs() > 9.007_199_254_740_992e15 {
                        return None;
                    }
                    Cell::Bigint(f as i64)
                }
            },
            Value::String(s) => Cell::Bigint(s.trim().parse().ok()?),
            _ => return None,
        },
        DataType::Double => match value {
            Value::Number(n) => Cell::Double(n.as_f64()?),
            Value::String(s) => Cell::Double(s.trim().parse().ok()?),
            _ => return None,
        },
        DataType::Bool => match value {
            Value::Bool(b) => Cell::Bool(*b),
            Value::Number(n) => match n.as_f64()? {
                0.0 => Cell::Bool(false),
                1.0 => Cell::Bool(true),
                _ => return None,
            },
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "1" => Cell::Bool(true),
                "false" | "0" => Cell::Bool(false),
                _ => return None,
            },
            _ => return None,
        },
        DataType::Timestamp => match value {
            Value::String(s) => Cell::Timestamp(parse_timestamp(s)?),
            // Unix seconds, as dlt reads numbers into timestamp columns.
            Value::Number(n) => {
                let seconds = n.as_f64()?;
                Cell::Timestamp(DateTime::from_timestamp_micros(
                    (seconds * 1e6).round() as i64
                )?)
            }
            _ => return None,
        },
        DataType::Date => {
            let s = text?.trim();
            match s.parse::<NaiveDate>() {
                Ok(d) => Cell::Date(d),
                Err(_) => Cell::Date(parse_timestamp(s)?.date_naive()),
            }
        }
        DataType::Time => Cell::Time(text?.trim().parse().ok()?),
        DataType::Decimal => match value {
            Value::Number(n) => Cell::Decimal(n.to_string()),
            Value::String(s) => {
                let d: rust_decimal::Decimal = s.trim().parse().ok()?;
                Cell::Decimal(d.to_string())
            }
            _ => return None,
        },
        DataType::Wei => match value {
            Value::Number(n) if n.is_u64() || n.is_i64() => Cell::Wei(n.to_string()),
            Value::String(s) => {
                let digits = s.trim();
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                Cell::Wei(digits.to_owned())
            }
            _ => return None,
        },
        DataType::Json => Cell::Json(value.to_string()),
        DataType::Binary => Cell::Binary(
            base64::engine::general_purpose::STANDARD
                .decode(text?.trim())
                .ok()?,
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn timestamps_are_written_with_microseconds_in_utc() {
        for text in [
            "2024-05-01T10:00:00Z",
            "2024-05-01T10:00:00.1234567+02:00",
            "2016-12-31T23:59:60.25Z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999999Z",
        ] {
            let t = parse_timestamp(text).unwrap();
            assert_eq!(
                format_timestamp(&t),
                t.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string(),
                "{text}"
            );
        }
        let t = parse_timestamp("2024-05-01T10:00:00.1234567+02:00").unwrap();
        assert_eq!(format_timestamp(&t), "2024-05-01T08:00:00.123456+00:00");
        let far = NaiveDate::from_ymd_opt(12345, 1, 2)
            .unwrap()
            .and_hms_opt(3, 4, 5)
            .unwrap();
        let far = far.and_utc();
        assert_eq!(
            format_timestamp(&far),
            far.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string()
        );
    }

    #[test]
    fn values_coerce_into_column_types_or_not_at_all() {
        assert_eq!(
            coerce(&json!(5), DataType::Text),
            Some(Cell::Text("5".into()))
        );
        assert_eq!(coerce(&json!("5"), DataType::Bigint), Some(Cell::Bigint(5)));
        assert_eq!(coerce(&json!(5.0), DataType::Bigint), Some(Cell::Bigint(5)));
        assert_eq!(coerce(&json!(5.5), DataType::Bigint), None);
        assert_eq!(coerce(&json!("five"), DataType::Bigint), None);
        assert_eq!(coerce(&json!(true), DataType::Bigint), None);
        assert_eq!(
            coerce(&json!("2024-01-01T02:00:00+02:00"), DataType::Timestamp)
                .and_then(|c| c.to_text()),
            Some("2024-01-01T00:00:00.000000+00:00".into())
        );
        assert_eq!(
            coerce(&json!("2024-01-01 00:00:00"), DataType::Timestamp).and_then(|c| c.to_text()),
            Some("2024-01-01T00:00:00.000000+00:00".into())
        );
        assert_eq!(
            coerce(&json!({"a": 1}), DataType::Json),
            Some(Cell::Json("{\"a\":1}".into()))
        );
        assert_eq!(coerce(&json!(null), DataType::Bool), Some(Cell::Null));
    }
}
