//! JSONPaths of a spec (selectors, paginator paths, cursors), as dlt reads them.
//!
//! dlt compiles paths with jsonpath-ng, which accepts more than RFC 9535, the syntax
//! the runtime compiles: a `.` before a bracket (`data.[*].total`), quoted names after
//! a dot (`meta.'next page'`) and `-` in names (`x-total`). A path the runtime reads
//! as written is kept as written; one only jsonpath-ng reads is rewritten into
//! RFC 9535 form (`$.data[*].total`, `$.meta['next page']`, `$['x-total']`).

/// The path the runtime should compile, or why it is not a path. A path without a
/// leading `$` is read as `$.<path>`, as in dlt.
pub fn check(path: &str) -> Result<String, String> {
    let path = path.trim();
    let error = match parse(path) {
        Ok(()) => return Ok(path.to_owned()),
        Err(error) => error,
    };
    match from_jsonpath_ng(path) {
        Some(rewritten) if parse(&rewritten).is_ok() => Ok(rewritten),
        _ => Err(format!("`{path}` is not a valid JSONPath: {error}")),
    }
}

/// Parses a path the way the runtime does (`$.` added when it has no `$`).
fn parse(path: &str) -> Result<(), String> {
    let full = if path.starts_with('$') {
        path.to_owned()
    } else if path.starts_with('[') {
        format!("${path}")
    } else {
        format!("$.{path}")
    };
    serde_json_path::JsonPath::parse(&full)
        .map(drop)
        .map_err(|e| e.to_string())
}

/// Rewrites jsonpath-ng syntax into RFC 9535 syntax; `None` when the text does not
/// scan (an unclosed bracket or quote).
fn from_jsonpath_ng(path: &str) -> Option<String> {
    let mut out = String::from("$");
    let mut rest = path.strip_prefix('$').unwrap_or(path);
    // A segment follows a dot (`Some(".")`) or two (`Some("..")`). Without `$`, the
    // path starts with a name, as if after a dot.
    let mut segment = (!path.starts_with('$') && !path.starts_with('[')).then_some(".");
    while !rest.is_empty() || segment.is_some() {
        if let Some(dots) = segment.take() {
            // `.` is dropped before a bracket (RFC 9535 has no `.[`); `..` stays.
            let lead = if dots == ".." { ".." } else { "" };
            if let Some(inner) = rest.strip_prefix('[') {
                out.push_str(lead);
                rest = bracket(inner, &mut out)?;
            } else if rest.starts_with(['\'', '"']) {
                let (name, after) = quoted(rest)?;
                out.push_str(lead);
                out.push_str(&member(&name));
                rest = after;
            } else {
                let end = rest.find(['.', '[']).unwrap_or(rest.len());
                let name = &rest[..end];
                if name != "*" && !is_jsonpath_ng_name(name) {
                    return None;
                }
                if name == "*" || is_shorthand(name) {
                    out.push_str(dots);
                    out.push_str(name);
                } else {
                    out.push_str(lead);
                    out.push_str(&member(name));
                }
                rest = &rest[end..];
            }
        } else if let Some(after) = rest.strip_prefix("..") {
            rest = after;
            segment = Some("..");
        } else if let Some(after) = rest.strip_prefix('.') {
            rest = after;
            segment = Some(".");
        } else if let Some(inner) = rest.strip_prefix('[') {
            rest = bracket(inner, &mut out)?;
        } else {
            return None;
        }
    }
    Some(out)
}

/// Copies a bracket selector (the text after `[`) through its `]`, quotes and nested
/// brackets included; returns the text after it.
fn bracket<'a>(inner: &'a str, out: &mut String) -> Option<&'a str> {
    let mut depth = 1;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (index, c) in inner.char_indices() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '\'' | '"' => quote = Some(c),
                '[' => depth += 1,
                ']' => {
                    depth -= 1;
                    if depth == 0 {
                        out.push('[');
                        out.push_str(&inner[..index]);
                        out.push(']');
                        return Some(&inner[index + 1..]);
                    }
                }
                _ => {}
            },
        }
    }
    None
}

/// A quoted name at the start of `text`: the name, and the text after its quote.
fn quoted(text: &str) -> Option<(String, &str)> {
    let q = text.chars().next()?;
    let body = &text[1..];
    let end = body.find(q)?;
    Some((body[..end].to_owned(), &body[end + 1..]))
}

/// `['name']`, with `\` and `'` escaped.
fn member(name: &str) -> String {
    format!("['{}']", name.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// jsonpath-ng's unquoted names: `[a-zA-Z_@][a-zA-Z0-9_@-]*`.
fn is_jsonpath_ng_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '@')
        && chars.all(|c| c.is_ascii_alphanumeric() || "_@-".contains(c))
}

/// Whether RFC 9535 takes the name after a dot as it is.
fn is_shorthand(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_' || !c.is_ascii())
        && chars.all(|c| c.is_alphanumeric() || c == '_' || !c.is_ascii())
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn paths_the_runtime_reads_are_kept_as_written() {
        for path in [
            "data",
            "meta.total",
            "$.data[*]",
            "data[*]",
            "$",
            "[0]",
            "$..id",
            "data.*.id",
            "$.items[?@.active == true]",
        ] {
            assert_eq!(check(path).as_deref(), Ok(path), "{path}");
        }
    }

    #[test]
    fn jsonpath_ng_forms_are_rewritten() {
        let cases = [
            ("data.[*].invoice.total", "$.data[*].invoice.total"),
            ("$.data.[0]", "$.data[0]"),
            ("x-total", "$['x-total']"),
            ("meta.x-next-cursor", "$.meta['x-next-cursor']"),
            ("meta.'next page'", "$.meta['next page']"),
            ("meta.\"it's\"", "$.meta['it\\'s']"),
            ("$..x-id", "$..['x-id']"),
            ("$..'a b'", "$..['a b']"),
        ];
        for (written, runtime) in cases {
            assert_eq!(check(written).as_deref(), Ok(runtime), "{written}");
        }
    }

    #[test]
    fn paths_neither_reads_are_errors() {
        for path in ["data[", "data.", "meta.'open", "a b"] {
            let error = check(path).unwrap_err();
            assert!(
                error.starts_with(&format!("`{path}` is not a valid JSONPath: ")),
                "{error}"
            );
        }
    }
}
