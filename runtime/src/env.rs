//! Reading connector settings from environment variables.

use crate::{Error, Result, Secret};

/// A required secret, e.g. `EVENTS_API_KEY`.
pub fn secret(var: &str) -> Result<Secret> {
    match std::env::var(var) {
        Ok(value) if !value.is_empty() => Ok(Secret::new(value)),
        Ok(_) => Err(Error::Config(format!(
            "environment variable {var} is empty; set it to the secret's value"
        ))),
        Err(_) => Err(Error::Config(format!(
            "environment variable {var} is not set; set it to the secret's value"
        ))),
    }
}

/// An optional setting, e.g. `EVENTS_BASE_URL`.
pub fn optional(var: &str) -> Option<String> {
    std::env::var(var).ok().filter(|value| !value.is_empty())
}
