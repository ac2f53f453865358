//! What the generated `Deserialize` of a record uses. A record is read field by field:
//! declared fields into their typed slots, every other field into `extra` (`Extra`). Serde's
//! `#[serde(flatten)]` would first buffer every field of every record.

mod extra;
mod timestamp;

pub(crate) use extra::with_serde_json;
pub use extra::{Extra, ExtraBuilder, ExtraField};
pub use timestamp::{write_optional_timestamp, write_timestamp, Timestamp};

use serde::de::{Deserialize, Deserializer, Error, Visitor};
use std::borrow::Cow;
use std::fmt;

/// A field name of a record: borrowed from the input when the input allows it.
#[derive(Debug)]
pub struct Key<'de>(Cow<'de, str>);

impl Key<'_> {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0.into_owned()
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;

        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }

            fn visit_borrowed_str<E: Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }

            fn visit_str<E: Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }

            fn visit_string<E: Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }

        deserializer.deserialize_str(KeyVisitor)
    }
}

/// The error of a declared, not-null field that a record lacks.
pub fn missing<E: Error>(field: &'static str) -> E {
    E::missing_field(field)
}
