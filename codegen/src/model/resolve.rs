//! From the spec as written to the [`Connector`] the emitter needs: defaults applied,
//! choices checked, names sanitized. Every problem is collected, not just the first.

use super::merge;
use super::template;
use super::*;
use crate::diagnostics::{did_you_mean, suggest, Problem};
use crate::sanitize;
use crate::spec::raw::{self, StringOr};
use crate::spec::{Document, Path};
use serde_json::Value;
use std::collections::BTreeMap;

const AUTH_TYPES: &[&str] = &[
    "bearer",
    "api_key",
    "http_basic",
    "oauth2_client_credentials",
];
const DISPOSITIONS: &[&str] = &["append", "replace", "merge", "skip"];
/// Fields of the generated `Config` that a secret may not take.
const CONFIG_FIELDS: &[&str] = &[
    "base_url",
    "retry",
    "timeout",
    "connect_timeout",
    "access_token_url",
];

/// Resolves a type-checked spec into a connector. `checked` is the document's value
/// tree without the values that failed to type-check.
pub fn resolve(
    document: &Document,
    checked: &Value,
    spec: &raw::SpecFile,
) -> Result<Connector, Vec<Problem>> {
    let mut r = Resolver {
        document,
        parent_refs: Vec::new(),
        connector_name: String::new(),
        checked,
        problems: Vec::new(),
    };
    let connector = r.connector(spec);
    if r.problems.is_empty() {
        Ok(connector)
    } else {
        Err(r.problems)
    }
}

struct Resolver<'a> {
    document: &'a Document,
    /// (child, parent, where the parent is named), checked once all resources are known.
    parent_refs: Vec<(String, String, Path)>,
    /// For secrets' environment variable names in hints.
    connector_name: String,
    checked: &'a Value,
    problems: Vec<Problem>,
}

impl Resolver<'_> {
    fn problem(&mut self, problem: Problem) {
        self.problems.push(problem);
    }

    /// Whether `kind` is one of `supported`; reports it otherwise, naming the kinds that
    /// dlt has and connectorgen does not support yet as such.
    fn known_kind(
        &mut self,
        what: &str,
        kind: &str,
        at: Path,
        supported: &[&str],
        later: &[&str],
    ) -> bool {
        if supported.contains(&kind) {
            return true;
        }
        let problem = if later.contains(&kind) {
            Problem::new(
                at,
                format!("{what} `{kind}` is not supported by connectorgen yet"),
            )
            .hint(format!("supported: {}", supported.join(", ")))
        } else {
            Problem::new(at, format!("unknown {what} `{kind}`")).hint(suggest(kind, supported))
        };
        self.problem(problem);
        false
    }

    fn connector(&mut self, spec: &raw::SpecFile) -> Connector {
        let file = std::path::Path::new(&self.document.file);
        let stem = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = spec.name.clone().unwrap_or(stem);
        self.connector_name = name.clone();
        if !name.chars().any(|c| c.is_ascii_alphanumeric()) {
            self.problem(
                Problem::new(
                    Path::root().key("name"),
                    format!("connector name `{name}` has no letters or digits"),
                )
                .hint("set a top-level `name:` such as `events`"),
            );
        }
        let client = Path::root().key("client");
        let base_url = match &spec.client.base_url {
            Some(url) if url.starts_with("http://") || url.starts_with("https://") => url.clone(),
            Some(url) => {
                self.problem(
                    Problem::new(
                        client.key("base_url"),
                        format!("base_url `{url}` is not an http(s) URL"),
                    )
                    .hint("write it as https://api.example.com"),
                );
                String::new()
            }
            None => {
                self.problem(
                    Problem::new(client.clone(), "missing key `base_url`")
                        .hint("add `base_url: https://...` to `client`"),
                );
                String::new()
            }
        };
        let headers = self.headers(spec.client.headers.as_ref(), &client.key("headers"));
        let auth = match &spec.client.auth {
            Some(auth) => self.auth(auth, &client.key("auth"), &name),
            None => Auth::None,
        };
        let retry = self.retry(spec.client.retry.as_ref(), &client.key("retry"));
        let client_paginator = spec
            .client
            .paginator
            .as_ref()
            .map(|p| (p, client.key("paginator")));
        let resources = self.resources(spec, client_paginator.as_ref());
        Connector {
            name,
            description: spec.description.clone(),
            spec_file: file
                .file_name()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            spec_sha256: sha256(&self.document.text),
            base_url,
            headers,
            auth,
            retry,
            resources,
        }
    }

    fn headers(
        &mut self,
        headers: Option<&serde_json::Map<String, Value>>,
        at: &Path,
    ) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (name, value) in headers.into_iter().flatten() {
            match value {
                Value::String(value) => out.push((name.clone(), value.clone())),
                Value::Number(n) => out.push((name.clone(), n.to_string())),
                _ => self.problem(
                    Problem::new(at.key(name), format!("header `{name}` must be a string"))
                        .hint("headers are static text; dlt never interpolates them"),
                ),
            }
        }
        out
    }

    fn auth(&mut self, auth: &StringOr<raw::AuthSpec>, at: &Path, connector: &str) -> Auth {
        let empty = raw::AuthSpec::default();
        let (kind, spec, kind_at) = match auth {
            StringOr::String(kind) => (kind.as_str(), &empty, at.clone()),
            StringOr::Full(spec) => (
                spec.kind.as_deref().unwrap_or("bearer"),
                spec,
                at.key("type"),
            ),
        };
        if !self.known_kind("auth type", kind, kind_at, AUTH_TYPES, &[]) {
            return Auth::None;
        }
        let allowed: &[&str] = match kind {
            "bearer" => &["type", "token"],
            "api_key" => &["type", "name", "api_key", "location"],
            "http_basic" => &["type", "username", "password"],
            _ => &[
                "type",
                "access_token_url",
                "client_id",
                "client_secret",
                "access_token_request_data",
                "default_token_expiration",
            ],
        };
        let present = [
            ("name", spec.name.is_some()),
            ("api_key", spec.api_key.is_some()),
            ("location", spec.location.is_some()),
            ("token", spec.token.is_some()),
            ("username", spec.username.is_some()),
            ("password", spec.password.is_some()),
            ("access_token_url", spec.access_token_url.is_some()),
            ("client_id", spec.client_id.is_some()),
            ("client_secret", spec.client_secret.is_some()),
            (
                "access_token_request_data",
                spec.access_token_request_data.is_some(),
            ),
            (
                "default_token_expiration",
                spec.default_token_expiration.is_some(),
            ),
        ];
        for (key, _) in present
            .iter()
            .filter(|(key, set)| *set && !allowed.contains(key))
        {
            self.problem(
                Problem::new(
                    at.key(key),
                    format!("`{key}` is not a setting of `{kind}` auth"),
                )
                .hint(format!("`{kind}` takes: {}", allowed.join(", "))),
            );
        }
        match kind {
            "bearer" => Auth::Bearer {
                token: self.secret(spec.token.as_ref(), "token", at, connector),
            },
            "api_key" => {
                let location = match spec.location.as_deref() {
                    None | Some("header") => ApiKeyLocation::Header,
                    Some("query") | Some("param") => ApiKeyLocation::Query,
                    Some("cookie") => ApiKeyLocation::Cookie,
                    Some(other) => {
                        self.problem(
                            Problem::new(
                                at.key("location"),
                                format!("unknown api_key location `{other}`"),
                            )
                            .hint(suggest(other, &["header", "query", "param", "cookie"])),
                        );
                        ApiKeyLocation::Header
                    }
                };
                Auth::ApiKey {
                    name: spec
                        .name
                        .clone()
                        .unwrap_or_else(|| "Authorization".to_owned()),
                    location,
                    key: self.secret(spec.api_key.as_ref(), "api_key", at, connector),
                }
            }
            "oauth2_client_credentials" => {
                let access_token_url = match &spec.access_token_url {
                    Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
                        url.clone()
                    }
                    Some(url) => {
                        self.problem(Problem::new(
                            at.key("access_token_url"),
                            format!("access_token_url `{url}` is not an http(s) URL"),
                        ));
                        url.clone()
                    }
                    None => {
                        self.problem(
                            Problem::new(at.clone(), "missing key `access_token_url`")
                                .hint("add the URL of the token endpoint, e.g. `access_token_url: https://auth.example.com/oauth/token`"),
                        );
                        String::new()
                    }
                };
                let client_id =
                    self.credential(spec.client_id.as_ref(), "client_id", at, connector);
                let request_data = self.params(
                    spec.access_token_request_data.as_ref(),
                    &at.key("access_token_request_data"),
                );
                Auth::OAuth2 {
                    access_token_url,
                    client_id,
                    client_secret: self.secret(
                        spec.client_secret.as_ref(),
                        "client_secret",
                        at,
                        connector,
                    ),
                    request_data,
                    default_expiration: spec.default_token_expiration.unwrap_or(3600),
                }
            }
            _ => {
                let username = self.credential(spec.username.as_ref(), "username", at, connector);
                Auth::HttpBasic {
                    username,
                    password: self.secret(spec.password.as_ref(), "password", at, connector),
                }
            }
        }
    }

    /// A value that may be written in the spec (a plain name) or be a secret.
    fn credential(
        &mut self,
        value: Option<&StringOr<raw::SecretRef>>,
        field: &str,
        at: &Path,
        connector: &str,
    ) -> Credential {
        match value {
            Some(StringOr::String(text)) if secret_reference(text).is_none() => {
                Credential::Literal(text.clone())
            }
            other => Credential::Secret(self.secret(other, field, at, connector)),
        }
    }

    /// A secret field: left out (named after the field), `{secret: NAME}`, or dlt's
    /// `dlt.secrets["NAME"]`. A literal value is refused: specs live in git.
    fn secret(
        &mut self,
        value: Option<&StringOr<raw::SecretRef>>,
        field: &str,
        at: &Path,
        connector: &str,
    ) -> SecretField {
        let name = match value {
            None => field.to_owned(),
            Some(StringOr::Full(reference)) => reference.secret.clone(),
            Some(StringOr::String(text)) => match secret_reference(text) {
                Some(name) => name,
                None => {
                    let env = format!(
                        "{}_{}",
                        sanitize::shouty(connector),
                        sanitize::shouty(field)
                    );
                    self.problem(
                        Problem::new(at.key(field), format!("`{field}` holds a literal secret; specs are checked into git"))
                            .hint(format!("write `{field}: {{secret: {field}}}` (or leave `{field}` out) and supply the value at run time, e.g. in the environment variable {env}")),
                    );
                    field.to_owned()
                }
            },
        };
        let ident = sanitize::snake(&name);
        if ident != name {
            self.problem(
                Problem::new(
                    at.key(field),
                    format!("secret name `{name}` is not a snake_case name"),
                )
                .hint(format!("name it `{ident}`")),
            );
        } else if CONFIG_FIELDS.contains(&name.as_str()) {
            self.problem(
                Problem::new(
                    at.key(field),
                    format!("secret name `{name}` is taken by a setting of the connector"),
                )
                .hint(format!("name it `{name}_secret`")),
            );
        }
        SecretField { name }
    }

    fn retry(&mut self, retry: Option<&raw::RetrySpec>, at: &Path) -> Retry {
        let Some(retry) = retry else {
            return Retry::default();
        };
        if let Some(statuses) = &retry.statuses {
            for (i, status) in statuses.iter().enumerate() {
                if !(100..=599).contains(status) {
                    self.problem(Problem::new(
                        at.key("statuses").index(i),
                        format!("{status} is not an HTTP status"),
                    ));
                }
            }
        }
        for (key, value) in [
            ("backoff_factor", retry.backoff_factor),
            ("max_delay", retry.max_delay),
        ] {
            if value.is_some_and(|v| !v.is_finite() || v < 0.0) {
                self.problem(Problem::new(
                    at.key(key),
                    format!("`{key}` must be a number of seconds, 0 or more"),
                ));
            }
        }
        Retry {
            statuses: retry.statuses.clone(),
            max_retries: retry.max_retries,
            backoff_factor: retry.backoff_factor,
            max_delay: retry.max_delay,
        }
    }

    fn resources(
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
        self.check_unique_names(&resources);
        resources
    }

    fn resource(
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
        let fields = self.fields(spec.columns.as_ref(), spec.primary_key.as_ref(), origin);
        let primary_key = match &spec.primary_key {
            None => Vec::new(),
            Some(StringOr::String(key)) => vec![key.clone()],
            Some(StringOr::Full(keys)) => keys.clone(),
        };
        if spec.columns.is_some() {
            for key in &primary_key {
                if !fields.iter().any(|f| &f.name == key) {
                    let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
                    self.problem(
                        Problem::new(
                            origin.at(&Path::root().key("primary_key")),
                            format!("primary key `{key}` is not a column of `{name}`"),
                        )
                        .hint(
                            match did_you_mean(key, names.iter().copied()) {
                                Some(best) => {
                                    format!("did you mean `{best}`? or add `{key}` to `columns`")
                                }
                                None => format!("add `{key}` to `columns`"),
                            },
                        ),
                    );
                }
            }
        }
        let table_name = spec.table_name.clone().unwrap_or_else(|| name.clone());
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
        Some(Resource {
            type_name: sanitize::type_name(&name),
            fn_name: sanitize::snake(&name),
            pages_fn_name: sanitize::pages_fn(&name),
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
    fn incremental(
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
    fn resolve_params(
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

    /// Parents that exist, no cycles, and the typed fields of `include_from_parent`.
    fn link_parents(&mut self, resources: &mut [Resource]) {
        let names: Vec<String> = resources.iter().map(|r| r.name.clone()).collect();
        for (child, parent, at) in std::mem::take(&mut self.parent_refs) {
            if !names.contains(&parent) {
                self.problem(
                    Problem::new(
                        at.clone(),
                        format!("resource `{child}` names an unknown parent `{parent}`"),
                    )
                    .hint(
                        match did_you_mean(&parent, names.iter().map(String::as_str)) {
                            Some(best) => format!("did you mean `{best}`?"),
                            None => format!("resources: {}", names.join(", ")),
                        },
                    ),
                );
                continue;
            }
            // Follow the parents from `child`; meeting `child` again is a cycle.
            let mut seen = vec![child.clone()];
            let mut current = parent.clone();
            loop {
                if seen.contains(&current) {
                    self.problem(
                        Problem::new(
                            at.clone(),
                            format!(
                                "resources {} form a cycle of parents",
                                seen.iter()
                                    .map(|n| format!("`{n}`"))
                                    .collect::<Vec<_>>()
                                    .join(" -> ")
                            ),
                        )
                        .hint("a parent cannot depend on its own children"),
                    );
                    break;
                }
                seen.push(current.clone());
                match resources
                    .iter()
                    .find(|r| r.name == current)
                    .and_then(|r| r.parent.as_ref())
                {
                    Some(next) => current = next.resource.clone(),
                    None => break,
                }
            }
        }
        for index in 0..resources.len() {
            let Some(link) = resources[index].parent.clone() else {
                continue;
            };
            let parent_fields = resources
                .iter()
                .find(|r| r.name == link.resource)
                .map(|r| r.fields.clone())
                .unwrap_or_default();
            for field in &link.include {
                let declared = parent_fields.iter().find(|f| &f.name == field);
                let name = format!("_{}_{field}", link.resource);
                let ident = sanitize::field_name(&name);
                if resources[index].fields.iter().any(|f| f.ident == ident) {
                    self.problem(
                        Problem::new(
                            Path::root().key("resources").index(index),
                            format!("`{name}` from include_from_parent collides with a column"),
                        )
                        .hint("rename the column"),
                    );
                    continue;
                }
                resources[index].fields.push(Field {
                    ident,
                    data_type: declared.map_or(DataType::Json, |f| f.data_type),
                    nullable: declared.is_none_or(|f| f.nullable),
                    primary_key: false,
                    merge_key: false,
                    description: Some(format!(
                        "`{field}` of the parent `{}` record.",
                        link.resource
                    )),
                    typed: declared.is_some(),
                    name,
                });
            }
        }
    }

    /// dlt treats an unknown action as a no-op; here it is an error.
    fn response_actions(
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
    fn params(
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

    fn paginator(&mut self, paginator: &StringOr<raw::PaginatorSpec>, at: &Path) -> Paginator {
        let written = at.get(self.checked);
        super::paginator::resolve(paginator, at, written, &mut self.problems)
    }

    fn fields(
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

    fn write_disposition(
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

    /// Two resources whose names become the same Rust name cannot both be generated.
    fn check_unique_names(&mut self, resources: &[Resource]) {
        let mut seen: BTreeMap<String, &str> = BTreeMap::new();
        for (index, resource) in resources.iter().enumerate() {
            let at = Path::root().key("resources").index(index);
            let mut names = vec![
                format!("type {}", resource.type_name),
                format!("method {}", resource.fn_name),
                format!("method {}", resource.pages_fn_name),
                format!("static {}", resource.static_name),
            ];
            if let Some(link) = &resource.parent {
                names.push(format!("method {}", link.of_fn_name));
                names.push(format!("method {}", link.pages_of_fn_name));
            }
            for taken in sanitize::METHOD_NAMES_TAKEN {
                if resource.fn_name == *taken {
                    self.problem(Problem::new(at.clone(), format!("resource `{}` would become the method `{taken}`, which the client has already", resource.name))
                        .hint("rename the resource"));
                }
            }
            for rust_name in names {
                if let Some(other) = seen.get(&rust_name) {
                    if *other != resource.name {
                        self.problem(
                            Problem::new(
                                at.clone(),
                                format!(
                                    "resources `{other}` and `{}` both become the Rust {rust_name}",
                                    resource.name
                                ),
                            )
                            .hint("rename one of them"),
                        );
                        break;
                    }
                }
                seen.insert(rust_name, &resource.name);
            }
        }
    }
}

/// Where a value of a merged resource was written: in the resource itself or in
/// `resource_defaults`.
struct Origin<'a> {
    resource: &'a Value,
    resource_at: &'a Path,
    defaults: &'a Value,
}

impl Origin<'_> {
    fn at(&self, within: &Path) -> Path {
        let own = within.existing_prefix(self.resource);
        let default = within.existing_prefix(self.defaults);
        if own.0.len() == within.0.len()
            || own.0.len() >= default.0.len()
            || self.defaults.is_null()
        {
            within.under(self.resource_at)
        } else {
            within.under(&Path::root().key("resource_defaults"))
        }
    }
}

/// A legacy `params: {x: {type: resolve, resource, field}}` entry.
struct Resolve {
    param: String,
    parent: String,
    field: String,
}

/// Renders an endpoint path: static params are bound (and leave the query), resolve
/// params become `{resources.<parent>.<field>}`, parent placeholders stay for the
/// runtime. For a child the literal text keeps its braces escaped, since the runtime
/// renders it again. Also says whether the last segment held a placeholder (dlt's
/// single-entity rule).
fn render_path(
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
fn json_strings(value: Option<&Value>) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(value: &Value, out: &mut Vec<String>) {
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

/// `dlt.secrets["api_key"]` (as in dlt's Python configs) names the secret `api_key`.
fn secret_reference(text: &str) -> Option<String> {
    let inner = text
        .trim()
        .strip_prefix("dlt.secrets[")?
        .strip_suffix(']')?;
    let name = inner.trim_matches(|c| c == '"' || c == '\'');
    (name.len() + 2 == inner.len() && !name.is_empty()).then(|| name.to_owned())
}

fn sha256(text: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
