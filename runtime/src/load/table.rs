//! What a generated connector declares about the table of each resource: its name,
//! declared columns with their dlt data types, keys and write disposition.
//!
//! These are plain statics written by the generator; the loader reads them and never
//! needs the typed record.

use crate::{MergeStrategy, WriteDisposition};

/// dlt's column data types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DataType {
    Text,
    Bigint,
    Double,
    Bool,
    Timestamp,
    Date,
    Time,
    Decimal,
    Json,
    Binary,
    Wei,
}

impl DataType {
    /// dlt's name of the type (`bigint`, `timestamp`, ...).
    pub fn name(self) -> &'static str {
        match self {
            DataType::Text => "text",
            DataType::Bigint => "bigint",
            DataType::Double => "double",
            DataType::Bool => "bool",
            DataType::Timestamp => "timestamp",
            DataType::Date => "date",
            DataType::Time => "time",
            DataType::Decimal => "decimal",
            DataType::Json => "json",
            DataType::Binary => "binary",
            DataType::Wei => "wei",
        }
    }

    /// The type named `name` by dlt.
    pub fn parse(name: &str) -> Option<DataType> {
        Some(match name {
            "text" => DataType::Text,
            "bigint" => DataType::Bigint,
            "double" => DataType::Double,
            "bool" => DataType::Bool,
            "timestamp" => DataType::Timestamp,
            "date" => DataType::Date,
            "time" => DataType::Time,
            "decimal" => DataType::Decimal,
            "json" | "complex" => DataType::Json,
            "binary" => DataType::Binary,
            "wei" => DataType::Wei,
            _ => return None,
        })
    }
}

/// A column declared in the spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ColumnDef {
    /// The field name as the API sends it (normalized into a column name by the loader).
    pub name: &'static str,
    pub data_type: DataType,
    pub nullable: bool,
}

/// The table a resource loads into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableDef {
    /// The resource name as written in the spec.
    pub resource: &'static str,
    /// `table_name`, else the resource name (normalized by the loader).
    pub table: &'static str,
    pub columns: &'static [ColumnDef],
    pub primary_key: &'static [&'static str],
    pub merge_key: &'static [&'static str],
    pub write_disposition: WriteDisposition,
    /// The parent resource of a child resource.
    pub parent: Option<&'static str>,
}

impl TableDef {
    /// The merge strategy, `None` unless the disposition is merge (delete-insert when
    /// the spec names none, as in dlt).
    pub fn merge_strategy(&self) -> Option<MergeStrategy> {
        match self.write_disposition {
            WriteDisposition::Merge { strategy } => {
                Some(strategy.unwrap_or(MergeStrategy::DeleteInsert))
            }
            _ => None,
        }
    }
}
