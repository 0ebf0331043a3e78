//! Outgoing e-mail: a [`Message`] (plain text, optionally HTML and attachments) built into
//! MIME by `lettre`, and two transports behind [`Mailer`]: [`SmtpMailer`] (`--smtp-url`) and
//! [`FileMailer`] (one `.eml` file per message in a folder, the embedded default, for a local
//! mail pickup or a person to open). An invitation link is a credential for the mailbox it is
//! sent to, so it travels only by mail.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use faktura_domain::Locale;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use rand::RngCore;
use std::path::{Path, PathBuf};

/// A file sent with a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// One message: plain text, and HTML and attachments where there are any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub from: String,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub html: Option<String>,
    pub attachments: Vec<Attachment>,
    /// A stable id (a delivery's), so a message sent twice after a crash is recognisably one.
    pub id: Option<String>,
}

impl Message {
    /// A plain-text message.
    pub fn text(from: &str, to: &str, subject: String, body: String) -> Message {
        Message {
            from: from.to_owned(),
            to: to.to_owned(),
            subject,
            body,
            html: None,
            attachments: Vec::new(),
            id: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// A From or To that is no address (or could break the header: a line break, say).
    #[error("not a deliverable address: {0:?}")]
    BadAddress(String),
    #[error("cannot build the message: {0}")]
    Build(String),
    #[error("cannot write the message to {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the mail server refused or failed: {0}")]
    Smtp(String),
    #[error("the mail task failed: {0}")]
    Task(String),
}

impl MailError {
    /// Whether trying again later may work (the server was unreachable, busy or said so);
    /// a message that cannot be built or an address that is refused for good will not.
    pub fn is_transient(&self) -> bool {
        match self {
            MailError::BadAddress(_) | MailError::Build(_) => false,
            MailError::Smtp(detail) => !detail.starts_with("permanent"),
            MailError::Io { .. } | MailError::Task(_) => true,
        }
    }
}

/// Delivers messages. `Debug` so the configuration that holds one can be printed.
#[async_trait]
pub trait Mailer: Send + Sync + std::fmt::Debug {
    async fn send(&self, message: &Message) -> Result<(), MailError>;
}

fn mailbox(address: &str) -> Result<Mailbox, MailError> {
    if address.chars().any(char::is_control) {
        return Err(MailError::BadAddress(address.to_owned()));
    }
    address
        .parse::<Mailbox>()
        .map_err(|_| MailError::BadAddress(address.to_owned()))
}

/// A text part; lettre picks the transfer encoding (8bit for short lines, else
/// quoted-printable, which a reader decodes back to the same text and links).
fn text_part(content_type: ContentType, text: &str) -> SinglePart {
    SinglePart::builder()
        .header(content_type)
        .body(text.replace("\r\n", "\n"))
}

/// The message in MIME, as `lettre` sends it.
pub fn build(message: &Message) -> Result<lettre::Message, MailError> {
    let mut builder = lettre::Message::builder()
        .from(mailbox(&message.from)?)
        .to(mailbox(&message.to)?)
        .subject(message.subject.replace(|c: char| c.is_control(), " "))
        .date_now();
    let id = message.id.clone().unwrap_or_else(|| random_hex(12));
    builder = builder.message_id(Some(format!("<{id}@faktura.invalid>")));
    let text = text_part(ContentType::TEXT_PLAIN, &message.body);
    let body = match &message.html {
        Some(html) => MultiPart::alternative()
            .singlepart(text)
            .singlepart(text_part(ContentType::TEXT_HTML, html)),
        None if message.attachments.is_empty() => {
            return builder
                .singlepart(text)
                .map_err(|e| MailError::Build(e.to_string()))
        }
        None => MultiPart::mixed().singlepart(text),
    };
    let mut body = if message.attachments.is_empty() {
        body
    } else if message.html.is_some() {
        MultiPart::mixed().multipart(body)
    } else {
        body
    };
    for attachment in &message.attachments {
        let content_type = ContentType::parse(&attachment.content_type)
            .map_err(|e| MailError::Build(e.to_string()))?;
        body = body.singlepart(
            lettre::message::Attachment::new(attachment.filename.clone())
                .body(attachment.bytes.clone(), content_type),
        );
    }
    builder
        .multipart(body)
        .map_err(|e| MailError::Build(e.to_string()))
}

/// The message as the bytes of an RFC 5322 file.
pub fn formatted(message: &Message) -> Result<Vec<u8>, MailError> {
    Ok(build(message)?.formatted())
}

/// Sends over SMTP: `smtp://host:port` (STARTTLS with `?tls=required`), `smtps://host:port`
/// (TLS), credentials as `smtp://user:password@host`.
#[derive(Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    /// The URL without its credentials, for logs.
    shown: String,
}

impl std::fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SmtpMailer({})", self.shown)
    }
}

impl SmtpMailer {
    pub fn from_url(url: &str) -> Result<SmtpMailer, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| MailError::Build(format!("--smtp-url: {e}")))?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        let shown = match url.split_once('@') {
            Some((scheme_and_user, host)) => {
                let scheme = scheme_and_user.split("://").next().unwrap_or("smtp");
                format!("{scheme}://…@{host}")
            }
            None => url.to_owned(),
        };
        Ok(SmtpMailer { transport, shown })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, message: &Message) -> Result<(), MailError> {
        let email = build(message)?;
        self.transport.send(email).await.map(|_| ()).map_err(|e| {
            let kind = if e.is_permanent() {
                "permanent"
            } else {
                "transient"
            };
            MailError::Smtp(format!("{kind}: {e}"))
        })
    }
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

fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), MailError> {
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
    std::fs::write(&partial, bytes).map_err(io(&partial))?;
    let path = dir.join(name);
    std::fs::rename(&partial, &path).map_err(io(&path))
}

#[async_trait]
impl Mailer for FileMailer {
    async fn send(&self, message: &Message) -> Result<(), MailError> {
        let bytes = formatted(message)?;
        let name = format!("{}-{}.eml", Utc::now().timestamp_millis(), random_hex(6));
        let dir = self.dir.clone();
        tokio::task::spawn_blocking(move || write_file(&dir, &name, &bytes))
            .await
            .map_err(|e| MailError::Task(e.to_string()))?
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A message as the invitation's would be (its texts live in the web's bundles).
    fn invitation(locale: Locale) -> Message {
        let (subject, opening) = match locale {
            Locale::EnUs => ("You are invited", "Open the link"),
            Locale::DaDk => ("Du er inviteret", "Åbn linket for at vælge din adgangskode. Det virker én gang og indtil 8. december 2026"),
        };
        Message::text(
            "Faktura <faktura@localhost>",
            "new@nordlys.example",
            subject.into(),
            format!("Hello,\n\n{opening}:\n\nhttps://faktura.example/invite/abc\n"),
        )
    }

    #[test]
    fn messages_are_mime_with_whole_links_and_safe_headers() {
        let bytes = formatted(&invitation(Locale::DaDk)).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.contains("\r\nTo: new@nordlys.example\r\n"), "{head}");
        assert!(head.contains("text/plain; charset=utf-8"), "{head}");
        assert!(head.is_ascii(), "{head}");
        // Lines over 76 characters travel quoted-printable (soft breaks, =XX bytes).
        assert!(head.contains("quoted-printable"), "{head}");
        let decoded = body.replace("=\r\n", "").replace("=C3=85", "Å");
        assert!(decoded.contains("Åbn linket"), "{body}");
        assert!(
            decoded.contains("https://faktura.example/invite/abc"),
            "{body}"
        );
        let mut bad = invitation(Locale::EnUs);
        bad.to = "a@b.example\r\nBcc: evil@example.com".into();
        assert!(matches!(formatted(&bad), Err(MailError::BadAddress(_))));
    }

    #[test]
    fn attachments_and_html_travel_as_parts() {
        let mut message = invitation(Locale::EnUs);
        message.html = Some("<p>Hello</p>".into());
        message.id = Some("dlv_1".into());
        message.attachments.push(Attachment {
            filename: "receipt-G1.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: b"%PDF-1.5 fake".to_vec(),
        });
        let text = String::from_utf8(formatted(&message).unwrap()).unwrap();
        assert!(text.contains("multipart/mixed"), "{text}");
        assert!(text.contains("multipart/alternative"), "{text}");
        assert!(text.contains("text/html"), "{text}");
        assert!(text.contains("filename=\"receipt-G1.pdf\""), "{text}");
        assert!(
            text.contains("Message-ID: <dlv_1@faktura.invalid>"),
            "{text}"
        );
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
