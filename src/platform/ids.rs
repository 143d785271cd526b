//! Identifiers and secret tokens.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// One generator per process, so ids made in the same millisecond still sort in creation
/// order (oldest-first lists and seek pages order by id).
static IDS: std::sync::Mutex<ulid::Generator> = std::sync::Mutex::new(ulid::Generator::new());

/// A new ULID as 26-char text, sortable by creation time (monotonic within this process: an id
/// made in the same millisecond as the last is that one plus one). Ids are not secrets; every
/// lookup checks who owns the row.
pub fn new_id() -> String {
    let next = IDS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .generate();
    // The random part overflows only after 2^80 ids in one millisecond.
    next.unwrap_or_else(|_| ulid::Ulid::new()).to_string()
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
    fn ids_made_back_to_back_sort_in_creation_order() {
        let ids: Vec<String> = (0..1000).map(|_| new_id()).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
    }

    #[test]
    fn ids_and_tokens_have_the_expected_shape() {
        assert_eq!(new_id().len(), 26);
        let t = random_token();
        assert_eq!(t.len(), 43);
        assert_ne!(t, random_token());
        assert_eq!(sha256_hex("abc").len(), 64);
    }
}
