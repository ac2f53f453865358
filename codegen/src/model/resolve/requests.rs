//! Requests: resources with their defaults merged, paths, params, bodies, placeholders,
//! incremental settings, response actions, paginators.

use super::columns::Table;
use super::{Origin, Resolver};
use crate::diagnostics::{suggest, Problem};
use crate::model::*;
use crate::model::{merge, template};
use crate::sanitize;
use crate::spec::raw::{self, StringOr};
use crate::spec::Path;
use serde_json::Value;
use std::collections::BTreeMap;

impl Resolver<'_> {
    pub(super) fn resources(
        &mut self,
        spec: &raw::SpecFile,
        client_paginator: Option<&(&StringOr<raw::PaginatorSpec>, Path)>,
    ) -> Vec<Resource> {
        let doc = self.checked;
        let defaults_raw = doc.get("resource_defaults").cloned().unwrap_or(Value::Null);
        let defaults = merge::normalize(&defaults_raw);
        let mut resources = Vec::new();
        let mut by_name: BTreeMap<String, Path> = BTreeMap::new();
        if spec.resources.is_empty() {
            self.problem(
                Problem::new(Path::root().key("resources"), "no resources")
                    .hint("list at least one resource"),
            );
        }
        for index in 0..spec.resources.len() {
            let at = Path::root().key("resources").index(index);
            let raw_value = at.get(doc).cloned().unwrap_or(Value::Null);
            let merged = merge::merge(&defaults, &merge::normalize(&raw_value));
            let origin = Origin {
                resource: &raw_value,
                resource_at: &at,
                defaults: &defaults_raw,
            };
            let resource: raw::ResourceSpec = match serde_json::from_value(merged) {
                Ok(resource) => resource,
                Err(e) => {
                    self.problem(Problem::new(
                        at.clone(),
                        format!("this resource and resource_defaults do not merge: {e}"),
                    ));
                    continue;
                }
            };
            let Some(name) = resource.name.clone() else {
                self.problem(
                    Problem::new(at.clone(), "missing key `name`")
                        .hint("every resource needs a `name`"),
                );
                continue;
            };
            if let Some(first) = by_name.get(&name) {
                self.problem(
                    Problem::new(
                        origin.at(&Path::root().key("name")),
                        format!("duplicate resource name `{name}`"),
                    )
                    .hint(format!("`{name}` is already the name of {first}")),
                );
                continue;
            }
            by_name.insert(name.clone(), at.clone());
            if let Some(resource) = self.resource(name, &resource, &origin, client_paginator) {
                resources.push(resource);
            }
        }
        self.link_parents(&mut resources);
        self.name_records(&mut resources);
        self.check_unique_names(&resources);
        resources
    }

    pub(super) fn resource(
        &mut self,
        name: String,
        spec: &raw::ResourceSpec,
        origin: &Origin,
        client_paginator: Option<&(&StringOr<raw::PaginatorSpec>, Path)>,
    ) -> Option<Resource> {
        let empty = raw::EndpointSpec::default();
        let endpoint = match &spec.endpoint {
            Some(StringOr::Full(endpoint)) => endpoint,
            // `normalize` turned string endpoints into dicts before merging.
            Some(StringOr::String(_)) | None => &empty,
        };
        let ep = Path::root().key("endpoint");
        let written_path = endpoint.path.clone().unwrap_or_else(|| name.clone());
        let method = match endpoint
            .method
            .as_deref()
            .map(str::to_ascii_uppercase)
            .as_deref()
        {
            None | Some("GET") => Method::Get,
            Some("POST") => Method::Post,
            Some(other) => {
                self.problem(
                    Problem::new(
                        origin.at(&ep.key("method")),
                        format!("method `{other}` is not supported"),
                    )
                    .hint("dlt's rest_api sends GET or POST"),
                );
                Method::Get
            }
        };
        let params_at = origin.at(&ep.key("params"));
        let (plain_params, resolves, legacy_incremental) =
            self.resolve_params(endpoint.params.as_ref(), &params_at);
        let incremental_spec = endpoint.incremental.clone().or(legacy_incremental);
        let mut params = self.params(Some(&plain_params), &params_at);
        // A child resource: `{resources.<parent>.<field>}` anywhere, or resolve params.
        let mut parents: Vec<(String, Path)> = resolves
            .iter()
            .map(|r| (r.parent.clone(), params_at.key(&r.param)))
            .collect();
        let texts = std::iter::once((written_path.clone(), origin.at(&ep.key("path"))))
            .chain(params.iter().map(|(k, v)| (v.clone(), params_at.key(k))))
            .chain(endpoint.headers.iter().flatten().filter_map(|(k, v)| {
                Some((v.as_str()?.to_owned(), origin.at(&ep.key("headers")).key(k)))
            }))
            .chain(
                json_strings(endpoint.json.as_ref())
                    .into_iter()
                    .map(|t| (t, origin.at(&ep.key("json")))),
            );
        for (text, at) in texts {
            for hole in template::holes(&text) {
                if let Some((parent, _)) = template::parent_field(&hole) {
                    parents.push((parent.to_owned(), at.clone()));
                } else if hole.starts_with("resources.") {
                    self.problem(
                        Problem::new(
                            at.clone(),
                            format!("placeholder `{{{hole}}}` names no field"),
                        )
                        .hint("write `{resources.<parent>.<field>}`"),
                    );
                } else if let Some(value) = hole.strip_prefix("incremental.") {
                    if incremental_spec.is_none() {
                        self.problem(
                            Problem::new(at.clone(), format!("placeholder `{{{hole}}}` on an endpoint without `incremental`"))
                                .hint("add `incremental: {cursor_path: ..., initial_value: ...}` to the endpoint"),
                        );
                    } else if !["start_value", "end_value", "last_value"].contains(&value) {
                        self.problem(
                            Problem::new(at.clone(), format!("unknown placeholder `{{{hole}}}`"))
                                .hint(suggest(value, &["start_value", "end_value", "last_value"])),
                        );
                    }
                }
            }
        }
        let is_child = !parents.is_empty();
        // Texts the runtime fills in: those of children and of incremental endpoints.
        let is_template = is_child || incremental_spec.is_some();
        let parent = parents.first().map(|(name, at)| (name.clone(), at.clone()));
        if let Some((first, _)) = &parent {
            if let Some((other, at)) = parents.iter().find(|(name, _)| name != first) {
                self.problem(
                    Problem::new(
                        at.clone(),
                        format!("resource `{name}` has two parents, `{first}` and `{other}`"),
                    )
                    .hint("a resource takes its placeholders from one parent, as in dlt"),
                );
            }
        }
        let path_at = origin.at(&ep.key("path"));
        let (path, single_entity) =
            match render_path(&written_path, &mut params, &resolves, is_child) {
                Ok(resolved) => resolved,
                Err(problem) => {
                    self.problem(problem.under(path_at.clone()));
                    (written_path.clone(), false)
                }
            };
        for resolve in resolves
            .iter()
            .filter(|r| !written_path.contains(&format!("{{{}}}", r.param)))
        {
            self.problem(
                Problem::new(
                    params_at.key(&resolve.param),
                    format!("resolve param `{}` is not used in the path", resolve.param),
                )
                .hint(format!(
                    "add `{{{}}}` to the endpoint's path",
                    resolve.param
                )),
            );
        }
        if is_template {
            for (k, v) in &params {
                for hole in template::holes(v) {
                    if template::parent_field(&hole).is_none()
                        && !hole.starts_with("resources.")
                        && !hole.starts_with("incremental.")
                    {
                        self.problem(
                            Problem::new(params_at.key(k), format!("placeholder `{{{hole}}}` names nothing"))
                                .hint("placeholders are `{resources.<parent>.<field>}`; write `{{` and `}}` for literal braces"),
                        );
                    }
                }
            }
        }
        if let Some((parent_name, at)) = &parent {
            self.parent_refs
                .push((name.clone(), parent_name.clone(), at.clone()));
        }
        let include = spec.include_from_parent.clone().unwrap_or_default();
        if !include.is_empty() && parent.is_none() {
            self.problem(
                Problem::new(
                    origin.at(&Path::root().key("include_from_parent")),
                    "`include_from_parent` on a resource without a parent",
                )
                .hint("use `{resources.<parent>.<field>}` in the endpoint to make it a child"),
            );
        }
        let incremental = incremental_spec.as_ref().map(|inc| {
            let at = match &endpoint.incremental {
                Some(_) => origin.at(&ep.key("incremental")),
                None => params_at.clone(),
            };
            let column = spec
                .columns
                .as_ref()
                .and_then(|columns| columns.0.iter().find(|(n, _)| *n == inc.cursor_path))
                .and_then(|(_, column)| column.data_type.as_deref())
                .and_then(DataType::parse);
            self.incremental(inc, &at, column)
        });
        if incremental.is_some() && parent.is_some() {
            self.problem(
                Problem::new(
                    origin.at(&ep.key("incremental")),
                    format!("resource `{name}` is a child and incremental"),
                )
                .hint("incremental child resources are not supported by connectorgen yet"),
            );
        }
        let parent = parent.map(|(resource, _)| ParentLink {
            resource,
            include,
            of_fn_name: format!("{}_of", sanitize::snake(&name).trim_end_matches('_')),
            pages_of_fn_name: format!("{}_of", sanitize::pages_fn(&name)),
        });
        let headers = self.headers(endpoint.headers.as_ref(), &origin.at(&ep.key("headers")));
        let json = match (&endpoint.json, &endpoint.data) {
            (Some(_), Some(_)) => {
                self.problem(
                    Problem::new(origin.at(&ep.key("data")), "`json` and `data` are both set")
                        .hint("a request has one body: JSON (`json`) or a form (`data`)"),
                );
                None
            }
            (Some(json), None) => Some(json.to_string()),
            (None, _) => None,
        };
        let data = self.params(endpoint.data.as_ref(), &origin.at(&ep.key("data")));
        if let Some(selector) = &endpoint.data_selector {
            if let Err(message) = jsonpath::check(selector) {
                self.problem(Problem::new(
                    origin.at(&ep.key("data_selector")),
                    format!("data_selector {message}"),
                ));
            }
        }
        // dlt's single-entity rule: `users/{id}` is one record, fetched once, unless the
        // endpoint (or resource_defaults) says otherwise.
        let data_selector = match (&endpoint.data_selector, single_entity) {
            (Some(selector), _) => Some(selector.clone()),
            (None, true) => Some("$".to_owned()),
            (None, false) => None,
        };
        let paginator = match (&endpoint.paginator, client_paginator) {
            (Some(paginator), _) => {
                let at = origin.at(&ep.key("paginator"));
                self.paginator(paginator, &at)
            }
            (None, _) if single_entity => Paginator::SinglePage,
            (None, Some((paginator, at))) => self.paginator(paginator, at),
            (None, None) => Paginator::Auto,
        };
        let connector_name = self.connector_name.clone();
        let auth = endpoint.auth.as_ref().map(|auth| {
            let at = origin.at(&ep.key("auth"));
            self.auth(auth, &at, &connector_name)
        });
        let ignore = self.response_actions(
            endpoint.response_actions.as_deref(),
            &origin.at(&ep.key("response_actions")),
        );
        let Table {
            fields,
            primary_key,
            merge_key,
            table_name,
            write_disposition,
        } = self.table(spec, &name, origin);
        Some(Resource {
            type_name: sanitize::type_name(&name),
            fn_name: sanitize::snake(&name),
            pages_fn_name: sanitize::pages_fn(&name),
            incremental_fn_name: format!(
                "{}_incremental",
                sanitize::snake(&name).trim_end_matches('_')
            ),
            static_name: sanitize::shouty(&name),
            name,
            method,
            path,
            params,
            headers,
            json,
            data,
            data_selector,
            paginator,
            ignore,
            auth,
            parent,
            incremental,
            primary_key,
            write_disposition,
            table_name,
            merge_key,
            fields,
        })
    }

    /// `incremental`: values as JSON text, the cursor compared as its column's type (or,
    /// without a column, as the initial value's kind).
    pub(super) fn incremental(
        &mut self,
        spec: &raw::IncrementalSpec,
        at: &Path,
        column: Option<DataType>,
    ) -> IncrementalModel {
        if let Err(message) = jsonpath::check(&spec.cursor_path) {
            self.problem(Problem::new(
                at.key("cursor_path"),
                format!("cursor_path {message}"),
            ));
        }
        let cursor_type = match column {
            Some(DataType::Timestamp) => "Timestamp",
            Some(DataType::Date) => "Date",
            Some(DataType::Bigint) => "Integer",
            Some(DataType::Double | DataType::Decimal | DataType::Wei) => "Number",
            Some(DataType::Text) => "Text",
            _ => match &spec.initial_value {
                Some(Value::Number(_)) => "Number",
                _ => "Text",
            },
        };
        let row_order = match spec.row_order.as_deref() {
            None => None,
            Some("asc") => Some("Asc"),
            Some("desc") => Some("Desc"),
            Some(other) => {
                self.problem(
                    Problem::new(at.key("row_order"), format!("unknown row_order `{other}`"))
                        .hint(suggest(other, &["asc", "desc"])),
                );
                None
            }
        };
        let on_cursor_value_missing = match spec.on_cursor_value_missing.as_deref() {
            None | Some("raise") => "Raise",
            Some("include") => "Include",
            Some("exclude") => "Exclude",
            Some(other) => {
                self.problem(
                    Problem::new(
                        at.key("on_cursor_value_missing"),
                        format!("unknown on_cursor_value_missing `{other}`"),
                    )
                    .hint(suggest(other, &["raise", "include", "exclude"])),
                );
                "Raise"
            }
        };
        IncrementalModel {
            cursor_path: spec.cursor_path.clone(),
            cursor_type,
            initial_value: spec.initial_value.as_ref().map(Value::to_string),
            end_value: spec.end_value.as_ref().map(Value::to_string),
            start_param: spec.start_param.clone(),
            end_param: spec.end_param.clone(),
            row_order,
            on_cursor_value_missing,
        }
    }

    /// Takes dlt's legacy `{type: resolve, resource, field}` params out of `params`.
    pub(super) fn resolve_params(
        &mut self,
        params: Option<&serde_json::Map<String, Value>>,
        at: &Path,
    ) -> (
        serde_json::Map<String, Value>,
        Vec<Resolve>,
        Option<raw::IncrementalSpec>,
    ) {
        let mut plain = serde_json::Map::new();
        let mut resolves = Vec::new();
        let mut incremental = None;
        for (name, value) in params.into_iter().flatten() {
            let kind = value.get("type").and_then(Value::as_str);
            match kind {
                Some("resolve") => {
                    let text =
                        |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
                    match (text("resource"), text("field")) {
                        (Some(parent), Some(field)) => resolves.push(Resolve {
                            param: name.clone(),
                            parent,
                            field,
                        }),
                        _ => self.problem(
                            Problem::new(
                                at.key(name),
                                format!("resolve param `{name}` needs `resource` and `field`"),
                            )
                            .hint("write `{type: resolve, resource: <parent>, field: <field>}`"),
                        ),
                    }
                }
                Some("incremental") => {
                    let mut spec = value.clone();
                    if let Value::Object(map) = &mut spec {
                        map.remove("type");
                        map.insert("start_param".into(), Value::String(name.clone()));
                    }
                    match serde_json::from_value::<raw::IncrementalSpec>(spec) {
                        Ok(spec) => incremental = Some(spec),
                        Err(e) => self.problem(
                            Problem::new(at.key(name), format!("incremental param `{name}`: {e}"))
                                .hint("write `{type: incremental, cursor_path: <path>, initial_value: <value>}`"),
                        ),
                    }
                }
                _ => {
                    plain.insert(name.clone(), value.clone());
                }
            }
        }
        (plain, resolves, incremental)
    }

    /// dlt treats an unknown action as a no-op; here it is an error.
    pub(super) fn response_actions(
        &mut self,
        actions: Option<&[raw::ResponseActionSpec]>,
        at: &Path,
    ) -> Vec<Ignore> {
        let mut out = Vec::new();
        for (index, action) in actions.unwrap_or_default().iter().enumerate() {
            let at = at.index(index);
            if action.action != "ignore" {
                self.problem(
                    Problem::new(
                        at.key("action"),
                        format!("unknown response action `{}`", action.action),
                    )
                    .hint(suggest(&action.action, &["ignore"])),
                );
                continue;
            }
            if action.status_code.is_none() && action.content.is_none() {
                self.problem(
                    Problem::new(
                        at,
                        "a response action needs `status_code`, `content` or both",
                    )
                    .hint("without them it would ignore every response"),
                );
                continue;
            }
            out.push(Ignore {
                status_code: action.status_code,
                content: action.content.clone(),
            });
        }
        out
    }

    /// dlt's query encoding: lists repeat the key, booleans are `True`/`False`,
    /// nulls are left out.
    pub(super) fn params(
        &mut self,
        params: Option<&serde_json::Map<String, Value>>,
        at: &Path,
    ) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (name, value) in params.into_iter().flatten() {
            let values: Vec<&Value> = match value {
                Value::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            for value in values {
                match value {
                    Value::Null => {}
                    Value::Bool(b) => {
                        out.push((name.clone(), if *b { "True" } else { "False" }.to_owned()))
                    }
                    Value::Number(n) => out.push((name.clone(), n.to_string())),
                    Value::String(s) => out.push((name.clone(), s.clone())),
                    Value::Array(_) | Value::Object(_) => self.problem(
                        Problem::new(at.key(name), format!("param `{name}` is not a plain value"))
                            .hint(
                            "resolved and incremental params are not supported by connectorgen yet",
                        ),
                    ),
                }
            }
        }
        out
    }

    pub(super) fn paginator(
        &mut self,
        paginator: &StringOr<raw::PaginatorSpec>,
        at: &Path,
    ) -> Paginator {
        let written = at.get(self.checked);
        crate::model::paginator::resolve(paginator, at, written, &mut self.problems)
    }
}

/// A legacy `params: {x: {type: resolve, resource, field}}` entry.
pub(super) struct Resolve {
    param: String,
    parent: String,
    field: String,
}

/// Renders an endpoint path: static params are bound (and leave the query), resolve
/// params become `{resources.<parent>.<field>}`, parent placeholders stay for the
/// runtime. For a child the literal text keeps its braces escaped, since the runtime
/// renders it again. Also says whether the last segment held a placeholder (dlt's
/// single-entity rule).
pub(super) fn render_path(
    path: &str,
    params: &mut Vec<(String, String)>,
    resolves: &[Resolve],
    child: bool,
) -> Result<(String, bool), Problem> {
    let pieces = template::scan(path).map_err(|message| Problem::new(Path::root(), message))?;
    let literal = |text: &str| {
        if child {
            template::escape(text)
        } else {
            text.to_owned()
        }
    };
    let mut out = String::new();
    let mut last_segment_placeholder = false;
    for piece in pieces {
        match piece {
            template::Piece::Text(text) => {
                if text.contains('/') {
                    last_segment_placeholder = false;
                }
                out.push_str(&literal(&text));
            }
            template::Piece::Hole(name) => {
                last_segment_placeholder = true;
                if template::parent_field(&name).is_some()
                    || (child && name.starts_with("incremental."))
                {
                    out.push_str(&format!("{{{name}}}"));
                } else if let Some(resolve) = resolves.iter().find(|r| r.param == name) {
                    out.push_str(&format!(
                        "{{resources.{}.{}}}",
                        resolve.parent, resolve.field
                    ));
                } else if let Some(value) = params
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.clone())
                {
                    params.retain(|(k, _)| *k != name);
                    out.push_str(&literal(&value));
                } else {
                    let problem = Problem::new(
                        Path::root(),
                        format!("`{{{name}}}` in the path is not bound"),
                    );
                    return Err(if name.starts_with("incremental.") {
                        problem.hint("incremental loading is not supported by connectorgen yet")
                    } else {
                        problem.hint(format!(
                            "add `{name}` to the endpoint's `params`, or use `{{resources.<parent>.<field>}}`"
                        ))
                    });
                }
            }
        }
    }
    Ok((out, last_segment_placeholder))
}

/// Every string in a JSON body.
pub(super) fn json_strings(value: Option<&Value>) -> Vec<String> {
    let mut out = Vec::new();
    pub(super) fn walk(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::String(s) => out.push(s.clone()),
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            Value::Object(map) => map.values().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    if let Some(value) = value {
        walk(value, &mut out);
    }
    out
}
