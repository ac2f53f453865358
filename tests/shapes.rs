//! The connectors of specs/ shaped like real public APIs, each against a local server
//! that speaks that shape: every record fetched, the exact requests asserted.

use connectorgen_e2e::describe;
use futures_util::TryStreamExt;
use serde_json::{json, Value};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

async fn serve(
    respond: impl Fn(&Request) -> ResponseTemplate + Send + Sync + 'static,
) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(respond)
        .mount(&server)
        .await;
    server
}

async fn requests(server: &MockServer) -> Vec<String> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(describe)
        .collect()
}

fn param(request: &Request, name: &str) -> Option<String> {
    connectorgen_e2e::param(request, name)
}

fn host(request: &Request) -> String {
    format!(
        "http://{}",
        request.headers.get("host").unwrap().to_str().unwrap()
    )
}

/// GitHub: `Link` headers with absolute URLs; a single-entity endpoint for the repo.
#[tokio::test]
async fn github_issues_follow_link_headers() {
    let server = serve(|r| {
        assert_eq!(r.headers.get("authorization").unwrap(), "Bearer ghp_test");
        assert_eq!(r.headers.get("accept").unwrap(), "application/vnd.github+json");
        if r.url.path() == "/repos/acme/widgets" {
            return ResponseTemplate::new(200).set_body_json(json!({"id": 1, "full_name": "acme/widgets", "stargazers_count": 7}));
        }
        let page: i64 = param(r, "page").and_then(|p| p.parse().ok()).unwrap_or(1);
        let issues: Vec<Value> = ((page - 1) * 100..(page * 100).min(250))
            .map(|n| json!({"id": 1000 + n, "number": n + 1, "title": format!("Issue {}", n + 1), "state": "open",
                            "created_at": "2026-01-02T03:04:05Z", "closed_at": null, "labels": [{"name": "bug"}], "user": {"login": "ann"}}))
            .collect();
        let mut response = ResponseTemplate::new(200).set_body_json(issues);
        if page < 3 {
            let base = host(r);
            response = response.insert_header(
                "Link",
                format!(r#"<{base}/repositories/1/issues?state=all&per_page=100&page={}>; rel="next", <{base}/repositories/1/issues?state=all&per_page=100&page=3>; rel="last""#, page + 1).as_str(),
            );
        }
        response
    })
    .await;
    let mut config = github_connector::Config::new("ghp_test");
    config.base_url = server.uri();
    let client = github_connector::Client::new(config).unwrap();

    let issues: Vec<github_connector::Issue> = client.issues().try_collect().await.unwrap();
    assert_eq!(issues.len(), 250);
    assert_eq!(issues[249].number, 250);
    assert_eq!(issues[0].labels, Some(json!([{"name": "bug"}])));
    assert_eq!(issues[0].extra.get("user"), Some(&json!({"login": "ann"})));
    let repo: Vec<github_connector::Repository> = client.repository().try_collect().await.unwrap();
    assert_eq!(repo[0].full_name.as_deref(), Some("acme/widgets"));
    assert_eq!(
        requests(&server).await,
        [
            "GET /repos/acme/widgets/issues?state=all&per_page=100",
            "GET /repositories/1/issues?state=all&per_page=100&page=2",
            "GET /repositories/1/issues?state=all&per_page=100&page=3",
            "GET /repos/acme/widgets",
        ]
    );
}

/// Stripe: `starting_after=<last id>` until `has_more` is false.
#[tokio::test]
async fn stripe_lists_page_by_the_last_id_until_has_more_is_false() {
    let server = serve(|r| {
        assert_eq!(r.headers.get("authorization").unwrap(), "Bearer sk_test_123");
        let after: i64 = param(r, "starting_after").map_or(-1, |id| id[4..].parse().unwrap());
        let kind = if r.url.path() == "/v1/customers" { "cus" } else { "ch" };
        let total = if kind == "cus" { 250 } else { 40 };
        let data: Vec<Value> = (after + 1..(after + 101).min(total))
            .map(|n| match kind {
                "cus" => json!({"id": format!("cus_{n:03}"), "object": "customer", "email": format!("c{n}@example.com"), "created": 1700000000 + n, "livemode": false, "metadata": {}}),
                _ => json!({"id": format!("ch_{n:04}"), "object": "charge", "amount": 100 * n, "currency": "eur", "created": 1700000000 + n, "paid": true}),
            })
            .collect();
        let has_more = after + 101 < total;
        ResponseTemplate::new(200).set_body_json(json!({"object": "list", "url": r.url.path(), "has_more": has_more, "data": data}))
    })
    .await;
    let mut config = stripe_connector::Config::new("sk_test_123");
    config.base_url = format!("{}/v1", server.uri());
    let client = stripe_connector::Client::new(config).unwrap();

    let customers: Vec<stripe_connector::Customer> =
        client.customers().try_collect().await.unwrap();
    assert_eq!(customers.len(), 250);
    assert_eq!(customers[249].id, "cus_249");
    let charges: Vec<stripe_connector::Charge> = client.charges().try_collect().await.unwrap();
    assert_eq!(charges.len(), 40);
    assert_eq!(charges[39].amount, 3900);
    assert_eq!(
        requests(&server).await,
        [
            "GET /v1/customers?limit=100",
            "GET /v1/customers?limit=100&starting_after=cus_099",
            "GET /v1/customers?limit=100&starting_after=cus_199",
            "GET /v1/charges?limit=100",
        ]
    );
}

/// TMDB: pages from 1, `total_pages` in every response, the api key in the query.
#[tokio::test]
async fn movies_page_through_total_pages() {
    let server = serve(|r| {
        let page: i64 = param(r, "page").unwrap().parse().unwrap();
        let results: Vec<Value> = (0..20)
            .map(|i| json!({"id": page * 100 + i, "title": format!("Movie {page}-{i}"), "release_date": "1999-03-31", "vote_average": 7.5, "adult": false, "popularity": 12.5}))
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({"page": page, "results": results, "total_pages": 3, "total_results": 60}))
    })
    .await;
    let mut config = movies_connector::Config::new("tmdb-key");
    config.base_url = format!("{}/3", server.uri());
    let client = movies_connector::Client::new(config).unwrap();

    let popular: Vec<movies_connector::Popular> = client.popular().try_collect().await.unwrap();
    assert_eq!(popular.len(), 60);
    assert_eq!(
        popular[0].release_date.map(|d| d.to_string()).as_deref(),
        Some("1999-03-31")
    );
    assert_eq!(popular[59].id, 319);
    let top: Vec<movies_connector::TopRated> = client.top_rated().try_collect().await.unwrap();
    assert_eq!(top.len(), 60);
    let sent = requests(&server).await;
    assert_eq!(
        sent[..3],
        [
            "GET /3/movie/popular?language=en-US&page=1&api_key=tmdb-key",
            "GET /3/movie/popular?language=en-US&page=2&api_key=tmdb-key",
            "GET /3/movie/popular?language=en-US&page=3&api_key=tmdb-key",
        ]
    );
    assert_eq!(sent.len(), 6);
}

/// OAuth2 client credentials: one token for both resources, then offset pages.
#[tokio::test]
async fn crm_fetches_a_token_then_pages_by_offset() {
    let server = serve(|r| {
        if r.url.path() == "/oauth/token" {
            return ResponseTemplate::new(200).set_body_json(json!({"access_token": "at-1", "token_type": "bearer", "expires_in": 1800}));
        }
        assert_eq!(r.headers.get("authorization").unwrap(), "Bearer at-1");
        let offset: i64 = param(r, "offset").unwrap().parse().unwrap();
        let total = if r.url.path() == "/v2/contacts" { 120 } else { 30 };
        let items: Vec<Value> = (offset..(offset + 50).min(total))
            .map(|n| json!({"id": format!("id-{n}"), "email": format!("p{n}@example.com"), "name": format!("Co {n}"), "employees": n, "updated_at": "2026-05-01T00:00:00Z"}))
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({"items": items, "meta": {"total": total}}))
    })
    .await;
    let mut config = crm_connector::Config::new("crm-client", "crm-secret");
    config.base_url = format!("{}/v2", server.uri());
    config.access_token_url = format!("{}/oauth/token", server.uri());
    let client = crm_connector::Client::new(config).unwrap();

    let contacts: Vec<crm_connector::Contact> = client.contacts().try_collect().await.unwrap();
    assert_eq!(contacts.len(), 120);
    let companies: Vec<crm_connector::Company> = client.companies().try_collect().await.unwrap();
    assert_eq!(companies.len(), 30);
    assert_eq!(companies[29].employees, Some(29));
    assert_eq!(
        requests(&server).await,
        [
            "POST /oauth/token grant_type=client_credentials&client_id=crm-client&client_secret=crm-secret&scope=contacts.read+companies.read",
            "GET /v2/contacts?offset=0&limit=50",
            "GET /v2/contacts?offset=50&limit=50",
            "GET /v2/contacts?offset=100&limit=50",
            "GET /v2/companies?offset=0&limit=50",
        ]
    );
}

/// A POST search API: the cursor goes back in the JSON body, next to the query.
#[tokio::test]
async fn search_sends_the_cursor_in_the_body() {
    let server = serve(|r| {
        assert_eq!(r.headers.get("x-api-key").unwrap(), "search-key");
        let body: Value = serde_json::from_slice(&r.body).unwrap();
        let start: i64 = body["page"]["cursor"].as_str().map_or(0, |c| c.parse().unwrap());
        let results: Vec<Value> = (start..(start + 100).min(230))
            .map(|n| json!({"id": format!("doc-{n}"), "title": format!("Doc {n}"), "score": 1.0 / (n + 1) as f64, "published_at": "2025-12-24T18:00:00+01:00"}))
            .collect();
        let next = if start + 100 < 230 { json!((start + 100).to_string()) } else { Value::Null };
        ResponseTemplate::new(200).set_body_json(json!({"results": results, "next_cursor": next}))
    })
    .await;
    let mut config = search_connector::Config::new("search-key");
    config.base_url = format!("{}/api", server.uri());
    let client = search_connector::Client::new(config).unwrap();

    let documents: Vec<search_connector::Document> =
        client.documents().try_collect().await.unwrap();
    assert_eq!(documents.len(), 230);
    assert_eq!(documents[229].id, "doc-229");
    assert_eq!(
        requests(&server).await,
        [
            r#"POST /api/search {"query":"status:published","page":{"size":100}}"#,
            r#"POST /api/search {"query":"status:published","page":{"size":100,"cursor":"100"}}"#,
            r#"POST /api/search {"query":"status:published","page":{"size":100,"cursor":"200"}}"#,
        ]
    );
}

/// Events and their attendees, events fetched incrementally by `updated_since`.
#[tokio::test]
async fn conference_events_incrementally_and_attendees_of_each() {
    let events = std::sync::Arc::new(std::sync::Mutex::new(vec![
        // Older than the initial value; the API sends it anyway: the client drops it, so
        // its attendees are not fetched either.
        (9, "2023-12-31T23:00:00Z"),
        (1, "2024-02-01T00:00:00Z"),
        (2, "2024-02-02T00:00:00Z"),
    ]));
    let served = events.clone();
    let server = serve(move |r| {
        assert_eq!(r.headers.get("authorization").unwrap(), "Bearer conf-token");
        let path = r.url.path().to_owned();
        if path == "/v1/events" {
            let since = param(r, "updated_since").unwrap();
            let data: Vec<Value> = served
                .lock()
                .unwrap()
                .iter()
                .filter(|(id, updated)| *updated >= since.as_str() || *id == 9)
                .map(|(id, updated)| json!({"id": id, "name": format!("Event {id}"), "updated_at": updated}))
                .collect();
            let total = data.len();
            return ResponseTemplate::new(200).set_body_json(json!({"data": data, "meta": {"total": total}}));
        }
        let id: i64 = path.trim_start_matches("/v1/events/").trim_end_matches("/attendees").parse().unwrap();
        let data: Vec<Value> = (0..id).map(|n| json!({"id": id * 10 + n, "email": format!("a{n}@x.org"), "checked_in": n == 0})).collect();
        ResponseTemplate::new(200).set_body_json(json!({"data": data, "meta": {"total": id}}))
    })
    .await;
    let mut config = conference_connector::Config::new("conf-token");
    config.base_url = format!("{}/v1", server.uri());
    config.fan_out.ordered = true;
    let client = conference_connector::Client::new(config).unwrap();

    let attendees: Vec<conference_connector::EventAttendee> =
        client.attendees().try_collect().await.unwrap();
    assert_eq!(
        attendees
            .iter()
            .map(|a| (a.events_id, a.id))
            .collect::<Vec<_>>(),
        [(1, 10), (2, 20), (2, 21)]
    );

    let mut run = client.events_incremental(None);
    let handle = run.handle().unwrap();
    let first: Vec<i64> = (&mut run).map_ok(|e| e.id).try_collect().await.unwrap();
    assert_eq!(first, [1, 2]);
    let state = handle.state().unwrap();
    events.lock().unwrap().push((3, "2024-02-03T00:00:00Z"));
    let second: Vec<i64> = client
        .events_incremental(Some(state))
        .map_ok(|e| e.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(second, [3], "only the event added since the first run");
    let sent = requests(&server).await;
    assert!(!sent.iter().any(|r| r.contains("/events/9/")), "{sent:?}");
}
