//! Identifiers and secret tokens.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new ULID as 26-char text: sortable by creation time, unguessable enough for row ids.
pub fn new_id() -> String {
    ulid::Ulid::new().to_string()
}

/// A URL-safe random token carrying 256 bits of entropy (invitation links, API keys).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Lower-case hex SHA-256: how one-time tokens and API keys are stored.
pub fn sha256_hex(input: &str) -> String {
    hex::encode(Sha256::digest(input.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_tokens_have_the_expected_shape() {
        assert_eq!(new_id().len(), 26);
        let t = random_token();
        assert_eq!(t.len(), 43);
        assert_ne!(t, random_token());
        assert_eq!(sha256_hex("abc").len(), 64);
    }
}
