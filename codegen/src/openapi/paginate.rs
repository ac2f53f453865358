//! The paginator of a list endpoint, told from its query parameters and the fields of
//! its response (and a declared `Link` header).

use super::{schema, Imported};
use serde_json::{json, Value};

/// Query parameters of the operation and of its path, `$ref`s followed.
fn params(doc: &Value, item: &Value, operation: &Value) -> Vec<(String, Value)> {
    [item, operation]
        .into_iter()
        .filter_map(|at| at.get("parameters").and_then(Value::as_array))
        .flatten()
        .map(|p| schema::resolve(doc, p))
        .filter(|p| p.get("in").and_then(Value::as_str) == Some("query"))
        .filter_map(|p| Some((p.get("name")?.as_str()?.to_owned(), p.clone())))
        .collect()
}

/// A response field among `names`, at the top or one object down (`meta.total`), as a
/// dlt path.
fn field(doc: &Value, answer: &Value, names: &[&str]) -> Option<String> {
    let properties = answer.get("properties")?.as_object()?;
    for name in names {
        if properties.contains_key(*name) {
            return Some((*name).to_owned());
        }
    }
    for (outer, inner) in properties {
        let inner = schema::flatten(doc, inner);
        if let Some(Value::Object(props)) = inner.get("properties") {
            for name in names {
                if props.contains_key(*name) {
                    return Some(format!("{outer}.{name}"));
                }
            }
        }
    }
    None
}

fn find<'a>(params: &'a [(String, Value)], names: &[&str]) -> Option<&'a (String, Value)> {
    names
        .iter()
        .find_map(|n| params.iter().find(|(p, _)| p == n))
}

fn default_of(param: &Value) -> Option<u64> {
    param.pointer("/schema/default").and_then(Value::as_u64)
}

/// The paginator of the list endpoint `operation` (of path item `item`); `name` and
/// `selector` are the resource's and its records'.
pub(super) fn detect(
    doc: &Value,
    (item, operation): (&Value, &Value),
    answer: &Value,
    (name, selector): (&str, &str),
    imported: &mut Imported,
) -> Value {
    let params = params(doc, item, operation);
    let declares_link = operation
        .get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|r| r.values())
        .any(|r| {
            schema::resolve(doc, r)
                .get("headers")
                .and_then(Value::as_object)
                .is_some_and(|h| h.keys().any(|k| k.eq_ignore_ascii_case("link")))
        });
    let next_link = field(
        doc,
        answer,
        &["next", "next_url", "nextUrl", "next_page_url", "next_link"],
    );
    let next_cursor = field(
        doc,
        answer,
        &[
            "next_cursor",
            "nextCursor",
            "next_page_token",
            "nextPageToken",
            "cursor",
            "after",
        ],
    );
    let has_more = field(doc, answer, &["has_more", "hasMore", "more"]);
    let limit = find(&params, crate::model::PAGE_SIZE_PARAMS);
    if let Some((offset, _)) = find(&params, &["offset", "skip", "start"]) {
        let (limit_param, limit_value) = match limit {
            Some((p, schema)) => (p.clone(), default_of(schema).unwrap_or(100)),
            None => ("limit".to_owned(), 100),
        };
        let total = field(
            doc,
            answer,
            &[
                "total",
                "total_count",
                "totalCount",
                "count",
                "total_results",
            ],
        );
        if total.is_none() {
            imported.guesses.push(format!(
                "{name}: offset pages until an empty one (no total in the response)"
            ));
        }
        let mut paginator = json!({"type": "offset", "limit": limit_value,
                                   "offset_param": offset, "limit_param": limit_param});
        match total {
            Some(total) => paginator["total_path"] = json!(total),
            None => paginator["total_path"] = Value::Null,
        }
        return paginator;
    }
    if let Some((page, schema)) = find(&params, &["page", "page_number", "pageNumber"]) {
        let base = schema
            .pointer("/schema/minimum")
            .and_then(Value::as_u64)
            .or_else(|| default_of(schema))
            .unwrap_or(1);
        let total = field(
            doc,
            answer,
            &["total_pages", "totalPages", "page_count", "pages"],
        );
        if total.is_none() {
            imported.guesses.push(format!(
                "{name}: page numbers until an empty page (no page count in the response)"
            ));
        }
        let mut paginator = json!({"type": "page_number", "base_page": base, "page_param": page});
        paginator["total_path"] = total.map_or(Value::Null, |t| json!(t));
        return paginator;
    }
    if let Some((cursor, _)) = find(
        &params,
        &[
            "cursor",
            "after",
            "page_token",
            "pageToken",
            "next_token",
            "starting_after",
        ],
    ) {
        let mut paginator = json!({"type": "cursor", "cursor_param": cursor});
        match (&next_cursor, cursor.as_str(), &has_more) {
            (Some(path), _, _) => paginator["cursor_path"] = json!(path),
            // Stripe's way: the id of the last record, while `has_more`.
            (None, "starting_after", Some(more)) => {
                paginator["cursor_path"] =
                    json!(format!("{}[-1].id", selector.trim_start_matches("$.")));
                paginator["has_more_path"] = json!(more);
                imported
                    .guesses
                    .push(format!("{name}: the cursor is the last record's id"));
            }
            _ => {
                paginator["cursor_path"] = json!("next_cursor");
                imported.guesses.push(format!("{name}: the cursor's place in the response is not declared; `next_cursor` assumed"));
            }
        }
        if let (Some(more), None) = (&has_more, paginator.get("has_more_path")) {
            paginator["has_more_path"] = json!(more);
        }
        return paginator;
    }
    if let Some(path) = next_link {
        return json!({"type": "json_link", "next_url_path": path});
    }
    if declares_link {
        return json!({"type": "header_link"});
    }
    imported
        .guesses
        .push(format!("{name}: no pagination parameters; one page"));
    json!("single_page")
}
