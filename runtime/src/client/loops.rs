//! Pagination that would never end: a paginator asking for a request it has made
//! already in this walk (a `next` link cycling A -> B -> A, a cursor that repeats), a
//! page whose records are those of an earlier page (an offset or page-number API that
//! ignores the parameter under a huge total, a cycle that does not pass through the
//! first request), or more pages than the configured bound. Each ends the walk with an
//! error instead of paging, and printing duplicates, forever.
//!
//! Records are fingerprinted by their text as the API sent it when the walk reads
//! records from the text (the first page too, read before its selector was known), and
//! by their compact JSON when it reads them as values: one way for every page of a walk.

use crate::paginate::Prepared;
use serde_json::value::RawValue;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hash, Hasher};

/// What a walk has seen of its requests and pages.
#[derive(Debug, Default)]
pub(super) struct Guard {
    /// Fingerprints of the requests sent.
    requests: HashSet<u64>,
    /// Fingerprints of the pages with records so far, with their numbers.
    pages: HashMap<u64, u64>,
    /// Requests sent.
    sent: u64,
    /// At most this many requests ([`crate::ClientConfig::max_pages`]).
    max_pages: Option<u64>,
}

/// Why a walk stops.
pub(super) enum Stop {
    /// The request was made before.
    Repeated,
    /// The bound on pages is reached.
    Bound(u64),
}

impl Guard {
    pub(super) fn new(max_pages: Option<u64>) -> Self {
        Guard {
            max_pages,
            ..Guard::default()
        }
    }

    /// Records a request about to be sent; `Err` when it must not be.
    pub(super) fn send(&mut self, request: &Prepared) -> Result<(), Stop> {
        if let Some(max) = self.max_pages.filter(|max| self.sent >= *max) {
            return Err(Stop::Bound(max));
        }
        if !self.requests.insert(fingerprint_request(request)) {
            return Err(Stop::Repeated);
        }
        self.sent += 1;
        Ok(())
    }

    /// Records page `number`'s records (by [`fingerprint_texts`] or
    /// [`fingerprint_values`]); `Err` with the number of the earlier page that held the
    /// same records. Pages without records are not compared.
    pub(super) fn page(&mut self, number: u64, records: Option<u64>) -> Result<(), u64> {
        let Some(records) = records else {
            return Ok(());
        };
        match self.pages.insert(records, number) {
            Some(earlier) => Err(earlier),
            None => Ok(()),
        }
    }
}

fn hasher() -> impl Hasher {
    foldhash::quality::FixedState::default().build_hasher()
}

fn fingerprint_request(request: &Prepared) -> u64 {
    let mut hasher = hasher();
    request.url.as_str().hash(&mut hasher);
    request
        .json
        .as_ref()
        .map(Value::to_string)
        .hash(&mut hasher);
    request.headers.hash(&mut hasher);
    hasher.finish()
}

/// The fingerprint of a page's records as texts, as the API spelled them; `None` for
/// no records. Every page of a walk whose records are read from the text is
/// fingerprinted this way (the first one too, when its selector had to be found: see
/// `Walk::fingerprint`), so pages compare alike without rewriting their text.
pub(super) fn fingerprint_texts(records: &[&RawValue]) -> Option<u64> {
    fingerprint(records.iter().map(|record| record.get().as_bytes()))
}

/// The fingerprint of a page's records as values (a walk that reads them the general
/// way), by their compact JSON; `None` for no records.
pub(super) fn fingerprint_values(records: &[Value]) -> Option<u64> {
    fingerprint(
        records
            .iter()
            .map(|record| serde_json::to_vec(record).unwrap_or_default()),
    )
}

/// Each record's bytes with their length before them, so that the records' bounds
/// count; `None` for no records.
fn fingerprint<B: AsRef<[u8]>>(records: impl Iterator<Item = B>) -> Option<u64> {
    let mut hasher = hasher();
    let mut any = false;
    for record in records {
        let record = record.as_ref();
        hasher.write_usize(record.len());
        hasher.write(record);
        any = true;
    }
    any.then(|| hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use url::Url;

    fn request(url: &str) -> Prepared {
        Prepared {
            url: Url::parse(url).unwrap(),
            json: None,
            headers: Vec::new(),
        }
    }

    #[test]
    fn a_request_made_before_is_refused() {
        let mut guard = Guard::new(None);
        assert!(guard.send(&request("http://h/a")).is_ok());
        assert!(guard.send(&request("http://h/b")).is_ok());
        assert!(matches!(
            guard.send(&request("http://h/a")),
            Err(Stop::Repeated)
        ));
        let mut body = request("http://h/a");
        body.json = Some(serde_json::json!({"cursor": 2}));
        assert!(guard.send(&body).is_ok(), "another body is another request");
    }

    #[test]
    fn the_bound_counts_requests() {
        let mut guard = Guard::new(Some(2));
        assert!(guard.send(&request("http://h/1")).is_ok());
        assert!(guard.send(&request("http://h/2")).is_ok());
        assert!(matches!(
            guard.send(&request("http://h/3")),
            Err(Stop::Bound(2))
        ));
    }

    #[test]
    fn a_page_of_the_same_records_as_an_earlier_one_is_told() {
        let values = |ids: &[i64]| -> Vec<Value> {
            ids.iter().map(|id| serde_json::json!({"id": id})).collect()
        };
        let mut guard = Guard::new(None);
        assert_eq!(guard.page(1, fingerprint_values(&values(&[1, 2]))), Ok(()));
        assert_eq!(guard.page(2, fingerprint_values(&values(&[3, 4]))), Ok(()));
        assert_eq!(guard.page(3, fingerprint_values(&values(&[3, 4]))), Err(2));
        assert_eq!(guard.page(4, fingerprint_values(&values(&[1, 2]))), Err(1));
        // Empty pages are not compared.
        assert_eq!(guard.page(5, fingerprint_values(&[])), Ok(()));
        assert_eq!(guard.page(6, fingerprint_values(&[])), Ok(()));
    }

    #[test]
    fn records_fingerprint_as_spelled_and_by_their_bounds() {
        let raw = |texts: &[&str]| -> Vec<Box<RawValue>> {
            texts
                .iter()
                .map(|t| RawValue::from_string((*t).to_owned()).unwrap())
                .collect()
        };
        let print = |texts: &[&str]| {
            let raw = raw(texts);
            let raw: Vec<&RawValue> = raw.iter().map(|t| &**t).collect();
            fingerprint_texts(&raw)
        };
        assert_eq!(print(&["{\"id\":1}", "{}"]), print(&["{\"id\":1}", "{}"]));
        assert_ne!(print(&["{\"id\":1}", "{}"]), print(&["{\"id\":2}", "{}"]));
        assert_ne!(print(&["{\"id\":1}"]), print(&["{\"id\":1}", "{}"]));
        assert_ne!(print(&["\"ab\"", "\"c\""]), print(&["\"a\"", "\"bc\""]));
        assert_eq!(print(&[]), None);
        let values = |texts: &[&str]| {
            let values: Vec<Value> = texts
                .iter()
                .map(|t| serde_json::from_str(t).unwrap())
                .collect();
            fingerprint_values(&values)
        };
        assert_eq!(values(&["{ \"id\": 1 }"]), values(&["{\"id\":1}"]));
        assert_ne!(values(&["{\"id\":1}"]), values(&["{\"id\":3}"]));
    }
}
