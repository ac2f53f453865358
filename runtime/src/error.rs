use std::time::Duration;

/// Everything that can go wrong while fetching a resource.
///
/// Every variant that concerns a request names the resource and the URL. Every text is
/// masked: query parameters that carry credentials read `***`, and so does every form
/// of every secret (raw, URL-encoded, JSON-escaped, base64 basic credentials) wherever
/// it appears, a quoted response body or a record included.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The API answered with a status that is neither success nor retried (or retries ran out).
    #[error("resource `{resource}`: {method} {url} returned {status}{after}{body}",
        after = attempts_suffix(*attempts),
        body = body_suffix(body))]
    Status {
        resource: &'static str,
        method: &'static str,
        url: String,
        status: reqwest::StatusCode,
        attempts: u32,
        /// The start of the response body, with secrets masked.
        body: String,
    },
    /// The request did not get a response (connection refused, timeout, broken body).
    #[error("resource `{resource}`: {method} {url} failed{after}: {message}",
        after = attempts_suffix(*attempts))]
    Transport {
        resource: &'static str,
        method: &'static str,
        url: String,
        attempts: u32,
        message: String,
    },
    /// The response body is not what the spec declares (not JSON, or a record does not fit its type).
    #[error("resource `{resource}`: {url}: {message}")]
    Decode {
        resource: &'static str,
        url: String,
        message: String,
    },
    /// The paginator cannot decide how to go on (e.g. the total is missing from the response).
    #[error("resource `{resource}`: {url}: {message}")]
    Pagination {
        resource: &'static str,
        url: String,
        message: String,
    },
    /// Authentication failed before the request could be sent (an OAuth2 token request).
    #[error("resource `{resource}`: authentication at {url} failed: {message}")]
    Auth {
        resource: &'static str,
        url: String,
        message: String,
    },
    /// A child resource's placeholder names a field its parent record does not have.
    #[error(
        "resource `{resource}`: field `{field}` is missing from a record of its parent `{parent}`"
    )]
    Parent {
        resource: &'static str,
        parent: &'static str,
        field: String,
    },
    /// A paginated call took longer than its bound (`ClientConfig::resource_timeout`).
    #[error("resource `{resource}`: not done after {} s, the bound on time per resource \
             (`resource_timeout`), with {pages} pages taken; raise it if the API is this slow",
             after.as_secs_f64())]
    Deadline {
        resource: &'static str,
        after: Duration,
        pages: u64,
    },
    /// A bad setting: a missing environment variable, an invalid base URL.
    #[error("{0}")]
    Config(String),
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

fn attempts_suffix(attempts: u32) -> String {
    match attempts {
        0 | 1 => String::new(),
        n => format!(" after {n} attempts"),
    }
}

fn body_suffix(body: &str) -> String {
    if body.is_empty() {
        String::new()
    } else {
        format!(": {body}")
    }
}

impl Error {
    /// The error with every secret this process knows masked in all of its texts
    /// (see [`crate::mask_secrets`]). Errors leave a client this way.
    pub(crate) fn masked(self) -> Error {
        use crate::mask::mask_owned as m;
        match self {
            Error::Status {
                resource,
                method,
                url,
                status,
                attempts,
                body,
            } => Error::Status {
                resource,
                method,
                url: m(url),
                status,
                attempts,
                body: m(body),
            },
            Error::Transport {
                resource,
                method,
                url,
                attempts,
                message,
            } => Error::Transport {
                resource,
                method,
                url: m(url),
                attempts,
                message: m(message),
            },
            Error::Decode {
                resource,
                url,
                message,
            } => Error::Decode {
                resource,
                url: m(url),
                message: m(message),
            },
            Error::Pagination {
                resource,
                url,
                message,
            } => Error::Pagination {
                resource,
                url: m(url),
                message: m(message),
            },
            Error::Auth {
                resource,
                url,
                message,
            } => Error::Auth {
                resource,
                url: m(url),
                message: m(message),
            },
            Error::Parent {
                resource,
                parent,
                field,
            } => Error::Parent {
                resource,
                parent,
                field: m(field),
            },
            Error::Config(message) => Error::Config(m(message)),
            deadline @ Error::Deadline { .. } => deadline,
        }
    }

    /// The HTTP status, for errors that have one.
    pub fn status(&self) -> Option<reqwest::StatusCode> {
        match self {
            Error::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// How long a retry waits, for logs.
pub(crate) fn seconds(delay: Duration) -> String {
    format!("{:.3}s", delay.as_secs_f64())
}
