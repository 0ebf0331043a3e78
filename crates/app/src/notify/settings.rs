//! Each person's notification settings: which mail they get, seen and changed by themselves
//! only (the Notifications page under the user menu, and `/me/notificationSettings`).

use crate::{Actor, AppError, AppResult, Services};
use faktura_domain::notifications::Topic;

/// One topic as the person's settings show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TopicSetting {
    pub topic: Topic,
    /// Whether they get it now.
    pub email: bool,
    /// What they get without a choice.
    pub default: bool,
    /// Always sent; cannot be switched off.
    pub mandatory: bool,
}

/// Why settings were not saved.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("unknown notification topic {0:?}")]
    UnknownTopic(String),
    #[error("{0:?} notifications are always sent")]
    Mandatory(Topic),
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<faktura_store::StoreError> for SettingsError {
    fn from(error: faktura_store::StoreError) -> Self {
        SettingsError::App(AppError::Store(error))
    }
}

/// The actor's settings, every topic in a fixed order.
pub async fn settings(app: &Services, actor: &Actor) -> AppResult<Vec<TopicSetting>> {
    let choices = app.store.notification_choices(&actor.user.id).await?;
    Ok(Topic::ALL
        .into_iter()
        .map(|topic| TopicSetting {
            topic,
            email: topic.wanted(choices.get(&topic).copied()),
            default: topic.on_by_default(),
            mandatory: topic.mandatory(),
        })
        .collect())
}

/// Parses `(code, email)` pairs as the adapters receive them; a mandatory topic may only be
/// "on".
pub fn parse_changes<'a>(
    changes: impl IntoIterator<Item = (&'a str, bool)>,
) -> Result<Vec<(Topic, bool)>, SettingsError> {
    changes
        .into_iter()
        .map(|(code, email)| {
            let topic =
                Topic::parse(code).ok_or_else(|| SettingsError::UnknownTopic(code.to_owned()))?;
            if topic.mandatory() && !email {
                return Err(SettingsError::Mandatory(topic));
            }
            Ok((topic, email))
        })
        .collect()
}

/// Stores the actor's choices for the given topics (others keep theirs), in one transaction;
/// the settings afterwards.
pub async fn save(
    app: &Services,
    actor: &Actor,
    changes: &[(Topic, bool)],
) -> Result<Vec<TopicSetting>, SettingsError> {
    let stored: Vec<(Topic, bool)> = changes
        .iter()
        .copied()
        .filter(|(topic, _)| !topic.mandatory())
        .collect();
    app.store
        .set_notification_choices(&actor.user.id, &stored, app.now())
        .await?;
    Ok(settings(app, actor).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_parse_and_access_notices_stay_on() {
        assert_eq!(
            parse_changes([("receipts", false), ("invoice_issued", true)]).unwrap(),
            vec![(Topic::Receipts, false), (Topic::InvoiceIssued, true)]
        );
        assert!(matches!(
            parse_changes([("newsletter", true)]),
            Err(SettingsError::UnknownTopic(code)) if code == "newsletter"
        ));
        assert!(matches!(
            parse_changes([("access", false)]),
            Err(SettingsError::Mandatory(Topic::Access))
        ));
        assert!(parse_changes([("access", true)]).is_ok());
    }
}
