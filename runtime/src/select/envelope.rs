//! Typed records straight from a response's bytes: one pass over the JSON that
//! deserializes the records under a plain-key selector (`data`, `result.items`) or a
//! top-level list into their record type, and keeps everything else of the response
//! (the envelope, where paginators find totals, cursors and links) as a small
//! `serde_json::Value`. No `Value` is built for a record.
//!
//! Anything this pass does not read the way [`Selector::take_records`] would (a record
//! that is not an object, a selector key under something that is not an object, a
//! record that does not match its type) makes it fail; the caller then reads the
//! response the general way, which gives the same records or the detailed error.

use super::{Kind, Selector};
use crate::record::Key;
use serde::de::value::MapAccessDeserializer;
use serde::de::{
    DeserializeOwned, DeserializeSeed, Deserializer, Error, MapAccess, SeqAccess, Visitor,
};
use serde_json::{Map, Value};
use std::fmt;
use std::marker::PhantomData;

/// A response read in one pass: the envelope, with `null` where the records were, and
/// the records.
#[derive(Debug)]
pub struct Split<T> {
    pub envelope: Value,
    pub records: Vec<T>,
}

impl Selector {
    /// Whether [`split`](Self::split) can read this selector's records; `false` for
    /// JSONPath expressions, which need the whole document.
    pub fn splits(&self) -> bool {
        !matches!(self.0, Kind::Path(_))
    }

    /// The first key of a plain-key selector: paginator paths that start there read
    /// inside the records, which [`split`](Self::split) does not keep.
    pub fn first_key(&self) -> Option<&str> {
        match &self.0 {
            Kind::Keys(keys) => keys.first().map(String::as_str),
            _ => None,
        }
    }

    /// Reads a response in one pass; an error means "read it the general way".
    pub fn split<T: DeserializeOwned>(&self, body: &[u8]) -> Result<Split<T>, serde_json::Error> {
        // Checked as UTF-8 once, not string by string as `from_slice` does.
        let body = std::str::from_utf8(body).map_err(serde_json::Error::custom)?;
        match &self.0 {
            // A top-level list: the whole response is the records.
            Kind::Root => {
                if !body.trim_start().starts_with('[') {
                    return Err(serde_json::Error::custom("not a list"));
                }
                let mut deserializer = serde_json::Deserializer::from_str(body);
                let records = RecordList(PhantomData).deserialize(&mut deserializer)?;
                deserializer.end()?;
                Ok(Split {
                    envelope: Value::Null,
                    records,
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

/// An object on the way to the records: `keys` is what is left of the selector.
struct Envelope<'a, T> {
    keys: &'a [String],
    records: &'a mut Vec<T>,
}

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for Envelope<'_, T> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for Envelope<'_, T> {
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
                    *self.records = map.next_value_seed(RecordList(PhantomData))?;
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

/// What a selector points at: a list of records, one record, or `null` for none.
struct RecordList<T>(PhantomData<T>);

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for RecordList<T> {
    type Value = Vec<T>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Vec<T>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for RecordList<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of records, a record or null")
    }

    fn visit_unit<E: Error>(self) -> Result<Vec<T>, E> {
        Ok(Vec::new())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let mut records = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(record) = seq.next_element_seed(Object(PhantomData))? {
            records.push(record);
        }
        Ok(records)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Vec<T>, A::Error> {
        Ok(vec![T::deserialize(MapAccessDeserializer::new(map))?])
    }
}

/// One record, which must be an object: the general way puts any other value in a
/// `value` column, and a record type that accepts anything (`serde_json::Value`) would
/// otherwise take it as it is.
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

    fn split(path: &str, doc: &Value) -> Option<(Value, Vec<i64>)> {
        let body = serde_json::to_vec(doc).unwrap();
        let split = Selector::parse(path).unwrap().split::<Record>(&body).ok()?;
        Some((
            split.envelope,
            split.records.into_iter().map(|r| r.id).collect(),
        ))
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
            ("data", json!({"data": {"id": 5}})),
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
        // Scalars as records, a key under a list, a record of the wrong shape, an
        // object at the top for `$`.
        assert!(split("data", &json!({"data": [1, 2]})).is_none());
        let any = |path: &str, doc: Value| {
            let body = serde_json::to_vec(&doc).unwrap();
            Selector::parse(path).unwrap().split::<Value>(&body).is_ok()
        };
        assert!(!any("$", json!([{"id": 1}, 2])));
        assert!(!any("data", json!({"data": "x"})));
        assert!(any("data", json!({"data": [{"id": 1}, {}]})));
        assert!(split("a.b", &json!({"a": [1]})).is_none());
        assert!(split("data", &json!({"data": [{"id": "x"}]})).is_none());
        assert!(split("$", &json!({"id": 1})).is_none());
        assert!(split("data", &json!([{"id": 1}])).is_none());
        assert!(split("data[*].x", &json!({"data": []})).is_none());
    }
}
