//! The `static` that tells the runtime how to fetch a resource.

use super::{doc, ident};
use crate::model::{Method, Paginator, Resource, Target};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

pub fn endpoint(resource: &Resource) -> TokenStream {
    let name = ident(&resource.static_name);
    let docs = doc(&format!("How `{}` is fetched.", resource.name));
    let resource_name = &resource.name;
    let method = match resource.method {
        Method::Get => quote! { ::connectorgen_runtime::Method::Get },
        Method::Post => quote! { ::connectorgen_runtime::Method::Post },
    };
    let path = &resource.path;
    let params = pairs(&resource.params);
    let headers = pairs(&resource.headers);
    let json = option_str(resource.json.as_deref());
    let data = pairs(&resource.data);
    let data_selector = option_str(resource.data_selector.as_deref());
    let paginator = paginator(&resource.paginator);
    let parent = option_str(resource.parent.as_ref().map(|p| p.resource.as_str()));
    let include = resource.parent.iter().flat_map(|p| &p.include);
    let primary_key = &resource.primary_key;
    let incremental = match &resource.incremental {
        None => quote! { ::std::option::Option::None },
        Some(inc) => {
            let cursor_path = &inc.cursor_path;
            let cursor_type = ident(inc.cursor_type);
            let initial_value = option_str(inc.initial_value.as_deref());
            let end_value = option_str(inc.end_value.as_deref());
            let start_param = option_str(inc.start_param.as_deref());
            let end_param = option_str(inc.end_param.as_deref());
            let row_order = match inc.row_order {
                Some(order) => {
                    let order = ident(order);
                    quote! { ::std::option::Option::Some(::connectorgen_runtime::incremental::RowOrder::#order) }
                }
                None => quote! { ::std::option::Option::None },
            };
            let on_missing = ident(inc.on_cursor_value_missing);
            quote! {
                ::std::option::Option::Some(::connectorgen_runtime::incremental::Incremental {
                    cursor_path: #cursor_path,
                    cursor_type: ::connectorgen_runtime::incremental::CursorType::#cursor_type,
                    initial_value: #initial_value,
                    end_value: #end_value,
                    start_param: #start_param,
                    end_param: #end_param,
                    row_order: #row_order,
                    on_cursor_value_missing: ::connectorgen_runtime::incremental::OnMissing::#on_missing,
                })
            }
        }
    };
    let actions = resource.ignore.iter().map(|ignore| {
        let status_code = match ignore.status_code {
            Some(code) => {
                let code = Literal::u16_unsuffixed(code);
                quote! { ::std::option::Option::Some(#code) }
            }
            None => quote! { ::std::option::Option::None },
        };
        let content = option_str(ignore.content.as_deref());
        quote! {
            ::connectorgen_runtime::ResponseAction {
                status_code: #status_code,
                content: #content,
                action: ::connectorgen_runtime::Action::Ignore,
            }
        }
    });
    quote! {
        #docs
        pub static #name: ::connectorgen_runtime::Endpoint = ::connectorgen_runtime::Endpoint {
            resource: #resource_name,
            method: #method,
            path: #path,
            params: #params,
            headers: #headers,
            json: #json,
            data: #data,
            data_selector: #data_selector,
            paginator: #paginator,
            response_actions: &[#(#actions),*],
            parent: #parent,
            include_from_parent: &[#(#include),*],
            incremental: #incremental,
            primary_key: &[#(#primary_key),*],
        };
    }
}

fn pairs(pairs: &[(String, String)]) -> TokenStream {
    let pairs = pairs.iter().map(|(k, v)| quote! { (#k, #v) });
    quote! { &[#(#pairs),*] }
}

fn option_str(value: Option<&str>) -> TokenStream {
    match value {
        Some(value) => quote! { ::std::option::Option::Some(#value) },
        None => quote! { ::std::option::Option::None },
    }
}

fn option_u64(value: Option<u64>) -> TokenStream {
    match value {
        Some(value) => {
            let value = int(value);
            quote! { ::std::option::Option::Some(#value) }
        }
        None => quote! { ::std::option::Option::None },
    }
}

fn target(target: &Target) -> TokenStream {
    match target {
        Target::Param(name) => quote! { ::connectorgen_runtime::paginate::Target::Param(#name) },
        Target::Body(path) => quote! { ::connectorgen_runtime::paginate::Target::Body(#path) },
    }
}

fn int(value: u64) -> Literal {
    Literal::u64_unsuffixed(value)
}

fn paginator(paginator: &Paginator) -> TokenStream {
    match paginator {
        Paginator::SinglePage => quote! { ::connectorgen_runtime::Paginator::SinglePage },
        Paginator::Auto => quote! { ::connectorgen_runtime::Paginator::Auto },
        Paginator::Offset(o) => {
            let limit = int(o.limit);
            let offset = int(o.offset);
            let offset_target = target(&o.offset_target);
            let limit_target = target(&o.limit_target);
            let total_path = option_str(o.total_path.as_deref());
            let maximum_offset = option_u64(o.maximum_offset);
            let stop_after_empty_page = o.stop_after_empty_page;
            let has_more_path = option_str(o.has_more_path.as_deref());
            quote! {
                ::connectorgen_runtime::Paginator::Offset(
                    ::connectorgen_runtime::paginate::OffsetPaginator {
                        limit: #limit,
                        offset: #offset,
                        offset_target: #offset_target,
                        limit_target: #limit_target,
                        total_path: #total_path,
                        maximum_offset: #maximum_offset,
                        stop_after_empty_page: #stop_after_empty_page,
                        has_more_path: #has_more_path,
                    }
                )
            }
        }
        Paginator::PageNumber(p) => {
            let base_page = int(p.base_page);
            let page = option_u64(p.page);
            let page_target = target(&p.page_target);
            let total_path = option_str(p.total_path.as_deref());
            let maximum_page = option_u64(p.maximum_page);
            let stop_after_empty_page = p.stop_after_empty_page;
            let has_more_path = option_str(p.has_more_path.as_deref());
            quote! {
                ::connectorgen_runtime::Paginator::PageNumber(
                    ::connectorgen_runtime::paginate::PageNumberPaginator {
                        base_page: #base_page,
                        page: #page,
                        page_target: #page_target,
                        total_path: #total_path,
                        maximum_page: #maximum_page,
                        stop_after_empty_page: #stop_after_empty_page,
                        has_more_path: #has_more_path,
                    }
                )
            }
        }
        Paginator::Cursor(c) => {
            let cursor_path = &c.cursor_path;
            let cursor_target = target(&c.cursor_target);
            let has_more_path = option_str(c.has_more_path.as_deref());
            let stop_after_empty_page = c.stop_after_empty_page;
            quote! {
                ::connectorgen_runtime::Paginator::Cursor(
                    ::connectorgen_runtime::paginate::CursorPaginator {
                        cursor_path: #cursor_path,
                        cursor_target: #cursor_target,
                        has_more_path: #has_more_path,
                        stop_after_empty_page: #stop_after_empty_page,
                    }
                )
            }
        }
        Paginator::JsonLink { next_url_path } => quote! {
            ::connectorgen_runtime::Paginator::JsonLink(
                ::connectorgen_runtime::paginate::JsonLinkPaginator { next_url_path: #next_url_path }
            )
        },
        Paginator::HeaderLink { links_next_key } => quote! {
            ::connectorgen_runtime::Paginator::HeaderLink(
                ::connectorgen_runtime::paginate::HeaderLinkPaginator { links_next_key: #links_next_key }
            )
        },
        Paginator::HeaderCursor {
            cursor_key,
            cursor_param,
        } => quote! {
            ::connectorgen_runtime::Paginator::HeaderCursor(
                ::connectorgen_runtime::paginate::HeaderCursorPaginator {
                    cursor_key: #cursor_key,
                    cursor_param: #cursor_param,
                }
            )
        },
    }
}
