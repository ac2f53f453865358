//! Columns, keys, table name and write disposition: what a resource loads into.

use super::{Origin, Resolver};
use crate::diagnostics::{did_you_mean, suggest, Problem};
use crate::model::*;
use crate::sanitize;
use crate::spec::raw::{self, StringOr};
use crate::spec::Path;

/// A resource's table, as [`Resolver::table`] resolves it.
pub(super) struct Table {
    pub fields: Vec<Field>,
    pub primary_key: Vec<String>,
    pub merge_key: Vec<String>,
    pub table_name: String,
    pub write_disposition: WriteDisposition,
}

const DISPOSITIONS: &[&str] = &["append", "replace", "merge", "skip"];

impl Resolver<'_> {
    /// What a resource loads into: its columns, keys, table and write disposition.
    pub(super) fn table(
        &mut self,
        spec: &raw::ResourceSpec,
        name: &str,
        origin: &Origin<'_>,
    ) -> Table {
        let fields = self.fields(spec.columns.as_ref(), spec.primary_key.as_ref(), origin);
        let primary_key = match &spec.primary_key {
            None => Vec::new(),
            Some(StringOr::String(key)) => vec![key.clone()],
            Some(StringOr::Full(keys)) => keys.clone(),
        };
        // dlt's `columns` may name only some columns: a key that is not among them is
        // read from the record's other fields. One that looks like a typo of a declared
        // column gets a warning.
        for key in &primary_key {
            if fields.iter().any(|f| &f.name == key) {
                continue;
            }
            let names = fields.iter().map(|f| f.name.as_str());
            if let Some(best) = did_you_mean(key, names) {
                self.warn(
                    Problem::new(
                        origin.at(&Path::root().key("primary_key")),
                        format!("primary key `{key}` is not a declared column of `{name}`"),
                    )
                    .hint(format!(
                        "did you mean `{best}`? (a key outside `columns` is read from the record's other fields)"
                    )),
                );
            }
        }
        let table_name = spec.table_name.clone().unwrap_or_else(|| name.to_owned());
        // `merge_key` on the resource, and columns with the `merge_key: true` hint.
        let mut merge_key: Vec<String> = match &spec.merge_key {
            None => Vec::new(),
            Some(StringOr::String(key)) => vec![key.clone()],
            Some(StringOr::Full(keys)) => keys.clone(),
        };
        for field in fields.iter().filter(|f| f.merge_key) {
            if !merge_key.contains(&field.name) {
                merge_key.push(field.name.clone());
            }
        }
        let write_disposition = self.write_disposition(
            spec.write_disposition.as_ref(),
            &origin.at(&Path::root().key("write_disposition")),
        );
        Table {
            fields,
            primary_key,
            merge_key,
            table_name,
            write_disposition,
        }
    }

    pub(super) fn fields(
        &mut self,
        columns: Option<&raw::Columns>,
        primary_key: Option<&StringOr<Vec<String>>>,
        origin: &Origin,
    ) -> Vec<Field> {
        let keys: Vec<&str> = match primary_key {
            None => Vec::new(),
            Some(StringOr::String(key)) => vec![key.as_str()],
            Some(StringOr::Full(keys)) => keys.iter().map(String::as_str).collect(),
        };
        let mut fields = Vec::new();
        let columns_at = Path::root().key("columns");
        for (index, (name, column)) in columns.into_iter().flat_map(|c| &c.0).enumerate() {
            let at = match origin.at(&columns_at.key(name)) {
                found if found.get(self.checked).is_some() => found,
                _ => origin.at(&columns_at.index(index)),
            };
            if column.data_type.as_deref() == Some("complex") {
                self.warn(
                    Problem::new(
                        at.key("data_type"),
                        "data_type `complex` is a deprecated name",
                    )
                    .hint("dlt calls it `json` now; it works the same"),
                );
            }
            let data_type = match column.data_type.as_deref() {
                None => DataType::Json,
                Some(name) => match DataType::parse(name) {
                    Some(data_type) => data_type,
                    None => {
                        self.problem(
                            Problem::new(
                                at.key("data_type"),
                                format!("unknown data_type `{name}`"),
                            )
                            .hint(match DataType::synonym(name) {
                                Some(dlt) => format!("dlt calls it `{}`", dlt.name()),
                                None => suggest(name, DataType::NAMES),
                            }),
                        );
                        DataType::Json
                    }
                },
            };
            let primary = column.primary_key == Some(true) || keys.contains(&name.as_str());
            let merge_key = column.merge_key == Some(true);
            let nullable = column.nullable.unwrap_or(!(primary || merge_key));
            fields.push(Field {
                name: name.clone(),
                ident: sanitize::field_name(name),
                data_type,
                nullable,
                primary_key: primary,
                merge_key,
                description: column.description.clone(),
                typed: column.data_type.is_some(),
            });
            let ident = &fields[fields.len() - 1].ident;
            if let Some(other) = fields[..fields.len() - 1]
                .iter()
                .find(|f| &f.ident == ident)
            {
                self.problem(
                    Problem::new(at, format!("columns `{}` and `{name}` both become the Rust field `{ident}`", other.name))
                        .hint("rename one of them in the spec, or leave one out of `columns` (it is kept in `extra`)"),
                );
            }
        }
        fields
    }

    pub(super) fn write_disposition(
        &mut self,
        value: Option<&StringOr<raw::WriteDispositionSpec>>,
        at: &Path,
    ) -> WriteDisposition {
        let (disposition, strategy) = match value {
            None => return WriteDisposition::Append,
            Some(StringOr::String(d)) => (d.as_str(), None),
            Some(StringOr::Full(spec)) => (spec.disposition.as_str(), spec.strategy.as_deref()),
        };
        let strategy = strategy.and_then(|s| match MergeStrategy::parse(s) {
            Some(strategy) => Some(strategy),
            None => {
                self.problem(
                    Problem::new(at.key("strategy"), format!("unknown merge strategy `{s}`"))
                        .hint(suggest(s, MergeStrategy::NAMES)),
                );
                None
            }
        });
        let disposition_at = if matches!(value, Some(StringOr::Full(_))) {
            at.key("disposition")
        } else {
            at.clone()
        };
        match disposition {
            "append" | "replace" | "skip" if strategy.is_some() => {
                self.problem(Problem::new(
                    at.key("strategy"),
                    format!("`strategy` goes with `merge`, not `{disposition}`"),
                ));
                WriteDisposition::Append
            }
            "append" => WriteDisposition::Append,
            "replace" => WriteDisposition::Replace,
            "skip" => WriteDisposition::Skip,
            "merge" => WriteDisposition::Merge(strategy),
            other => {
                self.problem(
                    Problem::new(
                        disposition_at,
                        format!("unknown write disposition `{other}`"),
                    )
                    .hint(match MergeStrategy::parse(other) {
                        Some(_) => format!(
                            "`{other}` is a merge strategy: write `{{disposition: merge, strategy: {other}}}`"
                        ),
                        None => suggest(other, DISPOSITIONS),
                    }),
                );
                WriteDisposition::Append
            }
        }
    }
}
