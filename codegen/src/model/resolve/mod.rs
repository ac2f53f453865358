//! From the spec as written to the [`Connector`] the emitter needs: defaults applied,
//! choices checked, names sanitized. Every problem is collected, not just the first.

mod auth;
mod columns;
mod incremental;
mod names;
mod paginators;
mod parents;
mod placeholders;
mod requests;
mod settings;

use super::*;
use crate::diagnostics::{suggest, Problem};
use crate::spec::raw;
use crate::spec::{Document, Path};
use serde_json::Value;

/// The longest connector name (as a Rust identifier): it becomes the crate's name, its
/// folder and file names (`lib<name>_connector-<hash>.rlib`), which file systems bound.
const MAX_NAME: usize = 64;

/// Resolves a type-checked spec into a connector and the warnings about it (see
/// `Resolver::warn`). `checked` is the document's value tree without the values that
/// failed to type-check.
pub fn resolve(
    document: &Document,
    checked: &Value,
    spec: &raw::SpecFile,
) -> Result<(Connector, Vec<Problem>), Vec<Problem>> {
    let mut r = Resolver {
        document,
        parent_refs: Vec::new(),
        connector_name: String::new(),
        checked,
        problems: Vec::new(),
        warnings: Vec::new(),
    };
    let connector = r.connector(spec);
    if r.problems.is_empty() {
        Ok((connector, r.warnings))
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
    warnings: Vec<Problem>,
}

impl Resolver<'_> {
    /// Something the spec says that works but that the user should know about: a
    /// deprecated form, a setting that changes nothing.
    fn warn(&mut self, warning: Problem) {
        self.warnings.push(warning);
    }

    /// The JSONPath setting `key`, written at `at`, in the form the runtime compiles
    /// (see [`jsonpath::check`]); as written, with a problem, when it is no path.
    fn json_path(&mut self, at: Path, key: &str, path: &str) -> String {
        match jsonpath::check(path) {
            Ok(path) => path,
            Err(message) => {
                self.problem(Problem::new(at, format!("{key} {message}")));
                path.to_owned()
            }
        }
    }

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
        self.check_fill_me_in(self.checked, Path::root());
        if !name.chars().any(|c| c.is_ascii_alphanumeric()) {
            self.problem(
                Problem::new(
                    Path::root().key("name"),
                    format!("connector name `{name}` has no letters or digits"),
                )
                .hint("set a top-level `name:` such as `events`"),
            );
        }
        // It names the crate, its folder and the files cargo writes for it.
        let crate_name = crate::sanitize::snake(&name);
        if crate_name.len() > MAX_NAME {
            self.problem(
                Problem::new(
                    Path::root().key("name"),
                    format!(
                        "connector name `{}...` is {} characters long; it names the crate and \
                         its files, which must stay short",
                        name.chars().take(20).collect::<String>(),
                        crate_name.len()
                    ),
                )
                .hint(format!(
                    "set a top-level `name:` of at most {MAX_NAME} characters"
                )),
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
        let timeout_millis = spec.client.timeout.and_then(|seconds| {
            let millis = seconds * 1000.0;
            if (1.0..1e15).contains(&millis) {
                Some(millis.round() as u64)
            } else {
                self.problem(
                    Problem::new(
                        client.key("timeout"),
                        format!(
                            "client.timeout is {seconds}; it is seconds allowed for one request"
                        ),
                    )
                    .hint("write a number of seconds above 0, such as 30 or 2.5"),
                );
                None
            }
        });
        let client_paginator = spec
            .client
            .paginator
            .as_ref()
            .map(|p| (p, client.key("paginator")));
        let resources = self.resources(spec, client_paginator.as_ref());
        let mut connector = Connector {
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
            timeout_millis,
            resources,
            settings: Vec::new(),
            warnings: Vec::new(),
        };
        connector.settings = settings::settings(&connector);
        self.check_base_url_parts(&connector);
        connector
    }

    /// dlt-init-openapi writes `FILL_ME_IN` where only the user knows the value (a path
    /// parameter, a base URL): such a value must not reach a URL.
    fn check_fill_me_in(&mut self, value: &Value, at: Path) {
        match value {
            Value::String(text) if text.contains("FILL_ME_IN") => self.problem(
                Problem::new(at, "`FILL_ME_IN` is still to be filled in")
                    .hint("dlt-init-openapi leaves it for you: write the value here, or make it a setting with a `{name}` placeholder in `client.base_url`"),
            ),
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    self.check_fill_me_in(item, at.index(index));
                }
            }
            Value::Object(map) => {
                for (key, item) in map {
                    self.check_fill_me_in(item, at.key(key));
                }
            }
            _ => {}
        }
    }

    /// Placeholders of the base URL become `Config` fields: each must be a field name
    /// no other setting has.
    fn check_base_url_parts(&mut self, connector: &Connector) {
        let at = Path::root().key("client").key("base_url");
        if let Err(message) = template::scan(&connector.base_url) {
            self.problem(Problem::new(at.clone(), format!("base_url: {message}")));
        }
        for (index, setting) in connector.settings.iter().enumerate() {
            if setting.kind != SettingKind::BaseUrlPart {
                continue;
            }
            let name = &setting.field;
            let ident = crate::sanitize::snake(name);
            let taken = auth::CONFIG_FIELDS.contains(&name.as_str())
                || connector.settings[..index]
                    .iter()
                    .chain(&connector.settings[index + 1..])
                    .any(|other| other.field == *name);
            if ident != *name {
                self.problem(
                    Problem::new(
                        at.clone(),
                        format!("placeholder `{{{name}}}` in base_url is not a snake_case name"),
                    )
                    .hint(format!(
                        "it becomes a setting of the connector: name it `{{{ident}}}`"
                    )),
                );
            } else if taken {
                self.problem(
                    Problem::new(at.clone(), format!("placeholder `{{{name}}}` in base_url is also the name of another setting"))
                        .hint(format!("rename it, e.g. `{{{name}_part}}`")),
                );
            }
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
}

/// Where a value of a merged resource was written: in the resource itself or in
/// `resource_defaults`.
pub(super) struct Origin<'a> {
    pub(super) resource: &'a Value,
    pub(super) resource_at: &'a Path,
    pub(super) defaults: &'a Value,
}

impl Origin<'_> {
    pub(super) fn at(&self, within: &Path) -> Path {
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

pub(super) fn sha256(text: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
