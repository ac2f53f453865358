//! `Config`: the connector's settings (base URL, secrets, retry policy, timeouts) and
//! how they become the runtime's `ClientConfig` (auth included).

use super::{doc, ident};
use crate::model::{ApiKeyLocation, Auth, Connector, Credential};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

pub(super) fn config(connector: &Connector) -> TokenStream {
    let secrets = connector.secrets();
    let base_url = &connector.base_url;
    let base_url_env = connector.env_var("base_url");
    let secret_fields = secrets.iter().map(|secret| {
        let field = ident(&secret.name);
        let docs = doc(&format!(
            "Secret `{}`; `from_env` reads it from `{}`.",
            secret.name,
            connector.env_var(&secret.name)
        ));
        quote! { #docs pub #field: ::connectorgen_runtime::Secret, }
    });
    let secret_params = secrets.iter().map(|secret| {
        let field = ident(&secret.name);
        quote! { #field: impl ::std::convert::Into<::connectorgen_runtime::Secret> }
    });
    let secret_inits = secrets.iter().map(|secret| {
        let field = ident(&secret.name);
        quote! { #field: #field.into(), }
    });
    let secret_env = secrets.iter().map(|secret| {
        let var = connector.env_var(&secret.name);
        quote! { ::connectorgen_runtime::env::secret(#var)? }
    });
    let secret_names: Vec<_> = secrets.iter().map(|s| ident(&s.name)).collect();
    let headers = connector.headers.iter().map(|(name, value)| {
        quote! { (::std::string::String::from(#name), ::std::string::String::from(#value)) }
    });
    let client_auth = auth(&connector.auth, true);
    let endpoint_auths = connector.resources.iter().filter_map(|resource| {
        let name = &resource.name;
        let auth = auth(resource.auth.as_ref()?, false);
        Some(quote! { (#name, #auth) })
    });
    let retry = retry(connector);
    let has_children = connector.resources.iter().any(|r| r.parent.is_some());
    let fan_out_config_field = has_children.then(|| {
        quote! {
            /// How child resources are fetched for many parents: how many at once, and
            /// whether records keep their parents' order.
            pub fan_out: ::connectorgen_runtime::FanOut,
        }
    });
    let fan_out_config_init =
        has_children.then(|| quote! { fan_out: ::connectorgen_runtime::FanOut::default(), });
    // The client's OAuth2 token endpoint is a setting too: staging and production
    // often have different ones.
    let token_url = match &connector.auth {
        Auth::OAuth2 {
            access_token_url, ..
        } => Some((access_token_url, connector.env_var("access_token_url"))),
        _ => None,
    };
    let token_url_field = token_url.as_ref().map(|_| {
        quote! {
            /// The OAuth2 token endpoint; default [`Config::ACCESS_TOKEN_URL`].
            pub access_token_url: ::std::string::String,
        }
    });
    let token_url_const = token_url.as_ref().map(|(url, _)| {
        quote! {
            /// The OAuth2 token endpoint written in the spec.
            pub const ACCESS_TOKEN_URL: &'static str = #url;
        }
    });
    let token_url_new = token_url.as_ref().map(|_| {
        quote! { access_token_url: ::std::string::String::from(Self::ACCESS_TOKEN_URL), }
    });
    let token_url_env = token_url.as_ref().map(|(_, var)| {
        quote! {
            if let ::std::option::Option::Some(url) = ::connectorgen_runtime::env::optional(#var) {
                config.access_token_url = url;
            }
        }
    });
    let token_url_binding = token_url.as_ref().map(|_| quote! { access_token_url, });
    let env_list = std::iter::once(format!("`{base_url_env}` (optional)"))
        .chain(
            token_url
                .as_ref()
                .map(|(_, var)| format!("`{var}` (optional)")),
        )
        .chain(
            secrets
                .iter()
                .map(|s| format!("`{}`", connector.env_var(&s.name))),
        )
        .collect::<Vec<_>>()
        .join(", ");
    let from_env_doc = doc(&format!("Settings from the environment: {env_list}."));
    let config_doc = doc(&format!(
        "Settings of the `{}` connector: where the API is, its secrets, how to retry.",
        connector.name
    ));
    // `new()` without arguments wants a `Default` impl (clippy::new_without_default).
    let default_impl = secrets.is_empty().then(|| {
        quote! {
            impl ::std::default::Default for Config {
                fn default() -> Self {
                    Self::new()
                }
            }
        }
    });
    quote! {
        #config_doc
        #[derive(::std::clone::Clone, ::std::fmt::Debug)]
        pub struct Config {
            /// The API's base URL; default [`Config::BASE_URL`].
            pub base_url: ::std::string::String,
            #token_url_field
            #(#secret_fields)*
            /// Which failures are retried and how long to wait; default from the spec.
            pub retry: ::connectorgen_runtime::RetryPolicy,
            /// Time allowed for one request, body included.
            pub timeout: ::std::time::Duration,
            #fan_out_config_field
        }

        impl Config {
            /// The base URL written in the spec.
            pub const BASE_URL: &'static str = #base_url;

            #token_url_const

            /// Settings with the spec's defaults and the given secrets.
            pub fn new(#(#secret_params),*) -> Self {
                Config {
                    base_url: ::std::string::String::from(Self::BASE_URL),
                    #token_url_new
                    #(#secret_inits)*
                    retry: Self::default_retry(),
                    timeout: ::std::time::Duration::from_secs(60),
                    #fan_out_config_init
                }
            }

            #from_env_doc
            pub fn from_env() -> Result<Self> {
                let mut config = Self::new(#(#secret_env),*);
                if let ::std::option::Option::Some(base_url) = ::connectorgen_runtime::env::optional(#base_url_env) {
                    config.base_url = base_url;
                }
                #token_url_env
                ::std::result::Result::Ok(config)
            }

            /// The retry policy of the spec's `client.retry`.
            pub fn default_retry() -> ::connectorgen_runtime::RetryPolicy {
                #retry
            }

            fn into_client_config(self) -> ::connectorgen_runtime::ClientConfig {
                let Config { base_url, #token_url_binding #(#secret_names,)* retry, timeout, .. } = self;
                let mut config = ::connectorgen_runtime::ClientConfig::new(base_url);
                config.auth = #client_auth;
                config.endpoint_auth = ::std::vec![#(#endpoint_auths),*];
                config.headers = ::std::vec![#(#headers),*];
                config.retry = retry;
                config.timeout = timeout;
                config
            }
        }

        #default_impl
    }
}

/// Builds an auth from the secrets of `Config` (bound by name in `into_client_config`;
/// cloned, since a secret may serve the client and an endpoint). The client's OAuth2
/// token URL comes from `Config` too (`token_url_from_config`).
fn auth(auth: &Auth, token_url_from_config: bool) -> TokenStream {
    let secret = |name: &str| {
        let name = ident(name);
        quote! { #name.clone() }
    };
    match auth {
        Auth::None => quote! { ::connectorgen_runtime::Auth::None },
        Auth::Bearer { token } => {
            let token = secret(&token.name);
            quote! { ::connectorgen_runtime::Auth::Bearer { token: #token } }
        }
        Auth::ApiKey {
            name,
            location,
            key,
        } => {
            let key = secret(&key.name);
            let location = match location {
                ApiKeyLocation::Header => quote! { ::connectorgen_runtime::ApiKeyLocation::Header },
                ApiKeyLocation::Query => quote! { ::connectorgen_runtime::ApiKeyLocation::Query },
                ApiKeyLocation::Cookie => quote! { ::connectorgen_runtime::ApiKeyLocation::Cookie },
            };
            quote! {
                ::connectorgen_runtime::Auth::ApiKey {
                    name: ::std::string::String::from(#name),
                    location: #location,
                    key: #key,
                }
            }
        }
        Auth::HttpBasic { username, password } => {
            let password = secret(&password.name);
            let username = match username {
                Credential::Literal(user) => quote! { ::std::string::String::from(#user) },
                Credential::Secret(user) => {
                    let user = ident(&user.name);
                    quote! { ::std::string::String::from(#user.expose()) }
                }
            };
            quote! {
                ::connectorgen_runtime::Auth::HttpBasic { username: #username, password: #password }
            }
        }
        Auth::OAuth2 {
            access_token_url,
            client_id,
            client_secret,
            request_data,
            default_expiration,
        } => {
            let client_id = match client_id {
                Credential::Literal(id) => quote! { #id },
                Credential::Secret(id) => secret(&id.name),
            };
            let client_secret = secret(&client_secret.name);
            let data = request_data.iter().map(|(k, v)| {
                quote! { (::std::string::String::from(#k), ::std::string::String::from(#v)) }
            });
            let expiration = Literal::u64_unsuffixed(*default_expiration);
            let access_token_url = if token_url_from_config {
                quote! { access_token_url }
            } else {
                quote! { #access_token_url }
            };
            quote! {
                ::connectorgen_runtime::Auth::oauth2(
                    #access_token_url,
                    #client_id,
                    #client_secret,
                    ::std::vec![#(#data),*],
                    ::std::time::Duration::from_secs(#expiration),
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
        fields.push(quote! { statuses: ::std::vec![#(#statuses),*], });
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
        fields.push(quote! { max_delay: ::std::time::Duration::from_secs_f64(#max_delay), });
    }
    if fields.is_empty() {
        quote! { ::connectorgen_runtime::RetryPolicy::default() }
    } else {
        quote! {
            ::connectorgen_runtime::RetryPolicy {
                #(#fields)*
                ..::connectorgen_runtime::RetryPolicy::default()
            }
        }
    }
}
