//! `sync` into a real PostgreSQL server started by each test: dlt's layout and types,
//! merge twice, upsert and scd2 in PostgreSQL's SQL, COPY of awkward text, long names,
//! failures and a SIGKILL that change nothing, two syncs at once, state with the rows.

use connectorgen_e2e::postgres::PgServer;
use connectorgen_e2e::{Fault, OffsetApi};
use connectorgen_runtime::load::{self, postgres::Postgres, Event, SyncOptions, SyncReport};
use connectorgen_runtime::{Connector, MergeStrategy, RetryPolicy, WriteDisposition};
use serde_json::{json, Value};

const KEY: &str = "test-key-1234";

fn events(count: i64) -> Vec<Value> {
    connectorgen_e2e::nested_events(count, "+02:00")
}

fn client(uri: &str) -> events_connector::Client {
    let mut config = events_connector::Config::new(KEY);
    config.base_url = uri.to_owned();
    config.retry = RetryPolicy {
        max_retries: 0,
        ..RetryPolicy::default()
    };
    events_connector::Client::new(config).unwrap()
}

async fn serve(records: Vec<Value>) -> wiremock::MockServer {
    OffsetApi::new(records, "api_key", KEY)
        .serve("/v1/events")
        .await
}

async fn sync_into<C: Connector>(
    connector: &C,
    url: &str,
    options: SyncOptions,
) -> connectorgen_runtime::Result<SyncReport> {
    let mut destination = Postgres::open(url, "events").await?;
    load::sync(connector, &mut destination, &options, &mut |_: Event<
        '_,
    >| {})
    .await
}

/// The rows of a query, as JSON objects.
async fn rows(url: &str, sql: &str) -> Vec<Value> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let text: String = client
        .query_one(
            &format!("SELECT coalesce(json_agg(t), '[]'::json)::text FROM ({sql}) t"),
            &[],
        )
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .get(0);
    serde_json::from_str::<Vec<Value>>(&text).unwrap()
}

async fn columns(url: &str, table: &str) -> Vec<(String, String)> {
    rows(
        url,
        &format!(
            "SELECT column_name, data_type FROM information_schema.columns \
             WHERE table_schema = 'events' AND table_name = '{table}' ORDER BY ordinal_position"
        ),
    )
    .await
    .into_iter()
    .map(|r| {
        (
            r["column_name"].as_str().unwrap().to_owned(),
            r["data_type"].as_str().unwrap().to_owned(),
        )
    })
    .collect()
}

async fn count(url: &str, table: &str) -> i64 {
    rows(
        url,
        &format!("SELECT count(*) AS n FROM events.\"{table}\""),
    )
    .await[0]["n"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn merge_loads_dlt_tables_with_postgres_types_and_a_second_run_changes_only_what_changed() {
    let pg = PgServer::start();
    let server = serve(events(250)).await;
    let report = sync_into(&client(&server.uri()), &pg.url, SyncOptions::default())
        .await
        .unwrap();
    assert_eq!(report.tables[0].counts.inserted, 250);

    let text = "character varying";
    let expected: Vec<(String, String)> = [
        ("id", "bigint"),
        ("name", text),
        ("start_time", "timestamp with time zone"),
        ("end_time", "timestamp with time zone"),
        ("venue__name", text),
        ("venue__geo__lat", "double precision"),
        ("venue__geo__lon", "double precision"),
        ("_dlt_load_id", text),
        ("_dlt_id", text),
    ]
    .iter()
    .map(|(n, t)| (n.to_string(), t.to_string()))
    .collect();
    assert_eq!(columns(&pg.url, "event_data").await, expected);
    let tags: Vec<String> = columns(&pg.url, "event_data__tags")
        .await
        .into_iter()
        .map(|c| c.0)
        .collect();
    assert_eq!(
        tags,
        [
            "value",
            "_dlt_root_id",
            "_dlt_parent_id",
            "_dlt_list_idx",
            "_dlt_id"
        ]
    );
    assert_eq!(count(&pg.url, "event_data__sessions__speakers").await, 500);
    assert_eq!(
        rows(
            &pg.url,
            "SELECT name, start_time::text AS start FROM events.event_data WHERE id = 5"
        )
        .await,
        [json!({"name": "event 5", "start": "2026-03-06 08:00:00+00"})]
    );
    let before = rows(
        &pg.url,
        "SELECT id, name, start_time, venue__name FROM events.event_data ORDER BY id",
    )
    .await;

    let mut changed = events(252);
    changed[4]["name"] = json!("renamed 5");
    changed[4]["tags"] = json!([]);
    changed[99]["venue"]["name"] = json!("moved");
    changed[199]["start_time"] = json!("2027-01-01T00:00:00Z");
    let server = serve(changed).await;
    let second = sync_into(&client(&server.uri()), &pg.url, SyncOptions::default())
        .await
        .unwrap();
    let counts = second.tables[0].counts;
    assert_eq!(
        (counts.inserted, counts.updated, counts.deleted),
        (2, 250, 0)
    );
    let after = rows(
        &pg.url,
        "SELECT id, name, start_time, venue__name FROM events.event_data ORDER BY id",
    )
    .await;
    assert_eq!(after.len(), 252);
    let differing: Vec<i64> = after
        .iter()
        .zip(&before)
        .filter(|(a, b)| a != b)
        .map(|(a, _)| a["id"].as_i64().unwrap())
        .collect();
    assert_eq!(differing, [5, 100, 200]);
    assert_eq!(count(&pg.url, "event_data__tags").await, 84 + 2 * 83);
    assert_eq!(count(&pg.url, "event_data__sessions").await, 252);
    assert_eq!(count(&pg.url, "_dlt_loads").await, 2);
}

// The events connector with other write dispositions and keys.
connectorgen_e2e::events_with_table!(Append, write_disposition: WriteDisposition::Append);
connectorgen_e2e::events_with_table!(Replace, write_disposition: WriteDisposition::Replace);
connectorgen_e2e::events_with_table!(Upsert, write_disposition: WriteDisposition::Merge {
    strategy: Some(MergeStrategy::Upsert),
});
connectorgen_e2e::events_with_table!(Scd2, write_disposition: WriteDisposition::Merge {
    strategy: Some(MergeStrategy::Scd2),
});

#[tokio::test]
async fn upsert_and_scd2_run_in_postgres() {
    let pg = PgServer::start();
    let mut changed = events(4);
    changed[1]["name"] = json!("second, renamed");
    for records in [events(5), changed.clone()] {
        let server = serve(records).await;
        sync_into(
            &Upsert(client(&server.uri())),
            &pg.url,
            SyncOptions::default(),
        )
        .await
        .unwrap();
    }
    assert_eq!(
        rows(
            &pg.url,
            "SELECT id, name, _dlt_id FROM events.event_data WHERE id IN (1, 2) ORDER BY id"
        )
        .await,
        [
            json!({"id": 1, "name": "event 1", "_dlt_id": "z5jIxXIbUnmbKw"}),
            json!({"id": 2, "name": "second, renamed", "_dlt_id": "M6/KlLzJ2FeV/w"})
        ]
    );
    assert_eq!(
        count(&pg.url, "event_data").await,
        5,
        "upsert never deletes"
    );

    // scd2, on a server of its own.
    let pg = PgServer::start();
    let mut loads = Vec::new();
    for records in [events(5), changed] {
        let server = serve(records).await;
        loads.push(
            sync_into(
                &Scd2(client(&server.uri())),
                &pg.url,
                SyncOptions::default(),
            )
            .await
            .unwrap(),
        );
    }
    assert_eq!(
        (
            loads[1].tables[0].counts.inserted,
            loads[1].tables[0].counts.deleted
        ),
        (1, 2)
    );
    let versions = rows(&pg.url, "SELECT id, _dlt_valid_to IS NULL AS active FROM events.event_data ORDER BY id, _dlt_valid_from").await;
    let active: Vec<(i64, bool)> = versions
        .iter()
        .map(|v| (v["id"].as_i64().unwrap(), v["active"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        active,
        [
            (1, true),
            (2, false),
            (2, true),
            (3, true),
            (4, true),
            (5, false)
        ]
    );
}

#[tokio::test]
async fn awkward_text_and_long_names_arrive_intact() {
    let pg = PgServer::start();
    let long = "a_field_name_that_is_much_longer_than_the_sixty_three_bytes_postgres_allows";
    let mut records = events(3);
    records[0]["name"] = json!("tab\there, newline\nthere, back\\slash, quote ' \" and \\N");
    records[0][long] = json!("kept");
    records[1]["name"] = json!("nul\u{0}byte");
    records[1]["payload"] = json!({"note": "nul\u{0}in json"});
    let server = serve(records).await;
    sync_into(&client(&server.uri()), &pg.url, SyncOptions::default())
        .await
        .unwrap();
    assert_eq!(
        rows(&pg.url, "SELECT name FROM events.event_data WHERE id = 1").await,
        [json!({"name": "tab\there, newline\nthere, back\\slash, quote ' \" and \\N"})]
    );
    let names: Vec<String> = columns(&pg.url, "event_data")
        .await
        .into_iter()
        .map(|c| c.0)
        .collect();
    let cut = names
        .iter()
        .find(|n| n.starts_with("a_field_name"))
        .unwrap();
    assert_eq!(cut.len(), 63, "{cut}");
    assert!(long.ends_with(&cut[cut.len() - 28..]), "{cut}");
    assert_eq!(
        rows(
            &pg.url,
            &format!("SELECT \"{cut}\" AS v FROM events.event_data WHERE id = 1")
        )
        .await,
        [json!({"v": "kept"})]
    );
}

#[tokio::test]
async fn a_failed_replace_and_a_killed_sync_change_nothing() {
    let pg = PgServer::start();
    let server = serve(events(300)).await;
    sync_into(
        &Replace(client(&server.uri())),
        &pg.url,
        SyncOptions::default(),
    )
    .await
    .unwrap();
    let before = rows(&pg.url, "SELECT * FROM events.event_data ORDER BY id").await;
    let speakers = rows(
        &pg.url,
        "SELECT * FROM events.event_data__sessions__speakers ORDER BY _dlt_id",
    )
    .await;

    let failing = OffsetApi::new(events(300), "api_key", KEY)
        .faults([Fault::new(200, 500)])
        .serve("/v1/events")
        .await;
    let error = sync_into(
        &Replace(client(&failing.uri())),
        &pg.url,
        SyncOptions::default(),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("offset=200&limit=100&api_key=*** returned 500"),
        "{error}"
    );
    assert_eq!(
        rows(&pg.url, "SELECT * FROM events.event_data ORDER BY id").await,
        before
    );
    assert_eq!(
        rows(
            &pg.url,
            "SELECT * FROM events.event_data__sessions__speakers ORDER BY _dlt_id"
        )
        .await,
        speakers
    );

    // A sync killed in the middle of its load (merge, 1,000 records, slow pages).
    let slow = OffsetApi::new(events(1000), "api_key", KEY)
        .delay(std::time::Duration::from_millis(100))
        .serve("/v1/events")
        .await;
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "sync_to_be_killed", "--ignored", "--nocapture"])
        .env("KILLED_SYNC_PG", &pg.url)
        .env("KILLED_SYNC_URI", slow.uri())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while slow.received_requests().await.unwrap().len() < 6 {
        assert!(
            std::time::Instant::now() < deadline,
            "the child did not get going"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // The server notices the dropped connection and rolls its transaction back.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(
        rows(&pg.url, "SELECT * FROM events.event_data ORDER BY id").await,
        before
    );
    assert_eq!(count(&pg.url, "_dlt_loads").await, 1);

    let server = serve(events(1000)).await;
    let report = sync_into(&client(&server.uri()), &pg.url, SyncOptions::default())
        .await
        .unwrap();
    assert_eq!(report.tables[0].records, 1000);
    assert_eq!(
        rows(
            &pg.url,
            "SELECT count(*) AS n, count(DISTINCT id) AS d FROM events.event_data"
        )
        .await,
        [json!({"n": 1000, "d": 1000})]
    );
}

/// Run by `a_failed_replace_and_a_killed_sync_change_nothing`, in a process of its own.
#[tokio::test]
#[ignore = "the child process of a_failed_replace_and_a_killed_sync_change_nothing"]
async fn sync_to_be_killed() {
    let (Ok(url), Ok(uri)) = (
        std::env::var("KILLED_SYNC_PG"),
        std::env::var("KILLED_SYNC_URI"),
    ) else {
        return;
    };
    sync_into(&client(&uri), &url, SyncOptions::default())
        .await
        .unwrap();
}

#[test]
fn two_syncs_at_once_wait_for_each_other() {
    let pg = PgServer::start();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(
        OffsetApi::new(events(400), "api_key", KEY)
            .delay(std::time::Duration::from_millis(20))
            .serve("/v1/events"),
    );
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let (url, uri) = (pg.url.clone(), server.uri());
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                runtime
                    .block_on(sync_into(
                        &Append(client(&uri)),
                        &url,
                        SyncOptions {
                            batch_records: 50,
                            ..SyncOptions::default()
                        },
                    ))
                    .unwrap()
            })
        })
        .collect();
    let reports: Vec<SyncReport> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_ne!(reports[0].load_id, reports[1].load_id);
    let loads = runtime.block_on(rows(
        &pg.url,
        "SELECT _dlt_load_id, count(*) AS n FROM events.event_data GROUP BY 1",
    ));
    assert_eq!(loads.len(), 2);
    assert!(loads.iter().all(|l| l["n"] == json!(400)), "{loads:?}");
}

#[tokio::test]
async fn state_is_committed_with_the_rows_and_a_bad_url_is_named_masked() {
    let pg = PgServer::start();
    let server = serve(events(3)).await;
    let error = Postgres::open(
        &format!(
            "postgres://loader:hunter2@127.0.0.1:{}/postgres",
            pg.port + 1
        ),
        "events",
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        error.starts_with(&format!(
            "destination postgres://loader:***@127.0.0.1:{}/postgres: cannot connect",
            pg.port + 1
        )),
        "{error}"
    );
    assert!(!error.contains("hunter2"), "{error}");
    assert!(server.received_requests().await.unwrap().is_empty());

    use wiremock::{Mock, ResponseTemplate};
    let api = wiremock::MockServer::start().await;
    Mock::given(wiremock::matchers::path("/v1/events"))
        .respond_with(|r: &wiremock::Request| {
            let since = connectorgen_e2e::param(r, "updated_since").unwrap();
            let data: Vec<Value> = [(1, "2024-02-01T00:00:00Z"), (2, "2024-02-02T00:00:00Z")]
                .iter()
                .filter(|(_, u)| *u >= since.as_str())
                .map(|(id, u)| json!({"id": id, "name": "x", "updated_at": u}))
                .collect();
            let total = data.len();
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": data, "meta": {"total": total}}))
        })
        .mount(&api)
        .await;
    let mut config = conference_connector::Config::new("conf-token");
    config.base_url = format!("{}/v1", api.uri());
    let client = conference_connector::Client::new(config).unwrap();
    let mut destination = Postgres::open(&pg.url, "conference").await.unwrap();
    let only_events = SyncOptions {
        resources: vec!["events".into()],
        ..SyncOptions::default()
    };
    let first = client.sync(&mut destination, &only_events).await.unwrap();
    let state = rows(&pg.url, "SELECT resource, state->>'last_value' AS last, load_id FROM conference._connectorgen_state").await;
    assert_eq!(
        state,
        [json!({"resource": "events", "last": "2024-02-02T00:00:00Z", "load_id": first.load_id})]
    );
    let second = client.sync(&mut destination, &only_events).await.unwrap();
    assert_eq!(
        second.tables[0].records, 0,
        "the boundary record was loaded already"
    );
}
