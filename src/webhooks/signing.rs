//! Standard Webhooks signatures: `v1,` + base64(HMAC-SHA256(secret, "{id}.{timestamp}.{body}")),
//! with secrets shown as `whsec_` + base64 of 32 random bytes.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

pub const SECRET_PREFIX: &str = "whsec_";

/// A new signing secret in its shown form.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes))
}

/// The key bytes of a shown secret.
pub fn secret_bytes(secret: &str) -> Option<Vec<u8>> {
    let b64 = secret.strip_prefix(SECRET_PREFIX)?;
    STANDARD
        .decode(b64)
        .ok()
        .filter(|b| (24..=64).contains(&b.len()))
}

/// The `webhook-signature` header value.
pub fn sign(key: &[u8], message_id: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(message_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_and_readable_back() {
        let s = new_secret();
        assert!(s.starts_with("whsec_"));
        assert_eq!(secret_bytes(&s).unwrap().len(), 32);
        assert_ne!(new_secret(), s);
        assert_eq!(secret_bytes("whsec_bm9wZQ=="), None, "too short");
        assert_eq!(secret_bytes("nope"), None);
    }

    #[test]
    fn the_signature_covers_id_timestamp_and_body() {
        let key = b"0123456789abcdef0123456789abcdef";
        let a = sign(key, "msg_1", 1_700_000_000, b"{}");
        assert!(a.starts_with("v1,"));
        assert_ne!(a, sign(key, "msg_2", 1_700_000_000, b"{}"));
        assert_ne!(a, sign(key, "msg_1", 1_700_000_001, b"{}"));
        assert_ne!(a, sign(key, "msg_1", 1_700_000_000, b"{ }"));
        assert_eq!(a, sign(key, "msg_1", 1_700_000_000, b"{}"));
    }
}
