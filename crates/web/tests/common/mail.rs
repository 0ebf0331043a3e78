//! Reading back what the mail transports wrote: files in a folder, parsed with mail-parser
//! (not lettre, which wrote them).

use mail_parser::MimeHeaders;
use std::path::{Path, PathBuf};

pub fn temp_dir(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("faktura-{name}-{}", faktura_store::random_token()))
}

/// Every message in a folder (files ending in .eml, or a Maildir's `new`), parsed.
pub fn read_mail(dir: &Path) -> Vec<Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect();
    files.sort();
    files.iter().map(|f| std::fs::read(f).unwrap()).collect()
}

pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub message_id: String,
    pub attachments: Vec<(String, String, Vec<u8>)>,
}

pub fn parse(raw: &[u8]) -> Mail {
    let message = mail_parser::MessageParser::default()
        .parse(raw)
        .expect("a MIME message");
    Mail {
        to: message
            .to()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .unwrap_or_default()
            .to_owned(),
        subject: message.subject().unwrap_or_default().to_owned(),
        text: message.body_text(0).unwrap_or_default().into_owned(),
        html: message.body_html(0).unwrap_or_default().into_owned(),
        message_id: message.message_id().unwrap_or_default().to_owned(),
        attachments: message
            .attachments()
            .map(|part| {
                let kind = part
                    .content_type()
                    .map(|c| format!("{}/{}", c.ctype(), c.subtype().unwrap_or_default()))
                    .unwrap_or_default();
                (
                    part.attachment_name().unwrap_or_default().to_owned(),
                    kind,
                    part.contents().to_vec(),
                )
            })
            .collect(),
    }
}

pub fn pdf_text(bytes: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(bytes).expect("a valid PDF");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    doc.extract_text(&pages).expect("extractable text")
}
