//! Where the config is in a pipeline: the argument of `rest_api_source(...)`, a
//! variable annotated `RESTAPIConfig`, or a dict shaped like one; and the pipeline's
//! name.

use super::expr::{Expr, Kwargs, Node};
use super::module::Module;

/// The calls that take a rest_api config.
const SOURCES: &[&str] = &["rest_api_source", "rest_api_resources"];

/// A call found in the module: the called name's last part and its arguments.
struct Call {
    name: String,
    args: Vec<Node>,
    kwargs: Kwargs,
}

/// The module's assignments and every call in its statements, collected once.
pub struct Finder<'a> {
    module: &'a Module,
    calls: Vec<Call>,
}

impl<'a> Finder<'a> {
    pub fn new(module: &'a Module) -> Self {
        let mut calls = Vec::new();
        let roots = module
            .expressions
            .iter()
            .chain(module.assignments.iter().map(|(_, _, value)| value));
        for root in roots {
            collect_calls(root, &mut calls);
        }
        Finder { module, calls }
    }

    /// The config and the source's `name=` if given: the argument of `rest_api_source`
    /// (or `rest_api_resources`), else a variable annotated `RESTAPIConfig`, else a dict
    /// with `client` and `resources`.
    pub fn config(&self) -> Option<(Node, Option<String>)> {
        for call in &self.calls {
            if !SOURCES.contains(&call.name.as_str()) {
                continue;
            }
            let keyword = |key: &str| call.kwargs.iter().find(|(k, _)| k == key).map(|(_, v)| v);
            let name = keyword("name").and_then(|v| match &v.expr {
                Expr::Str(s) => Some(s.clone()),
                _ => None,
            });
            if let Some(config) = keyword("config").or(call.args.first()) {
                return Some((config.clone(), name));
            }
        }
        let assignments = &self.module.assignments;
        let annotated = assignments.iter().find(|(_, annotation, _)| {
            annotation
                .as_deref()
                .is_some_and(|a| a.contains("RESTAPIConfig"))
        });
        let shaped = || {
            assignments.iter().find(|(_, _, value)| match &value.expr {
                Expr::Dict(entries) => ["client", "resources"].iter().all(|key| {
                    entries
                        .iter()
                        .any(|(k, _)| k.expr == Expr::Str((*key).into()))
                }),
                _ => false,
            })
        };
        annotated
            .or_else(shaped)
            .map(|(_, _, value)| (value.clone(), None))
    }

    /// The pipeline's name: `dlt.pipeline(pipeline_name=...)`, if the file has one.
    pub fn pipeline_name(&self) -> Option<String> {
        self.calls
            .iter()
            .filter(|call| call.name == "pipeline")
            .find_map(|call| {
                call.kwargs
                    .iter()
                    .find_map(|(k, v)| match (k.as_str(), &v.expr) {
                        ("pipeline_name", Expr::Str(name)) => Some(name.clone()),
                        _ => None,
                    })
            })
    }
}

/// `a.b.c` for a chain of names.
pub fn dotted(node: &Node) -> Option<String> {
    match &node.expr {
        Expr::Name(name) => Some(name.clone()),
        Expr::Attr(base, name) => Some(format!("{}.{name}", dotted(base)?)),
        _ => None,
    }
}

/// Every call under `node`: (the called name's last part, args, kwargs).
fn collect_calls(node: &Node, out: &mut Vec<Call>) {
    match &node.expr {
        Expr::Call { func, args, kwargs } => {
            if let Some(name) = dotted(func) {
                let short = name.rsplit('.').next().unwrap_or_default().to_owned();
                out.push(Call {
                    name: short,
                    args: args.clone(),
                    kwargs: kwargs.clone(),
                });
            }
            collect_calls(func, out);
            for arg in args.iter().chain(kwargs.iter().map(|(_, v)| v)) {
                collect_calls(arg, out);
            }
        }
        Expr::Attr(base, _) => collect_calls(base, out),
        Expr::Index(base, index) => {
            collect_calls(base, out);
            collect_calls(index, out);
        }
        Expr::Dict(entries) => {
            for (k, v) in entries {
                collect_calls(k, out);
                collect_calls(v, out);
            }
        }
        Expr::List(items) => items.iter().for_each(|i| collect_calls(i, out)),
        Expr::Binary(_, a, b) => {
            collect_calls(a, out);
            collect_calls(b, out);
        }
        _ => {}
    }
}
