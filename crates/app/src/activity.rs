//! The activity log: the account's append-only events, newest first, a page at a time.
//! Account owners and contributors and the administrator see the whole account; billing
//! profile owners and contributors see the events about their profiles only.

use crate::{AccountScope, AppError, AppResult, Services};
use chrono::Duration;
use faktura_domain::*;
use faktura_store::ActivityQuery;

pub use faktura_store::{ActivityEntry, ActivityPage};

/// Events per page.
pub const PAGE_SIZE: u32 = 25;

/// Kind filters: code, kind prefix (`""`: every kind). The first is the default.
pub const KINDS: [(&str, &str); 7] = [
    ("all", ""),
    ("sign-in", "auth."),
    ("payments", "payment."),
    ("settlements", "settlement."),
    ("methods", "payment_method."),
    ("roles", "role."),
    ("properties", "properties."),
];

/// Period filters: code, days back (0: all time). The first is the default.
pub const PERIODS: [(&str, i64); 5] = [("30d", 30), ("24h", 1), ("7d", 7), ("90d", 90), ("all", 0)];

/// What the person asked to see, as it came (missing or empty: the defaults).
#[derive(Debug, Clone, Copy, Default)]
pub struct ActivityRequest<'a> {
    /// A code of [`KINDS`].
    pub kind: Option<&'a str>,
    /// A code of [`PERIODS`].
    pub period: Option<&'a str>,
    /// The cursor of the page to continue after (see [`cursor_text`]).
    pub before: Option<&'a str>,
}

/// One page of the log and how far the actor's view reaches.
#[derive(Debug, Clone)]
pub struct Activity {
    pub page: ActivityPage,
    /// `None`: the whole account. `Some`: only events about these profiles.
    pub limited_to: Option<Vec<BillingProfile>>,
    /// The kind and period codes in force.
    pub kind: &'static str,
    pub period: &'static str,
    /// The page continues an earlier one (so there is a first page to go back to).
    pub continued: bool,
    /// The cursor of the next page, if there is one.
    pub next: Option<String>,
}

/// `millis_evt_…`: the last row of the previous page.
pub fn parse_cursor(raw: &str) -> Option<(i64, AuditEventId)> {
    let (ms, id) = raw.split_once('_')?;
    Some((ms.parse().ok()?, AuditEventId::parse(id).ok()?))
}

pub fn cursor_text((ms, id): &(i64, AuditEventId)) -> String {
    format!("{ms}_{id}")
}

fn given(raw: Option<&str>) -> Option<&str> {
    raw.filter(|r| !r.is_empty())
}

/// The request's codes checked against the tables: `(kind, prefix, period, days)`.
fn filters(
    request: &ActivityRequest,
) -> AppResult<(&'static str, &'static str, &'static str, i64)> {
    let kind = given(request.kind).unwrap_or(KINDS[0].0);
    let (kind, prefix) = KINDS
        .into_iter()
        .find(|(code, _)| *code == kind)
        .ok_or(AppError::Invalid("unknown kind filter"))?;
    let period = given(request.period).unwrap_or(PERIODS[0].0);
    let (period, days) = PERIODS
        .into_iter()
        .find(|(code, _)| *code == period)
        .ok_or(AppError::Invalid("unknown period filter"))?;
    Ok((kind, prefix, period, days))
}

/// `None` for the whole account, else the profiles whose log the actor may read; `NotAllowed`
/// when there are none.
pub fn reach(scope: &AccountScope) -> AppResult<Option<Vec<BillingProfile>>> {
    if scope.allows(Permission::ViewActivityLog, None) {
        return Ok(None);
    }
    let mine: Vec<BillingProfile> = scope
        .profiles
        .iter()
        .filter(|p| scope.allows(Permission::ViewActivityLog, Some(&p.id)))
        .cloned()
        .collect();
    if mine.is_empty() {
        return Err(AppError::not_allowed(
            "your role may not view this billing account's activity log",
        ));
    }
    Ok(Some(mine))
}

/// A page of the events the actor may read. Access is checked before the request is.
pub async fn activity(
    app: &Services,
    scope: &AccountScope,
    request: &ActivityRequest<'_>,
) -> AppResult<Activity> {
    let limited_to = reach(scope)?;
    let (kind, prefix, period, days) = filters(request)?;
    let before = match given(request.before) {
        Some(raw) => Some(parse_cursor(raw).ok_or(AppError::Invalid("bad page cursor"))?),
        None => None,
    };
    let page = app
        .store
        .activity(&ActivityQuery {
            account: scope.id().clone(),
            profiles: limited_to
                .as_ref()
                .map(|list| list.iter().map(|p| p.id.clone()).collect()),
            kind_prefix: (!prefix.is_empty()).then(|| prefix.to_owned()),
            since: (days > 0).then(|| app.now() - Duration::days(days)),
            until: None,
            before: before.clone(),
            limit: PAGE_SIZE,
        })
        .await?;
    Ok(Activity {
        next: page.next.as_ref().map(cursor_text),
        page,
        limited_to,
        kind,
        period,
        continued: before.is_some(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use faktura_domain::roles::{Access, Scope};

    fn profile(account: &BillingAccountId, name: &str) -> BillingProfile {
        BillingProfile {
            id: BillingProfileId::generate(),
            billing_account_id: account.clone(),
            display_name: name.into(),
            currency: Currency::EUR,
            status: ProfileStatus::Active,
            status_reason: None,
            bill_to: Address::default(),
            invoice_email: "ap@example.com".into(),
            default_payment_method_id: None,
            purchase_order_number: None,
            created_at: Utc::now(),
        }
    }

    fn scope(grants: Vec<(Scope, Role)>, profiles: Vec<BillingProfile>) -> AccountScope {
        AccountScope {
            account: BillingAccount {
                id: profiles[0].billing_account_id.clone(),
                display_name: "Nordlys".into(),
                agreement_type: AgreementType::MicrosoftCustomerAgreement,
                status: AccountStatus::Active,
                country: "DK".into(),
                sold_to: Address::default(),
                account_admin: UserId::generate(),
                created_at: Utc::now(),
            },
            access: Access {
                is_account_admin: false,
                grants,
            },
            profiles,
        }
    }

    #[test]
    fn profile_roles_see_their_profiles_and_readers_see_nothing() {
        let account = BillingAccountId::generate();
        let (a, b) = (profile(&account, "A"), profile(&account, "B"));
        let owner = scope(
            vec![(Scope::Account, Role::BillingAccountOwner)],
            vec![a.clone(), b.clone()],
        );
        assert!(matches!(reach(&owner), Ok(None)));
        let contributor = scope(
            vec![
                (
                    Scope::Profile(a.id.clone()),
                    Role::BillingProfileContributor,
                ),
                (Scope::Profile(b.id.clone()), Role::BillingProfileReader),
            ],
            vec![a.clone(), b.clone()],
        );
        let seen = match reach(&contributor) {
            Ok(Some(list)) => list,
            other => panic!("expected a profile list, got {other:?}"),
        };
        assert_eq!(
            seen.iter()
                .map(|p| p.display_name.as_str())
                .collect::<Vec<_>>(),
            vec!["A"]
        );
        let reader = scope(
            vec![
                (Scope::Account, Role::BillingAccountReader),
                (Scope::Profile(a.id.clone()), Role::BillingProfileReader),
            ],
            vec![a, b],
        );
        assert!(matches!(reach(&reader), Err(AppError::NotAllowed { .. })));
    }

    #[test]
    fn cursors_and_filters() {
        let id = AuditEventId::generate();
        let cursor = (1_700_000_000_000, id.clone());
        assert_eq!(cursor_text(&cursor), format!("1700000000000_{id}"));
        assert_eq!(parse_cursor(&cursor_text(&cursor)), Some(cursor));
        assert_eq!(parse_cursor("x_evt_1"), None);
        assert_eq!(parse_cursor("nonsense"), None);
        let defaults = filters(&ActivityRequest {
            kind: Some(""),
            ..ActivityRequest::default()
        });
        assert!(matches!(defaults, Ok(("all", "", "30d", 30))));
        let chosen = filters(&ActivityRequest {
            kind: Some("methods"),
            period: Some("all"),
            before: None,
        });
        assert!(matches!(
            chosen,
            Ok(("methods", "payment_method.", "all", 0))
        ));
        let unknown = filters(&ActivityRequest {
            period: Some("1y"),
            ..ActivityRequest::default()
        });
        assert!(matches!(
            unknown,
            Err(AppError::Invalid("unknown period filter"))
        ));
    }
}
