//! A parsed pipeline to a spec: the config passed to `rest_api_source` as JSON, with
//! constants and f-strings resolved, dlt's secrets kept as dlt names them, dlt's
//! paginator, auth and incremental classes written as their dicts, and a note for
//! everything a spec cannot hold.

use super::dlt::{class, rust_way};
use super::expr::{self, Expr, FPart, Node};
use super::find::dotted;
use super::module::Module;
use super::Note;
use serde_json::{Map, Number, Value};

pub struct Converter<'a> {
    module: &'a Module,
    /// dlt's config section of the file's sources (its module name).
    section: String,
    pub notes: Vec<Note>,
    depth: usize,
}

impl<'a> Converter<'a> {
    pub fn new(module: &'a Module, section: &str) -> Self {
        Converter {
            module,
            section: section.to_owned(),
            notes: Vec::new(),
            depth: 0,
        }
    }

    fn note(&mut self, line: usize, message: String, hint: impl Into<String>) {
        self.notes.push(Note {
            line,
            message,
            hint: Some(hint.into()),
        });
    }

    /// A value for the key path `at`; `None` (and a note) when a spec cannot hold it.
    pub fn value(&mut self, node: &Node, at: &[String]) -> Option<Value> {
        self.depth += 1;
        let value = if self.depth > 32 {
            self.note(node.line, "a value refers to itself".into(), "write it out");
            None
        } else {
            self.convert(node, at)
        };
        self.depth -= 1;
        value
    }

    fn convert(&mut self, node: &Node, at: &[String]) -> Option<Value> {
        let key = at.last().map_or("", String::as_str);
        let here = at.join(".");
        match &node.expr {
            Expr::Str(text) => Some(Value::String(text.clone())),
            Expr::Num(text) => number(text).or_else(|| {
                self.note(
                    node.line,
                    format!("`{here}`: the number {text} is not expressible"),
                    "write it in decimal",
                );
                None
            }),
            Expr::Name(name) => self.name(node, name, at),
            Expr::FStr(parts) => self.fstring(node, parts, at),
            Expr::Dict(entries) => {
                let mut map = Map::new();
                for (k, v) in entries {
                    let name = match &k.expr {
                        Expr::Str(name) => name.clone(),
                        Expr::Other(what) => {
                            self.note(
                                k.line,
                                format!("`{here}`: {what} is computed at run time"),
                                "write the keys out",
                            );
                            continue;
                        }
                        _ => match self.value(k, at) {
                            Some(Value::String(name)) => name,
                            _ => {
                                self.note(
                                    k.line,
                                    format!("`{here}`: a key that is not a string"),
                                    "write the key as a string",
                                );
                                continue;
                            }
                        },
                    };
                    let mut path = at.to_vec();
                    path.push(name.clone());
                    if name == "processing_steps" {
                        // Python functions by nature: the whole list goes.
                        self.note(
                            v.line,
                            format!(
                                "`{}`: Python functions are not expressible in a spec",
                                path.join(".")
                            ),
                            rust_way(&name),
                        );
                        continue;
                    }
                    if let Some(value) = self.value(v, &path) {
                        map.insert(name, value);
                    }
                }
                Some(Value::Object(map))
            }
            Expr::List(items) => Some(Value::Array(
                items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, item)| {
                        let mut path = at.to_vec();
                        path.push(i.to_string());
                        self.value(item, &path)
                    })
                    .collect(),
            )),
            Expr::Binary("+", left, right) => match (self.value(left, at), self.value(right, at)) {
                (Some(Value::String(a)), Some(Value::String(b)))
                    if a.contains("dlt.secrets[") || b.contains("dlt.secrets[") =>
                {
                    self.note(
                        node.line,
                        format!("`{here}`: a secret inside a string"),
                        "put the secret in `auth`; a spec does not splice secrets into text",
                    );
                    None
                }
                (Some(Value::String(a)), Some(Value::String(b))) => Some(Value::String(a + &b)),
                (Some(_), Some(_)) => {
                    self.note(
                        node.line,
                        format!("`{here}`: a sum computed at run time"),
                        "write the value out",
                    );
                    None
                }
                _ => None,
            },
            Expr::Binary(op, ..) => {
                self.note(
                    node.line,
                    format!("`{here}`: an expression with `{op}` is computed at run time"),
                    "write the value out",
                );
                None
            }
            Expr::Lambda => {
                self.note(
                    node.line,
                    format!("`{here}`: a Python function (lambda) is not expressible in a spec"),
                    rust_way(key),
                );
                None
            }
            Expr::Other(what) => {
                self.note(
                    node.line,
                    format!("`{here}`: {what} is not expressible in a spec"),
                    rust_way(key),
                );
                None
            }
            Expr::Attr(..) | Expr::Index(..) => self.reference(node, at),
            Expr::Call { func, args, kwargs } => self.call(node, func, args, kwargs, at),
        }
    }

    /// A name: a module constant, a function parameter (dlt's `dlt.secrets.value` and
    /// `dlt.config.value` defaults included), or a builtin.
    fn name(&mut self, node: &Node, name: &str, at: &[String]) -> Option<Value> {
        match name {
            "True" => return Some(Value::Bool(true)),
            "False" => return Some(Value::Bool(false)),
            "None" => return Some(Value::Null),
            _ => {}
        }
        if let Some((_, _, value)) = self
            .module
            .assignments
            .iter()
            .rev()
            .find(|(n, _, _)| n == name)
        {
            let value = value.clone();
            return self.value(&value, at);
        }
        if let Some((function, _, default)) = self.module.params.iter().find(|(_, p, _)| p == name)
        {
            let (function, default) = (function.clone(), default.clone());
            match dlt_value(&default) {
                Some("secrets") => return Some(self.secret_param(node, name, &function)),
                Some("config") => return self.setting(node, name, at),
                _ => {
                    let value = self.value(&default, at)?;
                    self.note(
                        node.line,
                        format!("`{}`: `{name}` is a parameter of `{function}`; its default {value} is written", at.join(".")),
                        "a caller passing another value is not expressible: edit the spec",
                    );
                    return Some(value);
                }
            }
        }
        self.note(
            node.line,
            format!("`{}`: `{name}` is not defined in the file", at.join(".")),
            "write its value in the spec",
        );
        None
    }

    /// A `dlt.secrets.value` parameter: a secret named as dlt finds it, in the section of
    /// this module.
    fn secret_param(&mut self, node: &Node, name: &str, function: &str) -> Value {
        let dlt_name = format!("sources.{}.{name}", self.section);
        self.notes.push(Note {
            line: node.line,
            message: format!(
                "`{name}` (`dlt.secrets.value` in `{function}`) is the secret `{dlt_name}`"
            ),
            hint: None,
        });
        Value::String(format!("dlt.secrets[\"{dlt_name}\"]"))
    }

    /// A `dlt.config` value: a `{name}` placeholder, which is a required setting in the
    /// base URL; anywhere else it stays for the user to fill in (validation names it).
    fn setting(&mut self, node: &Node, name: &str, at: &[String]) -> Option<Value> {
        if at != ["client", "base_url"] {
            self.note(
                node.line,
                format!(
                    "`{}`: the setting `{name}` (dlt.config) is left as `{{{name}}}`",
                    at.join(".")
                ),
                "only `client.base_url` takes settings: write the value here",
            );
        }
        Some(Value::String(format!("{{{name}}}")))
    }

    fn fstring(&mut self, node: &Node, parts: &[FPart], at: &[String]) -> Option<Value> {
        let mut out = String::new();
        for part in parts {
            match part {
                FPart::Text(text) => out.push_str(text),
                FPart::Code(code) => {
                    let Some(inner) = expr::code(code, node.line) else {
                        self.note(
                            node.line,
                            format!(
                                "`{}`: `{{{code}}}` in an f-string is not expressible",
                                at.join(".")
                            ),
                            "write the value out",
                        );
                        return None;
                    };
                    match self.value(&inner, at)? {
                        Value::String(text) if text.contains("dlt.secrets[") => {
                            self.note(node.line, format!("`{}`: a secret inside a string", at.join(".")), "put the secret in `auth`; a spec does not splice secrets into text");
                            return None;
                        }
                        Value::String(text) => out.push_str(&text),
                        Value::Number(n) => out.push_str(&n.to_string()),
                        Value::Bool(b) => out.push_str(if b { "True" } else { "False" }),
                        _ => {
                            self.note(
                                node.line,
                                format!("`{}`: `{{{code}}}` is not text", at.join(".")),
                                "write the value out",
                            );
                            return None;
                        }
                    }
                }
            }
        }
        Some(Value::String(out))
    }

    /// `dlt.secrets["x"]`, `dlt.secrets.value`, `dlt.config[...]`, `os.environ[...]`,
    /// or a constant's item.
    fn reference(&mut self, node: &Node, at: &[String]) -> Option<Value> {
        let key = at.last().cloned().unwrap_or_default();
        let path = dotted(node);
        match (path.as_deref(), &node.expr) {
            (_, Expr::Index(base, index)) if dotted(base).as_deref() == Some("dlt.secrets") => {
                if let Expr::Str(name) = &index.expr {
                    return Some(Value::String(format!("dlt.secrets[\"{name}\"]")));
                }
            }
            (Some("dlt.secrets.value"), _) => {
                let dlt_name = format!("sources.{}.{key}", self.section);
                return Some(Value::String(format!("dlt.secrets[\"{dlt_name}\"]")));
            }
            (_, Expr::Index(base, index)) if dotted(base).as_deref() == Some("dlt.config") => {
                if let Expr::Str(name) = &index.expr {
                    let name = name.rsplit('.').next().unwrap_or(name).to_owned();
                    return self.setting(node, &name, at);
                }
            }
            (Some("dlt.config.value"), _) => return self.setting(node, &key, at),
            (_, Expr::Index(base, _)) if dotted(base).as_deref() == Some("os.environ") => {
                self.note(
                    node.line,
                    format!("`{}`: an environment variable read in Python", at.join(".")),
                    "write `{secret: NAME}`: the connector reads its own environment variable",
                );
                return None;
            }
            (_, Expr::Index(base, index)) => {
                // An item of a constant: `CONFIG["base_url"]`.
                if let (Some(Value::Object(map)), Expr::Str(k)) =
                    (self.value(base, at), &index.expr)
                {
                    if let Some(value) = map.get(k) {
                        return Some(value.clone());
                    }
                }
            }
            _ => {}
        }
        self.note(
            node.line,
            format!(
                "`{}`: `{}` is computed at run time",
                at.join("."),
                path.unwrap_or_else(|| "a value".into())
            ),
            "write the value in the spec",
        );
        None
    }

    /// dlt's paginator, auth and incremental classes become their dicts; any other call
    /// is computed at run time.
    fn call(
        &mut self,
        node: &Node,
        func: &Node,
        args: &[Node],
        kwargs: &[(String, Node)],
        at: &[String],
    ) -> Option<Value> {
        let name = dotted(func).unwrap_or_default();
        let short = name.rsplit('.').next().unwrap_or_default();
        if short == "getenv" || name == "os.environ.get" {
            self.note(
                node.line,
                format!("`{}`: an environment variable read in Python", at.join(".")),
                "write `{secret: NAME}`: the connector reads its own environment variable",
            );
            return None;
        }
        let Some((kind, positional)) = class(short) else {
            self.note(
                node.line,
                format!(
                    "`{}`: `{name}(...)` is computed at run time (a custom class or function)",
                    at.join(".")
                ),
                rust_way(at.last().map_or("", String::as_str)),
            );
            return None;
        };
        let mut map = Map::new();
        if !kind.is_empty() {
            map.insert("type".into(), Value::String(kind.into()));
        }
        let named = positional
            .iter()
            .zip(args)
            .map(|(k, v)| ((*k).to_owned(), v.clone()));
        for (k, v) in named.chain(kwargs.iter().cloned()) {
            let mut path = at.to_vec();
            path.push(k.clone());
            let value = match (&v.expr, k.as_str()) {
                (Expr::Name(f), "last_value_func") if f == "max" || f == "min" => {
                    Some(Value::String(f.clone()))
                }
                _ => self.value(&v, &path),
            };
            if let Some(value) = value {
                map.insert(k, value);
            }
        }
        // A paginator with nothing but its type is written as the type alone.
        let paginator = ![
            "bearer",
            "api_key",
            "http_basic",
            "oauth2_client_credentials",
            "",
        ]
        .contains(&kind);
        if paginator && map.len() == 1 {
            return Some(Value::String(kind.into()));
        }
        Some(Value::Object(map))
    }
}

/// `dlt.secrets.value` -> `secrets`, `dlt.config.value` -> `config`.
fn dlt_value(node: &Node) -> Option<&'static str> {
    match dotted(node)?.as_str() {
        "dlt.secrets.value" => Some("secrets"),
        "dlt.config.value" => Some("config"),
        _ => None,
    }
}

fn number(text: &str) -> Option<Value> {
    if let Ok(n) = text.parse::<i64>() {
        return Some(Value::from(n));
    }
    text.parse::<f64>()
        .ok()
        .and_then(Number::from_f64)
        .map(Value::Number)
}
