//! Table and column names as dlt's default `snake_case` naming convention makes them,
//! so that SQL written against tables loaded by dlt works on ours.
//!
//! The rules (dlt/common/normalizers/naming/snake_case.py): `+-*@|` become `x_xal`,
//! every other run of characters that are not ASCII letters, digits or `_` becomes `_`;
//! camel case breaks into words; everything is lower case; leading digits get a `_`;
//! trailing underscores become `x`; runs of underscores collapse to one, so that `__`
//! stays the separator of nested names.

/// Joins the names of a nested field or a child table: `venue__geo__lat`.
pub const PATH_SEPARATOR: &str = "__";

/// One identifier in dlt's snake case (no length limit).
pub fn normalize(identifier: &str) -> String {
    let identifier = identifier.trim();
    let mut reduced = String::with_capacity(identifier.len());
    let mut in_run = false;
    for c in identifier.chars() {
        let c = match c {
            '+' | '*' => 'x',
            '-' => '_',
            '@' => 'a',
            '|' => 'l',
            c => c,
        };
        if c.is_ascii_alphanumeric() || c == '_' {
            reduced.push(c);
            in_run = false;
        } else if !in_run {
            reduced.push('_');
            in_run = true;
        }
    }
    let mut snake = lower_words(&reduced);
    if snake.starts_with(|c: char| c.is_ascii_digit()) {
        snake.insert(0, '_');
    }
    let trailing = snake.len() - snake.trim_end_matches('_').len();
    snake.truncate(snake.len() - trailing);
    snake.extend(std::iter::repeat_n('x', trailing));
    collapse_underscores(&snake)
}

/// A key of a record (or a table name) as dlt normalizes it: a path whose `__`
/// separated parts are normalized one by one, so `a__b` stays `a__b`. A key with no
/// name at all becomes `_empty`.
pub fn normalize_key(key: &str) -> String {
    let normalized = path(key.split(PATH_SEPARATOR).filter(|p| !p.trim().is_empty()));
    if normalized.is_empty() {
        "_empty".to_owned()
    } else {
        normalized
    }
}

/// [`normalize_key`], remembered: records repeat the same keys, and normalizing is
/// most of the normalizer's work otherwise. The cache is per thread and bounded.
pub fn normalize_key_cached(key: &str) -> String {
    use std::cell::RefCell;
    use std::collections::HashMap;
    thread_local! {
        static CACHE: RefCell<HashMap<String, String, foldhash::fast::RandomState>> =
            RefCell::new(HashMap::default());
    }
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(name) = cache.get(key) {
            return name.clone();
        }
        if cache.len() >= 10_000 {
            cache.clear();
        }
        let name = normalize_key(key);
        cache.insert(key.to_owned(), name.clone());
        name
    })
}

/// Joins normalized parts with `__` (blank parts are left out).
pub fn path<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    let mut joined = String::new();
    for part in parts {
        if part.trim().is_empty() {
            continue;
        }
        if !joined.is_empty() {
            joined.push_str(PATH_SEPARATOR);
        }
        joined.push_str(&normalize(part));
    }
    joined
}

/// `name` cut to a destination's limit, if it has one.
pub fn fit(name: String, max: Option<usize>) -> String {
    match max {
        Some(max) if name.len() > max => shorten(&name, max),
        _ => name,
    }
}

/// Cuts a name longer than `max` characters (a destination's limit, 63 in PostgreSQL)
/// as dlt does: the name's head and tail around a 6-character tag hashed from the name.
pub fn shorten(name: &str, max: usize) -> String {
    if name.len() <= max || max < 8 {
        return name.to_owned();
    }
    use base64::Engine as _;
    use sha3::digest::{ExtendableOutput, Update, XofReader};
    let mut hasher = sha3::Shake128::default();
    hasher.update(name.as_bytes());
    let mut bytes = [0u8; 4];
    hasher.finalize_xof().read(&mut bytes);
    let tag: String = base64::engine::general_purpose::STANDARD_NO_PAD
        .encode(bytes)
        .chars()
        .map(|c| match c {
            '/' => 'a',
            '+' => 'b',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    let remaining = max - tag.len();
    let head = remaining.div_ceil(2);
    let tail = remaining / 2;
    format!("{}{tag}{}", &name[..head], &name[name.len() - tail..])
}

/// Breaks camel case into words and lowers it: `userID` -> `user_id`, `HTTPServer` ->
/// `http_server`. The same two passes as dlt's regular expressions
/// `([^_])([A-Z][a-z]+)` and `([a-z0-9])([A-Z])`.
fn lower_words(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    // Pass 1: an underscore before every capitalized word that follows a non-underscore.
    let mut first: Vec<char> = Vec::with_capacity(chars.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        first.push(c);
        let next_is_word = chars.get(i + 1).is_some_and(|n| n.is_ascii_uppercase())
            && chars.get(i + 2).is_some_and(|n| n.is_ascii_lowercase());
        if c != '_' && next_is_word {
            // The regex consumes the word, so a word cannot start right after it.
            first.push('_');
            first.push(chars[i + 1]);
            i += 2;
            while let Some(&n) = chars.get(i) {
                if !n.is_ascii_lowercase() {
                    break;
                }
                first.push(n);
                i += 1;
            }
            continue;
        }
        i += 1;
    }
    // Pass 2: an underscore between a lower-case letter or digit and a capital.
    let mut second = String::with_capacity(first.len() + 8);
    let mut previous: Option<char> = None;
    let mut consumed = false;
    for &c in &first {
        let breaks = !consumed
            && previous.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
            && c.is_ascii_uppercase();
        if breaks {
            second.push('_');
        }
        // A match consumes both characters: the capital cannot start the next match.
        consumed = breaks;
        second.push(c.to_ascii_lowercase());
        previous = Some(c);
    }
    second
}

fn collapse_underscores(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '_' && out.ends_with('_') {
            continue;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_dlt_snake_case() {
        for (name, expected) in [
            ("id", "id"),
            ("startTime", "start_time"),
            ("userID", "user_id"),
            ("HTTPServer", "http_server"),
            ("has space", "has_space"),
            ("a-b", "a_b"),
            ("e-mail@home", "e_mailahome"),
            ("1st", "_1st"),
            ("trailing_", "trailingx"),
            ("double__under", "double_under"),
            ("Price (EUR)", "price_eurx"),
            ("_dlt_id", "_dlt_id"),
            ("CamelCase", "camel_case"),
            ("getHTTPResponseCode", "get_http_response_code"),
            ("userID2Name", "user_id2_name"),
            ("a+b*c@d|e", "axbxcadle"),
            ("ä", "x"),
            ("über", "_ber"),
            ("123abc", "_123abc"),
            ("a___b", "a_b"),
            ("trail__", "trailxx"),
            ("_", "x"),
            ("_leading", "_leading"),
        ] {
            assert_eq!(normalize(name), expected, "{name}");
        }
        assert_eq!(path(["venue", "geoPoint", "lat"]), "venue__geo_point__lat");
        assert_eq!(normalize_key("a__b"), "a__b");
        assert_eq!(normalize_key("trail__"), "trail");
        assert_eq!(normalize_key("  "), "_empty");
    }

    #[test]
    fn long_names_are_cut_around_a_hash_tag() {
        let name = "a_very_long_name_of_more_than_thirty_chars";
        let short = shorten(name, 30);
        assert_eq!(short.len(), 30);
        assert!(
            short.starts_with("a_very_long_") && short.ends_with("thirty_chars"),
            "{short}"
        );
        assert_eq!(shorten("short", 30), "short");
    }
}
