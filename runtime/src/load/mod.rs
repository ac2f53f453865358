//! Loading: typed records into tables laid out as dlt lays them out.
//!
//! ```text
//! records (JSON) --normalize--> rows of tables (flattened objects, child tables for
//!                               lists, _dlt_* columns) --Destination--> SQLite | PostgreSQL | files
//! ```
//! [`sync`] drives it, one atomic load per resource. The normalizer and the sync
//! driver are always compiled; each destination is behind its cargo feature
//! (`sqlite`, `postgres`, `parquet`), and JSON-lines files need none.

mod destination;
mod extract;
pub mod files;
pub mod naming;
mod normalize;
mod open;
#[cfg(feature = "parquet")]
mod parquet;
#[cfg(feature = "postgres")]
pub mod postgres;
mod schema;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod sql;
#[cfg(feature = "sqlite")]
pub mod sqlite;
mod sync;
mod table;
mod value;

pub use destination::{Counts, Destination, Load, Mode, Stored};
pub use normalize::{Batch, Misfit, Normalizer};
pub use open::{mask, AnyDestination, DestinationUrl, FileFormat};
pub use schema::{Column, Schema, TableSchema};
pub use sync::{new_load_id, sync, Event, SyncOptions, SyncReport, TableReport};
pub use table::{ColumnDef, DataType, TableDef};
pub use value::Cell;

/// A short hash of the tables' layout, for `_dlt_loads.schema_version_hash`.
pub(crate) fn schema_hash(schema: &Schema) -> String {
    use base64::Engine as _;
    use sha3::Digest as _;
    let text = serde_json::to_string(schema).unwrap_or_default();
    let digest = sha3::Sha3_256::digest(text.as_bytes());
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(&digest[..16])
}

/// The time of a load (its id is Unix seconds), as scd2's validity boundaries: RFC 3339
/// in UTC with microseconds.
pub fn load_time(load_id: &str) -> String {
    let seconds: f64 = load_id.parse().unwrap_or_default();
    let time = chrono::DateTime::from_timestamp_micros((seconds * 1e6) as i64).unwrap_or_default();
    value::format_timestamp(&time)
}
