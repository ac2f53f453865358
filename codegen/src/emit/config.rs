//! `Config`: the connector's settings (each one the model prepared, plus the retry
//! policy, the timeout and, with child resources, the fan-out), and how they become
//! the runtime's `ClientConfig`, auth included.

use super::{doc, ident};
use crate::model::{ApiKeyLocation, Auth, Connector, Credential, Setting, SettingKind};
use proc_macro2::{Literal, TokenStream};
use quote::quote;
use std::collections::BTreeMap;

pub(super) fn config(connector: &Connector) -> TokenStream {
    let settings = &connector.settings;
    let fields = settings.iter().map(field);
    let constants = settings.iter().filter_map(constant);
    // What `Config::new` takes: the settings without a default.
    let required: Vec<&Setting> = settings.iter().filter(|s| s.kind.required()).collect();
    let params = required.iter().map(|setting| {
        let field = ident(&setting.field);
        match setting.kind {
            SettingKind::Secret { .. } => quote! { #field: impl Into<Secret> },
            _ => quote! { #field: impl Into<String> },
        }
    });
    let inits = settings.iter().map(|setting| {
        let field = ident(&setting.field);
        match &setting.kind {
            SettingKind::Url { constant, .. } => {
                let constant = ident(constant);
                quote! { #field: String::from(Self::#constant), }
            }
            SettingKind::BaseUrlPart | SettingKind::Secret { .. } => {
                quote! { #field: #field.into(), }
            }
            SettingKind::Concurrency => quote! { #field: rt::ClientConfig::CONCURRENCY, },
            SettingKind::Timeout { default_millis } if default_millis % 1000 == 0 => {
                let seconds = Literal::u64_unsuffixed(default_millis / 1000);
                quote! { #field: std::time::Duration::from_secs(#seconds), }
            }
            SettingKind::Timeout { default_millis } => {
                let millis = Literal::u64_unsuffixed(*default_millis);
                quote! { #field: std::time::Duration::from_millis(#millis), }
            }
            SettingKind::ResourceTimeout | SettingKind::MaxPages => quote! { #field: None, },
        }
    });
    let required_from_env = required.iter().map(|setting| {
        let var = &setting.env_var;
        match &setting.kind {
            SettingKind::Secret {
                dlt_name: Some(name),
                ..
            } => quote! { rt::env::secret_or_dlt(#var, #name)? },
            SettingKind::Secret { .. } => quote! { rt::env::secret(#var)? },
            _ => quote! { rt::env::required(#var)? },
        }
    });
    let has_children = connector.has_children();
    let optional_from_env = settings.iter().filter_map(|setting| {
        let field = ident(&setting.field);
        let var = &setting.env_var;
        match setting.kind {
            SettingKind::Url { .. } => Some(quote! {
                if let Some(value) = rt::env::optional(#var) {
                    config.#field = value;
                }
            }),
            SettingKind::Concurrency => {
                let fan_out = has_children.then(|| quote! { config.fan_out.concurrency = value; });
                Some(quote! {
                    if let Some(value) = rt::env::count(#var)? {
                        config.#field = value;
                        #fan_out
                    }
                })
            }
            SettingKind::Timeout { .. } => Some(quote! {
                if let Some(value) = rt::env::seconds(#var)? {
                    config.#field = value;
                }
            }),
            SettingKind::ResourceTimeout => Some(quote! {
                if let Some(value) = rt::env::seconds(#var)? {
                    config.#field = Some(value);
                }
            }),
            SettingKind::MaxPages => Some(quote! {
                if let Some(value) = rt::env::count(#var)? {
                    config.#field = Some(value as u64);
                }
            }),
            SettingKind::BaseUrlPart | SettingKind::Secret { .. } => None,
        }
    });
    let env_list = settings
        .iter()
        .map(|setting| match &setting.kind {
            kind if !kind.required() => format!("`{}` (optional)", setting.env_var),
            SettingKind::BaseUrlPart => format!("`{}`", setting.env_var),
            SettingKind::Secret {
                dlt_name: Some(name),
                ..
            } => format!("`{}` (else dlt's `{name}`)", setting.env_var),
            _ => format!("`{}`", setting.env_var),
        })
        .collect::<Vec<_>>()
        .join(", ");
    let from_env_doc = doc(&format!("Settings from the environment: {env_list}."));
    let config_doc = doc(&format!(
        "Settings of the `{}` connector: where the API is, its secrets, how to retry.",
        connector.name
    ));
    let fan_out_field = has_children.then(|| {
        quote! {
            /// How child resources are fetched for many parents: how many at once, and
            /// whether records keep their parents' order.
            pub fan_out: rt::FanOut,
        }
    });
    let fan_out_init = has_children.then(|| quote! { fan_out: rt::FanOut::default(), });
    // `new()` without arguments wants a `Default` impl (clippy::new_without_default).
    let default_impl = required.is_empty().then(|| {
        quote! {
            impl Default for Config {
                fn default() -> Self {
                    Self::new()
                }
            }
        }
    });
    let retry = retry(connector);
    let into_client_config = into_client_config(connector, has_children);
    quote! {
        #config_doc
        #[derive(Clone, Debug)]
        pub struct Config {
            #(#fields)*
            /// Which failures are retried and how long to wait; default from the spec.
            pub retry: rt::RetryPolicy,
            #fan_out_field
        }

        impl Config {
            #(#constants)*

            /// Settings with the spec's defaults and the given secrets.
            pub fn new(#(#params),*) -> Self {
                Config {
                    #(#inits)*
                    retry: Self::default_retry(),
                    #fan_out_init
                }
            }

            #from_env_doc
            pub fn from_env() -> Result<Self> {
                let mut config = Self::new(#(#required_from_env),*);
                #(#optional_from_env)*
                Ok(config)
            }

            /// The retry policy of the spec's `client.retry`.
            pub fn default_retry() -> rt::RetryPolicy {
                #retry
            }

            #into_client_config
        }

        #default_impl
    }
}

/// The field of a setting, documented with where its value comes from.
fn field(setting: &Setting) -> TokenStream {
    let name = ident(&setting.field);
    match &setting.kind {
        SettingKind::Url { constant, what, .. } => {
            let docs = doc(&format!(
                "{}; default [`Config::{constant}`].\n`from_env` reads it from `{}` when set.",
                capitalized(what),
                setting.env_var
            ));
            quote! { #docs pub #name: String, }
        }
        SettingKind::BaseUrlPart => {
            let docs = doc(&format!(
                "`{{{}}}` in the base URL.\n`from_env` reads it from `{}`.",
                setting.field, setting.env_var
            ));
            quote! { #docs pub #name: String, }
        }
        SettingKind::Secret { used_as, dlt_name } => {
            let dlt = match dlt_name {
                Some(name) => format!(", else as dlt reads `{name}`"),
                None => String::new(),
            };
            let docs = doc(&format!(
                "Secret `{}`: {used_as}.\n`from_env` reads it from `{}`{dlt}.",
                setting.field, setting.env_var
            ));
            quote! { #docs pub #name: Secret, }
        }
        SettingKind::Concurrency => {
            let docs = doc(&format!(
                "Requests of one resource on their way at once, where pages can be addressed \
                 up front (offset and page number once the API has told the total); records \
                 keep their order. Default [`rt::ClientConfig::CONCURRENCY`].\n\
                 `from_env` reads it from `{}` when set (and sets `fan_out`'s with it).",
                setting.env_var,
            ));
            quote! { #docs pub #name: usize, }
        }
        SettingKind::Timeout { default_millis } => {
            let docs = doc(&format!(
                "Time allowed for one request, body included; default {} s{}.\n\
                 `from_env` reads it (seconds) from `{}` when set.",
                *default_millis as f64 / 1000.0,
                if *default_millis == 60_000 {
                    ""
                } else {
                    " (the spec's `client.timeout`)"
                },
                setting.env_var,
            ));
            quote! { #docs pub #name: std::time::Duration, }
        }
        SettingKind::ResourceTimeout => {
            let docs = doc(&format!(
                "Time allowed for one paginated call (for a child resource: per parent); \
                 past it the call fails. Default: no bound.\n\
                 `from_env` reads it (seconds) from `{}` when set.",
                setting.env_var,
            ));
            quote! { #docs pub #name: Option<std::time::Duration>, }
        }
        SettingKind::MaxPages => {
            let docs = doc(&format!(
                "Pages allowed for one paginated call (for a child resource: per parent); one \
                 more fails the call, never silently. Default: no bound.\n\
                 `from_env` reads it from `{}` when set.",
                setting.env_var,
            ));
            quote! { #docs pub #name: Option<u64>, }
        }
    }
}

/// The constant that holds a URL setting's default.
fn constant(setting: &Setting) -> Option<TokenStream> {
    let SettingKind::Url {
        constant,
        default,
        what,
    } = &setting.kind
    else {
        return None;
    };
    let constant = ident(constant);
    let docs = doc(&format!("{} written in the spec.", capitalized(what)));
    Some(quote! {
        #docs
        pub const #constant: &'static str = #default;
    })
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// `Config` -> `rt::ClientConfig`, writing only what differs from `ClientConfig::new`.
fn into_client_config(connector: &Connector, has_children: bool) -> TokenStream {
    let bindings = connector.settings.iter().map(|s| ident(&s.field));
    let rest = has_children.then(|| quote! { .. });
    let endpoint_auths: Vec<_> = connector
        .resources
        .iter()
        .filter_map(|r| Some((&r.name, r.auth.as_ref()?)))
        .collect();
    let mut uses = SecretUses::count(
        std::iter::once(&connector.auth).chain(endpoint_auths.iter().map(|(_, auth)| *auth)),
    );
    let client_auth = (!matches!(connector.auth, Auth::None)).then(|| {
        let auth = auth(&connector.auth, true, &mut uses);
        quote! { auth: #auth, }
    });
    let endpoint_auth = (!endpoint_auths.is_empty()).then(|| {
        let auths = endpoint_auths.iter().map(|(name, endpoint)| {
            let auth = auth(endpoint, false, &mut uses);
            quote! { (#name, #auth) }
        });
        quote! { endpoint_auth: Vec::from([#(#auths),*]), }
    });
    let headers = (!connector.headers.is_empty()).then(|| {
        let headers = connector
            .headers
            .iter()
            .map(|(name, value)| quote! { (String::from(#name), String::from(#value)) });
        quote! { headers: Vec::from([#(#headers),*]), }
    });
    let client_config = quote! {
        rt::ClientConfig {
            #client_auth
            #endpoint_auth
            #headers
            retry,
            timeout,
            concurrency,
            max_pages,
            resource_timeout,
            ..rt::ClientConfig::new(base_url)
        }
    };
    let parts: Vec<_> = connector
        .settings
        .iter()
        .filter(|s| s.kind == SettingKind::BaseUrlPart)
        .map(|s| {
            let name = &s.field;
            let field = ident(name);
            quote! { (#name, #field.as_str()) }
        })
        .collect();
    if parts.is_empty() {
        quote! {
            fn into_client_config(self) -> rt::ClientConfig {
                let Config { #(#bindings,)* retry, #rest } = self;
                #client_config
            }
        }
    } else {
        quote! {
            /// Fails when a part of the base URL is not URL-safe.
            fn into_client_config(self) -> Result<rt::ClientConfig> {
                let Config { #(#bindings,)* retry, #rest } = self;
                let base_url = rt::ClientConfig::fill_base_url(&base_url, &[#(#parts),*])?;
                Ok(#client_config)
            }
        }
    }
}

/// How many times each secret is still to be used in `into_client_config`: every use
/// but the last clones it (a secret may serve the client and an endpoint).
struct SecretUses(BTreeMap<String, usize>);

impl SecretUses {
    fn count<'a>(auths: impl Iterator<Item = &'a Auth>) -> Self {
        let mut uses = BTreeMap::new();
        for secret in auths.flat_map(Auth::secrets) {
            *uses.entry(secret.name.clone()).or_insert(0) += 1;
        }
        SecretUses(uses)
    }

    /// `field: secret` in a struct literal (`field` alone when the names agree).
    fn field(&mut self, field: &str, name: &str) -> TokenStream {
        let value = self.take(name);
        let field = ident(field);
        if field == value.to_string() {
            quote! { #field }
        } else {
            quote! { #field: #value }
        }
    }

    /// The secret, moved on its last use and cloned before.
    fn take(&mut self, name: &str) -> TokenStream {
        let left = self.0.entry(name.to_owned()).or_insert(1);
        *left -= 1;
        let name = ident(name);
        if *left == 0 {
            quote! { #name }
        } else {
            quote! { #name.clone() }
        }
    }

    /// The secret's text, borrowed (a user name is sent as text).
    fn text(&mut self, name: &str) -> TokenStream {
        if let Some(left) = self.0.get_mut(name) {
            *left = left.saturating_sub(1);
        }
        let name = ident(name);
        quote! { String::from(#name.expose()) }
    }
}

/// An auth built from the bound secrets of `Config`. The client's OAuth2 token URL is
/// a setting too (`token_url_from_config`); an endpoint's is the spec's.
fn auth(auth: &Auth, token_url_from_config: bool, uses: &mut SecretUses) -> TokenStream {
    match auth {
        Auth::None => quote! { rt::Auth::None },
        Auth::Bearer { token } => {
            let token = uses.field("token", &token.name);
            quote! { rt::Auth::Bearer { #token } }
        }
        Auth::ApiKey {
            name,
            location,
            key,
        } => {
            let key = uses.field("key", &key.name);
            let location = ident(match location {
                ApiKeyLocation::Header => "Header",
                ApiKeyLocation::Query => "Query",
                ApiKeyLocation::Cookie => "Cookie",
            });
            quote! {
                rt::Auth::ApiKey {
                    name: String::from(#name),
                    location: rt::ApiKeyLocation::#location,
                    #key,
                }
            }
        }
        Auth::HttpBasic { username, password } => {
            let username = match username {
                Credential::Literal(user) => quote! { String::from(#user) },
                Credential::Secret(user) => uses.text(&user.name),
            };
            let password = match password {
                Credential::Literal(text) => quote! { password: Secret::new(#text) },
                Credential::Secret(secret) => uses.field("password", &secret.name),
            };
            quote! {
                rt::Auth::HttpBasic { username: #username, #password }
            }
        }
        Auth::OAuth2 {
            access_token_url,
            client_id,
            client_secret,
            request_data,
            default_expiration,
        } => {
            let access_token_url = if token_url_from_config {
                quote! { access_token_url }
            } else {
                quote! { #access_token_url }
            };
            let client_id = match client_id {
                Credential::Literal(id) => quote! { #id },
                Credential::Secret(id) => uses.take(&id.name),
            };
            let client_secret = uses.take(&client_secret.name);
            let data = if request_data.is_empty() {
                quote! { Vec::new() }
            } else {
                let pairs = request_data
                    .iter()
                    .map(|(k, v)| quote! { (String::from(#k), String::from(#v)) });
                quote! { Vec::from([#(#pairs),*]) }
            };
            let expiration = Literal::u64_unsuffixed(*default_expiration);
            quote! {
                rt::Auth::oauth2(
                    #access_token_url,
                    #client_id,
                    #client_secret,
                    #data,
                    std::time::Duration::from_secs(#expiration),
                )
            }
        }
    }
}

fn retry(connector: &Connector) -> TokenStream {
    let retry = &connector.retry;
    let mut fields = Vec::new();
    if let Some(statuses) = &retry.statuses {
        let statuses = statuses.iter().map(|s| Literal::u16_unsuffixed(*s));
        fields.push(quote! { statuses: vec![#(#statuses),*], });
    }
    if let Some(max_retries) = retry.max_retries {
        let max_retries = Literal::u32_unsuffixed(max_retries);
        fields.push(quote! { max_retries: #max_retries, });
    }
    if let Some(factor) = retry.backoff_factor {
        let factor = Literal::f64_unsuffixed(factor);
        fields.push(quote! { backoff_factor: #factor, });
    }
    if let Some(max_delay) = retry.max_delay {
        let max_delay = Literal::f64_unsuffixed(max_delay);
        fields.push(quote! { max_delay: std::time::Duration::from_secs_f64(#max_delay), });
    }
    if fields.is_empty() {
        quote! { rt::RetryPolicy::default() }
    } else {
        quote! {
            rt::RetryPolicy {
                #(#fields)*
                ..rt::RetryPolicy::default()
            }
        }
    }
}
