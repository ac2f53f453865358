//! The README's main job, offline: the mock of the events API, the checked-in
//! `events` connector syncing into an SQLite file, and what landed.
//!
//! `cargo run --example demo` (run it twice: the second run merges).

use connectorgen::mock::{self, MockOptions};
use connectorgen_runtime::load::{sqlite::Sqlite, SyncOptions};
use rusqlite::Connection;
use std::path::Path;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 1. A local API that speaks specs/events.json: offset pages of 100 in `data`.
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("specs/events.json");
    let api = mock::start(
        connectorgen::load(&spec)?,
        MockOptions {
            records: 1_000,
            ..MockOptions::default()
        },
    )
    .await?;
    println!("mock events API at {}", api.base_url);

    // 2. The generated connector, pointed at it (the mock checks the key only when
    //    EVENTS_API_KEY is set, and then expects that value).
    let key = std::env::var("EVENTS_API_KEY").unwrap_or_else(|_| "demo-key".into());
    let mut config = events_connector::Config::new(key);
    config.base_url = api.base_url.clone();
    let client = events_connector::Client::new(config)?;

    // 3. Sync into an SQLite file: merge on `id`, dlt's table layout.
    let path = Path::new("events-demo.db");
    let mut destination = Sqlite::open(path)?;
    let report = client
        .sync(&mut destination, &SyncOptions::default())
        .await?;
    for table in &report.tables {
        println!(
            "synced {} -> table {}: {} records; {} inserted, {} updated, {} deleted; {} child rows; {:.2}s",
            table.resource,
            table.table,
            table.records,
            table.counts.inserted,
            table.counts.updated,
            table.counts.deleted,
            table.child_rows,
            table.elapsed.as_secs_f64()
        );
    }

    // 4. What landed.
    let db = Connection::open(path)?;
    println!("\n{} (load {}):", path.display(), report.load_id);
    let tables: Vec<String> = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")?
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    for table in &tables {
        let rows: i64 = db.query_row(&format!("SELECT count(*) FROM \"{table}\""), [], |row| {
            row.get(0)
        })?;
        println!("  {table:<28} {rows:>6} rows");
    }
    println!("\nSELECT id, name, start_time, mock_venue__city, _dlt_id FROM event_data LIMIT 5:");
    let mut statement =
        db.prepare("SELECT id, name, start_time, mock_venue__city, _dlt_id FROM event_data ORDER BY id LIMIT 5")?;
    let rows = statement.query_map([], |row| {
        Ok(format!(
            "  {:>3} | {:<10} | {:<32} | {:<8} | {}",
            row.get::<_, i64>(0)?,
            row.get::<_, Option<String>>(1)?
                .unwrap_or_else(|| "NULL".into()),
            row.get::<_, Option<String>>(2)?
                .unwrap_or_else(|| "NULL".into()),
            row.get::<_, Option<String>>(3)?
                .unwrap_or_else(|| "NULL".into()),
            row.get::<_, String>(4)?
        ))
    })?;
    for row in rows {
        println!("{}", row?);
    }
    println!("\nRun it again: the merge replaces rows by id, nothing is duplicated.");
    Ok(())
}
