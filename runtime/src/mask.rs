//! Keeping secrets out of everything that leaves the process: errors, logs, state.
//!
//! Every [`Secret`](crate::Secret) made in this process (the configured ones, and the
//! OAuth2 tokens obtained at run time) is remembered here in every form it can travel
//! in: as it is, URL-encoded in both styles and with either case of hex digits, escaped
//! inside a JSON string, and for basic auth as the base64 of `username:password`.
//! [`mask_secrets`] replaces each form with `***`. Errors pass through it where they
//! leave a client, and the program's log lines where they are written
//! ([`MaskedWriter`]); URLs additionally lose the values of credential-carrying query
//! parameters ([`Masker::url`]), whatever those values are.

use base64::Engine as _;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::borrow::Cow;
use std::sync::RwLock;
use url::Url;

/// Query parameters masked in every URL that reaches an error or a log line
/// (dlt's list), besides the connector's own api-key parameter.
const SECRET_PARAMS: &[&str] = &[
    "api_key",
    "token",
    "key",
    "access_token",
    "apikey",
    "api-key",
    "access-token",
    "secret",
    "password",
    "pwd",
    "client_secret",
];

/// Values shorter than this are not masked inside free text, where they would hide
/// ordinary words (`id`, `abc`); URLs still mask them by parameter name.
pub(crate) const SHORTEST_MASKED: usize = 4;

/// What stands in for a secret.
const MASK: &str = "***";

/// Every form of every secret seen, longest first (so that a form containing another
/// is replaced whole).
static KNOWN: RwLock<Vec<Box<str>>> = RwLock::new(Vec::new());

/// RFC 3986's component encoding: everything but the unreserved characters.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Remembers a secret, in every form it may travel in.
pub(crate) fn remember(value: &str) {
    insert(forms(value));
}

/// Forgets a secret that no longer works (a replaced OAuth2 token), so that the forms
/// every text is searched for do not pile up in a long run.
pub(crate) fn forget(value: &str) {
    let forms = forms(value);
    let mut known = KNOWN.write().unwrap_or_else(|e| e.into_inner());
    known.retain(|form| !forms.iter().any(|f| **f == **form));
}

/// The forms of a secret: as it is, URL-encoded (RFC 3986 and form style, all or only
/// the reserved characters, upper- or lower-case hex), and escaped inside a JSON string
/// (as serde_json writes it, with `\/`, as Go writes `<>&`, and ASCII-only as Python
/// writes non-ASCII).
fn forms(value: &str) -> Vec<String> {
    if value.chars().count() < SHORTEST_MASKED {
        return Vec::new();
    }
    let mut forms = vec![value.to_owned()];
    for encoded in [
        utf8_percent_encode(value, COMPONENT).to_string(),
        utf8_percent_encode(value, NON_ALPHANUMERIC).to_string(),
        url::form_urlencoded::byte_serialize(value.as_bytes()).collect(),
    ] {
        forms.push(lower_hex(&encoded));
        forms.push(encoded);
    }
    if let Ok(json) = serde_json::to_string(value) {
        let inner = &json[1..json.len() - 1];
        forms.push(inner.replace('/', "\\/"));
        let go = |c: char| matches!(c, '<' | '>' | '&');
        let ascii = |c: char| !c.is_ascii();
        for upper in [false, true] {
            forms.push(unicode_escaped(inner, go, upper));
            forms.push(unicode_escaped(inner, ascii, upper));
            forms.push(unicode_escaped(inner, |c| go(c) || ascii(c), upper));
        }
        forms.push(inner.to_owned());
    }
    forms
}

/// `inner` (a JSON string's content) with the characters `escape` picks written as
/// `\uXXXX` (UTF-16 units).
fn unicode_escaped(inner: &str, escape: impl Fn(char) -> bool, upper: bool) -> String {
    let mut out = String::with_capacity(inner.len());
    for c in inner.chars() {
        if escape(c) {
            for unit in c.encode_utf16(&mut [0; 2]) {
                if upper {
                    out.push_str(&format!("\\u{unit:04X}"));
                } else {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Remembers basic-auth credentials as they travel in an `Authorization` header.
pub(crate) fn remember_basic(username: &str, password: &str) {
    let pair = format!("{username}:{password}");
    let engine = base64::engine::general_purpose::STANDARD;
    let encoded = engine.encode(&pair);
    let unpadded = encoded.trim_end_matches('=').to_owned();
    insert(vec![encoded, unpadded]);
    remember(&pair);
    remember(password);
}

fn insert(forms: Vec<String>) {
    // A poisoned lock still holds a usable list: masking must go on.
    let mut known = KNOWN.write().unwrap_or_else(|e| e.into_inner());
    for form in forms {
        if form.len() >= SHORTEST_MASKED && !known.iter().any(|k| **k == *form) {
            known.push(form.into_boxed_str());
        }
    }
    known.sort_by_key(|form| std::cmp::Reverse(form.len()));
}

/// `%2f` for `%2F`: some servers echo percent-encoding in lower case.
fn lower_hex(encoded: &str) -> String {
    let mut out = String::with_capacity(encoded.len());
    let mut rest = encoded;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let escape = rest.get(at..at + 3).unwrap_or(&rest[at..]);
        out.push_str(&escape.to_ascii_lowercase());
        rest = &rest[at + escape.len()..];
    }
    out.push_str(rest);
    out
}

/// `text` with every form of every secret this process has seen replaced by `***`.
///
/// Errors of the runtime are masked already; use this on anything else that may quote
/// a request or a response (a log line of another crate, say: see [`MaskedWriter`]).
pub fn mask_secrets(text: &str) -> Cow<'_, str> {
    let known = KNOWN.read().unwrap_or_else(|e| e.into_inner());
    let mut out = Cow::Borrowed(text);
    for form in known.iter() {
        if out.contains(&**form) {
            out = Cow::Owned(out.replace(&**form, MASK));
        }
    }
    out
}

/// [`mask_secrets`] over an owned string, without copying it when nothing changes.
pub(crate) fn mask_owned(text: String) -> String {
    match mask_secrets(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(masked) => masked,
    }
}

/// A writer that masks secrets in what passes through it: give it to a log subscriber
/// (`tracing_subscriber::fmt().with_writer(|| MaskedWriter(std::io::stderr()))`), so
/// that no log line, the HTTP crates' own included, shows a secret.
///
/// Each write is masked on its own; log subscribers write one whole line at a time.
#[derive(Debug)]
pub struct MaskedWriter<W>(pub W);

impl<W: std::io::Write> std::io::Write for MaskedWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(mask_secrets(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Knows the secret query parameters of one client.
#[derive(Clone, Debug, Default)]
pub(crate) struct Masker {
    params: Vec<String>,
}

impl Masker {
    pub(crate) fn new<'a>(extra_params: impl IntoIterator<Item = &'a str>) -> Self {
        let mut params: Vec<String> = SECRET_PARAMS.iter().map(|p| p.to_string()).collect();
        params.extend(extra_params.into_iter().map(str::to_ascii_lowercase));
        Masker { params }
    }

    /// The URL with the values of secret query parameters replaced by `***`, and any
    /// secret elsewhere in it (the path, other parameters) masked too.
    pub(crate) fn url(&self, url: &Url) -> String {
        if url.query().is_none() {
            return mask_owned(url.to_string());
        }
        let mut masked = url.clone();
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let hidden = self.params.iter().any(|p| p.eq_ignore_ascii_case(&k));
                (
                    k.into_owned(),
                    if hidden { MASK.into() } else { v.into_owned() },
                )
            })
            .collect();
        masked.query_pairs_mut().clear().extend_pairs(pairs);
        // `***` is percent-encoded by the serializer; show it plainly.
        mask_owned(masked.to_string().replace("%2A%2A%2A", MASK))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_secret_params_and_values() {
        remember("s3cr3t-value");
        let masker = Masker::new(["sig"]);
        let url = Url::parse("https://h/x?api_key=abc&offset=0&SIG=zz&limit=5").unwrap();
        assert_eq!(
            masker.url(&url),
            "https://h/x?api_key=***&offset=0&SIG=***&limit=5"
        );
        let url = Url::parse("https://h/s3cr3t-value/x?q=s3cr3t-value").unwrap();
        assert_eq!(masker.url(&url), "https://h/***/x?q=***");
        assert_eq!(mask_secrets("bad key s3cr3t-value!"), "bad key ***!");
    }

    #[test]
    fn every_encoding_of_a_secret_is_masked() {
        let secret = "k/+&= é\"x";
        remember(secret);
        for form in [
            secret,
            "k%2F%2B%26%3D%20%C3%A9%22x",
            "k%2f%2b%26%3d%20%c3%a9%22x",
            "k%2F%2B%26%3D+%C3%A9%22x",
            "k%2f%2b%26%3d+%c3%a9%22x",
            "k\\/+&= é\\\"x",
            "k/+&= é\\\"x",
        ] {
            assert_eq!(mask_secrets(&format!("<{form}>")), "<***>", "{form}");
        }
        // JSON as Go writes `&` and Python writes non-ASCII.
        assert_eq!(mask_secrets("\"k/+\\u0026= \\u00e9\\\"x\""), "\"***\"");
        assert_eq!(mask_secrets("k/+&= \\u00E9\\\"x"), "***");
        forget(secret);
        assert_eq!(mask_secrets(secret), secret);
        remember_basic("ann", "pa:ss word");
        // base64("ann:pa:ss word"), with and without its padding.
        assert_eq!(mask_secrets("Basic YW5uOnBhOnNzIHdvcmQ="), "Basic ***");
        assert_eq!(mask_secrets("YW5uOnBhOnNzIHdvcmQ"), "***");
        assert_eq!(mask_secrets("pa%3Ass%20word"), "***");
    }

    #[test]
    fn short_values_and_ordinary_text_are_left_alone() {
        remember("abc");
        assert_eq!(mask_secrets("abc abcd"), "abc abcd");
    }

    #[test]
    fn a_masked_writer_masks_each_line() {
        remember("line-secret-1");
        let mut out = MaskedWriter(Vec::new());
        std::io::Write::write_all(&mut out, b"GET /x?k=line-secret-1\n").unwrap();
        assert_eq!(out.0, b"GET /x?k=***\n");
    }
}
