//! What a field's values say about its column: dlt's data type, whether it may be
//! null, and what did not fit.

use serde_json::Value;
use std::collections::BTreeMap;

/// dlt data types a value can show, from the narrowest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Seen {
    Bool,
    Bigint,
    Double,
    Timestamp,
    Date,
    Time,
    Text,
    /// An object or a list: dlt would make child columns or a child table of it.
    Json,
}

impl Seen {
    pub fn name(self) -> &'static str {
        match self {
            Seen::Bool => "bool",
            Seen::Bigint => "bigint",
            Seen::Double => "double",
            Seen::Timestamp => "timestamp",
            Seen::Date => "date",
            Seen::Time => "time",
            Seen::Text => "text",
            Seen::Json => "json",
        }
    }

    fn of(value: &Value) -> Option<Seen> {
        Some(match value {
            Value::Null => return None,
            Value::Bool(_) => Seen::Bool,
            Value::Number(n) if n.is_i64() => Seen::Bigint,
            Value::Number(_) => Seen::Double,
            Value::String(s) => text_type(s),
            Value::Array(_) | Value::Object(_) => Seen::Json,
        })
    }
}

/// The type of a string as dlt's type detection would read it: ISO timestamps, dates
/// and times, else text.
fn text_type(text: &str) -> Seen {
    if chrono::DateTime::parse_from_rfc3339(text).is_ok() {
        Seen::Timestamp
    } else if chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok() {
        Seen::Date
    } else if chrono::NaiveTime::parse_from_str(text, "%H:%M:%S%.f").is_ok() {
        Seen::Time
    } else {
        Seen::Text
    }
}

/// What the records of a resource showed of one field.
#[derive(Clone, Debug, Default)]
pub struct Field {
    /// Records with a value (not null) of each type.
    pub types: BTreeMap<Seen, u64>,
    pub nulls: u64,
    /// Records without the field.
    pub missing: u64,
}

impl Field {
    /// The column type: the one type seen; bigint and double together are double (as
    /// dlt coerces); other mixes are text, and [`Field::conflict`] says which.
    pub fn data_type(&self) -> Seen {
        let types: Vec<Seen> = self.types.keys().copied().collect();
        match types.as_slice() {
            [] => Seen::Text,
            [one] => *one,
            [Seen::Bigint, Seen::Double] => Seen::Double,
            _ => Seen::Text,
        }
    }

    /// The types seen, when they do not agree.
    pub fn conflict(&self) -> Option<String> {
        let agree = self.types.len() <= 1
            || self.types.keys().copied().collect::<Vec<_>>() == [Seen::Bigint, Seen::Double];
        (!agree).then(|| {
            self.types
                .iter()
                .map(|(t, n)| format!("{} ({n})", t.name()))
                .collect::<Vec<_>>()
                .join(", ")
        })
    }

    pub fn nullable(&self) -> bool {
        self.nulls > 0 || self.missing > 0
    }
}

/// Fields of many records, in the order they were first seen.
#[derive(Debug, Default)]
pub struct Observed {
    pub records: u64,
    pub fields: Vec<(String, Field)>,
}

impl Observed {
    pub fn add(&mut self, record: &Value) {
        let Value::Object(map) = record else {
            return;
        };
        for name in map.keys() {
            if !self.fields.iter().any(|(n, _)| n == name) {
                // Missing from every record before this one.
                let field = Field {
                    missing: self.records,
                    ..Field::default()
                };
                self.fields.push((name.clone(), field));
            }
        }
        for (name, field) in &mut self.fields {
            match map.get(name.as_str()) {
                None => field.missing += 1,
                Some(value) => match Seen::of(value) {
                    None => field.nulls += 1,
                    Some(seen) => *field.types.entry(seen).or_default() += 1,
                },
            }
        }
        self.records += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_become_dlt_types_and_absence_nullability() {
        let mut observed = Observed::default();
        observed.add(
            &json!({"id": 1, "at": "2026-01-02T03:04:05Z", "day": "2026-01-02",
                             "price": 1, "tags": ["a"], "mixed": 1, "note": null}),
        );
        observed.add(
            &json!({"id": 2, "at": "2026-01-02T03:04:05+02:00", "day": "2026-01-03",
                             "price": 2.5, "tags": [], "mixed": "x", "late": true}),
        );
        let field = |name: &str| &observed.fields.iter().find(|(n, _)| n == name).unwrap().1;
        assert_eq!(field("id").data_type(), Seen::Bigint);
        assert!(!field("id").nullable());
        assert_eq!(field("at").data_type(), Seen::Timestamp);
        assert_eq!(field("day").data_type(), Seen::Date);
        assert_eq!(field("price").data_type(), Seen::Double);
        assert_eq!(field("price").conflict(), None);
        assert_eq!(field("tags").data_type(), Seen::Json);
        assert_eq!(field("mixed").data_type(), Seen::Text);
        assert_eq!(
            field("mixed").conflict().as_deref(),
            Some("bigint (1), text (1)")
        );
        assert!(field("note").nullable() && field("late").nullable());
        assert_eq!(field("late").missing, 1);
        assert_eq!(observed.records, 2);
    }
}
