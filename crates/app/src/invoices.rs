//! Reading invoices: the one invoice list the portal and the API page through, the overview's
//! open count, one invoice with its payments, and the search by invoice number. Everything is
//! scoped to what the actor's roles let them see.

use crate::{AccountScope, Actor, AppResult, Services};
use chrono::NaiveDate;
use faktura_domain::*;
use std::collections::HashMap;

pub use faktura_store::{InvoiceCursor, InvoiceFilter, InvoicePage, InvoiceSummary, StatusFilter};

/// The most invoices the overview counts as open (the count shows "500" beyond that).
pub const OPEN_COUNT_CAP: u32 = 500;
/// The most invoices a search suggests.
pub const SEARCH_LIMIT: usize = 8;

/// What a list asks for within the scope: which profile, which invoices and which page.
#[derive(Debug, Clone)]
pub struct ListQuery {
    /// One profile the actor sees, or `None` for every profile they see.
    pub profile: Option<BillingProfileId>,
    pub status: StatusFilter,
    pub invoice_date_from: Option<NaiveDate>,
    pub invoice_date_to: Option<NaiveDate>,
    /// Continue after this invoice: the previous page's `next`.
    pub after: Option<InvoiceCursor>,
    pub limit: u32,
}

impl ListQuery {
    /// Every invoice the actor sees, newest first, `limit` at a time.
    pub fn all(limit: u32) -> ListQuery {
        ListQuery {
            profile: None,
            status: StatusFilter::Any,
            invoice_date_from: None,
            invoice_date_to: None,
            after: None,
            limit,
        }
    }
}

/// The profiles a list may show: the one asked for (if visible), else all the actor sees.
/// `None` means the whole account, for actors who see all of it.
fn profiles_in_view(
    scope: &AccountScope,
    profile: Option<&BillingProfileId>,
) -> AppResult<Option<Vec<BillingProfileId>>> {
    Ok(match profile {
        Some(id) => Some(vec![scope.visible_profile(id)?.id.clone()]),
        None if scope.access.sees_whole_account() => None,
        None => Some(scope.profiles.iter().map(|p| p.id.clone()).collect()),
    })
}

/// One page of the account's invoices the actor sees, newest first: the portal's invoice list
/// and the API's invoice lists both page through this.
pub async fn list(
    app: &Services,
    scope: &AccountScope,
    query: &ListQuery,
) -> AppResult<InvoicePage> {
    let filter = InvoiceFilter {
        account: scope.id().clone(),
        profiles: profiles_in_view(scope, query.profile.as_ref())?,
        status: query.status,
        invoice_date_from: query.invoice_date_from,
        invoice_date_to: query.invoice_date_to,
        number_prefix: None,
        today: app.today(),
        after: query.after.clone(),
        limit: query.limit,
    };
    Ok(app.store.list_invoices(&filter).await?)
}

/// How many invoices are open (Due or Past due) in the profile, or in all the actor sees; at
/// most [`OPEN_COUNT_CAP`].
pub async fn open_count(
    app: &Services,
    scope: &AccountScope,
    profile: Option<&BillingProfileId>,
) -> AppResult<usize> {
    let query = ListQuery {
        profile: profile.cloned(),
        status: StatusFilter::Open,
        ..ListQuery::all(OPEN_COUNT_CAP)
    };
    Ok(list(app, scope, &query).await?.items.len())
}

/// The payments of every invoice on a page, in one query (not one per invoice).
pub async fn payments_for_page(
    app: &Services,
    scope: &AccountScope,
    page: &InvoicePage,
) -> AppResult<HashMap<InvoiceId, Vec<Payment>>> {
    let ids: Vec<InvoiceId> = page.items.iter().map(|s| s.invoice.id.clone()).collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(app.store.payments_for_invoices(scope.id(), &ids).await?)
}

/// One invoice (with its lines), the name of its profile and its payments, newest first.
#[derive(Debug, Clone)]
pub struct InvoiceDetail {
    pub invoice: Invoice,
    pub profile_name: String,
    pub payments: Vec<Payment>,
    /// The credit notes of its refunds, oldest first.
    pub credit_notes: Vec<CreditNote>,
}

/// An invoice the actor sees, by id (`inv_…`) or by number (`G000123456`), with its payments.
pub async fn detail(app: &Services, scope: &AccountScope, raw: &str) -> AppResult<InvoiceDetail> {
    let invoice = scope.invoice(app, raw).await?;
    let payments = scope.payments_of(app, &invoice).await?;
    let profile_name = scope
        .profile(&invoice.billing_profile_id)
        .map(|p| p.display_name.clone())
        .unwrap_or_default();
    let credit_notes = app
        .store
        .credit_notes_for_invoice(scope.id(), &invoice.id)
        .await?;
    Ok(InvoiceDetail {
        invoice,
        profile_name,
        payments,
        credit_notes,
    })
}

/// An invoice found by the search, and the account it belongs to.
#[derive(Debug, Clone)]
pub struct Found {
    pub account: BillingAccount,
    pub invoice: Invoice,
}

/// The search text as an invoice-number prefix, if it can be one: at least three letters,
/// digits or dashes (upper-cased, as numbers are stored).
pub fn number_prefix(query: &str) -> Option<String> {
    let prefix = query.trim().to_uppercase();
    let plausible = prefix.len() >= 3
        && prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    plausible.then_some(prefix)
}

/// Invoices whose number starts with the query, across every account the actor holds a role
/// on and only in the profiles they see; at most [`SEARCH_LIMIT`].
pub async fn search(app: &Services, actor: &Actor, query: &str) -> AppResult<Vec<Found>> {
    let Some(prefix) = number_prefix(query) else {
        return Ok(Vec::new());
    };
    let mut found = Vec::new();
    for account in crate::scope::accounts_for(app, actor).await? {
        let access = app.store.access(&account.id, &actor.user.id).await?;
        if !access.allows(Permission::ViewInvoices, None) && access.profile_ids().is_empty() {
            continue;
        }
        let filter = InvoiceFilter {
            account: account.id.clone(),
            profiles: (!access.sees_whole_account()).then(|| access.profile_ids()),
            status: StatusFilter::Any,
            invoice_date_from: None,
            invoice_date_to: None,
            number_prefix: Some(prefix.clone()),
            today: app.today(),
            after: None,
            limit: SEARCH_LIMIT as u32,
        };
        for summary in app.store.list_invoices(&filter).await?.items {
            found.push(Found {
                account: account.clone(),
                invoice: summary.invoice,
            });
        }
        if found.len() >= SEARCH_LIMIT {
            break;
        }
    }
    found.truncate(SEARCH_LIMIT);
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AppError, Config};
    use faktura_store::demo::{DemoInput, NORDLYS_ADMIN, NORDLYS_PROFILE_OWNER};
    use std::sync::Arc;

    async fn demo() -> Services {
        let store = faktura_store::test_support::sqlite().await;
        store
            .load_demo(&DemoInput {
                password_hash: "x".into(),
                saved_card_token: "tok_sbx_ok_x".into(),
                today: chrono::Utc::now().date_naive(),
            })
            .await
            .unwrap();
        let gateway = Arc::new(faktura_gateway::SandboxGateway::new());
        Services::new(store, gateway, Config::default())
    }

    async fn actor(app: &Services, email: &str) -> Actor {
        Actor::new(app.store.user_by_email(email).await.unwrap().unwrap(), None)
    }

    #[tokio::test]
    async fn a_profile_role_lists_and_finds_only_its_profiles_invoices() {
        let app = demo().await;
        let admin = actor(&app, NORDLYS_ADMIN).await;
        let account = crate::scope::accounts_for(&app, &admin).await.unwrap()[0].clone();
        let whole = AccountScope::load(&app, &admin, account.id.as_str())
            .await
            .unwrap();
        let owner = actor(&app, NORDLYS_PROFILE_OWNER).await;
        let part = AccountScope::load(&app, &owner, account.id.as_str())
            .await
            .unwrap();
        assert!(
            part.profiles.len() < whole.profiles.len(),
            "the demo's profile owner sees part"
        );

        let all = list(&app, &whole, &ListQuery::all(500)).await.unwrap();
        let mine = list(&app, &part, &ListQuery::all(500)).await.unwrap();
        assert!(!mine.items.is_empty() && mine.items.len() < all.items.len());
        assert!(mine
            .items
            .iter()
            .all(|s| part.profile(&s.invoice.billing_profile_id).is_some()));

        let other = whole
            .profiles
            .iter()
            .find(|p| part.profile(&p.id).is_none())
            .unwrap();
        let query = ListQuery {
            profile: Some(other.id.clone()),
            ..ListQuery::all(25)
        };
        assert!(matches!(
            list(&app, &part, &query).await,
            Err(AppError::Hidden { .. })
        ));

        let hidden = all
            .items
            .iter()
            .find(|s| s.invoice.billing_profile_id == other.id)
            .unwrap();
        let number = &hidden.invoice.number;
        assert!(search(&app, &owner, number).await.unwrap().is_empty());
        let found = search(&app, &admin, number).await.unwrap();
        assert!(found.iter().any(|f| &f.invoice.number == number));
        assert!(matches!(
            detail(&app, &part, number).await,
            Err(AppError::Hidden { .. })
        ));
    }

    #[test]
    fn search_text_becomes_a_number_prefix_only_when_it_can_be_one() {
        assert_eq!(number_prefix(" g0001 "), Some("G0001".into()));
        assert_eq!(number_prefix("imp-1"), Some("IMP-1".into()));
        assert_eq!(number_prefix("g0"), None);
        assert_eq!(number_prefix("G00%"), None);
        assert_eq!(number_prefix("billing"), Some("BILLING".into()));
        assert_eq!(number_prefix("cost management"), None);
    }
}
