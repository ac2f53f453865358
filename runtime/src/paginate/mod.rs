//! Paginators: what the next request asks for, and when to stop.
//!
//! Generated code declares a [`Paginator`] (plain data, `const`-constructible); every
//! paginated call starts a fresh `State` from it. Before each request the state
//! prepares it (`State::prepare`); after each response it advances (`State::advance`).

mod auto;
mod cursor;
mod link;
mod range;

pub use cursor::{CursorPaginator, HeaderCursorPaginator};
pub use link::{HeaderLinkPaginator, JsonLinkPaginator};
pub use range::{OffsetPaginator, PageNumberPaginator};

use crate::util::set_query;
use reqwest::header::HeaderMap;
use serde_json::Value;
use url::Url;

/// How a resource's pages follow one another (dlt's paginator types).
#[derive(Clone, Copy, Debug)]
pub enum Paginator {
    /// One request, one page.
    SinglePage,
    /// `?offset=0&limit=100`, then `offset=100`, ...
    Offset(OffsetPaginator),
    /// `?page=1`, then `page=2`, ...
    PageNumber(PageNumberPaginator),
    /// A cursor from the response body, sent back as a parameter or in the body.
    Cursor(CursorPaginator),
    /// The next page's URL from the response body.
    JsonLink(JsonLinkPaginator),
    /// The next page's URL from the `Link` header.
    HeaderLink(HeaderLinkPaginator),
    /// A cursor from a response header, sent back as a parameter.
    HeaderCursor(HeaderCursorPaginator),
    /// Detected from the first response, as dlt does (without dlt's bug of fetching
    /// the first page twice on 1-based page APIs).
    Auto,
}

/// Where a paginator puts a value: a query parameter, or a dot path in the JSON body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Param(&'static str),
    Body(&'static str),
}

/// A request being prepared: its URL (query included) and JSON body.
#[derive(Clone, Debug)]
pub(crate) struct Prepared {
    pub url: Url,
    pub json: Option<Value>,
    /// The endpoint's headers (placeholders filled in).
    pub headers: Vec<(String, String)>,
}

impl Prepared {
    /// Puts a value where `target` says; a query parameter that is already there keeps
    /// its place (as a Python dict update does in dlt).
    pub(crate) fn set(&mut self, target: Target, value: Value) {
        match target {
            Target::Param(name) => set_query(&mut self.url, name, &text(&value)),
            Target::Body(path) => {
                let mut at = self
                    .json
                    .get_or_insert_with(|| Value::Object(Default::default()));
                for key in path.split('.') {
                    if !at.is_object() {
                        *at = Value::Object(Default::default());
                    }
                    at = at
                        .as_object_mut()
                        .map(|map| map.entry(key.to_owned()).or_insert(Value::Null))
                        .unwrap_or_else(|| unreachable!("made an object above"));
                }
                *at = value;
            }
        }
    }
}

/// A JSON value as a query parameter: strings as they are, others as JSON text.
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// What a paginator sees of a response.
pub(crate) struct Seen<'a> {
    pub url: &'a Url,
    pub headers: &'a HeaderMap,
    pub doc: &'a Value,
    pub records: usize,
}

/// The position of one paginated call.
#[derive(Debug)]
pub(crate) enum State {
    Single,
    Range(range::RangeState),
    Cursor(cursor::CursorState),
    Link(link::LinkState),
    /// Not detected yet.
    Auto,
}

impl State {
    pub(crate) fn start(paginator: &Paginator) -> Result<State, String> {
        Ok(match paginator {
            Paginator::SinglePage => State::Single,
            Paginator::Offset(config) => State::Range(range::RangeState::offset(config)?),
            Paginator::PageNumber(config) => State::Range(range::RangeState::page_number(config)?),
            Paginator::Cursor(config) => State::Cursor(cursor::CursorState::body(config)?),
            Paginator::HeaderCursor(config) => State::Cursor(cursor::CursorState::header(config)),
            Paginator::JsonLink(config) => State::Link(link::LinkState::json(config)?),
            Paginator::HeaderLink(config) => State::Link(link::LinkState::header(config)),
            Paginator::Auto => State::Auto,
        })
    }

    /// Sets what the next request asks for.
    pub(crate) fn prepare(&self, request: &mut Prepared) {
        match self {
            State::Single | State::Auto => {}
            State::Range(state) => state.prepare(request),
            State::Cursor(state) => state.prepare(request),
            State::Link(state) => state.prepare(request),
        }
    }

    /// Sets what the request `ahead` pages after the next one asks for, when that page
    /// can be addressed before the responses in between have arrived (offset and page
    /// number once the API has told the total); `false` when it cannot. `ahead` 0 is
    /// [`prepare`](Self::prepare).
    pub(crate) fn prepare_ahead(&self, ahead: usize, request: &mut Prepared) -> bool {
        match self {
            _ if ahead == 0 => {
                self.prepare(request);
                true
            }
            State::Range(state) => state.prepare_ahead(ahead, request),
            _ => false,
        }
    }

    /// After the last page: the total the API announced (and its unit, records or
    /// pages) when an empty page stopped the walk short of it.
    pub(crate) fn stopped_short(&self) -> Option<(i64, &'static str)> {
        match self {
            State::Range(state) => state.stopped_short(),
            _ => None,
        }
    }

    /// The paths this paginator reads in a response body; `None` while it is still to
    /// be detected (it may read anything).
    pub(crate) fn body_paths(&self) -> Option<Vec<&str>> {
        match self {
            State::Single => Some(Vec::new()),
            State::Range(state) => Some(state.body_paths()),
            State::Cursor(state) => Some(state.body_paths()),
            State::Link(state) => Some(state.body_paths()),
            State::Auto => None,
        }
    }

    /// Looks at a response and says whether another page follows. An error means the
    /// response lacks what the paginator needs.
    pub(crate) fn advance(&mut self, seen: &Seen) -> Result<bool, String> {
        match self {
            State::Single => Ok(false),
            State::Range(state) => state.advance(seen),
            State::Cursor(state) => state.advance(seen),
            State::Link(state) => state.advance(seen),
            State::Auto => {
                let detected = auto::detect(seen);
                tracing::debug!(paginator = ?detected, "detected");
                *self = detected;
                match self {
                    State::Auto => Ok(false),
                    state => state.advance(seen),
                }
            }
        }
    }
}

/// Compiles an optional dlt path.
fn selector(path: Option<&str>) -> Result<Option<(String, crate::select::Selector)>, String> {
    path.map(|p| crate::select::Selector::parse(p).map(|s| (p.to_owned(), s)))
        .transpose()
}

/// The first value at a path, if any and not null.
fn find<'a>(path: &(String, crate::select::Selector), doc: &'a Value) -> Option<&'a Value> {
    path.1.find(doc).into_iter().next().filter(|v| !v.is_null())
}

/// Reads a `has_more` flag leniently, as dlt does: booleans, numbers, and the strings
/// yes/true/t/y/1 and no/false/f/n/0 in any case.
pub(crate) fn read_flag(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_f64().map(|f| f != 0.0),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "yes" | "true" | "t" | "y" | "1" => Some(true),
            "no" | "false" | "f" | "n" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// `has_more_path`: missing or null is an error; false stops.
fn has_more(path: &Option<(String, crate::select::Selector)>, doc: &Value) -> Result<bool, String> {
    let Some(path) = path else { return Ok(true) };
    match find(path, doc) {
        None => Err(format!(
            "has_more flag not found at `{}` in the response",
            path.0
        )),
        Some(value) => read_flag(value)
            .ok_or_else(|| format!("has_more flag at `{}` is not a boolean: {value}", path.0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_params_are_replaced_in_place() {
        let mut url = Url::parse("http://h/x?limit=5&sort=asc").unwrap();
        set_query(&mut url, "offset", "0");
        set_query(&mut url, "limit", "2");
        assert_eq!(url.query(), Some("limit=2&sort=asc&offset=0"));
    }

    #[test]
    fn body_paths_are_created() {
        let mut prepared = Prepared {
            url: Url::parse("http://h/").unwrap(),
            json: Some(serde_json::json!({"query": "x", "page": {"size": 10}})),
            headers: Vec::new(),
        };
        prepared.set(Target::Body("page.cursor"), serde_json::json!("abc"));
        assert_eq!(
            prepared.json,
            Some(serde_json::json!({"query": "x", "page": {"size": 10, "cursor": "abc"}}))
        );
    }
}
