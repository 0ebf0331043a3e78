//! Contact details as people type them.

/// A plausible e-mail address: `local@domain.tld`, no spaces, at most 200 characters.
/// (Deliverability is only known by sending; this catches typing mistakes.)
pub fn plausible_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !text.chars().any(char::is_whitespace)
        && text.len() <= 200
        && !domain.contains('@')
}

#[cfg(test)]
mod tests {
    use super::plausible_email;

    #[test]
    fn e_mail_shape() {
        assert!(plausible_email("a@b.dk"));
        for bad in [
            "", "a", "a@b", "@b.dk", "a@.dk", "a@b.", "a b@c.dk", "a@b@c.dk",
        ] {
            assert!(!plausible_email(bad), "{bad}");
        }
    }
}
