//! The interface every destination implements: begin a resource's load, write batches
//! of rows (making and evolving tables as the schema grows), commit with the state,
//! or roll back. Destinations know nothing of HTTP; the sync driver knows nothing of
//! SQL.

use super::normalize::Batch;
use super::schema::Schema;
use super::table::TableDef;
use crate::{IncrementalState, MergeStrategy, Result};
use std::future::Future;

/// How a resource's rows reach its tables in one load.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Rows are added.
    Append,
    /// The resource's tables hold exactly this load's rows afterwards.
    Replace,
    /// Rows replace the rows with the same key.
    Merge(MergeStrategy),
}

impl Mode {
    /// The mode of a resource: its write disposition, with dlt's fallbacks (a merge
    /// without any key appends), and replace for a full refresh. `None`: skip.
    pub fn of(def: &TableDef, full_refresh: bool) -> Option<Mode> {
        use crate::WriteDisposition as W;
        let keyed = !def.primary_key.is_empty() || !def.merge_key.is_empty();
        Some(match def.write_disposition {
            W::Skip => return None,
            _ if full_refresh => Mode::Replace,
            W::Append => Mode::Append,
            W::Replace => Mode::Replace,
            W::Merge { .. } => match def.merge_strategy() {
                Some(MergeStrategy::Scd2) => Mode::Merge(MergeStrategy::Scd2),
                Some(strategy) if keyed => Mode::Merge(strategy),
                _ => Mode::Append,
            },
        })
    }

    pub fn describe(self) -> &'static str {
        match self {
            Mode::Append => "append",
            Mode::Replace => "replace",
            Mode::Merge(strategy) => match strategy {
                MergeStrategy::DeleteInsert => "merge (delete-insert)",
                MergeStrategy::Upsert => "merge (upsert)",
                MergeStrategy::Scd2 => "merge (scd2)",
                MergeStrategy::InsertOnly => "merge (insert-only)",
            },
        }
    }
}

/// One resource's load, as the destination is told about it.
#[derive(Clone, Copy, Debug)]
pub struct Load<'a> {
    pub def: &'a TableDef,
    /// The normalized name of the root table.
    pub root: &'a str,
    pub mode: Mode,
    pub load_id: &'a str,
    /// The connector's name (dlt's schema name in `_dlt_loads`).
    pub schema_name: &'a str,
    /// Normalized primary key and merge key columns.
    pub primary_key: &'a [String],
    pub merge_key: &'a [String],
}

/// What the destination holds for a resource when its load begins.
#[derive(Clone, Debug, Default)]
pub struct Stored {
    /// Every table of the dataset the destination knows, with its columns.
    pub schema: Schema,
    /// The resource's incremental state from its last committed load.
    pub state: Option<IncrementalState>,
}

/// Rows changed by one resource's load, in its root table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub inserted: u64,
    pub updated: u64,
    pub deleted: u64,
}

/// A place that loads are written to: SQLite, PostgreSQL, files.
///
/// A load is atomic: nothing of it is visible before [`commit`](Destination::commit),
/// and the incremental state is committed with the rows it belongs to. Loads of the
/// same resource by two processes never interleave: `begin` waits for (or refuses)
/// the other.
pub trait Destination: Send {
    /// The destination as it may be shown: its URL with any password masked.
    fn describe(&self) -> String;

    /// The longest table or column name the destination takes (PostgreSQL: 63);
    /// longer names are shortened as dlt shortens them.
    fn max_identifier_length(&self) -> Option<usize> {
        None
    }

    /// Starts the load of one resource: takes its lock, reads its state and the schema.
    fn begin(&mut self, load: &Load<'_>) -> impl Future<Output = Result<Stored>> + Send;

    /// Writes rows; first makes the tables and columns of `schema` that do not exist yet.
    fn write(
        &mut self,
        load: &Load<'_>,
        schema: &Schema,
        batch: &Batch,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Makes the load visible, with its state and a row in `_dlt_loads`.
    fn commit(
        &mut self,
        load: &Load<'_>,
        schema: &Schema,
        state: Option<&IncrementalState>,
    ) -> impl Future<Output = Result<Counts>> + Send;

    /// Abandons the load: the destination is left as it was before `begin`.
    fn rollback(&mut self) -> impl Future<Output = ()> + Send;
}
