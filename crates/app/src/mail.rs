//! Outgoing e-mail. An invitation link is a credential for the mailbox it is sent to, so it
//! travels only by mail: a [`Mailer`] delivers it. Today the one transport is [`FileMailer`]
//! (one RFC 5322 `.eml` file per message in a folder, for a local mail pickup or a person to
//! open); SMTP can come behind the same trait.
//!
//! The message is written by hand (headers, RFC 2047 subject, UTF-8 8bit body): it is small
//! and fixed, and the only transport writes files.

use async_trait::async_trait;
use chrono::{DateTime, Datelike, Utc};
use faktura_domain::Locale;
use rand::RngCore;
use std::path::{Path, PathBuf};

/// One plain-text message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub from: String,
    pub to: String,
    pub subject: String,
    pub body: String,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// A From or To that could break the header (a line break, say).
    #[error("not a deliverable address: {0:?}")]
    BadAddress(String),
    #[error("cannot write the message to {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the mail task failed: {0}")]
    Task(String),
}

/// Delivers messages. `Debug` so the configuration that holds one can be printed.
#[async_trait]
pub trait Mailer: Send + Sync + std::fmt::Debug {
    async fn send(&self, message: &Message) -> Result<(), MailError>;
}

/// Writes each message as `<millis>-<random>.eml` into a folder (created owner-only, since the
/// files hold invitation links).
#[derive(Debug, Clone)]
pub struct FileMailer {
    dir: PathBuf,
}

impl FileMailer {
    pub fn new(dir: impl Into<PathBuf>) -> FileMailer {
        FileMailer { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

fn write_file(dir: &Path, name: &str, text: &str) -> Result<(), MailError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| MailError::Io { path, source }
    };
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(io(dir))?;
    // Written aside and renamed, so a reader of the folder never sees half a message.
    let partial = dir.join(format!(".{name}.partial"));
    std::fs::write(&partial, text).map_err(io(&partial))?;
    let path = dir.join(name);
    std::fs::rename(&partial, &path).map_err(io(&path))
}

#[async_trait]
impl Mailer for FileMailer {
    async fn send(&self, message: &Message) -> Result<(), MailError> {
        let now = Utc::now();
        let text = rfc5322(message, now, &random_hex(12))?;
        let name = format!("{}-{}.eml", now.timestamp_millis(), random_hex(6));
        let dir = self.dir.clone();
        tokio::task::spawn_blocking(move || write_file(&dir, &name, &text))
            .await
            .map_err(|e| MailError::Task(e.to_string()))?
    }
}

/// A header value must stay on its line.
fn header_safe(address: &str) -> Result<&str, MailError> {
    if address.is_empty() || address.chars().any(|c| c.is_control()) {
        Err(MailError::BadAddress(address.to_owned()))
    } else {
        Ok(address)
    }
}

/// The subject as RFC 2047 Q-encoded words of at most 75 characters, folded onto lines.
fn encode_subject(subject: &str) -> String {
    const OPEN: &str = "=?UTF-8?Q?";
    const CLOSE: &str = "?=";
    let mut words = Vec::new();
    let mut word = String::new();
    for c in subject.chars().filter(|c| !c.is_control()) {
        let mut piece = String::new();
        if c.is_ascii_alphanumeric() || "!*+-/".contains(c) {
            piece.push(c);
        } else if c == ' ' {
            piece.push('_');
        } else {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                piece.push_str(&format!("={byte:02X}"));
            }
        }
        if OPEN.len() + word.len() + piece.len() + CLOSE.len() > 75 {
            words.push(std::mem::take(&mut word));
        }
        word.push_str(&piece);
    }
    words.push(word);
    words
        .iter()
        .map(|w| format!("{OPEN}{w}{CLOSE}"))
        .collect::<Vec<_>>()
        .join("\r\n ")
}

/// The message as an RFC 5322 text with CRLF line ends.
pub fn rfc5322(message: &Message, date: DateTime<Utc>, id: &str) -> Result<String, MailError> {
    let body = message
        .body
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\n', "\r\n");
    Ok(format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {date}\r\n\
         Message-ID: <{id}@faktura.invalid>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n",
        from = header_safe(&message.from)?,
        to = header_safe(&message.to)?,
        subject = encode_subject(&message.subject),
        date = date.to_rfc2822(),
    ))
}

/// What an invitation mail says.
#[derive(Debug, Clone)]
pub struct InvitationMail<'a> {
    pub to: &'a str,
    /// Who invited (name and address), so the reader can judge the mail.
    pub inviter: &'a str,
    pub account: &'a str,
    pub link: &'a str,
    pub expires: DateTime<Utc>,
    /// The inviter's language (the invitee's is not known yet).
    pub locale: Locale,
}

const DANISH_MONTHS: [&str; 12] = [
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
];

/// The invitation as a message, in en-US or da-DK. (The texts live here, not in the web's
/// Fluent bundles: the mail is sent by the use case, whichever adapter asked.)
pub fn invitation_message(from: &str, mail: &InvitationMail<'_>) -> Message {
    let InvitationMail {
        to,
        inviter,
        account,
        link,
        ..
    } = mail;
    let (subject, body) = match mail.locale {
        Locale::EnUs => {
            let date = mail.expires.format("%B %-d, %Y");
            (
                format!("You are invited to {account} in Faktura"),
                format!(
                    "Hello,\n\n{inviter} invited you to the billing account {account} in Faktura as {to}.\n\n\
                     Open this link to choose your password. It works once, until {date}:\n\n{link}\n\n\
                     If you did not expect this invitation, ignore this e-mail: nobody can use the \
                     invitation without this link.\n"
                ),
            )
        }
        Locale::DaDk => {
            let month = DANISH_MONTHS[mail.expires.month0() as usize % 12];
            let date = format!("{}. {month} {}", mail.expires.day(), mail.expires.year());
            (
                format!("Du er inviteret til {account} i Faktura"),
                format!(
                    "Hej\n\n{inviter} har inviteret dig til faktureringskontoen {account} i Faktura som {to}.\n\n\
                     Åbn linket for at vælge din adgangskode. Det virker én gang og indtil {date}:\n\n{link}\n\n\
                     Hvis du ikke ventede denne invitation, kan du se bort fra denne e-mail: ingen kan \
                     bruge invitationen uden linket.\n"
                ),
            )
        }
    };
    Message {
        from: from.to_owned(),
        to: (*to).to_owned(),
        subject,
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn invitation(locale: Locale) -> Message {
        invitation_message(
            "Faktura <faktura@localhost>",
            &InvitationMail {
                to: "new@nordlys.example",
                inviter: "Anne (anne@nordlys.example)",
                account: "Nordlys Data ApS",
                link: "https://faktura.example/invite/abc",
                expires: Utc.with_ymd_and_hms(2026, 12, 8, 10, 0, 0).unwrap(),
                locale,
            },
        )
    }

    #[test]
    fn invitation_in_both_languages() {
        let en = invitation(Locale::EnUs);
        assert!(en.body.contains("https://faktura.example/invite/abc"));
        assert!(en.body.contains("December 8, 2026"));
        let da = invitation(Locale::DaDk);
        assert!(da.subject.starts_with("Du er inviteret"));
        assert!(da.body.contains("8. december 2026"));
        assert!(da.body.contains("https://faktura.example/invite/abc"));
    }

    #[test]
    fn message_text_is_rfc5322() {
        let text = rfc5322(&invitation(Locale::DaDk), Utc::now(), "x").unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.contains("\r\nTo: new@nordlys.example\r\n"));
        assert!(head.contains("Content-Type: text/plain; charset=utf-8"));
        assert!(head.is_ascii(), "{head}");
        assert!(head.split("\r\n").all(|line| line.len() <= 78), "{head}");
        assert!(body.contains("Åbn linket"));
        assert!(!body.replace("\r\n", "").contains('\n'));
        let mut bad = invitation(Locale::EnUs);
        bad.to = "a@b.example\r\nBcc: evil@example.com".into();
        assert!(matches!(
            rfc5322(&bad, Utc::now(), "x"),
            Err(MailError::BadAddress(_))
        ));
    }

    #[tokio::test]
    async fn file_mailer_writes_one_file_per_message() {
        let dir = std::env::temp_dir().join(format!("faktura-mail-test-{}", random_hex(6)));
        let mailer = FileMailer::new(&dir);
        mailer.send(&invitation(Locale::EnUs)).await.unwrap();
        mailer.send(&invitation(Locale::DaDk)).await.unwrap();
        let files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 2);
        assert!(files
            .iter()
            .all(|f| f.extension().is_some_and(|e| e == "eml")));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
