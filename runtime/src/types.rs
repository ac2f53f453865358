//! Rust types for the dlt data types that have no standard counterpart.
//!
//! `wei` and `binary` values cannot travel as plain JSON numbers or text without loss,
//! so these types accept the forms APIs use and write one canonical form back.

use base64::Engine as _;
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// dlt's `wei`: an unsigned integer too large for `u64` (token amounts).
///
/// Reads a JSON integer or a string of decimal digits; writes a string, because JSON
/// readers lose precision on integers above 2^53. Integers above `u64::MAX` must come
/// as strings: a JSON parser turns such a number into a float before it gets here.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Wei(pub u128);

impl Serialize for Wei {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Wei {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = Wei;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a non-negative integer or a string of decimal digits")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Wei, E> {
                Ok(Wei(v.into()))
            }
            fn visit_u128<E: de::Error>(self, v: u128) -> Result<Wei, E> {
                Ok(Wei(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Wei, E> {
                v.trim()
                    .parse()
                    .map(Wei)
                    .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// dlt's `binary`: bytes, sent over JSON as standard base64 text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Binary(pub Vec<u8>);

impl Serialize for Binary {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&base64::engine::general_purpose::STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Binary {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map(Binary)
            .map_err(|e| de::Error::custom(format!("binary value is not base64: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wei_reads_numbers_and_strings_and_writes_strings() {
        let big: Wei = serde_json::from_str("\"340282366920938463463374607431768211455\"").unwrap();
        assert_eq!(big, Wei(u128::MAX));
        let small: Wei = serde_json::from_str("42").unwrap();
        assert_eq!(serde_json::to_string(&small).unwrap(), "\"42\"");
        assert!(serde_json::from_str::<Wei>("-1").is_err());
    }

    #[test]
    fn binary_round_trips_through_base64() {
        let bytes: Binary = serde_json::from_str("\"aGVsbG8=\"").unwrap();
        assert_eq!(bytes.0, b"hello");
        assert_eq!(serde_json::to_string(&bytes).unwrap(), "\"aGVsbG8=\"");
    }
}
