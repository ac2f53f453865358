//! Parent/child resources (tests/specs/children.yaml): placeholders filled from each
//! parent record, fan-out over every parent, one parent at a time, include_from_parent.

use buildrs_example::children::{self, Client};
use connectorgen_runtime::FanOut;
use futures_util::TryStreamExt;
use serde_json::{json, Value};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn param(request: &Request, name: &str) -> Option<String> {
    connectorgen_e2e::param(request, name)
}

/// 5 events (ids 1..=5, slugs e1..e5, event 4 has no slug); event `n` has `n - 1`
/// attendees, so event 1 has none.
fn api(request: &Request) -> ResponseTemplate {
    assert_eq!(request.headers.get("authorization").unwrap(), "Bearer tok");
    let path: Vec<&str> = request.url.path().trim_matches('/').split('/').collect();
    let offset: usize = param(request, "offset")
        .and_then(|o| o.parse().ok())
        .unwrap_or(0);
    let body = match path.as_slice() {
        ["events"] => {
            let events: Vec<Value> = (offset + 1..=(offset + 2).min(5))
                .map(|id| json!({"id": id, "slug": if id == 4 { Value::Null } else { json!(format!("e{id}")) }, "venue": {"city": "Porto"}}))
                .collect();
            json!({"data": events, "total": 5})
        }
        ["events", id, "attendees"] => {
            let id: usize = id.parse().unwrap();
            assert_eq!(
                request.headers.get("x-event").unwrap().to_str().unwrap(),
                id.to_string()
            );
            let people: Vec<Value> = (offset..(offset + 2).min(id - 1))
                .map(|n| json!({"name": format!("p{id}-{n}")}))
                .collect();
            json!({"data": people})
        }
        ["events", id, "tickets"] => json!([{"ticket": format!("t-{id}")}]),
        ["checkins", "search"] => {
            let body: Value = serde_json::from_slice(&request.body).unwrap();
            json!([{"echo": body}])
        }
        other => panic!("unexpected {other:?}"),
    };
    ResponseTemplate::new(200).set_body_json(body)
}

async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(api)
        .mount(&server)
        .await;
    server
}

fn client(server: &MockServer, fan_out: FanOut) -> Client {
    let mut config = children::Config::new("tok");
    config.base_url = server.uri();
    config.fan_out = fan_out;
    Client::new(config).unwrap()
}

fn paths(requests: &[Request]) -> Vec<String> {
    requests
        .iter()
        .map(|r| {
            format!(
                "{}{}",
                r.url.path(),
                r.url.query().map(|q| format!("?{q}")).unwrap_or_default()
            )
        })
        .collect()
}

#[tokio::test]
async fn every_child_of_every_parent_with_fields_from_the_parent() {
    let server = server().await;
    let client = client(
        &server,
        FanOut {
            concurrency: 1,
            ordered: true,
        },
    );

    let attendees: Vec<children::Attendee> = client.attendees().try_collect().await.unwrap();

    // 0 + 1 + 2 + 3 + 4 attendees, in the parents' order.
    let names: Vec<&str> = attendees.iter().filter_map(|a| a.name.as_deref()).collect();
    assert_eq!(
        names,
        ["p2-0", "p3-0", "p3-1", "p4-0", "p4-1", "p4-2", "p5-0", "p5-1", "p5-2", "p5-3"]
    );
    // include_from_parent: typed from the parent's columns (id: bigint, not null).
    let first = &attendees[0];
    assert_eq!(first.events_id, 2);
    assert_eq!(first.events_slug.as_deref(), Some("e2"));
    assert_eq!(first.events_venue, Some(json!({"city": "Porto"})));
    assert_eq!(attendees[3].events_slug, None, "event 4 has a null slug");
    let written = serde_json::to_value(first).unwrap();
    assert_eq!(written["_events_id"], json!(2));

    let requests = server.received_requests().await.unwrap();
    let sent = paths(&requests);
    assert_eq!(sent[0], "/events?offset=0&limit=2");
    assert!(
        sent.contains(&"/events/1/attendees?expand=e1&offset=0&limit=2".to_string()),
        "{sent:?}"
    );
    assert!(
        sent.contains(&"/events/4/attendees?expand=null&offset=2&limit=2".to_string()),
        "{sent:?}"
    );
    // Events 2..=5 need 1, 2, 2, 3 attendee pages (a short page is followed by an empty
    // one); event 1 needs 1 (empty). Plus 3 pages of events.
    assert_eq!(sent.len(), 3 + 1 + 2 + 2 + 3 + 3);
}

#[tokio::test]
async fn fan_out_runs_children_concurrently_and_loses_nothing() {
    let server = server().await;
    let client = client(&server, FanOut::default());
    let mut names: Vec<String> = client
        .attendees()
        .map_ok(|a| a.name.unwrap_or_default())
        .try_collect()
        .await
        .unwrap();
    names.sort();
    assert_eq!(names.len(), 10);
    assert_eq!(names.first().map(String::as_str), Some("p2-0"));
    assert_eq!(names.last().map(String::as_str), Some("p5-3"));
}

#[tokio::test]
async fn the_children_of_one_parent() {
    let server = server().await;
    let client = client(&server, FanOut::default());
    let events: Vec<children::Event> = client.events().try_collect().await.unwrap();
    let third = &events[2];
    let attendees: Vec<children::Attendee> =
        client.attendees_of(third).try_collect().await.unwrap();
    assert_eq!(attendees.len(), 2);
    assert!(attendees.iter().all(|a| a.events_id == 3));
    let pages: Vec<_> = client
        .attendees_pages_of(third)
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    assert_eq!(pages.len(), 2, "a full page, then an empty one");
}

#[tokio::test]
async fn legacy_resolve_params_and_json_placeholders() {
    let server = server().await;
    let client = client(
        &server,
        FanOut {
            concurrency: 2,
            ordered: true,
        },
    );
    let tickets: Vec<children::Ticket> = client.tickets().try_collect().await.unwrap();
    assert_eq!(tickets.len(), 5);
    assert_eq!(tickets[0].extra.get("ticket"), Some(&json!("t-1")));

    let checkins: Vec<children::Checkin> = client.checkins().try_collect().await.unwrap();
    // A string that is exactly one placeholder keeps the value's type; braces escape.
    assert_eq!(
        checkins[0].extra.get("echo"),
        Some(&json!({"event": 1, "label": "event e1 {ok}"}))
    );
    let sent = paths(&server.received_requests().await.unwrap());
    assert!(sent.contains(&"/events/5/tickets".to_string()), "{sent:?}");
}

#[tokio::test]
async fn a_missing_parent_field_is_an_error_naming_parent_child_and_field() {
    let server = server().await;
    let client = client(&server, FanOut::default());
    // `badges` is a child of `attendees`, whose records have no `name` field here.
    let parent = json!({"nickname": "x"});
    let attendee: children::Attendee =
        serde_json::from_value(json!({"_events_id": 1, "nickname": "x"})).unwrap();
    let _ = parent;
    let error = client
        .badges_of(&attendee)
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "resource `badges`: field `badge_id` is missing from a record of its parent `attendees`"
    );
}

/// The fan-out's concurrency bound holds: 4 events whose attendee pages each take
/// 200 ms need two rounds at concurrency 2 and one round at concurrency 4.
#[tokio::test]
async fn fan_out_concurrency_is_bounded() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::path("/events"))
        .respond_with(|r: &Request| {
            let offset: i64 = param(r, "offset").unwrap().parse().unwrap();
            let events: Vec<Value> = (offset + 2..offset + 4)
                .map(|id| json!({"id": id}))
                .collect();
            ResponseTemplate::new(200).set_body_json(json!({"data": events, "total": 4}))
        })
        .mount(&server)
        .await;
    Mock::given(wiremock::matchers::path_regex(r"^/events/\d+/attendees$"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": []}))
                .set_delay(std::time::Duration::from_millis(200)),
        )
        .mount(&server)
        .await;
    for (concurrency, at_least, below) in [(2, 400, 2_000), (4, 200, 700)] {
        let client = client(
            &server,
            FanOut {
                concurrency,
                ordered: false,
            },
        );
        let started = std::time::Instant::now();
        let attendees: Vec<children::Attendee> = client.attendees().try_collect().await.unwrap();
        let elapsed = started.elapsed().as_millis();
        assert!(attendees.is_empty());
        assert!(
            elapsed >= at_least && elapsed < below,
            "concurrency {concurrency}: {elapsed} ms"
        );
    }
}

/// `selected: false` (badges): a sync of everything leaves the resource out, without a
/// request for it; named, it is fetched.
#[tokio::test]
async fn a_resource_not_selected_is_loaded_only_by_name() {
    use connectorgen_runtime::load::{self, sqlite::Sqlite, SyncOptions};
    use connectorgen_runtime::Connector;
    let server = server().await;
    let client = client(&server, FanOut::default());
    assert_eq!(
        <Client as Connector>::SELECTED,
        ["events", "attendees", "tickets", "checkins"]
    );
    let dir = tempfile::tempdir().unwrap();
    let mut db = Sqlite::open(&dir.path().join("children.db")).unwrap();
    let report = load::sync(&client, &mut db, &SyncOptions::default(), &mut |_| {})
        .await
        .unwrap();
    let loaded: Vec<&str> = report.tables.iter().map(|t| t.resource.as_str()).collect();
    assert_eq!(loaded, ["events", "attendees", "tickets", "checkins"]);
    let requests = server.received_requests().await.unwrap();
    assert!(paths(&requests).iter().all(|p| !p.contains("badges")));

    let named = SyncOptions {
        resources: vec!["badges".into()],
        ..SyncOptions::default()
    };
    let error = load::sync(&client, &mut db, &named, &mut |_| {})
        .await
        .unwrap_err()
        .to_string();
    // Named, it is fetched: here its parents' records lack the field its path needs.
    assert_eq!(
        error,
        "resource `badges`: field `badge_id` is missing from a record of its parent `attendees`"
    );
}
