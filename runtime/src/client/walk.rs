//! One paginated call: the first request, then each next one the paginator makes,
//! until it says there is no more.

use super::{Client, Page};
use crate::incremental::{lock, Tracker};
use crate::paginate::{Prepared, Seen, State};
use crate::select::Selector;
use crate::template::Context;
use crate::{Endpoint, Error, Result};
use serde::de::DeserializeOwned;
use std::sync::Arc;

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
    /// The next request; `None` once the last page has been fetched.
    pub(super) next: Option<(State, Prepared)>,
    pub(super) selector: Option<Selector>,
    pub(super) number: u64,
    pub(super) started: bool,
}

impl Walk {
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

    pub(super) async fn next_page<T: DeserializeOwned>(&mut self) -> Result<Option<Page<T>>> {
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
            self.next = Some((state, first));
        }
        let Some((mut state, mut request)) = self.next.take() else {
            return Ok(None);
        };
        state.prepare(&mut request);
        let url = self.client.url_with_auth(self.endpoint, &request.url);
        let masked = self.client.inner.masker.url(&url);
        // A response action that ignores the response ends this resource's pagination.
        let Some((headers, body)) = self
            .client
            .send(self.endpoint, &url, request.json.as_ref(), &request.headers)
            .await?
        else {
            return Ok(None);
        };
        let mut doc: serde_json::Value = if body.iter().all(u8::is_ascii_whitespace) {
            serde_json::Value::Null
        } else {
            serde_json::from_slice(&body).map_err(|e| Error::Decode {
                resource,
                url: masked.clone(),
                message: format!("response is not JSON: {e}"),
            })?
        };
        if self.selector.is_none() {
            self.selector = Some(match self.endpoint.data_selector {
                Some(path) => Selector::parse(path).map_err(|message| {
                    Error::Config(format!("resource `{resource}`: data_selector {message}"))
                })?,
                None => Selector::detect(&doc),
            });
        }
        let selector = self
            .selector
            .as_ref()
            .unwrap_or_else(|| unreachable!("set above"));
        // The paginator sees the whole response (its cursor may sit among the records,
        // as Stripe's `data[-1].id` does); then the records are moved out of it.
        let seen = Seen {
            url: &request.url,
            headers: &headers,
            doc: &doc,
            records: selector.count(&doc),
        };
        let more = state.advance(&seen).map_err(|message| Error::Pagination {
            resource,
            url: masked.clone(),
            message,
        })?;
        let values = selector.take_records(&mut doc);
        if more {
            self.next = Some((state, request));
        }
        self.number += 1;
        self.client
            .inner
            .pages
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut records = Vec::with_capacity(values.len());
        // One lock per page, not per record.
        let mut tracker = self.tracker.as_ref().map(|t| lock(t));
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
            // The key is kept before the record is consumed, to name it in an error.
            let key: Vec<Option<serde_json::Value>> = self
                .endpoint
                .primary_key
                .iter()
                .map(|k| value.get(*k).cloned())
                .collect();
            let record = serde_path_to_error::deserialize(value).map_err(|e| Error::Decode {
                resource,
                url: masked.clone(),
                message: format!(
                    "record {} of page {}{} does not match the spec: {}{}",
                    index + 1,
                    self.number,
                    describe_key(self.endpoint.primary_key, &key),
                    match e.path().to_string().as_str() {
                        "." => String::new(),
                        path => format!("field `{path}`: "),
                    },
                    e.inner()
                ),
            })?;
            records.push(record);
        }
        // Records sorted by the cursor tell when the rest is out of range.
        if tracker.is_some_and(|tracker| tracker.exhausted) {
            self.next = None;
        }
        tracing::debug!(
            resource,
            page = self.number,
            records = records.len(),
            "page"
        );
        Ok(Some(Page {
            records,
            number: self.number,
            url: masked,
        }))
    }
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
