//! `vitasync keys rotate`: re-seals every stored provider token under the primary key, so old
//! keys can be retired. A value a refresh replaced meanwhile is left alone (it is already new).

use super::repo;
use super::tokens;
use crate::platform::crypto::KeyRing;
use crate::platform::db::Db;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Rotation {
    pub resealed: usize,
    /// Connections whose tokens open under no key in the ring (left untouched).
    pub unreadable: Vec<String>,
}

pub async fn reseal_all(db: &Db, keys: &KeyRing) -> Result<Rotation, sqlx::Error> {
    let mut out = Rotation::default();
    for conn in repo::with_tokens(db).await? {
        let Some(sealed) = conn.encrypted_tokens.as_deref() else {
            continue;
        };
        match tokens::open(keys, &conn.identity(), sealed) {
            Ok(t) => {
                let fresh = tokens::seal(keys, &conn.identity(), &t);
                if repo::reseal(db, &conn.id, sealed, &fresh).await? {
                    out.resealed += 1;
                }
            }
            Err(e) => {
                tracing::warn!(connection = %conn.id, error = %e, "tokens do not open; left as they are");
                out.unreadable.push(conn.id.clone());
            }
        }
    }
    Ok(out)
}
