//! Redirects: followed within an origin, refused across origins when requests carry
//! credentials.
//!
//! reqwest drops `Authorization` and `Cookie` on a redirect to another host, but sends
//! every other header on (an `X-API-Key`, say), and by default adds a `Referer` holding
//! the URL it came from, api-key query parameter included. So no `Referer` is ever
//! sent, and a connector with credentials refuses to follow a redirect to another
//! origin, with an error naming it: the credentials would have to be dropped (and the
//! request would fail) or sent on (and leak). The upgrade from `http` to `https` on the
//! same host and default ports is followed, as requests (dlt's HTTP library) does.

use url::Url;

/// Redirects followed for one request before giving up (reqwest's and requests'
/// limit is higher; a chain longer than this is a loop in practice).
const MAX_REDIRECTS: usize = 10;

/// The redirect policy of a client whose requests carry credentials or not.
pub(super) fn policy(credentials: bool) -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() > MAX_REDIRECTS {
            return attempt.error(Refused(format!("more than {MAX_REDIRECTS} redirects")));
        }
        let Some(first) = attempt.previous().first() else {
            return attempt.follow();
        };
        if credentials && !same_origin(first, attempt.url()) {
            let to = attempt.url().origin().ascii_serialization();
            return attempt.error(Refused(format!(
                "redirected to another origin ({to}); not followed, so that the \
                 connector's credentials do not go to another host"
            )));
        }
        attempt.follow()
    })
}

/// Same scheme, host and port; or `http` to `https` on the same host, default ports.
fn same_origin(from: &Url, to: &Url) -> bool {
    if from.host_str() != to.host_str() {
        return false;
    }
    if from.scheme() == to.scheme() {
        return from.port_or_known_default() == to.port_or_known_default();
    }
    from.scheme() == "http"
        && to.scheme() == "https"
        && from.port().is_none()
        && to.port().is_none()
}

#[derive(Debug)]
struct Refused(String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

#[cfg(test)]
mod tests {
    use super::same_origin;
    use url::Url;

    #[test]
    fn origins() {
        let same = |a: &str, b: &str| same_origin(&Url::parse(a).unwrap(), &Url::parse(b).unwrap());
        assert!(same("https://a.io/x?k=1", "https://a.io:443/y"));
        assert!(same("http://a.io/x", "https://a.io/x"));
        assert!(!same("https://a.io/x", "http://a.io/x"));
        assert!(!same("https://a.io/x", "https://b.io/x"));
        assert!(!same("http://127.0.0.1:8000/", "http://127.0.0.1:8001/"));
        assert!(!same("http://a.io:8080/", "https://a.io:8443/"));
    }
}
