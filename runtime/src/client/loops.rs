//! Pagination that would never end: a paginator asking for a request it has made
//! already in this walk (a `next` link cycling A -> B -> A, a cursor that repeats), a
//! page whose records are those of the page before (an offset or page-number API that
//! ignores the parameter under a huge total), or more pages than the configured bound.
//! Each ends the walk with an error instead of paging, and printing duplicates, forever.

use crate::paginate::Prepared;
use serde_json::value::RawValue;
use serde_json::Value;
use std::collections::HashSet;
use std::hash::{BuildHasher, Hash, Hasher};

/// What a walk has seen of its requests and pages.
#[derive(Debug, Default)]
pub(super) struct Guard {
    /// Fingerprints of the requests sent.
    requests: HashSet<u64>,
    /// Fingerprint of the previous page's records, when it had any.
    previous: Option<u64>,
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

    /// Records a page's records (by [`fingerprint_texts`] or [`fingerprint_values`]);
    /// `false` when they are the previous page's records again. Pages without records
    /// are not compared.
    pub(super) fn page(&mut self, records: Option<u64>) -> bool {
        let repeated = records.is_some() && records == self.previous;
        self.previous = records;
        !repeated
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

/// The fingerprint of a page's records as texts; `None` for no records.
pub(super) fn fingerprint_texts(records: &[&RawValue]) -> Option<u64> {
    let mut hasher = hasher();
    for record in records {
        hasher.write(record.get().as_bytes());
        hasher.write_u8(0);
    }
    (!records.is_empty()).then(|| hasher.finish())
}

/// The fingerprint of a page's records as values; `None` for no records.
pub(super) fn fingerprint_values(records: &[Value]) -> Option<u64> {
    struct Feed<H>(H);
    impl<H: Hasher> std::io::Write for Feed<H> {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.write(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut feed = Feed(hasher());
    for record in records {
        // Writing into a hasher cannot fail.
        let _ = serde_json::to_writer(&mut feed, record);
        feed.0.write_u8(0);
    }
    (!records.is_empty()).then(|| feed.0.finish())
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
    fn a_page_of_the_same_records_as_the_one_before_is_told() {
        let values = |ids: &[i64]| -> Vec<Value> {
            ids.iter().map(|id| serde_json::json!({"id": id})).collect()
        };
        let mut guard = Guard::new(None);
        assert!(guard.page(fingerprint_values(&values(&[1, 2]))));
        assert!(guard.page(fingerprint_values(&values(&[3, 4]))));
        assert!(!guard.page(fingerprint_values(&values(&[3, 4]))));
        // Empty pages are not compared.
        assert!(guard.page(fingerprint_values(&[])));
        assert!(guard.page(fingerprint_values(&[])));
        let texts: Vec<Box<RawValue>> = ["{\"id\":1}", "{\"id\":2}"]
            .iter()
            .map(|t| RawValue::from_string((*t).to_owned()).unwrap())
            .collect();
        let texts: Vec<&RawValue> = texts.iter().map(|t| &**t).collect();
        assert!(guard.page(fingerprint_texts(&texts)));
        assert!(!guard.page(fingerprint_texts(&texts)));
        assert_ne!(fingerprint_texts(&texts[..1]), fingerprint_texts(&texts));
    }
}
