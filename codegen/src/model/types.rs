//! dlt data types and the Rust types they become.

/// dlt's column data types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
    /// Every name dlt accepts, `complex` being the deprecated alias of `json`.
    pub const NAMES: &'static [&'static str] = &[
        "text",
        "bigint",
        "double",
        "bool",
        "timestamp",
        "date",
        "time",
        "decimal",
        "json",
        "binary",
        "wei",
        "complex",
    ];

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

    /// What other schema languages call a dlt type, for hints.
    pub fn synonym(name: &str) -> Option<DataType> {
        Some(match name.to_ascii_lowercase().as_str() {
            "string" | "str" | "varchar" => DataType::Text,
            "int" | "integer" | "long" | "int64" | "i64" | "number_integer" => DataType::Bigint,
            "float" | "number" | "f64" | "real" => DataType::Double,
            "boolean" => DataType::Bool,
            "datetime" | "date-time" | "date_time" => DataType::Timestamp,
            "object" | "array" | "dict" | "list" => DataType::Json,
            "bytes" => DataType::Binary,
            _ => return None,
        })
    }

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

    /// The Rust type, as written in generated code: prelude names plainly (a spec
    /// cannot shadow them, see `sanitize`), the rest through the `rt` alias of the
    /// runtime crate.
    pub fn rust_path(self) -> &'static str {
        match self {
            DataType::Text => "String",
            DataType::Bigint => "i64",
            DataType::Double => "f64",
            DataType::Bool => "bool",
            DataType::Timestamp => "rt::chrono::DateTime<rt::chrono::Utc>",
            DataType::Date => "rt::chrono::NaiveDate",
            DataType::Time => "rt::chrono::NaiveTime",
            DataType::Decimal => "rt::rust_decimal::Decimal",
            DataType::Json => "rt::serde_json::Value",
            DataType::Binary => "rt::types::Binary",
            DataType::Wei => "rt::types::Wei",
        }
    }

    /// The Rust type as a reader sees it (for READMEs).
    pub fn rust_short(self) -> &'static str {
        match self {
            DataType::Text => "String",
            DataType::Bigint => "i64",
            DataType::Double => "f64",
            DataType::Bool => "bool",
            DataType::Timestamp => "DateTime<Utc>",
            DataType::Date => "NaiveDate",
            DataType::Time => "NaiveTime",
            DataType::Decimal => "Decimal",
            DataType::Json => "serde_json::Value",
            DataType::Binary => "Binary",
            DataType::Wei => "Wei",
        }
    }
}
