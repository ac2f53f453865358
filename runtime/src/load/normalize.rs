//! Records into rows, as dlt's relational normalizer makes them: nested objects
//! flattened into `parent__child` columns, lists into child tables `<table>__<field>`
//! whose rows link to their parent row, and dlt's bookkeeping columns on every row.
//!
//! The normalizer knows nothing of destinations: it turns JSON into [`Cell`]s of a
//! [`Schema`], adding columns and tables as data brings them.

use super::destination::Mode;
use super::naming::{self, PATH_SEPARATOR};
use super::schema::{self, Column, Schema};
use super::table::{DataType, TableDef};
use super::value::{coerce, Cell};
use base64::Engine as _;
use serde_json::{Map, Value};

pub const LOAD_ID: &str = "_dlt_load_id";
pub const ID: &str = "_dlt_id";
pub const PARENT_ID: &str = "_dlt_parent_id";
pub const LIST_INDEX: &str = "_dlt_list_idx";
pub const ROOT_ID: &str = "_dlt_root_id";
pub const VALID_FROM: &str = "_dlt_valid_from";
pub const VALID_TO: &str = "_dlt_valid_to";

/// Rows of one load, per table (indexed like [`Schema::tables`]). A row may be shorter
/// than its table when columns were added after it: the missing cells are null.
#[derive(Debug, Default)]
pub struct Batch {
    pub tables: Vec<Vec<Vec<Cell>>>,
    /// For each row of `tables`, the number of the record (in the load) it came from,
    /// so a record and all its child rows can be dropped together (a duplicate key).
    pub ordinals: Vec<Vec<u64>>,
    /// Root records in this batch.
    pub records: usize,
}

impl Batch {
    pub fn rows(&self, table: usize) -> &[Vec<Cell>] {
        self.tables
            .get(table)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.tables.iter().all(Vec::is_empty)
    }

    pub fn clear(&mut self) {
        self.tables.iter_mut().for_each(Vec::clear);
        self.ordinals.iter_mut().for_each(Vec::clear);
        self.records = 0;
    }

    fn push(&mut self, table: usize, row: Vec<Cell>, ordinal: u64) {
        if self.tables.len() <= table {
            self.tables.resize_with(table + 1, Vec::new);
            self.ordinals.resize_with(table + 1, Vec::new);
        }
        self.tables[table].push(row);
        self.ordinals[table].push(ordinal);
    }
}

/// A value that does not fit its declared column.
#[derive(Debug, PartialEq)]
pub struct Misfit {
    pub column: String,
    pub data_type: DataType,
    pub value: String,
}

/// Turns the records of one resource into rows of its tables.
#[derive(Debug)]
pub struct Normalizer {
    root: String,
    load_id: String,
    /// Child rows carry `_dlt_root_id`, so a merge can find a root row's children
    /// (dlt adds it for the delete-insert and upsert strategies).
    root_key: bool,
    root_id: RootId,
    /// Normalized primary key columns (for key-hash ids).
    primary_key: Vec<String>,
    /// Records normalized so far in this load.
    records: u64,
}

/// How the `_dlt_id` of a root row is made, as dlt makes it per merge strategy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RootId {
    /// Append, replace, delete-insert.
    Random,
    /// Upsert and insert-only: a hash of the primary key, so a record keeps its id.
    KeyHash,
    /// scd2: a hash of the record's content, so each version has its own id.
    RowHash,
}

impl Normalizer {
    /// A normalizer for `def`'s table; declares its columns in `schema`.
    pub fn new(def: &TableDef, mode: Mode, schema: &mut Schema, load_id: &str) -> Normalizer {
        use crate::MergeStrategy as S;
        let (root_key, root_id) = match mode {
            Mode::Merge(S::DeleteInsert) => (true, RootId::Random),
            Mode::Merge(S::Upsert | S::InsertOnly) => (true, RootId::KeyHash),
            Mode::Merge(S::Scd2) => (false, RootId::RowHash),
            Mode::Append | Mode::Replace => (false, RootId::Random),
        };
        let root = schema.fit(naming::normalize_key(def.table));
        let position = schema.ensure(&root, None);
        let max = schema.max_identifier;
        let table = &mut schema.tables[position];
        // dlt puts scd2's validity columns first.
        let validity = [VALID_FROM, VALID_TO]
            .into_iter()
            .filter(|_| root_id == RootId::RowHash)
            .map(|name| (name.to_owned(), DataType::Timestamp, true));
        let declared = def.columns.iter().map(|c| {
            (
                naming::fit(naming::normalize_key(c.name), max),
                c.data_type,
                c.nullable,
            )
        });
        for (name, data_type, nullable) in validity.chain(declared) {
            table.add(Column {
                name,
                data_type,
                nullable,
                declared: true,
            });
        }
        Normalizer {
            root,
            load_id: load_id.to_owned(),
            root_key,
            root_id,
            primary_key: def
                .primary_key
                .iter()
                .map(|k| naming::fit(naming::normalize_key(k), max))
                .collect(),
            records: 0,
        }
    }

    /// The normalized name of the root table.
    pub fn root(&self) -> &str {
        &self.root
    }

    /// Adds the rows of one record to `batch`.
    pub fn record(
        &mut self,
        schema: &mut Schema,
        record: &Value,
        batch: &mut Batch,
    ) -> Result<(), Misfit> {
        let table = schema.ensure(&self.root, None);
        let mut row = Vec::with_capacity(schema.tables[table].columns.len());
        let mut lists = Vec::new();
        match record {
            Value::Object(fields) => flatten(schema, table, fields, &mut row, &mut lists)?,
            // Records that are not objects are stored in a `value` column, as in dlt.
            scalar => set(schema, table, "value", scalar, &mut row)?,
        }
        let id = match self.root_id {
            RootId::Random => random_id(),
            RootId::KeyHash => self.key_hash(schema, table, &row),
            RootId::RowHash => row_hash(record),
        };
        let load_id = Cell::Text(self.load_id.clone());
        set_cell(
            schema,
            table,
            LOAD_ID,
            DataType::Text,
            false,
            load_id,
            &mut row,
        );
        set_cell(
            schema,
            table,
            ID,
            DataType::Text,
            false,
            Cell::Text(id.clone()),
            &mut row,
        );
        self.records += 1;
        let ordinal = self.records;
        batch.push(table, row, ordinal);
        batch.records += 1;
        let root_id = self.root_key.then_some(id.as_str());
        let parent = Parent {
            table: &self.root,
            id: &id,
            root_id,
            ordinal,
        };
        for (field, items) in lists {
            list(schema, &parent, &field, items, batch)?;
        }
        Ok(())
    }

    /// `{"<key>": value, ...}` with sorted keys, hashed: the same record keeps its id.
    fn key_hash(&self, schema: &Schema, table: usize, row: &[Cell]) -> String {
        let table = &schema.tables[table];
        let mut key: Vec<(&str, Value)> = self
            .primary_key
            .iter()
            .map(|name| {
                let value = table
                    .position(name)
                    .and_then(|i| row.get(i))
                    .map_or(Value::Null, Cell::to_json);
                (name.as_str(), value)
            })
            .collect();
        key.sort_by(|a, b| a.0.cmp(b.0));
        let object: Map<String, Value> = key.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        digest(Value::Object(object).to_string().as_bytes())
    }
}

/// The row a child table's rows hang off.
struct Parent<'a> {
    table: &'a str,
    id: &'a str,
    root_id: Option<&'a str>,
    ordinal: u64,
}

/// The rows of child table `<parent>__<field>`, one per item of `items`.
fn list(
    schema: &mut Schema,
    parent: &Parent<'_>,
    field: &str,
    items: &[Value],
    batch: &mut Batch,
) -> Result<(), Misfit> {
    let name = schema.fit(format!("{}{PATH_SEPARATOR}{field}", parent.table));
    let table = schema.ensure(&name, Some(parent.table));
    for (index, item) in items.iter().enumerate() {
        let mut row = Vec::new();
        let mut lists = Vec::new();
        match item {
            Value::Object(fields) => flatten(schema, table, fields, &mut row, &mut lists)?,
            // A list in a list: a row with only dlt's columns, whose items go to the
            // table `<name>__list`.
            Value::Array(inner) if !inner.is_empty() => {
                lists.push(("list".to_owned(), inner.as_slice()))
            }
            Value::Array(_) => {}
            scalar => set(schema, table, "value", scalar, &mut row)?,
        }
        let id = derived_id(parent.id, &name, index);
        if let Some(root_id) = parent.root_id {
            let cell = Cell::Text(root_id.to_owned());
            set_cell(
                schema,
                table,
                ROOT_ID,
                DataType::Text,
                false,
                cell,
                &mut row,
            );
        }
        let parent_cell = Cell::Text(parent.id.to_owned());
        set_cell(
            schema,
            table,
            PARENT_ID,
            DataType::Text,
            false,
            parent_cell,
            &mut row,
        );
        let index_cell = Cell::Bigint(index as i64);
        set_cell(
            schema,
            table,
            LIST_INDEX,
            DataType::Bigint,
            false,
            index_cell,
            &mut row,
        );
        set_cell(
            schema,
            table,
            ID,
            DataType::Text,
            false,
            Cell::Text(id.clone()),
            &mut row,
        );
        batch.push(table, row, parent.ordinal);
        let child = Parent {
            table: &name,
            id: &id,
            root_id: parent.root_id,
            ordinal: parent.ordinal,
        };
        for (field, inner) in lists {
            list(schema, &child, &field, inner, batch)?;
        }
    }
    Ok(())
}

/// Writes the fields of an object into `row`, nested objects as `outer__inner`
/// columns; lists are collected for child tables. Columns come in dlt's order: an
/// object's scalars first, then its nested objects, the last one first (dlt walks
/// them with a stack).
fn flatten<'v>(
    schema: &mut Schema,
    table: usize,
    fields: &'v Map<String, Value>,
    row: &mut Vec<Cell>,
    lists: &mut Vec<(String, &'v [Value])>,
) -> Result<(), Misfit> {
    let mut stack: Vec<(String, &'v Map<String, Value>)> = vec![(String::new(), fields)];
    while let Some((prefix, fields)) = stack.pop() {
        for (key, value) in fields {
            let key = naming::normalize_key_cached(key);
            let name = if prefix.is_empty() {
                schema.fit(key)
            } else {
                schema.fit(format!("{prefix}{PATH_SEPARATOR}{key}"))
            };
            let json_column = schema.tables[table]
                .column(&name)
                .is_some_and(|c| c.data_type == DataType::Json);
            match value {
                _ if json_column => set(schema, table, &name, value, row)?,
                Value::Object(inner) => stack.push((name, inner)),
                Value::Array(items) if items.is_empty() => {}
                Value::Array(items) => lists.push((name, items)),
                _ => set(schema, table, &name, value, row)?,
            }
        }
    }
    Ok(())
}

/// Puts a scalar into column `name`: the column's type when it has one (a declared
/// column must take it), else a new column of the value's inferred type, else a
/// variant column `name__v_<type>`.
fn set(
    schema: &mut Schema,
    table: usize,
    name: &str,
    value: &Value,
    row: &mut Vec<Cell>,
) -> Result<(), Misfit> {
    let columns = &schema.tables[table];
    let existing = columns
        .position(name)
        .map(|position| (position, &columns.columns[position]));
    let existed = existing.is_some();
    if let Some((position, column)) = existing {
        if let Some(cell) = coerce(value, column.data_type) {
            put(row, position, cell);
            return Ok(());
        }
        if column.declared {
            return Err(Misfit {
                column: name.to_owned(),
                data_type: column.data_type,
                value: value.to_string(),
            });
        }
    }
    // Null never makes a column: dlt creates columns only for values it can type.
    let Some(data_type) = schema::infer(value) else {
        return Ok(());
    };
    let Some(cell) = coerce(value, data_type) else {
        return Ok(());
    };
    let name = if existed {
        schema.fit(format!("{name}{PATH_SEPARATOR}v_{}", data_type.name()))
    } else {
        name.to_owned()
    };
    set_cell(schema, table, &name, data_type, true, cell, row);
    Ok(())
}

fn set_cell(
    schema: &mut Schema,
    table: usize,
    name: &str,
    data_type: DataType,
    nullable: bool,
    cell: Cell,
    row: &mut Vec<Cell>,
) {
    let table = &mut schema.tables[table];
    let position = match table.position(name) {
        Some(position) => position,
        None => table.add(Column {
            name: name.to_owned(),
            data_type,
            nullable,
            declared: false,
        }),
    };
    put(row, position, cell);
}

fn put(row: &mut Vec<Cell>, position: usize, cell: Cell) {
    if row.len() <= position {
        row.resize(position + 1, Cell::Null);
    }
    row[position] = cell;
}

/// A random row id: 10 random bytes in base64, as dlt's `uniq_id_base64(10)`.
fn random_id() -> String {
    let bytes: [u8; 10] = std::array::from_fn(|_| fastrand::u8(..));
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes)
}

/// The id of a child row, derived from its parent's id, its table and its position
/// (dlt's `digest128(f"{parent_row_id}_{table}_{pos}", 10)`), so loading the same
/// parent again gives its children the same ids.
fn derived_id(parent_id: &str, table: &str, index: usize) -> String {
    digest(format!("{parent_id}_{table}_{index}").as_bytes())
}

/// The id of a row version (scd2): a hash of the record's content with sorted keys,
/// leaving out dlt's own `_dlt*` fields.
fn row_hash(record: &Value) -> String {
    fn sorted(value: &Value, top: bool) -> Value {
        match value {
            Value::Object(fields) => {
                let mut keys: Vec<&String> = fields
                    .keys()
                    .filter(|k| !(top && k.starts_with("_dlt")))
                    .collect();
                keys.sort();
                Value::Object(
                    keys.into_iter()
                        .map(|k| (k.clone(), sorted(&fields[k], false)))
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(items.iter().map(|v| sorted(v, false)).collect()),
            other => other.clone(),
        }
    }
    digest(sorted(record, true).to_string().as_bytes())
}

/// dlt's `digest128(text, 10)`: SHAKE-128, 10 bytes, base64 without padding.
fn digest(input: &[u8]) -> String {
    use sha3::digest::{ExtendableOutput, Update, XofReader};
    let mut hasher = sha3::Shake128::default();
    hasher.update(input);
    let mut bytes = [0u8; 10];
    hasher.finalize_xof().read(&mut bytes);
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_made_as_dlt_makes_them() {
        // Checked against dlt 1.31: digest128b(b'{"id":1}', 10).
        assert_eq!(digest(br#"{"id":1}"#), "z5jIxXIbUnmbKw");
        assert_eq!(random_id().len(), 14);
    }
}
