use crate::error::seconds;
use crate::incremental::{Outcome, StateHandle, Tracker};
use crate::mask::Masker;
use crate::paginate::{Prepared, Seen, State};
use crate::select::Selector;
use crate::template::Context;
use crate::{Auth, Endpoint, Error, Result, RetryPolicy};
use futures_util::{stream, Stream, StreamExt, TryStreamExt};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// How much of an error response's body an error message quotes.
const BODY_IN_ERRORS: usize = 512;

/// Settings of a [`Client`]. Generated `Config` types fill it from the spec and the
/// caller's secrets.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    pub base_url: String,
    pub auth: Auth,
    /// Auth of single endpoints, by resource name; it replaces `auth` there.
    pub endpoint_auth: Vec<(&'static str, Auth)>,
    /// Sent with every request; endpoint headers of the same name win.
    pub headers: Vec<(String, String)>,
    pub retry: RetryPolicy,
    /// Time allowed to open a connection.
    pub connect_timeout: Duration,
    /// Time allowed for one whole request, body included.
    pub timeout: Duration,
}

impl ClientConfig {
    /// dlt's defaults: no auth, no headers, dlt's retry policy, a 60 s request timeout.
    pub fn new(base_url: impl Into<String>) -> Self {
        ClientConfig {
            base_url: base_url.into(),
            auth: Auth::None,
            endpoint_auth: Vec::new(),
            headers: Vec::new(),
            retry: RetryPolicy::default(),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
        }
    }
}

/// The records of an incremental run; [`handle`](Self::handle) gives its new state.
pub struct IncrementalRecords<T> {
    records: futures_util::stream::BoxStream<'static, Result<T>>,
    handle: Option<StateHandle>,
}

impl<T> IncrementalRecords<T> {
    /// The run's state, readable (with [`StateHandle::state`]) once the stream ended
    /// without an error; `None` when the run could not start.
    pub fn handle(&self) -> Option<StateHandle> {
        self.handle.clone()
    }
}

impl<T> Stream for IncrementalRecords<T> {
    type Item = Result<T>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<T>>> {
        let polled = self.records.as_mut().poll_next(cx);
        if let (std::task::Poll::Ready(item), Some(handle)) = (&polled, &self.handle) {
            let mut outcome = handle.outcome.lock().unwrap_or_else(|e| e.into_inner());
            match item {
                Some(Err(_)) => *outcome = Outcome::Failed,
                None if *outcome == Outcome::Running => *outcome = Outcome::Finished,
                _ => {}
            }
        }
        polled
    }
}

/// How a child resource is fetched for many parents (see [`Client::fan_out`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FanOut {
    /// Children fetched at once.
    pub concurrency: usize,
    /// Keep the parents' order (children then go one at a time).
    pub ordered: bool,
}

impl Default for FanOut {
    /// Four children at once, in arrival order.
    fn default() -> Self {
        FanOut {
            concurrency: 4,
            ordered: false,
        }
    }
}

/// One page of typed records.
#[derive(Clone, Debug)]
pub struct Page<T> {
    pub records: Vec<T>,
    /// 1 for the first page of a call.
    pub number: u64,
    /// The page's URL, with secrets masked.
    pub url: String,
}

/// An HTTP client for one API. Cheap to clone; streams it returns own a clone.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl Inner {
    fn auth_for(&self, endpoint: &Endpoint) -> &Auth {
        self.endpoint_auth
            .iter()
            .find(|(resource, _)| *resource == endpoint.resource)
            .map_or(&self.auth, |(_, auth)| auth)
    }
}

struct Inner {
    http: reqwest::Client,
    base_url: String,
    auth: Auth,
    endpoint_auth: Vec<(&'static str, Auth)>,
    headers: HeaderMap,
    retry: RetryPolicy,
    masker: Masker,
    /// Pages received by this client and its clones, for progress displays.
    pages: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("auth", &self.inner.auth)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Client> {
        let base = Url::parse(&config.base_url).map_err(|e| {
            Error::Config(format!("base URL `{}` is not a URL: {e}", config.base_url))
        })?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(Error::Config(format!(
                "base URL `{}` must start with http:// or https://",
                config.base_url
            )));
        }
        let headers = header_map(&config.headers)?;
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .user_agent(concat!("connectorgen-runtime/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Config(format!("cannot start the HTTP client: {e}")))?;
        let auths =
            || std::iter::once(&config.auth).chain(config.endpoint_auth.iter().map(|(_, a)| a));
        let masker = Masker::new(
            auths().filter_map(|a| a.query_param().map(|(name, _)| name)),
            auths().flat_map(Auth::secrets).collect(),
        );
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url: config.base_url,
                auth: config.auth,
                endpoint_auth: config.endpoint_auth,
                headers,
                retry: config.retry,
                masker,
                pages: std::sync::atomic::AtomicU64::new(0),
            }),
        })
    }

    /// How many pages this client (and its clones) have received so far.
    pub fn pages_received(&self) -> u64 {
        self.inner.pages.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Every record of an endpoint, page after page. Only one page is held at a time:
    /// the next request is sent when the records of the previous page have been taken.
    pub fn records<T>(
        &self,
        endpoint: &'static Endpoint,
    ) -> impl Stream<Item = Result<T>> + Send + 'static
    where
        T: DeserializeOwned + Send + 'static,
    {
        records_of(self.pages(endpoint))
    }

    /// Every page of an endpoint. The stream ends after the last page, or after the
    /// first error.
    pub fn pages<T>(
        &self,
        endpoint: &'static Endpoint,
    ) -> impl Stream<Item = Result<Page<T>>> + Send + 'static
    where
        T: DeserializeOwned + Send + 'static,
    {
        let tracker = match endpoint
            .incremental
            .map(|config| Tracker::new(endpoint.resource, config, endpoint.primary_key, None))
        {
            Some(Ok(tracker)) => Some(Arc::new(std::sync::Mutex::new(tracker))),
            Some(Err(error)) => return stream::once(async move { Err(error) }).left_stream(),
            None => None,
        };
        self.walk(endpoint, None, tracker).right_stream()
    }

    /// The records of an incremental resource from `state` (or the spec's
    /// `initial_value` when `None`); the returned stream's [`IncrementalRecords::handle`]
    /// gives the state to persist once every record has been read.
    pub fn incremental<T>(
        &self,
        endpoint: &'static Endpoint,
        state: Option<crate::IncrementalState>,
    ) -> IncrementalRecords<T>
    where
        T: DeserializeOwned + Send + 'static,
    {
        let outcome = Arc::new(std::sync::Mutex::new(Outcome::Running));
        let config = endpoint.incremental.ok_or_else(|| {
            Error::Config(format!(
                "resource `{}` is not incremental",
                endpoint.resource
            ))
        });
        let tracker = config.and_then(|config| {
            Tracker::new(endpoint.resource, config, endpoint.primary_key, state)
        });
        match tracker {
            Ok(tracker) => {
                let tracker = Arc::new(std::sync::Mutex::new(tracker));
                let records =
                    records_of(self.walk::<T>(endpoint, None, Some(tracker.clone()))).boxed();
                IncrementalRecords {
                    records,
                    handle: Some(StateHandle { tracker, outcome }),
                }
            }
            Err(error) => IncrementalRecords {
                records: stream::once(async move { Err(error) }).boxed(),
                handle: None,
            },
        }
    }

    /// Every record of a child resource for one parent record.
    pub fn child_records<P, T>(
        &self,
        endpoint: &'static Endpoint,
        parent: &P,
    ) -> impl Stream<Item = Result<T>> + Send + 'static
    where
        P: serde::Serialize + ?Sized,
        T: DeserializeOwned + Send + 'static,
    {
        records_of(self.child_pages(endpoint, parent))
    }

    /// Every page of a child resource for one parent record.
    pub fn child_pages<P, T>(
        &self,
        endpoint: &'static Endpoint,
        parent: &P,
    ) -> impl Stream<Item = Result<Page<T>>> + Send + 'static
    where
        P: serde::Serialize + ?Sized,
        T: DeserializeOwned + Send + 'static,
    {
        match serde_json::to_value(parent) {
            Ok(parent) => self.walk(endpoint, Some(parent), None).left_stream(),
            Err(e) => {
                let error = Error::Config(format!(
                    "resource `{}`: a parent record cannot be read: {e}",
                    endpoint.resource
                ));
                stream::once(async move { Err(error) }).right_stream()
            }
        }
    }

    /// Every record of a child resource for every parent record of `parents`.
    ///
    /// Up to `options.concurrency` children are fetched at once, each one page at a
    /// time, so at most that many pages are held; records then come in the order
    /// their pages arrive. With `options.ordered`, children are fetched one after the
    /// other and records keep the parents' order.
    pub fn fan_out<P, T, S>(
        &self,
        parents: S,
        endpoint: &'static Endpoint,
        options: FanOut,
    ) -> impl Stream<Item = Result<T>> + Send + 'static
    where
        P: serde::Serialize,
        S: Stream<Item = Result<P>> + Send + 'static,
        T: DeserializeOwned + Send + 'static,
    {
        let client = self.clone();
        let children = parents.map(move |parent| match parent {
            Ok(parent) => client.child_records::<P, T>(endpoint, &parent).boxed(),
            Err(error) => stream::once(async move { Err(error) }).boxed(),
        });
        if options.ordered || options.concurrency <= 1 {
            children.flatten().left_stream()
        } else {
            children
                .flatten_unordered(options.concurrency)
                .right_stream()
        }
    }

    fn walk<T>(
        &self,
        endpoint: &'static Endpoint,
        parent: Option<serde_json::Value>,
        tracker: Option<Arc<std::sync::Mutex<Tracker>>>,
    ) -> impl Stream<Item = Result<Page<T>>> + Send + 'static
    where
        T: DeserializeOwned + Send + 'static,
    {
        let walk = Walk {
            client: self.clone(),
            endpoint,
            parent,
            tracker,
            included: None,
            next: None,
            selector: None,
            number: 0,
            started: false,
        };
        stream::try_unfold(walk, |mut walk| async move {
            match walk.next_page().await? {
                Some(page) => Ok(Some((page, walk))),
                None => Ok(None),
            }
        })
    }

    /// The first request of an endpoint: URL with the endpoint's params, headers, JSON
    /// body; for a child resource, with the parent record's values filled in.
    fn first_request(&self, endpoint: &Endpoint, context: Option<&Context>) -> Result<Prepared> {
        let render = |text: &str| -> Result<String> {
            match context {
                Some(context) => context.render(text),
                None => Ok(text.to_owned()),
            }
        };
        let path = render(endpoint.path)?;
        let joined = if path.starts_with("http://") || path.starts_with("https://") {
            path
        } else {
            format!(
                "{}/{}",
                self.inner.base_url.trim_end_matches('/'),
                path.trim_start_matches('/')
            )
        };
        let mut url = Url::parse(&joined).map_err(|e| {
            Error::Config(format!(
                "resource `{}`: `{joined}` is not a URL: {e}",
                endpoint.resource
            ))
        })?;
        if !endpoint.params.is_empty() {
            let params = endpoint
                .params
                .iter()
                .map(|(k, v)| Ok((*k, render(v)?)))
                .collect::<Result<Vec<_>>>()?;
            url.query_pairs_mut().extend_pairs(params);
        }
        let headers = endpoint
            .headers
            .iter()
            .map(|(k, v)| Ok((k.to_string(), render(v)?)))
            .collect::<Result<Vec<_>>>()?;
        let json = endpoint
            .json
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| {
                Error::Config(format!(
                    "resource `{}`: the JSON body is not JSON: {e}",
                    endpoint.resource
                ))
            })?;
        let json = match (json, context) {
            (Some(json), Some(context)) => Some(context.render_json(&json)?),
            (json, _) => json,
        };
        let mut prepared = Prepared { url, json, headers };
        if let Some(tracker) = context.and_then(|c| c.incremental) {
            for (name, value) in tracker.params() {
                prepared.set(crate::paginate::Target::Param(name), value);
            }
        }
        Ok(prepared)
    }

    /// The URL as sent: with the query api key, on every request (next links included).
    fn url_with_auth(&self, endpoint: &Endpoint, url: &Url) -> Url {
        let mut url = url.clone();
        if let Some((name, value)) = self.inner.auth_for(endpoint).query_param() {
            crate::paginate::set_query(&mut url, name, value);
        }
        url
    }

    /// Sends one request, retrying by the policy; returns the headers and body of a
    /// success.
    async fn send(
        &self,
        endpoint: &Endpoint,
        url: &Url,
        json: Option<&serde_json::Value>,
        extra_headers: &[(String, String)],
    ) -> Result<Option<(HeaderMap, Vec<u8>)>> {
        let inner = &*self.inner;
        let method = endpoint.method.as_str();
        let masked = || inner.masker.url(url);
        let max_attempts = inner.retry.max_retries.saturating_add(1);
        let mut headers = inner.headers.clone();
        headers.extend(header_map(extra_headers)?);
        let mut attempt = 0;
        let mut refreshed = false;
        loop {
            attempt += 1;
            let request = inner
                .http
                .request(
                    match endpoint.method {
                        crate::Method::Get => reqwest::Method::GET,
                        crate::Method::Post => reqwest::Method::POST,
                    },
                    url.clone(),
                )
                .headers(headers.clone());
            let request = match (json, endpoint.data) {
                (Some(json), _) => request
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(json.to_string()),
                (None, data) if !data.is_empty() => request
                    .header(
                        reqwest::header::CONTENT_TYPE,
                        "application/x-www-form-urlencoded",
                    )
                    .body(
                        url::form_urlencoded::Serializer::new(String::new())
                            .extend_pairs(data)
                            .finish(),
                    ),
                _ => request,
            };
            let auth = inner.auth_for(endpoint);
            let request = auth.apply(&inner.http, request, endpoint.resource).await?;
            tracing::debug!(resource = endpoint.resource, url = %masked(), attempt, "{method}");
            let failure = match request.send().await {
                Ok(response) if response.status().is_success() => {
                    let status = response.status().as_u16();
                    let headers = response.headers().clone();
                    match response.bytes().await {
                        Ok(body) if endpoint.ignores(status, &body) => return Ok(None),
                        Ok(body) => return Ok(Some((headers, body.to_vec()))),
                        Err(e) => Failure::Transport(describe(&e)),
                    }
                }
                // An OAuth2 token may have been revoked early: fetch a new one, once.
                Ok(response)
                    if response.status() == reqwest::StatusCode::UNAUTHORIZED
                        && !refreshed
                        && auth.forget_token().await =>
                {
                    refreshed = true;
                    attempt -= 1;
                    tracing::debug!(resource = endpoint.resource, "401: fetching a new token");
                    continue;
                }
                Ok(response) => {
                    let status = response.status();
                    let retry_after = response
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    if inner.retry.retries_status(status.as_u16()) && attempt < max_attempts {
                        Failure::Status(status, retry_after)
                    } else {
                        let body = response.text().await.unwrap_or_default();
                        if endpoint.ignores(status.as_u16(), body.as_bytes()) {
                            tracing::debug!(resource = endpoint.resource, %status, "ignored by a response action");
                            return Ok(None);
                        }
                        return Err(Error::Status {
                            resource: endpoint.resource,
                            method,
                            url: masked(),
                            status,
                            attempts: attempt,
                            body: inner.masker.text(truncate(body.trim(), BODY_IN_ERRORS)),
                        });
                    }
                }
                Err(e) => Failure::Transport(describe(&e)),
            };
            let (retry_after, reason) = match failure {
                Failure::Status(status, retry_after) => (retry_after, status.to_string()),
                Failure::Transport(message) if attempt < max_attempts => (None, message),
                Failure::Transport(message) => {
                    return Err(Error::Transport {
                        resource: endpoint.resource,
                        method,
                        url: masked(),
                        attempts: attempt,
                        message: inner.masker.text(&message),
                    })
                }
            };
            let delay = inner.retry.delay(attempt, retry_after.as_deref());
            tracing::warn!(
                resource = endpoint.resource,
                url = %masked(),
                "{method} failed ({reason}); retry {attempt} of {} in {}",
                max_attempts - 1,
                seconds(delay)
            );
            tokio::time::sleep(delay).await;
        }
    }
}

enum Failure {
    Status(reqwest::StatusCode, Option<String>),
    Transport(String),
}

/// A transport error's text without its URL (which may hold secrets).
fn describe(error: &reqwest::Error) -> String {
    use std::error::Error as _;
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_body() || error.is_decode() {
        "broken response body"
    } else {
        "request failed"
    };
    let mut message = kind.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

fn truncate(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

fn header_map<N: AsRef<str>, V: AsRef<str>>(headers: &[(N, V)]) -> Result<HeaderMap> {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let (name, value) = (name.as_ref(), value.as_ref());
        map.insert(header_name(name)?, header_value(name, value)?);
    }
    Ok(map)
}

fn header_name(name: &str) -> Result<HeaderName> {
    HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| Error::Config(format!("`{name}` is not a valid header name")))
}

fn header_value(name: &str, value: &str) -> Result<HeaderValue> {
    HeaderValue::from_str(value)
        .map_err(|_| Error::Config(format!("the value of header `{name}` is not valid")))
}

/// The records of a stream of pages, in order.
fn records_of<T: Send + 'static>(
    pages: impl Stream<Item = Result<Page<T>>> + Send + 'static,
) -> impl Stream<Item = Result<T>> + Send + 'static {
    pages
        .map_ok(|page| stream::iter(page.records.into_iter().map(Ok)))
        .try_flatten()
}

/// One paginated call in progress.
struct Walk {
    client: Client,
    endpoint: &'static Endpoint,
    /// For a child resource: the parent record it is fetched for.
    parent: Option<serde_json::Value>,
    /// For an incremental resource: the filter and state of this run.
    tracker: Option<Arc<std::sync::Mutex<Tracker>>>,
    /// `include_from_parent` fields added to every record; read from the parent when
    /// the first record needs them.
    included: Option<Vec<(String, serde_json::Value)>>,
    /// The next request; `None` once the last page has been fetched.
    next: Option<(State, Prepared)>,
    selector: Option<Selector>,
    number: u64,
    started: bool,
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

    async fn next_page<T: DeserializeOwned>(&mut self) -> Result<Option<Page<T>>> {
        let resource = self.endpoint.resource;
        if !self.started {
            self.started = true;
            let state = State::start(&self.endpoint.paginator)
                .map_err(|message| Error::Config(format!("resource `{resource}`: {message}")))?;
            let tracker = self
                .tracker
                .as_ref()
                .map(|t| t.lock().unwrap_or_else(|e| e.into_inner()));
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
        let mut tracker = self
            .tracker
            .as_ref()
            .map(|t| t.lock().unwrap_or_else(|e| e.into_inner()));
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
