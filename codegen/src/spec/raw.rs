//! The spec as written: dlt's `rest_api_source` keys, one to one.
//!
//! Every struct denies unknown keys; values that dlt accepts in two shapes (a string or
//! a dict) are [`StringOr`]. Meaning (defaults, which keys go together) is decided later,
//! in `model`.

use serde::de::{self, value::MapAccessDeserializer, value::SeqAccessDeserializer};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};
use std::fmt;
use std::marker::PhantomData;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecFile {
    /// The connector's name; default: the file stem.
    pub name: Option<String>,
    pub description: Option<String>,
    pub client: ClientSpec,
    pub resource_defaults: Option<ResourceSpec>,
    pub resources: Vec<StringOr<ResourceSpec>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientSpec {
    pub base_url: Option<String>,
    pub headers: Option<Map<String, Value>>,
    pub auth: Option<StringOr<AuthSpec>>,
    pub paginator: Option<StringOr<PaginatorSpec>>,
    /// connectorgen's extension: the retry policy (dlt keeps it outside the config).
    pub retry: Option<RetrySpec>,
    /// connectorgen's extension: seconds allowed for one request; default 60.
    pub timeout: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceSpec {
    pub name: Option<String>,
    pub endpoint: Option<StringOr<EndpointSpec>>,
    pub primary_key: Option<StringOr<Vec<String>>>,
    /// dlt's `merge_key`: rows with these values are replaced by a merge (scd2: the
    /// partitions whose absent rows are retired).
    pub merge_key: Option<StringOr<Vec<String>>>,
    pub write_disposition: Option<StringOr<WriteDispositionSpec>>,
    pub columns: Option<Columns>,
    pub table_name: Option<String>,
    pub selected: Option<bool>,
    /// Parent fields copied into each record as `_<parent>_<field>`.
    pub include_from_parent: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointSpec {
    pub path: Option<String>,
    pub method: Option<String>,
    pub params: Option<Map<String, Value>>,
    pub headers: Option<Map<String, Value>>,
    /// A JSON body.
    pub json: Option<Value>,
    /// A form body.
    pub data: Option<Map<String, Value>>,
    pub data_selector: Option<String>,
    pub paginator: Option<StringOr<PaginatorSpec>>,
    pub response_actions: Option<Vec<ResponseActionSpec>>,
    /// Replaces the client's auth for this endpoint.
    pub auth: Option<StringOr<AuthSpec>>,
    pub incremental: Option<IncrementalSpec>,
}

/// dlt's `incremental` (also the legacy `params: {x: {type: incremental, ...}}`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncrementalSpec {
    pub cursor_path: String,
    pub initial_value: Option<Value>,
    pub end_value: Option<Value>,
    pub start_param: Option<String>,
    pub end_param: Option<String>,
    pub row_order: Option<String>,
    pub on_cursor_value_missing: Option<String>,
    /// `max` (default) or `min`; dlt also takes a Python callable, which a spec cannot.
    pub last_value_func: Option<String>,
    /// `closed` (default) or `open`.
    pub range_start: Option<String>,
    /// `open` (default) or `closed`.
    pub range_end: Option<String>,
    /// Seconds for timestamps, days for dates, units for numbers.
    pub lag: Option<f64>,
}

/// One entry of `response_actions`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseActionSpec {
    pub status_code: Option<u16>,
    pub content: Option<String>,
    pub action: String,
}

/// All paginator settings of dlt in one flat struct; `model` checks which of them the
/// chosen `type` takes.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaginatorSpec {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub limit: Option<u64>,
    pub offset: Option<u64>,
    pub offset_param: Option<String>,
    pub limit_param: Option<String>,
    /// `Some(None)`: written as `total_path: null`, which turns the total rule off.
    #[serde(default, deserialize_with = "explicit_null")]
    pub total_path: Option<Option<String>>,
    pub maximum_offset: Option<u64>,
    pub stop_after_empty_page: Option<bool>,
    pub has_more_path: Option<String>,
    pub offset_body_path: Option<String>,
    pub limit_body_path: Option<String>,
    pub base_page: Option<u64>,
    pub page: Option<u64>,
    pub page_param: Option<String>,
    pub page_body_path: Option<String>,
    pub maximum_page: Option<u64>,
    pub cursor_path: Option<String>,
    pub cursor_param: Option<String>,
    pub cursor_body_path: Option<String>,
    pub next_url_path: Option<String>,
    pub links_next_key: Option<String>,
    pub cursor_key: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSpec {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub name: Option<String>,
    pub api_key: Option<StringOr<SecretRef>>,
    pub location: Option<String>,
    pub token: Option<StringOr<SecretRef>>,
    pub username: Option<StringOr<SecretRef>>,
    pub password: Option<StringOr<SecretRef>>,
    pub access_token_url: Option<String>,
    pub client_id: Option<StringOr<SecretRef>>,
    pub client_secret: Option<StringOr<SecretRef>>,
    pub access_token_request_data: Option<Map<String, Value>>,
    pub default_token_expiration: Option<u64>,
}

/// `{secret: NAME}`: a value supplied at run time.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretRef {
    pub secret: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetrySpec {
    /// Statuses retried; default 429 and 500-599.
    pub statuses: Option<Vec<u16>>,
    /// Retries after the first attempt; default 4.
    pub max_retries: Option<u32>,
    /// The n-th retry waits about `backoff_factor * 2^(n-1)` seconds; default 1.
    pub backoff_factor: Option<f64>,
    /// Longest wait in seconds, `Retry-After` included; default 300.
    pub max_delay: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WriteDispositionSpec {
    pub disposition: String,
    pub strategy: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnSpec {
    /// Only in the list form of `columns`.
    pub name: Option<String>,
    pub data_type: Option<String>,
    pub nullable: Option<bool>,
    pub primary_key: Option<bool>,
    pub merge_key: Option<bool>,
    pub description: Option<String>,
}

/// `columns` as a dict (`{id: {data_type: bigint}}`) or a list of column dicts with `name`.
#[derive(Debug, Default)]
pub struct Columns(pub Vec<(String, ColumnSpec)>);

/// A value that dlt accepts either as a bare string or in full.
#[derive(Debug)]
pub enum StringOr<T> {
    String(String),
    Full(T),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for StringOr<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> de::Visitor<'de> for V<T> {
            type Value = StringOr<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or a mapping")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(StringOr::String(v.to_owned()))
            }
            // Going through MapAccessDeserializer keeps serde_path_to_error's path, so an
            // unknown key inside is reported at its own position.
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(StringOr::Full)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                T::deserialize(SeqAccessDeserializer::new(seq)).map(StringOr::Full)
            }
        }
        deserializer.deserialize_any(V(PhantomData))
    }
}

impl<'de> Deserialize<'de> for Columns {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = Columns;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of column names to column hints, or a list of columns")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Columns, A::Error> {
                let mut columns = Vec::new();
                while let Some((name, column)) = map.next_entry::<String, ColumnSpec>()? {
                    columns.push((name, column));
                }
                Ok(Columns(columns))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Columns, A::Error> {
                let mut columns = Vec::new();
                while let Some(column) = seq.next_element::<ColumnSpec>()? {
                    let name = column
                        .name
                        .clone()
                        .ok_or_else(|| de::Error::missing_field("name"))?;
                    columns.push((name, column));
                }
                Ok(Columns(columns))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// Tells `key: null` (Some(None)) apart from a missing key (None, by `#[serde(default)]`).
fn explicit_null<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}
