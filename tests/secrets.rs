//! Secrets never leave the process: every auth type through every failure path, with
//! servers that echo what they receive (query, headers, body) back into error bodies
//! and records, at TRACE level. Every text a user can see (the error's `Display` and
//! `Debug`, the runtime's own log lines as they are, and every log line of every crate
//! through `MaskedWriter`) is searched for every form of every secret.

use connectorgen_e2e::Captured;
use connectorgen_runtime::{
    ApiKeyLocation, Auth, Client, ClientConfig, Endpoint, MaskedWriter, Method, Paginator,
    RetryPolicy,
};
use futures_util::TryStreamExt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Characters that every encoding changes: `/+&=` and a space.
const SECRET: &str = "tok/+&=en 42x";
const USERNAME: &str = "ann";
const CLIENT_ID: &str = "client-id-77";
const ACCESS_TOKEN: &str = "acc/ess+tok=en";

/// Every form a secret can be seen in: as it is, URL-encoded in both styles and both
/// cases, JSON-escaped; its first half as well, so that a secret cut in two is caught.
fn forms(secret: &str) -> Vec<String> {
    let half: String = secret
        .chars()
        .take(secret.chars().count() / 2 + 1)
        .collect();
    let mut forms = Vec::new();
    for value in [secret.to_owned(), half] {
        let component: String = value
            .bytes()
            .map(|b| match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        let form: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
        forms.push(component.to_lowercase());
        forms.push(form.to_lowercase());
        forms.push(component);
        forms.push(form);
        forms.push(value.replace('/', "\\/"));
        forms.push(value);
    }
    forms
}

fn all_forms() -> Vec<String> {
    use base64::Engine as _;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{USERNAME}:{SECRET}"));
    let mut all = forms(SECRET);
    all.extend(forms(ACCESS_TOKEN));
    all.extend(forms(CLIENT_ID));
    all.push(basic.trim_end_matches('=').to_owned());
    all
}

/// Panics naming the form of a secret found in `text`.
fn assert_clean(what: &str, text: &str) {
    for form in all_forms() {
        assert!(
            !text.contains(&form),
            "{what} shows the secret as `{form}`:\n{text}"
        );
    }
}

/// Everything the server received, as one text.
fn echo(request: &Request) -> String {
    let mut text = format!("{} {}\n", request.method, request.url);
    for (name, value) in request.headers.iter() {
        text.push_str(&format!("{name}: {}\n", value.to_str().unwrap_or("?")));
    }
    text.push_str(&String::from_utf8_lossy(&request.body));
    text
}

/// The API: the path says how it fails, and every answer quotes the request.
struct Echo {
    /// Requests to `/retry` so far: every other one fails with 503.
    retries: AtomicUsize,
    elsewhere: String,
}

impl Respond for Echo {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let echoed = echo(request);
        match request.url.path() {
            "/token" => ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "access_token": ACCESS_TOKEN, "expires_in": 3600
            })),
            "/bad-token" => ResponseTemplate::new(401).set_body_string(echoed),
            "/status" => ResponseTemplate::new(400).set_body_string(echoed),
            // The secret straddles the 512 characters an error quotes.
            "/long" => {
                let at = all_forms()
                    .iter()
                    .filter_map(|form| echoed.find(form.as_str()))
                    .min()
                    .unwrap_or(0);
                let pad = "x".repeat(506usize.saturating_sub(at));
                ResponseTemplate::new(400).set_body_string(format!("{pad}{echoed}"))
            }
            "/record" => ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "data": [{"id": echoed}]
            })),
            // One retried failure (logged at WARN with the URL), then a bad status.
            "/retry"
                if self
                    .retries
                    .fetch_add(1, Ordering::SeqCst)
                    .is_multiple_of(2) =>
            {
                ResponseTemplate::new(503).set_body_string(echoed)
            }
            "/retry" => ResponseTemplate::new(418).set_body_string(echoed),
            "/redirect" => ResponseTemplate::new(302)
                .insert_header("location", format!("{}/status", self.elsewhere).as_str()),
            "/same-origin" => ResponseTemplate::new(307).insert_header("location", "/status"),
            _ => ResponseTemplate::new(404),
        }
    }
}

#[derive(Debug, connectorgen_runtime::serde::Deserialize)]
#[serde(crate = "connectorgen_runtime::serde")]
#[allow(dead_code)]
struct Row {
    id: i64,
}

fn endpoint(path: &'static str) -> &'static Endpoint {
    Box::leak(Box::new(Endpoint {
        resource: "things",
        method: Method::Get,
        path,
        params: &[("q", "1")],
        headers: &[],
        json: None,
        data: &[],
        data_selector: Some("data"),
        paginator: Paginator::SinglePage,
        response_actions: &[],
        parent: None,
        include_from_parent: &[],
        incremental: None,
        primary_key: &[],
    }))
}

fn auths(token_url: &str) -> Vec<(&'static str, Auth)> {
    vec![
        (
            "api key in the query",
            Auth::ApiKey {
                name: "api_key".into(),
                location: ApiKeyLocation::Query,
                key: SECRET.into(),
            },
        ),
        (
            "api key in a query parameter of another name",
            Auth::ApiKey {
                name: "sig".into(),
                location: ApiKeyLocation::Query,
                key: SECRET.into(),
            },
        ),
        (
            "api key in a header",
            Auth::ApiKey {
                name: "X-API-Key".into(),
                location: ApiKeyLocation::Header,
                key: SECRET.into(),
            },
        ),
        (
            "api key in a cookie",
            Auth::ApiKey {
                name: "session".into(),
                location: ApiKeyLocation::Cookie,
                key: SECRET.into(),
            },
        ),
        (
            "bearer",
            Auth::Bearer {
                token: SECRET.into(),
            },
        ),
        (
            "basic",
            Auth::HttpBasic {
                username: USERNAME.into(),
                password: SECRET.into(),
            },
        ),
        (
            "oauth2",
            Auth::oauth2(
                format!("{token_url}/token"),
                CLIENT_ID,
                SECRET,
                vec![],
                Duration::from_secs(3600),
            ),
        ),
        (
            "oauth2 whose token request fails",
            Auth::oauth2(
                format!("{token_url}/bad-token"),
                CLIENT_ID,
                SECRET,
                vec![("scope".into(), SECRET.into())],
                Duration::from_secs(3600),
            ),
        ),
    ]
}

/// Runs `path` under `auth` at TRACE level; returns the error's texts and the logs:
/// the runtime's own lines unmasked, and everyone's through `MaskedWriter`.
async fn failing_run(base_url: &str, auth: Auth, path: &'static str) -> (String, String, String) {
    use tracing_subscriber::layer::SubscriberExt;
    let own = Captured::default();
    let everyone = Captured::default();
    let (own_writer, everyone_writer) = (own.clone(), everyone.clone());
    let subscriber = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(move || own_writer.clone())
                .with_filter(
                    tracing_subscriber::filter::Targets::new()
                        .with_target("connectorgen_runtime", tracing::Level::TRACE),
                ),
        )
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(move || MaskedWriter(everyone_writer.clone()))
                .with_filter(tracing_subscriber::filter::LevelFilter::TRACE),
        );
    let _guard = tracing::subscriber::set_default(subscriber);
    let mut config = ClientConfig::new(base_url);
    config.auth = auth;
    config.retry = RetryPolicy {
        max_retries: 1,
        backoff_factor: 0.001,
        ..RetryPolicy::default()
    };
    let client = Client::new(config).unwrap();
    let error = client
        .records::<Row>(endpoint(path))
        .try_collect::<Vec<_>>()
        .await
        .expect_err("every path here fails");
    (format!("{error}\n{error:?}"), own.text(), everyone.text())
}

use tracing_subscriber::Layer as _;

async fn servers() -> (MockServer, MockServer) {
    let elsewhere = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(Echo {
            retries: AtomicUsize::new(0),
            elsewhere: String::new(),
        })
        .mount(&elsewhere)
        .await;
    let api = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(Echo {
            retries: AtomicUsize::new(0),
            elsewhere: elsewhere.uri(),
        })
        .mount(&api)
        .await;
    (api, elsewhere)
}

#[tokio::test]
async fn no_failure_path_shows_any_form_of_any_secret() {
    let (api, elsewhere) = servers().await;
    let paths = [
        "/status",
        "/long",
        "/record",
        "/retry",
        "/same-origin",
        "/redirect",
    ];
    for (name, auth) in auths(&api.uri()) {
        for path in paths {
            let (error, own, everyone) = failing_run(&api.uri(), auth.clone(), path).await;
            let what = format!("{name}, {path}");
            assert!(error.contains("things"), "{what}: {error}");
            assert_clean(&format!("{what}: the error"), &error);
            assert_clean(&format!("{what}: the runtime's logs"), &own);
            assert_clean(&format!("{what}: the masked logs"), &everyone);
            assert!(
                everyone.contains("TRACE") || everyone.contains("DEBUG"),
                "{what}: nothing was logged at TRACE:\n{everyone}"
            );
        }
    }
    // The other origin never heard from a connector that carries credentials.
    assert!(elsewhere.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_connection_that_fails_shows_no_secret() {
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base_url = format!("http://127.0.0.1:{port}");
    for (name, auth) in auths(&base_url) {
        let (error, own, everyone) = failing_run(&base_url, auth, "/status").await;
        assert_clean(&format!("{name}: the error"), &error);
        assert_clean(&format!("{name}: the runtime's logs"), &own);
        assert_clean(&format!("{name}: the masked logs"), &everyone);
    }
}

#[tokio::test]
async fn errors_say_what_failed_with_the_secret_masked() {
    let (api, _elsewhere) = servers().await;
    let key = Auth::ApiKey {
        name: "api_key".into(),
        location: ApiKeyLocation::Query,
        key: SECRET.into(),
    };
    let (error, _, _) = failing_run(&api.uri(), key.clone(), "/status").await;
    let first = error.lines().next().unwrap();
    assert!(
        first.starts_with(&format!(
            "resource `things`: GET {}/status?q=1&api_key=*** returned 400 Bad Request: GET http://localhost/status?q=1&api_key=***",
            api.uri()
        )),
        "{first}"
    );
    // The cut comes after masking: the long body ends in `***`, not half a key.
    let (error, _, _) = failing_run(&api.uri(), key.clone(), "/long").await;
    assert!(error.contains("api_key=***"), "{error}");
    let (error, _, _) = failing_run(&api.uri(), key.clone(), "/record").await;
    assert!(error.contains("api_key=***"), "{error}");
    let (error, _, _) = failing_run(&api.uri(), key, "/redirect").await;
    assert!(
        error.contains("redirect refused") && error.contains("another origin"),
        "{error}"
    );
    let basic = Auth::HttpBasic {
        username: USERNAME.into(),
        password: SECRET.into(),
    };
    let (error, _, _) = failing_run(&api.uri(), basic, "/status").await;
    assert!(error.contains("authorization: Basic ***"), "{error}");
}

#[tokio::test]
async fn a_connector_without_credentials_follows_a_redirect_elsewhere_with_no_referer() {
    let (api, elsewhere) = servers().await;
    let (error, _, _) = failing_run(&api.uri(), Auth::None, "/redirect").await;
    // Followed: the other server's 400 echoes the request, which has no Referer.
    assert!(error.contains("returned 400"), "{error}");
    let received = elsewhere.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    assert!(received[0].headers.get("referer").is_none(), "{error}");
}

/// The events API: a page of 100 records, then (when `total` says there is more) a
/// 400 whose body quotes the request target, api key and all. Every request is first
/// redirected within the origin, which a connector with credentials follows.
fn events_api(total: usize) -> String {
    use connectorgen_e2e::http;
    let records: Vec<_> = (0..100)
        .map(|i| serde_json::json!({"id": i, "name": format!("event {i}")}))
        .collect();
    let page = serde_json::to_vec(&serde_json::json!({"data": records, "total": total})).unwrap();
    http::serve_on_thread(move |target| {
        let page = page.clone();
        async move {
            if !target.ends_with("&moved=1") {
                let location = format!("{target}&moved=1");
                http::response(307, &[("location", &location)], b"")
            } else if http::number_param(&target, "offset") == Some(0) {
                http::json(&page)
            } else {
                http::response(400, &[], format!("bad request {target}").as_bytes())
            }
        }
    })
}

#[test]
fn the_program_at_trace_level_shows_no_secret() {
    let program = connectorgen_e2e::events_program();
    let base_url = events_api(150);
    let output = std::process::Command::new(&program)
        .args(["--resource", "event_data", "--base-url", &base_url])
        .args(["--concurrency", "1", "-vv"])
        .env("EVENTS_API_KEY", SECRET)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    // It failed where the API did, said so, and logged at TRACE on the way.
    assert!(
        stderr.contains("offset=100&limit=100&api_key=*** returned 400"),
        "{stderr}"
    );
    assert!(stderr.contains("TRACE"), "{stderr}");
    assert_clean("the program's stderr", &stderr);
    assert_clean(
        "the program's stdout",
        &String::from_utf8_lossy(&output.stdout),
    );
}

#[test]
fn a_sync_leaves_no_secret_in_the_database_or_its_state() {
    let program = connectorgen_e2e::events_program();
    let base_url = events_api(100);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("events.db");
    let output = std::process::Command::new(&program)
        .args(["sync", "--base-url", &base_url, "-vv"])
        .args(["--destination", &format!("sqlite:{}", db.display())])
        .env("EVENTS_API_KEY", SECRET)
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_clean("the sync's stderr", &stderr);
    let mut files = 0;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        assert_clean(
            &path.display().to_string(),
            &String::from_utf8_lossy(&bytes),
        );
        files += 1;
    }
    assert!(files >= 1);
    let rows: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT count(*) FROM event_data", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 100);
}
