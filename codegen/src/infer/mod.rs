//! `connectorgen infer` (feature `infer`): columns proposed from live responses.
//!
//! Up to N pages of every top-level resource are fetched through the runtime, with the
//! spec's auth, paginator and data selector (`client`); every field of every record is
//! observed ([`columns`]); the proposal is set against the spec's `columns`.

mod client;
pub mod columns;

use crate::model::Connector;
use columns::Observed;
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::fmt::Write as _;

/// How much to fetch, and from where.
#[derive(Clone, Debug)]
pub struct Options {
    /// Replaces the spec's base URL.
    pub base_url: Option<String>,
    /// Pages of each resource, at most.
    pub pages: usize,
}

/// What one resource showed.
#[derive(Debug)]
pub struct Proposal {
    pub resource: String,
    pub pages: usize,
    pub observed: Observed,
    /// Columns the spec declares: name, data type, nullable.
    pub declared: Vec<(String, &'static str, bool)>,
    /// Why the resource was not (fully) read: a child resource, an API error.
    pub note: Option<String>,
}

/// Observes up to `options.pages` pages of every top-level resource. An API error ends
/// that resource (it is noted); a missing secret ends all.
pub async fn infer(
    connector: &Connector,
    options: &Options,
) -> Result<Vec<Proposal>, connectorgen_runtime::Error> {
    let client = client::client(connector, options.base_url.as_deref())?;
    let mut proposals = Vec::new();
    for resource in &connector.resources {
        let declared = resource
            .fields
            .iter()
            .map(|f| (f.name.clone(), f.data_type.name(), f.nullable))
            .collect();
        let mut proposal = Proposal {
            resource: resource.name.clone(),
            pages: 0,
            observed: Observed::default(),
            declared,
            note: None,
        };
        if let Some(link) = &resource.parent {
            proposal.note = Some(format!(
                "a child of `{}`: not fetched (each request needs a parent record)",
                link.resource
            ));
            proposals.push(proposal);
            continue;
        }
        let mut pages = client
            .pages::<Value>(client::endpoint(resource))
            .take(options.pages);
        while let Some(page) = pages.next().await {
            match page {
                Ok(page) => {
                    proposal.pages += 1;
                    for record in &page.records {
                        proposal.observed.add(record);
                    }
                }
                Err(error) => {
                    proposal.note = Some(error.to_string());
                    break;
                }
            }
        }
        proposals.push(proposal);
    }
    Ok(proposals)
}

impl Proposal {
    /// The proposal against the spec, one line a field: `=` as declared, `~` declared
    /// otherwise, `+` not declared, `!` conflicting types, `-` declared and never seen.
    pub fn report(&self) -> String {
        let mut out = format!(
            "resource `{}`: {} records in {} pages\n",
            self.resource, self.observed.records, self.pages
        );
        if let Some(note) = &self.note {
            let _ = writeln!(out, "  note: {note}");
        }
        for (name, field) in &self.observed.fields {
            let seen = field.data_type().name();
            let nullable = if field.nullable() {
                format!("nullable ({} null, {} missing)", field.nulls, field.missing)
            } else {
                "never null".to_owned()
            };
            let line = match self.declared.iter().find(|(n, _, _)| n == name) {
                // Declared never null, and null or missing here: such a record would
                // not deserialize.
                Some((_, declared, false)) if field.nullable() => format!(
                    "~ {name}: declared {declared} and not nullable, seen {seen}, {nullable}"
                ),
                Some((_, declared, _)) if *declared == seen => {
                    format!("= {name}: {seen}, {nullable}")
                }
                Some((_, declared, _)) => {
                    format!("~ {name}: declared {declared}, seen {seen}, {nullable}")
                }
                None => format!("+ {name}: {seen}, {nullable}"),
            };
            let _ = writeln!(out, "  {line}");
            if let Some(conflict) = field.conflict() {
                let _ = writeln!(
                    out,
                    "  ! {name}: conflicting types {conflict}; proposed text"
                );
            }
            if field.data_type() == columns::Seen::Json {
                let _ = writeln!(
                    out,
                    "    {name} is nested: as `json` it is one column; left out of `columns`, \
                     dlt's layout makes child columns or a child table of it"
                );
            }
        }
        for (name, declared, _) in &self.declared {
            if !self.observed.fields.iter().any(|(n, _)| n == name) {
                let _ = writeln!(out, "  - {name}: declared {declared}, never seen");
            }
        }
        out
    }

    /// The `columns` to write: those declared, as they are, then every field not
    /// declared, with its type (`nullable: false` where it was in every record). Nested
    /// fields are left out: undeclared, they load as dlt lays them out (child columns, a
    /// child table) rather than as one `json` column.
    pub fn columns(&self, declared: Option<&Value>) -> Value {
        let mut columns = match declared {
            Some(Value::Object(map)) => map.clone(),
            _ => serde_json::Map::new(),
        };
        for (name, field) in &self.observed.fields {
            if columns.contains_key(name)
                || self.declared.iter().any(|(n, _, _)| n == name)
                || field.data_type() == columns::Seen::Json
            {
                continue;
            }
            let mut column = json!({ "data_type": field.data_type().name() });
            if !field.nullable() {
                column["nullable"] = json!(false);
            }
            columns.insert(name.clone(), column);
        }
        Value::Object(columns)
    }
}

/// Writes the spec with the proposed columns next to it, as `<stem>.inferred.<ext>`
/// (the YAML library cannot keep the original's comments, so the original is left as
/// it is); returns the new file's path.
pub fn write_spec(
    spec: &std::path::Path,
    proposals: &[Proposal],
) -> crate::Result<std::path::PathBuf> {
    let loaded = crate::spec::load(spec)?;
    let tree = with_columns(&loaded.document.value, proposals);
    let stem = spec
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (name, text) =
        match loaded.document.format {
            crate::spec::Format::Json => (
                format!("{stem}.inferred.json"),
                serde_json::to_string_pretty(&tree).unwrap_or_default() + "\n",
            ),
            crate::spec::Format::Yaml => (
                format!("{stem}.inferred.yaml"),
                format!(
                "# Written by `connectorgen infer` from {}: its columns, and those seen in the\n\
                 # API's responses. The original's comments are not carried over.\n{}",
                spec.file_name().map(|s| s.to_string_lossy()).unwrap_or_default(),
                crate::spec::to_yaml(&tree)
            ),
            ),
        };
    // The line that points editors to the schema stays first.
    let schema_line = loaded
        .document
        .text
        .lines()
        .next()
        .filter(|line| line.starts_with("# yaml-language-server:"));
    let text = match (schema_line, loaded.document.format) {
        (Some(line), crate::spec::Format::Yaml) => format!("{line}\n{text}"),
        _ => text,
    };
    let path = spec.with_file_name(name);
    std::fs::write(&path, text).map_err(|source| crate::Error::Io {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}

/// The spec's value tree with the proposed columns: each resource written in full, its
/// `columns` a mapping by name. A resource declared as a list of columns keeps its list.
pub fn with_columns(tree: &Value, proposals: &[Proposal]) -> Value {
    let mut tree = tree.clone();
    let Some(Value::Array(resources)) = tree.get_mut("resources") else {
        return tree;
    };
    for resource in resources.iter_mut() {
        if let Value::String(name) = resource {
            *resource = json!({ "name": name.clone() });
        }
        let name = resource
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let Some(proposal) = proposals.iter().find(|p| p.resource == name) else {
            continue;
        };
        if proposal.observed.records == 0
            || matches!(resource.get("columns"), Some(Value::Array(_)))
        {
            continue;
        }
        let columns = proposal.columns(resource.get("columns"));
        resource["columns"] = columns;
    }
    tree
}
