//! Raw API keys: generation, the stored hash and the displayed prefix.

use rand::distributions::{Alphanumeric, DistString};

use crate::platform::ids::sha256_hex;

/// Every live key starts with this marker (secret scanners recognise it).
pub const MARKER: &str = "vs_live_";
/// Random base62 characters after the marker: 40 × log2(62) ≈ 238 bits.
const RANDOM_LEN: usize = 40;
/// Characters after the marker kept to recognise a key.
pub const PREFIX_LEN: usize = 8;

/// A freshly generated key: `raw` is shown once; `hash` and `prefix` are stored.
pub struct NewKey {
    pub raw: String,
    pub hash: String,
    pub prefix: String,
}

pub fn generate() -> NewKey {
    let random = Alphanumeric.sample_string(&mut rand::rngs::OsRng, RANDOM_LEN);
    let raw = format!("{MARKER}{random}");
    NewKey {
        hash: hash(&raw),
        prefix: random[..PREFIX_LEN].to_string(),
        raw,
    }
}

/// The stored form of a presented key.
pub fn hash(raw: &str) -> String {
    sha256_hex(raw)
}

/// True when `raw` has the shape of one of our keys (checked before any lookup).
pub fn well_formed(raw: &str) -> bool {
    raw.strip_prefix(MARKER)
        .is_some_and(|r| r.len() == RANDOM_LEN && r.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The prefix part of what a person typed: `vs_live_AbCd1234`, `AbCd1234` or a whole key.
pub fn prefix_of(input: &str) -> Option<String> {
    let s = input.trim();
    let s = s.strip_prefix(MARKER).unwrap_or(s);
    let s = s.trim_end_matches('…').trim_end_matches("...");
    (s.len() >= PREFIX_LEN && s.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then(|| s[..PREFIX_LEN].to_string())
}

/// How a key is shown in lists: the marker, its prefix and an ellipsis.
pub fn display(prefix: &str) -> String {
    format!("{MARKER}{prefix}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_long_random_and_recognisable() {
        let k = generate();
        assert!(k.raw.starts_with("vs_live_"));
        assert_eq!(k.raw.len(), 8 + 40);
        assert!(well_formed(&k.raw));
        assert_eq!(&k.raw[8..16], k.prefix);
        assert_eq!(k.hash, hash(&k.raw));
        assert_eq!(k.hash.len(), 64);
        assert_ne!(generate().raw, k.raw);
    }

    #[test]
    fn malformed_keys_are_refused_before_lookup() {
        assert!(!well_formed("vs_live_short"));
        assert!(!well_formed(&format!("vs_test_{}", "a".repeat(40))));
        assert!(!well_formed(&format!("vs_live_{}!", "a".repeat(39))));
    }

    #[test]
    fn prefixes_are_read_from_what_people_type() {
        assert_eq!(prefix_of("vs_live_AbCd1234…").as_deref(), Some("AbCd1234"));
        assert_eq!(prefix_of("AbCd1234").as_deref(), Some("AbCd1234"));
        assert_eq!(
            prefix_of(&format!("vs_live_AbCd1234{}", "x".repeat(32))).as_deref(),
            Some("AbCd1234")
        );
        assert_eq!(prefix_of("Ab"), None);
        assert_eq!(prefix_of("Ab-d1234"), None);
    }
}
