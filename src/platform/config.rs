//! Configuration from the environment. Every problem is reported as one line naming the
//! variable and what is wrong with it, and start-up stops.

use std::path::PathBuf;

use url::Url;

use super::crypto::KeyRing;

#[derive(Debug, thiserror::Error)]
#[error("{var}: {problem}")]
pub struct ConfigError {
    pub var: &'static str,
    pub problem: String,
}

impl ConfigError {
    fn new(var: &'static str, problem: impl Into<String>) -> Self {
        Self {
            var,
            problem: problem.into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub database_url: String,
    /// The address people use to reach this server (links in invitations, Origin checks).
    pub public_url: Option<Url>,
    /// Cookies get `Secure` and the `__Host-` prefix.
    pub secure_cookies: bool,
    pub keys: KeyRing,
}

/// Reads a variable, treating an empty value as unset.
fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let data_dir = PathBuf::from(var("VITASYNC_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url = match var("DATABASE_URL") {
            Some(url) => {
                validate_database_url(&url)?;
                url
            }
            None => {
                std::fs::create_dir_all(&data_dir).map_err(|e| {
                    ConfigError::new(
                        "VITASYNC_DATA_DIR",
                        format!("cannot create {}: {e}", data_dir.display()),
                    )
                })?;
                format!("sqlite://{}/vitasync.db", data_dir.display())
            }
        };
        let public_url = match var("VITASYNC_PUBLIC_URL") {
            Some(raw) => Some(parse_public_url(&raw)?),
            None => None,
        };
        let secure_cookies = match var("VITASYNC_SECURE_COOKIES").as_deref() {
            None | Some("auto") => public_url.as_ref().is_some_and(|u| u.scheme() == "https"),
            Some("true" | "1" | "yes") => true,
            Some("false" | "0" | "no") => false,
            Some(other) => {
                return Err(ConfigError::new(
                    "VITASYNC_SECURE_COOKIES",
                    format!("expected true, false or auto, got {other:?}"),
                ))
            }
        };
        let keys = match var("VITASYNC_ENCRYPTION_KEYS") {
            Some(spec) => KeyRing::parse(&spec)
                .map_err(|e| ConfigError::new("VITASYNC_ENCRYPTION_KEYS", e))?,
            None => KeyRing::load_or_create(&data_dir.join("encryption.key"))
                .map_err(|e| ConfigError::new("VITASYNC_ENCRYPTION_KEYS", e))?,
        };
        Ok(Self {
            data_dir,
            database_url,
            public_url,
            secure_cookies,
            keys,
        })
    }

    /// The origin (`scheme://host[:port]`) of the public URL, if one is configured.
    pub fn public_origin(&self) -> Option<String> {
        self.public_url
            .as_ref()
            .map(|u| u.origin().ascii_serialization())
    }
}

pub fn validate_database_url(url: &str) -> Result<(), ConfigError> {
    let scheme_ok = url.starts_with("sqlite:")
        || url.starts_with("postgres://")
        || url.starts_with("postgresql://");
    if !scheme_ok {
        return Err(ConfigError::new(
            "DATABASE_URL",
            "must start with sqlite:// or postgres:// (e.g. postgres://user@host:5432/vitasync)",
        ));
    }
    if !url.starts_with("sqlite:") {
        let parsed = Url::parse(url)
            .map_err(|e| ConfigError::new("DATABASE_URL", format!("not a valid URL ({e})")))?;
        if parsed.host_str().unwrap_or("").is_empty() {
            return Err(ConfigError::new("DATABASE_URL", "has no host name"));
        }
    }
    Ok(())
}

fn parse_public_url(raw: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(raw)
        .map_err(|e| ConfigError::new("VITASYNC_PUBLIC_URL", format!("not a valid URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(ConfigError::new(
            "VITASYNC_PUBLIC_URL",
            "must be an http:// or https:// address such as https://health.example.com",
        ));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_url_must_name_a_known_backend() {
        assert!(validate_database_url("sqlite://data/x.db").is_ok());
        assert!(validate_database_url("postgres://u@localhost/db").is_ok());
        let err = validate_database_url("mysql://u@localhost/db").unwrap_err();
        assert_eq!(err.var, "DATABASE_URL");
        assert!(validate_database_url("postgres://").is_err());
    }

    #[test]
    fn public_url_must_be_http() {
        assert!(parse_public_url("https://health.example.com").is_ok());
        assert!(parse_public_url("ftp://x").is_err());
        assert!(parse_public_url("not a url").is_err());
    }
}
