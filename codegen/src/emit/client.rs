//! `Client` (one fetch function per resource, and `sync`) and the
//! `Connector` impl that the command-line program uses.

use super::{doc, ident};
use crate::model::{Connector, ParentLink, Resource};
use proc_macro2::TokenStream;
use quote::quote;

pub fn client(connector: &Connector) -> TokenStream {
    let config = super::config::config(connector);
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
