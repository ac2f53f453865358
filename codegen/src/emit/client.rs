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
            .then(|| fetch_incremental(connector, resource));
        let fetch = match &resource.parent {
            None => fetch(resource),
            Some(link) => fetch_child(connector, resource, link),
        };
        quote! { #fetch #incremental }
    });
    let has_children = connector.has_children();
    let fan_out_field = has_children.then(|| quote! { fan_out: rt::FanOut, });
    let fan_out_init = has_children.then(|| quote! { fan_out: config.fan_out, });
    let client_doc = doc(&format!("A client of the `{}` API.", connector.name));
    let connector_impl = connector_impl(connector);
    let client_config = if connector.has_base_url_parts() {
        quote! { config.into_client_config()? }
    } else {
        quote! { config.into_client_config() }
    };
    quote! {
        #config

        #client_doc
        #[derive(Clone, Debug)]
        pub struct Client {
            inner: rt::Client,
            #fan_out_field
        }

        impl Client {
            /// A client with the given settings.
            pub fn new(config: Config) -> Result<Self> {
                Ok(Client {
                    #fan_out_init
                    inner: rt::Client::new(#client_config)?,
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
            pub async fn sync<D: rt::load::Destination>(
                &self,
                destination: &mut D,
                options: &rt::load::SyncOptions,
            ) -> Result<rt::load::SyncReport> {
                rt::load::sync(self, destination, options, &mut |_| {}).await
            }
        }

        #connector_impl
    }
}

/// `impl rt::Connector for Client`: the resources by name, for the program and `sync`.
fn connector_impl(connector: &Connector) -> TokenStream {
    let name = &connector.name;
    let resource_names = connector.resources.iter().map(|r| &r.name);
    let tables = connector.resources.iter().map(super::record::table);
    let json_arms = connector.resources.iter().map(|resource| {
        let resource_name = &resource.name;
        let records = ident(&resource.fn_name);
        quote! { #resource_name => Some(rt::json_lines(self.#records())), }
    });
    let incremental: Vec<&Resource> = connector
        .resources
        .iter()
        .filter(|r| r.incremental.is_some())
        .collect();
    let stateful = (!incremental.is_empty()).then(|| {
        let arms = incremental.iter().map(|resource| {
            let resource_name = &resource.name;
            let name = ident(&resource.incremental_fn_name);
            quote! {
                #resource_name => {
                    let records = self.#name(state);
                    let handle = records.handle();
                    Some((rt::json_lines(records), handle))
                }
            }
        });
        quote! {
            fn json_lines_with_state(
                &self,
                resource: &str,
                state: Option<rt::IncrementalState>,
            ) -> Option<(rt::JsonLines, Option<rt::StateHandle>)> {
                match resource {
                    #(#arms)*
                    _ => rt::Connector::json_lines(self, resource).map(|lines| (lines, None)),
                }
            }
        }
    });
    let value_arms = connector.resources.iter().map(|resource| {
        let resource_name = &resource.name;
        if resource.incremental.is_some() {
            let name = ident(&resource.incremental_fn_name);
            quote! {
                #resource_name => {
                    let records = self.#name(state);
                    let handle = records.handle();
                    Some((rt::values(records), handle))
                }
            }
        } else {
            let records = ident(&resource.fn_name);
            quote! { #resource_name => Some((rt::values(self.#records()), None)), }
        }
    });
    let selected = connector.resources.iter().any(|r| !r.selected).then(|| {
        let names = connector
            .resources
            .iter()
            .filter(|r| r.selected)
            .map(|r| &r.name);
        quote! { const SELECTED: &'static [&'static str] = &[#(#names),*]; }
    });
    let has_children = connector.has_children();
    let fan_out_override =
        has_children.then(|| quote! { config.fan_out.concurrency = concurrency; });
    let state_param = if incremental.is_empty() {
        quote! { _state }
    } else {
        quote! { state }
    };
    quote! {
        impl rt::Connector for Client {
            const NAME: &'static str = #name;

            const RESOURCES: &'static [&'static str] = &[#(#resource_names),*];

            const TABLES: &'static [rt::load::TableDef] = &[#(#tables),*];

            #selected

            fn from_env_with(overrides: rt::Overrides) -> Result<Self> {
                let mut config = Config::from_env()?;
                if let Some(base_url) = overrides.base_url {
                    config.base_url = base_url;
                }
                if let Some(concurrency) = overrides.concurrency {
                    config.concurrency = concurrency;
                    #fan_out_override
                }
                if let Some(timeout) = overrides.timeout {
                    config.timeout = timeout;
                }
                if overrides.resource_timeout.is_some() {
                    config.resource_timeout = overrides.resource_timeout;
                }
                if overrides.max_pages.is_some() {
                    config.max_pages = overrides.max_pages;
                }
                Self::new(config)
            }

            fn json_lines(&self, resource: &str) -> Option<rt::JsonLines> {
                match resource {
                    #(#json_arms)*
                    _ => None,
                }
            }

            #stateful

            fn pages_received(&self) -> u64 {
                self.inner.pages_received()
            }

            fn values(
                &self,
                resource: &str,
                #state_param: Option<rt::IncrementalState>,
            ) -> Option<(rt::Values, Option<rt::StateHandle>)> {
                match resource {
                    #(#value_arms)*
                    _ => None,
                }
            }
        }
    }
}

/// `records()` and `records_pages()` of a resource without a parent.
fn fetch(resource: &Resource) -> TokenStream {
    let record = ident(&resource.type_name);
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
        pub fn #records(&self) -> Records<#record> {
            self.inner.records(&endpoints::#endpoint)
        }

        #pages_doc
        pub fn #pages(&self) -> Pages<#record> {
            self.inner.pages(&endpoints::#endpoint)
        }
    }
}

/// `records_incremental(state)` of an incremental resource; a child's state holds one
/// state per parent.
fn fetch_incremental(connector: &Connector, resource: &Resource) -> TokenStream {
    let record = ident(&resource.type_name);
    let endpoint = ident(&resource.static_name);
    let name = ident(&resource.incremental_fn_name);
    let docs = doc(&format!(
        "The records of `{}` from `state` on (from the spec's `initial_value` when `None`). \
         Once the stream is read to its end without an error, its handle gives the state \
         for the next run.",
        resource.name
    ));
    let body = match &resource.parent {
        None => quote! { self.inner.incremental(&endpoints::#endpoint, state) },
        Some(link) => {
            let parent = connector
                .resources
                .iter()
                .find(|r| r.name == link.resource)
                .expect("parents are resources: checked when the spec was resolved");
            let parent_records = ident(&parent.fn_name);
            quote! {
                self.inner.fan_out_incremental(self.#parent_records(), &endpoints::#endpoint, self.fan_out, state)
            }
        }
    };
    quote! {
        #docs
        pub fn #name(
            &self,
            state: Option<rt::IncrementalState>,
        ) -> rt::IncrementalRecords<#record> {
            #body
        }
    }
}

/// A child resource: all of it (fanned out over its parent), or for one parent record.
fn fetch_child(connector: &Connector, resource: &Resource, link: &ParentLink) -> TokenStream {
    let record = ident(&resource.type_name);
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
        pub fn #records(&self) -> Records<#record> {
            self.inner.fan_out(self.#parent_records(), &endpoints::#endpoint, self.fan_out)
        }

        #of_doc
        pub fn #records_of(&self, parent: &#parent_record) -> Records<#record> {
            self.inner.child_records(&endpoints::#endpoint, parent)
        }

        #pages_of_doc
        pub fn #pages_of(&self, parent: &#parent_record) -> Pages<#record> {
            self.inner.child_pages(&endpoints::#endpoint, parent)
        }
    }
}
