//! Timestamp fields, read and written as chrono's own `Deserialize` and `Serialize`
//! do, only faster.

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use serde::de::{Deserialize, Deserializer, Error, Visitor};
use serde::{Serialize, Serializer};
use std::fmt;

/// A `timestamp` column's value as a generated record reads it: RFC 3339
/// (`2026-03-01T10:00:00Z`, what nearly every API sends) by chrono's dedicated parser,
/// anything else by its general one, which is what `DateTime<Utc>`'s own `Deserialize`
/// uses. So the same strings are accepted, with the same errors, and an RFC 3339 one is
/// read in a fraction of the time.
pub struct Timestamp(pub DateTime<Utc>);

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TimestampVisitor;

        impl Visitor<'_> for TimestampVisitor {
            type Value = Timestamp;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 formatted date and time string")
            }

            fn visit_str<E: Error>(self, text: &str) -> Result<Timestamp, E> {
                let time = DateTime::parse_from_rfc3339(text)
                    .or_else(|_| text.parse::<DateTime<FixedOffset>>())
                    .map_err(E::custom)?;
                Ok(Timestamp(time.with_timezone(&Utc)))
            }
        }

        deserializer.deserialize_str(TimestampVisitor)
    }
}

/// Writes a `timestamp` field as chrono's `Serialize` does (RFC 3339, `Z`, as many
/// digits of the second's fraction as it needs), but as one string: chrono's writes it
/// a piece at a time, and serde_json escapes every piece on its own.
pub fn write_timestamp<S: Serializer>(
    time: &DateTime<Utc>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&time.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

/// [`write_timestamp`] for a nullable field.
pub fn write_optional_timestamp<S: Serializer>(
    time: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    struct Written<'a>(&'a DateTime<Utc>);

    impl Serialize for Written<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            write_timestamp(self.0, serializer)
        }
    }

    match time {
        Some(time) => serializer.serialize_some(&Written(time)),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(text: &str) -> (Result<DateTime<Utc>, String>, Result<DateTime<Utc>, String>) {
        let json = serde_json::to_string(text).unwrap();
        let ours = serde_json::from_str::<Timestamp>(&json)
            .map(|t| t.0)
            .map_err(|e| e.to_string());
        let chrono = serde_json::from_str::<DateTime<Utc>>(&json).map_err(|e| e.to_string());
        (ours, chrono)
    }

    #[test]
    fn reads_what_chrono_reads_with_its_errors() {
        for text in [
            "2026-03-01T10:00:00Z",
            "2026-03-01T10:00:00.123456789Z",
            "2026-03-01T10:00:00+05:30",
            "2026-03-01t10:00:00z",
            "2026-03-01 10:00:00Z",
            "2026-03-01T10:00:00 +05:30",
            "2026-03-01T10:00:00.5-00:00",
            "2016-12-31T23:59:60Z",
            "2026-03-01T10:00Z",
            "2026-02-30T10:00:00Z",
            "2026-03-01",
            "not a time",
            "",
        ] {
            let (ours, chrono) = both(text);
            assert_eq!(ours, chrono, "{text}");
        }
        assert_eq!(
            both("2026-03-01T10:00:00+05:30").0.unwrap().to_rfc3339(),
            "2026-03-01T04:30:00+00:00"
        );
        for json in ["1700000000", "null", "{}"] {
            assert_eq!(
                serde_json::from_str::<Timestamp>(json)
                    .err()
                    .map(|e| e.to_string()),
                serde_json::from_str::<DateTime<Utc>>(json)
                    .err()
                    .map(|e| e.to_string()),
                "{json}"
            );
        }
    }

    #[test]
    fn writes_what_chrono_writes() {
        #[derive(serde::Serialize)]
        struct Ours {
            #[serde(serialize_with = "write_timestamp")]
            a: DateTime<Utc>,
            #[serde(serialize_with = "write_optional_timestamp")]
            b: Option<DateTime<Utc>>,
        }
        #[derive(serde::Serialize)]
        struct Chrono {
            a: DateTime<Utc>,
            b: Option<DateTime<Utc>>,
        }
        for text in [
            "2026-03-01T10:00:00Z",
            "2026-03-01T10:00:00.1Z",
            "2026-03-01T10:00:00.123456Z",
            "2026-03-01T10:00:00.000000001Z",
            "2016-12-31T23:59:60.5Z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999999+01:00",
        ] {
            let time = DateTime::parse_from_rfc3339(text)
                .unwrap()
                .with_timezone(&Utc);
            for b in [Some(time), None] {
                let ours = serde_json::to_string(&Ours { a: time, b }).unwrap();
                let chrono = serde_json::to_string(&Chrono { a: time, b }).unwrap();
                assert_eq!(ours, chrono, "{text}");
            }
        }
    }
}
