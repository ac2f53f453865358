//! Paginator detection from the first response, as dlt does it.

use super::cursor::CursorState;
use super::link::{link_of, link_with_rel, LinkState};
use super::range::RangeState;
use super::{Seen, State};
use serde_json::Value;

/// In dlt's order: a `Link: rel=next` header; a `next*` key holding a URL; a total page
/// count; a `next*` key holding anything else (a cursor); else one page.
pub(crate) fn detect(seen: &Seen) -> State {
    let has_link = seen
        .headers
        .get_all(reqwest::header::LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| link_with_rel(v, "next").is_some());
    if has_link {
        return State::Link(LinkState::detected_header());
    }
    let next_keys = next_keys(seen.doc);
    if let Some((path, _)) = next_keys
        .iter()
        .find(|(_, v)| link_of(v).is_some_and(is_url))
    {
        if let Ok(state) = LinkState::detected_json(path.clone()) {
            return State::Link(state);
        }
    }
    if let Value::Object(map) = seen.doc {
        for key in ["total_pages", "pages", "totalpages", "totalPages"] {
            if map.get(key).is_some_and(|v| v.is_u64()) {
                if let Ok(state) = RangeState::detected_pages(key.to_owned()) {
                    return State::Range(state);
                }
            }
        }
    }
    if let Some((path, _)) = next_keys.first() {
        if let Ok(state) = CursorState::detected(path.clone()) {
            return State::Cursor(state);
        }
    }
    State::Single
}

fn is_url(text: &str) -> bool {
    text.starts_with("http://") || text.starts_with("https://") || text.starts_with('/')
}

/// Keys named `next...` at the top level and one level down (`links.next`,
/// `pagination.next_cursor`), with their dotted paths.
fn next_keys(doc: &Value) -> Vec<(String, &Value)> {
    let mut found = Vec::new();
    let Value::Object(map) = doc else {
        return found;
    };
    let is_next = |k: &str| k.to_ascii_lowercase().starts_with("next");
    for (key, value) in map {
        if is_next(key) && !value.is_null() {
            found.push((key.clone(), value));
        }
    }
    for (key, value) in map {
        if let Value::Object(inner) = value {
            for (inner_key, inner_value) in inner {
                if is_next(inner_key) && !inner_value.is_null() && plain(key) && plain(inner_key) {
                    found.push((format!("{key}.{inner_key}"), inner_value));
                }
            }
        }
    }
    found
}

/// A key a dotted path can name.
fn plain(key: &str) -> bool {
    !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}
