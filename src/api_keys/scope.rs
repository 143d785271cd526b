//! What a key may do. Scopes nest: `admin` includes `write`, and `write` includes `read`.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Scope {
    /// Read any resource of the workspace.
    Read,
    /// Create, change and delete users and their data; start connections and syncs.
    Write,
    /// Manage API keys and webhooks.
    Admin,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Read, Scope::Write, Scope::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        match s.trim() {
            "read" => Some(Scope::Read),
            "write" => Some(Scope::Write),
            "admin" => Some(Scope::Admin),
            _ => None,
        }
    }

    /// True when a key holding `held` may do what needs `self`.
    pub fn granted_by(self, held: &[Scope]) -> bool {
        held.iter().any(|h| *h >= self)
    }

    /// Parses a comma-separated list such as `read,write`; sorted, without repeats.
    pub fn parse_list(raw: &str) -> Result<Vec<Scope>, String> {
        let mut scopes = Vec::new();
        for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let scope = Scope::parse(part)
                .ok_or_else(|| format!("unknown scope {part:?}: use read, write or admin"))?;
            scopes.push(scope);
        }
        scopes.sort();
        scopes.dedup();
        if scopes.is_empty() {
            return Err("choose at least one scope: read, write or admin".into());
        }
        Ok(scopes)
    }
}

#[cfg(test)]
mod tests {
    use super::Scope;

    #[test]
    fn scopes_nest_admin_over_write_over_read() {
        assert!(Scope::Read.granted_by(&[Scope::Read]));
        assert!(Scope::Read.granted_by(&[Scope::Admin]));
        assert!(Scope::Write.granted_by(&[Scope::Write]));
        assert!(!Scope::Write.granted_by(&[Scope::Read]));
        assert!(!Scope::Admin.granted_by(&[Scope::Read, Scope::Write]));
        assert!(!Scope::Read.granted_by(&[]));
    }

    #[test]
    fn lists_are_parsed_sorted_and_deduplicated() {
        assert_eq!(
            Scope::parse_list("write, read,write").unwrap(),
            vec![Scope::Read, Scope::Write]
        );
        assert!(Scope::parse_list("read,owner").is_err());
        assert!(Scope::parse_list(" , ").is_err());
    }
}
