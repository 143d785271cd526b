//! Who is asking: the signed-in person and their role, shared by every layer (the platform,
//! the shared UI and the features) and sent to the browser.

use serde::{Deserialize, Serialize};

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
    pub id: String,
    pub workspace_id: String,
    pub workspace_name: String,
    pub email: String,
    pub display_name: Option<String>,
    pub role: Role,
    pub is_instance_owner: bool,
    pub timezone: String,
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
