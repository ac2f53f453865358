//! `sync` into a real SQLite file: dlt's table layout, every write disposition run
//! twice, state committed with the rows, failures that change nothing, two syncs at
//! once, and a process killed in the middle of a load.

use connectorgen_e2e::{Fault, OffsetApi};
use connectorgen_runtime::load::{self, sqlite::Sqlite, Event, SyncOptions, SyncReport};
use connectorgen_runtime::{Connector, RetryPolicy};
use rusqlite::Connection;
use serde_json::{json, Value};
use std::path::Path;

const KEY: &str = "test-key-1234";

/// Events with a nested undeclared object and two kinds of lists.
fn events(count: i64) -> Vec<Value> {
    (1..=count)
        .map(|id| {
            json!({
                "id": id,
                "name": format!("event {id}"),
                "start_time": format!("2026-03-{:02}T10:00:00Z", id % 28 + 1),
                "end_time": null,
                "venue": {"name": format!("hall {}", id % 3), "geo": {"lat": 38.7, "lon": -9.1}},
                "tags": (0..id % 3).map(|t| format!("tag{t}")).collect::<Vec<_>>(),
                "sessions": [{"title": format!("talk {id}"), "speakers": ["ann", "bob"]}],
            })
        })
        .collect()
}

fn client(server: &wiremock::MockServer) -> events_connector::Client {
    let mut config = events_connector::Config::new(KEY);
    config.base_url = server.uri();
    config.retry = RetryPolicy {
        max_retries: 0,
        ..RetryPolicy::default()
    };
    events_connector::Client::new(config).unwrap()
}

async fn sync_into<C: Connector>(
    connector: &C,
    path: &Path,
    options: SyncOptions,
) -> connectorgen_runtime::Result<SyncReport> {
    let mut destination = Sqlite::open(path)?;
    load::sync(connector, &mut destination, &options, &mut |_: Event<
        '_,
    >| {})
    .await
}

fn rows(path: &Path, sql: &str) -> Vec<Vec<Value>> {
    let connection = Connection::open(path).unwrap();
    let mut statement = connection.prepare(sql).unwrap();
    let columns = statement.column_count();
    statement
        .query_map([], |row| {
            Ok((0..columns)
                .map(|i| match row.get_ref(i).unwrap() {
                    rusqlite::types::ValueRef::Null => Value::Null,
                    rusqlite::types::ValueRef::Integer(i) => json!(i),
                    rusqlite::types::ValueRef::Real(f) => json!(f),
                    rusqlite::types::ValueRef::Text(t) => json!(String::from_utf8_lossy(t)),
                    rusqlite::types::ValueRef::Blob(b) => json!(b),
                })
                .collect())
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn count(path: &Path, table: &str) -> i64 {
    rows(path, &format!("SELECT count(*) FROM \"{table}\""))[0][0]
        .as_i64()
        .unwrap()
}

fn columns(path: &Path, table: &str) -> Vec<String> {
    rows(
        path,
        &format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"),
    )
    .into_iter()
    .map(|r| r[0].as_str().unwrap().to_owned())
    .collect()
}

#[tokio::test]
async fn merge_lays_tables_out_as_dlt_and_a_second_run_changes_exactly_the_changed_rows() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("events.db");
    let server = OffsetApi::new(events(250), "api_key", KEY)
        .serve("/v1/events")
        .await;

    let report = sync_into(&client(&server), &db, SyncOptions::default())
        .await
        .unwrap();

    let table = &report.tables[0];
    assert_eq!(
        (table.resource.as_str(), table.table.as_str(), table.records),
        ("event_data", "event_data", 250)
    );
    assert_eq!(
        (
            table.counts.inserted,
            table.counts.updated,
            table.counts.deleted
        ),
        (250, 0, 0)
    );
    assert_eq!(
        columns(&db, "event_data"),
        [
            "id",
            "name",
            "start_time",
            "end_time",
            "venue__name",
            "venue__geo__lat",
            "venue__geo__lon",
            "_dlt_load_id",
            "_dlt_id"
        ]
    );
    assert_eq!(
        columns(&db, "event_data__tags"),
        [
            "value",
            "_dlt_root_id",
            "_dlt_parent_id",
            "_dlt_list_idx",
            "_dlt_id"
        ]
    );
    assert_eq!(
        columns(&db, "event_data__sessions"),
        [
            "title",
            "_dlt_root_id",
            "_dlt_parent_id",
            "_dlt_list_idx",
            "_dlt_id"
        ]
    );
    assert_eq!(
        columns(&db, "event_data__sessions__speakers"),
        [
            "value",
            "_dlt_root_id",
            "_dlt_parent_id",
            "_dlt_list_idx",
            "_dlt_id"
        ]
    );
    assert_eq!(count(&db, "event_data"), 250);
    // Events with id % 3 == 1 have one tag (84 of them), == 2 two (83).
    assert_eq!(count(&db, "event_data__tags"), 84 + 2 * 83);
    assert_eq!(count(&db, "event_data__sessions__speakers"), 500);
    // Every child row hangs off its parent and its root.
    let orphans = rows(
        &db,
        "SELECT count(*) FROM event_data__sessions__speakers s
         LEFT JOIN event_data__sessions p ON s._dlt_parent_id = p._dlt_id
         LEFT JOIN event_data r ON s._dlt_root_id = r._dlt_id
         WHERE p._dlt_id IS NULL OR r._dlt_id IS NULL OR p._dlt_root_id <> r._dlt_id",
    );
    assert_eq!(orphans, [[json!(0)]]);
    assert_eq!(
        rows(&db, "SELECT value, _dlt_list_idx FROM event_data__tags t JOIN event_data e ON t._dlt_parent_id = e._dlt_id WHERE e.id = 5 ORDER BY 2"),
        [[json!("tag0"), json!(0)], [json!("tag1"), json!(1)]]
    );
    assert_eq!(
        rows(
            &db,
            "SELECT name, start_time, end_time, venue__geo__lat FROM event_data WHERE id = 5"
        ),
        [[
            json!("event 5"),
            json!("2026-03-06T10:00:00.000000+00:00"),
            Value::Null,
            json!(38.7)
        ]]
    );
    let loads = rows(&db, "SELECT load_id, schema_name, status FROM _dlt_loads");
    assert_eq!(loads, [[json!(report.load_id), json!("events"), json!(0)]]);
    let before = rows(
        &db,
        "SELECT id, name, start_time, venue__name FROM event_data ORDER BY id",
    );

    // Second run: three records changed (one lost its tags), two new ones.
    let mut changed = events(252);
    changed[4]["name"] = json!("renamed 5");
    changed[4]["tags"] = json!([]);
    changed[99]["venue"]["name"] = json!("moved");
    changed[199]["start_time"] = json!("2027-01-01T00:00:00Z");
    let server = OffsetApi::new(changed, "api_key", KEY)
        .serve("/v1/events")
        .await;
    let second = sync_into(&client(&server), &db, SyncOptions::default())
        .await
        .unwrap();

    let counts = second.tables[0].counts;
    assert_eq!(
        (counts.inserted, counts.updated, counts.deleted),
        (2, 250, 0)
    );
    let after = rows(
        &db,
        "SELECT id, name, start_time, venue__name FROM event_data ORDER BY id",
    );
    assert_eq!(after.len(), 252);
    let differing: Vec<i64> = after
        .iter()
        .zip(&before)
        .filter(|(a, b)| a != b)
        .map(|(a, _)| a[0].as_i64().unwrap())
        .collect();
    assert_eq!(differing, [5, 100, 200]);
    // Event 5 lost its two tags; event 251 brings two.
    assert_eq!(count(&db, "event_data__tags"), 84 + 2 * 83);
    assert_eq!(
        rows(&db, "SELECT count(*) FROM event_data__tags t JOIN event_data e ON t._dlt_root_id = e._dlt_id WHERE e.id IN (5, 251)"),
        [[json!(2)]]
    );
    assert_eq!(count(&db, "event_data__sessions"), 252);
    assert_eq!(count(&db, "event_data__sessions__speakers"), 504);
    assert_eq!(rows(&db, "SELECT count(*) FROM _dlt_loads"), [[json!(2)]]);
}
