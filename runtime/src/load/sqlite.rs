//! SQLite (feature `sqlite`): `sqlite:PATH`.
//!
//! One transaction per resource, begun with `BEGIN IMMEDIATE`: a second sync of the
//! same file waits for the first one's resource to commit (up to the busy timeout)
//! and then reads the state that commit wrote. Merges stage rows in temporary tables
//! of the same connection; appends and replaces write to the tables directly. The
//! database runs in WAL mode, so readers see the old tables until the commit.

use super::destination::{Counts, Destination, Load, Mode, Stored};
use super::normalize::Batch;
use super::schema::{Schema, TableSchema};
use super::sql::{self, quote, Dialect};
use super::value::{format_timestamp, Cell};
use crate::{Error, IncrementalState, Result};
use rusqlite::types::{ToSqlOutput, Value as SqlValue};
use rusqlite::{params, Connection, OptionalExtension, ToSql};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long `begin` waits for another sync of the same database.
const BUSY_TIMEOUT: Duration = Duration::from_secs(600);

/// An SQLite database file as a destination.
pub struct Sqlite {
    connection: Connection,
    path: PathBuf,
    /// The tables that exist in the database (as of the last `begin`, plus this load's DDL).
    known: Schema,
    /// Staging tables made in this load, with their columns.
    staged: Schema,
    /// Root table rows before a replace deleted them.
    replaced: u64,
    written: u64,
}

impl std::fmt::Debug for Sqlite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sqlite").field("path", &self.path).finish()
    }
}

impl Sqlite {
    /// Opens (or creates) the database file and its bookkeeping tables.
    pub fn open(path: &Path) -> Result<Sqlite> {
        let failed = |e: rusqlite::Error| {
            Error::Config(format!(
                "destination sqlite:{}: cannot open the database: {e}",
                path.display()
            ))
        };
        let connection = Connection::open(path).map_err(failed)?;
        connection.busy_timeout(BUSY_TIMEOUT).map_err(failed)?;
        connection
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = NORMAL;
                 BEGIN IMMEDIATE;
                 CREATE TABLE IF NOT EXISTS _dlt_loads (
                     load_id TEXT NOT NULL, schema_name TEXT, status INTEGER NOT NULL,
                     inserted_at TEXT NOT NULL, schema_version_hash TEXT);
                 CREATE TABLE IF NOT EXISTS _connectorgen_state (
                     resource TEXT PRIMARY KEY, state TEXT NOT NULL, load_id TEXT NOT NULL,
                     updated_at TEXT NOT NULL);
                 CREATE TABLE IF NOT EXISTS _connectorgen_tables (
                     table_name TEXT PRIMARY KEY, schema TEXT NOT NULL);
                 COMMIT;",
            )
            .map_err(failed)?;
        Ok(Sqlite {
            connection,
            path: path.to_owned(),
            known: Schema::default(),
            staged: Schema::default(),
            replaced: 0,
            written: 0,
        })
    }

    fn error(&self, doing: &str, e: rusqlite::Error) -> Error {
        let busy = matches!(
            e.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        );
        let hint = if busy {
            " (another sync holds the database; it was waited for and did not finish)"
        } else {
            ""
        };
        Error::Config(format!(
            "destination sqlite:{}: {doing}: {e}{hint}",
            self.path.display()
        ))
    }

    fn read_schema(&self) -> rusqlite::Result<Schema> {
        let mut statement = self
            .connection
            .prepare("SELECT schema FROM _connectorgen_tables ORDER BY rowid")?;
        let texts = statement.query_map([], |row| row.get::<_, String>(0))?;
        let mut schema = Schema::default();
        for text in texts {
            let text = text?;
            let mut table: TableSchema = serde_json::from_str(&text).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, e.into())
            })?;
            table.reindex();
            schema.tables.push(table);
        }
        Ok(schema)
    }

    fn read_state(&self, resource: &str) -> Result<Option<IncrementalState>> {
        let text: Option<String> = self
            .connection
            .query_row(
                "SELECT state FROM _connectorgen_state WHERE resource = ?1",
                [resource],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| self.error("cannot read the state", e))?;
        text.map(|text| {
            serde_json::from_str(&text).map_err(|e| {
                Error::Config(format!(
                    "destination sqlite:{}: the state of `{resource}` is not valid: {e}",
                    self.path.display()
                ))
            })
        })
        .transpose()
    }

    /// Makes missing tables and columns, in the database and (for merges) in staging.
    fn evolve(&mut self, load: &Load<'_>, schema: &Schema) -> rusqlite::Result<()> {
        let family = sql::family(schema, load.root);
        let statements = sql::evolve(
            Dialect::Sqlite,
            &self.known,
            schema,
            family.iter().copied(),
            |t| format!("main.{}", quote(t)),
            false,
        );
        for statement in &statements {
            self.connection.execute(statement, [])?;
        }
        for &i in &family {
            let table = &schema.tables[i];
            if self.known.table(&table.name).is_none() && matches!(load.mode, Mode::Merge(_)) {
                self.index(load, table)?;
            }
        }
        if matches!(load.mode, Mode::Merge(_)) {
            let statements = sql::evolve(
                Dialect::Sqlite,
                &self.staged,
                schema,
                family.iter().copied(),
                |t| format!("temp.{}", staging(t)),
                true,
            );
            for statement in &statements {
                // Staging tables are temporary: CREATE TEMP.
                let statement = statement.replacen("CREATE TABLE", "CREATE TEMP TABLE", 1);
                self.connection.execute(&statement, [])?;
            }
            for &i in &family {
                self.staged.remember(&schema.tables[i]);
            }
        }
        for &i in &family {
            self.known.remember(&schema.tables[i]);
        }
        Ok(())
    }

    /// Indexes that keep merges from scanning whole tables.
    fn index(&self, load: &Load<'_>, table: &TableSchema) -> rusqlite::Result<()> {
        let columns = sql::index_columns(load, table);
        if !columns.is_empty() {
            self.connection.execute(
                &format!(
                    "CREATE INDEX IF NOT EXISTS main.{} ON {} ({})",
                    sql::index_name(&table.name),
                    quote(&table.name),
                    columns.join(", ")
                ),
                [],
            )?;
        }
        Ok(())
    }

    fn insert(&mut self, load: &Load<'_>, schema: &Schema, batch: &Batch) -> rusqlite::Result<()> {
        let merge = matches!(load.mode, Mode::Merge(_));
        for (position, rows) in batch.tables.iter().enumerate() {
            if rows.is_empty() {
                continue;
            }
            let table = &schema.tables[position];
            let target = if merge {
                format!("temp.{}", staging(&table.name))
            } else {
                format!("main.{}", quote(&table.name))
            };
            let width = table.columns.len();
            let mut columns: Vec<String> = table.columns.iter().map(|c| quote(&c.name)).collect();
            if merge {
                columns.push(quote(sql::RECORD));
            }
            let placeholders = vec!["?"; columns.len()].join(", ");
            let mut statement = self.connection.prepare_cached(&format!(
                "INSERT INTO {target} ({}) VALUES ({placeholders})",
                columns.join(", ")
            ))?;
            for (row, ordinal) in rows.iter().zip(&batch.ordinals[position]) {
                let cells = (0..width).map(|i| SqlCell(row.get(i).unwrap_or(&Cell::Null)));
                if merge {
                    let ordinal = Cell::Bigint(*ordinal as i64);
                    let cells = cells.chain(std::iter::once(SqlCell(&ordinal)));
                    statement.execute(rusqlite::params_from_iter(cells))?;
                } else {
                    statement.execute(rusqlite::params_from_iter(cells))?;
                }
            }
            if table.name == load.root {
                self.written += rows.len() as u64;
            }
        }
        Ok(())
    }

    fn finish(
        &mut self,
        load: &Load<'_>,
        schema: &Schema,
        state: Option<&IncrementalState>,
    ) -> rusqlite::Result<Counts> {
        let mut counts = Counts::default();
        match load.mode {
            // `replaced` is 0 unless the load replaced the tables.
            Mode::Append | Mode::Replace => {
                counts.inserted = self.written;
                counts.deleted = self.replaced;
            }
            Mode::Merge(_) => {
                let staging_name = |t: &str| format!("temp.{}", staging(t));
                let target_name = |t: &str| format!("main.{}", quote(t));
                let names = sql::Names {
                    dialect: Dialect::Sqlite,
                    target: &target_name,
                    staging: &staging_name,
                };
                // A load without records changes nothing (an empty scd2 load must not
                // retire every row).
                let plan = match self.written {
                    0 => sql::MergePlan::default(),
                    _ => sql::merge(&names, load, schema, &super::load_time(load.load_id)),
                };
                for statement in &plan.prepare {
                    self.connection.execute(statement, [])?;
                }
                let replaced: u64 = match &plan.count_replaced {
                    Some(query) => self.connection.query_row(query, [], |row| row.get(0))?,
                    None => 0,
                };
                for (statement, tally) in &plan.statements {
                    counts.tally(*tally, self.connection.execute(statement, [])? as u64);
                }
                counts.replaced(replaced);
                for table in &self.staged.tables {
                    self.connection
                        .execute(&format!("DROP TABLE temp.{}", staging(&table.name)), [])?;
                }
            }
        }
        for table in schema.family(load.root) {
            if table.columns.is_empty() {
                continue;
            }
            let text = serde_json::to_string(table).unwrap_or_default();
            self.connection.execute(
                "INSERT INTO _connectorgen_tables (table_name, schema) VALUES (?1, ?2)
                 ON CONFLICT (table_name) DO UPDATE SET schema = excluded.schema",
                params![table.name, text],
            )?;
        }
        let now = format_timestamp(&chrono::Utc::now());
        if let Some(state) = state {
            let text = serde_json::to_string(state).unwrap_or_default();
            self.connection.execute(
                "INSERT INTO _connectorgen_state (resource, state, load_id, updated_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (resource) DO UPDATE SET state = excluded.state,
                     load_id = excluded.load_id, updated_at = excluded.updated_at",
                params![load.def.resource, text, load.load_id, now],
            )?;
        }
        self.connection.execute(
            "INSERT INTO _dlt_loads (load_id, schema_name, status, inserted_at, schema_version_hash)
             SELECT ?1, ?2, 0, ?3, ?4
             WHERE NOT EXISTS (SELECT 1 FROM _dlt_loads WHERE load_id = ?1 AND schema_name = ?2)",
            params![load.load_id, load.schema_name, now, super::schema_hash(schema)],
        )?;
        self.connection.execute_batch("COMMIT")?;
        Ok(counts)
    }
}

impl Destination for Sqlite {
    fn describe(&self) -> String {
        format!("sqlite:{}", self.path.display())
    }

    async fn begin(&mut self, load: &Load<'_>) -> Result<Stored> {
        self.connection
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| self.error("cannot begin the load", e))?;
        self.staged = Schema::default();
        self.written = 0;
        self.replaced = 0;
        let started = (|| -> Result<Stored> {
            self.known = self
                .read_schema()
                .map_err(|e| self.error("cannot read the tables", e))?;
            let state = self.read_state(load.def.resource)?;
            if load.mode == Mode::Replace {
                let family: Vec<String> = self
                    .known
                    .family(load.root)
                    .into_iter()
                    .map(|t| t.name.clone())
                    .collect();
                for name in family {
                    let deleted = self
                        .connection
                        .execute(&format!("DELETE FROM main.{}", quote(&name)), [])
                        .map_err(|e| self.error("cannot replace the tables", e))?;
                    if name == load.root {
                        self.replaced = deleted as u64;
                    }
                }
            }
            Ok(Stored {
                schema: self.known.clone(),
                state,
            })
        })();
        if started.is_err() {
            let _ = self.connection.execute_batch("ROLLBACK");
        }
        started
    }

    async fn write(&mut self, load: &Load<'_>, schema: &Schema, batch: &Batch) -> Result<()> {
        self.evolve(load, schema)
            .map_err(|e| self.error("cannot make the tables", e))?;
        self.insert(load, schema, batch)
            .map_err(|e| self.error("cannot write rows", e))
    }

    async fn commit(
        &mut self,
        load: &Load<'_>,
        schema: &Schema,
        state: Option<&IncrementalState>,
    ) -> Result<Counts> {
        self.finish(load, schema, state)
            .map_err(|e| self.error("cannot commit the load", e))
    }

    async fn rollback(&mut self) {
        if !self.connection.is_autocommit() {
            let _ = self.connection.execute_batch("ROLLBACK");
        }
        self.staged = Schema::default();
    }
}

/// The staging table of `table`: `"_stg_<table>"` in the temp schema.
fn staging(table: &str) -> String {
    quote(&format!("_stg_{table}"))
}

struct SqlCell<'a>(&'a Cell);

impl ToSql for SqlCell<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self.0 {
            Cell::Null => ToSqlOutput::Owned(SqlValue::Null),
            Cell::Bool(b) => ToSqlOutput::Owned(SqlValue::Integer(i64::from(*b))),
            Cell::Bigint(i) => ToSqlOutput::Owned(SqlValue::Integer(*i)),
            Cell::Double(f) => ToSqlOutput::Owned(SqlValue::Real(*f)),
            Cell::Text(s) | Cell::Decimal(s) | Cell::Wei(s) | Cell::Json(s) => {
                ToSqlOutput::Borrowed(rusqlite::types::ValueRef::Text(s.as_bytes()))
            }
            Cell::Binary(b) => ToSqlOutput::Borrowed(rusqlite::types::ValueRef::Blob(b)),
            other => ToSqlOutput::Owned(SqlValue::Text(other.to_text().unwrap_or_default())),
        })
    }
}
