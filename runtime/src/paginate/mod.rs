//! Paginators: what the next request asks for, and when to stop.
//!
//! Generated code declares a [`Paginator`]; every paginated call starts a fresh
//! [`State`] from it.

mod offset;

pub use offset::OffsetPaginator;

use serde_json::Value;

/// How a resource's pages follow one another.
#[derive(Clone, Copy, Debug)]
pub enum Paginator {
    /// One request, one page.
    SinglePage,
    /// `?offset=0&limit=100`, then `offset=100`, ... (dlt's `offset`).
    Offset(OffsetPaginator),
}

/// The position of one paginated call.
#[derive(Debug)]
pub(crate) enum State {
    Single,
    Offset(offset::OffsetState),
}

impl State {
    pub(crate) fn start(paginator: &Paginator) -> Result<State, String> {
        Ok(match paginator {
            Paginator::SinglePage => State::Single,
            Paginator::Offset(config) => State::Offset(offset::OffsetState::new(*config)?),
        })
    }

    /// Query parameters of the next request; they replace endpoint params of the same name.
    pub(crate) fn query(&self) -> Vec<(&'static str, String)> {
        match self {
            State::Single => Vec::new(),
            State::Offset(state) => state.query(),
        }
    }

    /// Looks at a response (its records already counted) and says whether another page
    /// follows. An error means the response lacks what the paginator needs.
    pub(crate) fn advance(&mut self, doc: &Value, records: usize) -> Result<bool, String> {
        match self {
            State::Single => Ok(false),
            State::Offset(state) => state.advance(doc, records),
        }
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
