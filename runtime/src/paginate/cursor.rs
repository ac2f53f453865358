//! `cursor` (from the body) and `header_cursor` (from a header): an opaque value the API
//! hands out, sent back to get the next page.

use super::{find, has_more, selector, Prepared, Seen, Target};
use crate::select::Selector;
use serde_json::Value;

/// dlt's `cursor` paginator.
#[derive(Clone, Copy, Debug)]
pub struct CursorPaginator {
    /// Where the next cursor is in the response (default `cursors.next`).
    pub cursor_path: &'static str,
    /// Where the cursor goes (`cursor_param`, default `cursor`, or `cursor_body_path`).
    pub cursor_target: Target,
    pub has_more_path: Option<&'static str>,
    /// Off by default for cursors.
    pub stop_after_empty_page: bool,
}

/// dlt's `header_cursor` paginator.
#[derive(Clone, Copy, Debug)]
pub struct HeaderCursorPaginator {
    /// The response header with the next cursor (default `next`).
    pub cursor_key: &'static str,
    /// The query parameter it is sent as (default `cursor`).
    pub cursor_param: &'static str,
}

impl CursorPaginator {
    /// dlt's defaults: the cursor at `cursors.next`, sent back as `cursor`.
    pub const DEFAULT: CursorPaginator = CursorPaginator {
        cursor_path: "cursors.next",
        cursor_target: Target::Param("cursor"),
        has_more_path: None,
        stop_after_empty_page: false,
    };
}

impl HeaderCursorPaginator {
    /// dlt's defaults: the cursor in the `next` header, sent back as `cursor`.
    pub const DEFAULT: HeaderCursorPaginator = HeaderCursorPaginator {
        cursor_key: "next",
        cursor_param: "cursor",
    };
}

#[derive(Debug)]
enum Source {
    Body {
        path: (String, Selector),
        has_more: Option<(String, Selector)>,
        stop_after_empty_page: bool,
    },
    Header(&'static str),
}

#[derive(Debug)]
pub(crate) struct CursorState {
    source: Source,
    target: Target,
    /// None before the first response: the first request has no cursor.
    cursor: Option<Value>,
}

impl CursorState {
    pub(crate) fn body_paths(&self) -> Vec<&str> {
        match &self.source {
            Source::Body { path, has_more, .. } => std::iter::once(path)
                .chain(has_more)
                .map(|(path, _)| path.as_str())
                .collect(),
            Source::Header(_) => Vec::new(),
        }
    }

    pub(crate) fn body(config: &CursorPaginator) -> Result<Self, String> {
        Ok(CursorState {
            source: Source::Body {
                path: (
                    config.cursor_path.to_owned(),
                    Selector::parse(config.cursor_path)?,
                ),
                has_more: selector(config.has_more_path)?,
                stop_after_empty_page: config.stop_after_empty_page,
            },
            target: config.cursor_target,
            cursor: None,
        })
    }

    pub(crate) fn header(config: &HeaderCursorPaginator) -> Self {
        CursorState {
            source: Source::Header(config.cursor_key),
            target: Target::Param(config.cursor_param),
            cursor: None,
        }
    }

    /// A cursor state detected at `path` of a first response.
    pub(crate) fn detected(path: String) -> Result<Self, String> {
        let selector = Selector::parse(&path)?;
        Ok(CursorState {
            source: Source::Body {
                path: (path, selector),
                has_more: None,
                stop_after_empty_page: false,
            },
            target: Target::Param("cursor"),
            cursor: None,
        })
    }

    pub(crate) fn prepare(&self, request: &mut Prepared) {
        if let Some(cursor) = &self.cursor {
            request.set(self.target, cursor.clone());
        }
    }

    /// A falsy cursor (missing, null, `""`, `0`, `false`) stops, as in dlt.
    pub(crate) fn advance(&mut self, seen: &Seen) -> Result<bool, String> {
        let cursor = match &self.source {
            Source::Body {
                path,
                has_more: more,
                stop_after_empty_page,
            } => {
                if *stop_after_empty_page && seen.records == 0 {
                    return Ok(false);
                }
                if !has_more(more, seen.doc)? {
                    return Ok(false);
                }
                find(path, seen.doc).cloned()
            }
            Source::Header(name) => seen
                .headers
                .get(*name)
                .and_then(|v| v.to_str().ok())
                .map(|v| Value::String(v.to_owned())),
        };
        match cursor {
            Some(cursor) if truthy(&cursor) => {
                self.cursor = Some(cursor);
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}
