//! PostgreSQL (feature `postgres`): `postgres://USER[:PASSWORD]@HOST:PORT/DB`, tables in
//! the schema named by the dataset.
//!
//! One transaction per resource. `pg_advisory_xact_lock` on the dataset and resource
//! makes a second sync of the same resource wait for the first one's commit. Rows go
//! in with `COPY ... FROM STDIN` (text format), into the tables for appends and
//! replaces and into temporary staging tables (dropped at commit) for merges.

use super::destination::{Counts, Destination, Load, Mode, Stored};
use super::normalize::Batch;
use super::open::mask;
use super::schema::{Schema, TableSchema};
use super::sql::{self, quote, Dialect};
use super::value::{format_timestamp, Cell};
use crate::{Error, IncrementalState, Result};
use futures_util::SinkExt;
use tokio_postgres::{Client, NoTls};

/// PostgreSQL's limit on identifiers, in bytes.
pub const MAX_IDENTIFIER: usize = 63;

/// A PostgreSQL database as a destination.
pub struct Postgres {
    client: Client,
    /// The URL with its password masked.
    url: String,
    dataset: String,
    known: Schema,
    staged: Schema,
    replaced: u64,
    written: u64,
    connection: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for Postgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Postgres")
            .field("url", &self.url)
            .field("dataset", &self.dataset)
            .finish()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.connection.abort();
    }
}

impl Postgres {
    /// Connects and makes the dataset's schema and bookkeeping tables.
    pub async fn open(url: &str, dataset: &str) -> Result<Postgres> {
        let masked = mask(url);
        let (client, connection) = tokio_postgres::connect(url, NoTls).await.map_err(|e| {
            Error::Config(format!(
                "destination {masked}: cannot connect: {}",
                hide(&e.to_string(), url)
            ))
        })?;
        let connection = tokio::spawn(async move {
            let _ = connection.await;
        });
        let destination = Postgres {
            client,
            url: masked,
            dataset: dataset.to_owned(),
            known: Schema::default(),
            staged: Schema::default(),
            replaced: 0,
            written: 0,
            connection,
        };
        let schema = quote(dataset);
        let setup = format!(
            "BEGIN;
             SELECT pg_advisory_xact_lock(hashtext({lock}));
             CREATE SCHEMA IF NOT EXISTS {schema};
             CREATE TABLE IF NOT EXISTS {schema}._dlt_loads (
                 load_id varchar NOT NULL, schema_name varchar, status bigint NOT NULL,
                 inserted_at timestamp with time zone NOT NULL, schema_version_hash varchar);
             CREATE TABLE IF NOT EXISTS {schema}._connectorgen_state (
                 resource varchar PRIMARY KEY, state jsonb NOT NULL, load_id varchar NOT NULL,
                 updated_at timestamp with time zone NOT NULL);
             CREATE TABLE IF NOT EXISTS {schema}._connectorgen_tables (
                 table_name varchar PRIMARY KEY, position bigserial, schema jsonb NOT NULL);
             COMMIT;",
            lock = literal(&format!("connectorgen:{dataset}")),
        );
        if let Err(e) = destination.client.batch_execute(&setup).await {
            let _ = destination.client.batch_execute("ROLLBACK").await;
            return Err(destination.error("cannot make the dataset's schema", e));
        }
        Ok(destination)
    }

    fn error(&self, doing: &str, e: tokio_postgres::Error) -> Error {
        let detail = match e.as_db_error() {
            Some(db) => db.message().to_owned(),
            None => e.to_string(),
        };
        Error::Config(format!(
            "destination {} (dataset {}): {doing}: {detail}",
            self.url, self.dataset
        ))
    }

    fn table(&self, name: &str) -> String {
        format!("{}.{}", quote(&self.dataset), quote(name))
    }

    async fn read(
        &mut self,
        resource: &str,
    ) -> std::result::Result<(Schema, Option<String>), tokio_postgres::Error> {
        let schema = quote(&self.dataset);
        let rows = self
            .client
            .query(
                &format!(
                    "SELECT schema::text FROM {schema}._connectorgen_tables ORDER BY position"
                ),
                &[],
            )
            .await?;
        let mut tables = Schema::default();
        for row in rows {
            let text: String = row.get(0);
            if let Ok(mut table) = serde_json::from_str::<TableSchema>(&text) {
                table.reindex();
                tables.tables.push(table);
            }
        }
        let state = self
            .client
            .query_opt(
                &format!(
                    "SELECT state::text FROM {schema}._connectorgen_state WHERE resource = $1"
                ),
                &[&resource],
            )
            .await?
            .map(|row| row.get::<_, String>(0));
        Ok((tables, state))
    }

    async fn evolve(
        &mut self,
        load: &Load<'_>,
        schema: &Schema,
    ) -> std::result::Result<(), tokio_postgres::Error> {
        let family = sql::family(schema, load.root);
        let dataset = self.dataset.clone();
        let target = |t: &str| format!("{}.{}", quote(&dataset), quote(t));
        for statement in sql::evolve(
            Dialect::Postgres,
            &self.known,
            schema,
            family.iter().copied(),
            target,
            false,
        ) {
            self.client.batch_execute(&statement).await?;
        }
        if matches!(load.mode, Mode::Merge(_)) {
            for &i in &family {
                let table = &schema.tables[i];
                let columns = sql::index_columns(load, table);
                if self.known.table(&table.name).is_none()
                    && !table.columns.is_empty()
                    && !columns.is_empty()
                {
                    self.client
                        .batch_execute(&format!(
                            "CREATE INDEX IF NOT EXISTS {} ON {} ({})",
                            sql::index_name(&table.name),
                            self.table(&table.name),
                            columns.join(", ")
                        ))
                        .await?;
                }
            }
            for statement in sql::evolve(
                Dialect::Postgres,
                &self.staged,
                schema,
                family.iter().copied(),
                staging,
                true,
            ) {
                // Temporary, and gone with the transaction either way.
                let statement = statement.replacen("CREATE TABLE", "CREATE TEMP TABLE", 1);
                let statement = if statement.starts_with("CREATE TEMP TABLE") {
                    format!("{statement} ON COMMIT DROP")
                } else {
                    statement
                };
                self.client.batch_execute(&statement).await?;
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

    async fn copy(
        &mut self,
        load: &Load<'_>,
        schema: &Schema,
        batch: &Batch,
    ) -> std::result::Result<(), tokio_postgres::Error> {
        let merge = matches!(load.mode, Mode::Merge(_));
        for (position, rows) in batch.tables.iter().enumerate() {
            if rows.is_empty() {
                continue;
            }
            let table = &schema.tables[position];
            let mut columns: Vec<String> = table.columns.iter().map(|c| quote(&c.name)).collect();
            if merge {
                columns.push(quote(sql::RECORD));
            }
            let target = if merge {
                staging(&table.name)
            } else {
                self.table(&table.name)
            };
            let mut text = String::with_capacity(rows.len() * 64);
            for (row, ordinal) in rows.iter().zip(&batch.ordinals[position]) {
                for i in 0..table.columns.len() {
                    if i > 0 {
                        text.push('\t');
                    }
                    encode(row.get(i).unwrap_or(&Cell::Null), &mut text);
                }
                if merge {
                    text.push('\t');
                    text.push_str(&ordinal.to_string());
                }
                text.push('\n');
            }
            let sink = self
                .client
                .copy_in(&format!(
                    "COPY {target} ({}) FROM STDIN",
                    columns.join(", ")
                ))
                .await?;
            let mut sink = std::pin::pin!(sink);
            sink.send(bytes::Bytes::from(text)).await?;
            sink.as_mut().finish().await?;
            if table.name == load.root {
                self.written += rows.len() as u64;
            }
        }
        Ok(())
    }

    async fn finish(
        &mut self,
        load: &Load<'_>,
        schema: &Schema,
        state: Option<&IncrementalState>,
    ) -> std::result::Result<Counts, tokio_postgres::Error> {
        let mut counts = Counts::default();
        match load.mode {
            // `replaced` is 0 unless the load replaced the tables.
            Mode::Append | Mode::Replace => {
                counts.inserted = self.written;
                counts.deleted = self.replaced;
            }
            Mode::Merge(_) => {
                let plan = match self.written {
                    0 => sql::MergePlan::default(),
                    _ => {
                        let dataset = self.dataset.clone();
                        let target = move |t: &str| format!("{}.{}", quote(&dataset), quote(t));
                        let names = sql::Names {
                            dialect: Dialect::Postgres,
                            target: &target,
                            staging: &staging,
                        };
                        sql::merge(&names, load, schema, &super::load_time(load.load_id))
                    }
                };
                for statement in &plan.prepare {
                    self.client.execute(statement.as_str(), &[]).await?;
                }
                let replaced = match &plan.count_replaced {
                    Some(query) => self
                        .client
                        .query_one(query.as_str(), &[])
                        .await?
                        .get::<_, i64>(0) as u64,
                    None => 0,
                };
                for (statement, tally) in &plan.statements {
                    counts.tally(*tally, self.client.execute(statement.as_str(), &[]).await?);
                }
                counts.replaced(replaced);
            }
        }
        let meta = quote(&self.dataset);
        for table in schema.family(load.root) {
            if table.columns.is_empty() {
                continue;
            }
            let text = serde_json::to_string(table).unwrap_or_default();
            self.client
                .execute(
                    &format!(
                        "INSERT INTO {meta}._connectorgen_tables (table_name, schema) VALUES ($1, $2::text::jsonb)
                         ON CONFLICT (table_name) DO UPDATE SET schema = excluded.schema"
                    ),
                    &[&table.name, &text],
                )
                .await?;
        }
        let now = format_timestamp(&chrono::Utc::now());
        if let Some(state) = state {
            let text = serde_json::to_string(state).unwrap_or_default();
            self.client
                .execute(
                    &format!(
                        "INSERT INTO {meta}._connectorgen_state (resource, state, load_id, updated_at)
                         VALUES ($1, $2::text::jsonb, $3, $4::text::timestamptz)
                         ON CONFLICT (resource) DO UPDATE SET state = excluded.state,
                             load_id = excluded.load_id, updated_at = excluded.updated_at"
                    ),
                    &[&load.def.resource, &text, &load.load_id, &now],
                )
                .await?;
        }
        let hash = super::schema_hash(schema);
        self.client
            .execute(
                &format!(
                    "INSERT INTO {meta}._dlt_loads (load_id, schema_name, status, inserted_at, schema_version_hash)
                     SELECT $1::varchar, $2::varchar, 0, $3::text::timestamptz, $4::varchar
                     WHERE NOT EXISTS (SELECT 1 FROM {meta}._dlt_loads
                                       WHERE load_id = $1::varchar AND schema_name = $2::varchar)"
                ),
                &[&load.load_id, &load.schema_name, &now, &hash],
            )
            .await?;
        self.client.batch_execute("COMMIT").await?;
        Ok(counts)
    }
}

impl Destination for Postgres {
    fn describe(&self) -> String {
        self.url.clone()
    }

    fn max_identifier_length(&self) -> Option<usize> {
        Some(MAX_IDENTIFIER)
    }

    async fn begin(&mut self, load: &Load<'_>) -> Result<Stored> {
        self.staged = Schema::default();
        self.written = 0;
        self.replaced = 0;
        let lock = literal(&format!(
            "connectorgen:{}:{}",
            self.dataset, load.def.resource
        ));
        let begun = self
            .client
            .batch_execute(&format!(
                "BEGIN; SELECT pg_advisory_xact_lock(hashtext({lock}));"
            ))
            .await;
        if let Err(e) = begun {
            let _ = self.client.batch_execute("ROLLBACK").await;
            return Err(self.error("cannot begin the load", e));
        }
        let read = self.read(load.def.resource).await;
        let (known, state) = match read {
            Ok(read) => read,
            Err(e) => {
                let _ = self.client.batch_execute("ROLLBACK").await;
                return Err(self.error("cannot read the tables and state", e));
            }
        };
        self.known = known;
        if load.mode == Mode::Replace {
            let family: Vec<String> = self
                .known
                .family(load.root)
                .iter()
                .map(|t| t.name.clone())
                .collect();
            for name in family {
                match self
                    .client
                    .execute(&format!("DELETE FROM {}", self.table(&name)), &[])
                    .await
                {
                    Ok(deleted) if name == load.root => self.replaced = deleted,
                    Ok(_) => {}
                    Err(e) => {
                        let _ = self.client.batch_execute("ROLLBACK").await;
                        return Err(self.error("cannot replace the tables", e));
                    }
                }
            }
        }
        let state = match state {
            Some(text) => Some(serde_json::from_str(&text).map_err(|e| {
                Error::Config(format!(
                    "destination {}: the state of `{}` is not valid: {e}",
                    self.url, load.def.resource
                ))
            })?),
            None => None,
        };
        Ok(Stored {
            schema: self.known.clone(),
            state,
        })
    }

    async fn write(&mut self, load: &Load<'_>, schema: &Schema, batch: &Batch) -> Result<()> {
        if let Err(e) = self.evolve(load, schema).await {
            return Err(self.error("cannot make the tables", e));
        }
        match self.copy(load, schema, batch).await {
            Ok(()) => Ok(()),
            Err(e) => Err(self.error("cannot write rows", e)),
        }
    }

    async fn commit(
        &mut self,
        load: &Load<'_>,
        schema: &Schema,
        state: Option<&IncrementalState>,
    ) -> Result<Counts> {
        match self.finish(load, schema, state).await {
            Ok(counts) => Ok(counts),
            Err(e) => Err(self.error("cannot commit the load", e)),
        }
    }

    async fn rollback(&mut self) {
        let _ = self.client.batch_execute("ROLLBACK").await;
        self.staged = Schema::default();
    }
}

/// The staging table of `table` (temporary, so in the session's own schema).
fn staging(table: &str) -> String {
    let name = super::naming::shorten(&format!("_stg_{table}"), MAX_IDENTIFIER);
    format!("pg_temp.{}", quote(&name))
}

/// A string literal.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// `text` with the password of `url` (if any) replaced by `***`.
fn hide(text: &str, url: &str) -> String {
    match url::Url::parse(url)
        .ok()
        .and_then(|u| u.password().map(str::to_owned))
    {
        Some(password) if !password.is_empty() => text.replace(&password, "***"),
        _ => text.to_owned(),
    }
}

/// One value in COPY's text format.
fn encode(cell: &Cell, out: &mut String) {
    use std::fmt::Write as _;
    match cell {
        Cell::Null => out.push_str("\\N"),
        Cell::Bool(b) => out.push(if *b { 't' } else { 'f' }),
        Cell::Bigint(i) => {
            let _ = write!(out, "{i}");
        }
        Cell::Double(f) if f.is_nan() => out.push_str("NaN"),
        Cell::Double(f) if f.is_infinite() => {
            out.push_str(if *f > 0.0 { "Infinity" } else { "-Infinity" })
        }
        Cell::Double(f) => {
            let _ = write!(out, "{f}");
        }
        Cell::Binary(bytes) => {
            out.push_str("\\\\x");
            for b in bytes {
                let _ = write!(out, "{b:02x}");
            }
        }
        other => {
            let mut text = other.to_text().unwrap_or_default();
            // jsonb refuses `\u0000` as well: NULs go from the strings inside.
            if matches!(other, Cell::Json(_)) && text.contains("\\u0000") {
                text = without_nul(&text);
            }
            for c in text.chars() {
                match c {
                    // PostgreSQL's text cannot hold NUL: it is dropped.
                    '\0' => {}
                    '\\' => out.push_str("\\\\"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    c => out.push(c),
                }
            }
        }
    }
}

/// JSON text with NUL characters removed from its strings and keys.
fn without_nul(json: &str) -> String {
    fn clean(value: serde_json::Value) -> serde_json::Value {
        use serde_json::Value;
        match value {
            Value::String(s) => Value::String(s.replace('\0', "")),
            Value::Array(items) => Value::Array(items.into_iter().map(clean).collect()),
            Value::Object(fields) => Value::Object(
                fields
                    .into_iter()
                    .map(|(k, v)| (k.replace('\0', ""), clean(v)))
                    .collect(),
            ),
            other => other,
        }
    }
    match serde_json::from_str(json) {
        Ok(value) => clean(value).to_string(),
        Err(_) => json.replace("\\u0000", ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_what_copy_reads_as_syntax() {
        let mut out = String::new();
        for cell in [
            Cell::Text("a\tb\\c\nd".into()),
            Cell::Null,
            Cell::Bool(true),
            Cell::Binary(vec![0, 255]),
            Cell::Double(f64::INFINITY),
            Cell::Text("nul\0byte".into()),
            Cell::Json(r#"{"a":"x\u0000y"}"#.into()),
        ] {
            encode(&cell, &mut out);
            out.push('|');
        }
        assert_eq!(
            out,
            "a\\tb\\\\c\\nd|\\N|t|\\\\x00ff|Infinity|nulbyte|{\"a\":\"xy\"}|"
        );
    }
}
