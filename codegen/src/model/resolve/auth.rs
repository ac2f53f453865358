//! Auth and secrets: every auth type, credentials, named secrets; the retry policy.

use super::Resolver;
use crate::diagnostics::{suggest, Problem};
use crate::model::*;
use crate::sanitize;
use crate::spec::raw::{self, StringOr};
use crate::spec::Path;

const AUTH_TYPES: &[&str] = &[
    "bearer",
    "api_key",
    "http_basic",
    "oauth2_client_credentials",
];
/// Fields of the generated `Config` that a secret may not take.
pub(super) const CONFIG_FIELDS: &[&str] = &[
    "base_url",
    "retry",
    "timeout",
    "fan_out",
    "concurrency",
    "access_token_url",
    "resource_timeout",
    "max_pages",
];

impl Resolver<'_> {
    pub(super) fn auth(
        &mut self,
        auth: &StringOr<raw::AuthSpec>,
        at: &Path,
        connector: &str,
    ) -> Auth {
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
                // `password: ""` is no secret: APIs that take a key as the user name
                // (Freshdesk) want an empty password.
                let password = match &spec.password {
                    Some(StringOr::String(text)) if text.is_empty() => {
                        Credential::Literal(String::new())
                    }
                    other => {
                        Credential::Secret(self.secret(other.as_ref(), "password", at, connector))
                    }
                };
                Auth::HttpBasic { username, password }
            }
        }
    }

    /// A value that may be written in the spec (a plain name) or be a secret.
    pub(super) fn credential(
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
    pub(super) fn secret(
        &mut self,
        value: Option<&StringOr<raw::SecretRef>>,
        field: &str,
        at: &Path,
        connector: &str,
    ) -> SecretField {
        let (name, dlt_name) = match value {
            None => (field.to_owned(), None),
            Some(StringOr::Full(reference)) => (reference.secret.clone(), None),
            Some(StringOr::String(text)) => match secret_reference(text) {
                // dlt's names are dotted paths (`sources.github.token`); the field is
                // the same in snake_case.
                Some(dlt) => (sanitize::snake(&dlt.replace('.', "_")), Some(dlt)),
                None => {
                    let env = super::settings::env_var(connector, field);
                    self.problem(
                        Problem::new(at.key(field), format!("`{field}` holds a literal secret; specs are checked into git"))
                            .hint(format!("write `{field}: {{secret: {field}}}` (or leave `{field}` out) and supply the value at run time, e.g. in the environment variable {env}")),
                    );
                    (field.to_owned(), None)
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
        SecretField { name, dlt_name }
    }

    pub(super) fn retry(&mut self, retry: Option<&raw::RetrySpec>, at: &Path) -> Retry {
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
}

/// `dlt.secrets["sources.github.token"]` (as in dlt's Python configs) names the secret
/// `sources.github.token`: dot-separated names, none of them empty.
pub(super) fn secret_reference(text: &str) -> Option<String> {
    let inner = text
        .trim()
        .strip_prefix("dlt.secrets[")?
        .strip_suffix(']')?;
    let name = inner.trim_matches(|c| c == '"' || c == '\'');
    let well_formed = name.len() + 2 == inner.len()
        && name.split('.').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        });
    well_formed.then(|| name.to_owned())
}
