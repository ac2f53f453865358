//! The one place where spec names become Rust identifiers.
//!
//! Every identifier in generated code passes through here; the original name stays in
//! `#[serde(rename)]` and in metadata, so nothing about the wire format changes.

mod singular;

pub use singular::singular;

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

/// Words that cannot be identifiers (strict and reserved keywords of Rust 2021).
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "gen", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield", "union",
];

/// Keeps ASCII letters, digits and `_`; every other character separates words.
fn ascii_words(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

fn finish(ident: String, empty: &str, digit_prefix: &str) -> String {
    let ident = if ident.is_empty() {
        empty.to_owned()
    } else if ident.starts_with(|c: char| c.is_ascii_digit()) {
        format!("{digit_prefix}{ident}")
    } else {
        ident
    };
    if KEYWORDS.contains(&ident.as_str()) {
        format!("{ident}_")
    } else {
        ident
    }
}

/// `startTime` -> `start_time`, `type` -> `type_`, `2fa` -> `x2fa`, `prénom` -> `pr_nom`.
pub fn snake(name: &str) -> String {
    finish(ascii_words(name).to_snake_case(), "field", "x")
}

/// `event_data` -> `EventData`, `self` -> `SelfRecord`... (see [`type_name`]).
pub fn pascal(name: &str) -> String {
    finish(ascii_words(name).to_upper_camel_case(), "Record", "X")
}

/// `event-data` -> `EVENT_DATA` (statics and environment variables).
pub fn shouty(name: &str) -> String {
    finish(ascii_words(name).to_shouty_snake_case(), "X", "X")
}

/// Type names a record type may not take: what a generated crate declares or imports
/// itself, and the standard prelude's types and traits, so that generated code can
/// write `Option<String>` plainly and no spec can change what that means.
const TYPE_NAMES_TAKEN: &[&str] = &[
    // Declared or re-exported by every generated crate, and the local type of every
    // record's `Deserialize`.
    "Visitor",
    "Client",
    "Config",
    "Error",
    "Result",
    "Page",
    "Pages",
    "Records",
    "Secret",
    // The prelude.
    "AsMut",
    "AsRef",
    "Box",
    "Clone",
    "Copy",
    "Debug",
    "Default",
    "DoubleEndedIterator",
    "Drop",
    "Eq",
    "Err",
    "ExactSizeIterator",
    "Extend",
    "Fn",
    "FnMut",
    "FnOnce",
    "From",
    "FromIterator",
    "Into",
    "IntoIterator",
    "Iterator",
    "None",
    "Ok",
    "Option",
    "Ord",
    "PartialEq",
    "PartialOrd",
    "Send",
    "Sized",
    "Some",
    "String",
    "Sync",
    "ToOwned",
    "ToString",
    "TryFrom",
    "TryInto",
    "Unpin",
    "Vec",
];

/// The record type of a resource, from the plural form of its name: `event_data` ->
/// `EventData`, `client` -> `ClientRecord`, `Option` -> `OptionRecord`.
pub fn type_name(resource: &str) -> String {
    let name = pascal(resource);
    if TYPE_NAMES_TAKEN.contains(&name.as_str()) || name.ends_with('_') {
        format!("{}Record", name.trim_end_matches('_'))
    } else {
        name
    }
}

/// The record type named for one record: the last word made singular by
/// [`singular`]: `events` -> `Event`, `user_addresses` -> `UserAddress`, `event_data`
/// -> `EventData`.
pub fn singular_type_name(resource: &str) -> String {
    let words = ascii_words(resource).to_snake_case();
    let (head, last) = match words.rsplit_once('_') {
        Some((head, last)) => (format!("{head}_"), last),
        None => (String::new(), words.as_str()),
    };
    type_name(&format!("{head}{}", singular(last)))
}

/// Field names a record declares itself.
pub const FIELD_NAMES_TAKEN: &[&str] = &["extra"];

/// The field of a column.
pub fn field_name(column: &str) -> String {
    let name = snake(column);
    if FIELD_NAMES_TAKEN.contains(&name.as_str()) {
        format!("{name}_")
    } else {
        name
    }
}

/// The page-level fetch function of a resource: `event_data_pages`, `type_pages`.
pub fn pages_fn(resource: &str) -> String {
    format!("{}_pages", snake(resource).trim_end_matches('_'))
}

/// Method names a resource's fetch functions may not take: the client's own, and
/// `clone`, whose inherent method would shadow `Clone::clone` (clippy refuses it too).
/// The runtime's `Connector` methods are called through the trait, so a resource may
/// take their names.
pub const METHOD_NAMES_TAKEN: &[&str] = &["new", "from_env", "sync", "clone"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_identifiers() {
        assert_eq!(snake("startTime"), "start_time");
        assert_eq!(snake("type"), "type_");
        assert_eq!(snake("2fa"), "x2fa");
        assert_eq!(snake("prénom"), "pr_nom");
        assert_eq!(snake("x-rate-limit"), "x_rate_limit");
        assert_eq!(snake("---"), "field");
        assert_eq!(field_name("extra"), "extra_");
        assert_eq!(type_name("event_data"), "EventData");
        assert_eq!(type_name("client"), "ClientRecord");
        assert_eq!(type_name("self"), "SelfRecord");
        assert_eq!(type_name("3d-models"), "X3dModels");
        assert_eq!(type_name("Option"), "OptionRecord");
        assert_eq!(type_name("records"), "RecordsRecord");
        assert_eq!(shouty("event-data"), "EVENT_DATA");
    }

    #[test]
    fn record_types_are_named_for_one_record() {
        let cases = [
            ("events", "Event"),
            ("event_data", "EventData"),
            ("user-addresses", "UserAddress"),
            ("categories", "Category"),
            ("movies", "Movie"),
            ("statuses", "Status"),
            ("status", "Status"),
            ("boxes", "BoxRecord"),
            ("matches", "Match"),
            ("quizzes", "Quiz"),
            ("releases", "Release"),
            ("analyses", "Analysis"),
            ("news", "News"),
            ("series", "Series"),
            ("people", "People"),
            ("houses", "House"),
            ("buses", "Bus"),
            ("repos", "Repo"),
            ("ids", "Ids"),
            ("pullRequests", "PullRequest"),
            ("strings", "StringRecord"),
            ("clients", "ClientRecord"),
            ("3d-models", "X3dModel"),
        ];
        for (name, expected) in cases {
            assert_eq!(singular_type_name(name), expected, "{name}");
        }
    }
}
