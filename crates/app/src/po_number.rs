//! A billing profile's purchase order number, which its owners set (Properties and the API).
//! It is printed on the profile's invoices: an invoice takes the number the profile has when it
//! is issued ([`crate::operator::issue_invoice`]), a snapshot as billing systems keep it, so a
//! later change on the profile changes no issued invoice. The store's activity-log entry
//! (`properties.updated`) keeps before and after.

use crate::{AccountScope, Actor, AppError, Services};
use faktura_domain::*;

/// The longest purchase order number, in characters.
pub const MAX_PO_NUMBER: usize = 50;

/// What is wrong with a typed purchase order number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoProblem {
    /// Longer than [`MAX_PO_NUMBER`] characters.
    TooLong(usize),
    /// A control, line-break or invisible formatting character.
    NotPrintable,
}

impl PoProblem {
    /// The stable code the API answers with.
    pub fn code(self) -> &'static str {
        match self {
            PoProblem::TooLong(_) => "PoNumberTooLong",
            PoProblem::NotPrintable => "PoNumberNotPrintable",
        }
    }
}

/// Why a purchase order number was not saved.
#[derive(Debug, thiserror::Error)]
pub enum PoSaveError {
    /// The number as kept (trimmed, bounded) and what is wrong with it.
    #[error("the purchase order number is not valid")]
    Invalid { kept: String, problem: PoProblem },
    #[error(transparent)]
    App(#[from] AppError),
}

/// Characters that print nothing or move text: controls, line and paragraph separators,
/// zero-width and bidirectional formatting characters, the byte order mark.
fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}')
}

/// The number as typed, trimmed: `Ok(None)` when empty (no number), else the number or its
/// problem with what is kept of it (bounded well above the limit, so an over-long number is
/// reported as too long rather than silently cut).
pub fn validate_po_number(raw: &str) -> Result<Option<String>, (String, PoProblem)> {
    let kept: String = raw.trim().chars().take(MAX_PO_NUMBER * 4).collect();
    if kept.chars().any(invisible) {
        let shown: String = kept.chars().filter(|c| !invisible(*c)).collect();
        return Err((shown, PoProblem::NotPrintable));
    }
    if kept.chars().count() > MAX_PO_NUMBER {
        return Err((kept, PoProblem::TooLong(MAX_PO_NUMBER)));
    }
    Ok(Some(kept).filter(|k| !k.is_empty()))
}

/// Sets (or, with an empty text, clears) the profile's purchase order number. Owners only
/// (the permission to edit the profile's properties).
pub async fn save_po_number(
    app: &Services,
    actor: &Actor,
    scope: &AccountScope,
    profile: &BillingProfileId,
    raw: &str,
) -> Result<BillingProfile, PoSaveError> {
    scope.visible_profile(profile)?;
    scope.require(
        Permission::EditProperties,
        Some(profile),
        "your role may not edit this billing profile's properties",
    )?;
    let number = validate_po_number(raw)
        .map_err(|(kept, problem)| PoSaveError::Invalid { kept, problem })?;
    let saved = app
        .store
        .update_profile_po_number(scope.id(), profile, number.as_deref(), &actor.audit())
        .await
        .map_err(AppError::from)?;
    Ok(saved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_is_trimmed_and_an_empty_one_clears() {
        assert_eq!(
            validate_po_number("  PO-2026/0042 "),
            Ok(Some("PO-2026/0042".into()))
        );
        assert_eq!(validate_po_number("Indkøb 7"), Ok(Some("Indkøb 7".into())));
        assert_eq!(validate_po_number("   "), Ok(None));
        assert_eq!(validate_po_number(""), Ok(None));
    }

    #[test]
    fn too_long_and_unprintable_numbers_are_refused_with_what_was_typed() {
        let fifty = "x".repeat(MAX_PO_NUMBER);
        assert_eq!(validate_po_number(&fifty), Ok(Some(fifty.clone())));
        let long = "y".repeat(MAX_PO_NUMBER + 1);
        assert_eq!(
            validate_po_number(&long),
            Err((long.clone(), PoProblem::TooLong(MAX_PO_NUMBER)))
        );
        for bad in ["PO\n42", "PO\t42", "PO\u{200B}42", "PO\u{202E}42", "\u{7}"] {
            let (kept, problem) = validate_po_number(bad).unwrap_err();
            assert_eq!(problem, PoProblem::NotPrintable, "{bad:?}");
            assert!(!kept.chars().any(invisible), "{kept:?}");
        }
    }
}
