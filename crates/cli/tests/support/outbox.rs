//! After a crash test: the outbox agrees with the activity log, every event was delivered, and
//! every delivered e-mail is in the mail folder (at least once: a message may be there twice
//! after a kill between sending and recording, with the same Message-ID).

use faktura_store::Store;
use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// The `Message-ID`s in the folder's `.eml` files, with how often each occurs.
fn message_ids(dir: &Path) -> HashMap<String, usize> {
    let mut ids = HashMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return ids;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "eml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let id = text
            .lines()
            .find_map(|line| line.strip_prefix("Message-ID: <"))
            .and_then(|rest| rest.split('@').next())
            .unwrap_or_else(|| panic!("{} has no Message-ID", path.display()))
            .to_owned();
        *ids.entry(id).or_default() += 1;
    }
    ids
}

/// Waits for the outbox to drain, then checks it; a summary line.
pub async fn check(store: &Store, mail_dir: &Path, within: Duration) -> String {
    let deadline = Instant::now() + within;
    loop {
        let (events, pending) = store.outbox_backlog().await.unwrap();
        if (events, pending) == (0, 0) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the outbox did not drain: {events} events, {pending} deliveries open"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let audit = store.outbox_audit().await.unwrap();
    assert_eq!(
        audit.log_without_event, 0,
        "a committed change without its event"
    );
    assert_eq!(audit.event_without_log, 0, "an event without its change");
    assert!(audit.events > 0, "{audit:?}");
    assert!(
        audit
            .deliveries
            .iter()
            .all(|(_, state, _)| state == "delivered"),
        "{:?}",
        audit.deliveries
    );
    let found = message_ids(mail_dir);
    let missing: Vec<&String> = audit
        .delivered_email
        .iter()
        .filter(|id| !found.contains_key(*id))
        .collect();
    assert!(
        missing.is_empty(),
        "delivered but not in the folder: {missing:?}"
    );
    let unknown = found
        .keys()
        .filter(|id| audit.delivered_email.binary_search(id).is_err())
        .count();
    assert_eq!(unknown, 0, "mail for no recorded delivery");
    let twice = found.values().filter(|n| **n > 1).count();
    format!(
        "outbox: {} events, deliveries {:?}, {} mails in the folder ({} sent twice after a kill)",
        audit.events,
        audit.deliveries,
        found.values().sum::<usize>(),
        twice
    )
}
