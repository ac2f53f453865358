//! Incremental resources (tests/specs/incremental.yaml): a second run fetches only what
//! changed, duplicates at the boundary are dropped, a backfill leaves the state alone,
//! sorted rows stop paging early.

use buildrs_example::incremental::{self, Client};
use connectorgen_runtime::IncrementalState;
use futures_util::TryStreamExt;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn param(request: &Request, name: &str) -> Option<String> {
    connectorgen_e2e::param(request, name)
}

/// Serves `rows` (sorted by `updated_at`) by offset, only those updated at or after
/// `updated_since` when the request says so.
async fn server(rows: Arc<Mutex<Vec<Value>>>) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(move |r: &Request| {
            let offset: usize = param(r, "offset").and_then(|o| o.parse().ok()).unwrap_or(0);
            let since = param(r, "updated_since");
            let rows = rows.lock().unwrap();
            let mut matching: Vec<&Value> = rows
                .iter()
                .filter(|row| {
                    since
                        .as_deref()
                        .is_none_or(|s| row["updated_at"].as_str().unwrap_or_default() >= s)
                })
                .collect();
            matching.sort_by_key(|row| row["updated_at"].as_str().unwrap_or_default().to_owned());
            let page: Vec<&Value> = matching.into_iter().skip(offset).take(2).collect();
            ResponseTemplate::new(200).set_body_json(json!({ "data": page }))
        })
        .mount(&server)
        .await;
    server
}

fn client(server: &MockServer) -> Client {
    let mut config = incremental::Config::new();
    config.base_url = server.uri();
    Client::new(config).unwrap()
}

fn ticket(id: i64, day: u32) -> Value {
    json!({"id": id, "updated_at": format!("2024-01-{day:02}T00:00:00Z")})
}

async fn run(client: &Client, state: Option<IncrementalState>) -> (Vec<i64>, IncrementalState) {
    let mut records = client.tickets_incremental(state);
    let handle = records.handle().unwrap();
    let mut ids = Vec::new();
    while let Some(ticket) = records.try_next().await.unwrap() {
        ids.push(ticket.id);
    }
    (ids, handle.state().expect("finished without an error"))
}

#[tokio::test]
async fn a_second_run_fetches_only_what_changed() {
    let rows = Arc::new(Mutex::new(
        (1..=5)
            .map(|id| ticket(id, id as u32 + 1))
            .collect::<Vec<_>>(),
    ));
    let server = server(rows.clone()).await;
    let client = client(&server);

    let (first, state) = run(&client, None).await;
    assert_eq!(first, [1, 2, 3, 4, 5]);
    assert_eq!(state.last_value, Some(json!("2024-01-06T00:00:00Z")));
    assert_eq!(state.unique_hashes, vec!["[5]".to_string()]);
    assert_eq!(state.initial_value, Some(json!("2024-01-01T00:00:00Z")));

    // Ticket 3 changes; ticket 6 arrives with exactly the last cursor value.
    {
        let mut rows = rows.lock().unwrap();
        rows[2] = ticket(3, 10);
        rows.push(ticket(6, 6));
    }
    let saved = serde_json::to_string(&state).unwrap();
    let (second, state) = run(&client, Some(serde_json::from_str(&saved).unwrap())).await;
    assert_eq!(
        second,
        [6, 3],
        "ticket 5 at the boundary was already loaded: dropped"
    );
    assert_eq!(state.last_value, Some(json!("2024-01-10T00:00:00Z")));

    let requests = server.received_requests().await.unwrap();
    let since: Vec<String> = requests
        .iter()
        .map(|r| param(r, "updated_since").unwrap())
        .collect();
    assert_eq!(
        since.first().map(String::as_str),
        Some("2024-01-01T00:00:00Z")
    );
    assert_eq!(
        since.last().map(String::as_str),
        Some("2024-01-06T00:00:00Z")
    );
}

#[tokio::test]
async fn a_failed_run_gives_no_state() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": [{"id": 1, "updated_at": "not a time"}]})),
        )
        .mount(&server)
        .await;
    let client = client(&server);
    let mut records = client.tickets_incremental(None);
    let handle = records.handle().unwrap();
    let error = records.try_next().await.unwrap_err();
    assert!(
        error.to_string().contains("is not a Timestamp value"),
        "{error}"
    );
    assert_eq!(handle.state(), None);
}

#[tokio::test]
async fn a_backfill_keeps_its_range_and_carries_nothing_forward() {
    let rows: Vec<Value> = [1, 15, 29]
        .iter()
        .enumerate()
        .map(|(i, day)| json!({"id": i, "updated_at": format!("2024-{:02}-01T00:00:00Z", day / 14 + 1)}))
        .chain([json!({"id": 9, "updated_at": "2024-03-01T00:00:00Z"})])
        .collect();
    let server = server(Arc::new(Mutex::new(rows))).await;
    let client = client(&server);
    let state = IncrementalState {
        initial_value: Some(json!("2024-01-01T00:00:00Z")),
        last_value: Some(json!("2024-01-01T00:00:00Z")),
        ..IncrementalState::default()
    };
    let mut records = client.backfill_incremental(Some(state.clone()));
    let handle = records.handle().unwrap();
    let mut ids = Vec::new();
    while let Some(record) = records.try_next().await.unwrap() {
        ids.push(record.id);
    }
    assert_eq!(ids, [0, 1], "the end value (March 1st) is exclusive");
    assert_eq!(
        handle.state(),
        Some(state),
        "a backfill leaves the state as it was"
    );
    let first = &server.received_requests().await.unwrap()[0];
    assert_eq!(
        param(first, "from").as_deref(),
        Some("2024-01-01T00:00:00Z")
    );
    assert_eq!(param(first, "to").as_deref(), Some("2024-03-01T00:00:00Z"));
}

#[tokio::test]
async fn sorted_rows_stop_paging_at_the_end_of_the_range() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(|r: &Request| {
            let offset: i64 = param(r, "offset").unwrap().parse().unwrap();
            let rows: Vec<Value> = (offset + 1..=(offset + 2).min(10))
                .map(|seq| json!({"id": seq, "seq": seq}))
                .collect();
            ResponseTemplate::new(200).set_body_json(json!({ "data": rows }))
        })
        .mount(&server)
        .await;
    let client = client(&server);
    let seqs: Vec<i64> = client
        .sorted()
        .map_ok(|r| r.seq.unwrap_or_default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(seqs, [3, 4, 5], "start inclusive, end exclusive");
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        requests.len(),
        3,
        "the page holding seq 6 ends the pagination"
    );
    assert_eq!(param(&requests[0], "since").as_deref(), Some("3"));
}

/// dlt's `lag` re-reads a window before the last value (records there are not taken
/// for duplicates), `range_start: open` leaves out a record at exactly the start, and
/// `{incremental.initial_value}` is the spec's initial value on every run.
#[tokio::test]
async fn a_lag_re_reads_a_window_and_an_open_start_leaves_out_its_boundary() {
    let rows = Arc::new(Mutex::new(
        (1..=5)
            .map(|id| ticket(id, id as u32 + 1))
            .collect::<Vec<_>>(),
    ));
    let server = server(rows).await;
    let client = client(&server);
    let ids =
        |records: Vec<incremental::Windowed>| records.iter().map(|r| r.id).collect::<Vec<_>>();

    let mut first = client.windowed_incremental(None);
    let handle = first.handle().unwrap();
    let records: Vec<_> = (&mut first).try_collect().await.unwrap();
    assert_eq!(ids(records), [1, 2, 3, 4, 5]);
    let state = handle.state().unwrap();
    assert_eq!(state.last_value, Some(json!("2024-01-06T00:00:00Z")));

    let second: Vec<_> = client
        .windowed_incremental(Some(state))
        .try_collect()
        .await
        .unwrap();
    // The window starts a day before the last value: ticket 4 (exactly at the start)
    // is left out by the open start, ticket 5 is read again.
    assert_eq!(ids(second), [5]);
    let last = server.received_requests().await.unwrap().pop().unwrap();
    assert_eq!(
        param(&last, "updated_since").as_deref(),
        Some("2024-01-05T00:00:00Z")
    );
    assert_eq!(
        param(&last, "created_after").as_deref(),
        Some("2024-01-01T00:00:00Z")
    );
}

/// An incremental child resource keeps one state per parent: the second run asks each
/// board for its cards from that board's own last value, a new board from the initial
/// value, and the state of a board not seen again is kept.
#[tokio::test]
async fn an_incremental_child_keeps_a_state_per_parent() {
    // (board, card id, updated_at day)
    let cards = Arc::new(Mutex::new(vec![(1, 10, 2), (1, 11, 5), (2, 20, 3)]));
    let boards = Arc::new(Mutex::new(vec![1, 2]));
    let server = MockServer::start().await;
    let (served_cards, served_boards) = (cards.clone(), boards.clone());
    Mock::given(wiremock::matchers::any())
        .respond_with(move |r: &Request| {
            let path: Vec<&str> = r.url.path().trim_matches('/').split('/').collect();
            let body = match path.as_slice() {
                ["boards"] => {
                    let boards = served_boards.lock().unwrap();
                    json!({"data": boards.iter().map(|id| json!({"id": id})).collect::<Vec<_>>()})
                }
                ["boards", board, "cards"] => {
                    let board: i64 = board.parse().unwrap();
                    let since = param(r, "since").unwrap();
                    let data: Vec<Value> = served_cards
                        .lock()
                        .unwrap()
                        .iter()
                        .filter(|(b, _, _)| *b == board)
                        .map(|(_, id, day)| ticket(*id, *day))
                        .filter(|card| card["updated_at"].as_str().unwrap() >= since.as_str())
                        .collect();
                    json!({ "data": data })
                }
                other => panic!("unexpected {other:?}"),
            };
            ResponseTemplate::new(200).set_body_json(body)
        })
        .mount(&server)
        .await;
    let client = client(&server);
    let ids = |cards: Vec<incremental::Card>| {
        let mut ids: Vec<i64> = cards.iter().map(|c| c.id).collect();
        ids.sort();
        ids
    };

    let mut first = client.cards_incremental(None);
    let handle = first.handle().unwrap();
    let records: Vec<_> = (&mut first).try_collect().await.unwrap();
    assert_eq!(ids(records), [10, 11, 20]);
    let state = handle.state().unwrap();
    let last = |state: &IncrementalState, key: &str| state.parents[key].last_value.clone();
    assert_eq!(last(&state, "id=1"), Some(json!("2024-01-05T00:00:00Z")));
    assert_eq!(last(&state, "id=2"), Some(json!("2024-01-03T00:00:00Z")));

    // Board 2 gets a card, board 3 appears with one, board 1 is gone from the list.
    cards.lock().unwrap().extend([(2, 21, 4), (3, 30, 2)]);
    *boards.lock().unwrap() = vec![2, 3];
    let before = server.received_requests().await.unwrap().len();
    let mut second = client.cards_incremental(Some(state));
    let handle = second.handle().unwrap();
    let records: Vec<_> = (&mut second).try_collect().await.unwrap();
    assert_eq!(ids(records), [21, 30]);
    let requests = server.received_requests().await.unwrap();
    let since: Vec<(String, Option<String>)> = requests[before..]
        .iter()
        .filter(|r| r.url.path().ends_with("/cards"))
        .map(|r| (r.url.path().to_owned(), param(r, "since")))
        .collect();
    assert_eq!(
        since,
        [
            (
                "/boards/2/cards".to_owned(),
                Some("2024-01-03T00:00:00Z".to_owned())
            ),
            (
                "/boards/3/cards".to_owned(),
                Some("2024-01-01T00:00:00Z".to_owned())
            ),
        ]
    );
    let state = handle.state().unwrap();
    assert_eq!(
        last(&state, "id=1"),
        Some(json!("2024-01-05T00:00:00Z")),
        "kept"
    );
    assert_eq!(last(&state, "id=2"), Some(json!("2024-01-04T00:00:00Z")));
    assert_eq!(last(&state, "id=3"), Some(json!("2024-01-02T00:00:00Z")));
}
