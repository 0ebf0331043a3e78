//! Users and their credentials.

use crate::direct::Param;
use crate::rows::{self, millis};
use crate::{Result, Store, StoreError};

use faktura_domain::{User, UserId};
use sqlx::AnyConnection;
use unicode_normalization::UnicodeNormalization;

/// E-mail addresses are compared case-insensitively; we store them trimmed, in Unicode NFC,
/// lower-cased, with an international domain in its ASCII (`xn--`) form, so one mailbox has one
/// spelling and a lookalike domain shows as what it is.
pub fn normalize_email(email: &str) -> String {
    let email: String = email.trim().nfc().collect::<String>().to_lowercase();
    match email.rsplit_once('@') {
        Some((local, domain)) if !domain.is_ascii() => match idna::domain_to_ascii(domain) {
            Ok(ascii) => format!("{local}@{ascii}"),
            Err(_) => email,
        },
        _ => email,
    }
}

/// Why an e-mail address is refused before it names a user: a lookalike of another address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailProblem {
    /// Invisible or format characters (zero-width spaces, bidi overrides, soft hyphens …):
    /// two addresses that look the same would be different users.
    Invisible,
    /// Letters outside ASCII before the `@` (a Cyrillic `а` looks like a Latin `a`).
    NonAsciiLocalPart,
    /// A non-ASCII domain that is not a valid internationalized domain name.
    BadDomain,
}

/// Characters that render as nothing or reorder text: Unicode's default-ignorable code points
/// (zero-width spaces and joiners, bidi controls, variation selectors, fillers) and controls.
fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c as u32,
            0x00AD
                | 0x034F
                | 0x061C
                | 0x115F..=0x1160
                | 0x17B4..=0x17B5
                | 0x180B..=0x180F
                | 0x200B..=0x200F
                | 0x202A..=0x202E
                | 0x2060..=0x206F
                | 0x3164
                | 0xFE00..=0xFE0F
                | 0xFEFF
                | 0xFFA0
                | 0xFFF0..=0xFFF8
                | 0x1BCA0..=0x1BCA3
                | 0x1D173..=0x1D17A
                | 0xE0000..=0xE0FFF
        )
}

/// The confusable check every new user's address passes (the shape is the caller's rule):
/// no invisible characters anywhere, an ASCII local part, and a domain that is ASCII or valid
/// IDNA (stored as `xn--`, see [`normalize_email`]).
pub fn email_problem(email: &str) -> Option<EmailProblem> {
    let email = email.trim();
    if email.chars().any(invisible) {
        return Some(EmailProblem::Invisible);
    }
    let (local, domain) = email.rsplit_once('@').unwrap_or((email, ""));
    if !local.is_ascii() {
        return Some(EmailProblem::NonAsciiLocalPart);
    }
    if !domain.is_ascii() && idna::domain_to_ascii_strict(domain).is_err() {
        return Some(EmailProblem::BadDomain);
    }
    None
}

impl Store {
    pub async fn create_user(
        &self,
        email: &str,
        display_name: &str,
        password_hash: Option<&str>,
    ) -> Result<User> {
        let _gate = self.write_gate().await;
        let mut conn = self.pool().acquire().await?;
        insert_user(&mut conn, email, display_name, password_hash).await
    }

    pub async fn user_by_id(&self, id: &UserId) -> Result<Option<User>> {
        self.read_row(
            "SELECT * FROM users WHERE id = $1",
            &[Param::Text(id.as_str())],
            |row| rows::user(row),
        )
        .await
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        let row = sqlx::query("SELECT * FROM users WHERE email = $1")
            .bind(normalize_email(email))
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(rows::user).transpose()
    }

    /// The user and their stored password hash (None for invited users who have not set one).
    pub async fn credentials(&self, email: &str) -> Result<Option<(User, Option<String>)>> {
        let row = sqlx::query("SELECT * FROM users WHERE email = $1")
            .bind(normalize_email(email))
            .fetch_optional(self.pool())
            .await?;
        match row {
            Some(row) => Ok(Some((
                rows::user(&row)?,
                rows::opt_text(&row, "password_hash")?,
            ))),
            None => Ok(None),
        }
    }

    pub async fn set_password_hash(&self, user: &UserId, hash: &str) -> Result<()> {
        let _gate = self.write_gate().await;
        let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(user.as_str())
            .execute(self.pool())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn set_user_locale(&self, user: &UserId, locale: Option<&str>) -> Result<()> {
        let _gate = self.write_gate().await;
        sqlx::query("UPDATE users SET locale = $1 WHERE id = $2")
            .bind(locale)
            .bind(user.as_str())
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

pub(crate) async fn insert_user(
    conn: &mut AnyConnection,
    email: &str,
    display_name: &str,
    password_hash: Option<&str>,
) -> Result<User> {
    if email_problem(email).is_some() {
        return Err(StoreError::Conflict(
            "the e-mail address has invisible or non-ASCII characters that could pass for another address",
        ));
    }
    let user = User {
        id: UserId::generate(),
        email: normalize_email(email),
        display_name: display_name.to_owned(),
        locale: None,
        is_operator: false,
        created_at: crate::rows::now(),
    };
    sqlx::query(
        "INSERT INTO users (id, email, display_name, password_hash, locale, created_at) \
         VALUES ($1, $2, $3, $4, NULL, $5)",
    )
    .bind(user.id.as_str())
    .bind(&user.email)
    .bind(&user.display_name)
    .bind(password_hash)
    .bind(millis(user.created_at))
    .execute(&mut *conn)
    .await?;
    Ok(user)
}

pub(crate) async fn mark_operator(conn: &mut AnyConnection, user: &UserId) -> Result<()> {
    sqlx::query("UPDATE users SET is_operator = 1 WHERE id = $1")
        .bind(user.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_spelling_per_mailbox() {
        assert_eq!(normalize_email("  AP@Example.COM "), "ap@example.com");
        // NFC: "e" + combining acute and "é" are one domain, kept as xn--.
        assert_eq!(
            normalize_email("ap@cafe\u{301}.example"),
            normalize_email("ap@caf\u{e9}.example")
        );
        assert!(normalize_email("ap@caf\u{e9}.example").ends_with("@xn--caf-dma.example"));
    }

    #[test]
    fn lookalikes_are_problems() {
        assert_eq!(email_problem("ap@example.com"), None);
        assert_eq!(
            email_problem("\u{0430}p@example.com"),
            Some(EmailProblem::NonAsciiLocalPart)
        );
        for invisible in [
            "a\u{200B}p@example.com",
            "ap@exa\u{202E}mple.com",
            "\u{FEFF}ap@example.com",
        ] {
            assert_eq!(
                email_problem(invisible),
                Some(EmailProblem::Invisible),
                "{invisible:?}"
            );
        }
    }
}
