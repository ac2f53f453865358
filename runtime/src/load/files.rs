//! Files: `file:DIR`, laid out as dlt's filesystem destination lays them out, so that
//! DuckDB, Spark or Trino read them: `DIR/<dataset>/<table>/<load_id>.<file_id>.jsonl`
//! (or `.parquet` with `?format=parquet`, feature `parquet`; a table whose columns grow
//! during a load gets a new Parquet file for the new layout).
//!
//! A load writes hidden temporary files and renames them into place at commit, then
//! writes the state (`_connectorgen_state/<resource>.json`) and the load record
//! (`_dlt_loads/<schema>__<load_id>.jsonl`). A replace deletes the table's earlier
//! files at commit. Files cannot be merged: a merge appends, as in dlt's filesystem
//! destination. One load at a time per dataset folder (an exclusive file lock).

use super::destination::{Counts, Destination, Load, Mode, Stored};
use super::normalize::Batch;
use super::open::FileFormat;
use super::schema::{Schema, TableSchema};
use super::value::format_timestamp;
use crate::{Error, IncrementalState, Result};
use serde_json::{Map, Value};
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// A folder of JSON-lines files as a destination.
#[derive(Debug)]
pub struct Files {
    root: PathBuf,
    lock: Option<File>,
    format: FileFormat,
    /// Files of this load, under their temporary names, with their final names.
    pending: Vec<(PathBuf, PathBuf)>,
    /// The open file of each table (indexed like the schema's tables).
    writers: Vec<Option<Writer>>,
    replaced: Vec<String>,
    written: u64,
}

/// One open data file.
#[derive(Debug)]
enum Writer {
    Jsonl(BufWriter<File>),
    #[cfg(feature = "parquet")]
    Parquet(Box<super::parquet::ParquetFile>),
}

impl Writer {
    fn close(self) -> std::io::Result<()> {
        match self {
            Writer::Jsonl(mut writer) => {
                writer.flush()?;
                writer.get_ref().sync_all()
            }
            #[cfg(feature = "parquet")]
            Writer::Parquet(file) => (*file).close().map_err(std::io::Error::other),
        }
    }
}

impl Files {
    /// Makes (or opens) `dir/dataset`.
    pub fn open(dir: &Path, dataset: &str, format: FileFormat) -> Result<Files> {
        let root = dir.join(dataset);
        fs::create_dir_all(&root).map_err(|e| {
            Error::Config(format!(
                "destination file:{}: cannot make the folder {}: {e}",
                dir.display(),
                root.display()
            ))
        })?;
        Ok(Files {
            root,
            format,
            lock: None,
            pending: Vec::new(),
            writers: Vec::new(),
            replaced: Vec::new(),
            written: 0,
        })
    }

    fn error(&self, doing: &str, e: impl std::fmt::Display) -> Error {
        Error::Config(format!(
            "destination file:{}: {doing}: {e}",
            self.root.display()
        ))
    }

    fn schema_path(&self) -> PathBuf {
        self.root.join("_connectorgen_tables.json")
    }

    fn state_path(&self, resource: &str) -> PathBuf {
        self.root
            .join("_connectorgen_state")
            .join(format!("{}.json", super::naming::normalize_key(resource)))
    }

    fn read_schema(&self) -> Result<Schema> {
        match fs::read_to_string(self.schema_path()) {
            Ok(text) => {
                let mut schema: Schema = serde_json::from_str(&text)
                    .map_err(|e| self.error("the table list is not valid", e))?;
                schema.tables.iter_mut().for_each(TableSchema::reindex);
                Ok(schema)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Schema::default()),
            Err(e) => Err(self.error("cannot read the table list", e)),
        }
    }

    fn finish(
        &mut self,
        load: &Load<'_>,
        schema: &Schema,
        state: Option<&IncrementalState>,
    ) -> std::io::Result<()> {
        for writer in self.writers.drain(..).flatten() {
            writer.close()?;
        }
        // The new files first, then the old ones go: a crash in between leaves both,
        // never neither.
        for (temporary, path) in self.pending.drain(..) {
            fs::rename(temporary, path)?;
        }
        for table in &self.replaced {
            let folder = self.root.join(table);
            if let Ok(entries) = fs::read_dir(&folder) {
                for entry in entries.flatten() {
                    let name = entry.file_name();
                    let name = name.to_string_lossy();
                    if !name.starts_with('.') && !name.starts_with(load.load_id) {
                        fs::remove_file(entry.path())?;
                    }
                }
            }
        }
        write_atomically(
            &self.schema_path(),
            serde_json::to_string_pretty(schema)?.as_bytes(),
        )?;
        if let Some(state) = state {
            let path = self.state_path(load.def.resource);
            fs::create_dir_all(path.parent().unwrap_or(&self.root))?;
            write_atomically(&path, serde_json::to_string_pretty(state)?.as_bytes())?;
        }
        let loads = self.root.join("_dlt_loads");
        fs::create_dir_all(&loads)?;
        let record = serde_json::json!({
            "load_id": load.load_id,
            "schema_name": load.schema_name,
            "status": 0,
            "inserted_at": format_timestamp(&chrono::Utc::now()),
            "schema_version_hash": super::schema_hash(schema),
        });
        write_atomically(
            &loads.join(format!("{}__{}.jsonl", load.schema_name, load.load_id)),
            format!("{record}\n").as_bytes(),
        )
    }

    /// Opens the data file of `table` if it has none, or a new one when the table got
    /// columns a Parquet file cannot take.
    fn writer(&mut self, load: &Load<'_>, table: &TableSchema, position: usize) -> Result<()> {
        if self.writers.len() <= position {
            self.writers.resize_with(position + 1, || None);
        }
        let fits = match &self.writers[position] {
            None => false,
            Some(Writer::Jsonl(_)) => true,
            #[cfg(feature = "parquet")]
            Some(Writer::Parquet(file)) => file.width() == table.columns.len(),
        };
        if fits {
            return Ok(());
        }
        if let Some(old) = self.writers[position].take() {
            old.close().map_err(|e| self.error("cannot write", e))?;
        }
        let folder = self.root.join(&table.name);
        fs::create_dir_all(&folder).map_err(|e| self.error("cannot make a folder", e))?;
        let extension = match self.format {
            FileFormat::Jsonl => "jsonl",
            FileFormat::Parquet => "parquet",
        };
        let name = format!("{}.{}.{extension}", load.load_id, fastrand::u32(..));
        let temporary = folder.join(format!(".{name}.tmp"));
        let file = File::create(&temporary).map_err(|e| self.error("cannot write", e))?;
        self.pending.push((temporary, folder.join(name)));
        self.writers[position] = Some(match self.format {
            FileFormat::Jsonl => Writer::Jsonl(BufWriter::new(file)),
            #[cfg(feature = "parquet")]
            FileFormat::Parquet => Writer::Parquet(Box::new(
                super::parquet::ParquetFile::create(file, table)
                    .map_err(|e| self.error("cannot write", e))?,
            )),
            #[cfg(not(feature = "parquet"))]
            FileFormat::Parquet => {
                return Err(self.error(
                    "cannot write Parquet",
                    "built without the `parquet` feature",
                ))
            }
        });
        Ok(())
    }

    fn discard(&mut self) {
        self.writers.clear();
        for (temporary, _) in self.pending.drain(..) {
            let _ = fs::remove_file(temporary);
        }
    }
}

impl Destination for Files {
    fn describe(&self) -> String {
        format!("file:{}", self.root.display())
    }

    async fn begin(&mut self, load: &Load<'_>) -> Result<Stored> {
        let lock =
            File::create(self.root.join(".lock")).map_err(|e| self.error("cannot lock", e))?;
        lock.lock().map_err(|e| self.error("cannot lock", e))?;
        self.lock = Some(lock);
        self.discard();
        self.written = 0;
        let schema = self.read_schema()?;
        self.replaced = match load.mode {
            Mode::Replace => schema
                .family(load.root)
                .iter()
                .map(|t| t.name.clone())
                .collect(),
            _ => Vec::new(),
        };
        let state = match fs::read_to_string(self.state_path(load.def.resource)) {
            Ok(text) => Some(
                serde_json::from_str(&text).map_err(|e| self.error("the state is not valid", e))?,
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(self.error("cannot read the state", e)),
        };
        Ok(Stored { schema, state })
    }

    async fn write(&mut self, load: &Load<'_>, schema: &Schema, batch: &Batch) -> Result<()> {
        for (position, rows) in batch.tables.iter().enumerate() {
            if rows.is_empty() {
                continue;
            }
            let table = &schema.tables[position];
            self.writer(load, table, position)?;
            let failed = |e: &dyn std::fmt::Display| {
                Error::Config(format!(
                    "destination file:{}: cannot write {}: {e}",
                    self.root.display(),
                    table.name
                ))
            };
            match self.writers[position].as_mut() {
                Some(Writer::Jsonl(writer)) => {
                    for row in rows {
                        let mut object = Map::new();
                        for (column, cell) in table.columns.iter().zip(row) {
                            if !cell.is_null() {
                                object.insert(column.name.clone(), cell.to_json());
                            }
                        }
                        let line = Value::Object(object).to_string();
                        writer
                            .write_all(line.as_bytes())
                            .and_then(|()| writer.write_all(b"\n"))
                            .map_err(|e| failed(&e))?;
                    }
                }
                #[cfg(feature = "parquet")]
                Some(Writer::Parquet(file)) => file.write(rows).map_err(|e| failed(&e))?,
                None => {}
            }
            if table.name == load.root {
                self.written += rows.len() as u64;
            }
        }
        Ok(())
    }

    async fn commit(
        &mut self,
        load: &Load<'_>,
        schema: &Schema,
        state: Option<&IncrementalState>,
    ) -> Result<Counts> {
        let result = self.finish(load, schema, state);
        self.lock = None;
        result.map_err(|e| self.error("cannot commit the load", e))?;
        Ok(Counts {
            inserted: self.written,
            ..Counts::default()
        })
    }

    async fn rollback(&mut self) {
        self.discard();
        self.lock = None;
    }
}

/// Writes beside the file, then renames over it: a crash leaves the old file whole.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let temporary = PathBuf::from(temporary);
    let mut file = File::create(&temporary)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    fs::rename(&temporary, path)
}
