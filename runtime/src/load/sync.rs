//! The sync driver: for each resource, records from the connector, rows from the
//! normalizer, batches into the destination, one commit (with the incremental state)
//! at the end. A resource whose load fails is rolled back and ends the sync.

use super::destination::{Counts, Destination, Load, Mode};
use super::extract::Extraction;
use super::naming;
use super::normalize::{Batch, Normalizer};
use super::table::TableDef;
use crate::{Connector, Error, MergeStrategy, Result};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// What to sync and how.
#[derive(Clone, Debug)]
pub struct SyncOptions {
    /// Resources by their spec names; empty: every resource.
    pub resources: Vec<String>,
    /// Forget the resources' incremental state and replace their tables.
    pub full_refresh: bool,
    /// Rows normalized before they are written (memory holds about one batch).
    pub batch_records: usize,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            resources: Vec::new(),
            full_refresh: false,
            batch_records: 2_000,
        }
    }
}

/// What happened to one resource.
#[derive(Clone, Debug, PartialEq)]
pub struct TableReport {
    pub resource: String,
    /// The root table (normalized name).
    pub table: String,
    /// `None` when the resource's disposition is `skip`.
    pub mode: Option<Mode>,
    /// Records received from the API.
    pub records: u64,
    /// Pages received from the API.
    pub pages: u64,
    /// Rows written to child tables.
    pub child_rows: u64,
    /// Root table rows inserted, updated and deleted.
    pub counts: Counts,
    pub elapsed: Duration,
}

/// What one sync did.
#[derive(Clone, Debug, PartialEq)]
pub struct SyncReport {
    /// The load id written into `_dlt_load_id` and `_dlt_loads`.
    pub load_id: String,
    pub tables: Vec<TableReport>,
}

/// Progress of a sync, for a progress display.
#[derive(Clone, Copy, Debug)]
pub enum Event<'a> {
    Started {
        resource: &'a str,
    },
    Records {
        resource: &'a str,
        records: u64,
        /// Pages received for this resource so far.
        pages: u64,
        elapsed: Duration,
    },
    Finished(&'a TableReport),
}

/// A load id as dlt makes them: the Unix time in seconds, with its fraction.
pub fn new_load_id() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format!("{}", now.as_secs_f64())
}

/// Syncs the resources of `connector` into `destination`.
///
/// Each resource is loaded atomically, in the order of the spec: a failure (an API
/// error, a record that does not fit its table, a destination error) rolls its load
/// back, leaves every earlier resource committed, and ends the sync with the error.
pub async fn sync<C: Connector, D: Destination>(
    connector: &C,
    destination: &mut D,
    options: &SyncOptions,
    observe: &mut (dyn FnMut(Event<'_>) + Send),
) -> Result<SyncReport> {
    // Errors leave masked, as the client's do: a record value or a database message
    // may quote what an API echoed.
    sync_unmasked(connector, destination, options, observe)
        .await
        .map_err(Error::masked)
}

/// [`sync`], its errors as they come.
async fn sync_unmasked<C: Connector, D: Destination>(
    connector: &C,
    destination: &mut D,
    options: &SyncOptions,
    observe: &mut (dyn FnMut(Event<'_>) + Send),
) -> Result<SyncReport> {
    for name in &options.resources {
        if !C::RESOURCES.contains(&name.as_str()) {
            return Err(Error::Config(format!(
                "no resource `{name}`; resources: {}",
                C::RESOURCES.join(", ")
            )));
        }
    }
    let load_id = new_load_id();
    let mut report = SyncReport {
        load_id: load_id.clone(),
        tables: Vec::new(),
    };
    for def in C::TABLES {
        let named = if options.resources.is_empty() {
            C::SELECTED.contains(&def.resource)
        } else {
            options.resources.iter().any(|r| r == def.resource)
        };
        if !named {
            continue;
        }
        observe(Event::Started {
            resource: def.resource,
        });
        let table = resource(connector, destination, def, &load_id, options, observe).await?;
        observe(Event::Finished(&table));
        report.tables.push(table);
    }
    Ok(report)
}

async fn resource<C: Connector, D: Destination>(
    connector: &C,
    destination: &mut D,
    def: &TableDef,
    load_id: &str,
    options: &SyncOptions,
    observe: &mut (dyn FnMut(Event<'_>) + Send),
) -> Result<TableReport> {
    let started = Instant::now();
    let max = destination.max_identifier_length();
    let root = naming::fit(naming::normalize_key(def.table), max);
    let Some(mode) = Mode::of(def, options.full_refresh) else {
        return Ok(TableReport {
            resource: def.resource.to_owned(),
            table: root,
            mode: None,
            records: 0,
            pages: 0,
            child_rows: 0,
            counts: Counts::default(),
            elapsed: started.elapsed(),
        });
    };
    let key = |names: &[&str]| -> Vec<String> {
        names
            .iter()
            .map(|k| naming::fit(naming::normalize_key(k), max))
            .collect()
    };
    let (primary_key, merge_key) = (key(def.primary_key), key(def.merge_key));
    let load = Load {
        def,
        root: &root,
        mode,
        load_id,
        schema_name: C::NAME,
        primary_key: &primary_key,
        merge_key: &merge_key,
    };
    if matches!(
        mode,
        Mode::Merge(MergeStrategy::Upsert | MergeStrategy::InsertOnly)
    ) && primary_key.is_empty()
    {
        return Err(Error::Config(format!(
            "resource `{}`: merge strategy `{}` needs a primary_key",
            def.resource,
            mode.describe()
        )));
    }
    let stored = match destination.begin(&load).await {
        Ok(stored) => stored,
        Err(error) => {
            // Whatever `begin` took (a transaction, a lock) is given back.
            destination.rollback().await;
            return Err(error);
        }
    };
    match load_resource(
        connector,
        destination,
        &load,
        stored,
        options,
        started,
        observe,
    )
    .await
    {
        Ok(report) => Ok(report),
        Err(error) => {
            destination.rollback().await;
            Err(error)
        }
    }
}

async fn load_resource<C: Connector, D: Destination>(
    connector: &C,
    destination: &mut D,
    load: &Load<'_>,
    stored: super::destination::Stored,
    options: &SyncOptions,
    started: Instant,
    observe: &mut (dyn FnMut(Event<'_>) + Send),
) -> Result<TableReport> {
    let def = load.def;
    let mut schema = stored.schema;
    schema.max_identifier = destination.max_identifier_length();
    let state = if options.full_refresh {
        None
    } else {
        stored.state
    };
    let mut normalizer = Normalizer::new(def, load.mode, &mut schema, load.load_id);
    let Some((records, handle)) = connector.values(def.resource, state) else {
        return Err(Error::Config(format!("no resource `{}`", def.resource)));
    };
    let pages_before = connector.pages_received();
    let mut records = Extraction::start(def.resource, records)?;
    let mut batch = Batch::default();
    let mut total = 0u64;
    let mut child_rows = 0u64;
    let root_position = schema.ensure(load.root, None);
    let mut last_report = Instant::now();
    while let Some(chunk) = records.next().await {
        let chunk = chunk?;
        for record in &chunk {
            normalizer
                .record(&mut schema, record, &mut batch)
                .map_err(|misfit| misfit_error(def, &misfit, record))?;
            total += 1;
            if batch.records >= options.batch_records {
                child_rows += count_children(&batch, root_position);
                destination.write(load, &schema, &batch).await?;
                batch.clear();
                if last_report.elapsed() >= Duration::from_millis(100) {
                    last_report = Instant::now();
                    observe(Event::Records {
                        resource: def.resource,
                        records: total,
                        pages: connector.pages_received() - pages_before,
                        elapsed: started.elapsed(),
                    });
                }
            }
        }
        records.recycle(chunk);
    }
    child_rows += count_children(&batch, root_position);
    destination.write(load, &schema, &batch).await?;
    let state = match handle {
        Some(handle) => Some(handle.state().ok_or_else(|| {
            Error::Config(format!(
                "resource `{}`: its records ended without a final state",
                def.resource
            ))
        })?),
        None => None,
    };
    let counts = destination.commit(load, &schema, state.as_ref()).await?;
    Ok(TableReport {
        resource: def.resource.to_owned(),
        table: load.root.to_owned(),
        mode: Some(load.mode),
        records: total,
        pages: connector.pages_received() - pages_before,
        child_rows,
        counts,
        elapsed: started.elapsed(),
    })
}

fn count_children(batch: &Batch, root: usize) -> u64 {
    batch
        .tables
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != root)
        .map(|(_, rows)| rows.len() as u64)
        .sum()
}

/// A value that does not fit its declared column, named with the record's key.
fn misfit_error(
    def: &TableDef,
    misfit: &super::normalize::Misfit,
    record: &serde_json::Value,
) -> Error {
    let key: Vec<Option<serde_json::Value>> = def
        .primary_key
        .iter()
        .map(|k| record.get(*k).cloned())
        .collect();
    Error::Config(format!(
        "resource `{}`: column `{}` is declared {} but a record has {}{}",
        def.resource,
        misfit.column,
        misfit.data_type.name(),
        misfit.value,
        crate::client::describe_key(def.primary_key, &key)
    ))
}
