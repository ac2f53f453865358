//! The tables of a dataset as the loader knows them: columns in the order they appeared,
//! each with its dlt data type. Columns are added as data brings new fields (schema
//! evolution), never removed or retyped; a value that does not fit an inferred column
//! goes to a variant column `<name>__v_<type>`, as in dlt.

use super::table::DataType;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A column of a table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    pub data_type: DataType,
    pub nullable: bool,
    /// Declared in the spec (as opposed to inferred from data).
    #[serde(default)]
    pub declared: bool,
}

/// One table: a resource's root table or one of its child tables.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TableSchema {
    pub name: String,
    /// The table this one's rows belong to (`None` for a root table).
    pub parent: Option<String>,
    pub columns: Vec<Column>,
    #[serde(skip)]
    index: HashMap<String, usize, foldhash::fast::RandomState>,
}

impl PartialEq for TableSchema {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.parent == other.parent && self.columns == other.columns
    }
}

impl TableSchema {
    pub fn new(name: String, parent: Option<String>) -> TableSchema {
        TableSchema {
            name,
            parent,
            columns: Vec::new(),
            index: HashMap::default(),
        }
    }

    /// Rebuilds the name index after deserialization.
    pub(crate) fn reindex(&mut self) {
        self.index = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name.clone(), i))
            .collect();
    }

    pub fn position(&self, column: &str) -> Option<usize> {
        self.index.get(column).copied()
    }

    pub fn column(&self, column: &str) -> Option<&Column> {
        self.position(column).map(|i| &self.columns[i])
    }

    /// Adds a column unless one of that name exists; its position either way.
    pub fn add(&mut self, column: Column) -> usize {
        if let Some(position) = self.position(&column.name) {
            return position;
        }
        self.index.insert(column.name.clone(), self.columns.len());
        self.columns.push(column);
        self.columns.len() - 1
    }
}

/// Every table the loader has made, in the order they were made.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Schema {
    pub tables: Vec<TableSchema>,
    /// The destination's longest name (PostgreSQL: 63): longer names are shortened.
    #[serde(skip)]
    pub max_identifier: Option<usize>,
}

impl Schema {
    /// `name` as it may be used in this schema's destination.
    pub fn fit(&self, name: String) -> String {
        super::naming::fit(name, self.max_identifier)
    }

    pub fn table(&self, name: &str) -> Option<&TableSchema> {
        self.tables.iter().find(|t| t.name == name)
    }

    pub(crate) fn position(&self, name: &str) -> Option<usize> {
        self.tables.iter().position(|t| t.name == name)
    }

    /// Records `table` as it is now (replacing what was known of it). A table without
    /// columns is left out: no destination has made it.
    #[cfg(any(feature = "sqlite", feature = "postgres"))]
    pub(crate) fn remember(&mut self, table: &TableSchema) {
        if table.columns.is_empty() {
            return;
        }
        match self.tables.iter_mut().find(|t| t.name == table.name) {
            Some(existing) => *existing = table.clone(),
            None => self.tables.push(table.clone()),
        }
    }

    /// The position of table `name`, made (empty) when missing.
    pub(crate) fn ensure(&mut self, name: &str, parent: Option<&str>) -> usize {
        match self.position(name) {
            Some(position) => position,
            None => {
                self.tables
                    .push(TableSchema::new(name.to_owned(), parent.map(str::to_owned)));
                self.tables.len() - 1
            }
        }
    }

    /// The tables of one resource: its root table and every table below it.
    pub fn family(&self, root: &str) -> Vec<&TableSchema> {
        self.tables
            .iter()
            .filter(|t| t.name == root || self.root_of(&t.name) == root)
            .collect()
    }

    /// The root table a table belongs to.
    pub fn root_of<'a>(&'a self, mut name: &'a str) -> &'a str {
        while let Some(parent) = self.table(name).and_then(|t| t.parent.as_deref()) {
            name = parent;
        }
        name
    }
}

/// The dlt data type of a JSON scalar from an undeclared field: `None` for null,
/// objects and arrays (which are flattened or become child tables).
///
/// Text that is an ISO 8601 timestamp becomes `timestamp`: dlt's default schema has
/// the `iso_timestamp` detection on.
pub fn infer(value: &serde_json::Value) -> Option<DataType> {
    use serde_json::Value;
    Some(match value {
        Value::Bool(_) => DataType::Bool,
        Value::Number(n) if n.is_i64() => DataType::Bigint,
        // Above i64::MAX: dlt's `wei`.
        Value::Number(n) if n.is_u64() => DataType::Wei,
        Value::Number(_) => DataType::Double,
        Value::String(s) if is_iso_timestamp(s) => DataType::Timestamp,
        Value::String(_) => DataType::Text,
        Value::Null | Value::Object(_) | Value::Array(_) => return None,
    })
}

/// A timestamp with a date and a time: `2024-01-01T10:00:00Z`, `2024-01-01 10:00:00+02:00`.
/// Plain dates and plain numbers are left as text, as dlt's detection leaves them.
fn is_iso_timestamp(text: &str) -> bool {
    let bytes = text.as_bytes();
    // Cheap shape check first: most text is not a timestamp.
    if bytes.len() < 19
        || bytes.len() > 40
        || !bytes[..4].iter().all(u8::is_ascii_digit)
        || bytes[4] != b'-'
        || !(bytes[10] == b'T' || bytes[10] == b' ')
    {
        return false;
    }
    super::value::parse_timestamp(text).is_some()
}
