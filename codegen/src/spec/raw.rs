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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SpecFile {
    /// Where editors find this format's JSON Schema (`connectorgen schema`); not used.
    #[serde(rename = "$schema")]
    pub schema: Option<String>,
    /// The connector's name; default: the file stem.
    pub name: Option<String>,
    /// What the API is; goes into the generated docs and README.
    pub description: Option<String>,
    /// How to reach the API: base URL, headers, auth, default paginator, retries, timeout.
    pub client: ClientSpec,
    /// Keys merged into every resource (dlt's rules: the resource wins).
    pub resource_defaults: Option<ResourceSpec>,
    /// The resources: a name (its path is the name), or a resource in full.
    pub resources: Vec<StringOr<ResourceSpec>>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ClientSpec {
    /// The API's base URL, `https://...`; `{name}` placeholders become settings.
    pub base_url: Option<String>,
    /// Headers sent with every request.
    pub headers: Option<Map<String, Value>>,
    /// `bearer`, `api_key`, `http_basic` or `oauth2_client_credentials`, with secrets as `{secret: NAME}`.
    pub auth: Option<StringOr<AuthSpec>>,
    /// The default paginator: a type name (`single_page`, `offset`, `page_number`, `cursor`, `json_link`, `header_link`, `header_cursor`, `auto`) or one in full.
    pub paginator: Option<StringOr<PaginatorSpec>>,
    /// connectorgen's extension: the retry policy (dlt keeps it outside the config).
    pub retry: Option<RetrySpec>,
    /// connectorgen's extension: seconds allowed for one request; default 60.
    pub timeout: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ResourceSpec {
    /// The resource's name: its table, its record type, its fetch function.
    pub name: Option<String>,
    /// The request: a path, or an endpoint in full.
    pub endpoint: Option<StringOr<EndpointSpec>>,
    /// A column name or a list of them.
    pub primary_key: Option<StringOr<Vec<String>>>,
    /// dlt's `merge_key`: rows with these values are replaced by a merge (scd2: the
    /// partitions whose absent rows are retired).
    pub merge_key: Option<StringOr<Vec<String>>>,
    /// `append`, `replace`, `merge` or `skip`; or `{disposition: merge, strategy: delete-insert|upsert|scd2|insert-only}`.
    pub write_disposition: Option<StringOr<WriteDispositionSpec>>,
    /// Typed columns: `{name: {data_type: ..., nullable: ...}}`; other fields are kept in `extra`.
    pub columns: Option<Columns>,
    /// The table to load into; default: the resource name.
    pub table_name: Option<String>,
    /// Whether the program fetches it by default (default true).
    pub selected: Option<bool>,
    /// Parent fields copied into each record as `_<parent>_<field>`.
    pub include_from_parent: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct EndpointSpec {
    /// The path under the base URL (or a full URL); `{resources.parent.field}` placeholders for children.
    pub path: Option<String>,
    /// `GET` (default) or `POST`.
    pub method: Option<String>,
    /// Query parameters; `null` values are left out, lists repeat the parameter.
    pub params: Option<Map<String, Value>>,
    /// Headers of this endpoint; they win over the client's of the same name.
    pub headers: Option<Map<String, Value>>,
    /// A JSON body.
    pub json: Option<Value>,
    /// A form body.
    pub data: Option<Map<String, Value>>,
    /// JSONPath to the records in a response (`data`, `$.results[*]`); default: detected.
    pub data_selector: Option<String>,
    /// This endpoint's paginator (see `client.paginator`).
    pub paginator: Option<StringOr<PaginatorSpec>>,
    /// What to do with some responses: `{status_code: 404, action: ignore}`.
    pub response_actions: Option<Vec<ResponseActionSpec>>,
    /// Replaces the client's auth for this endpoint.
    pub auth: Option<StringOr<AuthSpec>>,
    /// Fetch only what changed since the last run, by a cursor field.
    pub incremental: Option<IncrementalSpec>,
}

/// dlt's `incremental` (also the legacy `params: {x: {type: incremental, ...}}`).
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct IncrementalSpec {
    /// JSONPath to the cursor field in each record.
    pub cursor_path: String,
    /// Where the first run starts.
    pub initial_value: Option<Value>,
    /// Where a run ends (a backfill).
    pub end_value: Option<Value>,
    /// The query parameter that sends the start of the range.
    pub start_param: Option<String>,
    /// The query parameter that sends the end of the range.
    pub end_param: Option<String>,
    /// `asc` or `desc`: the API sorts by the cursor, so a run may stop early.
    pub row_order: Option<String>,
    /// `raise` (default), `include` or `exclude`.
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ResponseActionSpec {
    /// The status this action applies to.
    pub status_code: Option<u16>,
    /// Text the response body must contain for this action to apply.
    pub content: Option<String>,
    /// `ignore`.
    pub action: String,
}

/// All paginator settings of dlt in one flat struct; `model` checks which of them the
/// chosen `type` takes.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PaginatorSpec {
    /// `single_page`, `offset`, `page_number`, `cursor`, `json_link`, `header_link`, `header_cursor` or `auto`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// offset: records per page.
    pub limit: Option<u64>,
    /// offset: the first offset (default 0).
    pub offset: Option<u64>,
    /// offset: the query parameter of the offset (default `offset`).
    pub offset_param: Option<String>,
    /// offset: the query parameter of the limit (default `limit`).
    pub limit_param: Option<String>,
    /// JSONPath to the total in a response; `null` turns the total rule off.
    // `Some(None)`: written as `total_path: null`.
    #[serde(default, deserialize_with = "explicit_null")]
    pub total_path: Option<Option<String>>,
    /// offset: stop before this offset.
    pub maximum_offset: Option<u64>,
    /// Stop at an empty page (default true).
    pub stop_after_empty_page: Option<bool>,
    /// JSONPath to a flag that says whether more pages follow.
    pub has_more_path: Option<String>,
    /// offset: where in the JSON body to send the offset, instead of a parameter.
    pub offset_body_path: Option<String>,
    /// offset: where in the JSON body to send the limit, instead of a parameter.
    pub limit_body_path: Option<String>,
    /// page_number: the number of the first page (default 0).
    pub base_page: Option<u64>,
    /// page_number: the page to start at (default `base_page`).
    pub page: Option<u64>,
    /// page_number: the query parameter (default `page`).
    pub page_param: Option<String>,
    /// page_number: where in the JSON body to send the page, instead of a parameter.
    pub page_body_path: Option<String>,
    /// page_number: stop before this page.
    pub maximum_page: Option<u64>,
    /// cursor: JSONPath to the next cursor in a response.
    pub cursor_path: Option<String>,
    /// cursor: the query parameter to send it as.
    pub cursor_param: Option<String>,
    /// cursor: where in the JSON body to send it.
    pub cursor_body_path: Option<String>,
    /// json_link: JSONPath to the next page's URL.
    pub next_url_path: Option<String>,
    /// header_link: the `rel` of the next link (default `next`).
    pub links_next_key: Option<String>,
    /// header_cursor: the response header holding the cursor.
    pub cursor_key: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AuthSpec {
    /// `bearer` (default), `api_key`, `http_basic` or `oauth2_client_credentials`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// api_key: the header, query parameter or cookie name.
    pub name: Option<String>,
    /// api_key: the key, `{secret: NAME}`.
    pub api_key: Option<StringOr<SecretRef>>,
    /// api_key: `header` (default), `query` or `cookie`.
    pub location: Option<String>,
    /// bearer: the token, `{secret: NAME}`.
    pub token: Option<StringOr<SecretRef>>,
    /// http_basic: the user name (a value or `{secret: NAME}`).
    pub username: Option<StringOr<SecretRef>>,
    /// http_basic: the password, `{secret: NAME}`.
    pub password: Option<StringOr<SecretRef>>,
    /// oauth2_client_credentials: the token endpoint.
    pub access_token_url: Option<String>,
    /// oauth2_client_credentials: the client id.
    pub client_id: Option<StringOr<SecretRef>>,
    /// oauth2_client_credentials: the client secret, `{secret: NAME}`.
    pub client_secret: Option<StringOr<SecretRef>>,
    /// oauth2_client_credentials: extra form fields of the token request.
    pub access_token_request_data: Option<Map<String, Value>>,
    /// oauth2_client_credentials: seconds a token lives when the response does not say (default 3600).
    pub default_token_expiration: Option<u64>,
}

/// `{secret: NAME}`: a value supplied at run time.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SecretRef {
    /// The secret's name: the generated `Config` field and environment variable.
    pub secret: String,
}

#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct WriteDispositionSpec {
    /// `append`, `replace`, `merge` or `skip`.
    pub disposition: String,
    /// merge: `delete-insert` (default), `upsert`, `scd2` or `insert-only`.
    pub strategy: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ColumnSpec {
    /// Only in the list form of `columns`.
    pub name: Option<String>,
    /// dlt's data type: `text`, `bigint`, `double`, `bool`, `timestamp`, `date`, `time`, `decimal`, `json`, `binary`, `wei`.
    pub data_type: Option<String>,
    /// Whether the value may be missing or null (default true): `Option<T>`.
    pub nullable: Option<bool>,
    /// Part of the primary key.
    pub primary_key: Option<bool>,
    /// Part of the merge key.
    pub merge_key: Option<bool>,
    /// Goes into the generated docs and README.
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
