//! A paginator as written (a type string or a dict) to a [`Paginator`] with dlt's
//! defaults, checking that every setting belongs to the chosen type.

use super::Resolver;
use crate::diagnostics::{suggest, Problem};
use crate::model::{Cursor, Offset, PageNumber, Paginator, Target};
use crate::spec::raw::{PaginatorSpec, StringOr};
use crate::spec::Path;
use serde_json::Value;

const TYPES: &[&str] = &[
    "single_page",
    "offset",
    "page_number",
    "cursor",
    "json_link",
    "json_response",
    "header_link",
    "header_cursor",
    "auto",
];

/// The settings each type takes (besides `type`).
fn settings(kind: &str) -> &'static [&'static str] {
    match kind {
        "offset" => &[
            "limit",
            "offset",
            "offset_param",
            "limit_param",
            "offset_body_path",
            "limit_body_path",
            "total_path",
            "maximum_offset",
            "stop_after_empty_page",
            "has_more_path",
        ],
        "page_number" => &[
            "base_page",
            "page",
            "page_param",
            "page_body_path",
            "total_path",
            "maximum_page",
            "stop_after_empty_page",
            "has_more_path",
        ],
        "cursor" => &[
            "cursor_path",
            "cursor_param",
            "cursor_body_path",
            "has_more_path",
            "stop_after_empty_page",
        ],
        "json_link" | "json_response" => &["next_url_path"],
        "header_link" => &["links_next_key"],
        "header_cursor" => &["cursor_key", "cursor_param"],
        _ => &[],
    }
}

impl Resolver<'_> {
    /// Resolves one paginator, written at `at` (where the spec shows which keys are set).
    pub(super) fn paginator(
        &mut self,
        paginator: &StringOr<PaginatorSpec>,
        at: &Path,
    ) -> Paginator {
        let written = at.get(self.checked);
        let empty = PaginatorSpec::default();
        let (kind, spec, kind_at) = match paginator {
            StringOr::String(kind) => (Some(kind.as_str()), &empty, at.clone()),
            StringOr::Full(spec) => (spec.kind.as_deref(), spec, at.key("type")),
        };
        if kind == Some("json_response") {
            self.warn(
                Problem::new(
                    kind_at.clone(),
                    "paginator `json_response` is a deprecated name",
                )
                .hint("dlt calls it `json_link` now; it works the same"),
            );
        }
        let Some(kind) = kind else {
            self.problem(
                Problem::new(at.clone(), "paginator has no `type`")
                    .hint(format!("add `type:`, one of: {}", TYPES.join(", "))),
            );
            return Paginator::SinglePage;
        };
        if !TYPES.contains(&kind) {
            self.problem(
                Problem::new(kind_at, format!("unknown paginator `{kind}`"))
                    .hint(suggest(kind, TYPES)),
            );
            return Paginator::SinglePage;
        }
        let allowed = settings(kind);
        if let Some(Value::Object(map)) = written {
            for key in map
                .keys()
                .filter(|k| *k != "type" && !allowed.contains(&k.as_str()))
            {
                let takes = if allowed.is_empty() {
                    "no settings".to_owned()
                } else {
                    allowed.join(", ")
                };
                self.problem(
                    Problem::new(
                        at.key(key),
                        format!("`{key}` is not a setting of the `{kind}` paginator"),
                    )
                    .hint(format!("`{kind}` takes: {takes}")),
                );
            }
        }
        match kind {
            "single_page" => Paginator::SinglePage,
            "auto" => Paginator::Auto,
            "offset" => {
                let Some(limit) = spec.limit else {
                    self.problem(
                        Problem::new(at.clone(), "the offset paginator needs `limit`")
                            .hint("add `limit: 100` (records per page)"),
                    );
                    return Paginator::SinglePage;
                };
                if limit == 0 {
                    self.problem(Problem::new(at.key("limit"), "`limit` must be at least 1"));
                }
                let offset = Offset {
                    limit,
                    offset: spec.offset.unwrap_or(0),
                    offset_target: self.target(
                        at,
                        ("offset_param", &spec.offset_param),
                        ("offset_body_path", &spec.offset_body_path),
                        "offset",
                    ),
                    limit_target: self.target(
                        at,
                        ("limit_param", &spec.limit_param),
                        ("limit_body_path", &spec.limit_body_path),
                        "limit",
                    ),
                    total_path: self.checked_path(at, "total_path", total_path(spec)),
                    maximum_offset: spec.maximum_offset,
                    stop_after_empty_page: spec.stop_after_empty_page.unwrap_or(true),
                    has_more_path: self.checked_path(
                        at,
                        "has_more_path",
                        non_empty(&spec.has_more_path),
                    ),
                };
                self.stop_rule(
                    at,
                    "offset",
                    offset.total_path.is_some()
                        || offset.maximum_offset.is_some()
                        || offset.stop_after_empty_page
                        || offset.has_more_path.is_some(),
                    "maximum_offset",
                );
                Paginator::Offset(offset)
            }
            "page_number" => {
                let base_page = spec.base_page.unwrap_or(0);
                let pages = PageNumber {
                    base_page,
                    page: spec.page,
                    page_target: self.target(
                        at,
                        ("page_param", &spec.page_param),
                        ("page_body_path", &spec.page_body_path),
                        "page",
                    ),
                    total_path: self.checked_path(at, "total_path", total_path(spec)),
                    maximum_page: spec.maximum_page,
                    stop_after_empty_page: spec.stop_after_empty_page.unwrap_or(true),
                    has_more_path: self.checked_path(
                        at,
                        "has_more_path",
                        non_empty(&spec.has_more_path),
                    ),
                };
                self.stop_rule(
                    at,
                    "page_number",
                    pages.total_path.is_some()
                        || pages.maximum_page.is_some()
                        || pages.stop_after_empty_page
                        || pages.has_more_path.is_some(),
                    "maximum_page",
                );
                Paginator::PageNumber(pages)
            }
            "cursor" => Paginator::Cursor(Cursor {
                cursor_path: self
                    .checked_path(
                        at,
                        "cursor_path",
                        Some(
                            spec.cursor_path
                                .clone()
                                .unwrap_or_else(|| "cursors.next".to_owned()),
                        ),
                    )
                    .unwrap_or_default(),
                cursor_target: self.target(
                    at,
                    ("cursor_param", &spec.cursor_param),
                    ("cursor_body_path", &spec.cursor_body_path),
                    "cursor",
                ),
                has_more_path: self.checked_path(
                    at,
                    "has_more_path",
                    non_empty(&spec.has_more_path),
                ),
                stop_after_empty_page: spec.stop_after_empty_page.unwrap_or(false),
            }),
            "json_link" | "json_response" => Paginator::JsonLink {
                next_url_path: self
                    .checked_path(
                        at,
                        "next_url_path",
                        Some(
                            spec.next_url_path
                                .clone()
                                .unwrap_or_else(|| "next".to_owned()),
                        ),
                    )
                    .unwrap_or_default(),
            },
            "header_link" => Paginator::HeaderLink {
                links_next_key: spec
                    .links_next_key
                    .clone()
                    .unwrap_or_else(|| "next".to_owned()),
            },
            _ => Paginator::HeaderCursor {
                cursor_key: spec.cursor_key.clone().unwrap_or_else(|| "next".to_owned()),
                cursor_param: spec
                    .cursor_param
                    .clone()
                    .unwrap_or_else(|| "cursor".to_owned()),
            },
        }
    }
}

/// `total_path` absent means `total`; `total_path: null` or `""` turns the rule off
/// (dlt tests the path for truth; dlt-init-openapi writes `""`).
fn total_path(spec: &PaginatorSpec) -> Option<String> {
    match &spec.total_path {
        None => Some("total".to_owned()),
        Some(path) => non_empty(path),
    }
}

/// An optional path, `""` counting as absent, as in dlt.
fn non_empty(path: &Option<String>) -> Option<String> {
    path.clone().filter(|path| !path.is_empty())
}

impl Resolver<'_> {
    /// A param or a body path, not both; the param (with its default) when neither.
    fn target(
        &mut self,
        at: &Path,
        param: (&str, &Option<String>),
        body: (&str, &Option<String>),
        default: &str,
    ) -> Target {
        match (param.1, body.1) {
            (Some(_), Some(path)) => {
                self.problem(
                    Problem::new(
                        at.key(body.0),
                        format!("`{}` and `{}` are both set", param.0, body.0),
                    )
                    .hint(
                        "a paginator sends a value either as a query parameter or in the JSON body",
                    ),
                );
                Target::Body(path.clone())
            }
            (None, Some(path)) => Target::Body(path.clone()),
            (Some(name), None) => Target::Param(name.clone()),
            (None, None) => Target::Param(default.to_owned()),
        }
    }

    /// A JSONPath setting, checked.
    fn checked_path(&mut self, at: &Path, key: &str, path: Option<String>) -> Option<String> {
        path.map(|path| self.json_path(at.key(key), key, &path))
    }

    fn stop_rule(&mut self, at: &Path, kind: &str, has_one: bool, maximum: &str) {
        if !has_one {
            self.problem(
                Problem::new(at.clone(), format!("the {kind} paginator has no way to stop"))
                    .hint(format!("set one of `total_path`, `{maximum}`, `has_more_path` or `stop_after_empty_page: true`")),
            );
        }
    }
}
