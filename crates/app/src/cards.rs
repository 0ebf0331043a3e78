//! A billing profile's saved cards: the list with its warnings, adding a card (with 3-D Secure
//! when the card asks for it), the return from that challenge, Replace (add and make default in
//! one step), set as default and detach.
//!
//! Every role that sees a profile may look at its cards; changing them needs
//! `ManagePaymentMethods` on the profile, checked here on every call whatever a page showed.

use crate::{AccountScope, Actor, AppError, AppResult, Resource, Services};
use chrono::{Duration, NaiveDate};
use faktura_domain::card::CardInput;
use faktura_domain::*;
use faktura_gateway::{Charge, ChargeStatus, Funding, GatewayError, SetupRequest};
use faktura_store::{AddMode, StoreError};

pub use faktura_store::DetachRefusal;

/// Cards expiring within this many days get a warning.
pub const EXPIRY_WARNING_DAYS: i64 = 60;

/// A saved card with what the list says about it.
#[derive(Debug, Clone)]
pub struct Card {
    pub method: PaymentMethod,
    pub is_default: bool,
    pub expired: bool,
    /// Not expired yet, but within [`EXPIRY_WARNING_DAYS`] of its last valid day.
    pub expiring_soon: bool,
}

/// A profile's cards, default first, and what the actor may do with them.
#[derive(Debug, Clone)]
pub struct ProfileCards {
    pub cards: Vec<Card>,
    pub can_manage: bool,
    /// Cards exist but none is the default: charges have nothing to use.
    pub no_default: bool,
}

/// Why a card was not added, made default or detached.
#[derive(Debug, thiserror::Error)]
pub enum CardError {
    /// The actor's roles do not let them manage this profile's cards (the portal names them).
    #[error("your role may not manage this billing profile's payment methods")]
    NotAllowed(BillingProfileId),
    /// Prepaid cards are refused, as the flow we follow does.
    #[error("prepaid cards are refused")]
    Prepaid,
    /// The gateway refused the card (at tokenization or at setup).
    #[error("the card was refused: {0:?}")]
    Refused(FailureReason),
    /// No answer from the gateway; nothing was saved.
    #[error("the payment gateway cannot be reached")]
    GatewayUnavailable,
    /// The card a Replace names is no longer an active card of the profile.
    #[error("the card being replaced is gone")]
    ReplacedGone,
    #[error("the card was not detached: {0:?}")]
    Detach(DetachRefusal),
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<StoreError> for CardError {
    fn from(error: StoreError) -> Self {
        CardError::App(AppError::Store(error))
    }
}

/// What adding a card led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardAdded {
    /// Saved and active (and the default, for a Replace), under this id.
    Saved(PaymentMethodId),
    /// The card asks for 3-D Secure: send the person to `url`; the card stays pending (and
    /// unusable) until [`setup_returned`] hears the gateway's answer.
    ChallengeRequired { url: String },
}

/// How a 3-D Secure setup ended, as far as the return knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupOutcome {
    /// Decided already (a reload, a second tab), or the gateway has no answer yet: the card
    /// stays as it is.
    Unchanged,
    /// The challenge failed; the card is never used.
    Failed,
    Added,
    /// Added and made the default.
    Replaced,
}

/// The setup return's answer and the profile the card belongs to (where to send the person).
#[derive(Debug, Clone)]
pub struct SetupReturned {
    pub profile: BillingProfileId,
    pub outcome: SetupOutcome,
}

/// The portal page listing a profile's cards.
pub fn methods_path(account: &BillingAccountId, profile: &BillingProfileId) -> String {
    format!("/billing/{account}/payment-methods?profile={profile}")
}

/// Where the gateway sends the person back after a card's 3-D Secure setup.
pub fn setup_return_path(
    account: &BillingAccountId,
    method: &PaymentMethodId,
    replaces: Option<&PaymentMethodId>,
) -> String {
    let replace = replaces
        .map(|r| format!("?replace={r}"))
        .unwrap_or_default();
    format!("/billing/{account}/payment-methods/{method}/return{replace}")
}

/// The last day a card can be used: the end of its expiry month.
pub fn last_valid_day(method: &PaymentMethod) -> NaiveDate {
    let (year, month) = if method.exp_month >= 12 {
        (method.exp_year + 1, 1)
    } else {
        (method.exp_year, method.exp_month + 1)
    };
    NaiveDate::from_ymd_opt(year, month, 1)
        .map(|first| first - Duration::days(1))
        .unwrap_or(NaiveDate::MAX)
}

/// The list's view of each card and whether the profile lacks a default.
fn judge(
    methods: Vec<PaymentMethod>,
    default: Option<&PaymentMethodId>,
    today: NaiveDate,
) -> (Vec<Card>, bool) {
    let warn_before = today + Duration::days(EXPIRY_WARNING_DAYS);
    let no_default = !methods.is_empty() && !methods.iter().any(|m| default == Some(&m.id));
    let cards = methods
        .into_iter()
        .map(|method| {
            let expired = method.is_expired_on(today);
            Card {
                is_default: default == Some(&method.id),
                expired,
                expiring_soon: !expired && last_valid_day(&method) < warn_before,
                method,
            }
        })
        .collect();
    (cards, no_default)
}

/// `NotAllowed` unless the actor may manage the profile's cards.
pub(crate) fn require_manage(
    scope: &AccountScope,
    profile: &BillingProfileId,
) -> Result<(), CardError> {
    if scope.allows(Permission::ManagePaymentMethods, Some(profile)) {
        Ok(())
    } else {
        Err(CardError::NotAllowed(profile.clone()))
    }
}

/// The active cards of a profile the actor sees.
pub async fn profile_cards(
    app: &Services,
    scope: &AccountScope,
    profile: &BillingProfileId,
) -> AppResult<ProfileCards> {
    let default = scope
        .visible_profile(profile)?
        .default_payment_method_id
        .clone();
    let methods = scope.payment_methods(app, profile).await?;
    let (cards, no_default) = judge(methods, default.as_ref(), app.today());
    Ok(ProfileCards {
        cards,
        can_manage: scope.allows(Permission::ManagePaymentMethods, Some(profile)),
        no_default,
    })
}

/// A refusal at tokenization or setup in the list's words: a prepaid card is its own answer.
pub(crate) fn refused(reason: FailureReason) -> CardError {
    if reason == FailureReason::PrepaidCardRefused {
        CardError::Prepaid
    } else {
        CardError::Refused(reason)
    }
}

/// Adds a card to the profile: tokenize, refuse prepaid cards, set it up at the gateway (which
/// may ask for 3-D Secure), then save it active or pending. With `replaces`, the new card also
/// becomes the default in the same step (Replace); the replaced card stays saved.
pub async fn add_card(
    app: &Services,
    actor: &Actor,
    scope: &AccountScope,
    profile: &BillingProfileId,
    card: &CardInput,
    replaces: Option<&PaymentMethodId>,
) -> Result<CardAdded, CardError> {
    add_card_returning(app, actor, scope, profile, card, replaces, false).await
}

/// [`add_card`]; with `then_settle` (a card added in the Settle balance pane) the card's
/// 3-D Secure challenge returns with `then=settle`, so that the person is taken back to the
/// pane to settle with it instead of to Payment methods.
pub async fn add_card_returning(
    app: &Services,
    actor: &Actor,
    scope: &AccountScope,
    profile: &BillingProfileId,
    card: &CardInput,
    replaces: Option<&PaymentMethodId>,
    then_settle: bool,
) -> Result<CardAdded, CardError> {
    let profile = scope.visible_profile(profile)?.clone();
    require_manage(scope, &profile.id)?;
    let token = match app.gateway.tokenize(card).await {
        Ok(token) if token.funding == Funding::Prepaid => return Err(CardError::Prepaid),
        Ok(token) => token,
        Err(GatewayError::CardRefused(reason)) => return Err(CardError::Refused(reason)),
        Err(error) => {
            tracing::warn!(%error, "tokenization failed");
            return Err(CardError::GatewayUnavailable);
        }
    };
    let method = PaymentMethod {
        id: PaymentMethodId::generate(),
        billing_account_id: scope.id().clone(),
        billing_profile_id: profile.id.clone(),
        gateway_token: token.token.clone(),
        brand: token.brand,
        last4: token.last4.clone(),
        exp_month: token.exp_month,
        exp_year: token.exp_year,
        holder: token.holder.clone(),
        status: PaymentMethodStatus::Active,
        created_at: app.now(),
    };
    let setup = app
        .gateway
        .setup(&SetupRequest {
            idempotency_key: method.id.to_string(),
            token: token.token,
            currency: profile.currency,
            return_url: {
                let path = setup_return_path(scope.id(), &method.id, replaces);
                if then_settle {
                    let join = if path.contains('?') { '&' } else { '?' };
                    format!("{path}{join}then=settle")
                } else {
                    path
                }
            },
        })
        .await;
    match setup {
        Ok(Charge {
            status: ChargeStatus::Succeeded,
            ..
        }) => {
            let mode = match replaces {
                Some(old) => AddMode::Replace(old.clone()),
                None => AddMode::Add,
            };
            match app.store.add_card(&method, &mode, &actor.audit()).await {
                Ok(()) => Ok(CardAdded::Saved(method.id)),
                Err(StoreError::NotFound) => Err(CardError::ReplacedGone),
                Err(other) => Err(other.into()),
            }
        }
        Ok(Charge {
            status: ChargeStatus::RequiresAction { challenge_url },
            ..
        }) => {
            app.store.add_pending_card(&method).await?;
            Ok(CardAdded::ChallengeRequired { url: challenge_url })
        }
        Ok(Charge {
            status: ChargeStatus::Failed(reason),
            ..
        })
        | Err(GatewayError::CardRefused(reason)) => Err(refused(reason)),
        Err(error) => {
            tracing::warn!(%error, "card setup failed");
            Err(CardError::GatewayUnavailable)
        }
    }
}

/// Whether the gateway says the setup's challenge passed: `None` while it waits (or gives no
/// answer), so the card stays pending. No setup under the key at all is a failure.
pub fn setup_passed(answer: Result<Option<Charge>, GatewayError>) -> Option<bool> {
    match answer {
        Ok(Some(charge)) => match charge.status {
            ChargeStatus::Succeeded => Some(true),
            ChargeStatus::Failed(_) => Some(false),
            ChargeStatus::RequiresAction { .. } => None,
        },
        Ok(None) => Some(false),
        Err(error) => {
            tracing::warn!(%error, "card setup lookup failed");
            None
        }
    }
}

/// Back from a card's 3-D Secure challenge: asks the gateway about the setup and activates
/// the card (making it the default when the setup was a Replace) or marks it failed.
pub async fn setup_returned(
    app: &Services,
    actor: &Actor,
    scope: &AccountScope,
    raw_method: &str,
    replace: Option<&str>,
) -> Result<SetupReturned, CardError> {
    let not_found = || AppError::NotFound(Resource::PaymentMethod);
    let id = PaymentMethodId::parse(raw_method).map_err(|_| not_found())?;
    let card = app
        .store
        .payment_method(scope.id(), &id)
        .await?
        .ok_or_else(not_found)?;
    let profile = card.billing_profile_id;
    scope.visible_profile(&profile)?;
    require_manage(scope, &profile)?;
    let answer = |outcome| {
        Ok(SetupReturned {
            profile: profile.clone(),
            outcome,
        })
    };
    if app.store.pending_card(scope.id(), &id).await?.is_none() {
        return answer(SetupOutcome::Unchanged);
    }
    let Some(passed) = setup_passed(app.gateway.lookup(id.as_str()).await) else {
        return answer(SetupOutcome::Unchanged);
    };
    let who = actor.audit();
    app.store
        .finish_card_setup(scope.id(), &id, passed, Some(&who))
        .await?;
    if !passed {
        return answer(SetupOutcome::Failed);
    }
    if replace
        .and_then(|r| PaymentMethodId::parse(r).ok())
        .is_some()
    {
        app.store
            .set_default_payment_method(scope.id(), &profile, &id, &who)
            .await?;
        return answer(SetupOutcome::Replaced);
    }
    answer(SetupOutcome::Added)
}

/// Makes an active card of the profile its default.
pub async fn set_default(
    app: &Services,
    actor: &Actor,
    scope: &AccountScope,
    profile: &BillingProfileId,
    method: &PaymentMethodId,
) -> Result<(), CardError> {
    scope.visible_profile(profile)?;
    require_manage(scope, profile)?;
    app.store
        .set_default_payment_method(scope.id(), profile, method, &actor.audit())
        .await?;
    Ok(())
}

/// Detaches a card, unless the store refuses: the default of a profile with unpaid invoices,
/// the last card of a pay-as-you-go account, or a card an open payment is using.
pub async fn detach(
    app: &Services,
    actor: &Actor,
    scope: &AccountScope,
    profile: &BillingProfileId,
    method: &PaymentMethodId,
) -> Result<PaymentMethod, CardError> {
    scope.visible_profile(profile)?;
    require_manage(scope, profile)?;
    match app
        .store
        .detach_payment_method(scope.id(), profile, method, &actor.audit())
        .await?
    {
        Ok(card) => {
            // Faktura's detach stands whatever the gateway says: the card is never charged
            // again from here. A gateway that keeps cards (Stripe) forgets it too.
            if let Err(error) = app.gateway.detach(&card.gateway_token).await {
                tracing::warn!(%error, method = %card.id, "the card is detached in Faktura, but not at the gateway");
            }
            Ok(card)
        }
        Err(DetachRefusal::NotFound) => Err(AppError::NotFound(Resource::PaymentMethod).into()),
        Err(refusal) => Err(CardError::Detach(refusal)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use faktura_domain::roles::{Access, Scope};

    fn card(exp_month: u32, exp_year: i32) -> PaymentMethod {
        PaymentMethod {
            id: PaymentMethodId::generate(),
            billing_account_id: BillingAccountId::generate(),
            billing_profile_id: BillingProfileId::generate(),
            gateway_token: "tok".into(),
            brand: CardBrand::Visa,
            last4: "4242".into(),
            exp_month,
            exp_year,
            holder: "A Holder".into(),
            status: PaymentMethodStatus::Active,
            created_at: Utc::now(),
        }
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_card_lasts_to_the_end_of_its_month() {
        assert_eq!(last_valid_day(&card(2, 2028)), day(2028, 2, 29));
        assert_eq!(last_valid_day(&card(12, 2027)), day(2027, 12, 31));
    }

    #[test]
    fn the_list_warns_before_expiry_and_notices_a_missing_default() {
        let today = day(2027, 11, 15);
        let expired = card(10, 2027);
        let soon = card(12, 2027);
        let later = card(6, 2028);
        let default = later.id.clone();
        let (cards, no_default) = judge(
            vec![later.clone(), soon.clone(), expired.clone()],
            Some(&default),
            today,
        );
        assert!(!no_default);
        let flags: Vec<(bool, bool, bool)> = cards
            .iter()
            .map(|c| (c.is_default, c.expired, c.expiring_soon))
            .collect();
        assert_eq!(
            flags,
            vec![
                (true, false, false),
                (false, false, true),
                (false, true, false)
            ]
        );
        let (_, no_default) = judge(vec![soon], None, today);
        assert!(no_default);
        let (cards, no_default) = judge(vec![], None, today);
        assert!(cards.is_empty() && !no_default);
    }

    #[test]
    fn the_setup_answer_decides_only_when_definite() {
        let charge = |status| {
            Ok(Some(Charge {
                reference: "r".into(),
                idempotency_key: "pm".into(),
                amount: Money::zero(Currency::EUR),
                status,
            }))
        };
        assert_eq!(setup_passed(charge(ChargeStatus::Succeeded)), Some(true));
        assert_eq!(
            setup_passed(charge(ChargeStatus::Failed(FailureReason::BankDeclined))),
            Some(false)
        );
        assert_eq!(
            setup_passed(charge(ChargeStatus::RequiresAction {
                challenge_url: "/c".into()
            })),
            None
        );
        assert_eq!(setup_passed(Ok(None)), Some(false));
        assert_eq!(
            setup_passed(Err(GatewayError::Unknown("timeout".into()))),
            None
        );
    }

    #[test]
    fn only_managers_may_change_cards_and_prepaid_is_its_own_refusal() {
        let profile = BillingProfileId::generate();
        let scope = |grants| AccountScope {
            account: BillingAccount {
                id: BillingAccountId::generate(),
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
            profiles: vec![],
        };
        let reader = scope(vec![(Scope::Account, Role::BillingAccountReader)]);
        assert!(matches!(
            require_manage(&reader, &profile),
            Err(CardError::NotAllowed(p)) if p == profile
        ));
        let owner = scope(vec![(
            Scope::Profile(profile.clone()),
            Role::BillingProfileOwner,
        )]);
        assert!(require_manage(&owner, &profile).is_ok());
        assert!(matches!(
            refused(FailureReason::PrepaidCardRefused),
            CardError::Prepaid
        ));
        assert!(matches!(
            refused(FailureReason::BankDeclined),
            CardError::Refused(FailureReason::BankDeclined)
        ));
        assert_eq!(
            setup_return_path(
                &BillingAccountId::parse("ba_1").unwrap(),
                &PaymentMethodId::parse("pm_2").unwrap(),
                Some(&PaymentMethodId::parse("pm_3").unwrap())
            ),
            "/billing/ba_1/payment-methods/pm_2/return?replace=pm_3"
        );
    }

    /// Add, Replace through a 3-D Secure challenge, a reload of the return, a prepaid card and
    /// a reader's refusal, on a real (SQLite) store and the sandbox gateway.
    #[tokio::test]
    async fn cards_are_added_replaced_through_3ds_and_refused_to_readers() {
        use faktura_gateway::SandboxGateway;
        use faktura_store::NewProfile;
        use std::sync::Arc;

        let store = faktura_store::test_support::sqlite().await;
        let owner = store
            .create_user("owner@nordlys.example", "Owner", None)
            .await
            .unwrap();
        let reader = store
            .create_user("reader@nordlys.example", "Reader", None)
            .await
            .unwrap();
        let account = store
            .create_account(
                "Nordlys",
                AgreementType::MicrosoftCustomerAgreement,
                "DK",
                &Address::default(),
                &owner.id,
            )
            .await
            .unwrap();
        let profile = store
            .create_profile(
                &account.id,
                &NewProfile {
                    display_name: "Main".into(),
                    currency: Currency::DKK,
                    bill_to: Address::default(),
                    invoice_email: "ap@nordlys.example".into(),
                },
            )
            .await
            .unwrap();
        store
            .add_role_assignment(
                &account.id,
                &reader.id,
                &Scope::Account,
                Role::BillingAccountReader,
            )
            .await
            .unwrap();
        let sandbox = Arc::new(SandboxGateway::new());
        let app = Services::new(store, sandbox.clone(), crate::Config::default());
        let actor = Actor::new(owner, None);
        let load = |actor: Actor| {
            let app = app.clone();
            let account = account.id.to_string();
            async move { AccountScope::load(&app, &actor, &account).await.unwrap() }
        };
        let new_card = |number: &str| {
            CardInput::parse("A Holder", number, "12/40", "123", app.today()).unwrap()
        };

        let scope = load(actor.clone()).await;
        let added = add_card(
            &app,
            &actor,
            &scope,
            &profile.id,
            &new_card("4242424242424242"),
            None,
        )
        .await
        .unwrap();
        let scope = load(actor.clone()).await;
        let listed = profile_cards(&app, &scope, &profile.id).await.unwrap();
        assert!(listed.can_manage && !listed.no_default);
        let first = listed.cards[0].method.id.clone();
        assert_eq!(added, CardAdded::Saved(first.clone()));
        assert!(
            listed.cards[0].is_default,
            "the first card becomes the default"
        );

        let asked = add_card(
            &app,
            &actor,
            &scope,
            &profile.id,
            &new_card("4000002760003184"),
            Some(&first),
        )
        .await
        .unwrap();
        let CardAdded::ChallengeRequired { url } = asked else {
            panic!("the 3-D Secure card asks for the challenge: {asked:?}");
        };
        let listed = profile_cards(&app, &scope, &profile.id).await.unwrap();
        assert_eq!(listed.cards.len(), 1, "a pending card is not listed");
        let reference = url.trim_start_matches("/sandbox/3ds/");
        let challenge = sandbox.resolve_challenge(reference, true).unwrap();
        let pending = challenge
            .return_url
            .split('/')
            .find(|part| part.starts_with("pm_"))
            .unwrap()
            .to_owned();
        assert!(challenge.return_url.ends_with(&format!("?replace={first}")));
        let replace = first.to_string();
        let returned = setup_returned(&app, &actor, &scope, &pending, Some(&replace))
            .await
            .unwrap();
        assert_eq!(returned.profile, profile.id);
        assert_eq!(returned.outcome, SetupOutcome::Replaced);
        let again = setup_returned(&app, &actor, &scope, &pending, Some(&replace))
            .await
            .unwrap();
        assert_eq!(
            again.outcome,
            SetupOutcome::Unchanged,
            "a reload changes nothing"
        );
        let scope = load(actor.clone()).await;
        let listed = profile_cards(&app, &scope, &profile.id).await.unwrap();
        let default: Vec<String> = listed
            .cards
            .iter()
            .filter(|c| c.is_default)
            .map(|c| c.method.id.to_string())
            .collect();
        assert_eq!((listed.cards.len(), default), (2, vec![pending]));

        let prepaid = add_card(
            &app,
            &actor,
            &scope,
            &profile.id,
            &new_card("5105105105105100"),
            None,
        )
        .await;
        assert!(matches!(prepaid, Err(CardError::Prepaid)), "{prepaid:?}");

        let reader = Actor::new(reader, None);
        let theirs = load(reader.clone()).await;
        let listed = profile_cards(&app, &theirs, &profile.id).await.unwrap();
        assert!(!listed.can_manage && listed.cards.len() == 2);
        let refused = add_card(
            &app,
            &reader,
            &theirs,
            &profile.id,
            &new_card("4242424242424242"),
            None,
        )
        .await;
        assert!(
            matches!(refused, Err(CardError::NotAllowed(_))),
            "{refused:?}"
        );
        let refused = detach(&app, &reader, &theirs, &profile.id, &first).await;
        assert!(
            matches!(refused, Err(CardError::NotAllowed(_))),
            "{refused:?}"
        );
        detach(&app, &actor, &scope, &profile.id, &first)
            .await
            .unwrap();
    }
}
