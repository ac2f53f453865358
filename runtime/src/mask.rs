//! Keeping secrets out of errors and logs.

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

/// Knows the secret parameter names and values of one client.
#[derive(Clone, Debug, Default)]
pub(crate) struct Masker {
    params: Vec<String>,
    values: Vec<crate::Secret>,
}

impl Masker {
    pub(crate) fn new<'a>(
        extra_params: impl IntoIterator<Item = &'a str>,
        values: Vec<crate::Secret>,
    ) -> Self {
        let mut params: Vec<String> = SECRET_PARAMS.iter().map(|p| p.to_string()).collect();
        params.extend(extra_params.into_iter().map(str::to_ascii_lowercase));
        // Values shorter than 4 characters would mask ordinary text; they are still
        // masked in URLs by parameter name.
        let values = values
            .into_iter()
            .filter(|s| s.expose().len() >= 4)
            .collect();
        Masker { params, values }
    }

    /// The URL with the values of secret query parameters replaced by `***`.
    pub(crate) fn url(&self, url: &Url) -> String {
        if url.query().is_none() {
            return url.to_string();
        }
        let mut masked = url.clone();
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let hidden = self.params.iter().any(|p| p.eq_ignore_ascii_case(&k));
                (
                    k.into_owned(),
                    if hidden { "***".into() } else { v.into_owned() },
                )
            })
            .collect();
        masked.query_pairs_mut().clear().extend_pairs(pairs);
        // `***` is percent-encoded by the serializer; show it plainly.
        masked.to_string().replace("%2A%2A%2A", "***")
    }

    /// Text (a response body, a transport error) with secret values replaced by `***`.
    pub(crate) fn text(&self, text: &str) -> String {
        let mut out = text.to_string();
        for secret in &self.values {
            if out.contains(secret.expose()) {
                out = out.replace(secret.expose(), "***");
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_secret_params_and_values() {
        let masker = Masker::new(["sig"], vec![crate::Secret::new("s3cr3t-value")]);
        let url = Url::parse("https://h/x?api_key=abc&offset=0&SIG=zz&limit=5").unwrap();
        assert_eq!(
            masker.url(&url),
            "https://h/x?api_key=***&offset=0&SIG=***&limit=5"
        );
        assert_eq!(masker.text("bad key s3cr3t-value!"), "bad key ***!");
    }
}
