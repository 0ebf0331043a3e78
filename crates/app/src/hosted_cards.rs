//! Cards entered in the browser with the gateway's own fields (Stripe.js Elements), so that card
//! details never reach Faktura: a gateway customer per billing profile (made on first need, its
//! id kept), a card setup the browser confirms (3-D Secure included), and saving the card the
//! gateway reports — refusing prepaid cards by detaching them again.
//!
//! The same checks as [`crate::cards`]: changing cards needs `ManagePaymentMethods` on the
//! profile, and a setup is only taken from the profile's own gateway customer.

use crate::cards::{refused, require_manage, CardError};
use crate::{AccountScope, Actor, AppError, Resource, Services};
use faktura_domain::*;
use faktura_gateway::{CardSetupStatus, CardToken, CustomerRequest, Funding, GatewayError};
use faktura_store::{AddMode, AuditActor, StoreError};

/// What the browser needs to confirm a card setup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardSetupStart {
    /// The gateway's setup id (`seti_…`), sent back by the browser once confirmed.
    pub setup: String,
    pub client_secret: String,
    pub publishable_key: String,
    pub js_url: String,
}

/// How a confirmed setup ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetupFinished {
    /// Saved (or saved already: the browser and the webhook both report it).
    Saved(PaymentMethod),
    /// The browser has not finished 3-D Secure (or confirming) yet.
    Waiting,
}

/// Whether the gateway collects card details in the browser (Stripe), not Faktura's form.
pub fn browser_entry(app: &Services) -> Option<faktura_gateway::BrowserCardEntry> {
    app.gateway.browser_card_entry()
}

fn unavailable(error: GatewayError) -> CardError {
    match error {
        GatewayError::CardRefused(reason) => refused(reason),
        other => {
            tracing::warn!(error = %other, "the gateway did not set the card up");
            CardError::GatewayUnavailable
        }
    }
}

/// The profile's gateway customer, made at the gateway and kept on first need.
pub async fn ensure_customer(
    app: &Services,
    profile: &BillingProfile,
) -> Result<String, CardError> {
    let account = &profile.billing_account_id;
    if let Some(customer) = app
        .store
        .profile_gateway_customer(account, &profile.id)
        .await?
    {
        return Ok(customer);
    }
    let made = app
        .gateway
        .create_customer(&CustomerRequest {
            account_id: account.to_string(),
            profile_id: profile.id.to_string(),
            name: profile.display_name.clone(),
            email: Some(profile.invoice_email.clone()).filter(|e| !e.is_empty()),
        })
        .await
        .map_err(unavailable)?;
    Ok(app
        .store
        .set_profile_gateway_customer(account, &profile.id, &made)
        .await?)
}

/// Begins adding a card to the profile: the browser confirms the setup with the gateway.
pub async fn begin_card_setup(
    app: &Services,
    actor: &Actor,
    scope: &AccountScope,
    profile: &BillingProfileId,
) -> Result<CardSetupStart, CardError> {
    let profile = scope.visible_profile(profile)?.clone();
    require_manage(scope, &profile.id)?;
    let Some(entry) = browser_entry(app) else {
        return Err(AppError::Invalid("this gateway takes cards in Faktura's own form").into());
    };
    let customer = ensure_customer(app, &profile).await?;
    let setup = app
        .gateway
        .begin_card_setup(
            &customer,
            &crate::charging::metadata(&[
                ("faktura_account", scope.id().as_str()),
                ("faktura_profile", profile.id.as_str()),
                ("faktura_user", actor.user.id.as_str()),
            ]),
        )
        .await
        .map_err(unavailable)?;
    Ok(CardSetupStart {
        setup: setup.reference,
        client_secret: setup.client_secret,
        publishable_key: entry.publishable_key,
        js_url: entry.js_url,
    })
}

/// The browser says it confirmed the setup: asks the gateway and saves the card. A setup of
/// another profile's customer is not found; a prepaid card is detached again and refused.
pub async fn finish_card_setup(
    app: &Services,
    actor: &Actor,
    scope: &AccountScope,
    profile: &BillingProfileId,
    setup: &str,
    replaces: Option<&PaymentMethodId>,
) -> Result<SetupFinished, CardError> {
    let profile = scope.visible_profile(profile)?.clone();
    require_manage(scope, &profile.id)?;
    save_setup(app, &profile, setup, replaces, &actor.audit()).await
}

/// Saves the card of a succeeded setup on `profile` (the browser's return and the webhook).
pub(crate) async fn save_setup(
    app: &Services,
    profile: &BillingProfile,
    setup: &str,
    replaces: Option<&PaymentMethodId>,
    who: &AuditActor,
) -> Result<SetupFinished, CardError> {
    let not_found = || CardError::App(AppError::NotFound(Resource::PaymentMethod));
    let account = &profile.billing_account_id;
    let Some(customer) = app
        .store
        .profile_gateway_customer(account, &profile.id)
        .await?
    else {
        return Err(not_found());
    };
    let answer = match app.gateway.card_setup(setup).await {
        Ok(answer) => answer,
        Err(GatewayError::Invalid(_)) => return Err(not_found()),
        Err(other) => return Err(unavailable(other)),
    };
    if answer.customer.as_deref() != Some(customer.as_str()) {
        return Err(not_found());
    }
    let token = match answer.status {
        CardSetupStatus::Succeeded(token) => token,
        CardSetupStatus::RequiresAction | CardSetupStatus::Pending => {
            return Ok(SetupFinished::Waiting)
        }
        CardSetupStatus::Failed(reason) => return Err(refused(reason)),
    };
    if token.funding == Funding::Prepaid {
        // The rule we follow: prepaid cards are refused. The gateway forgets it again.
        if let Err(error) = app.gateway.detach(&token.token).await {
            tracing::warn!(%error, "a refused prepaid card could not be detached at the gateway");
        }
        return Err(CardError::Prepaid);
    }
    if let Some(saved) = app
        .store
        .payment_method_by_token(account, &token.token)
        .await?
        .filter(|m| m.billing_profile_id == profile.id)
    {
        return Ok(SetupFinished::Saved(saved));
    }
    let method = card_of(app, profile, token);
    let mode = match replaces {
        Some(old) => AddMode::Replace(old.clone()),
        None => AddMode::Add,
    };
    match app.store.add_card(&method, &mode, who).await {
        Ok(()) => Ok(SetupFinished::Saved(method)),
        Err(StoreError::NotFound) => Err(CardError::ReplacedGone),
        Err(other) => Err(other.into()),
    }
}

fn card_of(app: &Services, profile: &BillingProfile, token: CardToken) -> PaymentMethod {
    PaymentMethod {
        id: PaymentMethodId::generate(),
        billing_account_id: profile.billing_account_id.clone(),
        billing_profile_id: profile.id.clone(),
        gateway_token: token.token,
        brand: token.brand,
        last4: token.last4,
        exp_month: token.exp_month,
        exp_year: token.exp_year,
        holder: token.holder,
        status: PaymentMethodStatus::Active,
        created_at: app.now(),
    }
}

/// With `serve --demo` on a gateway that makes cards itself (Stripe in test mode): each demo
/// card still holding [`faktura_store::demo::CARD_MADE_AT_GATEWAY`] becomes a test card made
/// at the gateway on its profile's customer (made too, on first need), so that paying with it
/// works there. Idempotent: a card made already is left as it is. How many were made.
pub async fn make_demo_cards(app: &Services) -> Result<usize, CardError> {
    let waiting = app
        .store
        .payment_methods_with_token(faktura_store::demo::CARD_MADE_AT_GATEWAY)
        .await?;
    let mut made = 0;
    for method in &waiting {
        let account = &method.billing_account_id;
        let Some(profile) = app
            .store
            .profile(account, &method.billing_profile_id)
            .await?
        else {
            continue;
        };
        let customer = ensure_customer(app, &profile).await?;
        let card = app
            .gateway
            .demo_card(&customer)
            .await
            .map_err(unavailable)?;
        let details = faktura_store::CardUpdate {
            brand: card.brand,
            last4: card.last4.clone(),
            exp_month: card.exp_month,
            exp_year: card.exp_year,
        };
        if app
            .store
            .replace_card_token(
                account,
                &method.id,
                faktura_store::demo::CARD_MADE_AT_GATEWAY,
                &card.token,
                &details,
            )
            .await?
        {
            made += 1;
        }
    }
    Ok(made)
}
