//! Encryption of secrets the server must read back (provider tokens, webhook signing secrets,
//! notification credentials): AES-256-GCM under a key ring. The stored value names the key that
//! sealed it (`v1:<key id>:<base64 nonce‖ciphertext>`), so a new primary key can be added and old
//! values still open. Callers bind each value to the row it belongs to with associated data, so a
//! ciphertext copied into another row does not decrypt.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, OsRng, Payload};
use aes_gcm::{AeadCore, Aes256Gcm, Key, Nonce};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;

#[derive(Clone)]
pub struct KeyRing {
    primary: String,
    keys: HashMap<String, Aes256Gcm>,
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print key material.
        write!(
            f,
            "KeyRing(primary={}, keys={})",
            self.primary,
            self.keys.len()
        )
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    #[error("value is not in the v1:<key>:<data> format")]
    Malformed,
    #[error("value was sealed with key {0:?}, which is not in VITASYNC_ENCRYPTION_KEYS")]
    UnknownKey(String),
    #[error("value does not decrypt (wrong key or tampered)")]
    Tampered,
}

impl KeyRing {
    /// Parses `id:base64key[,id:base64key…]`; the first key seals new values.
    pub fn parse(spec: &str) -> Result<Self, String> {
        let mut primary = None;
        let mut keys = HashMap::new();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (id, b64) = part
                .split_once(':')
                .ok_or_else(|| format!("entry {part:?} is not id:base64key"))?;
            if id.is_empty()
                || !id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(format!("key id {id:?} must be letters, digits, - or _"));
            }
            let bytes = B64
                .decode(b64)
                .map_err(|_| format!("key {id:?} is not valid base64"))?;
            if bytes.len() != 32 {
                return Err(format!("key {id:?} must be 32 bytes (got {})", bytes.len()));
            }
            if keys
                .insert(
                    id.to_string(),
                    Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&bytes)),
                )
                .is_some()
            {
                return Err(format!("key id {id:?} appears twice"));
            }
            primary.get_or_insert_with(|| id.to_string());
        }
        let primary = primary.ok_or("no keys given (expected id:base64key)")?;
        Ok(Self { primary, keys })
    }

    /// Zero-setup installs: a key file in the data directory, created on first start.
    pub fn load_or_create(path: &Path) -> Result<Self, String> {
        if let Ok(spec) = std::fs::read_to_string(path) {
            return Self::parse(spec.trim()).map_err(|e| format!("{}: {e}", path.display()));
        }
        let spec = format!("k1:{}", B64.encode(Aes256Gcm::generate_key(OsRng)));
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        write_private(path, &spec).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Self::parse(&spec)
    }

    /// The id of the key that seals new values.
    pub fn primary_id(&self) -> &str {
        &self.primary
    }

    /// The key id a sealed value names (`None` when it is not a sealed value).
    pub fn key_of(value: &str) -> Option<&str> {
        let mut parts = value.splitn(3, ':');
        match (parts.next(), parts.next()) {
            (Some("v1"), Some(id)) => Some(id),
            _ => None,
        }
    }

    /// Key rotation on the embedded default: puts a new random key first in the key file (it
    /// becomes the primary; the old keys stay so existing values still open) and returns the
    /// new ring.
    pub fn rotate_file(path: &Path) -> Result<Self, String> {
        let old = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let ring = Self::parse(old.trim()).map_err(|e| format!("{}: {e}", path.display()))?;
        let id = (1..)
            .map(|n| format!("k{n}"))
            .find(|id| !ring.keys.contains_key(id))
            .expect("a free key id");
        let spec = format!(
            "{id}:{},{}",
            B64.encode(Aes256Gcm::generate_key(OsRng)),
            old.trim()
        );
        // Written beside and renamed over: the key file is never half-written.
        let tmp = path.with_extension("key.new");
        let _ = std::fs::remove_file(&tmp);
        write_private(&tmp, &spec).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
        std::fs::rename(&tmp, path)
            .map_err(|e| format!("cannot replace {}: {e}", path.display()))?;
        Self::parse(&spec)
    }

    pub fn encrypt(&self, plaintext: &[u8], aad: &[u8]) -> String {
        let cipher = &self.keys[&self.primary];
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let sealed = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .expect("AES-GCM encryption of an in-memory buffer cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!("v1:{}:{}", self.primary, B64.encode(out))
    }

    pub fn decrypt(&self, value: &str, aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut parts = value.splitn(3, ':');
        let (Some("v1"), Some(id), Some(data)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(CryptoError::Malformed);
        };
        let cipher = self
            .keys
            .get(id)
            .ok_or_else(|| CryptoError::UnknownKey(id.to_string()))?;
        let bytes = B64.decode(data).map_err(|_| CryptoError::Malformed)?;
        if bytes.len() < 12 {
            return Err(CryptoError::Malformed);
        }
        let (nonce, sealed) = bytes.split_at(12);
        cipher
            .decrypt(Nonce::from_slice(nonce), Payload { msg: sealed, aad })
            .map_err(|_| CryptoError::Tampered)
    }
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> String {
        B64.encode([byte; 32])
    }

    #[test]
    fn round_trip_and_rotation() {
        let old = KeyRing::parse(&format!("a:{}", key(1))).unwrap();
        let sealed = old.encrypt(b"token", b"conn-1");
        assert!(sealed.starts_with("v1:a:"));
        // After rotation, b seals new values while a still opens old ones.
        let rotated = KeyRing::parse(&format!("b:{},a:{}", key(2), key(1))).unwrap();
        assert_eq!(rotated.decrypt(&sealed, b"conn-1").unwrap(), b"token");
        assert!(rotated.encrypt(b"x", b"").starts_with("v1:b:"));
    }

    #[test]
    fn associated_data_binds_the_row() {
        let ring = KeyRing::parse(&format!("a:{}", key(1))).unwrap();
        let sealed = ring.encrypt(b"token", b"conn-1");
        assert_eq!(ring.decrypt(&sealed, b"conn-2"), Err(CryptoError::Tampered));
    }

    #[test]
    fn bad_specs_are_explained() {
        assert!(KeyRing::parse("").is_err());
        assert!(KeyRing::parse("a:notbase64!")
            .unwrap_err()
            .contains("base64"));
        assert!(KeyRing::parse(&format!("a:{}", B64.encode([0u8; 16])))
            .unwrap_err()
            .contains("32 bytes"));
        let dup = format!("a:{},a:{}", key(1), key(2));
        assert!(KeyRing::parse(&dup).unwrap_err().contains("twice"));
    }

    #[test]
    fn unknown_key_is_reported() {
        let a = KeyRing::parse(&format!("a:{}", key(1))).unwrap();
        let b = KeyRing::parse(&format!("b:{}", key(2))).unwrap();
        let sealed = a.encrypt(b"t", b"");
        assert_eq!(
            b.decrypt(&sealed, b""),
            Err(CryptoError::UnknownKey("a".into()))
        );
    }
}
