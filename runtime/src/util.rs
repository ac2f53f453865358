//! Small helpers that more than one part of the runtime uses (auth, the client, the
//! paginators): setting a query parameter, reading an integer as dlt reads one.

use serde_json::Value;
use url::Url;

/// Sets a query parameter, in place when it is there, else at the end.
pub(crate) fn set_query(url: &mut Url, name: &str, value: &str) {
    let mut found = false;
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter_map(|(k, v)| {
            if k == name {
                if found {
                    return None;
                }
                found = true;
                return Some((k.into_owned(), value.to_owned()));
            }
            Some((k.into_owned(), v.into_owned()))
        })
        .collect();
    let mut query = url.query_pairs_mut();
    query.clear().extend_pairs(&pairs);
    if !found {
        query.append_pair(name, value);
    }
    drop(query);
    if url.query() == Some("") {
        url.set_query(None);
    }
}

/// Reads an integer the way dlt does (`int(value)`): JSON integers, integral floats and
/// strings of digits.
pub(crate) fn read_integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}
