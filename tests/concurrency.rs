//! Pages fetched several at a time (`Config::concurrency`, default 4): every record
//! exactly once and in order, dlt's stop rules unchanged, retries with other pages in
//! flight, and never more requests on their way than allowed, counted by the server.

use connectorgen_e2e::http;
use connectorgen_runtime::paginate::{OffsetPaginator, PageNumberPaginator};
use connectorgen_runtime::{Client, ClientConfig, Endpoint, Paginator, RetryPolicy};
use futures_util::{StreamExt, TryStreamExt};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const KEY: &str = "concurrency-key";

/// What the server was asked, and how many requests it held at once.
#[derive(Default)]
struct Seen {
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    /// Offsets in the order the requests arrived.
    offsets: Mutex<Vec<usize>>,
}

/// The events API over plain HTTP/1.1: records `offset..offset + limit` (ids are
/// offsets) below `total`, each response after `delay` so that requests overlap.
#[derive(Clone)]
struct Api {
    total: usize,
    /// Pages from this offset on are empty, whatever the total says.
    empty_from: usize,
    /// `has_more` is false on the page at this offset (`usize::MAX`: always true).
    last_page_at: usize,
    /// Statuses to answer at an offset, one per request, before answering with data.
    faults: Arc<Mutex<BTreeMap<usize, Vec<u16>>>>,
    delay: Duration,
    seen: Arc<Seen>,
}

impl Api {
    fn new(total: usize) -> Api {
        Api {
            total,
            empty_from: usize::MAX,
            last_page_at: usize::MAX,
            faults: Arc::default(),
            delay: Duration::from_millis(30),
            seen: Arc::default(),
        }
    }

    fn fault(self, offset: usize, statuses: &[u16]) -> Api {
        self.faults
            .lock()
            .unwrap()
            .entry(offset)
            .or_default()
            .extend(statuses);
        self
    }

    async fn serve(&self) -> String {
        let api = self.clone();
        http::serve(move |target| {
            let api = api.clone();
            async move {
                // Page numbers count from 1, pages of 100.
                let offset = http::number_param(&target, "offset")
                    .or_else(|| http::number_param(&target, "page").map(|page| (page - 1) * 100))
                    .unwrap_or(0);
                let now = api.seen.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                api.seen.max_in_flight.fetch_max(now, Ordering::SeqCst);
                api.seen.offsets.lock().unwrap().push(offset);
                tokio::time::sleep(api.delay).await;
                let response = api.respond(offset);
                api.seen.in_flight.fetch_sub(1, Ordering::SeqCst);
                response
            }
        })
        .await
    }

    fn respond(&self, offset: usize) -> Vec<u8> {
        let fault = self
            .faults
            .lock()
            .unwrap()
            .get_mut(&offset)
            .and_then(|statuses| (!statuses.is_empty()).then(|| statuses.remove(0)));
        let (status, body) = match fault {
            Some(status) => (status, format!("injected {status}")),
            None => {
                let end = (offset + 100).min(self.total);
                let data: Vec<_> = if offset >= self.empty_from {
                    Vec::new()
                } else {
                    (offset..end)
                        .map(|id| json!({"id": id, "name": format!("event {id}")}))
                        .collect()
                };
                let body = json!({
                    "data": data,
                    "total": self.total,
                    "pages": self.total.div_ceil(100),
                    "has_more": offset != self.last_page_at,
                });
                (200, body.to_string())
            }
        };
        let headers: &[(&str, &str)] = match status {
            200 => &[("content-type", "application/json")],
            429 => &[("retry-after", "0")],
            _ => &[],
        };
        http::response(status, headers, body.as_bytes())
    }

    fn max_in_flight(&self) -> usize {
        self.seen.max_in_flight.load(Ordering::SeqCst)
    }

    fn offsets(&self) -> Vec<usize> {
        self.seen.offsets.lock().unwrap().clone()
    }
}

fn client(base_url: String, concurrency: Option<usize>) -> events_connector::Client {
    let mut config = events_connector::Config::new(KEY);
    config.base_url = base_url;
    config.retry = RetryPolicy {
        backoff_factor: 0.01,
        ..events_connector::Config::default_retry()
    };
    if let Some(concurrency) = concurrency {
        config.concurrency = concurrency;
    }
    events_connector::Client::new(config).unwrap()
}

async fn ids(client: &events_connector::Client) -> Vec<i64> {
    client
        .event_data()
        .map_ok(|event| event.id)
        .try_collect()
        .await
        .unwrap()
}

fn sorted(mut offsets: Vec<usize>) -> Vec<usize> {
    offsets.sort_unstable();
    offsets
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn by_default_four_pages_are_on_their_way_and_every_record_comes_once_in_order() {
    let api = Api::new(1234);
    let client = client(api.serve().await, None);

    assert_eq!(ids(&client).await, (0..1234).collect::<Vec<_>>());
    assert_eq!(api.max_in_flight(), 4, "four requests at once, never more");
    // The first page alone (it tells the total), then every page below the total once.
    let offsets = api.offsets();
    assert_eq!(offsets[0], 0);
    assert_eq!(sorted(offsets), (0..1300).step_by(100).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bound_is_the_configured_concurrency() {
    for concurrency in [1, 2, 7] {
        let api = Api::new(2000);
        let client = client(api.serve().await, Some(concurrency));
        assert_eq!(ids(&client).await.len(), 2000);
        assert_eq!(
            api.max_in_flight(),
            concurrency,
            "concurrency {concurrency}"
        );
        assert_eq!(api.offsets().len(), 20, "concurrency {concurrency}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_one_request_at_a_time_requests_follow_the_pages() {
    let api = Api::new(1000);
    let client = client(api.serve().await, Some(1));
    assert_eq!(ids(&client).await.len(), 1000);
    assert_eq!(
        api.offsets(),
        (0..1000).step_by(100).collect::<Vec<_>>(),
        "in order, each once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_page_before_the_total_stops_the_resource_as_sequentially() {
    // The API announces 5,000 records but has 450: dlt stops at the first empty page.
    let api = Api {
        empty_from: 500,
        ..Api::new(5000)
    };
    let client = client(api.serve().await, Some(4));

    assert_eq!(ids(&client).await, (0..500).collect::<Vec<_>>());
    let offsets = sorted(api.offsets());
    assert!(offsets.contains(&500), "the empty page was asked for");
    // At most the three requests sent after it were wasted.
    assert!(offsets.iter().all(|offset| *offset <= 800), "{offsets:?}");
    assert_eq!(offsets[..6], [0, 100, 200, 300, 400, 500]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_and_503s_are_retried_while_other_pages_are_in_flight() {
    let api = Api::new(1500).fault(300, &[429]).fault(700, &[503, 503]);
    let client = client(api.serve().await, Some(4));

    assert_eq!(ids(&client).await, (0..1500).collect::<Vec<_>>());
    let offsets = sorted(api.offsets());
    let mut expected: Vec<usize> = (0..1500).step_by(100).collect();
    expected.extend([300, 700, 700]);
    assert_eq!(offsets, sorted(expected));
    assert!(api.max_in_flight() <= 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_that_fails_ends_the_stream_after_every_record_before_it() {
    let api = Api::new(1500).fault(600, &[500, 500, 500, 500]);
    let client = client(api.serve().await, Some(4));

    let mut stream = std::pin::pin!(client.event_data());
    let mut ids = Vec::new();
    let error = loop {
        match stream.next().await {
            Some(Ok(event)) => ids.push(event.id),
            Some(Err(error)) => break error,
            None => panic!("the stream ended without the error"),
        }
    };
    assert_eq!(ids, (0..600).collect::<Vec<_>>(), "no record after the gap");
    assert!(stream.next().await.is_none());
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
    assert!(
        error
            .to_string()
            .contains("offset=600&limit=100&api_key=***"),
        "{error}"
    );
}

/// An endpoint of the same API declared directly, with the paginators that are not in
/// the events spec.
fn endpoint(paginator: Paginator) -> &'static Endpoint {
    Box::leak(Box::new(Endpoint {
        resource: "items",
        path: "/v1/events",
        data_selector: Some("data"),
        paginator,
        ..Endpoint::DEFAULT
    }))
}

async fn values(base_url: String, endpoint: &'static Endpoint) -> Vec<i64> {
    let mut config = ClientConfig::new(base_url);
    config.concurrency = 4;
    let client = Client::new(config).unwrap();
    client
        .records::<serde_json::Value>(endpoint)
        .map_ok(|record| record["id"].as_i64().unwrap())
        .try_collect()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn has_more_false_stops_at_its_page_with_requests_ahead() {
    let api = Api {
        last_page_at: 600,
        ..Api::new(5000)
    };
    let paginator = Paginator::Offset(OffsetPaginator {
        limit: 100,
        has_more_path: Some("has_more"),
        ..OffsetPaginator::DEFAULT
    });
    let ids = values(api.serve().await, endpoint(paginator)).await;
    assert_eq!(
        ids,
        (0..700).collect::<Vec<_>>(),
        "pages 0 to 600, each once"
    );
    let offsets = sorted(api.offsets());
    assert_eq!(offsets[..7], [0, 100, 200, 300, 400, 500, 600]);
    assert!(offsets.iter().all(|offset| *offset <= 900), "{offsets:?}");
    assert!(api.max_in_flight() <= 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_numbers_from_one_go_ahead_up_to_the_total_of_pages() {
    let api = Api::new(1250);
    let paginator = Paginator::PageNumber(PageNumberPaginator {
        base_page: 1,
        total_path: Some("pages"),
        ..PageNumberPaginator::DEFAULT
    });
    let ids = values(api.serve().await, endpoint(paginator)).await;
    assert_eq!(ids, (0..1250).collect::<Vec<_>>());
    // Pages 1 to 13, each once: no page past the total was asked for.
    assert_eq!(
        sorted(api.offsets()),
        (0..1300).step_by(100).collect::<Vec<_>>()
    );
    assert_eq!(api.max_in_flight(), 4);
}
