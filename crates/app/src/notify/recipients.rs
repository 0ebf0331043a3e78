//! Who is told of an event: the person it concerns, the role holders who want to hear of it
//! (each person's choices, see [`super::settings`]), the profile's invoice recipient, and the
//! webhook endpoints that asked for its type.

use super::subjects::detail_id;
use super::{EMAIL, WEBHOOK};
use crate::{AppResult, Services};
use faktura_domain::notifications::Topic;
use faktura_domain::roles::Access;
use faktura_domain::*;
use faktura_store::outbox::{NewDelivery, OutboxEvent};
use std::collections::HashMap;

/// The language a profile's invoice recipient reads: Danish for a Danish address.
fn profile_locale(profile: &BillingProfile) -> Locale {
    if profile.bill_to.country.eq_ignore_ascii_case("DK") {
        Locale::DaDk
    } else {
        Locale::EnUs
    }
}

fn person(user: &User) -> NewDelivery {
    at_address(user, &user.email)
}

fn at_address(user: &User, address: &str) -> NewDelivery {
    NewDelivery {
        channel: EMAIL,
        recipient: address.to_owned(),
        locale: crate::sessions::preferred_language(user).unwrap_or_default(),
    }
}

fn invoice_recipient(profile: &BillingProfile) -> NewDelivery {
    NewDelivery {
        channel: EMAIL,
        recipient: profile.invoice_email.clone(),
        locale: profile_locale(profile),
    }
}

/// The users among `ids` who want mail on `topic` (their stored choice, else its default),
/// read in one query.
async fn wanting(app: &Services, ids: &[UserId], topic: Topic) -> AppResult<Vec<User>> {
    Ok(app
        .store
        .users_with_choice(ids, topic)
        .await?
        .into_iter()
        .filter(|(_, choice)| topic.wanted(*choice))
        .map(|(user, _)| user)
        .collect())
}

/// The user, if they want mail on `topic`.
async fn wanting_one(app: &Services, id: &UserId, topic: Topic) -> AppResult<Option<User>> {
    Ok(wanting(app, std::slice::from_ref(id), topic)
        .await?
        .into_iter()
        .next())
}

/// The people whose roles on `account` let them hear of `topic` about `profile`, and who want
/// to, except `except` (who did it and knows).
async fn holders(
    app: &Services,
    account: &BillingAccountId,
    topic: Topic,
    profile: Option<&BillingProfileId>,
    except: Option<&UserId>,
) -> AppResult<Vec<NewDelivery>> {
    let Some(billing_account) = app.store.account(account).await? else {
        return Ok(Vec::new());
    };
    let mut standing: HashMap<UserId, Access> = HashMap::new();
    standing
        .entry(billing_account.account_admin.clone())
        .or_default()
        .is_account_admin = true;
    for (assignment, _) in app.store.role_assignments(account).await? {
        standing
            .entry(assignment.user_id.clone())
            .or_default()
            .grants
            .push((assignment.scope, assignment.role));
    }
    let ids: Vec<UserId> = standing
        .into_iter()
        .filter(|(id, access)| Some(id) != except && topic.reaches(access, profile))
        .map(|(id, _)| id)
        .collect();
    // Everyone at once (in id order), with their choice on the topic.
    Ok(wanting(app, &ids, topic)
        .await?
        .iter()
        .map(person)
        .collect())
}

/// Who is told of the event, by topic (see `faktura_domain::notifications`):
/// - receipts and failed payments: the payer, if they want them; a receipt also goes to the
///   profile's invoice recipient;
/// - invoice issued, due soon and past due, cards expiring: the profile's invoice recipient,
///   and the role holders who may see (or pay, or manage cards) and want them;
/// - a card added: the others who manage the profile's cards;
/// - a webhook turned off: the account's owners;
/// - a support request updated: its requester, at the contact address they gave;
/// - a role granted: the person given it, unless the grant mailed them an invitation;
/// - an invitation: the invited address (the link is made when the mail is written).
pub async fn recipients(app: &Services, event: &OutboxEvent) -> AppResult<Vec<NewDelivery>> {
    let mut found = Vec::new();
    let topic = Topic::of_event(&event.kind);
    if topic == Some(Topic::SupportUpdates) {
        let request = match event.detail.get("support_request").and_then(|v| v.as_str()) {
            Some(id) => app.store.support_request(id).await?,
            None => None,
        };
        if let Some(request) = request {
            if let Some(user) = wanting_one(app, &request.user_id, Topic::SupportUpdates).await? {
                found.push(at_address(&user, &request.contact));
            }
        }
        return Ok(found);
    }
    let Some(account) = &event.billing_account_id else {
        return Ok(found);
    };
    let profile = detail_id(event, "profile", BillingProfileId::parse);
    match (event.kind.as_str(), topic) {
        ("payment.succeeded" | "payment.failed" | "payment.refunded", Some(topic)) => {
            let payment = match detail_id(event, "payment", PaymentId::parse) {
                Some(id) => app.store.payment(account, &id).await?,
                None => None,
            };
            let Some(payment) = payment else {
                return Ok(found);
            };
            // The person who started the payment, whoever settled it (they, or the janitor).
            if let Some(payer) = wanting_one(app, &payment.created_by, topic).await? {
                found.push(person(&payer));
            }
            if topic == Topic::Receipts {
                if let Some(invoice) = app.store.invoice(account, &payment.invoice_id).await? {
                    let profile = app
                        .store
                        .profile(account, &invoice.billing_profile_id)
                        .await?;
                    found.extend(profile.as_ref().map(invoice_recipient));
                }
            }
        }
        ("invitation.created", _) => {
            // The invited address, in the invitee's language if they chose one, else the
            // inviter's (who saw the account in it).
            let chosen = match app.store.user_by_email(&event.target).await? {
                Some(user) => crate::sessions::preferred_language(&user),
                None => None,
            };
            let inviter = event
                .detail
                .get("mail_locale")
                .and_then(|v| v.as_str())
                .and_then(Locale::from_tag);
            found.push(NewDelivery {
                channel: EMAIL,
                recipient: event.target.clone(),
                locale: chosen.or(inviter).unwrap_or_default(),
            });
        }
        ("role.granted", _) => {
            let invited = event.detail.get("invited").and_then(|v| v.as_bool()) == Some(true);
            if !invited {
                if let Some(user) = app.store.user_by_email(&event.target).await? {
                    found.push(person(&user));
                }
            }
        }
        (_, Some(topic)) => {
            if matches!(
                topic,
                Topic::InvoiceIssued
                    | Topic::InvoiceDueSoon
                    | Topic::InvoicePastDue
                    | Topic::CardExpiring
            ) {
                if let Some(id) = &profile {
                    let profile = app.store.profile(account, id).await?;
                    found.extend(profile.as_ref().map(invoice_recipient));
                }
            }
            let except = (topic == Topic::CardAdded)
                .then_some(event.actor.as_ref())
                .flatten();
            found.extend(holders(app, account, topic, profile.as_ref(), except).await?);
        }
        _ => {}
    }
    // One message per address, in the language of its first mention (the payer's own).
    let mut seen = std::collections::HashSet::new();
    found.retain(|d| seen.insert(d.recipient.to_lowercase()));
    if crate::webhooks::EVENT_TYPES.contains(&event.kind.as_str()) {
        for endpoint in app
            .store
            .webhook_endpoints_for(Some(account), &event.kind)
            .await?
        {
            found.push(NewDelivery {
                channel: WEBHOOK,
                recipient: endpoint.id,
                locale: Locale::default(),
            });
        }
    }
    Ok(found)
}
