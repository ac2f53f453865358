//! Records straight from a response's text, in two steps so that the paginator need
//! not wait for the records:
//! 1. [`Selector::split`] reads the response once, quickly: everything but the records
//!    (the envelope, where paginators find totals, cursors and links) into a small
//!    `serde_json::Value`, and of the records under a plain-key selector (`data`,
//!    `result.items`) or a top-level list only where each one's text starts and ends;
//! 2. [`read_record`] reads one record's text into its type. No `Value` is built for a
//!    record.
//!
//! Anything these do not read the way [`Selector::take_records`] would (a single
//! record that is not in a list, a selector key under something that is not an object,
//! a record that is not an object or does not match its type) is an error; the caller
//! then reads the response the general way, which gives the same records or the
//! detailed error.

use super::{Kind, Selector};
use crate::record::Key;
use serde::de::value::MapAccessDeserializer;
use serde::de::{
    DeserializeOwned, DeserializeSeed, Deserializer, Error, MapAccess, SeqAccess, Visitor,
};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::fmt;
use std::marker::PhantomData;

/// A response split: the envelope, with `null` where the records were, and the text of
/// each record.
#[derive(Debug)]
pub struct Split<'a> {
    pub envelope: Value,
    pub records: Vec<&'a RawValue>,
}

impl Selector {
    /// Whether [`split`](Self::split) can read this selector's records; `false` for
    /// JSONPath expressions, which need the whole document.
    pub fn splits(&self) -> bool {
        !matches!(self.0, Kind::Path(_))
    }

    /// The first key of a plain-key selector: paginator paths that start there may
    /// read inside the records, which [`split`](Self::split) does not keep.
    pub fn first_key(&self) -> Option<&str> {
        match &self.0 {
            Kind::Keys(keys) => keys.first().map(String::as_str),
            _ => None,
        }
    }

    /// Splits a response; an error means "read it the general way".
    pub fn split<'a>(&self, body: &'a str) -> Result<Split<'a>, serde_json::Error> {
        match &self.0 {
            // A top-level list: the whole response is the records.
            Kind::Root => {
                if !body.trim_start().starts_with('[') {
                    return Err(serde_json::Error::custom("not a list"));
                }
                Ok(Split {
                    envelope: Value::Null,
                    records: serde_json::from_str(body)?,
                })
            }
            Kind::Keys(keys) => {
                let mut records = Vec::new();
                let mut deserializer = serde_json::Deserializer::from_str(body);
                let envelope = Envelope {
                    keys,
                    records: &mut records,
                }
                .deserialize(&mut deserializer)?;
                deserializer.end()?;
                Ok(Split { envelope, records })
            }
            Kind::Path(_) => Err(serde_json::Error::custom("a JSONPath selector")),
        }
    }
}

/// One record's text read into its type. It must be an object: the general way puts any
/// other value in a `value` column, and a record type that accepts anything
/// (`serde_json::Value`) would otherwise take it as it is.
pub fn read_record<T: DeserializeOwned>(record: &RawValue) -> Result<T, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_str(record.get());
    let record = Object(PhantomData).deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(record)
}

/// An object on the way to the records: `keys` is what is left of the selector.
struct Envelope<'a, 'de> {
    keys: &'a [String],
    records: &'a mut Vec<&'de RawValue>,
}

impl<'de> DeserializeSeed<'de> for Envelope<'_, 'de> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Envelope<'_, 'de> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut envelope = Map::new();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let value = match self.keys.split_first() {
                Some((first, rest)) if key.as_str() == first && rest.is_empty() => {
                    // A repeated key: the last one wins, as in `serde_json::Value`.
                    *self.records = map.next_value_seed(RecordTexts)?;
                    Value::Null
                }
                Some((first, rest)) if key.as_str() == first => {
                    self.records.clear();
                    map.next_value_seed(Envelope {
                        keys: rest,
                        records: &mut *self.records,
                    })?
                }
                _ => map.next_value::<Value>()?,
            };
            envelope.insert(key.into_string(), value);
        }
        Ok(Value::Object(envelope))
    }
}

/// What a selector points at: a list of records (each one's text), or `null` for none.
struct RecordTexts;

impl<'de> DeserializeSeed<'de> for RecordTexts {
    type Value = Vec<&'de RawValue>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RecordTexts {
    type Value = Vec<&'de RawValue>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of records or null")
    }

    fn visit_unit<E: Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut records = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(record) = seq.next_element::<&'de RawValue>()? {
            records.push(record);
        }
        Ok(records)
    }
}

/// One record, which must be an object.
struct Object<T>(PhantomData<T>);

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for Object<T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for Object<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a record")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Record {
        id: i64,
    }

    /// The envelope and the ids of the records, or `None` for "the general way".
    fn split(path: &str, doc: &Value) -> Option<(Value, Vec<i64>)> {
        let body = serde_json::to_string(doc).unwrap();
        let split = Selector::parse(path).unwrap().split(&body).ok()?;
        let ids = split
            .records
            .iter()
            .map(|raw| read_record::<Record>(raw).map(|r| r.id))
            .collect::<Result<_, _>>()
            .ok()?;
        Some((split.envelope, ids))
    }

    #[test]
    fn records_leave_the_envelope_and_the_rest_stays() {
        let doc = json!({"meta": {"total": 2}, "data": [{"id": 1}, {"id": 2}], "next": "x"});
        let (envelope, ids) = split("data", &doc).unwrap();
        assert_eq!(ids, vec![1, 2]);
        assert_eq!(
            envelope,
            json!({"meta": {"total": 2}, "data": null, "next": "x"})
        );
        let doc = json!({"result": {"items": [{"id": 3}], "cursor": "c"}});
        let (envelope, ids) = split("$.result.items", &doc).unwrap();
        assert_eq!(ids, vec![3]);
        assert_eq!(envelope, json!({"result": {"items": null, "cursor": "c"}}));
    }

    #[test]
    fn the_unwrap_rules_agree_with_take_records() {
        for (path, doc) in [
            ("data", json!({"data": [{"id": 1}, {"id": 2}]})),
            ("data", json!({"data": null})),
            ("data", json!({"other": 1})),
            ("a.b", json!({"a": {"b": [{"id": 1}]}, "c": 1})),
            ("a.b", json!({"a": {}})),
            ("$", json!([{"id": 1}, {"id": 9}])),
            ("data", json!({"data": [{"id": 1}], "data2": [{"id": 2}]})),
        ] {
            let taken: Vec<i64> = Selector::parse(path)
                .unwrap()
                .take_records(&mut doc.clone())
                .into_iter()
                .map(|r| r["id"].as_i64().unwrap())
                .collect();
            assert_eq!(split(path, &doc).unwrap().1, taken, "{path} {doc}");
        }
    }

    #[test]
    fn what_only_the_general_way_reads_is_refused() {
        // Scalars as records, one record outside a list, a key under a list, a record of
        // the wrong shape, an object at the top for `$`, a JSONPath.
        assert!(split("data", &json!({"data": [1, 2]})).is_none());
        assert!(split("data", &json!({"data": {"id": 5}})).is_none());
        assert!(split("a.b", &json!({"a": [1]})).is_none());
        assert!(split("data", &json!({"data": [{"id": "x"}]})).is_none());
        assert!(split("$", &json!({"id": 1})).is_none());
        assert!(split("data", &json!([{"id": 1}])).is_none());
        assert!(split("data[*].x", &json!({"data": []})).is_none());
        // A record type that takes any value still gets objects only.
        let any = |text: &str| read_record::<Value>(&RawValue::from_string(text.into()).unwrap());
        assert!(any("2").is_err());
        assert!(any("\"x\"").is_err());
        assert_eq!(any("{\"id\": 1}").unwrap(), json!({"id": 1}));
    }
}
