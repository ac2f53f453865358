//! One response of the mock API: auth checked, records of the requested page in the
//! spec's envelope, and what the resource's paginator needs to find the next page.

use super::records;
use crate::model::{Connector, Paginator, Resource, Target};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// What the server needs of a request.
pub struct Request<'a> {
    /// `http://127.0.0.1:PORT/path?query`, for next links.
    pub url: &'a url::Url,
    pub query: BTreeMap<String, String>,
    pub headers: &'a hyper::HeaderMap,
    pub body: Option<Value>,
}

/// A response: status, headers, JSON body.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Value,
}

impl Response {
    pub fn error(status: u16, message: &str) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: json!({ "error": message }),
        }
    }
}

/// Page size when the request does not say (page-number and cursor APIs).
const PAGE_SIZE: u64 = 20;

/// The page of `resource` that `request` asks for. `seed` numbers a child's records
/// after its parent; `total` is the number of records a top-level resource has.
pub fn page(resource: &Resource, request: &Request<'_>, seed: u64, total: u64) -> Response {
    let total = if resource.parent.is_some() {
        1 + seed % 3
    } else {
        total
    };
    let mut indices: Vec<u64> = (0..total).collect();
    if let Some(incremental) = &resource.incremental {
        let cursor = incremental.cursor_path.trim_start_matches("$.");
        let start = incremental_param(resource, request, "start");
        let end = incremental_param(resource, request, "end");
        if start.is_some() || end.is_some() {
            indices.retain(|&i| {
                let record = records::record(resource, i, seed);
                let Some(value) = record.get(cursor).map(text) else {
                    return true;
                };
                start.as_ref().is_none_or(|s| compare(&value, s).is_ge())
                    && end.as_ref().is_none_or(|e| compare(&value, e).is_lt())
            });
        }
    }
    let count = indices.len() as u64;
    let read = |target: &Target| -> Option<String> {
        match target {
            Target::Param(name) => request.query.get(name).cloned(),
            Target::Body(path) => request
                .body
                .as_ref()
                .and_then(|b| dotted(b, path))
                .map(text),
        }
    };
    let size_from_params = || {
        crate::model::PAGE_SIZE_PARAMS
            .iter()
            .find_map(|name| request.query.get(*name)?.parse::<u64>().ok())
            .unwrap_or(PAGE_SIZE)
            .max(1)
    };
    let mut extra: Vec<(String, Value)> = Vec::new();
    let mut headers = Vec::new();
    let (from, size) = match &resource.paginator {
        Paginator::SinglePage => (0, count.max(1)),
        Paginator::Offset(o) => {
            let offset = read(&o.offset_target)
                .and_then(|v| v.parse().ok())
                .unwrap_or(o.offset);
            let limit = read(&o.limit_target)
                .and_then(|v| v.parse().ok())
                .unwrap_or(o.limit)
                .max(1);
            if let Some(path) = &o.total_path {
                extra.push((path.clone(), json!(count)));
            }
            if let Some(path) = &o.has_more_path {
                extra.push((path.clone(), json!(offset + limit < count)));
            }
            (offset, limit)
        }
        Paginator::PageNumber(p) => {
            let first = p.page.unwrap_or(p.base_page);
            let page = read(&p.page_target)
                .and_then(|v| v.parse().ok())
                .unwrap_or(first);
            let size = size_from_params();
            if let Some(path) = &p.total_path {
                extra.push((path.clone(), json!(count.div_ceil(size))));
            }
            let from = page.saturating_sub(p.base_page) * size;
            if let Some(path) = &p.has_more_path {
                extra.push((path.clone(), json!(from + size < count)));
            }
            (from, size)
        }
        Paginator::Cursor(c) => {
            let size = size_from_params();
            let from = read(&c.cursor_target).map_or(0, |v| position(&v));
            let next = (from + size < count).then(|| json!((from + size).to_string()));
            // A cursor read from the records themselves (Stripe's `data[-1].id`)
            // comes from the last record; the others are written into the body.
            if !c.cursor_path.contains('[') {
                extra.push((c.cursor_path.clone(), next.clone().unwrap_or(Value::Null)));
            }
            if let Some(path) = &c.has_more_path {
                extra.push((path.clone(), json!(next.is_some())));
            }
            (from, size)
        }
        Paginator::HeaderCursor {
            cursor_key,
            cursor_param,
        } => {
            let size = size_from_params();
            let from = request.query.get(cursor_param).map_or(0, |v| position(v));
            if from + size < count {
                headers.push((cursor_key.clone(), (from + size).to_string()));
            }
            (from, size)
        }
        Paginator::JsonLink { .. } | Paginator::HeaderLink { .. } | Paginator::Auto => {
            let size = size_from_params();
            let page: u64 = request
                .query
                .get("mock_page")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let next = ((page + 1) * size < count).then(|| {
                let mut url = request.url.clone();
                let pairs: Vec<(String, String)> = url
                    .query_pairs()
                    .filter(|(k, _)| k != "mock_page")
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect();
                url.query_pairs_mut()
                    .clear()
                    .extend_pairs(pairs)
                    .append_pair("mock_page", &(page + 1).to_string());
                url.to_string()
            });
            match &resource.paginator {
                Paginator::HeaderLink { links_next_key } => {
                    if let Some(next) = &next {
                        headers
                            .push(("Link".into(), format!("<{next}>; rel=\"{links_next_key}\"")));
                    }
                }
                Paginator::JsonLink { next_url_path } => extra.push((
                    next_url_path.clone(),
                    next.map_or(Value::Null, Value::String),
                )),
                _ => extra.push(("next".into(), next.map_or(Value::Null, Value::String))),
            }
            (page * size, size)
        }
    };
    let page: Vec<Value> = indices
        .iter()
        .skip(from as usize)
        .take(size as usize)
        .map(|&i| records::record(resource, i, seed))
        .collect();
    Response {
        status: 200,
        headers,
        body: envelope(resource, page, extra),
    }
}

/// The records at the data_selector (a dotted path), with the paginator's fields.
fn envelope(resource: &Resource, page: Vec<Value>, extra: Vec<(String, Value)>) -> Value {
    let selector = resource
        .data_selector
        .as_deref()
        .map(|s| s.trim_start_matches("$.").trim_start_matches('$'))
        .filter(|s| !s.is_empty() && !s.contains(['[', '*']));
    let selector = match selector {
        Some(selector) => selector,
        None if extra.is_empty() => return Value::Array(page),
        None => "data",
    };
    let mut body = Value::Object(Map::new());
    set(&mut body, selector, Value::Array(page));
    for (path, value) in extra {
        set(&mut body, path.trim_start_matches("$."), value);
    }
    body
}

/// Sets `path` (dotted) in `object`, making the objects on the way.
fn set(object: &mut Value, path: &str, value: Value) {
    let mut at = object;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        let Value::Object(map) = at else { return };
        if parts.peek().is_none() {
            map.insert(part.to_owned(), value);
            return;
        }
        at = map.entry(part.to_owned()).or_insert_with(|| json!({}));
    }
}

fn dotted<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    path.trim_start_matches("$.")
        .split('.')
        .try_fold(value, |at, part| at.get(part))
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Where a cursor points: a number, or the last number in a record id (`id-41`).
fn position(cursor: &str) -> u64 {
    cursor.parse().unwrap_or_else(|_| {
        let digits = cursor.trim_start_matches(|c: char| !c.is_ascii_digit());
        let digits = digits
            .rsplit(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap_or("");
        digits.parse().unwrap_or(0)
    })
}

/// Numbers as numbers, everything else as text (ISO timestamps sort as text).
fn compare(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.total_cmp(&y),
        _ => a.cmp(b),
    }
}

/// The start (or end) value the client sent: its `start_param`/`end_param`, or a
/// param whose template holds `{incremental.start_value}` (or `end_value`).
fn incremental_param(resource: &Resource, request: &Request<'_>, which: &str) -> Option<String> {
    let incremental = resource.incremental.as_ref()?;
    let named = match which {
        "start" => incremental.start_param.as_ref(),
        _ => incremental.end_param.as_ref(),
    };
    if let Some(name) = named {
        return request.query.get(name).cloned();
    }
    let placeholders: &[&str] = match which {
        "start" => &["{incremental.start_value}", "{incremental.last_value}"],
        _ => &["{incremental.end_value}"],
    };
    resource
        .params
        .iter()
        .find(|(_, template)| placeholders.iter().any(|p| template.contains(p)))
        .and_then(|(name, _)| request.query.get(name).cloned())
        .filter(|v| !v.is_empty() && v != "null")
}

/// `Some(response)` when the request's credentials are wrong. Secrets are checked
/// only when their environment variable is set (the one the connector reads).
pub fn check_auth(
    connector: &Connector,
    resource: &Resource,
    request: &Request<'_>,
) -> Option<Response> {
    use crate::model::{ApiKeyLocation, Auth, Credential};
    let secret = |name: &str| {
        let setting = connector.setting(name)?;
        std::env::var(&setting.env_var)
            .ok()
            .filter(|v| !v.is_empty())
    };
    let header = |name: &str| {
        request
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let auth = resource.auth.as_ref().unwrap_or(&connector.auth);
    let ok = match auth {
        Auth::None => true,
        Auth::Bearer { token } => secret(&token.name)
            .is_none_or(|t| header("authorization") == Some(format!("Bearer {t}"))),
        Auth::ApiKey {
            name,
            location,
            key,
        } => secret(&key.name).is_none_or(|k| match location {
            ApiKeyLocation::Header => header(name).as_deref() == Some(k.as_str()),
            ApiKeyLocation::Query => request.query.get(name) == Some(&k),
            ApiKeyLocation::Cookie => header("cookie").is_some_and(|c| {
                c.split(';')
                    .any(|pair| pair.trim() == format!("{name}={k}"))
            }),
        }),
        Auth::HttpBasic { username, password } => {
            let value = |credential: &Credential| match credential {
                Credential::Literal(text) => Some(text.clone()),
                Credential::Secret(s) => secret(&s.name),
            };
            value(password).is_none_or(|p| {
                let user = value(username);
                use base64::Engine as _;
                let expected = base64::engine::general_purpose::STANDARD
                    .encode(format!("{}:{p}", user.unwrap_or_default()));
                header("authorization") == Some(format!("Basic {expected}"))
            })
        }
        Auth::OAuth2 { .. } => {
            header("authorization") == Some(format!("Bearer {}", super::OAUTH_TOKEN))
        }
    };
    (!ok).then(|| Response::error(401, "invalid credentials"))
}
