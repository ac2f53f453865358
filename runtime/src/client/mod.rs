//! The HTTP client of a connector and its public API. One concern per file:
//! [`request`] builds the first request of an endpoint, [`attempt`] sends one request,
//! [`send`] is the retry loop that decides what to do with an attempt's outcome,
//! [`walk`] follows a paginator from page to page, and [`streams`] names the streams
//! the public API returns.

mod attempt;
mod children;
mod fetch;
mod loops;
mod read;
mod redirect;
mod request;
mod send;
mod streams;
mod walk;

pub use streams::{Pages, Records};

pub(crate) use walk::describe_key;

use crate::incremental::{IncrementalRecords, Outcome, StateHandle, Tracker, Trackers};
use crate::mask::Masker;
use crate::{Auth, Endpoint, Error, Result, RetryPolicy};
use futures_util::{stream, Stream, TryStreamExt};
use request::header_map;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::time::Duration;
use url::Url;
use walk::Walk;

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
    /// Requests of one resource on their way at once, where pages can be addressed
    /// before the previous ones arrive (offset and page number once the API has told
    /// the total). Records keep their order; at most this many pages, plus the one
    /// being read, are held. When the API ends before its total (an empty page,
    /// `has_more: false`), up to `concurrency - 1` requests past the end were sent
    /// (and their responses are dropped). 1: one request at a time (the next page is
    /// still requested as soon as the paginator has seen the current one; child
    /// resources and incremental ones with `row_order` wait for the page before).
    pub concurrency: usize,
    /// At most this many pages per paginated call (for a child resource: per parent);
    /// one more ends the call with an error, never silently. `None`: no bound (loops
    /// are caught anyway: see the README, "Security and failure behaviour").
    pub max_pages: Option<u64>,
    /// Time allowed for one paginated call, from its first request to its last record
    /// taken (for a child resource: per parent); `None`: no bound. Past it the call
    /// ends with [`Error::Deadline`].
    pub resource_timeout: Option<Duration>,
}

impl ClientConfig {
    /// A base URL with its `{name}` placeholders filled (`https://{company_domain}.pipedrive.com`).
    /// A value goes in as it is, so it may only hold URL-safe characters (letters,
    /// digits, `-`, `.`, `_`, `~`): anything else could change the host or the path.
    pub fn fill_base_url(template: &str, values: &[(&str, &str)]) -> Result<String> {
        let mut url = template.to_owned();
        for (name, value) in values {
            // Dots alone (`..`) would move the path.
            let safe = !value.chars().all(|c| c == '.')
                && value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c));
            if !safe {
                return Err(Error::Config(format!(
                    "setting `{name}` is `{value}`, which cannot go into the base URL \
                     {template}: use letters, digits, `-`, `.`, `_` or `~`"
                )));
            }
            url = url.replace(&format!("{{{name}}}"), value);
        }
        Ok(url)
    }

    /// dlt's defaults: no auth, no headers, dlt's retry policy, a 60 s request timeout;
    /// four requests at once where pages can be addressed up front.
    pub fn new(base_url: impl Into<String>) -> Self {
        ClientConfig {
            base_url: base_url.into(),
            auth: Auth::None,
            endpoint_auth: Vec::new(),
            headers: Vec::new(),
            retry: RetryPolicy::default(),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
            concurrency: Self::CONCURRENCY,
            max_pages: None,
            resource_timeout: None,
        }
    }

    /// The default [`concurrency`](Self::concurrency).
    pub const CONCURRENCY: usize = 4;
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
    concurrency: usize,
    max_pages: Option<u64>,
    resource_timeout: Option<Duration>,
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
        let auths =
            || std::iter::once(&config.auth).chain(config.endpoint_auth.iter().map(|(_, a)| a));
        let http = reqwest::Client::builder()
            .redirect(redirect::policy(auths().any(Auth::sends_credentials)))
            .referer(false)
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .user_agent(concat!("connectorgen-runtime/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Config(format!("cannot start the HTTP client: {e}")))?;
        auths().for_each(Auth::remember_derived_secrets);
        let masker = Masker::new(auths().filter_map(|a| a.query_param().map(|(name, _)| name)));
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url: config.base_url,
                auth: config.auth,
                endpoint_auth: config.endpoint_auth,
                headers,
                retry: config.retry,
                masker,
                concurrency: config.concurrency,
                max_pages: config.max_pages,
                resource_timeout: config.resource_timeout,
                pages: std::sync::atomic::AtomicU64::new(0),
            }),
        })
    }

    /// How many pages this client (and its clones) have received so far.
    pub fn pages_received(&self) -> u64 {
        self.inner.pages.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Every record of an endpoint, page after page, fetched ahead of the reading: at
    /// most [`ClientConfig::concurrency`] pages on their way and one being read.
    pub fn records<T>(&self, endpoint: &'static Endpoint) -> Records<T>
    where
        T: DeserializeOwned + Send + 'static,
    {
        Records::new(records_of(self.pages(endpoint)))
    }

    /// Every page of an endpoint. The stream ends after the last page, or after the
    /// first error.
    pub fn pages<T>(&self, endpoint: &'static Endpoint) -> Pages<T>
    where
        T: DeserializeOwned + Send + 'static,
    {
        let tracker = match endpoint
            .incremental
            .map(|config| Tracker::new(endpoint.resource, config, endpoint.primary_key, None))
        {
            Some(Ok(tracker)) => Some(Arc::new(std::sync::Mutex::new(tracker))),
            Some(Err(error)) => return Pages::new(stream::once(async move { Err(error) })),
            None => None,
        };
        Pages::new(self.walk(endpoint, None, tracker))
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
                let records = Records::new(records_of(self.walk::<T>(
                    endpoint,
                    None,
                    Some(tracker.clone()),
                )));
                IncrementalRecords {
                    records,
                    handle: Some(StateHandle {
                        trackers: Trackers::One(tracker),
                        outcome,
                    }),
                }
            }
            Err(error) => IncrementalRecords {
                records: Records::new(stream::once(async move { Err(error) })),
                handle: None,
            },
        }
    }

    pub(super) fn walk<T>(
        &self,
        endpoint: &'static Endpoint,
        parent: Option<serde_json::Value>,
        tracker: Option<Arc<std::sync::Mutex<Tracker>>>,
    ) -> impl Stream<Item = Result<Page<T>>> + Send + 'static
    where
        T: DeserializeOwned + Send + 'static,
    {
        let walk = Walk::new(self, endpoint, parent, tracker, read::Reader::of::<T>());
        pages_of(walk).map_ok(|page| Page {
            records: read::unbox(page.records),
            number: page.number,
            url: page.url,
        })
    }
}

/// The pages of a walk, records boxed: not generic, so compiled once.
fn pages_of(walk: Walk) -> impl Stream<Item = Result<walk::BoxedPage>> + Send + 'static {
    stream::try_unfold(walk, |mut walk| async move {
        let next = match walk.deadline() {
            // A page that is ready is not taken past the deadline either.
            Some(deadline) if tokio::time::Instant::now() >= deadline => Err(walk.overdue()),
            Some(deadline) => tokio::time::timeout_at(deadline, walk.next_page())
                .await
                .unwrap_or_else(|_| Err(walk.overdue())),
            None => walk.next_page().await,
        };
        // The one way out of a walk: every error is masked here.
        match next.map_err(Error::masked)? {
            Some(page) => Ok(Some((page, walk))),
            None => Ok(None),
        }
    })
}

/// The records of a stream of pages, in order.
pub(super) fn records_of<T: Send + 'static>(
    pages: impl Stream<Item = Result<Page<T>>> + Send + 'static,
) -> impl Stream<Item = Result<T>> + Send + 'static {
    pages
        .map_ok(|page| stream::iter(page.records.into_iter().map(Ok)))
        .try_flatten()
}
