//! One struct per resource, with its `Resource` metadata.

use super::{doc, ident};
use crate::model::{DataType, Field, MergeStrategy, Resource, WriteDisposition};
use proc_macro2::TokenStream;
use quote::quote;

pub fn record(resource: &Resource) -> TokenStream {
    let name = ident(&resource.type_name);
    let docs = doc(&format!(
        "One record of `{}` ({} {}).",
        resource.name,
        resource.method.as_str(),
        resource.path
    ));
    let fields = resource.fields.iter().map(field);
    let resource_name = &resource.name;
    let path = &resource.path;
    let primary_key = &resource.primary_key;
    let write_disposition = write_disposition(resource.write_disposition);
    let endpoint = ident(&resource.static_name);
    let deserialize = deserialize(resource);
    quote! {
        #docs
        #[derive(Clone, Debug, PartialEq, rt::serde::Serialize)]
        #[serde(crate = "rt::serde")]
        pub struct #name {
            #(#fields)*
            /// Fields the spec does not declare, exactly as the API sent them.
            #[serde(flatten)]
            pub extra: rt::Extra,
        }

        #deserialize

        impl rt::Resource for #name {
            const NAME: &'static str = #resource_name;

            const PATH: &'static str = #path;

            const PRIMARY_KEY: &'static [&'static str] = &[#(#primary_key),*];

            const WRITE_DISPOSITION: rt::WriteDisposition = #write_disposition;

            fn endpoint() -> &'static rt::Endpoint {
                &endpoints::#endpoint
            }
        }
    }
}

fn field(field: &Field) -> TokenStream {
    let mut text = format!("`{}`: {}", field.name, field.data_type.name());
    if field.primary_key {
        text.push_str(", primary key");
    }
    text.push_str(if field.nullable {
        ", nullable"
    } else {
        ", not null"
    });
    text.push('.');
    if let Some(description) = &field.description {
        text.push_str("\n\n");
        text.push_str(description);
    }
    let docs = doc(&text);
    let ident = ident(&field.ident);
    let rename = (field.ident != field.name).then(|| {
        let name = &field.name;
        quote! { #[serde(rename = #name)] }
    });
    // Written in one piece, as chrono would write it (see the runtime's `record`).
    let write = (field.data_type == DataType::Timestamp).then(|| {
        let function = if field.nullable {
            "rt::record::write_optional_timestamp"
        } else {
            "rt::record::write_timestamp"
        };
        quote! { #[serde(serialize_with = #function)] }
    });
    let ty: syn::Type = syn::parse_str(field.data_type.rust_path())
        .expect("data type paths are fixed strings of this crate");
    let ty = if field.nullable {
        quote! { Option<#ty> }
    } else {
        quote! { #ty }
    };
    quote! {
        #docs
        #rename
        #write
        pub #ident: #ty,
    }
}

/// `Deserialize` of a record, field by field: a declared field into its typed slot
/// (a nullable one may be missing as well as null), any other written into `extra`'s
/// buffer as JSON, with no buffering of the whole record (what `#[serde(flatten)]`
/// would do) and no `Value` made for it. Helper names
/// start with `__`, which no field name can.
fn deserialize(resource: &Resource) -> TokenStream {
    let name = ident(&resource.type_name);
    let expecting = format!("a record of `{}`", resource.name);
    let slots = resource.fields.iter().map(|field| {
        let ident = ident(&field.ident);
        quote! { let mut #ident = None; }
    });
    let arms = resource.fields.iter().map(|field| {
        let ident = ident(&field.ident);
        let key = &field.name;
        // Timestamps through the runtime's faster reading of RFC 3339.
        let timestamp = field.data_type == DataType::Timestamp;
        match (field.nullable, timestamp) {
            (true, false) => quote! { #key => #ident = __map.next_value()?, },
            (false, false) => quote! { #key => #ident = Some(__map.next_value()?), },
            (true, true) => quote! {
                #key => #ident = __map
                    .next_value::<Option<rt::record::Timestamp>>()?
                    .map(|t| t.0),
            },
            (false, true) => quote! {
                #key => #ident = Some(__map.next_value::<rt::record::Timestamp>()?.0),
            },
        }
    });
    let inits = resource.fields.iter().map(|field| {
        let ident = ident(&field.ident);
        let key = &field.name;
        if field.nullable {
            quote! { #ident, }
        } else {
            quote! { #ident: #ident.ok_or_else(|| rt::record::missing(#key))?, }
        }
    });
    let undeclared = quote! {
        __map.next_value_seed(extra.field(__key.as_str()))?;
    };
    // Without declared fields, every field is undeclared: no `match` to write.
    let each_field = if resource.fields.is_empty() {
        undeclared
    } else {
        quote! {
            match __key.as_str() {
                #(#arms)*
                _ => {
                    #undeclared
                }
            }
        }
    };
    quote! {
        impl<'de> rt::serde::Deserialize<'de> for #name {
            fn deserialize<__D: rt::serde::Deserializer<'de>>(
                deserializer: __D,
            ) -> std::result::Result<Self, __D::Error> {
                struct Visitor;

                impl<'de> rt::serde::de::Visitor<'de> for Visitor {
                    type Value = #name;

                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(#expecting)
                    }

                    fn visit_map<__A: rt::serde::de::MapAccess<'de>>(
                        self,
                        mut __map: __A,
                    ) -> std::result::Result<#name, __A::Error> {
                        #(#slots)*
                        let mut extra = rt::record::ExtraBuilder::default();
                        while let Some(__key) = __map.next_key::<rt::record::Key<'de>>()? {
                            #each_field
                        }
                        Ok(#name {
                            #(#inits)*
                            extra: extra.finish(),
                        })
                    }
                }

                deserializer.deserialize_map(Visitor)
            }
        }
    }
}

/// The resource's table for the loader: declared columns with their dlt types.
pub fn table(resource: &Resource) -> TokenStream {
    let resource_name = &resource.name;
    let columns = resource.fields.iter().filter(|f| f.typed).map(|field| {
        let name = &field.name;
        let data_type = ident(match field.data_type {
            DataType::Text => "Text",
            DataType::Bigint => "Bigint",
            DataType::Double => "Double",
            DataType::Bool => "Bool",
            DataType::Timestamp => "Timestamp",
            DataType::Date => "Date",
            DataType::Time => "Time",
            DataType::Decimal => "Decimal",
            DataType::Json => "Json",
            DataType::Binary => "Binary",
            DataType::Wei => "Wei",
        });
        let nullable = field.nullable;
        quote! {
            rt::load::ColumnDef {
                name: #name,
                data_type: rt::load::DataType::#data_type,
                nullable: #nullable,
            }
        }
    });
    let primary_key = &resource.primary_key;
    let merge_key = resource
        .fields
        .iter()
        .filter(|f| f.merge_key)
        .map(|f| &f.name);
    let write_disposition = write_disposition(resource.write_disposition);
    let parent = match &resource.parent {
        Some(link) => {
            let parent = &link.resource;
            quote! { Some(#parent) }
        }
        None => quote! { None },
    };
    let table_name = &resource.table_name;
    quote! {
        rt::load::TableDef {
            resource: #resource_name,
            table: #table_name,
            columns: &[#(#columns),*],
            primary_key: &[#(#primary_key),*],
            merge_key: &[#(#merge_key),*],
            write_disposition: #write_disposition,
            parent: #parent,
        }
    }
}

fn write_disposition(disposition: WriteDisposition) -> TokenStream {
    match disposition {
        WriteDisposition::Append => quote! { rt::WriteDisposition::Append },
        WriteDisposition::Replace => quote! { rt::WriteDisposition::Replace },
        WriteDisposition::Skip => quote! { rt::WriteDisposition::Skip },
        WriteDisposition::Merge(strategy) => {
            let strategy = match strategy {
                None => quote! { None },
                Some(strategy) => {
                    let variant = ident(match strategy {
                        MergeStrategy::DeleteInsert => "DeleteInsert",
                        MergeStrategy::Upsert => "Upsert",
                        MergeStrategy::Scd2 => "Scd2",
                        MergeStrategy::InsertOnly => "InsertOnly",
                    });
                    quote! { Some(rt::MergeStrategy::#variant) }
                }
            };
            quote! { rt::WriteDisposition::Merge { strategy: #strategy } }
        }
    }
}
