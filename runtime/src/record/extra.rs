//! `Extra`: the fields of a record that its spec does not declare.
//!
//! Most programs never look at them one by one, so they are kept the cheap way: while
//! the record is read they are written, key and value, as compact JSON into one buffer.
//! No `Value`, no map and no key `String`s are made for them, which is most of what
//! reading a record into a `serde_json::Map` costs. The map is built the first time the
//! fields are looked at. Writing the record with serde_json (JSON lines, loading, a
//! parent's fields for its children) copies each value's text from the buffer.

use super::Key;
use foldhash::fast::FixedState;
use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::ser::{self, Serialize, SerializeMap, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::cell::Cell;
use std::collections::HashSet;
use std::fmt;
use std::hash::BuildHasher;
use std::ops::{Deref, DerefMut};
use std::sync::OnceLock;

/// The fields of a record that the spec does not declare, exactly as the API sent them.
///
/// It reads as the `serde_json::Map<String, Value>` of those fields (it derefs to one):
/// `record.extra.get("venue")`, `record.extra["tags"]`, `record.extra.iter()`. That map
/// is built on first use; until then the fields are one buffer of compact JSON, written
/// while the record was read. Serializing the record writes them in the order the API
/// sent them (the runtime's JSON lines and loading copy them from that buffer). A name sent twice is read as the map reads it: the last
/// value wins.
#[derive(Clone, Default)]
pub struct Extra(Repr);

#[derive(Clone)]
enum Repr {
    /// `{"name":value,...}` as compact JSON (empty for no fields), and the map read from
    /// it once it is needed.
    Json {
        json: String,
        map: OnceLock<Map<String, Value>>,
    },
    /// The fields as a map: made from one, or changed through `DerefMut`.
    Map(Map<String, Value>),
}

impl Default for Repr {
    fn default() -> Self {
        Repr::Json {
            json: String::new(),
            map: OnceLock::new(),
        }
    }
}

impl Extra {
    /// No undeclared fields (without building the map).
    pub fn is_empty(&self) -> bool {
        match &self.0 {
            Repr::Json { json, .. } => json.is_empty(),
            Repr::Map(map) => map.is_empty(),
        }
    }

    /// The fields as a map of their own.
    pub fn into_map(self) -> Map<String, Value> {
        match self.0 {
            Repr::Json { json, map } => map.into_inner().unwrap_or_else(|| read(&json)),
            Repr::Map(map) => map,
        }
    }
}

/// The buffer back as a map; an empty buffer is no fields. It was written by
/// serde_json from values it had just read (numbers read back exactly: the workspace
/// turns on `float_roundtrip`), no deeper than the record they were read from, so it
/// reads back.
fn read(json: &str) -> Map<String, Value> {
    if json.is_empty() {
        return Map::new();
    }
    serde_json::from_str(json).unwrap_or_else(|error| {
        tracing::error!(
            "the undeclared fields of a record do not read back ({error}); {} bytes of them \
             are left out",
            json.len()
        );
        Map::new()
    })
}

impl Deref for Extra {
    type Target = Map<String, Value>;

    fn deref(&self) -> &Map<String, Value> {
        match &self.0 {
            Repr::Json { json, map } => map.get_or_init(|| read(json)),
            Repr::Map(map) => map,
        }
    }
}

impl DerefMut for Extra {
    /// Changing the fields makes the map what they are; the buffer is let go.
    fn deref_mut(&mut self) -> &mut Map<String, Value> {
        if let Repr::Json { json, map } = &mut self.0 {
            let map = map.take().unwrap_or_else(|| read(json));
            self.0 = Repr::Map(map);
        }
        match &mut self.0 {
            Repr::Map(map) => map,
            Repr::Json { .. } => unreachable!("made a map just above"),
        }
    }
}

impl From<Map<String, Value>> for Extra {
    fn from(map: Map<String, Value>) -> Self {
        Extra(Repr::Map(map))
    }
}

impl From<Extra> for Map<String, Value> {
    fn from(extra: Extra) -> Self {
        extra.into_map()
    }
}

/// Equal when the fields are: the same names with equal values, in any order.
impl PartialEq for Extra {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (Repr::Json { json: a, .. }, Repr::Json { json: b, .. }) if a == b => true,
            _ => **self == **other,
        }
    }
}

/// The fields as JSON: `Extra({"venue":{"city":"Lisbon"}})`.
impl fmt::Debug for Extra {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let json = match &self.0 {
            Repr::Json { json, .. } if json.is_empty() => "{}".into(),
            Repr::Json { json, .. } => json.as_str().into(),
            Repr::Map(map) => {
                std::borrow::Cow::Owned(serde_json::to_string(map).unwrap_or_default())
            }
        };
        f.debug_tuple("Extra")
            .field(&format_args!("{json}"))
            .finish()
    }
}

/// Writes the undeclared fields of a record while it is read: what the generated
/// `Deserialize` of a record calls for every field it does not declare.
#[derive(Default)]
pub struct ExtraBuilder {
    json: Vec<u8>,
    names: Names,
}

/// Room for the undeclared fields of a typical record, so that the buffer is not
/// grown field by field.
const FIRST_CAPACITY: usize = 128;

impl ExtraBuilder {
    /// Starts the field `key`: its value is the map's next value, read with
    /// `MapAccess::next_value_seed(builder.field(key))`.
    pub fn field(&mut self, key: &str) -> ExtraField<'_> {
        if self.json.is_empty() {
            self.json.reserve(FIRST_CAPACITY);
            self.json.push(b'{');
        } else {
            self.json.push(b',');
        }
        self.names.add(key);
        write_key(&mut self.json, key);
        self.json.push(b':');
        ExtraField(&mut self.json)
    }

    pub fn finish(mut self) -> Extra {
        if !self.json.is_empty() {
            self.json.push(b'}');
        }
        // serde_json wrote it all from `str`s: checked once here, it is then read as
        // text, without checking each string again.
        let json = String::from_utf8(self.json)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        if self.names.repeated {
            // A name sent twice: as a map, its last value alone, wherever it is written.
            return Extra(Repr::Map(read(&json)));
        }
        Extra(Repr::Json {
            json,
            map: OnceLock::new(),
        })
    }
}

/// The names written so far, by hash, to notice one sent twice. A record's first few
/// are kept in place; a wide record's are kept in a set. Two names with the same hash
/// only make the record take the map's way.
#[derive(Default)]
struct Names {
    first: [u64; FIRST_NAMES],
    count: usize,
    more: HashSet<u64, FixedState>,
    repeated: bool,
}

const FIRST_NAMES: usize = 16;

impl Names {
    fn add(&mut self, name: &str) {
        let hash = FixedState::default().hash_one(name);
        let first = &self.first[..self.count.min(FIRST_NAMES)];
        let seen = first.contains(&hash) || self.more.contains(&hash);
        self.repeated |= seen;
        if self.count < FIRST_NAMES {
            self.first[self.count] = hash;
        } else {
            self.more.insert(hash);
        }
        self.count += 1;
    }
}

/// A name as a JSON string. Names borrowed from a response never need escaping (they
/// had no escapes in it), so they are copied as they are.
fn write_key(out: &mut Vec<u8>, key: &str) {
    if key.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push(b'"');
        out.extend_from_slice(key.as_bytes());
        out.push(b'"');
    } else {
        // Writing into a Vec cannot fail.
        let _ = serde_json::to_writer(out, key);
    }
}

/// The value of one undeclared field, written as compact JSON as it is read.
pub struct ExtraField<'a>(&'a mut Vec<u8>);

impl<'de> DeserializeSeed<'de> for ExtraField<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, value: D) -> Result<(), D::Error> {
        serde_transcode::transcode(value, &mut serde_json::Serializer::new(self.0))
            .map_err(de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for Extra {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Fields;

        impl<'de> Visitor<'de> for Fields {
            type Value = Extra;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of fields")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut fields: A) -> Result<Extra, A::Error> {
                let mut extra = ExtraBuilder::default();
                while let Some(key) = fields.next_key::<Key<'de>>()? {
                    fields.next_value_seed(extra.field(key.as_str()))?;
                }
                Ok(extra.finish())
            }
        }

        deserializer.deserialize_map(Fields)
    }
}

/// A map of the fields, as `#[serde(flatten)]` on a record needs. For serde_json's own
/// serializers (inside `with_serde_json`) each value is copied as the text it is kept
/// in; any other serializer gets the map, built once.
impl Serialize for Extra {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let json = match &self.0 {
            Repr::Json { json, .. } if !json.is_empty() && SERDE_JSON.with(Cell::get) => json,
            _ => return (**self).serialize(serializer),
        };
        let mut out = serializer.serialize_map(None)?;
        let mut failed = None;
        let mut fields = serde_json::Deserializer::from_str(json);
        let read = (&mut fields).deserialize_map(Entries {
            out: &mut out,
            failed: &mut failed,
        });
        if let Some(error) = failed {
            return Err(error);
        }
        read.map_err(ser::Error::custom)?;
        out.end()
    }
}

thread_local! {
    /// Set inside [`with_serde_json`].
    static SERDE_JSON: Cell<bool> = const { Cell::new(false) };
}

/// Runs `serialize`, which serializes with serde_json's own serializers only (to text
/// or to a `Value`): the undeclared fields of records are then copied from their text,
/// not read into a map and written again. A `RawValue` means nothing to any other
/// serializer.
pub(crate) fn with_serde_json<R>(serialize: impl FnOnce() -> R) -> R {
    /// Puts the flag back even if serializing panics.
    struct Restore(bool);

    impl Drop for Restore {
        fn drop(&mut self) {
            SERDE_JSON.with(|flag| flag.set(self.0));
        }
    }

    let _restore = Restore(SERDE_JSON.with(|flag| flag.replace(true)));
    serialize()
}

/// Reads the buffer's fields into a serializer's map, each value as its text.
struct Entries<'a, M: SerializeMap> {
    out: &'a mut M,
    failed: &'a mut Option<M::Error>,
}

impl<'de, M: SerializeMap> Visitor<'de> for Entries<'_, M> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the undeclared fields of a record")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut fields: A) -> Result<(), A::Error> {
        while let Some(key) = fields.next_key::<Key<'de>>()? {
            let value: &RawValue = fields.next_value()?;
            if let Err(error) = self.out.serialize_entry(key.as_str(), value) {
                // The serializer's own error is what the caller gets.
                *self.failed = Some(error);
                return Err(de::Error::custom("cannot write an undeclared field"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A record with one declared field, read as the generated code reads one.
    #[derive(Debug, PartialEq, serde::Serialize)]
    struct Record {
        id: i64,
        #[serde(flatten)]
        extra: Extra,
    }

    impl<'de> Deserialize<'de> for Record {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct Fields;

            impl<'de> Visitor<'de> for Fields {
                type Value = Record;

                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a record")
                }

                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Record, A::Error> {
                    let (mut id, mut extra) = (None, ExtraBuilder::default());
                    while let Some(key) = map.next_key::<Key<'de>>()? {
                        match key.as_str() {
                            "id" => id = Some(map.next_value()?),
                            _ => map.next_value_seed(extra.field(key.as_str()))?,
                        }
                    }
                    Ok(Record {
                        id: id.ok_or_else(|| super::super::missing("id"))?,
                        extra: extra.finish(),
                    })
                }
            }

            deserializer.deserialize_map(Fields)
        }
    }

    const TEXT: &str = r#"{ "venue" : {"city": "Lisbon", "geo": [38.7, -9.1]}, "id": 7,
        "tags": ["a", "b\"c"], "n": null, "big": 12345678901234567890, "k\u00e9y": "\u00e9" }"#;

    #[test]
    fn fields_read_from_text_and_from_a_value_are_the_same_map() {
        let from_text: Record = serde_json::from_str(TEXT).unwrap();
        let value: Value = serde_json::from_str(TEXT).unwrap();
        let from_value = Record::deserialize(value.clone()).unwrap();
        let from_ref = Record::deserialize(&value).unwrap();
        let mut expected = value.as_object().unwrap().clone();
        expected.remove("id");
        assert_eq!(*from_text.extra, expected);
        assert_eq!(from_value.extra.clone().into_map(), expected);
        assert_eq!(from_text, from_value);
        assert_eq!(from_text, from_ref);
        assert_eq!(from_text.extra.get("tags"), Some(&json!(["a", "b\"c"])));
        assert_eq!(from_text.extra["kéy"], json!("é"));
        assert_eq!(from_text.extra.len(), 5);
        assert!(!from_text.extra.is_empty());
    }

    #[test]
    fn a_record_is_written_with_its_fields_in_the_order_sent() {
        let record: Record = serde_json::from_str(TEXT).unwrap();
        assert_eq!(
            serde_json::to_string(&record).unwrap(),
            r#"{"id":7,"venue":{"city":"Lisbon","geo":[38.7,-9.1]},"tags":["a","b\"c"],"n":null,"big":12345678901234567890,"kéy":"é"}"#
        );
        let value = serde_json::to_value(&record).unwrap();
        assert_eq!(value, serde_json::from_str::<Value>(TEXT).unwrap());
        // Written before and after the map is built, the same.
        let _ = record.extra.get("n");
        assert_eq!(serde_json::to_value(&record).unwrap(), value);
    }

    #[test]
    fn no_undeclared_fields_is_an_empty_map() {
        let record: Record = serde_json::from_str(r#"{"id": 1}"#).unwrap();
        assert!(record.extra.is_empty());
        assert_eq!(record.extra.len(), 0);
        assert_eq!(serde_json::to_string(&record).unwrap(), r#"{"id":1}"#);
        assert_eq!(format!("{:?}", record.extra), "Extra({})");
        assert_eq!(record.extra, Extra::default());
        assert_eq!(record.extra, Extra::from(Map::new()));
    }

    #[test]
    fn a_name_sent_twice_reads_as_its_last_value() {
        let record: Record = serde_json::from_str(r#"{"a": 1, "id": 2, "a": 3}"#).unwrap();
        assert_eq!(record.extra.get("a"), Some(&json!(3)));
        assert_eq!(
            serde_json::to_value(&record).unwrap(),
            json!({"id": 2, "a": 3})
        );
        assert_eq!(
            with_serde_json(|| serde_json::to_string(&record).unwrap()),
            r#"{"id":2,"a":3}"#
        );
        // Past the names kept in place too.
        let mut text: String = (0..40).map(|i| format!(r#""f{i}": {i}, "#)).collect();
        text = format!(r#"{{{text}"id": 1, "f3": "again", "f39": "last"}}"#);
        let record: Record = serde_json::from_str(&text).unwrap();
        let written = with_serde_json(|| serde_json::to_string(&record).unwrap());
        assert_eq!(written.matches(r#""f3":"#).count(), 1, "{written}");
        assert_eq!(written.matches(r#""f39":"#).count(), 1, "{written}");
        assert_eq!(record.extra["f3"], json!("again"));
        assert_eq!(record.extra["f39"], json!("last"));
        assert_eq!(record.extra.len(), 40);
    }

    #[test]
    fn changed_fields_are_written_as_changed() {
        let mut record: Record = serde_json::from_str(r#"{"id": 1, "a": 1}"#).unwrap();
        record.extra.insert("b".into(), json!([2]));
        record.extra.remove("a");
        assert_eq!(
            serde_json::to_string(&record).unwrap(),
            r#"{"id":1,"b":[2]}"#
        );
        assert_eq!(format!("{:?}", record.extra), r#"Extra({"b":[2]})"#);
    }

    #[test]
    fn equal_fields_in_another_order_or_spelling_are_equal() {
        let a: Record = serde_json::from_str(r#"{"id": 1, "x": 1, "y": "é"}"#).unwrap();
        let b: Record = serde_json::from_str(r#"{"y": "\u00e9", "x": 1, "id": 1}"#).unwrap();
        let c: Record = serde_json::from_str(r#"{"id": 1, "x": 2, "y": "é"}"#).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(
            a.extra,
            Extra::from(json!({"x": 1, "y": "é"}).as_object().unwrap().clone())
        );
    }

    #[test]
    fn serde_json_copies_the_fields_as_kept_and_other_formats_get_values() {
        let record: Record = serde_json::from_str(TEXT).unwrap();
        let text = with_serde_json(|| serde_json::to_string(&record).unwrap());
        assert_eq!(text, serde_json::to_string(&record).unwrap());
        let value = with_serde_json(|| serde_json::to_value(&record).unwrap());
        assert_eq!(value, serde_json::to_value(&record).unwrap());
        assert_eq!(value, serde_json::from_str::<Value>(TEXT).unwrap());
        assert!(!SERDE_JSON.with(Cell::get), "the flag is put back");
        // A serializer that is not serde_json's gets each value, not a `RawValue`.
        let record: Record =
            serde_json::from_str(r#"{"id": 1, "n": 2.5, "s": "x", "list": [1, 2]}"#).unwrap();
        assert_eq!(
            toml::to_string(&record).unwrap(),
            "id = 1\nn = 2.5\ns = \"x\"\nlist = [1, 2]\n"
        );
    }

    #[test]
    fn extra_alone_reads_and_writes_a_map() {
        let extra: Extra = serde_json::from_str(r#"{"a": [1, {"b": null}]}"#).unwrap();
        assert_eq!(format!("{extra:?}"), r#"Extra({"a":[1,{"b":null}]})"#);
        assert_eq!(
            serde_json::to_string(&extra).unwrap(),
            r#"{"a":[1,{"b":null}]}"#
        );
        assert!(serde_json::from_str::<Extra>("[1]").is_err());
    }
}
