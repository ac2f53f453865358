//! Finding the records (and paginator values) in a response, with dlt's JSONPath rules.

mod envelope;

pub use envelope::{read_record, Split};

use serde_json::Value;
use serde_json_path::JsonPath;

/// A compiled dlt-style JSONPath: `data`, `meta.total`, `$.data[*].attributes`.
#[derive(Clone, Debug)]
pub struct Selector(Kind);

#[derive(Clone, Debug)]
enum Kind {
    /// `$`: the whole document.
    Root,
    /// A chain of plain keys (`data`, `meta.total`): the common case, walked without
    /// a JSONPath engine and without copying the records.
    Keys(Vec<String>),
    Path(JsonPath),
}

/// Keys that hold records, in dlt's order of preference.
const RECORD_KEYS: &[&str] = &[
    "data", "items", "results", "entries", "records", "rows", "entities", "payload", "content",
    "objects", "values",
];
/// Keys under which a list is not taken for the records.
const NOT_RECORD_KEYS: &[&str] = &[
    "meta",
    "metadata",
    "pagination",
    "links",
    "extras",
    "headers",
];

impl Selector {
    /// Compiles a path. dlt paths may leave out the leading `$.`.
    pub fn parse(path: &str) -> Result<Selector, String> {
        let path = path.trim();
        if path == "$" {
            return Ok(Selector(Kind::Root));
        }
        let body = path.strip_prefix("$.").unwrap_or(path);
        if !body.is_empty() && body.split('.').all(is_plain_key) {
            return Ok(Selector(Kind::Keys(
                body.split('.').map(str::to_owned).collect(),
            )));
        }
        let full = if path.starts_with('$') {
            path.to_owned()
        } else if path.starts_with('[') {
            format!("${path}")
        } else {
            format!("$.{path}")
        };
        JsonPath::parse(&full)
            .map(|p| Selector(Kind::Path(p)))
            .map_err(|e| format!("`{path}` is not a valid JSONPath: {e}"))
    }

    /// Finds the records in a response the way dlt does, when the spec names no selector:
    /// a top-level list; else the first list (up to 3 keys deep) under a key such as
    /// `data` or `items` and not under `meta`/`pagination`/...; else the first list;
    /// else the whole object is one record.
    pub fn detect(doc: &Value) -> Selector {
        let mut lists = Vec::new();
        find_lists(doc, &mut Vec::new(), &mut lists);
        let preferred = lists.iter().find(|path| {
            path.last()
                .is_some_and(|k| RECORD_KEYS.contains(&k.as_str()))
                && !path.iter().any(|k| NOT_RECORD_KEYS.contains(&k.as_str()))
        });
        match preferred.or(lists.first()) {
            Some(path) => Selector(Kind::Keys(path.clone())),
            None => Selector(Kind::Root),
        }
    }

    /// All values the path matches, borrowed.
    pub fn find<'a>(&self, doc: &'a Value) -> Vec<&'a Value> {
        match &self.0 {
            Kind::Root => vec![doc],
            Kind::Keys(keys) => keys
                .iter()
                .try_fold(doc, |value, key| value.get(key))
                .into_iter()
                .collect(),
            Kind::Path(path) => path.query(doc).all(),
        }
    }

    /// How many records [`take_records`](Self::take_records) would give, without taking
    /// them (paginators look at the whole response first).
    pub fn count(&self, doc: &Value) -> usize {
        let found = self.find(doc);
        match found.as_slice() {
            [] => 0,
            [one] => match one {
                Value::Null => 0,
                Value::Array(items) => items.len(),
                _ => 1,
            },
            several => several.len(),
        }
    }

    /// Takes the records out of a response, with dlt's unwrapping: one match that is a
    /// list gives its items; one null match gives none; one other value is one record;
    /// several matches are one record each; no match gives none.
    ///
    /// Plain-key paths move the records out of `doc` (leaving `null` behind) instead of
    /// copying them, so paginator values elsewhere in `doc` stay readable.
    pub fn take_records(&self, doc: &mut Value) -> Vec<Value> {
        match &self.0 {
            Kind::Root if doc.is_array() => unwrap_one(doc.take()),
            Kind::Root => unwrap_one(doc.clone()),
            Kind::Keys(keys) => {
                let found = keys
                    .iter()
                    .try_fold(doc, |value, key| value.get_mut(key.as_str()));
                match found {
                    Some(value) => unwrap_one(value.take()),
                    None => Vec::new(),
                }
            }
            Kind::Path(path) => {
                let matches = path.query(doc).all();
                match matches.len() {
                    1 => unwrap_one(matches[0].clone()),
                    _ => matches.into_iter().cloned().collect(),
                }
            }
        }
    }
}

fn unwrap_one(value: Value) -> Vec<Value> {
    match value {
        Value::Null => Vec::new(),
        Value::Array(items) => items,
        other => vec![other],
    }
}

fn is_plain_key(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn find_lists(value: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    let Value::Object(map) = value else { return };
    for (key, child) in map {
        path.push(key.clone());
        match child {
            Value::Array(_) => out.push(path.clone()),
            Value::Object(_) if path.len() < 3 => find_lists(child, path, out),
            _ => {}
        }
        path.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn take(path: &str, mut doc: Value) -> Vec<Value> {
        Selector::parse(path).unwrap().take_records(&mut doc)
    }

    #[test]
    fn unwrap_rules_match_dlt() {
        assert_eq!(
            take("data", json!({"data": [1, 2]})),
            vec![json!(1), json!(2)]
        );
        assert_eq!(take("data", json!({"data": null})), Vec::<Value>::new());
        assert_eq!(take("data", json!({"other": 1})), Vec::<Value>::new());
        assert_eq!(
            take("data", json!({"data": {"id": 1}})),
            vec![json!({"id": 1})]
        );
        assert_eq!(take("$", json!({"id": 1})), vec![json!({"id": 1})]);
        assert_eq!(
            take(
                "data[*].attributes",
                json!({"data": [{"attributes": {"a": 1}}, {"attributes": {"a": 2}}]})
            ),
            vec![json!({"a": 1}), json!({"a": 2})]
        );
        assert_eq!(take("$.a.b", json!({"a": {"b": [3]}})), vec![json!(3)]);
    }

    #[test]
    fn counting_agrees_with_taking() {
        for (path, doc) in [
            ("data", json!({"data": [1, 2, 3]})),
            ("data", json!({"data": null})),
            ("data", json!({"data": {"a": 1}})),
            ("$", json!([1, 2])),
            ("data[*].x", json!({"data": [{"x": 1}, {"x": 2}]})),
            ("missing", json!({})),
        ] {
            let selector = Selector::parse(path).unwrap();
            assert_eq!(
                selector.count(&doc),
                selector.take_records(&mut doc.clone()).len(),
                "{path}"
            );
        }
    }

    #[test]
    fn taking_records_leaves_the_rest_readable() {
        let mut doc = json!({"data": [1], "total": 9});
        let selector = Selector::parse("data").unwrap();
        assert_eq!(selector.take_records(&mut doc), vec![json!(1)]);
        let total = Selector::parse("total").unwrap();
        assert_eq!(total.find(&doc), vec![&json!(9)]);
    }

    #[test]
    fn detection_prefers_record_keys_outside_meta() {
        let doc = json!({"meta": {"items": [1]}, "links": [], "results": [{"id": 1}]});
        let mut doc2 = doc.clone();
        assert_eq!(
            Selector::detect(&doc).take_records(&mut doc2),
            vec![json!({"id": 1})]
        );
        let list = json!([1, 2]);
        assert_eq!(
            Selector::detect(&list)
                .take_records(&mut list.clone())
                .len(),
            2
        );
        let object = json!({"id": 7});
        assert_eq!(
            Selector::detect(&object).take_records(&mut object.clone()),
            vec![object]
        );
    }

    #[test]
    fn invalid_paths_are_reported() {
        assert!(Selector::parse("data[")
            .unwrap_err()
            .contains("not a valid JSONPath"));
    }
}
