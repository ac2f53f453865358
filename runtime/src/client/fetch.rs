//! One page fetched and read in a task of its own, so that it runs while the records of
//! the previous page are being consumed (and, for pages addressed up front, next to
//! other pages in flight). Dropping an [`InFlight`] cancels its request.

use super::Client;
use crate::paginate::Prepared;
use crate::select::Selector;
use crate::{Endpoint, Error, Result};
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::sync::Arc;

/// A response, read.
pub(super) struct Fetched<T> {
    /// The request, as sent (without auth).
    pub request: Prepared,
    pub headers: HeaderMap,
    /// The URL with secrets masked, for errors.
    pub masked: String,
    /// What the paginator reads: the envelope when the records are already typed,
    /// else the whole response.
    pub doc: Value,
    pub records: Records<T>,
}

pub(super) enum Records<T> {
    /// Read straight from the bytes; `doc` has `null` in their place.
    Typed(Vec<T>),
    /// Still in `doc`, to be taken once the paginator has read it.
    InDoc,
}

/// A page on its way.
pub(super) struct InFlight<T>(tokio::task::JoinHandle<Result<Option<Fetched<T>>>>);

impl<T: DeserializeOwned + Send + 'static> InFlight<T> {
    /// Sends `request` now. With `typed`, the records are read along that selector
    /// straight into `T` where the response allows it.
    pub(super) fn send(
        client: Client,
        endpoint: &'static Endpoint,
        request: Prepared,
        typed: Option<Arc<Selector>>,
    ) -> Self {
        InFlight(tokio::spawn(fetch(client, endpoint, request, typed)))
    }

    /// The response; `None` when a response action ignores it.
    pub(super) async fn response(&mut self) -> Result<Option<Fetched<T>>> {
        match (&mut self.0).await {
            Ok(outcome) => outcome,
            Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
            Err(error) => Err(Error::Config(format!("a page fetch was stopped: {error}"))),
        }
    }
}

impl<T> Drop for InFlight<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn fetch<T: DeserializeOwned>(
    client: Client,
    endpoint: &'static Endpoint,
    request: Prepared,
    typed: Option<Arc<Selector>>,
) -> Result<Option<Fetched<T>>> {
    let url = client.url_with_auth(endpoint, &request.url);
    let masked = client.inner.masker.url(&url);
    let Some((headers, body)) = client
        .send(endpoint, &url, request.json.as_ref(), &request.headers)
        .await?
    else {
        return Ok(None);
    };
    if let Some(split) = typed.and_then(|selector| selector.split::<T>(&body).ok()) {
        return Ok(Some(Fetched {
            request,
            headers,
            masked,
            doc: split.envelope,
            records: Records::Typed(split.records),
        }));
    }
    // The general way: the whole response as a `Value`.
    let doc = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        serde_json::from_slice(&body).map_err(|e| Error::Decode {
            resource: endpoint.resource,
            url: masked.clone(),
            message: format!("response is not JSON: {e}"),
        })?
    };
    Ok(Some(Fetched {
        request,
        headers,
        masked,
        doc,
        records: Records::InDoc,
    }))
}
