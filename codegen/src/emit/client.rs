//! `Config` (settings and secrets), `Client` (one fetch function per resource) and the
//! `Connector` impl that the command-line program uses.

use super::{doc, ident};
use crate::model::{ApiKeyLocation, Auth, Connector, Credential, ParentLink, Resource};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

pub fn client(connector: &Connector) -> TokenStream {
    let config = config(connector);
    let fetchers = connector.resources.iter().map(|resource| {
        let incremental = resource
            .incremental
            .is_some()
            .then(|| fetch_incremental(resource));
        let fetch = match &resource.parent {
            None => fetch(resource),
            Some(link) => fetch_child(connector, resource, link),
        };
        quote! { #fetch #incremental }
    });
    let stateful_arms: Vec<TokenStream> = connector
        .resources
        .iter()
        .filter(|r| r.incremental.is_some())
        .map(|resource| {
            let resource_name = &resource.name;
            let name = ident(&format!("{}_incremental", resource.fn_name.trim_end_matches('_')));
            quote! {
                #resource_name => {
                    let records = self.#name(state);
                    let handle = records.handle();
                    ::std::option::Option::Some((::connectorgen_runtime::json_lines(records), handle))
                }
            }
        })
        .collect();
    let stateful = (!stateful_arms.is_empty()).then(|| {
        quote! {
            fn json_lines_with_state(
                &self,
                resource: &str,
                state: ::std::option::Option<::connectorgen_runtime::IncrementalState>,
            ) -> ::std::option::Option<(
                ::connectorgen_runtime::JsonLines,
                ::std::option::Option<::connectorgen_runtime::StateHandle>,
            )> {
                match resource {
                    #(#stateful_arms)*
                    _ => self.json_lines(resource).map(|lines| (lines, ::std::option::Option::None)),
                }
            }
        }
    });
    let has_children = connector.resources.iter().any(|r| r.parent.is_some());
    let fan_out_field = has_children.then(|| quote! { fan_out: ::connectorgen_runtime::FanOut, });
    let fan_out_init = has_children.then(|| quote! { fan_out: config.fan_out, });
    let name = &connector.name;
    let resource_names = connector.resources.iter().map(|r| &r.name);
    let json_arms = connector.resources.iter().map(|resource| {
        let resource_name = &resource.name;
        let records = ident(&resource.fn_name);
        quote! { #resource_name => ::std::option::Option::Some(::connectorgen_runtime::json_lines(self.#records())), }
    });
    let value_arms = connector.resources.iter().map(|resource| {
        let resource_name = &resource.name;
        if resource.incremental.is_some() {
            let name = ident(&format!(
                "{}_incremental",
                resource.fn_name.trim_end_matches('_')
            ));
            quote! {
                #resource_name => {
                    let records = self.#name(state);
                    let handle = records.handle();
                    ::std::option::Option::Some((::connectorgen_runtime::values(records), handle))
                }
            }
        } else {
            let records = ident(&resource.fn_name);
            quote! {
                #resource_name => ::std::option::Option::Some((
                    ::connectorgen_runtime::values(self.#records()),
                    ::std::option::Option::None,
                )),
            }
        }
    });
    let uses_state = connector.resources.iter().any(|r| r.incremental.is_some());
    let state_param = if uses_state {
        quote! { state }
    } else {
        quote! { _state }
    };
    let tables = connector.resources.iter().map(super::record::table);
    let client_doc = doc(&format!("A client of the `{name}` API."));
    quote! {
        #config

        #client_doc
        #[derive(::std::clone::Clone, ::std::fmt::Debug)]
        pub struct Client {
            inner: ::connectorgen_runtime::Client,
            #fan_out_field
        }

        impl Client {
            /// A client with the given settings.
            pub fn new(config: Config) -> Result<Self> {
                ::std::result::Result::Ok(Client {
                    #fan_out_init
                    inner: ::connectorgen_runtime::Client::new(config.into_client_config())?,
                })
            }

            /// A client configured from environment variables (see [`Config::from_env`]).
            pub fn from_env() -> Result<Self> {
                Self::new(Config::from_env()?)
            }

            #(#fetchers)*

            /// Loads resources into a destination (all of them when `options.resources` is
            /// empty), each in one transaction with its incremental state: see
            /// [`connectorgen_runtime::load::sync`].
            pub async fn sync<D: ::connectorgen_runtime::load::Destination>(
                &self,
                destination: &mut D,
                options: &::connectorgen_runtime::load::SyncOptions,
            ) -> Result<::connectorgen_runtime::load::SyncReport> {
                ::connectorgen_runtime::load::sync(self, destination, options, &mut |_| {}).await
            }
        }

        impl ::connectorgen_runtime::Connector for Client {
            const NAME: &'static str = #name;
            const RESOURCES: &'static [&'static str] = &[#(#resource_names),*];
            const TABLES: &'static [::connectorgen_runtime::load::TableDef] = &[#(#tables),*];

            fn from_env_with_base_url(
                base_url: ::std::option::Option<::std::string::String>,
            ) -> Result<Self> {
                let mut config = Config::from_env()?;
                if let ::std::option::Option::Some(base_url) = base_url {
                    config.base_url = base_url;
                }
                Self::new(config)
            }

            fn json_lines(&self, resource: &str) -> ::std::option::Option<::connectorgen_runtime::JsonLines> {
                match resource {
                    #(#json_arms)*
                    _ => ::std::option::Option::None,
                }
            }

            #stateful

            fn pages_received(&self) -> u64 {
                self.inner.pages_received()
            }

            fn values(
                &self,
                resource: &str,
                #state_param: ::std::option::Option<::connectorgen_runtime::IncrementalState>,
            ) -> ::std::option::Option<(
                ::connectorgen_runtime::Values,
                ::std::option::Option<::connectorgen_runtime::StateHandle>,
            )> {
                match resource {
                    #(#value_arms)*
                    _ => ::std::option::Option::None,
                }
            }
        }
    }
}

/// `impl Stream<Item = Result<item>> + Send + 'static`, the return type of every fetch.
fn stream_of(item: TokenStream) -> TokenStream {
    quote! {
        impl ::connectorgen_runtime::futures_util::Stream<
            Item = ::std::result::Result<#item, ::connectorgen_runtime::Error>,
        > + ::std::marker::Send + 'static
    }
}

/// `records()` and `records_pages()` of a resource without a parent.
fn fetch(resource: &Resource) -> TokenStream {
    let record = ident(&resource.type_name);
    let records_stream = stream_of(quote! { #record });
    let pages_stream = stream_of(quote! { ::connectorgen_runtime::Page<#record> });
    let endpoint = ident(&resource.static_name);
    let records = ident(&resource.fn_name);
    let pages = ident(&resource.pages_fn_name);
    let records_doc = doc(&format!(
        "Every record of `{}`, fetched page by page as the stream is read.",
        resource.name
    ));
    let pages_doc = doc(&format!("Every page of `{}`.", resource.name));
    quote! {
        #records_doc
        pub fn #records(&self) -> #records_stream {
            self.inner.records(&#endpoint)
        }

        #pages_doc
        pub fn #pages(&self) -> #pages_stream {
            self.inner.pages(&#endpoint)
        }
    }
}

/// `records_incremental(state)` of an incremental resource.
fn fetch_incremental(resource: &Resource) -> TokenStream {
    let record = ident(&resource.type_name);
    let endpoint = ident(&resource.static_name);
    let name = ident(&format!(
        "{}_incremental",
        resource.fn_name.trim_end_matches('_')
    ));
    let docs = doc(&format!(
        "The records of `{}` from `state` on (from the spec's `initial_value` when `None`). \
         Once the stream is read to its end without an error, its handle gives the state \
         for the next run.",
        resource.name
    ));
    quote! {
        #docs
        pub fn #name(
            &self,
            state: ::std::option::Option<::connectorgen_runtime::IncrementalState>,
        ) -> ::connectorgen_runtime::IncrementalRecords<#record> {
            self.inner.incremental(&#endpoint, state)
        }
    }
}

/// A child resource: all of it (fanned out over its parent), or for one parent record.
fn fetch_child(connector: &Connector, resource: &Resource, link: &ParentLink) -> TokenStream {
    let record = ident(&resource.type_name);
    let records_stream = stream_of(quote! { #record });
    let pages_stream = stream_of(quote! { ::connectorgen_runtime::Page<#record> });
    let endpoint = ident(&resource.static_name);
    let records = ident(&resource.fn_name);
    let records_of = ident(&link.of_fn_name);
    let pages_of = ident(&link.pages_of_fn_name);
    let parent = connector
        .resources
        .iter()
        .find(|r| r.name == link.resource)
        .expect("parents are resources: checked when the spec was resolved");
    let parent_record = ident(&parent.type_name);
    let parent_records = ident(&parent.fn_name);
    let records_doc = doc(&format!(
        "Every record of `{}`, for every record of `{}` ([`Config::fan_out`] says how many \
         parents at once).",
        resource.name, parent.name
    ));
    let of_doc = doc(&format!(
        "The records of `{}` for one `{}` record.",
        resource.name, parent.name
    ));
    let pages_of_doc = doc(&format!(
        "The pages of `{}` for one `{}` record.",
        resource.name, parent.name
    ));
    quote! {
        #records_doc
        pub fn #records(&self) -> #records_stream {
            self.inner.fan_out(self.#parent_records(), &#endpoint, self.fan_out)
        }

        #of_doc
        pub fn #records_of(&self, parent: &#parent_record) -> #records_stream {
            self.inner.child_records(&#endpoint, parent)
        }

        #pages_of_doc
        pub fn #pages_of(&self, parent: &#parent_record) -> #pages_stream {
            self.inner.child_pages(&#endpoint, parent)
        }
    }
}

fn config(connector: &Connector) -> TokenStream {
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
