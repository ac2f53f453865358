//! Pagination that never ends is caught: links and cursors that cycle, and APIs that
//! return the same page again under a huge total, each end the resource with an error
//! naming it, the loop and the URL (masked), after every record before the loop came
//! exactly once. A bound on pages per resource stops with an error, never silently, and
//! an empty page before the announced total is warned about.

use connectorgen_e2e::http;
use connectorgen_runtime::paginate::{
    CursorPaginator, HeaderCursorPaginator, HeaderLinkPaginator, JsonLinkPaginator,
    OffsetPaginator, PageNumberPaginator, Target,
};
use connectorgen_runtime::{
    ApiKeyLocation, Auth, Client, ClientConfig, Endpoint, Error, Method, Paginator,
};
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

const KEY: &str = "loop-key-1234";

fn endpoint(paginator: Paginator) -> &'static Endpoint {
    endpoint_with(paginator, Some("data"))
}

/// With `selector` `None`, the records are found in the first response (and read the
/// general way there, from the text after it).
fn endpoint_with(paginator: Paginator, selector: Option<&'static str>) -> &'static Endpoint {
    Box::leak(Box::new(Endpoint {
        resource: "items",
        method: Method::Get,
        path: "/items",
        params: &[],
        headers: &[],
        json: None,
        data: &[],
        data_selector: selector,
        paginator,
        response_actions: &[],
        parent: None,
        include_from_parent: &[],
        incremental: None,
        primary_key: &["id"],
    }))
}

/// Serves `respond(target, request number)` and counts the requests.
async fn api(
    respond: impl Fn(&str, usize) -> Vec<u8> + Send + Sync + 'static,
) -> (String, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    let respond = Arc::new(respond);
    let url = http::serve(move |target| {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        let body = respond(&target, n);
        async move { body }
    })
    .await;
    (url, count)
}

/// A page of records `first..first + n`, with more fields.
fn page(first: i64, n: i64, more: Value) -> Value {
    let data: Vec<Value> = (first..first + n).map(|id| json!({"id": id})).collect();
    let mut page = json!({"data": data});
    page.as_object_mut()
        .unwrap()
        .extend(more.as_object().unwrap().clone());
    page
}

fn ok(body: &Value) -> Vec<u8> {
    http::json(body.to_string().as_bytes())
}

/// Every record the stream gave before it ended, and how it ended.
async fn run(
    base_url: &str,
    paginator: Paginator,
    config: impl FnOnce(&mut ClientConfig),
) -> (Vec<i64>, Option<Error>) {
    run_endpoint(base_url, endpoint(paginator), config).await
}

async fn run_endpoint(
    base_url: &str,
    endpoint: &'static Endpoint,
    config: impl FnOnce(&mut ClientConfig),
) -> (Vec<i64>, Option<Error>) {
    let mut settings = ClientConfig::new(base_url);
    settings.auth = Auth::ApiKey {
        name: "api_key".into(),
        location: ApiKeyLocation::Query,
        key: KEY.into(),
    };
    config(&mut settings);
    let client = Client::new(settings).unwrap();
    let mut records = client.records::<Value>(endpoint);
    let mut ids = Vec::new();
    while let Some(record) = records.next().await {
        match record {
            Ok(record) => ids.push(record["id"].as_i64().unwrap()),
            Err(error) => return (ids, Some(error)),
        }
    }
    (ids, None)
}

/// The loop error: it names the resource, says "pagination loop", and masks the key.
fn assert_loop(error: Option<Error>, url_part: &str) -> String {
    let error = error.expect("the loop ends with an error").to_string();
    assert!(error.starts_with("resource `items`: "), "{error}");
    assert!(error.contains("pagination loop"), "{error}");
    assert!(error.contains(url_part), "{error}");
    assert!(
        error.contains("api_key=***") && !error.contains(KEY),
        "{error}"
    );
    error
}

#[tokio::test]
async fn a_json_link_cycling_a_b_a() {
    let base = Arc::new(std::sync::OnceLock::<String>::new());
    let at = base.clone();
    let (url, requests) = api(move |target, _| {
        let base = at.get().unwrap();
        let (first, next) = if target.starts_with("/b") {
            (3, "/items")
        } else {
            (1, "/b")
        };
        ok(&page(first, 2, json!({"next": format!("{base}{next}")})))
    })
    .await;
    base.set(url.clone()).unwrap();
    let paginator = Paginator::JsonLink(JsonLinkPaginator {
        next_url_path: "next",
    });
    let (ids, error) = run(&url, paginator, |_| {}).await;
    assert_eq!(ids, [1, 2, 3, 4]);
    let error = assert_loop(error, "/items?api_key=***");
    assert!(error.contains("after page 2"), "{error}");
    // A and B, then nothing more: the repeat is caught before it is sent.
    assert_eq!(requests.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_json_link_to_itself() {
    let base = Arc::new(std::sync::OnceLock::<String>::new());
    let at = base.clone();
    let (url, requests) = api(move |_, _| {
        ok(&page(
            1,
            2,
            json!({"next": format!("{}/items?page=1", at.get().unwrap())}),
        ))
    })
    .await;
    base.set(url.clone()).unwrap();
    let paginator = Paginator::JsonLink(JsonLinkPaginator {
        next_url_path: "next",
    });
    let (ids, error) = run(&url, paginator, |_| {}).await;
    // The page it links to is the same page again.
    assert_eq!(ids, [1, 2]);
    let error = assert_loop(error, "/items?page=1&api_key=***");
    assert!(
        error.contains("page 2 holds the same records as page 1"),
        "{error}"
    );
    assert_eq!(requests.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_link_header_cycling_a_b_a() {
    let (url, requests) = api(|target, _| {
        let (first, next) = if target.starts_with("/b") {
            (3, "/items")
        } else {
            (1, "/b")
        };
        let link = format!("<{next}>; rel=\"next\"");
        let body = page(first, 2, json!({})).to_string();
        http::response(
            200,
            &[("link", &link), ("content-type", "application/json")],
            body.as_bytes(),
        )
    })
    .await;
    let paginator = Paginator::HeaderLink(HeaderLinkPaginator {
        links_next_key: "next",
    });
    let (ids, error) = run(&url, paginator, |_| {}).await;
    assert_eq!(ids, [1, 2, 3, 4]);
    assert_loop(error, "/items?api_key=***");
    assert_eq!(requests.load(Ordering::SeqCst), 2);
}

fn body_cursor() -> Paginator {
    Paginator::Cursor(CursorPaginator {
        cursor_path: "next_cursor",
        cursor_target: Target::Param("cursor"),
        has_more_path: None,
        stop_after_empty_page: true,
    })
}

#[tokio::test]
async fn a_cursor_that_repeats() {
    // c1 -> c2 -> c1 ..., new records every time.
    let (url, requests) = api(|_, n| {
        let next = if n % 2 == 0 { "c1" } else { "c2" };
        ok(&page(1 + 2 * n as i64, 2, json!({"next_cursor": next})))
    })
    .await;
    let (ids, error) = run(&url, body_cursor(), |_| {}).await;
    // The first request (no cursor), c1, c2; then c1 again is not sent.
    assert_eq!(ids, [1, 2, 3, 4, 5, 6]);
    let error = assert_loop(error, "cursor=c1");
    assert!(error.contains("after page 3"), "{error}");
    assert_eq!(requests.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_cycle_that_does_not_pass_through_the_first_request() {
    // No cursor -> c1 -> c2 -> c1: the page of c2 is the first page again.
    let (url, requests) = api(|target, _| {
        let (first, next) = if target.contains("cursor=c1") {
            (3, "c2")
        } else {
            (1, "c1")
        };
        ok(&page(first, 2, json!({"next_cursor": next})))
    })
    .await;
    let (ids, error) = run(&url, body_cursor(), |_| {}).await;
    assert_eq!(ids, [1, 2, 3, 4], "each record once");
    let error = assert_loop(error, "cursor=c2");
    assert!(
        error.contains("page 3 holds the same records as page 1"),
        "{error}"
    );
    assert_eq!(requests.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_header_cursor_that_repeats() {
    let (url, requests) = api(|_, n| {
        let body = page(1 + 2 * n as i64, 2, json!({})).to_string();
        http::response(
            200,
            &[("x-next", "same"), ("content-type", "application/json")],
            body.as_bytes(),
        )
    })
    .await;
    let paginator = Paginator::HeaderCursor(HeaderCursorPaginator {
        cursor_key: "x-next",
        cursor_param: "cursor",
    });
    let (ids, error) = run(&url, paginator, |_| {}).await;
    assert_eq!(ids, [1, 2, 3, 4]);
    assert_loop(error, "cursor=same");
    assert_eq!(requests.load(Ordering::SeqCst), 2);
}

/// An API that ignores the paginator's parameter: the same page for every request,
/// under a total it never reaches.
async fn same_page_api() -> (String, Arc<AtomicUsize>) {
    api(|_, _| ok(&page(1, 5, json!({"total": 1_000_000_000})))).await
}

#[tokio::test]
async fn an_offset_api_that_returns_the_same_page() {
    for concurrency in [1, 4] {
        let (url, requests) = same_page_api().await;
        let paginator = Paginator::Offset(OffsetPaginator {
            limit: 5,
            ..OffsetPaginator::DEFAULT
        });
        let (ids, error) = run(&url, paginator, |c| c.concurrency = concurrency).await;
        assert_eq!(ids, [1, 2, 3, 4, 5], "each record once");
        let error = assert_loop(error, "offset=5&limit=5&api_key=***");
        assert!(
            error.contains("page 2 holds the same records as page 1"),
            "{error}"
        );
        // The first page, the second, and at most the pages sent ahead of it.
        let sent = requests.load(Ordering::SeqCst);
        assert!((2..=1 + concurrency).contains(&sent), "{sent}");
    }
}

#[tokio::test]
async fn the_same_page_is_caught_when_the_records_are_found_in_the_first_response() {
    // The selector is found in the first response, read as JSON values; the second
    // is read from the text. Pretty-printed, as some APIs send it: the text is not what
    // the values would be written as, and the pages still compare.
    let (url, _) = api(|_, _| {
        let page = page(1, 5, json!({"total": 1_000_000_000}));
        http::json(serde_json::to_string_pretty(&page).unwrap().as_bytes())
    })
    .await;
    let paginator = Paginator::Offset(OffsetPaginator {
        limit: 5,
        ..OffsetPaginator::DEFAULT
    });
    let (ids, error) = run_endpoint(&url, endpoint_with(paginator, None), |_| {}).await;
    assert_eq!(ids, [1, 2, 3, 4, 5]);
    let error = assert_loop(error, "offset=5");
    assert!(
        error.contains("page 2 holds the same records as page 1"),
        "{error}"
    );
}

#[tokio::test]
async fn the_same_page_of_records_that_are_not_objects_is_caught() {
    // The selector is found in the first response (read as a value), and the records
    // are not objects: the second page, read from its text, still compares.
    let (url, _) = api(|_, _| ok(&json!({"data": [1, 2, 3], "total": 1_000_000_000}))).await;
    let paginator = Paginator::Offset(OffsetPaginator {
        limit: 3,
        ..OffsetPaginator::DEFAULT
    });
    let mut settings = ClientConfig::new(&url);
    settings.auth = Auth::ApiKey {
        name: "api_key".into(),
        location: ApiKeyLocation::Query,
        key: KEY.into(),
    };
    let client = Client::new(settings).unwrap();
    let mut records = client.records::<Value>(endpoint_with(paginator, None));
    let (mut received, mut error) = (Vec::new(), None);
    while let Some(record) = records.next().await {
        match record {
            Ok(record) => received.push(record),
            Err(e) => error = Some(e),
        }
    }
    assert_eq!(received.len(), 3, "each record once: {received:?}");
    let error = assert_loop(error, "offset=3");
    assert!(
        error.contains("page 2 holds the same records as page 1"),
        "{error}"
    );
}

#[tokio::test]
async fn an_offset_api_without_a_total_that_returns_the_same_page() {
    let (url, _) = same_page_api().await;
    let paginator = Paginator::Offset(OffsetPaginator {
        limit: 5,
        total_path: None,
        ..OffsetPaginator::DEFAULT
    });
    let (ids, error) = run(&url, paginator, |_| {}).await;
    assert_eq!(ids, [1, 2, 3, 4, 5]);
    assert_loop(error, "offset=5");
}

#[tokio::test]
async fn a_page_number_api_that_returns_the_same_page() {
    let (url, _) = same_page_api().await;
    let paginator = Paginator::PageNumber(PageNumberPaginator {
        base_page: 1,
        ..PageNumberPaginator::DEFAULT
    });
    let (ids, error) = run(&url, paginator, |_| {}).await;
    assert_eq!(ids, [1, 2, 3, 4, 5]);
    assert_loop(error, "page=2");
}

/// Ten pages of 5 records by offset, with the total.
async fn ten_pages() -> (String, Arc<AtomicUsize>) {
    api(|target, _| {
        let offset = http::number_param(target, "offset").unwrap_or(0) as i64;
        let n = if offset < 50 { 5 } else { 0 };
        ok(&page(offset + 1, n, json!({"total": 50})))
    })
    .await
}

#[tokio::test]
async fn the_bound_on_pages_ends_with_an_error_not_silently() {
    for concurrency in [1, 4] {
        let (url, requests) = ten_pages().await;
        let paginator = Paginator::Offset(OffsetPaginator {
            limit: 5,
            ..OffsetPaginator::DEFAULT
        });
        let (ids, error) = run(&url, paginator, |c| {
            c.max_pages = Some(3);
            c.concurrency = concurrency;
        })
        .await;
        assert_eq!(ids, (1..=15).collect::<Vec<_>>());
        let error = error
            .expect("more pages than the bound is an error")
            .to_string();
        assert!(
            error.starts_with("resource `items`: ")
                && error.contains("more than 3 pages")
                && error.contains("max_pages"),
            "{error}"
        );
        // No request past the bound went out.
        assert_eq!(requests.load(Ordering::SeqCst), 3);
    }
    // A bound the API stays within changes nothing.
    let (url, _) = ten_pages().await;
    let paginator = Paginator::Offset(OffsetPaginator {
        limit: 5,
        ..OffsetPaginator::DEFAULT
    });
    let (ids, error) = run(&url, paginator, |c| c.max_pages = Some(10)).await;
    assert_eq!((ids.len(), error.map(|e| e.to_string())), (50, None));
}

#[tokio::test]
async fn an_empty_page_before_the_total_is_warned_about() {
    use tracing_subscriber::layer::SubscriberExt;
    let logs = connectorgen_e2e::Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::registry().with(
        tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(move || writer.clone()),
    );
    let _guard = tracing::subscriber::set_default(subscriber);
    // 500 announced; the second page is empty.
    let (url, _) = api(|target, _| {
        let offset = http::number_param(target, "offset").unwrap_or(0) as i64;
        let n = if offset == 0 { 5 } else { 0 };
        ok(&page(offset + 1, n, json!({"total": 500})))
    })
    .await;
    let paginator = Paginator::Offset(OffsetPaginator {
        limit: 5,
        ..OffsetPaginator::DEFAULT
    });
    let (ids, error) = run(&url, paginator, |c| c.concurrency = 1).await;
    assert_eq!((ids.len(), error.is_none()), (5, true), "stops as dlt does");
    let logs = logs.text();
    let warning = logs
        .lines()
        .find(|l| l.contains("WARN"))
        .unwrap_or_else(|| panic!("no warning in:\n{logs}"));
    assert!(
        warning.contains("resource=\"items\"")
            && warning.contains("after 5 records, short of the 500 records the API announced"),
        "{warning}"
    );
}
