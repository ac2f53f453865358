//! One page fetched and read in a task of its own, so that it runs while the records of
//! the previous page are being consumed (and, for pages addressed up front, next to
//! other pages in flight). The task hands over what the paginator needs (the
//! [`Head`]) before it reads the records, so the next request can go out while they
//! are being read. Dropping an [`InFlight`] cancels its request.
//!
//! Nothing here is generic over the record type (see [`super::read`]).

use super::loops::fingerprint_texts;
use super::read::{Boxed, Reader};
use super::Client;
use crate::paginate::Prepared;
use crate::select::Selector;
use crate::{Endpoint, Error, Result};
use reqwest::header::HeaderMap;
use serde_json::Value;
use std::sync::Arc;
use tokio::sync::oneshot;

/// What the paginator needs of a response.
pub(super) struct Head {
    /// The request, as sent (without auth).
    pub request: Prepared,
    pub headers: HeaderMap,
    /// The URL with secrets masked, for errors.
    pub masked: String,
    /// The envelope when the records are being read from the text, else the whole
    /// response.
    pub doc: Value,
    /// How many records the response holds, when they are being read from the text.
    pub records: Option<usize>,
    /// The fingerprint of the records, when they are being read from the text (see
    /// [`super::loops`]).
    pub fingerprint: Option<u64>,
}

/// The records of a response.
pub(super) enum Body {
    /// Read from the text into their type.
    Typed(Boxed),
    /// Taken from the response by the general way (a record that is not an object, or
    /// one that does not match its type, whose error the caller words).
    Values(Vec<Value>),
    /// Still in [`Head::doc`], to be taken once the paginator has read it; with the
    /// response's text when the selector was not known yet, to fingerprint the records
    /// by once it is.
    InDoc(Option<Vec<u8>>),
}

/// A page on its way.
pub(super) struct InFlight {
    head: Option<oneshot::Receiver<Head>>,
    task: tokio::task::JoinHandle<Result<Option<Body>>>,
}

impl InFlight {
    /// Sends `request` now. With `typed`, the records are read along that selector
    /// with that function where the response allows it. With `keep_text` (the selector
    /// is not known yet), a response read as a `Value` keeps its text too.
    pub(super) fn send(
        client: Client,
        endpoint: &'static Endpoint,
        request: Prepared,
        typed: Option<(Arc<Selector>, Reader)>,
        keep_text: bool,
    ) -> Self {
        let (head, receiver) = oneshot::channel();
        let fetch = fetch(client, endpoint, request, typed, keep_text, head);
        InFlight {
            head: Some(receiver),
            task: tokio::spawn(fetch),
        }
    }

    /// What the paginator needs; `None` when a response action ignores the response.
    pub(super) async fn head(&mut self) -> Result<Option<Head>> {
        let Some(receiver) = self.head.take() else {
            return Err(Error::Config("a page's head was asked for twice".into()));
        };
        match receiver.await {
            Ok(head) => Ok(Some(head)),
            // The task ended without one: an error, or an ignored response.
            Err(_) => match self.join().await? {
                None => Ok(None),
                Some(_) => Err(Error::Config("a page was read without its head".into())),
            },
        }
    }

    /// The records, after [`head`](Self::head).
    pub(super) async fn body(&mut self) -> Result<Body> {
        self.join()
            .await?
            .ok_or_else(|| Error::Config("a page ended without its records".into()))
    }

    async fn join(&mut self) -> Result<Option<Body>> {
        match (&mut self.task).await {
            Ok(outcome) => outcome,
            Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
            Err(error) => Err(Error::Config(format!("a page fetch was stopped: {error}"))),
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn fetch(
    client: Client,
    endpoint: &'static Endpoint,
    request: Prepared,
    typed: Option<(Arc<Selector>, Reader)>,
    keep_text: bool,
    head: oneshot::Sender<Head>,
) -> Result<Option<Body>> {
    let url = client.url_with_auth(endpoint, &request.url);
    let masked = client.inner.masker.url(&url);
    let Some((headers, body)) = client
        .send(endpoint, &url, request.json.as_ref(), &request.headers)
        .await?
    else {
        return Ok(None);
    };
    // Checked as UTF-8 once, not string by string as reading from bytes does.
    let split = typed.as_ref().and_then(|(selector, read)| {
        let text = std::str::from_utf8(&body).ok()?;
        Some((selector, read, selector.split(text).ok()?))
    });
    if let Some((selector, read, split)) = split {
        // The receiver is gone only when the walk no longer wants this page (it was
        // dropped, or it ended before this page); the task is aborted then anyway.
        let _ = head.send(Head {
            request,
            headers,
            masked: masked.clone(),
            doc: split.envelope,
            records: Some(split.records.len()),
            fingerprint: fingerprint_texts(&split.records),
        });
        if let Some(records) = (read.texts)(&split.records) {
            return Ok(Some(Body::Typed(records)));
        }
        // Read the general way for the caller to word the error (or to wrap records
        // that are not objects); the paginator has what it needs already.
        let mut doc = parse(endpoint, &masked, &body)?;
        return Ok(Some(Body::Values(selector.take_records(&mut doc))));
    }
    let doc = parse(endpoint, &masked, &body)?;
    let _ = head.send(Head {
        request,
        headers,
        masked,
        doc,
        records: None,
        fingerprint: None,
    });
    Ok(Some(Body::InDoc(keep_text.then_some(body))))
}

/// A response as a `Value`; an empty body is `null`.
fn parse(endpoint: &Endpoint, masked: &str, body: &[u8]) -> Result<Value> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    serde_json::from_slice(body).map_err(|e| Error::Decode {
        resource: endpoint.resource,
        url: masked.to_owned(),
        message: format!("response is not JSON: {e}"),
    })
}
