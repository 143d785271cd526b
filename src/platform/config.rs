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
    /// Device providers: credentials and endpoint overrides (see [`ProviderSettings`]).
    pub providers: ProviderSettings,
    /// Requests per minute each API key may make (`VITASYNC_API_RATE_LIMIT`, default 600).
    pub api_rate_limit: u32,
    /// Webhooks may go to loopback and private addresses, over http too
    /// (`VITASYNC_ALLOW_PRIVATE_WEBHOOKS`; development and tests only). Link-local and cloud
    /// metadata addresses stay refused.
    pub allow_private_webhooks: bool,
    /// What one Apple Health import may take (see [`ImportSettings`]).
    pub imports: ImportSettings,
}

/// Limits on file imports (the Health app's export), each from a `VITASYNC_IMPORT_…` variable.
/// Sizes are bytes; in the environment they may carry a K, M or G suffix (powers of 1024).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImportSettings {
    /// The largest file one upload may store (`VITASYNC_IMPORT_MAX_UPLOAD_BYTES`, default
    /// 2 GiB, at most [`IMPORT_UPLOAD_CEILING_BYTES`]).
    pub max_upload_bytes: u64,
    /// The most a person's stored uploads (waiting for or being imported) may take on disk
    /// together (`VITASYNC_IMPORT_USER_QUOTA_BYTES`, default 4 GiB).
    pub user_quota_bytes: u64,
    /// The most XML one import reads, counted as it is inflated out of the zip
    /// (`VITASYNC_IMPORT_MAX_XML_BYTES`, default 8 GiB; ten years of watch data are about 3 GB).
    pub max_xml_bytes: u64,
    /// The most records, correlations and workouts one import reads
    /// (`VITASYNC_IMPORT_MAX_RECORDS`, default 20 million; ten years are about 7.5 million).
    pub max_records: u64,
}

pub const DEFAULT_IMPORT_MAX_UPLOAD_BYTES: u64 = 2 << 30;
pub const DEFAULT_IMPORT_USER_QUOTA_BYTES: u64 = 4 << 30;
pub const DEFAULT_IMPORT_MAX_XML_BYTES: u64 = 8 << 30;
pub const DEFAULT_IMPORT_MAX_RECORDS: u64 = 20_000_000;
/// The largest upload `VITASYNC_IMPORT_MAX_UPLOAD_BYTES` may allow (the upload route's body
/// limit is this plus the form's own bytes).
pub const IMPORT_UPLOAD_CEILING_BYTES: u64 = 4 << 30;

impl Default for ImportSettings {
    fn default() -> Self {
        Self {
            max_upload_bytes: DEFAULT_IMPORT_MAX_UPLOAD_BYTES,
            user_quota_bytes: DEFAULT_IMPORT_USER_QUOTA_BYTES,
            max_xml_bytes: DEFAULT_IMPORT_MAX_XML_BYTES,
            max_records: DEFAULT_IMPORT_MAX_RECORDS,
        }
    }
}

impl ImportSettings {
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            max_upload_bytes: size_var(
                "VITASYNC_IMPORT_MAX_UPLOAD_BYTES",
                DEFAULT_IMPORT_MAX_UPLOAD_BYTES,
                IMPORT_UPLOAD_CEILING_BYTES,
            )?,
            user_quota_bytes: size_var(
                "VITASYNC_IMPORT_USER_QUOTA_BYTES",
                DEFAULT_IMPORT_USER_QUOTA_BYTES,
                u64::MAX,
            )?,
            max_xml_bytes: size_var(
                "VITASYNC_IMPORT_MAX_XML_BYTES",
                DEFAULT_IMPORT_MAX_XML_BYTES,
                u64::MAX,
            )?,
            max_records: match var("VITASYNC_IMPORT_MAX_RECORDS") {
                None => DEFAULT_IMPORT_MAX_RECORDS,
                Some(raw) => raw
                    .trim()
                    .replace('_', "")
                    .parse::<u64>()
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or_else(|| {
                        ConfigError::new(
                            "VITASYNC_IMPORT_MAX_RECORDS",
                            format!("expected a number of records of at least 1, got {raw:?}"),
                        )
                    })?,
            },
        })
    }
}

/// A size variable: bytes, or a number with a K, M, G or T suffix (powers of 1024).
fn size_var(name: &'static str, default: u64, max: u64) -> Result<u64, ConfigError> {
    let Some(raw) = var(name) else {
        return Ok(default);
    };
    parse_size(&raw)
        .filter(|n| (1..=max).contains(n))
        .ok_or_else(|| {
            let range = if max == u64::MAX {
                "of at least 1 byte".to_string()
            } else {
                format!("from 1 to {max} bytes")
            };
            ConfigError::new(
                name,
                format!(
                    "expected a size {range} (such as 2G or 500M; K, M and G count in 1024s), got {raw:?}"
                ),
            )
        })
}

fn parse_size(raw: &str) -> Option<u64> {
    let s = raw.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let n: u64 = number.parse().ok()?;
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        "T" | "TB" | "TIB" => 40,
        _ => return None,
    };
    n.checked_mul(1u64 << shift)
}

/// The providers VitaSync can connect to, as configured.
#[derive(Clone, Debug, Default)]
pub struct ProviderSettings {
    /// The built-in demo provider (`VITASYNC_DEMO_PROVIDER`, on unless set to false).
    pub demo_enabled: bool,
    /// Where this server reaches its own demo provider (`VITASYNC_DEMO_BASE_URL`); default the
    /// loopback address it listens on.
    pub demo_base_url: Option<Url>,
    /// Per provider id (`whoop`, `strava`, …): `VITASYNC_<ID>_CLIENT_ID` and the rest.
    pub clients: std::collections::BTreeMap<String, ProviderClient>,
}

/// One provider's client credentials and optional endpoint overrides (tests and proxies point
/// these at other servers).
#[derive(Clone, Default)]
pub struct ProviderClient {
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub auth_url: Option<Url>,
    pub token_url: Option<Url>,
    pub api_url: Option<Url>,
    pub revoke_url: Option<Url>,
    /// How far back the first sync reaches (`…_BACKFILL_DAYS`).
    pub backfill_days: Option<i64>,
    /// Our own secret for the provider's push subscriptions (`…_PUSH_TOKEN`): Strava's
    /// `verify_token`, Oura's `verification_token`, the `token` in Withings' callback URL.
    pub push_token: Option<String>,
    /// The key a provider signs its pushes with when it is not the client secret
    /// (`…_WEBHOOK_SECRET`: Polar's `signature_secret_key`).
    pub webhook_secret: Option<String>,
}

impl std::fmt::Debug for ProviderClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret.
        f.debug_struct("ProviderClient")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<set>"),
            )
            .field("push_token", &self.push_token.as_ref().map(|_| "<set>"))
            .field("api_url", &self.api_url)
            .finish_non_exhaustive()
    }
}

/// Requests per minute per API key unless `VITASYNC_API_RATE_LIMIT` says otherwise.
pub const DEFAULT_API_RATE_LIMIT: u32 = 600;

/// Provider ids whose settings are read from the environment.
pub const CONFIGURABLE_PROVIDERS: &[&str] = &[
    "demo", "whoop", "strava", "oura", "withings", "polar", "fitbit", "garmin",
];

impl ProviderSettings {
    pub fn from_env() -> Result<Self, ConfigError> {
        let demo_enabled = match var("VITASYNC_DEMO_PROVIDER").as_deref() {
            None | Some("true" | "1" | "yes" | "on") => true,
            Some("false" | "0" | "no" | "off") => false,
            Some(other) => {
                return Err(ConfigError::new(
                    "VITASYNC_DEMO_PROVIDER",
                    format!("expected true or false, got {other:?}"),
                ))
            }
        };
        let demo_base_url = match var("VITASYNC_DEMO_BASE_URL") {
            Some(raw) => Some(parse_http_url("VITASYNC_DEMO_BASE_URL", &raw)?),
            None => None,
        };
        let mut clients = std::collections::BTreeMap::new();
        for id in CONFIGURABLE_PROVIDERS {
            let up = id.to_ascii_uppercase();
            // Names must outlive the error, so they are leaked once at start-up (a handful).
            let name = |suffix: &str| -> &'static str {
                Box::leak(format!("VITASYNC_{up}_{suffix}").into_boxed_str())
            };
            let url = |suffix: &str| -> Result<Option<Url>, ConfigError> {
                let n = name(suffix);
                var(n).map(|raw| parse_http_url(n, &raw)).transpose()
            };
            let backfill_days = match var(name("BACKFILL_DAYS")) {
                None => None,
                Some(raw) => match raw.trim().parse::<i64>() {
                    Ok(d) if (1..=3650).contains(&d) => Some(d),
                    _ => {
                        return Err(ConfigError::new(
                            name("BACKFILL_DAYS"),
                            format!("expected a number of days from 1 to 3650, got {raw:?}"),
                        ))
                    }
                },
            };
            let client = ProviderClient {
                client_id: var(name("CLIENT_ID")),
                client_secret: var(name("CLIENT_SECRET")),
                auth_url: url("AUTH_URL")?,
                token_url: url("TOKEN_URL")?,
                api_url: url("API_URL")?,
                revoke_url: url("REVOKE_URL")?,
                backfill_days,
                push_token: var(name("PUSH_TOKEN")),
                webhook_secret: var(name("WEBHOOK_SECRET")),
            };
            if client.client_secret.is_some() && client.client_id.is_none() {
                return Err(ConfigError::new(
                    name("CLIENT_ID"),
                    format!("is missing while VITASYNC_{up}_CLIENT_SECRET is set"),
                ));
            }
            clients.insert(id.to_string(), client);
        }
        Ok(Self {
            demo_enabled,
            demo_base_url,
            clients,
        })
    }

    pub fn client(&self, id: &str) -> ProviderClient {
        self.clients.get(id).cloned().unwrap_or_default()
    }
}

fn parse_http_url(var: &'static str, raw: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(raw.trim())
        .map_err(|e| ConfigError::new(var, format!("not a valid URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(ConfigError::new(
            var,
            "must be an http:// or https:// address",
        ));
    }
    Ok(url)
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
        let providers = ProviderSettings::from_env()?;
        let api_rate_limit = match var("VITASYNC_API_RATE_LIMIT") {
            None => DEFAULT_API_RATE_LIMIT,
            Some(raw) => raw
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=1_000_000).contains(n))
                .ok_or_else(|| {
                    ConfigError::new(
                        "VITASYNC_API_RATE_LIMIT",
                        format!("expected requests per minute from 1 to 1000000, got {raw:?}"),
                    )
                })?,
        };
        let allow_private_webhooks = match var("VITASYNC_ALLOW_PRIVATE_WEBHOOKS").as_deref() {
            None | Some("false" | "0" | "no") => false,
            Some("true" | "1" | "yes") => true,
            Some(other) => {
                return Err(ConfigError::new(
                    "VITASYNC_ALLOW_PRIVATE_WEBHOOKS",
                    format!("expected true or false, got {other:?}"),
                ))
            }
        };
        let imports = ImportSettings::from_env()?;
        Ok(Self {
            allow_private_webhooks,
            api_rate_limit,
            imports,
            data_dir,
            database_url,
            public_url,
            secure_cookies,
            keys,
            providers,
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
    fn sizes_read_as_bytes_or_with_a_binary_suffix() {
        assert_eq!(parse_size("1048576"), Some(1 << 20));
        assert_eq!(parse_size("500M"), Some(500 << 20));
        assert_eq!(parse_size(" 2 GiB "), Some(2 << 30));
        assert_eq!(parse_size("4g"), Some(4 << 30));
        assert_eq!(parse_size("12 parsecs"), None);
        assert_eq!(parse_size("-1"), None);
        assert_eq!(parse_size("99999999999T"), None, "overflow");
    }

    #[test]
    fn public_url_must_be_http() {
        assert!(parse_public_url("https://health.example.com").is_ok());
        assert!(parse_public_url("ftp://x").is_err());
        assert!(parse_public_url("not a url").is_err());
    }
}
