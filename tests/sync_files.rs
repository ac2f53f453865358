//! `sync` into files: JSON lines and Parquet laid out as dlt's filesystem destination,
//! readable back with their types; replace removes the old files only on success.

use connectorgen_e2e::{Fault, OffsetApi};
use connectorgen_runtime::load::{
    self, AnyDestination, DestinationUrl, Event, SyncOptions, SyncReport,
};
use connectorgen_runtime::{Connector, RetryPolicy, WriteDisposition};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

const KEY: &str = "test-key-1234";

fn events(count: i64) -> Vec<Value> {
    (1..=count)
        .map(|id| {
            json!({
                "id": id,
                "name": format!("event {id}"),
                "start_time": format!("2026-03-{:02}T10:00:00Z", id % 28 + 1),
                "tags": (0..id % 3).map(|t| format!("tag{t}")).collect::<Vec<_>>(),
            })
        })
        .collect()
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

async fn sync_into<C: Connector>(
    connector: &C,
    url: &str,
) -> connectorgen_runtime::Result<SyncReport> {
    let mut destination = AnyDestination::open(&DestinationUrl::parse(url)?, "events").await?;
    load::sync(
        connector,
        &mut destination,
        &SyncOptions::default(),
        &mut |_: Event<'_>| {},
    )
    .await
}

/// The files of a table folder, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

connectorgen_e2e::events_with_table!(Replaced, write_disposition: WriteDisposition::Replace);

#[tokio::test]
async fn parquet_files_carry_dlt_tables_with_their_types() {
    let dir = tempfile::tempdir().unwrap();
    let server = OffsetApi::new(events(250), "api_key", KEY)
        .serve("/v1/events")
        .await;
    let url = format!("file:{}?format=parquet", dir.path().display());
    let report = sync_into(&client(&server.uri()), &url).await.unwrap();

    let table = dir.path().join("events/event_data");
    let data = files(&table);
    assert_eq!(data.len(), 1, "{data:?}");
    let name = data[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with(&format!("{}.", report.load_id)) && name.ends_with(".parquet"),
        "{name}"
    );
    let reader =
        ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&data[0]).unwrap()).unwrap();
    let schema = reader.schema().clone();
    let fields: Vec<(String, String)> = schema
        .fields()
        .iter()
        .map(|f| (f.name().clone(), f.data_type().to_string()))
        .collect();
    assert_eq!(
        fields,
        [
            ("id", "Int64"),
            ("name", "Utf8"),
            ("start_time", "Timestamp(µs, \"UTC\")"),
            ("end_time", "Timestamp(µs, \"UTC\")"),
            ("_dlt_load_id", "Utf8"),
            ("_dlt_id", "Utf8"),
        ]
        .map(|(n, t)| (n.to_owned(), t.to_owned()))
    );
    let rows: usize = reader.build().unwrap().map(|b| b.unwrap().num_rows()).sum();
    assert_eq!(rows, 250);
    let tags = files(&dir.path().join("events/event_data__tags"));
    let tag_rows: usize = tags
        .iter()
        .map(|f| {
            ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(f).unwrap())
                .unwrap()
                .build()
                .unwrap()
                .map(|b| b.unwrap().num_rows())
                .sum::<usize>()
        })
        .sum();
    assert_eq!(tag_rows, 84 + 2 * 83);
    let loads = files(&dir.path().join("events/_dlt_loads"));
    assert_eq!(loads.len(), 1);
    let record: Value = serde_json::from_str(&std::fs::read_to_string(&loads[0]).unwrap()).unwrap();
    assert_eq!(
        (record["load_id"].as_str(), record["status"].as_i64()),
        (Some(report.load_id.as_str()), Some(0))
    );
}

#[tokio::test]
async fn jsonl_replace_swaps_files_only_when_the_load_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("file:{}", dir.path().display());
    let server = OffsetApi::new(events(250), "api_key", KEY)
        .serve("/v1/events")
        .await;
    let first = sync_into(&Replaced(client(&server.uri())), &url)
        .await
        .unwrap();
    let table = dir.path().join("events/event_data");
    let before = files(&table);
    assert_eq!(before.len(), 1);
    let lines: Vec<Value> = std::fs::read_to_string(&before[0])
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 250);
    assert_eq!(lines[4]["name"], json!("event 5"));
    assert_eq!(
        lines[4]["start_time"],
        json!("2026-03-06T10:00:00.000000+00:00")
    );
    assert_eq!(lines[4]["_dlt_load_id"], json!(first.load_id));

    let failing = OffsetApi::new(events(250), "api_key", KEY)
        .faults([Fault::new(200, 500)])
        .serve("/v1/events")
        .await;
    sync_into(&Replaced(client(&failing.uri())), &url)
        .await
        .unwrap_err();
    assert_eq!(
        files(&table),
        before,
        "a failed load leaves the old files and no temporary ones"
    );

    let second = sync_into(&Replaced(client(&server.uri())), &url)
        .await
        .unwrap();
    let after = files(&table);
    assert_eq!(after.len(), 1);
    assert!(after[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with(&second.load_id));
}
