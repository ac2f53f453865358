//! The `static` that tells the runtime how to fetch a resource.

use super::{doc, ident};
use crate::model::{Method, Paginator, Resource};
use proc_macro2::TokenStream;
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
    let data_selector = option_str(resource.data_selector.as_deref());
    let paginator = paginator(&resource.paginator);
    quote! {
        #docs
        pub static #name: ::connectorgen_runtime::Endpoint = ::connectorgen_runtime::Endpoint {
            resource: #resource_name,
            method: #method,
            path: #path,
            params: #params,
            headers: #headers,
            data_selector: #data_selector,
            paginator: #paginator,
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
            let value = proc_macro2::Literal::u64_unsuffixed(value);
            quote! { ::std::option::Option::Some(#value) }
        }
        None => quote! { ::std::option::Option::None },
    }
}

fn paginator(paginator: &Paginator) -> TokenStream {
    match paginator {
        Paginator::SinglePage => quote! { ::connectorgen_runtime::Paginator::SinglePage },
        Paginator::Offset(o) => {
            let limit = proc_macro2::Literal::u64_unsuffixed(o.limit);
            let offset = proc_macro2::Literal::u64_unsuffixed(o.offset);
            let offset_param = &o.offset_param;
            let limit_param = &o.limit_param;
            let total_path = option_str(o.total_path.as_deref());
            let maximum_offset = option_u64(o.maximum_offset);
            let stop_after_empty_page = o.stop_after_empty_page;
            let has_more_path = option_str(o.has_more_path.as_deref());
            quote! {
                ::connectorgen_runtime::Paginator::Offset(
                    ::connectorgen_runtime::paginate::OffsetPaginator {
                        limit: #limit,
                        offset: #offset,
                        offset_param: #offset_param,
                        limit_param: #limit_param,
                        total_path: #total_path,
                        maximum_offset: #maximum_offset,
                        stop_after_empty_page: #stop_after_empty_page,
                        has_more_path: #has_more_path,
                    }
                )
            }
        }
    }
}
