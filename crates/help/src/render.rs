//! Article markdown to safe HTML.
//!
//! pulldown-cmark renders; we rewrite a few things on the way (callouts, heading ids from
//! `<a name>` anchors, links between articles); ammonia then removes anything unsafe that raw HTML
//! in an article could bring (scripts, event handlers, `javascript:` URLs). External links get
//! `target="_blank" rel="noopener noreferrer"` after sanitizing, so ammonia never has to allow
//! `target` from article HTML.

use crate::article::{locale_folder, Article};
use crate::markdown::{self, anchor_name, slugify, IdDeduper};
use faktura_domain::Locale;
use pulldown_cmark::{BlockQuoteKind, CowStr, Event, HeadingLevel, Parser, Tag, TagEnd};
use std::sync::OnceLock;

/// A link from one article to another (`other-article.md`, `../da-DK/x.md#step-2`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleLink {
    /// The locale folder in the link if it names one, else the linking article's locale.
    pub locale: Locale,
    pub slug: String,
    /// The part after `#`, without the `#`.
    pub fragment: Option<String>,
}

impl ArticleLink {
    /// `{base}/{locale}/{slug}#{fragment}`, e.g. `/help/articles/da-DK/pay-invoice`.
    pub fn url(&self, base: &str) -> String {
        let mut url = format!(
            "{}/{}/{}",
            base.trim_end_matches('/'),
            self.locale.tag(),
            self.slug
        );
        if let Some(fragment) = &self.fragment {
            url.push('#');
            url.push_str(fragment);
        }
        url
    }
}

/// Renders an article to sanitized HTML; links to other articles point to
/// `{link_base}/{locale}/{slug}` (e.g. `link_base = "/help/articles"`).
pub fn render(article: &Article, link_base: &str) -> String {
    render_with(article, &|link: &ArticleLink| link.url(link_base))
}

/// Renders an article to sanitized HTML, asking `resolve` for the URL of each link to another
/// article.
pub fn render_with(article: &Article, resolve: &dyn Fn(&ArticleLink) -> String) -> String {
    let body = markdown::strip_docfx_lines(&article.body_markdown);
    let events = transform(
        Parser::new_ext(&body, markdown::options()),
        article.locale,
        resolve,
    );
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    let clean = sanitizer().clean(&html).to_string();
    mark_external_links(&clean)
}

fn transform<'a>(
    parser: Parser<'a>,
    locale: Locale,
    resolve: &dyn Fn(&ArticleLink) -> String,
) -> Vec<Event<'a>> {
    let mut out = Vec::new();
    let mut ids = IdDeduper::default();
    // Events inside the heading being read, and the anchor it carries.
    let mut heading: Option<(HeadingLevel, Option<String>, Vec<Event<'a>>)> = None;
    let mut skip_anchor_close = false;

    for event in parser {
        if let Some((_, anchor, inner)) = heading.as_mut() {
            match event {
                Event::End(TagEnd::Heading(_)) => {
                    if let Some((level, anchor, inner)) = heading.take() {
                        let text: String = inner
                            .iter()
                            .filter_map(|e| match e {
                                Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                                _ => None,
                            })
                            .collect();
                        let id = ids.unique(
                            anchor
                                .unwrap_or_else(|| slugify(&markdown::collapse_whitespace(&text))),
                        );
                        let n = level as usize;
                        out.push(Event::Html(format!("<h{n} id=\"{id}\">").into()));
                        out.extend(inner);
                        out.push(Event::Html(format!("</h{n}>\n").into()));
                    }
                    skip_anchor_close = false;
                }
                Event::InlineHtml(ref html) if anchor.is_none() && anchor_name(html).is_some() => {
                    *anchor = anchor_name(html);
                    skip_anchor_close = true;
                }
                Event::InlineHtml(ref html)
                    if skip_anchor_close && html.trim().eq_ignore_ascii_case("</a>") =>
                {
                    skip_anchor_close = false;
                }
                other => inner.push(rewrite(other, locale, resolve)),
            }
            continue;
        }
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                heading = Some((level, id.map(|i| markdown::sanitize_id(&i)), Vec::new()));
            }
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                let (class, label) = callout(kind);
                out.push(Event::Html(
                    format!(
                        "<div class=\"callout callout-{class}\"><p class=\"callout-title\">{label}</p>\n"
                    )
                    .into(),
                ));
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => out.push(Event::Html("</div>\n".into())),
            other => out.push(rewrite(other, locale, resolve)),
        }
    }
    out
}

/// The class suffix and the label of a callout. The label is the plain keyword; the web layer
/// localizes it.
fn callout(kind: BlockQuoteKind) -> (&'static str, &'static str) {
    match kind {
        BlockQuoteKind::Note => ("note", "Note"),
        BlockQuoteKind::Tip => ("tip", "Tip"),
        BlockQuoteKind::Important => ("important", "Important"),
        BlockQuoteKind::Warning => ("warning", "Warning"),
        BlockQuoteKind::Caution => ("caution", "Caution"),
    }
}

fn rewrite<'a>(
    event: Event<'a>,
    locale: Locale,
    resolve: &dyn Fn(&ArticleLink) -> String,
) -> Event<'a> {
    match event {
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let dest_url = match article_link(&dest_url, locale) {
                Some(link) => CowStr::from(resolve(&link)),
                None => dest_url,
            };
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            })
        }
        other => other,
    }
}

/// A relative link to another article's `.md` file, if `href` is one.
pub(crate) fn article_link(href: &str, locale: Locale) -> Option<ArticleLink> {
    let href = href.trim();
    if href.starts_with('/') || href.starts_with('#') || has_scheme(href) {
        return None;
    }
    let (path, fragment) = match href.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (href, None),
    };
    let path = path.split('?').next().unwrap_or(path);
    let file = path.rsplit('/').next()?;
    let slug = file
        .strip_suffix(".md")
        .or_else(|| file.strip_suffix(".MD"))?;
    if slug.is_empty() {
        return None;
    }
    let linked_locale = path
        .split('/')
        .rev()
        .skip(1)
        .find_map(locale_folder)
        .unwrap_or(locale);
    Some(ArticleLink {
        locale: linked_locale,
        slug: slug.to_string(),
        fragment: fragment
            .map(markdown::sanitize_id)
            .filter(|f| !f.is_empty()),
    })
}

fn has_scheme(href: &str) -> bool {
    match href.find(':') {
        Some(colon) => {
            let scheme = &href[..colon];
            !scheme.is_empty()
                && !scheme.contains('/')
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => href.starts_with("//"),
    }
}

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut builder = ammonia::Builder::default();
        for heading in ["h1", "h2", "h3", "h4", "h5", "h6"] {
            builder.add_tag_attributes(heading, ["id"]);
        }
        builder
            .add_allowed_classes(
                "div",
                [
                    "callout",
                    "callout-note",
                    "callout-tip",
                    "callout-important",
                    "callout-warning",
                    "callout-caution",
                ],
            )
            .add_allowed_classes("p", ["callout-title"])
            // We add rel ourselves, only to external links.
            .link_rel(None)
            .url_schemes(["http", "https", "mailto"].into_iter().collect());
        builder
    })
}

/// Adds `target="_blank" rel="noopener noreferrer"` to `<a>` tags whose `href` is absolute
/// http(s). Works on ammonia's output, which is well-formed: `<` only starts tags and attribute
/// values are double-quoted.
fn mark_external_links(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let tag = &rest[start..];
        let end = tag_end(tag);
        let tag_text = &tag[..end];
        let is_anchor = tag_text.len() > 2
            && tag_text.as_bytes()[1].eq_ignore_ascii_case(&b'a')
            && (tag_text.as_bytes()[2].is_ascii_whitespace() || tag_text.as_bytes()[2] == b'>');
        if is_anchor && external_href(tag_text) {
            let close = tag_text.len() - usize::from(tag_text.ends_with('>'));
            out.push_str(&tag_text[..close]);
            out.push_str(" target=\"_blank\" rel=\"noopener noreferrer\"");
            out.push_str(&tag_text[close..]);
        } else {
            out.push_str(tag_text);
        }
        rest = &tag[end..];
    }
    out.push_str(rest);
    out
}

/// Length of the tag starting at `tag[0] == '<'`, through its `>`, skipping quoted values.
fn tag_end(tag: &str) -> usize {
    let mut quote: Option<char> = None;
    for (i, c) in tag.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return i + 1,
            (None, _) => {}
        }
    }
    tag.len()
}

fn external_href(tag: &str) -> bool {
    let lower = tag.to_ascii_lowercase();
    let Some(position) = lower.find(" href=\"") else {
        return false;
    };
    let value = &lower[position + " href=\"".len()..];
    value.starts_with("http://") || value.starts_with("https://")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::ArticleSource;

    fn article(body: &str) -> Article {
        Article::parse(
            &format!("---\ntitle: T\n---\n{body}"),
            "t",
            ArticleSource::Builtin("t".into()),
            Some(Locale::DaDk),
        )
        .unwrap()
    }

    fn html(body: &str) -> String {
        render(&article(body), "/help/articles")
    }

    #[test]
    fn callouts_become_divs() {
        let out = html("> [!NOTE]\n> Careful **now**.\n\n> [!WARNING]\n> Stop.\n\n> plain quote\n");
        assert!(
            out.contains("<div class=\"callout callout-note\"><p class=\"callout-title\">Note</p>"),
            "{out}"
        );
        assert!(out.contains("<strong>now</strong>"));
        assert!(out.contains("callout-warning"));
        assert!(out.contains("<blockquote>"));
        assert!(!out.contains("[!NOTE]"));
    }

    #[test]
    fn callout_inside_a_list_item() {
        let out = html("1. Step\n\n    > [!TIP]\n    > A tip.\n");
        assert!(out.contains("callout-tip"), "{out}");
    }

    #[test]
    fn anchors_become_heading_ids() {
        let out = html("# <a name=\"pay-invoice\"></a>Betal en faktura\n\n## Næste trin\n");
        assert!(
            out.contains("<h1 id=\"pay-invoice\">Betal en faktura</h1>"),
            "{out}"
        );
        assert!(
            out.contains("<h2 id=\"næste-trin\">Næste trin</h2>"),
            "{out}"
        );
        assert!(!out.contains("name="));
    }

    #[test]
    fn docfx_lines_are_dropped() {
        let out = html("::: moniker range=\"o365-worldwide\"\n\nKept.\n\n::: moniker-end\n");
        assert!(out.contains("<p>Kept.</p>"));
        assert!(!out.contains("moniker"));
        assert!(!out.contains(":::"));
    }

    #[test]
    fn article_links_are_resolved() {
        let out = html("[a](other-article.md) [b](./x.md#step-2) [c](../en-US/y.md) [d](#here) [e](https://example.com/x.md)");
        assert!(
            out.contains("href=\"/help/articles/da-DK/other-article\""),
            "{out}"
        );
        assert!(out.contains("href=\"/help/articles/da-DK/x#step-2\""));
        assert!(out.contains("href=\"/help/articles/en-US/y\""));
        assert!(out.contains("href=\"#here\""));
        assert!(out.contains("href=\"https://example.com/x.md\""));
    }

    #[test]
    fn external_links_open_in_a_new_tab() {
        let out = html("[site](https://example.com) [inside](other.md) <a href=\"https://x.test\" target=\"_top\" onclick=\"evil()\">raw</a>");
        assert!(out.contains("<a href=\"https://example.com\" target=\"_blank\" rel=\"noopener noreferrer\">site</a>"), "{out}");
        assert!(
            out.contains("<a href=\"/help/articles/da-DK/other\">inside</a>"),
            "{out}"
        );
        assert!(
            out.contains(
                "<a href=\"https://x.test\" target=\"_blank\" rel=\"noopener noreferrer\">raw</a>"
            ),
            "{out}"
        );
        assert!(!out.contains("_top"));
    }

    #[test]
    fn scripts_handlers_and_javascript_urls_are_removed() {
        let out = html("<script>alert(1)</script>\n\n<p onclick=\"alert(2)\">hi</p>\n\n[x](javascript:alert(3)) <a href=\"JavaScript:alert(4)\">y</a> <img src=x onerror=\"alert(5)\">\n\n<iframe src=\"https://evil\"></iframe>");
        assert!(!out.to_lowercase().contains("<script"), "{out}");
        assert!(!out.contains("alert(1)"), "{out}");
        assert!(!out.to_lowercase().contains("onclick"), "{out}");
        assert!(!out.to_lowercase().contains("onerror"), "{out}");
        assert!(!out.to_lowercase().contains("javascript:"), "{out}");
        assert!(!out.contains("<iframe"), "{out}");
        assert!(out.contains("hi"));
    }

    #[test]
    fn article_link_parsing() {
        assert_eq!(article_link("https://x/y.md", Locale::EnUs), None);
        assert_eq!(article_link("mailto:a@b", Locale::EnUs), None);
        assert_eq!(article_link("/abs/y.md", Locale::EnUs), None);
        assert_eq!(article_link("y.html", Locale::EnUs), None);
        assert_eq!(
            article_link("../da/y.md?x=1#Frag", Locale::EnUs),
            Some(ArticleLink {
                locale: Locale::DaDk,
                slug: "y".into(),
                fragment: Some("Frag".into())
            })
        );
    }

    /// Every `<…>` tag in sanitized HTML.
    fn tags(html: &str) -> Vec<&str> {
        let mut found = Vec::new();
        let mut rest = html;
        while let Some(start) = rest.find('<') {
            let end = start + tag_end(&rest[start..]);
            found.push(&rest[start..end]);
            rest = &rest[end..];
        }
        found
    }

    /// An attribute such as ` onclick=` in a tag.
    fn has_event_handler(tag: &str) -> bool {
        tag.match_indices(" on").any(|(i, _)| {
            let name: String = tag[i + 3..]
                .chars()
                .take_while(char::is_ascii_alphabetic)
                .collect();
            !name.is_empty() && tag[i + 3 + name.len()..].trim_start().starts_with('=')
        })
    }

    proptest::proptest! {
        #[test]
        fn any_markdown_renders_without_scripts(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "<script>x()</script>", "<a href=\"javascript:x()\">j</a>", "[l](javascript:y)",
                    "<img src=x onerror=z()>", "> [!NOTE]\n> n", "# <a name=\"a\"></a>H", "::: moniker",
                    "[m](m.md#f)", "<a href=\"https://e.test\" onclick=\"q()\">e</a>", "\n\n", "text ",
                    "<div onmouseover=\"w()\">", "</div>", "`code`", "1. item\n", "<", ">", "\"",
                ]),
                0..24,
            )
        ) {
            let html = html(&parts.concat());
            // Outside tags everything is escaped text; only tags can carry active content.
            for tag in tags(&html) {
                let tag = tag.to_lowercase();
                proptest::prop_assert!(!tag.starts_with("<script"), "{}", html);
                proptest::prop_assert!(!tag.contains("javascript:"), "{}", html);
                proptest::prop_assert!(!has_event_handler(&tag), "{}", html);
            }
        }

        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
            if let Ok(article) = Article::parse(&text, "t", ArticleSource::Builtin("t".into()), None) {
                let _ = render(&article, "/help");
            }
        }
    }

    #[test]
    fn external_marking_skips_quoted_gt() {
        let out =
            mark_external_links("<a title=\"a > b\" href=\"https://x\">t</a><a href=\"/in\">u</a>");
        assert_eq!(
            out,
            "<a title=\"a > b\" href=\"https://x\" target=\"_blank\" rel=\"noopener noreferrer\">t</a><a href=\"/in\">u</a>"
        );
    }
}
