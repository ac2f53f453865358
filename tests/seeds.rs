//! The two seed connectors (specs/events.json, specs/scheduling.yaml), generated into
//! generated/, against a local HTTP server that speaks the seed APIs.

use connectorgen_e2e::{param, query, Fault, OffsetApi};
use connectorgen_runtime::chrono::{TimeZone, Utc};
use connectorgen_runtime::{Resource, RetryPolicy, WriteDisposition};
use futures_util::{StreamExt, TryStreamExt};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const KEY: &str = "test-key-1234";

/// 1,234 events: every 7th has a null name, every 5th has no start time, every 11th
/// carries fields the spec does not declare.
fn events() -> Vec<Value> {
    (1..=1234)
        .map(|id: i64| {
            let mut event = json!({
                "id": id,
                "name": if id % 7 == 0 { Value::Null } else { json!(format!("event {id}")) },
                "start_time": if id % 5 == 0 { Value::Null } else { json!(format!("2026-03-{:02}T10:00:00Z", id % 28 + 1)) },
                "end_time": format!("2026-03-{:02}T12:30:00+02:00", id % 28 + 1),
            });
            if id % 11 == 0 {
                event["venue"] = json!({"city": "Lisbon", "seats": id});
                event["tags"] = json!(["a", "b"]);
            }
            event
        })
        .collect()
}

/// Fast retries, so that tests do not sleep for the seed's 2, 4, 8 seconds.
fn quick_retry() -> RetryPolicy {
    RetryPolicy {
        backoff_factor: 0.01,
        ..events_connector::Config::default_retry()
    }
}

/// A client sending one request at a time (the next page is still fetched while the
/// current one is read), so that the requests below come in a known order;
/// tests/concurrency.rs tests the default of four at once.
fn events_client(server: &wiremock::MockServer, key: &str) -> events_connector::Client {
    let mut config = events_connector::Config::new(key);
    config.base_url = server.uri();
    config.retry = quick_retry();
    config.concurrency = 1;
    events_connector::Client::new(config).unwrap()
}

#[tokio::test]
async fn events_fetches_every_page_with_the_api_key_on_every_request() {
    let server = OffsetApi::new(events(), "api_key", KEY)
        .serve("/v1/events")
        .await;
    let client = events_client(&server, KEY);

    let records: Vec<events_connector::EventData> =
        client.event_data().try_collect().await.unwrap();

    assert_eq!(records.len(), 1234);
    assert_eq!(
        records.iter().map(|r| r.id).collect::<Vec<_>>(),
        (1..=1234).collect::<Vec<_>>()
    );
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 13, "1,234 records at 100 a page");
    for (i, request) in requests.iter().enumerate() {
        assert_eq!(request.url.path(), "/v1/events");
        assert_eq!(
            query(request),
            vec![
                ("offset".to_string(), (i * 100).to_string()),
                ("limit".to_string(), "100".to_string()),
                ("api_key".to_string(), KEY.to_string()),
            ],
            "request {i}"
        );
    }
}

#[tokio::test]
async fn events_records_are_typed_and_keep_undeclared_fields() {
    let server = OffsetApi::new(events(), "api_key", KEY)
        .serve("/v1/events")
        .await;
    let client = events_client(&server, KEY);
    let records: Vec<events_connector::EventData> =
        client.event_data().try_collect().await.unwrap();

    let seventh = &records[6];
    assert_eq!(seventh.id, 7);
    assert_eq!(seventh.name, None, "null name");
    assert_eq!(
        seventh.start_time,
        Some(Utc.with_ymd_and_hms(2026, 3, 8, 10, 0, 0).unwrap())
    );
    // +02:00 is converted to UTC.
    assert_eq!(
        seventh.end_time,
        Some(Utc.with_ymd_and_hms(2026, 3, 8, 10, 30, 0).unwrap())
    );
    assert_eq!(records[4].start_time, None, "null start time");
    assert!(seventh.extra.is_empty());

    let eleventh = &records[10];
    assert_eq!(eleventh.name.as_deref(), Some("event 11"));
    assert_eq!(
        eleventh.extra.get("venue"),
        Some(&json!({"city": "Lisbon", "seats": 11}))
    );
    assert_eq!(eleventh.extra.get("tags"), Some(&json!(["a", "b"])));
    // Serialized back, nothing is lost.
    assert_eq!(
        serde_json::to_value(eleventh).unwrap(),
        json!({"id": 11, "name": "event 11", "start_time": "2026-03-12T10:00:00Z",
               "end_time": "2026-03-12T10:30:00Z", "venue": {"city": "Lisbon", "seats": 11}, "tags": ["a", "b"]})
    );
}

#[tokio::test]
async fn events_resource_metadata_comes_from_the_spec() {
    assert_eq!(events_connector::EventData::NAME, "event_data");
    assert_eq!(events_connector::EventData::PATH, "/v1/events");
    assert_eq!(events_connector::EventData::PRIMARY_KEY, &["id"]);
    assert_eq!(
        events_connector::EventData::WRITE_DISPOSITION,
        WriteDisposition::Merge { strategy: None }
    );
    assert_eq!(
        events_connector::Config::BASE_URL,
        "https://api.example.com"
    );
    let retry = events_connector::Config::default_retry();
    assert_eq!(retry.statuses, vec![429, 500, 502, 503, 504]);
    assert_eq!(retry.max_retries, 3);
    assert_eq!(retry.backoff_factor, 2.0);
}

#[tokio::test]
async fn a_429_with_retry_after_and_a_503_are_retried_then_succeed() {
    let server = OffsetApi::new(events(), "api_key", KEY)
        .faults([Fault::new(300, 429).retry_after("1"), Fault::new(700, 503)])
        .serve("/v1/events")
        .await;
    let client = events_client(&server, KEY);
    let started = Instant::now();

    let records: Vec<events_connector::EventData> =
        client.event_data().try_collect().await.unwrap();

    assert_eq!(records.len(), 1234);
    let requests = server.received_requests().await.unwrap();
    let offsets: Vec<String> = requests
        .iter()
        .map(|r| param(r, "offset").unwrap())
        .collect();
    assert_eq!(
        offsets,
        [
            "0", "100", "200", "300", "300", "400", "500", "600", "700", "700", "800", "900",
            "1000", "1100", "1200"
        ]
    );
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "Retry-After: 1 was honoured"
    );
}

#[tokio::test]
async fn a_persistent_500_fails_after_exactly_four_attempts() {
    let server = OffsetApi::new(events(), "api_key", KEY)
        .faults((0..10).map(|_| Fault::new(100, 500)))
        .serve("/v1/events")
        .await;
    let client = events_client(&server, KEY);

    let mut stream = std::pin::pin!(client.event_data());
    let mut received = 0;
    let error = loop {
        match stream.next().await {
            Some(Ok(_)) => received += 1,
            Some(Err(error)) => break error,
            None => panic!("the stream ended without the error"),
        }
    };

    assert_eq!(received, 100, "the first page arrived before the failure");
    assert!(
        stream.next().await.is_none(),
        "the stream ends after an error"
    );
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        requests.len(),
        1 + 4,
        "one good page, then 1 attempt + 3 retries"
    );
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(
        error.to_string(),
        format!(
            "resource `event_data`: GET {}/v1/events?offset=100&limit=100&api_key=*** \
             returned 500 Internal Server Error after 4 attempts: injected 500",
            server.uri()
        )
    );
}

#[tokio::test]
async fn a_401_fails_at_once_without_showing_the_key() {
    let server = OffsetApi::new(events(), "api_key", KEY)
        .serve("/v1/events")
        .await;
    let client = events_client(&server, "wrong-key-5678");

    let error = client
        .event_data()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();

    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "401 is not retried"
    );
    let message = error.to_string();
    assert_eq!(
        message,
        format!(
            "resource `event_data`: GET {}/v1/events?offset=0&limit=100&api_key=*** \
             returned 401 Unauthorized: {{\"error\":\"invalid api key\"}}",
            server.uri()
        )
    );
    assert!(!format!("{error:?}").contains("wrong-key-5678"));
    assert!(!format!("{client:?}").contains("wrong-key-5678"));
}

#[tokio::test]
async fn records_are_fetched_page_by_page_as_the_stream_is_read() {
    let server = OffsetApi::new(events(), "api_key", KEY)
        .serve("/v1/events")
        .await;
    let client = events_client(&server, KEY);

    let first: Vec<_> = client.event_data().take(150).try_collect().await.unwrap();
    assert_eq!(first.len(), 150);
    // The request for page 3 goes out when page 2 arrives; dropping the stream cancels
    // it, so it may or may not have reached the server. Page 4 never is asked for.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let requests = server.received_requests().await.unwrap().len();
    assert!(
        (2..=3).contains(&requests),
        "only the pages read were fetched, and at most the one after them: {requests}"
    );

    let pages: Vec<_> = client.event_data_pages().try_collect().await.unwrap();
    assert_eq!(pages.len(), 13);
    assert_eq!(pages[12].records.len(), 34);
    assert_eq!(pages[12].number, 13);
    assert!(
        pages[0]
            .url
            .ends_with("/v1/events?offset=0&limit=100&api_key=***"),
        "{}",
        pages[0].url
    );
}

#[tokio::test]
async fn a_record_that_does_not_match_the_spec_is_an_error_naming_the_field() {
    let mut records = events();
    records[42]["id"] = Value::Null;
    let server = OffsetApi::new(records, "api_key", KEY)
        .serve("/v1/events")
        .await;
    let client = events_client(&server, KEY);

    let error = client
        .event_data()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "resource `event_data`: {}/v1/events?offset=0&limit=100&api_key=***: record 43 of page 1 \
             (primary key id=null) does not match the spec: field `id`: invalid type: null, expected i64",
            server.uri()
        )
    );
}

#[tokio::test]
async fn scheduling_fetches_every_record_with_the_api_key() {
    let records: Vec<Value> = (1..=1234)
        .map(|id| json!({"id": id, "name": format!("slot {id}"), "status": if id % 3 == 0 { Value::Null } else { json!("open") }, "capacity": id % 9}))
        .collect();
    let server = OffsetApi::new(records, "api_key", KEY)
        .faults([Fault::new(0, 503), Fault::new(1200, 429).retry_after("0")])
        .serve("/v1/resource")
        .await;
    let mut config = scheduling_connector::Config::new(KEY);
    config.base_url = format!("{}/", server.uri());
    config.retry.backoff_factor = 0.01;
    let client = scheduling_connector::Client::new(config).unwrap();

    let records: Vec<scheduling_connector::ResourceName> =
        client.resource_name().try_collect().await.unwrap();

    assert_eq!(records.len(), 1234);
    assert_eq!(records[2].status, None);
    assert_eq!(records[3].status.as_deref(), Some("open"));
    assert_eq!(records[3].extra.get("capacity"), Some(&json!(4)));
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 13 + 2);
    assert!(requests
        .iter()
        .all(|r| param(r, "api_key").as_deref() == Some(KEY)));
    assert!(
        requests.iter().all(|r| r.url.path() == "/v1/resource"),
        "base URL and path joined with one slash"
    );
}

#[test]
fn from_env_reads_the_connector_variables() {
    // Both variables are only read by this test.
    std::env::set_var("SCHEDULING_API_KEY", "from-env-key");
    std::env::set_var("SCHEDULING_BASE_URL", "http://127.0.0.1:9");
    let config = scheduling_connector::Config::from_env().unwrap();
    assert_eq!(config.base_url, "http://127.0.0.1:9");
    assert_eq!(config.api_key.expose(), "from-env-key");
    assert!(!format!("{config:?}").contains("from-env-key"));

    std::env::remove_var("EVENTS_API_KEY");
    let error = events_connector::Config::from_env().unwrap_err();
    assert_eq!(
        error.to_string(),
        "environment variable EVENTS_API_KEY is not set; set it to the secret's value"
    );
}
