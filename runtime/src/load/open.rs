//! Destination URLs: `sqlite:PATH`, `postgres://USER@HOST:PORT/DB`, `file:DIR`.

use super::destination::{Counts, Destination, Load, Stored};
use super::normalize::Batch;
use super::schema::Schema;
use crate::{Error, IncrementalState, Result};
use std::path::PathBuf;

/// A parsed destination URL.
#[derive(Clone, PartialEq, Eq)]
pub enum DestinationUrl {
    Sqlite(PathBuf),
    /// The URL as given (with its password).
    Postgres(String),
    Files {
        dir: PathBuf,
        format: FileFormat,
    },
}

/// The format of files written by the `file:` destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileFormat {
    Jsonl,
    Parquet,
}

impl std::fmt::Debug for DestinationUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.masked())
    }
}

impl DestinationUrl {
    /// Reads a destination URL.
    pub fn parse(text: &str) -> Result<DestinationUrl> {
        let bad = |why: &str| {
            Error::Config(format!(
                "destination `{}` {why}; use sqlite:PATH, postgres://USER@HOST:PORT/DB or file:DIR[?format=jsonl|parquet]",
                mask(text)
            ))
        };
        if let Some(path) = text.strip_prefix("sqlite:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            if path.is_empty() {
                return Err(bad("names no database file"));
            }
            return Ok(DestinationUrl::Sqlite(PathBuf::from(path)));
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            url::Url::parse(text).map_err(|e| bad(&format!("is not a valid URL ({e})")))?;
            return Ok(DestinationUrl::Postgres(text.to_owned()));
        }
        if let Some(rest) = text.strip_prefix("file:") {
            let rest = rest.strip_prefix("//").unwrap_or(rest);
            let (dir, query) = rest.split_once('?').unwrap_or((rest, ""));
            if dir.is_empty() {
                return Err(bad("names no directory"));
            }
            let mut format = FileFormat::Jsonl;
            for pair in query.split('&').filter(|p| !p.is_empty()) {
                format = match pair {
                    "format=jsonl" => FileFormat::Jsonl,
                    "format=parquet" => FileFormat::Parquet,
                    other => return Err(bad(&format!("has an unknown option `{other}`"))),
                };
            }
            return Ok(DestinationUrl::Files {
                dir: PathBuf::from(dir),
                format,
            });
        }
        Err(bad("is not understood"))
    }

    /// The URL as it may be shown: any password replaced by `***`.
    pub fn masked(&self) -> String {
        match self {
            DestinationUrl::Sqlite(path) => format!("sqlite:{}", path.display()),
            DestinationUrl::Postgres(url) => mask(url),
            DestinationUrl::Files { dir, format } => format!(
                "file:{}?format={}",
                dir.display(),
                match format {
                    FileFormat::Jsonl => "jsonl",
                    FileFormat::Parquet => "parquet",
                }
            ),
        }
    }
}

/// A URL with its password (if any) replaced by `***`; a URL too broken to parse
/// has everything between `://` and its last `@` replaced.
pub fn mask(text: &str) -> String {
    match url::Url::parse(text) {
        Ok(mut url) => {
            if url.password().is_some() {
                let _ = url.set_password(Some("***"));
            }
            // libpq also takes `?password=...`.
            if url.query_pairs().any(|(k, _)| k == "password") {
                let pairs: Vec<(String, String)> = url
                    .query_pairs()
                    .map(|(k, v)| {
                        let v = if k == "password" {
                            "***".into()
                        } else {
                            v.into_owned()
                        };
                        (k.into_owned(), v)
                    })
                    .collect();
                url.query_pairs_mut().clear().extend_pairs(pairs);
            }
            url.to_string()
        }
        Err(_) => match (text.find("://"), text.rfind('@')) {
            (Some(scheme), Some(at)) if at > scheme + 3 => {
                format!("{}***{}", &text[..scheme + 3], &text[at..])
            }
            _ => text.to_owned(),
        },
    }
}

/// Any destination this build supports, chosen by URL.
#[derive(Debug)]
pub enum AnyDestination {
    #[cfg(feature = "sqlite")]
    Sqlite(super::sqlite::Sqlite),
    #[cfg(feature = "postgres")]
    Postgres(super::postgres::Postgres),
    Files(super::files::Files),
}

impl AnyDestination {
    /// Opens the destination of `url` and checks it can be written, before any
    /// request is sent to the API. `dataset` is the PostgreSQL schema, or the folder
    /// under a `file:` directory, that the tables go into (SQLite has one namespace).
    pub async fn open(url: &DestinationUrl, dataset: &str) -> Result<AnyDestination> {
        #[cfg(not(all(feature = "sqlite", feature = "postgres", feature = "parquet")))]
        let missing = |feature: &str| {
            Error::Config(format!(
                "destination `{}`: this program was built without the `{feature}` feature",
                url.masked()
            ))
        };
        match url {
            #[cfg(feature = "sqlite")]
            DestinationUrl::Sqlite(path) => {
                Ok(AnyDestination::Sqlite(super::sqlite::Sqlite::open(path)?))
            }
            #[cfg(not(feature = "sqlite"))]
            DestinationUrl::Sqlite(_) => Err(missing("sqlite")),
            #[cfg(feature = "postgres")]
            DestinationUrl::Postgres(url) => Ok(AnyDestination::Postgres(
                super::postgres::Postgres::open(url, dataset).await?,
            )),
            #[cfg(not(feature = "postgres"))]
            DestinationUrl::Postgres(_) => Err(missing("postgres")),
            #[cfg(not(feature = "parquet"))]
            DestinationUrl::Files {
                format: FileFormat::Parquet,
                ..
            } => Err(missing("parquet")),
            DestinationUrl::Files { dir, format } => Ok(AnyDestination::Files(
                super::files::Files::open(dir, dataset, *format)?,
            )),
        }
    }
}

macro_rules! each {
    ($self:ident, $d:ident => $body:expr) => {
        match $self {
            #[cfg(feature = "sqlite")]
            AnyDestination::Sqlite($d) => $body,
            #[cfg(feature = "postgres")]
            AnyDestination::Postgres($d) => $body,
            AnyDestination::Files($d) => $body,
        }
    };
}

impl Destination for AnyDestination {
    fn describe(&self) -> String {
        each!(self, d => d.describe())
    }

    fn max_identifier_length(&self) -> Option<usize> {
        each!(self, d => d.max_identifier_length())
    }

    async fn begin(&mut self, load: &Load<'_>) -> Result<Stored> {
        each!(self, d => d.begin(load).await)
    }

    async fn write(&mut self, load: &Load<'_>, schema: &Schema, batch: &Batch) -> Result<()> {
        each!(self, d => d.write(load, schema, batch).await)
    }

    async fn commit(
        &mut self,
        load: &Load<'_>,
        schema: &Schema,
        state: Option<&IncrementalState>,
    ) -> Result<Counts> {
        each!(self, d => d.commit(load, schema, state).await)
    }

    async fn rollback(&mut self) {
        each!(self, d => d.rollback().await)
    }
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn passwords_are_masked_wherever_the_url_holds_them() {
        assert_eq!(
            mask("postgres://u:s3cret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(
            mask("postgres://u@h/db?sslmode=disable&password=s3cret"),
            "postgres://u@h/db?sslmode=disable&password=***"
        );
        assert_eq!(
            mask("postgres://u:s3cret@h:54x2/db"),
            "postgres://***@h:54x2/db"
        );
        assert_eq!(mask("sqlite:events.db"), "sqlite:events.db");
    }
}
