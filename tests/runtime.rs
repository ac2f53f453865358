//! The runtime on its own: auth, headers, URLs, retries of transport failures, masking.

use connectorgen_runtime::paginate::{OffsetPaginator, Target};
use connectorgen_runtime::{
    ApiKeyLocation, Auth, Client, ClientConfig, Endpoint, Method, Paginator, RetryPolicy,
};
use futures_util::TryStreamExt;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

static ITEMS: Endpoint = Endpoint {
    resource: "items",
    method: Method::Get,
    path: "/items",
    params: &[("q", "x"), ("limit", "overridden")],
    headers: &[("X-Scope", "endpoint")],
    json: None,
    data: &[],
    data_selector: Some("results"),
    paginator: Paginator::SinglePage,
    response_actions: &[],
    parent: None,
    include_from_parent: &[],
    incremental: None,
    primary_key: &[],
};

fn config(base_url: String, auth: Auth) -> ClientConfig {
    let mut config = ClientConfig::new(base_url);
    config.auth = auth;
    config.retry = RetryPolicy {
        backoff_factor: 0.01,
        ..RetryPolicy::default()
    };
    config
}

async fn one_page_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/items"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": [{"a": 1}]})))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn http_basic_bearer_and_header_api_keys_are_sent_as_dlt_sends_them() {
    let server = one_page_server().await;
    let cases = [
        (
            Auth::HttpBasic {
                username: "ann".into(),
                password: "s3cret".into(),
            },
            ("authorization", "Basic YW5uOnMzY3JldA=="),
        ),
        (
            Auth::Bearer {
                token: "tok".into(),
            },
            ("authorization", "Bearer tok"),
        ),
        (
            Auth::ApiKey {
                name: "X-Key".into(),
                location: ApiKeyLocation::Header,
                key: "k1".into(),
            },
            ("x-key", "k1"),
        ),
    ];
    for (auth, (name, value)) in cases {
        let client = Client::new(config(server.uri(), auth)).unwrap();
        let records: Vec<Value> = client.records::<Value>(&ITEMS).try_collect().await.unwrap();
        assert_eq!(records, vec![json!({"a": 1})]);
        let requests = server.received_requests().await.unwrap();
        let request = requests.last().unwrap();
        assert_eq!(request.headers.get(name).unwrap().to_str().unwrap(), value);
        assert_eq!(
            request.url.query(),
            Some("q=x&limit=overridden"),
            "header auth adds no query"
        );
    }
}

#[tokio::test]
async fn client_headers_are_sent_and_endpoint_headers_win() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header("X-Scope", "endpoint"))
        .and(header("X-Team", "data"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": []})))
        .mount(&server)
        .await;
    let mut config = config(server.uri(), Auth::None);
    config.headers = vec![
        ("X-Scope".into(), "client".into()),
        ("X-Team".into(), "data".into()),
    ];
    let client = Client::new(config).unwrap();
    let records: Vec<Value> = client.records::<Value>(&ITEMS).try_collect().await.unwrap();
    assert!(records.is_empty());
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn paginator_params_replace_endpoint_params_and_query_keys_follow_every_page() {
    static PAGED: Endpoint = Endpoint {
        resource: "paged",
        method: Method::Get,
        path: "items",
        params: &[("limit", "999"), ("sort", "asc")],
        headers: &[],
        json: None,
        data: &[],
        data_selector: None,
        paginator: Paginator::Offset(OffsetPaginator {
            limit: 2,
            offset: 0,
            offset_target: Target::Param("offset"),
            limit_target: Target::Param("limit"),
            total_path: None,
            maximum_offset: None,
            stop_after_empty_page: true,
            has_more_path: None,
        }),
        response_actions: &[],
        parent: None,
        include_from_parent: &[],
        incremental: None,
        primary_key: &[],
    };
    let server = MockServer::start().await;
    for (offset, body) in [("0", json!([1, 2])), ("2", json!([3])), ("4", json!([]))] {
        Mock::given(wiremock::matchers::query_param("offset", offset))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(&server)
            .await;
    }
    let auth = Auth::ApiKey {
        name: "sig".into(),
        location: ApiKeyLocation::Query,
        key: "zz-top".into(),
    };
    let client = Client::new(config(format!("{}/base/..//", server.uri()), auth)).unwrap();
    let records: Vec<Value> = client.records::<Value>(&PAGED).try_collect().await.unwrap();
    assert_eq!(
        records,
        vec![
            json!({"value": 1}),
            json!({"value": 2}),
            json!({"value": 3})
        ],
        "a short page does not stop; the empty one does; scalars become `value`"
    );
    let queries: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| format!("{} {}", r.url.path(), r.url.query().unwrap_or_default()))
        .collect();
    assert_eq!(
        queries,
        [
            "/items limit=2&sort=asc&offset=0&sig=zz-top",
            "/items limit=2&sort=asc&offset=2&sig=zz-top",
            "/items limit=2&sort=asc&offset=4&sig=zz-top",
        ]
    );
}

#[tokio::test]
async fn connection_failures_are_retried_then_reported_with_a_masked_url() {
    // A port with nothing listening: bind, note the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let auth = Auth::ApiKey {
        name: "api_key".into(),
        location: ApiKeyLocation::Query,
        key: "hidden-key".into(),
    };
    let mut config = config(format!("http://127.0.0.1:{port}"), auth);
    config.retry.max_retries = 2;
    let client = Client::new(config).unwrap();
    let error = client
        .records::<Value>(&ITEMS)
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(
        message.starts_with(&format!(
            "resource `items`: GET http://127.0.0.1:{port}/items?q=x&limit=overridden&api_key=*** failed after 3 attempts: could not connect"
        )),
        "{message}"
    );
    assert!(!message.contains("hidden-key"));
}

#[tokio::test]
async fn slow_responses_time_out_and_are_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let mut config = config(server.uri(), Auth::None);
    config.timeout = Duration::from_millis(200);
    config.retry.max_retries = 1;
    let client = Client::new(config).unwrap();
    let started = Instant::now();
    let error = client
        .records::<Value>(&ITEMS)
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("failed after 2 attempts: timed out"),
        "{error}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn missing_total_is_an_error_naming_the_resource() {
    static TOTALS: Endpoint = Endpoint {
        resource: "totals",
        method: Method::Get,
        path: "/items",
        params: &[],
        headers: &[],
        json: None,
        data: &[],
        data_selector: Some("results"),
        paginator: Paginator::Offset(OffsetPaginator {
            limit: 10,
            offset: 0,
            offset_target: Target::Param("offset"),
            limit_target: Target::Param("limit"),
            total_path: Some("meta.total"),
            maximum_offset: None,
            stop_after_empty_page: true,
            has_more_path: None,
        }),
        response_actions: &[],
        parent: None,
        include_from_parent: &[],
        incremental: None,
        primary_key: &[],
    };
    let server = one_page_server().await;
    let client = Client::new(config(server.uri(), Auth::None)).unwrap();
    let error = client
        .records::<Value>(&TOTALS)
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "resource `totals`: {}/items?offset=0&limit=10: total not found at `meta.total` in the response; \
             set the paginator's `total_path` to where the API reports it, or `total_path: null` to page until an empty page",
            server.uri()
        )
    );
}

#[test]
fn bad_base_urls_are_config_errors() {
    let error = Client::new(ClientConfig::new("api.example.com")).unwrap_err();
    assert_eq!(
        error.to_string(),
        "base URL `api.example.com` is not a URL: relative URL without a base"
    );
    let error = Client::new(ClientConfig::new("ftp://api.example.com")).unwrap_err();
    assert_eq!(
        error.to_string(),
        "base URL `ftp://api.example.com` must start with http:// or https://"
    );
}

mod oauth2 {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// A token endpoint handing out `tok-1`, `tok-2`, ... with `expires_in`, and an API
    /// that accepts only the latest token.
    async fn server(expires_in: u64) -> (MockServer, Arc<AtomicUsize>) {
        let server = MockServer::start().await;
        let issued = Arc::new(AtomicUsize::new(0));
        let counter = issued.clone();
        Mock::given(method("POST"))
            .and(path("/oauth/token"))
            .respond_with(move |_: &wiremock::Request| {
                let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
                ResponseTemplate::new(200).set_body_json(
                    json!({"access_token": format!("tok-{n}"), "expires_in": expires_in}),
                )
            })
            .mount(&server)
            .await;
        let latest = issued.clone();
        Mock::given(method("GET"))
            .and(path("/items"))
            .respond_with(move |r: &wiremock::Request| {
                let expected = format!("Bearer tok-{}", latest.load(Ordering::SeqCst));
                match r.headers.get("authorization").and_then(|v| v.to_str().ok()) {
                    Some(got) if got == expected => {
                        ResponseTemplate::new(200).set_body_json(json!({"results": [{"a": 1}]}))
                    }
                    _ => ResponseTemplate::new(401),
                }
            })
            .mount(&server)
            .await;
        (server, issued)
    }

    fn client(server: &MockServer) -> Client {
        let auth = Auth::oauth2(
            format!("{}/oauth/token", server.uri()),
            "client-1",
            "very-secret",
            vec![("scope".into(), "read".into())],
            Duration::from_secs(3600),
        );
        Client::new(config(server.uri(), auth)).unwrap()
    }

    #[tokio::test]
    async fn the_token_is_fetched_once_with_a_form_post_and_cached() {
        let (server, issued) = server(3600).await;
        let client = client(&server);
        for _ in 0..3 {
            let records: Vec<Value> = client.records::<Value>(&ITEMS).try_collect().await.unwrap();
            assert_eq!(records.len(), 1);
        }
        assert_eq!(issued.load(Ordering::SeqCst), 1);
        let requests = server.received_requests().await.unwrap();
        let token_request = &requests[0];
        assert_eq!(
            token_request.headers.get("content-type").unwrap(),
            "application/x-www-form-urlencoded"
        );
        assert_eq!(
            String::from_utf8_lossy(&token_request.body),
            "grant_type=client_credentials&client_id=client-1&client_secret=very-secret&scope=read"
        );
    }

    #[tokio::test]
    async fn a_token_is_refreshed_shortly_before_it_expires() {
        let (server, issued) = server(1).await;
        let client = client(&server);
        let _: Vec<Value> = client.records::<Value>(&ITEMS).try_collect().await.unwrap();
        tokio::time::sleep(Duration::from_millis(950)).await;
        let _: Vec<Value> = client.records::<Value>(&ITEMS).try_collect().await.unwrap();
        assert_eq!(
            issued.load(Ordering::SeqCst),
            2,
            "refreshed 0.1 s before the 1 s expiry"
        );
    }

    #[tokio::test]
    async fn a_401_fetches_a_new_token_once_and_retries() {
        let (server, issued) = server(3600).await;
        let client = client(&server);
        let _: Vec<Value> = client.records::<Value>(&ITEMS).try_collect().await.unwrap();
        // The server revokes tok-1 by issuing tok-2 to someone else.
        issued.fetch_add(1, Ordering::SeqCst);
        let records: Vec<Value> = client.records::<Value>(&ITEMS).try_collect().await.unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(
            issued.load(Ordering::SeqCst),
            3,
            "tok-3 fetched after the 401"
        );
    }

    #[tokio::test]
    async fn a_failing_token_endpoint_is_an_auth_error_without_secrets() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(401).set_body_string("invalid_client"))
            .mount(&server)
            .await;
        let client = client(&server);
        let error = client
            .records::<Value>(&ITEMS)
            .try_collect::<Vec<_>>()
            .await
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "resource `items`: authentication at {}/oauth/token failed: token request returned 401 Unauthorized: invalid_client",
                server.uri()
            )
        );
        assert!(!format!("{error:?}{client:?}").contains("very-secret"));
    }
}

#[tokio::test]
async fn an_absolute_path_ignores_the_base_url() {
    let server = one_page_server().await;
    // Generated code declares endpoints as statics; a test can leak one.
    let endpoint: &'static Endpoint = Box::leak(Box::new(Endpoint {
        path: Box::leak(format!("{}/items", server.uri()).into_boxed_str()),
        ..ITEMS
    }));
    let client = Client::new(config("http://127.0.0.1:9/unused".into(), Auth::None)).unwrap();
    let records: Vec<Value> = client
        .records::<Value>(endpoint)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(records, vec![json!({"a": 1})]);
    assert_eq!(
        server.received_requests().await.unwrap()[0].url.path(),
        "/items"
    );
}

/// Real APIs compress: the client asks for gzip, deflate and brotli, and decodes them.
#[tokio::test]
async fn compressed_responses_are_asked_for_and_decoded() {
    use std::io::Write as _;
    let body = serde_json::to_vec(&json!({"results": [{"id": 1}, {"id": 2}]})).unwrap();
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&body).unwrap();
    let gzipped = encoder.finish().unwrap();
    let mut brotli = Vec::new();
    brotli::BrotliCompress(
        &mut &body[..],
        &mut brotli,
        &brotli::enc::BrotliEncoderParams::default(),
    )
    .unwrap();
    for (encoding, encoded) in [("gzip", gzipped), ("br", brotli)] {
        assert_ne!(encoded, body);
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/items"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("content-type", "application/json")
                    .insert_header("content-encoding", encoding)
                    .set_body_raw(encoded, "application/json"),
            )
            .mount(&server)
            .await;
        let client = Client::new(config(server.uri(), Auth::None)).unwrap();
        let records: Vec<Value> = client.records(&ITEMS).try_collect().await.unwrap();
        assert_eq!(records, [json!({"id": 1}), json!({"id": 2})], "{encoding}");
        let request = &server.received_requests().await.unwrap()[0];
        let accepted = request
            .headers
            .get("accept-encoding")
            .unwrap()
            .to_str()
            .unwrap();
        assert!(
            ["gzip", "deflate", "br"]
                .iter()
                .all(|e| accepted.contains(e)),
            "{accepted}"
        );
    }
}
