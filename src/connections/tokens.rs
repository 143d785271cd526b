//! A connection's OAuth tokens, sealed under the key ring with the row's identity (workspace,
//! user, provider) as associated data: a value copied into another row does not open.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::platform::crypto::{CryptoError, KeyRing};

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenSet {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Tokens never reach a log line.
        f.debug_struct("TokenSet")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<set>"),
            )
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// Access tokens are refreshed this long before they expire.
pub const REFRESH_MARGIN_SECONDS: i64 = 120;

impl TokenSet {
    pub fn expires_soon(&self, now: DateTime<Utc>) -> bool {
        self.expires_at
            .is_some_and(|at| at - Duration::seconds(REFRESH_MARGIN_SECONDS) <= now)
    }
}

/// Which row a sealed value belongs to.
pub struct RowIdentity<'a> {
    pub workspace_id: &'a str,
    pub user_id: &'a str,
    pub provider_id: &'a str,
}

impl RowIdentity<'_> {
    fn aad(&self) -> Vec<u8> {
        format!(
            "provider_connections\u{1f}{}\u{1f}{}\u{1f}{}",
            self.workspace_id, self.user_id, self.provider_id
        )
        .into_bytes()
    }
}

pub fn seal(keys: &KeyRing, row: &RowIdentity<'_>, tokens: &TokenSet) -> String {
    let json = serde_json::to_vec(tokens).expect("tokens serialize");
    keys.encrypt(&json, &row.aad())
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum OpenError {
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    #[error("sealed tokens are not in the expected shape")]
    Shape,
}

pub fn open(keys: &KeyRing, row: &RowIdentity<'_>, sealed: &str) -> Result<TokenSet, OpenError> {
    let bytes = keys.decrypt(sealed, &row.aad())?;
    serde_json::from_slice(&bytes).map_err(|_| OpenError::Shape)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring() -> KeyRing {
        KeyRing::parse("a:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=").unwrap()
    }

    fn tokens() -> TokenSet {
        TokenSet {
            access_token: "access-123".into(),
            refresh_token: Some("refresh-456".into()),
            expires_at: None,
        }
    }

    const ROW: RowIdentity<'static> = RowIdentity {
        workspace_id: "w1",
        user_id: "u1",
        provider_id: "whoop",
    };

    #[test]
    fn round_trip_and_no_plaintext() {
        let sealed = seal(&ring(), &ROW, &tokens());
        assert!(!sealed.contains("access-123"));
        assert_eq!(open(&ring(), &ROW, &sealed).unwrap(), tokens());
        assert!(!format!("{:?}", tokens()).contains("refresh-456"));
    }

    #[test]
    fn moved_to_another_row_does_not_open() {
        let sealed = seal(&ring(), &ROW, &tokens());
        for other in [
            RowIdentity {
                workspace_id: "w2",
                ..ROW
            },
            RowIdentity {
                user_id: "u2",
                ..ROW
            },
            RowIdentity {
                provider_id: "strava",
                ..ROW
            },
        ] {
            assert_eq!(
                open(&ring(), &other, &sealed),
                Err(OpenError::Crypto(CryptoError::Tampered))
            );
        }
    }

    #[test]
    fn tampered_value_does_not_open() {
        let sealed = seal(&ring(), &ROW, &tokens());
        let (head, data) = sealed.rsplit_once(':').unwrap();
        let mut bytes: Vec<u8> = data.bytes().collect();
        let i = bytes.len() / 2;
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        let tampered = format!("{head}:{}", String::from_utf8(bytes).unwrap());
        assert!(open(&ring(), &ROW, &tampered).is_err());
    }

    #[test]
    fn refresh_is_due_shortly_before_expiry() {
        let now = Utc::now();
        let mut t = tokens();
        assert!(!t.expires_soon(now));
        t.expires_at = Some(now + Duration::seconds(60));
        assert!(t.expires_soon(now));
        t.expires_at = Some(now + Duration::hours(1));
        assert!(!t.expires_soon(now));
    }
}
