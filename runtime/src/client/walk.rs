//! One paginated call: the first request, then each next one the paginator makes,
//! until it says there is no more.
//!
//! Requests go out ahead of the consumer: the next page is requested as soon as the
//! paginator has seen the current response, so it is fetched (and, where records are
//! read from the text, read: see [`super::fetch`]) while the current records are read
//! and taken; pages addressed up front (offset and page number once the total is known)
//! go out up to `concurrency` at a time. Responses are still taken in order, and the
//! paginator sees each one in turn, so the stop rules and the order of records are the
//! sequential ones; requests sent past the last page are cancelled. Child resources,
//! fetched for many parents at once, and incremental ones whose records can end the
//! walk send a request only when the page before it is done.

use super::fetch::{Body, Head, InFlight};
use super::loops::{fingerprint_texts, fingerprint_values, Guard, Stop};
use super::read::{Boxed, Failure, Reader};
use super::Client;
use crate::incremental::{lock, Tracker};
use crate::paginate::{Prepared, Seen, State};
use crate::select::Selector;
use crate::template::Context;
use crate::{Endpoint, Error, Result};
use std::collections::VecDeque;
use std::sync::Arc;

/// A [`Page`](super::Page) with its records boxed.
pub(super) struct BoxedPage {
    pub(super) records: Boxed,
    pub(super) number: u64,
    pub(super) url: String,
}

/// One paginated call in progress.
pub(super) struct Walk {
    pub(super) client: Client,
    pub(super) endpoint: &'static Endpoint,
    /// For a child resource: the parent record it is fetched for.
    pub(super) parent: Option<serde_json::Value>,
    /// For an incremental resource: the filter and state of this run.
    pub(super) tracker: Option<Arc<std::sync::Mutex<Tracker>>>,
    /// `include_from_parent` fields added to every record; read from the parent when
    /// the first record needs them.
    pub(super) included: Option<Vec<(String, serde_json::Value)>>,
    /// The paginator's position and the request it last prepared (pages sent ahead are
    /// prepared from clones of it); `None` once no page follows.
    pub(super) next: Option<(State, Prepared)>,
    /// Requests sent and not yet taken, oldest first.
    pub(super) ahead: VecDeque<InFlight>,
    /// Reads records into their type.
    pub(super) reader: Reader,
    pub(super) selector: Option<Arc<Selector>>,
    pub(super) number: u64,
    pub(super) started: bool,
    /// Catches pagination loops and keeps to the bound on pages.
    guard: Guard,
    /// Why the walk ends after the pages on their way, when it ends early.
    stopped: Option<Error>,
    /// Records received so far (before any incremental filter).
    received: u64,
    /// When the walk started, once it has.
    started_at: Option<tokio::time::Instant>,
}

impl Walk {
    pub(super) fn new(
        client: &Client,
        endpoint: &'static Endpoint,
        parent: Option<serde_json::Value>,
        tracker: Option<Arc<std::sync::Mutex<Tracker>>>,
        reader: Reader,
    ) -> Self {
        Walk {
            client: client.clone(),
            endpoint,
            parent,
            tracker,
            included: None,
            next: None,
            ahead: VecDeque::new(),
            reader,
            selector: None,
            number: 0,
            started: false,
            guard: Guard::new(client.inner.max_pages),
            stopped: None,
            received: 0,
            started_at: None,
        }
    }

    /// The `include_from_parent` fields, as `(_<parent>_<field>, value)`: the same for
    /// every record of this call, so read from the parent once.
    fn included_fields(&self) -> Result<Vec<(String, serde_json::Value)>> {
        let (Some(record), Some(name)) = (&self.parent, self.endpoint.parent) else {
            return Ok(Vec::new());
        };
        let parent = Context {
            child: self.endpoint.resource,
            parent: Some((name, record)),
            incremental: None,
        };
        self.endpoint
            .include_from_parent
            .iter()
            .map(|field| Ok((format!("_{name}_{field}"), parent.field(field)?.clone())))
            .collect()
    }

    /// Whether records can stop a walk early (incremental records sorted by the
    /// cursor): then no request goes out before the records of the page before it
    /// have been read.
    fn records_can_stop(&self) -> bool {
        self.tracker.is_some()
            && self
                .endpoint
                .incremental
                .is_some_and(|i| i.row_order.is_some())
    }

    /// Sends requests until `concurrency` are on their way, or as many as can be
    /// addressed before the responses in between arrive (one for most paginators).
    fn send_ahead(&mut self) {
        let limit = if self.records_can_stop() || self.parent.is_some() {
            1
        } else {
            self.client.inner.concurrency.max(1)
        };
        if self.ahead.len() >= limit {
            return;
        }
        let typed = self.typed_selector();
        let keep_text = self.selector.is_none();
        let Some((state, request)) = self.next.as_mut() else {
            return;
        };
        while self.ahead.len() < limit {
            let ahead = self.ahead.len();
            let next = if ahead == 0 {
                state.prepare(request);
                request.clone()
            } else {
                let mut next = request.clone();
                if !state.prepare_ahead(ahead, &mut next) {
                    break;
                }
                next
            };
            if let Err(stop) = self.guard.send(&next) {
                // Pages sent ahead only stop early; the paginator's own next request
                // ends the walk with an error once the pages before it are taken.
                if ahead == 0 {
                    let url = self
                        .client
                        .inner
                        .masker
                        .url(&self.client.url_with_auth(self.endpoint, &next.url));
                    self.stopped = Some(stopped(self.endpoint.resource, url, stop, self.number));
                    self.next = None;
                }
                break;
            }
            self.ahead.push_back(InFlight::send(
                self.client.clone(),
                self.endpoint,
                next,
                typed.clone(),
                keep_text,
            ));
        }
    }

    /// The selector to read records with straight from the bytes, when nothing needs
    /// them as JSON values: not the incremental filter, not `include_from_parent`,
    /// not a paginator reading inside the records (Stripe's `data[-1].id`).
    fn typed_selector(&self) -> Option<(Arc<Selector>, Reader)> {
        let selector = self.selector.as_ref()?;
        let (state, _) = self.next.as_ref()?;
        if !selector.splits()
            || self.tracker.is_some()
            || (self.parent.is_some() && !self.endpoint.include_from_parent.is_empty())
        {
            return None;
        }
        let paths = state.body_paths()?;
        let inside = match selector.first_key() {
            Some(key) => paths.iter().any(|path| reads_under(path, key)),
            // Records at the top: every body path is among them.
            None => !paths.is_empty(),
        };
        (!inside).then(|| (selector.clone(), self.reader))
    }

    /// The fingerprint of a page read the general way as the walk's later pages will
    /// be fingerprinted: from its text, when they are read from theirs (the first page,
    /// whose selector had to be found first). `None`: from its values, as theirs.
    fn fingerprint(&self, selector: &Selector, text: &[u8]) -> Option<Option<u64>> {
        self.typed_selector()?;
        let split = selector.split(std::str::from_utf8(text).ok()?).ok()?;
        Some(fingerprint_texts(&split.records))
    }

    /// Sends the next requests before the records of this page are taken, except for
    /// children: they are fetched for many parents at once (`FanOut`), and each sends
    /// a request only when its records are asked for, which bounds the pages held.
    fn prefetch(&mut self) {
        if self.parent.is_none() {
            self.send_ahead();
        }
    }

    /// When the walk must be done by ([`crate::ClientConfig::resource_timeout`]),
    /// counted from the first call: wall time, the consumer's included.
    pub(super) fn deadline(&mut self) -> Option<tokio::time::Instant> {
        let bound = self.client.inner.resource_timeout?;
        let started = *self
            .started_at
            .get_or_insert_with(tokio::time::Instant::now);
        // A bound too far to count is no bound.
        started.checked_add(bound)
    }

    /// The error of a walk past its deadline; the requests on their way are cancelled.
    pub(super) fn overdue(&mut self) -> Error {
        self.finish();
        Error::Deadline {
            resource: self.endpoint.resource,
            after: self.client.inner.resource_timeout.unwrap_or_default(),
            pages: self.number,
        }
    }

    /// No page follows: the requests on their way are cancelled.
    fn finish(&mut self) {
        self.next = None;
        self.ahead.clear();
    }

    /// The next page, its records boxed (see [`super::read`]).
    pub(super) async fn next_page(&mut self) -> Result<Option<BoxedPage>> {
        let resource = self.endpoint.resource;
        if !self.started {
            self.started = true;
            let state = State::start(&self.endpoint.paginator)
                .map_err(|message| Error::Config(format!("resource `{resource}`: {message}")))?;
            let tracker = self.tracker.as_ref().map(|t| lock(t));
            let context = (self.parent.is_some() || tracker.is_some()).then(|| Context {
                child: resource,
                parent: self
                    .parent
                    .as_ref()
                    .map(|record| (self.endpoint.parent.unwrap_or_default(), record)),
                incremental: tracker.as_deref(),
            });
            let first = self.client.first_request(self.endpoint, context.as_ref())?;
            drop(tracker);
            if let Some(path) = self.endpoint.data_selector {
                self.selector = Some(Arc::new(Selector::parse(path).map_err(|message| {
                    Error::Config(format!("resource `{resource}`: data_selector {message}"))
                })?));
            }
            self.next = Some((state, first));
        }
        if self.ahead.is_empty() {
            self.send_ahead();
        }
        let Some(mut in_flight) = self.ahead.pop_front() else {
            return match self.stopped.take() {
                Some(error) => Err(error),
                None => Ok(None),
            };
        };
        // A response action that ignores the response ends this resource's pagination.
        let Some(head) = in_flight.head().await? else {
            self.finish();
            return Ok(None);
        };
        let Head {
            request,
            headers,
            masked,
            mut doc,
            records,
            fingerprint,
        } = head;
        let selector = match &self.selector {
            Some(selector) => selector.clone(),
            None => self
                .selector
                .insert(Arc::new(Selector::detect(&doc)))
                .clone(),
        };
        // The paginator sees the whole response, or the envelope when the records are
        // read from the text (never for a paginator that reads among the records, as
        // Stripe's `data[-1].id` does: see `typed_selector`); then the records are
        // taken.
        let seen = Seen {
            url: &request.url,
            headers: &headers,
            doc: &doc,
            records: records.unwrap_or_else(|| selector.count(&doc)),
        };
        let seen_records = seen.records;
        self.received += seen_records as u64;
        self.number += 1;
        let (state, _) = self
            .next
            .as_mut()
            .unwrap_or_else(|| unreachable!("a request was on its way"));
        let more = state.advance(&seen).map_err(|message| Error::Pagination {
            resource,
            url: masked.clone(),
            message,
        })?;
        if !more {
            if let Some((total, unit)) = state.stopped_short() {
                tracing::warn!(
                    resource,
                    received = self.received,
                    total,
                    "pagination stopped at an empty page after {} records, short of the {total} {unit} the API announced (as dlt does)",
                    self.received
                );
            }
            self.finish();
        } else if !self.records_can_stop() {
            self.prefetch();
        }
        self.client
            .inner
            .pages
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // Where the walk goes ahead, the next requests are on their way; now the
        // records of this page.
        let (body, fingerprint) = match in_flight.body().await? {
            Body::Typed(records) => (Ok(records), fingerprint),
            // Read from the text first, and fingerprinted as such, like the walk's
            // other pages.
            Body::Values(values) => (Err(values), fingerprint),
            Body::InDoc(text) => {
                let fingerprint = text.and_then(|text| self.fingerprint(&selector, &text));
                let values = selector.take_records(&mut doc);
                let fingerprint = fingerprint.unwrap_or_else(|| fingerprint_values(&values));
                (Err(values), fingerprint)
            }
        };
        if let Err(earlier) = self.guard.page(self.number, fingerprint) {
            self.finish();
            return Err(Error::Pagination {
                resource,
                url: masked,
                message: format!(
                    "pagination loop: page {} holds the same records as page {earlier}; the \
                     API seems to ignore what the paginator asks for",
                    self.number,
                ),
            });
        }
        let (records, count) = match body {
            Ok(records) => (records, seen_records),
            Err(values) => self.read_values(values, &masked)?,
        };
        // Records sorted by the cursor tell when the rest is out of range; only now may
        // such a walk send its next request.
        if self.tracker.as_ref().is_some_and(|t| lock(t).exhausted) {
            self.finish();
        } else if more && self.records_can_stop() {
            self.prefetch();
        }
        tracing::debug!(resource, page = self.number, records = count, "page");
        Ok(Some(BoxedPage {
            records,
            number: self.number,
            url: masked,
        }))
    }

    /// Typed records from JSON values: filtered by the incremental cursor, with the
    /// parent's fields added, each deserialized and named in an error; and how many.
    fn read_values(
        &mut self,
        values: Vec<serde_json::Value>,
        masked: &str,
    ) -> Result<(Boxed, usize)> {
        let mut kept = Vec::with_capacity(values.len());
        // Where each kept record was in the page, to name it in an error.
        let mut positions = Vec::with_capacity(values.len());
        // One lock per page, not per record.
        let tracker = self.tracker.clone();
        let mut tracker = tracker.as_ref().map(|t| lock(t));
        for (index, value) in values.into_iter().enumerate() {
            // dlt stores a record that is not an object (a string, a number) in a
            // column named `value`.
            let mut value = match value {
                object @ serde_json::Value::Object(_) => object,
                scalar => serde_json::json!({ "value": scalar }),
            };
            if let Some(tracker) = tracker.as_mut() {
                if !tracker.keep(&value)? {
                    continue;
                }
            }
            if self.included.is_none() {
                self.included = Some(self.included_fields()?);
            }
            if let (serde_json::Value::Object(map), Some(included)) = (&mut value, &self.included) {
                for (key, field) in included {
                    map.insert(key.clone(), field.clone());
                }
            }
            kept.push(value);
            positions.push(index);
        }
        let count = kept.len();
        let records = (self.reader.values)(kept).map_err(|failure| {
            let Failure {
                index,
                record,
                path,
                message,
            } = *failure;
            let key: Vec<Option<serde_json::Value>> = self
                .endpoint
                .primary_key
                .iter()
                .map(|k| record.get(*k).cloned())
                .collect();
            Error::Decode {
                resource: self.endpoint.resource,
                url: masked.to_owned(),
                message: format!(
                    "record {} of page {}{} does not match the spec: {}{message}",
                    positions.get(index).map_or(index, |p| *p) + 1,
                    self.number,
                    describe_key(self.endpoint.primary_key, &key),
                    match path.as_str() {
                        "." => String::new(),
                        path => format!("field `{path}`: "),
                    },
                ),
            }
        })?;
        Ok((records, count))
    }
}

/// The error that ends a walk stopped by its [`Guard`] after `pages` pages.
fn stopped(resource: &'static str, url: String, stop: Stop, pages: u64) -> Error {
    let message = match stop {
        Stop::Repeated => format!(
            "pagination loop: after page {pages}, the paginator asks for a request it made \
             earlier in this walk; stopped instead of fetching the same pages again"
        ),
        Stop::Bound(max) => format!(
            "more than {max} pages: stopped by the bound on pages per resource \
             (`max_pages`); raise it if the API really has more"
        ),
    };
    Error::Pagination {
        resource,
        url,
        message,
    }
}

/// Whether a paginator's body path may read under `key` (the first key of the records'
/// selector, so possibly a sibling of the records: conservative): its first step is
/// `key`, or it cannot be told (a bracket, a wildcard or a descendant step).
fn reads_under(path: &str, key: &str) -> bool {
    let path = path.trim();
    let path = path.strip_prefix('$').unwrap_or(path);
    let path = path.strip_prefix('.').unwrap_or(path);
    if path.starts_with(['[', '.']) || path.contains("..") {
        return true;
    }
    let first = path.split(['.', '[']).next().unwrap_or_default();
    first == key || first == "*"
}

/// ` (primary key id=7)`, naming a record in errors; empty without a key.
pub(crate) fn describe_key(names: &[&str], values: &[Option<serde_json::Value>]) -> String {
    if names.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = names
        .iter()
        .zip(values)
        .map(|(name, value)| match value {
            Some(serde_json::Value::String(s)) => format!("{name}={s:?}"),
            Some(v) => format!("{name}={v}"),
            None => format!("{name} missing"),
        })
        .collect();
    format!(" (primary key {})", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::reads_under;

    #[test]
    fn paths_that_may_read_among_the_records_are_told_apart() {
        for path in [
            "data[-1].id",
            "$.data[-1].id",
            "data.next",
            "*.next",
            "$.*[-1].id",
            "$..cursor",
            "$['data']",
            "[0].id",
        ] {
            assert!(reads_under(path, "data"), "{path}");
        }
        for path in [
            "total",
            "meta.total",
            "$.paging.next",
            "database.next",
            "$.next_data",
        ] {
            assert!(!reads_under(path, "data"), "{path}");
        }
    }
}
