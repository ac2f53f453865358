//! Placeholders in requests: `{resources.<parent>.<field>}` makes a resource a child,
//! dlt's legacy `resolve` params become such placeholders, `{incremental.*}` needs an
//! incremental endpoint, and the path is rendered with its static params bound.

use super::Resolver;
use crate::diagnostics::{suggest, Problem};
use crate::model::template;
use crate::spec::raw;
use crate::spec::Path;
use serde_json::Value;

impl Resolver<'_> {
    /// The parents a resource's texts name (resolve params first), each with where it
    /// is named; unknown placeholders are reported.
    pub(super) fn parents_named(
        &mut self,
        resolves: &[Resolve],
        params_at: &Path,
        texts: impl Iterator<Item = (String, Path)>,
        incremental: bool,
    ) -> Vec<(String, Path)> {
        let mut parents: Vec<(String, Path)> = resolves
            .iter()
            .map(|r| (r.parent.clone(), params_at.key(&r.param)))
            .collect();
        for (text, at) in texts {
            for hole in template::holes(&text) {
                if let Some((parent, _)) = template::parent_field(&hole) {
                    parents.push((parent.to_owned(), at.clone()));
                } else if hole.starts_with("resources.") {
                    self.problem(
                        Problem::new(
                            at.clone(),
                            format!("placeholder `{{{hole}}}` names no field"),
                        )
                        .hint("write `{resources.<parent>.<field>}`"),
                    );
                } else if let Some(value) = hole.strip_prefix("incremental.") {
                    if !incremental {
                        self.problem(
                            Problem::new(at.clone(), format!("placeholder `{{{hole}}}` on an endpoint without `incremental`"))
                                .hint("add `incremental: {cursor_path: ..., initial_value: ...}` to the endpoint"),
                        );
                    } else if !["start_value", "end_value", "last_value", "initial_value"]
                        .contains(&value)
                    {
                        self.problem(
                            Problem::new(at.clone(), format!("unknown placeholder `{{{hole}}}`"))
                                .hint(suggest(
                                    value,
                                    &["start_value", "end_value", "last_value", "initial_value"],
                                )),
                        );
                    }
                }
            }
        }
        parents
    }

    /// The one parent of a child resource; a second one is an error, as in dlt.
    pub(super) fn one_parent(
        &mut self,
        name: &str,
        parents: &[(String, Path)],
    ) -> Option<(String, Path)> {
        let (first, at) = parents.first()?;
        if let Some((other, at)) = parents.iter().find(|(name, _)| name != first) {
            self.problem(
                Problem::new(
                    at.clone(),
                    format!("resource `{name}` has two parents, `{first}` and `{other}`"),
                )
                .hint("a resource takes its placeholders from one parent, as in dlt"),
            );
        }
        Some((first.clone(), at.clone()))
    }

    /// A resolve param fills a placeholder of the path, or it means nothing.
    pub(super) fn check_resolves_used(
        &mut self,
        resolves: &[Resolve],
        written_path: &str,
        params_at: &Path,
    ) {
        for resolve in resolves
            .iter()
            .filter(|r| !written_path.contains(&format!("{{{}}}", r.param)))
        {
            self.problem(
                Problem::new(
                    params_at.key(&resolve.param),
                    format!("resolve param `{}` is not used in the path", resolve.param),
                )
                .hint(format!(
                    "add `{{{}}}` to the endpoint's path",
                    resolve.param
                )),
            );
        }
    }

    /// Params of an endpoint the runtime does not render go into the URL as written:
    /// a `{placeholder}` there would be sent as text, so it is an error; `{{` and `}}`
    /// are literal braces.
    pub(super) fn literal_params(&mut self, params: &mut [(String, String)], params_at: &Path) {
        for (k, v) in params.iter_mut() {
            let Ok(pieces) = template::scan(v) else {
                continue;
            };
            let mut text = String::new();
            for piece in pieces {
                match piece {
                    template::Piece::Text(literal) => text.push_str(&literal),
                    template::Piece::Hole(hole) => {
                        self.problem(
                            Problem::new(params_at.key(k), format!("placeholder `{{{hole}}}` is not filled by anything"))
                                .hint("placeholders are `{resources.<parent>.<field>}` and `{incremental.start_value}`; a setting goes in `client.base_url`; write `{{` and `}}` for literal braces"),
                        );
                    }
                }
            }
            *v = text;
        }
    }

    /// In params the runtime renders, every placeholder must name something.
    pub(super) fn check_template_params(&mut self, params: &[(String, String)], params_at: &Path) {
        for (k, v) in params {
            for hole in template::holes(v) {
                if template::parent_field(&hole).is_none()
                    && !hole.starts_with("resources.")
                    && !hole.starts_with("incremental.")
                {
                    self.problem(
                        Problem::new(params_at.key(k), format!("placeholder `{{{hole}}}` names nothing"))
                            .hint("placeholders are `{resources.<parent>.<field>}`; write `{{` and `}}` for literal braces"),
                    );
                }
            }
        }
    }

    /// Takes dlt's legacy `{type: resolve, resource, field}` params out of `params`.
    pub(super) fn resolve_params(
        &mut self,
        params: Option<&serde_json::Map<String, Value>>,
        at: &Path,
    ) -> (
        serde_json::Map<String, Value>,
        Vec<Resolve>,
        Option<raw::IncrementalSpec>,
    ) {
        let mut plain = serde_json::Map::new();
        let mut resolves = Vec::new();
        let mut incremental = None;
        for (name, value) in params.into_iter().flatten() {
            let kind = value.get("type").and_then(Value::as_str);
            match kind {
                Some("resolve") => {
                    let text =
                        |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
                    match (text("resource"), text("field")) {
                        (Some(parent), Some(field)) => {
                            self.warn(
                                Problem::new(at.key(name), format!("resolve param `{name}` is dlt's legacy form"))
                                    .hint(format!("write `{{resources.{parent}.{field}}}` in the path instead of `{{{name}}}`, and drop the param")),
                            );
                            resolves.push(Resolve {
                                param: name.clone(),
                                parent,
                                field,
                            })
                        }
                        _ => self.problem(
                            Problem::new(
                                at.key(name),
                                format!("resolve param `{name}` needs `resource` and `field`"),
                            )
                            .hint("write `{type: resolve, resource: <parent>, field: <field>}`"),
                        ),
                    }
                }
                Some("incremental") => {
                    let mut spec = value.clone();
                    if let Value::Object(map) = &mut spec {
                        map.remove("type");
                        map.insert("start_param".into(), Value::String(name.clone()));
                    }
                    match serde_json::from_value::<raw::IncrementalSpec>(spec) {
                        Ok(spec) => {
                            self.warn(
                                Problem::new(at.key(name), format!("incremental param `{name}` is dlt's legacy form"))
                                    .hint(format!("write `incremental: {{cursor_path: {}, ...}}` on the endpoint and `{name}: \"{{incremental.start_value}}\"` in params", spec.cursor_path)),
                            );
                            incremental = Some(spec)
                        }
                        Err(e) => self.problem(
                            Problem::new(at.key(name), format!("incremental param `{name}`: {e}"))
                                .hint("write `{type: incremental, cursor_path: <path>, initial_value: <value>}`"),
                        ),
                    }
                }
                _ => {
                    plain.insert(name.clone(), value.clone());
                }
            }
        }
        (plain, resolves, incremental)
    }
}

/// A legacy `params: {x: {type: resolve, resource, field}}` entry.
pub(super) struct Resolve {
    param: String,
    parent: String,
    field: String,
}

/// Renders an endpoint path: static params are bound (and leave the query), resolve
/// params become `{resources.<parent>.<field>}`, parent placeholders stay for the
/// runtime. For a child the literal text keeps its braces escaped, since the runtime
/// renders it again. Also says whether the last segment held a placeholder (dlt's
/// single-entity rule).
pub(super) fn render_path(
    path: &str,
    params: &mut Vec<(String, String)>,
    resolves: &[Resolve],
    child: bool,
) -> Result<(String, bool), Problem> {
    let pieces = template::scan(path).map_err(|message| Problem::new(Path::root(), message))?;
    let literal = |text: &str| {
        if child {
            template::escape(text)
        } else {
            text.to_owned()
        }
    };
    let mut out = String::new();
    let mut last_segment_placeholder = false;
    for piece in pieces {
        match piece {
            template::Piece::Text(text) => {
                if text.contains('/') {
                    last_segment_placeholder = false;
                }
                out.push_str(&literal(&text));
            }
            template::Piece::Hole(name) => {
                last_segment_placeholder = true;
                if template::parent_field(&name).is_some()
                    || (child && name.starts_with("incremental."))
                {
                    out.push_str(&format!("{{{name}}}"));
                } else if let Some(resolve) = resolves.iter().find(|r| r.param == name) {
                    out.push_str(&format!(
                        "{{resources.{}.{}}}",
                        resolve.parent, resolve.field
                    ));
                } else if let Some(value) = params
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.clone())
                {
                    params.retain(|(k, _)| *k != name);
                    out.push_str(&literal(&value));
                } else {
                    let problem = Problem::new(
                        Path::root(),
                        format!("`{{{name}}}` in the path is not bound"),
                    );
                    return Err(if name.starts_with("incremental.") {
                        problem.hint("incremental loading is not supported by connectorgen yet")
                    } else {
                        problem.hint(format!(
                            "add `{name}` to the endpoint's `params`, or use `{{resources.<parent>.<field>}}`"
                        ))
                    });
                }
            }
        }
    }
    Ok((out, last_segment_placeholder))
}

/// Every string in a JSON body.
pub(super) fn json_strings(value: Option<&Value>) -> Vec<String> {
    let mut out = Vec::new();
    pub(super) fn walk(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::String(s) => out.push(s.clone()),
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            Value::Object(map) => map.values().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    if let Some(value) = value {
        walk(value, &mut out);
    }
    out
}
