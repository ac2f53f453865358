//! Reading connector settings from environment variables, and secrets the way dlt
//! reads them.

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

/// A required secret that the spec names as dlt does (`dlt.secrets["sources.github.token"]`):
/// from the connector's own variable `var` when it is set, else as dlt resolves the name
/// (see [`dlt_secret`]), so that a dlt user's secrets work unchanged.
pub fn secret_or_dlt(var: &str, name: &str) -> Result<Secret> {
    if let Some(value) = optional(var) {
        return Ok(Secret::new(value));
    }
    if let Some(value) = dlt_secret(name)? {
        return Ok(Secret::new(value));
    }
    let (section, key) = match name.rsplit_once('.') {
        Some((section, key)) => (format!("[{section}]"), key),
        None => ("the top".to_owned(), name),
    };
    Err(Error::Config(format!(
        "secret `{name}` is not set: set the environment variable {var} or {}, or `{key}` \
         under {section} in .dlt/secrets.toml",
        dlt_env_var(name)
    )))
}

/// A secret as dlt resolves a name such as `sources.github.token`: the environment
/// variable `SOURCES__GITHUB__TOKEN`, then `.dlt/secrets.toml` in the working directory
/// (`token` in the table `[sources.github]`). `Ok(None)` when neither has it; an error
/// when the file is there but is not TOML.
pub fn dlt_secret(name: &str) -> Result<Option<String>> {
    dlt_secret_in(name, &optional, std::path::Path::new("."))
}

/// [`dlt_secret`] with the environment and the working directory given.
fn dlt_secret_in(
    name: &str,
    env: &dyn Fn(&str) -> Option<String>,
    dir: &std::path::Path,
) -> Result<Option<String>> {
    if let Some(value) = env(&dlt_env_var(name)) {
        return Ok(Some(value));
    }
    let path = dir.join(".dlt").join("secrets.toml");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(Error::Config(format!(
                "{} cannot be read: {e}",
                path.display()
            )))
        }
    };
    // The parser's message quotes the line, which may hold a secret: only its position.
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        let at = e
            .span()
            .map(|span| {
                let line = text.as_bytes()[..span.start]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count()
                    + 1;
                format!(" at line {line}")
            })
            .unwrap_or_default();
        Error::Config(format!("{} is not valid TOML{at}", path.display()))
    })?;
    let mut value: Option<&toml::Value> = None;
    for (index, key) in name.split('.').enumerate() {
        value = match (index, value) {
            (0, _) => table.get(key),
            (_, Some(toml::Value::Table(inner))) => inner.get(key),
            _ => None,
        };
    }
    Ok(match value {
        Some(toml::Value::String(text)) if !text.is_empty() => Some(text.clone()),
        Some(toml::Value::Integer(number)) => Some(number.to_string()),
        _ => None,
    })
}

/// dlt's environment variable for a secret name: `sources.github.token` ->
/// `SOURCES__GITHUB__TOKEN`.
pub fn dlt_env_var(name: &str) -> String {
    name.split('.')
        .map(str::to_ascii_uppercase)
        .collect::<Vec<_>>()
        .join("__")
}

/// A required setting that is not secret, e.g. `PIPEDRIVE_COMPANY_DOMAIN`.
pub fn required(var: &str) -> Result<String> {
    optional(var).ok_or_else(|| {
        Error::Config(format!(
            "environment variable {var} is not set; set it to the setting's value"
        ))
    })
}

/// An optional count of at least 1, e.g. `EVENTS_CONCURRENCY`.
pub fn count(var: &str) -> Result<Option<usize>> {
    let Some(value) = optional(var) else {
        return Ok(None);
    };
    match value.trim().parse::<usize>() {
        Ok(count) if count > 0 => Ok(Some(count)),
        _ => Err(Error::Config(format!(
            "environment variable {var} is `{value}`; set it to a whole number of at least 1"
        ))),
    }
}

/// An optional duration in seconds, more than 0 (fractions allowed), e.g.
/// `EVENTS_TIMEOUT`.
pub fn seconds(var: &str) -> Result<Option<std::time::Duration>> {
    let Some(value) = optional(var) else {
        return Ok(None);
    };
    parse_seconds(&value).map(Some).ok_or_else(|| {
        Error::Config(format!(
            "environment variable {var} is `{value}`; set it to a number of seconds above 0"
        ))
    })
}

/// `2.5` as 2.5 s: a finite number above 0 (and below a century).
pub fn parse_seconds(text: &str) -> Option<std::time::Duration> {
    let seconds: f64 = text.trim().parse().ok()?;
    (seconds.is_finite() && seconds > 0.0 && seconds < 3.2e9)
        .then(|| std::time::Duration::from_secs_f64(seconds))
}

/// An optional setting, e.g. `EVENTS_BASE_URL`.
pub fn optional(var: &str) -> Option<String> {
    std::env::var(var).ok().filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_are_numbers_above_zero() {
        use std::time::Duration;
        assert_eq!(parse_seconds("2.5"), Some(Duration::from_millis(2500)));
        assert_eq!(parse_seconds(" 30 "), Some(Duration::from_secs(30)));
        for bad in ["0", "-1", "NaN", "inf", "1e300", "ten", ""] {
            assert_eq!(parse_seconds(bad), None, "{bad}");
        }
        let var = "CONNECTORGEN_ENV_TEST_TIMEOUT";
        assert_eq!(seconds(var).unwrap(), None);
        std::env::set_var(var, "0");
        let error = seconds(var).unwrap_err().to_string();
        assert_eq!(
            error,
            "environment variable CONNECTORGEN_ENV_TEST_TIMEOUT is `0`; set it to a number of seconds above 0"
        );
        std::env::remove_var(var);
    }

    #[test]
    fn counts_are_whole_numbers_of_at_least_one() {
        // A variable name no other test uses, set once in this test.
        let var = "CONNECTORGEN_ENV_TEST_CONCURRENCY";
        assert_eq!(count(var).unwrap(), None);
        std::env::set_var(var, " 8 ");
        assert_eq!(count(var).unwrap(), Some(8));
        for bad in ["0", "-1", "four"] {
            std::env::set_var(var, bad);
            assert_eq!(
                count(var).unwrap_err().to_string(),
                format!(
                    "environment variable {var} is `{bad}`; set it to a whole number of at least 1"
                )
            );
        }
        std::env::remove_var(var);
    }

    #[test]
    fn dlt_names_are_read_from_dlt_variables_then_secrets_toml() {
        let dir = std::env::temp_dir().join(format!("dlt-secrets-{}", std::process::id()));
        let none = |_: &str| None;
        assert_eq!(
            dlt_secret_in("sources.github.token", &none, &dir).unwrap(),
            None
        );

        std::fs::create_dir_all(dir.join(".dlt")).unwrap();
        std::fs::write(
            dir.join(".dlt/secrets.toml"),
            "api_key = \"top\"\n[sources.github]\ntoken = \"from-toml\"\n",
        )
        .unwrap();
        assert_eq!(
            dlt_secret_in("sources.github.token", &none, &dir)
                .unwrap()
                .as_deref(),
            Some("from-toml")
        );
        assert_eq!(
            dlt_secret_in("api_key", &none, &dir).unwrap().as_deref(),
            Some("top")
        );
        assert_eq!(
            dlt_secret_in("sources.gitlab.token", &none, &dir).unwrap(),
            None
        );

        let env = |var: &str| (var == "SOURCES__GITHUB__TOKEN").then(|| "from-env".to_owned());
        assert_eq!(
            dlt_secret_in("sources.github.token", &env, &dir)
                .unwrap()
                .as_deref(),
            Some("from-env")
        );

        std::fs::write(dir.join(".dlt/secrets.toml"), "token = \"s3cr3t\n").unwrap();
        let error = dlt_secret_in("token", &none, &dir).unwrap_err().to_string();
        assert!(error.contains("is not valid TOML at line 1"), "{error}");
        assert!(!error.contains("s3cr3t"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn dlt_variables_are_upper_case_sections_joined_by_two_underscores() {
        assert_eq!(
            dlt_env_var("sources.github.token"),
            "SOURCES__GITHUB__TOKEN"
        );
        assert_eq!(dlt_env_var("api_key"), "API_KEY");
    }
}
