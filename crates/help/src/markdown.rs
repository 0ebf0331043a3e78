//! Markdown helpers shared by parsing, indexing and rendering: DocFX `:::` lines, heading ids
//! from `<a name>` anchors, and plain-text blocks for the index.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::Serialize;
use std::collections::HashMap;

/// A heading of an article, with the id the renderer gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    /// From a `<a name="…"></a>` anchor in the heading if there is one, else GitHub-style from the text.
    pub id: String,
}

/// The markdown options articles are written for: GitHub-flavoured, including `> [!NOTE]` alerts.
pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM
}

/// Drops DocFX `::: moniker range="…"` / `::: moniker-end` / `:::` lines but keeps what they wrap:
/// Faktura has one product version, so every variant is shown.
pub(crate) fn strip_docfx_lines(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    for line in body.split_inclusive('\n') {
        if line.trim_start().starts_with(":::") {
            // Keep the line break so paragraphs on either side stay apart.
            out.push('\n');
        } else {
            out.push_str(line);
        }
    }
    out
}

/// The `name` or `id` of an `<a …>` opening tag, e.g. `<a name="pay-invoice"></a>`.
pub(crate) fn anchor_name(html: &str) -> Option<String> {
    let trimmed = html.trim();
    let lower = trimmed.to_ascii_lowercase();
    if !lower.starts_with("<a ") && !lower.starts_with("<a\t") {
        return None;
    }
    for attr in ["name", "id"] {
        if let Some(value) = attribute_value(trimmed, attr) {
            let id = sanitize_id(&value);
            if !id.is_empty() {
                return Some(id);
            }
        }
    }
    None
}

/// The value of `attr="…"` (or single-quoted) in a tag.
fn attribute_value(tag: &str, attr: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut search = 0;
    while let Some(found) = lower[search..].find(attr) {
        let start = search + found;
        search = start + attr.len();
        let before_ok = start > 0 && lower.as_bytes()[start - 1].is_ascii_whitespace();
        let rest = lower[search..].trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let after_eq_offset = lower.len() - rest.len() + 1;
        let value_part = tag[after_eq_offset..].trim_start();
        let quote = value_part.chars().next()?;
        if quote == '"' || quote == '\'' {
            let inner = &value_part[1..];
            return inner.find(quote).map(|end| inner[..end].to_string());
        }
        let end = value_part
            .find(|c: char| c.is_whitespace() || c == '>')
            .unwrap_or(value_part.len());
        return Some(value_part[..end].to_string());
    }
    None
}

/// Keeps ids to characters that are safe in HTML attributes and URL fragments.
pub(crate) fn sanitize_id(raw: &str) -> String {
    raw.trim()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect()
}

/// GitHub-style heading id: lowercase, punctuation dropped, spaces to hyphens.
pub(crate) fn slugify(text: &str) -> String {
    text.trim()
        .chars()
        .flat_map(char::to_lowercase)
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                Some(c)
            } else if c.is_whitespace() {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

/// Makes ids unique within one article the way GitHub does: `x`, `x-1`, `x-2`.
#[derive(Default)]
pub(crate) struct IdDeduper {
    seen: HashMap<String, usize>,
}

impl IdDeduper {
    pub fn unique(&mut self, id: String) -> String {
        let id = if id.is_empty() {
            "section".to_string()
        } else {
            id
        };
        match self.seen.get_mut(&id) {
            None => {
                self.seen.insert(id.clone(), 0);
                id
            }
            Some(count) => {
                *count += 1;
                let candidate = format!("{id}-{count}");
                self.seen.insert(candidate.clone(), 0);
                candidate
            }
        }
    }
}

fn level_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// What the index needs from a body: its headings and its text as blocks (paragraphs, list items,
/// table cells, code blocks), in order. Headings are not among the blocks.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Extracted {
    pub headings: Vec<Heading>,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Block {
    pub text: String,
    /// All of the block's text is link text: a "see also" list entry. Such blocks name other
    /// articles, so they say little about this one.
    pub link_only: bool,
}

/// The text being collected for the current block, and how much of it sits inside links.
#[derive(Default)]
struct BlockBuffer {
    text: String,
    link_depth: usize,
    chars_in_links: usize,
    chars_outside: usize,
}

impl BlockBuffer {
    fn push(&mut self, text: &str) {
        let count = text.chars().filter(|c| c.is_alphanumeric()).count();
        if self.link_depth > 0 {
            self.chars_in_links += count;
        } else {
            self.chars_outside += count;
        }
        self.text.push_str(text);
    }

    fn flush(&mut self, blocks: &mut Vec<Block>) {
        let text = collapse_whitespace(&self.text);
        if text.chars().any(char::is_alphanumeric) {
            blocks.push(Block {
                text,
                link_only: self.chars_outside == 0 && self.chars_in_links > 0,
            });
        }
        self.text.clear();
        self.chars_in_links = 0;
        self.chars_outside = 0;
    }
}

pub(crate) fn extract(body: &str) -> Extracted {
    let cleaned = strip_docfx_lines(body);
    let mut out = Extracted::default();
    let mut ids = IdDeduper::default();
    let mut buffer = BlockBuffer::default();
    let mut heading: Option<(u8, Option<String>, String)> = None;

    for event in Parser::new_ext(&cleaned, options()) {
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                buffer.flush(&mut out.blocks);
                heading = Some((
                    level_number(level),
                    id.map(|i| sanitize_id(&i)),
                    String::new(),
                ));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, anchor, text)) = heading.take() {
                    let text = collapse_whitespace(&text);
                    let id = ids.unique(anchor.unwrap_or_else(|| slugify(&text)));
                    out.headings.push(Heading { level, text, id });
                }
            }
            Event::InlineHtml(html) | Event::Html(html) => {
                if let Some((_, anchor, _)) = heading.as_mut() {
                    if anchor.is_none() {
                        *anchor = anchor_name(&html);
                    }
                } else {
                    let text = strip_tags(&html);
                    if !text.trim().is_empty() {
                        buffer.push(" ");
                        buffer.push(&text);
                    }
                }
            }
            Event::Text(text)
            | Event::Code(text)
            | Event::InlineMath(text)
            | Event::DisplayMath(text) => match heading.as_mut() {
                Some((_, _, heading_text)) => heading_text.push_str(&text),
                None => buffer.push(&text),
            },
            Event::SoftBreak | Event::HardBreak => match heading.as_mut() {
                Some((_, _, heading_text)) => heading_text.push(' '),
                None => buffer.push(" "),
            },
            Event::Start(Tag::Link { .. }) => buffer.link_depth += 1,
            Event::End(TagEnd::Link) => buffer.link_depth = buffer.link_depth.saturating_sub(1),
            Event::Start(Tag::List(_)) | Event::Start(Tag::Item) => buffer.flush(&mut out.blocks),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::TableCell
                | TagEnd::HtmlBlock
                | TagEnd::BlockQuote(_),
            ) => buffer.flush(&mut out.blocks),
            _ => {}
        }
    }
    buffer.flush(&mut out.blocks);
    out
}

/// The destinations of all markdown links in a body, in order.
pub(crate) fn link_destinations(body: &str) -> Vec<String> {
    let cleaned = strip_docfx_lines(body);
    Parser::new_ext(&cleaned, options())
        .filter_map(|event| match event {
            Event::Start(Tag::Link { dest_url, .. }) => Some(dest_url.into_string()),
            _ => None,
        })
        .collect()
}

pub(crate) fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Removes `<…>` tags from a fragment of raw HTML, keeping the text between them.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(extracted: &Extracted) -> Vec<&str> {
        extracted.blocks.iter().map(|b| b.text.as_str()).collect()
    }

    #[test]
    fn anchors_become_heading_ids() {
        let extracted =
            extract("# <a name=\"declined-credit-card\"></a>Afvist kreditkort\n\nTekst.\n");
        assert_eq!(
            extracted.headings,
            vec![Heading {
                level: 1,
                text: "Afvist kreditkort".into(),
                id: "declined-credit-card".into()
            }]
        );
        assert_eq!(texts(&extracted), vec!["Tekst."]);
    }

    #[test]
    fn heading_ids_are_unique_slugs() {
        let extracted = extract("## Change it!\n\n## Change it!\n");
        let ids: Vec<_> = extracted.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["change-it", "change-it-1"]);
    }

    #[test]
    fn docfx_lines_are_dropped_but_content_kept() {
        let body = "::: moniker range=\"o365-worldwide\"\n\nWorldwide text.\n\n::: moniker-end\n:::\nAfter.\n";
        let extracted = extract(body);
        assert_eq!(texts(&extracted), vec!["Worldwide text.", "After."]);
    }

    #[test]
    fn blocks_split_lists_and_callouts() {
        let body = "Intro **bold** [link](x.md).\n\n1. First step\n2. Second <a href=\"https://x\">step</a>\n\n> [!NOTE]\n> Careful.\n";
        let extracted = extract(body);
        assert_eq!(
            texts(&extracted),
            vec!["Intro bold link.", "First step", "Second step", "Careful."]
        );
        assert!(extracted.blocks.iter().all(|b| !b.link_only));
    }

    #[test]
    fn see_also_lists_are_link_only() {
        let extracted = extract(
            "## See also\n\n- [Pay an invoice](pay.md)\n- [Add a card](card.md), if needed\n",
        );
        let flags: Vec<bool> = extracted.blocks.iter().map(|b| b.link_only).collect();
        assert_eq!(flags, [true, false]);
    }

    #[test]
    fn link_destinations_in_order() {
        let links = link_destinations("[a](x.md) and <https://y.test>\n\n- [b](../z.md#f)\n");
        assert_eq!(links, ["x.md", "https://y.test", "../z.md#f"]);
    }

    #[test]
    fn anchor_parsing() {
        assert_eq!(anchor_name("<a name=\"x-y\">").as_deref(), Some("x-y"));
        assert_eq!(anchor_name("<A ID='z'>").as_deref(), Some("z"));
        assert_eq!(anchor_name("<a href=\"q\">"), None);
        assert_eq!(anchor_name("<b name=\"x\">"), None);
        assert_eq!(anchor_name("<a name=\"\" onclick=\"x\">"), None);
    }
}
