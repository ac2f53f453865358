//! Turning a [`Path`] into a line and column of the spec's text.
//!
//! Neither serde_json nor serde_yaml_ng keeps positions in its values, but both attach
//! the position of the current token to an error raised while deserializing. So to find
//! where a value sits, we deserialize the text once more with a probe that walks down
//! the path and raises an error when it arrives; the error's position is the answer.

use super::path::{Path, Seg};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// The message the probe raises when it arrives.
pub(crate) const ARRIVED: &str = "connectorgen-probe-arrived";

/// Walks `path` through whatever a deserializer yields.
pub(crate) struct Probe<'a>(pub &'a [Seg]);

impl<'de> DeserializeSeed<'de> for Probe<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Probe<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some((Seg::Key(target), rest)) = self.0.split_first() else {
            return Err(de::Error::custom(ARRIVED));
        };
        // Arriving at a key points at the key itself: `limt: 100` is reported at `limt`.
        while let Some(matched) = map.next_key_seed(KeyProbe {
            target,
            arrive: rest.is_empty(),
        })? {
            if matched {
                return map.next_value_seed(Probe(rest));
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Some((Seg::Index(target), rest)) = self.0.split_first() else {
            return Err(de::Error::custom(ARRIVED));
        };
        for _ in 0..*target {
            if seq.next_element::<IgnoredAny>()?.is_none() {
                return Ok(());
            }
        }
        seq.next_element_seed(Probe(rest))?;
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(E::custom(ARRIVED))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(E::custom(ARRIVED))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(E::custom(ARRIVED))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(E::custom(ARRIVED))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(E::custom(ARRIVED))
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Err(E::custom(ARRIVED))
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Err(E::custom(ARRIVED))
    }
}

/// Reads one map key; arrives (raises) on the target key when the path ends there.
struct KeyProbe<'a> {
    target: &'a str,
    arrive: bool,
}

impl<'de> DeserializeSeed<'de> for KeyProbe<'_> {
    type Value = bool;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyProbe<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<bool, E> {
        if key == self.target && self.arrive {
            return Err(E::custom(ARRIVED));
        }
        Ok(key == self.target)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
}

/// Where `path` is in JSON text, as 1-based (line, column) of the key or value.
pub(crate) fn locate_json(text: &str, path: &Path) -> Option<(usize, usize)> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let error = Probe(&path.0).deserialize(&mut deserializer).err()?;
    if !error.to_string().contains(ARRIVED) {
        return None;
    }
    let (line, column) = (error.line(), error.column());
    // serde_json reports the position after the token; step back to its start.
    let token_len = match path.0.last() {
        Some(Seg::Key(key)) => key.chars().count() + 2,
        _ => 1,
    };
    Some((
        line,
        column.saturating_sub(token_len).saturating_add(1).max(1),
    ))
}
