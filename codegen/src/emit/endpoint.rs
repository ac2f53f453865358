//! The `static` that tells the runtime how to fetch a resource, in the `endpoints`
//! module. Each struct literal writes only the fields that differ from the runtime
//! type's `DEFAULT` (dlt's defaults), so a new runtime field changes no generated crate.

use super::{doc, ident};
use crate::model::{IncrementalModel, Method, Paginator, Resource, Target};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

pub fn endpoint(resource: &Resource) -> TokenStream {
    let name = ident(&resource.static_name);
    let docs = doc(&format!("How `{}` is fetched.", resource.name));
    let mut fields = Fields::default();
    fields.set("resource", quote_str(&resource.name), false);
    fields.set(
        "method",
        quote! { rt::Method::Post },
        resource.method == Method::Get,
    );
    fields.set("path", quote_str(&resource.path), false);
    fields.set(
        "params",
        pairs(&resource.params),
        resource.params.is_empty(),
    );
    fields.set(
        "headers",
        pairs(&resource.headers),
        resource.headers.is_empty(),
    );
    fields.set_some("json", resource.json.as_deref().map(quote_str));
    fields.set("data", pairs(&resource.data), resource.data.is_empty());
    fields.set_some(
        "data_selector",
        resource.data_selector.as_deref().map(quote_str),
    );
    fields.set(
        "paginator",
        paginator(&resource.paginator),
        resource.paginator == Paginator::Auto,
    );
    let actions = resource.ignore.iter().map(|ignore| {
        let status_code = option(ignore.status_code.map(|code| {
            let code = Literal::u16_unsuffixed(code);
            quote! { #code }
        }));
        let content = option(ignore.content.as_deref().map(quote_str));
        quote! {
            rt::ResponseAction {
                status_code: #status_code,
                content: #content,
                action: rt::Action::Ignore,
            }
        }
    });
    fields.set(
        "response_actions",
        quote! { &[#(#actions),*] },
        resource.ignore.is_empty(),
    );
    if let Some(link) = &resource.parent {
        let parent = &link.resource;
        let include = &link.include;
        fields.set("parent", quote! { Some(#parent) }, false);
        fields.set(
            "include_from_parent",
            quote! { &[#(#include),*] },
            include.is_empty(),
        );
    }
    fields.set_some(
        "incremental",
        resource.incremental.as_ref().map(incremental),
    );
    let primary_key = &resource.primary_key;
    fields.set(
        "primary_key",
        quote! { &[#(#primary_key),*] },
        primary_key.is_empty(),
    );
    let endpoint = fields.with_default(quote! { rt::Endpoint }, 14);
    quote! {
        #docs
        pub static #name: rt::Endpoint = #endpoint;
    }
}

/// The fields of a struct literal that differ from the type's `DEFAULT`.
#[derive(Default)]
struct Fields(Vec<TokenStream>);

impl Fields {
    fn set(&mut self, name: &str, value: TokenStream, is_default: bool) {
        if !is_default {
            let name = ident(name);
            self.0.push(quote! { #name: #value, });
        }
    }

    /// An `Option` field, `None` by default.
    fn set_some(&mut self, name: &str, value: Option<TokenStream>) {
        if let Some(value) = value {
            self.set(name, quote! { Some(#value) }, false);
        }
    }

    /// `Type { fields, ..Type::DEFAULT }`, or `Type { fields }` when all `count` fields
    /// of the type are set (an update with nothing left is clippy::needless_update).
    fn with_default(self, ty: TokenStream, count: usize) -> TokenStream {
        let fields = self.0;
        if fields.is_empty() {
            quote! { #ty::DEFAULT }
        } else if fields.len() == count {
            quote! { #ty { #(#fields)* } }
        } else {
            quote! { #ty { #(#fields)* ..#ty::DEFAULT } }
        }
    }
}

fn option(value: Option<TokenStream>) -> TokenStream {
    match value {
        Some(value) => quote! { Some(#value) },
        None => quote! { None },
    }
}

fn quote_str(text: &str) -> TokenStream {
    quote! { #text }
}

fn pairs(pairs: &[(String, String)]) -> TokenStream {
    let pairs = pairs.iter().map(|(k, v)| quote! { (#k, #v) });
    quote! { &[#(#pairs),*] }
}

fn int(value: u64) -> TokenStream {
    let value = Literal::u64_unsuffixed(value);
    quote! { #value }
}

fn target(target: &Target) -> TokenStream {
    match target {
        Target::Param(name) => quote! { rt::paginate::Target::Param(#name) },
        Target::Body(path) => quote! { rt::paginate::Target::Body(#path) },
    }
}

fn is_param(target: &Target, name: &str) -> bool {
    *target == Target::Param(name.to_owned())
}

fn incremental(incremental: &IncrementalModel) -> TokenStream {
    let mut fields = Fields::default();
    fields.set("cursor_path", quote_str(&incremental.cursor_path), false);
    let cursor_type = ident(incremental.cursor_type);
    fields.set(
        "cursor_type",
        quote! { rt::incremental::CursorType::#cursor_type },
        incremental.cursor_type == "Text",
    );
    fields.set_some(
        "initial_value",
        incremental.initial_value.as_deref().map(quote_str),
    );
    fields.set_some("end_value", incremental.end_value.as_deref().map(quote_str));
    fields.set_some(
        "start_param",
        incremental.start_param.as_deref().map(quote_str),
    );
    fields.set_some("end_param", incremental.end_param.as_deref().map(quote_str));
    fields.set_some(
        "row_order",
        incremental.row_order.map(|order| {
            let order = ident(order);
            quote! { rt::incremental::RowOrder::#order }
        }),
    );
    let on_missing = ident(incremental.on_cursor_value_missing);
    fields.set(
        "on_cursor_value_missing",
        quote! { rt::incremental::OnMissing::#on_missing },
        incremental.on_cursor_value_missing == "Raise",
    );
    let last_value_func = ident(incremental.last_value_func);
    fields.set(
        "last_value_func",
        quote! { rt::incremental::LastValueFunc::#last_value_func },
        incremental.last_value_func == "Max",
    );
    let range_start = ident(incremental.range_start);
    fields.set(
        "range_start",
        quote! { rt::incremental::Bound::#range_start },
        incremental.range_start == "Closed",
    );
    let range_end = ident(incremental.range_end);
    fields.set(
        "range_end",
        quote! { rt::incremental::Bound::#range_end },
        incremental.range_end == "Open",
    );
    fields.set_some(
        "lag",
        incremental.lag.map(|lag| {
            let lag = Literal::f64_unsuffixed(lag);
            quote! { #lag }
        }),
    );
    fields.with_default(quote! { rt::incremental::Incremental }, 12)
}

/// A paginator, its settings compared with dlt's defaults (the runtime's `DEFAULT`s).
fn paginator(paginator: &Paginator) -> TokenStream {
    match paginator {
        Paginator::SinglePage => quote! { rt::Paginator::SinglePage },
        Paginator::Auto => quote! { rt::Paginator::Auto },
        Paginator::Offset(o) => {
            let mut fields = Fields::default();
            fields.set("limit", int(o.limit), false);
            fields.set("offset", int(o.offset), o.offset == 0);
            fields.set(
                "offset_target",
                target(&o.offset_target),
                is_param(&o.offset_target, "offset"),
            );
            fields.set(
                "limit_target",
                target(&o.limit_target),
                is_param(&o.limit_target, "limit"),
            );
            total_path(&mut fields, o.total_path.as_deref());
            fields.set_some("maximum_offset", o.maximum_offset.map(int));
            stop_rules(
                &mut fields,
                o.stop_after_empty_page,
                true,
                o.has_more_path.as_deref(),
            );
            let offset = fields.with_default(quote! { rt::paginate::OffsetPaginator }, 8);
            quote! { rt::Paginator::Offset(#offset) }
        }
        Paginator::PageNumber(p) => {
            let mut fields = Fields::default();
            fields.set("base_page", int(p.base_page), p.base_page == 0);
            fields.set_some("page", p.page.map(int));
            fields.set(
                "page_target",
                target(&p.page_target),
                is_param(&p.page_target, "page"),
            );
            total_path(&mut fields, p.total_path.as_deref());
            fields.set_some("maximum_page", p.maximum_page.map(int));
            stop_rules(
                &mut fields,
                p.stop_after_empty_page,
                true,
                p.has_more_path.as_deref(),
            );
            let pages = fields.with_default(quote! { rt::paginate::PageNumberPaginator }, 7);
            quote! { rt::Paginator::PageNumber(#pages) }
        }
        Paginator::Cursor(c) => {
            let mut fields = Fields::default();
            fields.set(
                "cursor_path",
                quote_str(&c.cursor_path),
                c.cursor_path == "cursors.next",
            );
            fields.set(
                "cursor_target",
                target(&c.cursor_target),
                is_param(&c.cursor_target, "cursor"),
            );
            stop_rules(
                &mut fields,
                c.stop_after_empty_page,
                false,
                c.has_more_path.as_deref(),
            );
            let cursor = fields.with_default(quote! { rt::paginate::CursorPaginator }, 4);
            quote! { rt::Paginator::Cursor(#cursor) }
        }
        Paginator::JsonLink { next_url_path } => {
            let mut fields = Fields::default();
            fields.set(
                "next_url_path",
                quote_str(next_url_path),
                next_url_path == "next",
            );
            let link = fields.with_default(quote! { rt::paginate::JsonLinkPaginator }, 1);
            quote! { rt::Paginator::JsonLink(#link) }
        }
        Paginator::HeaderLink { links_next_key } => {
            let mut fields = Fields::default();
            fields.set(
                "links_next_key",
                quote_str(links_next_key),
                links_next_key == "next",
            );
            let link = fields.with_default(quote! { rt::paginate::HeaderLinkPaginator }, 1);
            quote! { rt::Paginator::HeaderLink(#link) }
        }
        Paginator::HeaderCursor {
            cursor_key,
            cursor_param,
        } => {
            let mut fields = Fields::default();
            fields.set("cursor_key", quote_str(cursor_key), cursor_key == "next");
            fields.set(
                "cursor_param",
                quote_str(cursor_param),
                cursor_param == "cursor",
            );
            let cursor = fields.with_default(quote! { rt::paginate::HeaderCursorPaginator }, 2);
            quote! { rt::Paginator::HeaderCursor(#cursor) }
        }
    }
}

/// `total_path`: `total` by default, `None` when the spec turns it off.
fn total_path(fields: &mut Fields, path: Option<&str>) {
    let value = match path {
        Some(path) => quote! { Some(#path) },
        None => quote! { None },
    };
    fields.set("total_path", value, path == Some("total"));
}

fn stop_rules(
    fields: &mut Fields,
    stop_after_empty_page: bool,
    default: bool,
    has_more: Option<&str>,
) {
    fields.set(
        "stop_after_empty_page",
        quote! { #stop_after_empty_page },
        stop_after_empty_page == default,
    );
    fields.set_some("has_more_path", has_more.map(quote_str));
}
