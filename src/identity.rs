//! Who is asking: the signed-in person, their workspace and role, shared by every layer (the
//! platform, the shared UI and the features) and sent to the browser.

use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Serialize};

/// An id newtype: a ULID as text that cannot be mixed up with another kind of id. It reads as
/// `&str` where a query binds it (`Deref`), and is stored as plain text.
macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(transparent))]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(id: impl Into<String>) -> Self {
                $name(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl Deref for $name {
            type Target = str;

            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }
    };
}

id_type!(
    /// A person's id (`users.id`).
    UserId
);
id_type!(
    /// A workspace's id (`workspaces.id`).
    WorkspaceId
);

/// A person's role inside their workspace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Member,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Member => "member",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "member" => Some(Role::Member),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Admin",
            Role::Member => "Member",
        }
    }
}

// Stored as the words `admin` and `member`.
#[cfg(feature = "ssr")]
crate::text_enum!(Role);

/// The signed-in person, as pages see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: UserId,
    pub workspace_id: WorkspaceId,
    pub workspace_name: String,
    pub email: String,
    pub display_name: Option<String>,
    pub role: Role,
    pub is_instance_owner: bool,
    pub timezone: String,
    /// How they read measurements (pages convert; the API stays SI).
    pub units: crate::units::Units,
}

impl SessionUser {
    /// What to call the person: their display name, else their email.
    pub fn name(&self) -> &str {
        self.display_name
            .as_deref()
            .filter(|n| !n.is_empty())
            .unwrap_or(&self.email)
    }

    /// A short form for greetings: the first word of the display name, else the email's local part.
    pub fn first_name(&self) -> &str {
        match self
            .display_name
            .as_deref()
            .and_then(|n| n.split_whitespace().next())
        {
            Some(first) => first,
            None => self.email.split('@').next().unwrap_or(&self.email),
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

#[cfg(test)]
mod tests {
    use super::{UserId, WorkspaceId};

    #[test]
    fn ids_travel_as_plain_text_and_read_as_str() {
        let id = UserId::new("01JAAAAAAAAAAAAAAAAAAAAAAA");
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            "\"01JAAAAAAAAAAAAAAAAAAAAAAA\""
        );
        let back: UserId = serde_json::from_str("\"01JAAAAAAAAAAAAAAAAAAAAAAA\"").unwrap();
        assert_eq!(back, id);
        assert!(id == *"01JAAAAAAAAAAAAAAAAAAAAAAA");
        // A function taking `&str` (a query's bind) accepts the id as it is.
        fn len(s: &str) -> usize {
            s.len()
        }
        assert_eq!(len(&id), 26);
        assert_eq!(WorkspaceId::new(id.as_str()).to_string(), id.to_string());
    }
}
