//! Requests: resources with their defaults merged, paths, params, bodies, placeholders,
//! incremental settings, response actions, paginators.

use super::columns::Table;
use super::placeholders::{json_strings, render_path};
use super::{Origin, Resolver};
use crate::diagnostics::{suggest, Problem};
use crate::model::merge;
use crate::model::*;
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
        let method = self.method(endpoint, &origin.at(&ep.key("method")));
        let params_at = origin.at(&ep.key("params"));
        let (plain_params, resolves, legacy_incremental) =
            self.resolve_params(endpoint.params.as_ref(), &params_at);
        let incremental_spec = endpoint.incremental.clone().or(legacy_incremental);
        let mut params = self.params(Some(&plain_params), &params_at);
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
        let parents = self.parents_named(&resolves, &params_at, texts, incremental_spec.is_some());
        let is_child = !parents.is_empty();
        // Texts the runtime fills in: those of children and of incremental endpoints.
        let is_template = is_child || incremental_spec.is_some();
        let parent = self.one_parent(&name, &parents);
        let path_at = origin.at(&ep.key("path"));
        let (path, single_entity) =
            match render_path(&written_path, &mut params, &resolves, is_child) {
                Ok(resolved) => resolved,
                Err(problem) => {
                    self.problem(problem.under(path_at.clone()));
                    (written_path.clone(), false)
                }
            };
        self.check_resolves_used(&resolves, &written_path, &params_at);
        if is_template {
            self.check_template_params(&params, &params_at);
        } else {
            self.literal_params(&mut params, &params_at);
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
        let parent = parent.map(|(resource, _)| ParentLink {
            resource,
            include,
            of_fn_name: format!("{}_of", sanitize::snake(&name).trim_end_matches('_')),
            pages_of_fn_name: format!("{}_of", sanitize::pages_fn(&name)),
        });
        let headers = self.headers(endpoint.headers.as_ref(), &origin.at(&ep.key("headers")));
        let json = self.json_body(endpoint, &origin.at(&ep.key("data")));
        let data = self.params(endpoint.data.as_ref(), &origin.at(&ep.key("data")));
        // An empty selector is no selector, as in dlt (which tests it for truth).
        let selector = endpoint
            .data_selector
            .as_ref()
            .filter(|s| !s.is_empty())
            .map(|s| self.json_path(origin.at(&ep.key("data_selector")), "data_selector", s));
        // dlt's single-entity rule: `users/{id}` is one record, fetched once, unless the
        // endpoint (or resource_defaults) says otherwise.
        let data_selector = match (selector, single_entity) {
            (Some(selector), _) => Some(selector),
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
            selected: spec.selected.unwrap_or(true),
            table_name,
            merge_key,
            fields,
        })
    }

    /// GET or POST, as dlt's rest_api sends.
    fn method(&mut self, endpoint: &raw::EndpointSpec, at: &Path) -> Method {
        match endpoint
            .method
            .as_deref()
            .map(str::to_ascii_uppercase)
            .as_deref()
        {
            None | Some("GET") => Method::Get,
            Some("POST") => Method::Post,
            Some(other) => {
                self.problem(
                    Problem::new(at.clone(), format!("method `{other}` is not supported"))
                        .hint("dlt's rest_api sends GET or POST"),
                );
                Method::Get
            }
        }
    }

    /// The JSON body as text; `data_at` is where a form body would be, which cannot
    /// come with a JSON one.
    fn json_body(&mut self, endpoint: &raw::EndpointSpec, data_at: &Path) -> Option<String> {
        match (&endpoint.json, &endpoint.data) {
            (Some(_), Some(_)) => {
                self.problem(
                    Problem::new(data_at.clone(), "`json` and `data` are both set")
                        .hint("a request has one body: JSON (`json`) or a form (`data`)"),
                );
                None
            }
            (Some(json), None) => Some(json.to_string()),
            (None, _) => None,
        }
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
}
