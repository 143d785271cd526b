//! Validation of what people type into account forms, with messages in plain words.

use crate::error::AppError;

/// The longest email address (RFC 5321's path limit less its brackets).
pub const MAX_EMAIL_LEN: usize = 254;

/// Trims and lower-cases an email address and checks its shape.
pub fn email(field: &str, raw: &str) -> Result<String, AppError> {
    let email = raw.trim().to_lowercase();
    let shaped = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        }
        None => false,
    };
    if email.is_empty() {
        return Err(AppError::invalid(field, "Enter an email address."));
    }
    if !shaped || email.len() > MAX_EMAIL_LEN || email.chars().any(char::is_whitespace) {
        return Err(AppError::invalid(
            field,
            "Enter an email address like name@example.com.",
        ));
    }
    Ok(email)
}

/// An optional display name: trimmed, at most 100 characters.
pub fn display_name(field: &str, raw: &str) -> Result<Option<String>, AppError> {
    let name = raw.trim();
    if name.chars().count() > 100 {
        return Err(AppError::invalid(field, "Use at most 100 characters."));
    }
    Ok((!name.is_empty()).then(|| name.to_string()))
}

/// A workspace name: 1–100 characters.
pub fn workspace_name(field: &str, raw: &str) -> Result<String, AppError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(AppError::invalid(field, "Give the workspace a name."));
    }
    if name.chars().count() > 100 {
        return Err(AppError::invalid(field, "Use at most 100 characters."));
    }
    Ok(name.to_string())
}

/// Derives a URL slug from a name: lower-case ASCII letters and digits joined by hyphens.
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let mut slug = slug.trim_end_matches('-').to_string();
    slug.truncate(63);
    slug.trim_end_matches('-').to_string()
}

/// A slug given explicitly must already be in slug form.
pub fn slug(field: &str, raw: &str) -> Result<String, AppError> {
    let s = raw.trim();
    let ok = !s.is_empty()
        && s.len() <= 63
        && s.split('-').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
    if ok {
        Ok(s.to_string())
    } else {
        Err(AppError::invalid(
            field,
            "Use lower-case letters, digits and single hyphens (e.g. family-health).",
        ))
    }
}

/// The slug for a workspace: the explicit one if given, else derived from the name.
pub fn slug_for(name: &str, explicit: Option<&str>) -> Result<String, AppError> {
    match explicit.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => slug("slug", s),
        None => {
            let derived = slugify(name);
            if derived.is_empty() {
                Err(AppError::invalid(
                    "slug",
                    "The name has no letters or digits to make an address from; choose a slug.",
                ))
            } else {
                Ok(derived)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_and_hyphenated() {
        assert_eq!(slugify("Acme Health"), "acme-health");
        assert_eq!(slugify("  The  Smiths' Family!! "), "the-smiths-family");
        assert_eq!(slugify("Café 2026"), "caf-2026");
        assert_eq!(slugify("!!!"), "");
        assert!(slug_for("!!!", None).is_err());
        assert_eq!(slug_for("x", Some("custom-one")).unwrap(), "custom-one");
        assert!(slug("slug", "Bad Slug").is_err());
        assert!(slug("slug", "double--hyphen").is_err());
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            email("email", "  Ann@Example.COM ").unwrap(),
            "ann@example.com"
        );
        assert!(email("email", "").is_err());
        assert!(email("email", "ann").is_err());
        assert!(email("email", "ann@localhost").is_err());
        assert!(email("email", "a b@example.com").is_err());
    }
}
