//! SQL shared by the SQL destinations: quoting, column types, DDL, and the statements
//! that move a load's staged rows into its tables for each merge strategy (dlt's
//! semantics, from its `sql_jobs.py`, written anew for SQLite and PostgreSQL).

use super::destination::{Load, Mode};
use super::normalize::{ID, ROOT_ID, VALID_FROM, VALID_TO};
use super::schema::{Schema, TableSchema};
use super::table::DataType;
use crate::MergeStrategy;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(all(feature = "sqlite", feature = "postgres")), allow(dead_code))]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

/// `"name"`, with embedded quotes doubled.
pub(crate) fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The SQL type of a dlt data type.
pub(crate) fn sql_type(dialect: Dialect, data_type: DataType) -> &'static str {
    match (dialect, data_type) {
        (Dialect::Sqlite, DataType::Bigint | DataType::Bool) => "INTEGER",
        (Dialect::Sqlite, DataType::Double) => "REAL",
        (Dialect::Sqlite, DataType::Binary) => "BLOB",
        // Text keeps timestamps (RFC 3339, UTC), decimals and wei exact in SQLite.
        (Dialect::Sqlite, _) => "TEXT",
        (Dialect::Postgres, DataType::Text) => "varchar",
        (Dialect::Postgres, DataType::Bigint) => "bigint",
        (Dialect::Postgres, DataType::Double) => "double precision",
        (Dialect::Postgres, DataType::Bool) => "boolean",
        (Dialect::Postgres, DataType::Timestamp) => "timestamp with time zone",
        (Dialect::Postgres, DataType::Date) => "date",
        (Dialect::Postgres, DataType::Time) => "time without time zone",
        (Dialect::Postgres, DataType::Decimal) => "numeric(38,9)",
        (Dialect::Postgres, DataType::Wei) => "numeric",
        (Dialect::Postgres, DataType::Json) => "jsonb",
        (Dialect::Postgres, DataType::Binary) => "bytea",
    }
}

/// The staging tables' extra column: the number of the record a row came from, so a
/// record and its child rows are dropped together, and the last duplicate is known.
pub(crate) const RECORD: &str = "_stg_record";

/// `CREATE TABLE` for `table` under the (quoted, qualified) name `name`; a staging
/// table also gets the [`RECORD`] column.
pub(crate) fn create_table(
    dialect: Dialect,
    name: &str,
    table: &TableSchema,
    staging: bool,
) -> String {
    let mut columns: Vec<String> = table
        .columns
        .iter()
        .map(|c| {
            format!(
                "{} {}{}",
                quote(&c.name),
                sql_type(dialect, c.data_type),
                if c.nullable { "" } else { " NOT NULL" }
            )
        })
        .collect();
    if staging {
        columns.push(format!("{} bigint NOT NULL", quote(RECORD)));
    }
    format!("CREATE TABLE {name} ({})", columns.join(", "))
}

/// `ALTER TABLE ... ADD COLUMN` for a column added to an existing table (always
/// nullable: the table's earlier rows have no value).
pub(crate) fn add_column(dialect: Dialect, name: &str, column: &super::schema::Column) -> String {
    format!(
        "ALTER TABLE {name} ADD COLUMN {} {}",
        quote(&column.name),
        sql_type(dialect, column.data_type)
    )
}

/// The statements that change `known` (what the destination has) into `schema`, for
/// the tables in `tables`: new tables, then new columns. Tables without columns yet
/// (a resource that sent nothing) are left for a later load.
pub(crate) fn evolve(
    dialect: Dialect,
    known: &Schema,
    schema: &Schema,
    tables: impl Iterator<Item = usize>,
    name: impl Fn(&str) -> String,
    staging: bool,
) -> Vec<String> {
    let mut statements = Vec::new();
    for position in tables {
        let table = &schema.tables[position];
        if table.columns.is_empty() {
            continue;
        }
        match known.table(&table.name) {
            None => statements.push(create_table(dialect, &name(&table.name), table, staging)),
            Some(existing) => {
                for column in &table.columns[existing.columns.len().min(table.columns.len())..] {
                    statements.push(add_column(dialect, &name(&table.name), column));
                }
            }
        }
    }
    statements
}

/// Names, for writing SQL about one load.
pub(crate) struct Names<'a> {
    pub dialect: Dialect,
    /// Quoted, qualified name of a table.
    pub target: &'a (dyn Fn(&str) -> String + Sync),
    /// Quoted name of a table's staging table.
    pub staging: &'a (dyn Fn(&str) -> String + Sync),
}

fn columns(table: &TableSchema) -> String {
    table
        .columns
        .iter()
        .map(|c| quote(&c.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `value` is not among `column` of `table` (rows matching `filter`). SQLite plans
/// `NOT IN (subquery)` with a temporary index; PostgreSQL plans it as a hashed subplan
/// only while it fits in `work_mem` (a row-by-row scan beyond), so it gets the
/// anti-join of `NOT EXISTS`. `value` must name its table (`s."id"`).
fn absent(
    dialect: Dialect,
    value: &str,
    column: &str,
    table: &str,
    filter: Option<&str>,
) -> String {
    match dialect {
        Dialect::Sqlite => {
            let filter = filter.map(|f| format!(" WHERE {f}")).unwrap_or_default();
            format!("{value} NOT IN (SELECT {column} FROM {table}{filter})")
        }
        Dialect::Postgres => {
            let filter = filter.map(|f| format!(" AND x.{f}")).unwrap_or_default();
            format!("NOT EXISTS (SELECT 1 FROM {table} AS x WHERE x.{column} = {value}{filter})")
        }
    }
}

/// `"a", "b"`.
fn list(columns: &[String]) -> String {
    columns
        .iter()
        .map(|c| quote(c))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `("a", "b")`, a row value.
fn tuple(columns: &[String]) -> String {
    format!("({})", list(columns))
}

/// `d.k = s.k AND ...`.
fn equal(columns: &[String]) -> String {
    columns
        .iter()
        .map(|c| format!("d.{0} = s.{0}", quote(c)))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// What the rows changed by a statement of a merge count as, in the root table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tally {
    Inserted,
    Updated,
    /// Deleted (delete-insert: replaced) or retired (scd2).
    Deleted,
}

/// The statements of a merge, in order: `prepare` (de-duplicate the staged rows), then
/// `count_replaced`, then `statements`.
#[derive(Debug, Default)]
pub(crate) struct MergePlan {
    pub prepare: Vec<String>,
    /// delete-insert, before the statements: how many staged root rows replace a row
    /// with the same primary key (those count as updated, not deleted and inserted).
    pub count_replaced: Option<String>,
    pub statements: Vec<(String, Option<Tally>)>,
}

/// The statements that move staged rows into the tables of `load`'s resource.
pub(crate) fn merge(
    names: &Names<'_>,
    load: &Load<'_>,
    schema: &Schema,
    boundary: &str,
) -> MergePlan {
    let Mode::Merge(strategy) = load.mode else {
        return MergePlan::default();
    };
    let Some(root) = schema.table(load.root) else {
        return MergePlan::default();
    };
    let children: Vec<&TableSchema> = schema
        .family(load.root)
        .into_iter()
        .filter(|t| t.name != load.root)
        .collect();
    let r = (names.target)(&root.name);
    let sr = (names.staging)(&root.name);
    let pk = load.primary_key;
    let mk = load.merge_key;
    let record = quote(RECORD);
    // Duplicates inside a load: the last record of a key wins (scd2: the first of
    // identical versions), and the child rows of the dropped ones go with them.
    let mut prepare = Vec::new();
    let duplicates = match strategy {
        MergeStrategy::Scd2 => Some(("ASC", quote(ID))),
        _ if !pk.is_empty() => Some(("DESC", list(pk))),
        _ => None,
    };
    if let Some((order, key)) = duplicates {
        prepare.push(format!(
            "DELETE FROM {sr} WHERE {record} IN (SELECT {record} FROM (SELECT {record}, \
             row_number() OVER (PARTITION BY {key} ORDER BY {record} {order}) AS n FROM {sr}) AS ranked \
             WHERE n > 1)"
        ));
        for child in &children {
            prepare.push(format!(
                "DELETE FROM {} AS c WHERE {}",
                (names.staging)(&child.name),
                absent(names.dialect, &format!("c.{record}"), &record, &sr, None)
            ));
        }
    }
    let mut statements: Vec<(String, Option<Tally>)> = Vec::new();
    let mut push = |sql: String, tally: Option<Tally>| statements.push((sql, tally));
    // Rows of the table that this load replaces: same primary key or same merge key.
    let matched = [pk, mk]
        .iter()
        .filter(|key| !key.is_empty())
        .map(|key| format!("{} IN (SELECT {} FROM {sr})", tuple(key), list(key)))
        .collect::<Vec<_>>()
        .join(" OR ");
    let count_replaced = (!pk.is_empty()).then(|| {
        format!(
            "SELECT count(*) FROM {sr} AS s WHERE EXISTS (SELECT 1 FROM {r} AS d WHERE {})",
            equal(pk)
        )
    });
    let all = columns(root);
    let id = quote(ID);
    // Child rows not in the table yet (their ids derive from their root row's).
    let insert_new_children = |push: &mut dyn FnMut(String, Option<Tally>)| {
        for child in &children {
            let cols = columns(child);
            let t = (names.target)(&child.name);
            push(
                format!(
                    "INSERT INTO {t} ({cols}) SELECT {cols} FROM {} AS s WHERE {}",
                    (names.staging)(&child.name),
                    absent(names.dialect, &format!("s.{id}"), &id, &t, None)
                ),
                None,
            );
        }
    };
    match strategy {
        MergeStrategy::DeleteInsert => {
            for child in &children {
                if child.position(ROOT_ID).is_some() {
                    push(
                        format!(
                            "DELETE FROM {} WHERE {} IN (SELECT {id} FROM {r} WHERE {matched})",
                            (names.target)(&child.name),
                            quote(ROOT_ID),
                        ),
                        None,
                    );
                }
            }
            push(
                format!("DELETE FROM {r} WHERE {matched}"),
                Some(Tally::Deleted),
            );
            push(
                format!("INSERT INTO {r} ({all}) SELECT {all} FROM {sr}"),
                Some(Tally::Inserted),
            );
            for child in &children {
                let cols = columns(child);
                push(
                    format!(
                        "INSERT INTO {} ({cols}) SELECT {cols} FROM {}",
                        (names.target)(&child.name),
                        (names.staging)(&child.name)
                    ),
                    None,
                );
            }
            MergePlan {
                prepare,
                count_replaced,
                statements,
            }
        }
        MergeStrategy::Upsert | MergeStrategy::InsertOnly => {
            if strategy == MergeStrategy::Upsert {
                // Root ids are key hashes: an updated record's children are replaced.
                for child in &children {
                    if child.position(ROOT_ID).is_some() {
                        push(
                            format!(
                                "DELETE FROM {} WHERE {} IN (SELECT {id} FROM {sr})",
                                (names.target)(&child.name),
                                quote(ROOT_ID),
                            ),
                            None,
                        );
                    }
                }
                let set: Vec<String> = root
                    .columns
                    .iter()
                    .map(|c| format!("{0} = s.{0}", quote(&c.name)))
                    .collect();
                push(
                    format!(
                        "UPDATE {r} AS d SET {} FROM {sr} AS s WHERE {}",
                        set.join(", "),
                        equal(pk)
                    ),
                    Some(Tally::Updated),
                );
            }
            if strategy == MergeStrategy::InsertOnly {
                // Only the children of records new to the table (before they are in it).
                for child in children.iter().filter(|c| c.position(ROOT_ID).is_some()) {
                    let cols = columns(child);
                    push(
                        format!(
                            "INSERT INTO {} ({cols}) SELECT {cols} FROM {} AS s WHERE {}",
                            (names.target)(&child.name),
                            (names.staging)(&child.name),
                            absent(
                                names.dialect,
                                &format!("s.{}", quote(ROOT_ID)),
                                &id,
                                &r,
                                None
                            )
                        ),
                        None,
                    );
                }
            }
            push(
                format!(
                    "INSERT INTO {r} ({all}) SELECT {all} FROM {sr} AS s \
                     WHERE NOT EXISTS (SELECT 1 FROM {r} AS d WHERE {})",
                    equal(pk)
                ),
                Some(Tally::Inserted),
            );
            if strategy == MergeStrategy::Upsert {
                insert_new_children(&mut push);
            }
            MergePlan {
                prepare,
                count_replaced: None,
                statements,
            }
        }
        MergeStrategy::Scd2 => {
            let boundary = match names.dialect {
                Dialect::Sqlite => format!("'{boundary}'"),
                Dialect::Postgres => format!("'{boundary}'::timestamptz"),
            };
            let (from, to) = (quote(VALID_FROM), quote(VALID_TO));
            let partition = if mk.is_empty() {
                String::new()
            } else {
                format!(" AND {} IN (SELECT {} FROM {sr})", tuple(mk), list(mk))
            };
            // Versions absent from this load are retired (within the merge key's
            // partitions when there is one).
            push(
                format!(
                    "UPDATE {r} AS d SET {to} = {boundary} WHERE d.{to} IS NULL AND {}{partition}",
                    absent(names.dialect, &format!("d.{id}"), &id, &sr, None)
                ),
                Some(Tally::Deleted),
            );
            let values: Vec<String> = root
                .columns
                .iter()
                .map(|c| {
                    let name = quote(&c.name);
                    if name == from {
                        boundary.clone()
                    } else if name == to {
                        "NULL".to_owned()
                    } else {
                        format!("s.{name}")
                    }
                })
                .collect();
            push(
                format!(
                    "INSERT INTO {r} ({all}) SELECT {} FROM {sr} AS s WHERE {}",
                    values.join(", "),
                    absent(
                        names.dialect,
                        &format!("s.{id}"),
                        &id,
                        &r,
                        Some(&format!("{to} IS NULL"))
                    )
                ),
                Some(Tally::Inserted),
            );
            insert_new_children(&mut push);
            MergePlan {
                prepare,
                count_replaced: None,
                statements,
            }
        }
    }
}

/// Positions in `schema` of the tables of the resource whose root table is `root`.
pub(crate) fn family(schema: &Schema, root: &str) -> Vec<usize> {
    (0..schema.tables.len())
        .filter(|&i| schema.root_of(&schema.tables[i].name) == root)
        .collect()
}

/// The columns to index in a merge table so merges do not scan it whole: the keys of
/// a root table, `_dlt_root_id` of a child table.
pub(crate) fn index_columns(load: &Load<'_>, table: &TableSchema) -> Vec<String> {
    let mut columns: Vec<String> = if table.name == load.root {
        load.primary_key
            .iter()
            .chain(load.merge_key)
            .map(|c| quote(c))
            .collect()
    } else if table.position(ROOT_ID).is_some() {
        vec![quote(ROOT_ID)]
    } else {
        vec![quote(ID)]
    };
    columns.sort();
    columns.dedup();
    columns
}

/// The name of a table's key index: `:` never appears in a normalized name, so no
/// table can take it.
pub(crate) fn index_name(table: &str) -> String {
    // Cut like a table name, so that PostgreSQL's 63 bytes do not cut it back to the
    // table's own name.
    quote(&super::naming::shorten(&format!("{table}:key"), 63))
}

impl super::destination::Counts {
    /// Adds the rows a merge statement changed.
    pub(crate) fn tally(&mut self, tally: Option<Tally>, rows: u64) {
        match tally {
            Some(Tally::Inserted) => self.inserted += rows,
            Some(Tally::Updated) => self.updated += rows,
            Some(Tally::Deleted) => self.deleted += rows,
            None => {}
        }
    }

    /// delete-insert: rows that replaced a row with the same primary key were updated,
    /// not deleted and inserted.
    pub(crate) fn replaced(&mut self, rows: u64) {
        self.updated += rows;
        self.inserted -= rows.min(self.inserted);
        self.deleted -= rows.min(self.deleted);
    }
}
