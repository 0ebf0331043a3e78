//! Front matter: the `---`-delimited block at the top of an article.
//!
//! Real files are messy (see the shared corpus): a UTF-8 BOM, CRLF line ends, delimiters with
//! trailing spaces, and blocks that machine translation turned into invalid YAML. We parse with a
//! YAML 1.2 parser first and fall back to a line-based `key: value` reader, so a broken block still
//! yields its title and the article's body is still indexed.

use yaml_rust2::{Yaml, YamlLoader};

/// One front-matter value, flattened to what articles use: text or a list of texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    Text(String),
    List(Vec<String>),
    Empty,
}

/// Keys in file order. Keys are kept as written; look-ups are case-insensitive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FrontMatter {
    pub entries: Vec<(String, Value)>,
}

impl FrontMatter {
    pub fn get(&self, key: &str) -> Option<&Value> {
        // The last occurrence wins, as in most YAML readers that tolerate duplicates.
        self.entries
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    }

    /// A single text value; a one-element list is accepted too.
    pub fn text(&self, key: &str) -> Option<String> {
        match self.get(key)? {
            Value::Text(text) if !text.trim().is_empty() => Some(text.trim().to_string()),
            Value::List(items) if items.len() == 1 => Some(items[0].trim().to_string()),
            _ => None,
        }
        .filter(|s| !s.is_empty())
    }

    /// A list value; a scalar becomes a list split on commas (`ms.custom: 443, 1500018`).
    pub fn list(&self, key: &str) -> Vec<String> {
        let items: Vec<String> = match self.get(key) {
            Some(Value::List(items)) => items.clone(),
            Some(Value::Text(text)) => text.split(',').map(str::to_string).collect(),
            Some(Value::Empty) | None => Vec::new(),
        };
        items
            .into_iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    }
}

/// Strips a UTF-8 byte-order mark and turns CRLF and lone CR line ends into LF.
pub(crate) fn normalize_text(raw: &str) -> String {
    let text = raw.strip_prefix('\u{feff}').unwrap_or(raw);
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text.to_string()
    }
}

/// Splits normalized text into `(front matter, body)`. The front matter is `None` when the file
/// does not start with `---`. An opening delimiter that is never closed is reported and the whole
/// text is treated as body.
pub(crate) fn split(text: &str, warnings: &mut Vec<String>) -> (Option<String>, String) {
    let mut lines = text.split_inclusive('\n');
    let mut offset = 0;
    // Blank lines before the opening delimiter are tolerated.
    let first = loop {
        match lines.next() {
            Some(line) if line.trim().is_empty() => offset += line.len(),
            Some(line) => break Some(line),
            None => break None,
        }
    };
    let Some(first) = first else {
        return (None, String::new());
    };
    if first.trim() != "---" {
        return (None, text.to_string());
    }
    let front_start = offset + first.len();
    let mut position = front_start;
    for line in lines {
        let trimmed = line.trim();
        if trimmed == "---" || trimmed == "..." {
            let front = text[front_start..position].to_string();
            let body = text[position + line.len()..].to_string();
            return (Some(front), body);
        }
        position += line.len();
    }
    warnings.push("front matter opened with --- but never closed; read the file as body".into());
    (None, text.to_string())
}

/// Parses a front-matter block, falling back to the line reader when it is not a YAML mapping.
pub(crate) fn parse(front: &str, warnings: &mut Vec<String>) -> FrontMatter {
    if front.trim().is_empty() {
        return FrontMatter::default();
    }
    match YamlLoader::load_from_str(front) {
        Ok(docs) => match docs.into_iter().next() {
            Some(Yaml::Hash(hash)) => FrontMatter {
                entries: hash
                    .into_iter()
                    .filter_map(|(k, v)| Some((scalar(&k)?, value(v))))
                    .collect(),
            },
            Some(Yaml::Null) | None => FrontMatter::default(),
            Some(_) => {
                warnings.push(
                    "front matter is not a YAML mapping; read it line by line instead".into(),
                );
                parse_lines(front, warnings)
            }
        },
        Err(err) => {
            warnings.push(format!(
                "front matter is not valid YAML ({err}); read it line by line instead"
            ));
            parse_lines(front, warnings)
        }
    }
}

fn scalar(yaml: &Yaml) -> Option<String> {
    match yaml {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

fn value(yaml: Yaml) -> Value {
    match yaml {
        Yaml::Array(items) => Value::List(items.iter().filter_map(scalar).collect()),
        Yaml::Null | Yaml::BadValue => Value::Empty,
        Yaml::Hash(_) | Yaml::Alias(_) => Value::Empty,
        other => scalar(&other).map_or(Value::Empty, Value::Text),
    }
}

/// The tolerant reader: `key: value` lines, `- item` lines that extend the previous key, and lines
/// where several `key: value` pairs were run together (machine translation joins lines).
pub(crate) fn parse_lines(front: &str, warnings: &mut Vec<String>) -> FrontMatter {
    let mut entries: Vec<(String, Value)> = Vec::new();
    for (number, line) in front.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(item) = list_item(trimmed) {
            match entries.last_mut() {
                Some((_, value)) => push_item(value, unquote(item)),
                None => warnings.push(format!(
                    "front matter line {}: list item without a key, ignored",
                    number + 1
                )),
            }
            continue;
        }
        let pairs = key_values(trimmed);
        if pairs.is_empty() {
            warnings.push(format!(
                "front matter line {}: not `key: value`, ignored: {}",
                number + 1,
                shorten(trimmed)
            ));
            continue;
        }
        for (key, raw) in pairs {
            let text = unquote(raw);
            // A value of punctuation only (`ms.custom: (`) is debris before a list.
            let value = if text.chars().any(char::is_alphanumeric) {
                Value::Text(text)
            } else {
                Value::Empty
            };
            entries.push((key.to_string(), value));
        }
    }
    FrontMatter { entries }
}

fn list_item(line: &str) -> Option<&str> {
    if line == "-" {
        Some("")
    } else {
        line.strip_prefix("- ")
    }
}

fn push_item(value: &mut Value, item: String) {
    match value {
        Value::List(items) => items.push(item),
        Value::Empty => *value = Value::List(vec![item]),
        Value::Text(text) => {
            let first = std::mem::take(text);
            *value = Value::List(vec![first, item]);
        }
    }
}

/// Finds `key: value` pairs in one line. The first key must start the line; later keys split the
/// line only if they look like front-matter keys, so `title: Fix: a typo` stays one value.
fn key_values(line: &str) -> Vec<(&str, &str)> {
    let candidates = key_candidates(line);
    let Some(&(first_start, _, _)) = candidates.first() else {
        return Vec::new();
    };
    if first_start != 0 {
        return Vec::new();
    }
    let accepted: Vec<(usize, usize, usize)> = candidates
        .into_iter()
        .enumerate()
        .filter(|(i, (start, key_end, _))| *i == 0 || looks_like_key(&line[*start..*key_end]))
        .map(|(_, c)| c)
        .collect();
    accepted
        .iter()
        .enumerate()
        .map(|(i, &(start, key_end, value_start))| {
            let value_end = accepted.get(i + 1).map_or(line.len(), |next| next.0);
            let value_start = value_start.min(value_end);
            (&line[start..key_end], line[value_start..value_end].trim())
        })
        .collect()
}

/// `(key start, key end, value start)` of every `word:` followed by a space or the line end,
/// where the word starts the line or follows whitespace.
fn key_candidates(line: &str) -> Vec<(usize, usize, usize)> {
    let bytes = line.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let at_word_start = i == 0 || bytes[i - 1].is_ascii_whitespace();
        if at_word_start && (bytes[i].is_ascii_alphabetic() || bytes[i] == b'_') {
            let mut end = i;
            while end < bytes.len()
                && (bytes[end].is_ascii_alphanumeric() || matches!(bytes[end], b'_' | b'.' | b'-'))
            {
                end += 1;
            }
            if end < bytes.len()
                && bytes[end] == b':'
                && (end + 1 == bytes.len() || bytes[end + 1].is_ascii_whitespace())
            {
                found.push((i, end, end + 1));
                i = end + 1;
                continue;
            }
            i = end.max(i + 1);
            continue;
        }
        i += 1;
    }
    found
}

fn looks_like_key(key: &str) -> bool {
    const KNOWN: &[&str] = &[
        "title",
        "titel",
        "description",
        "beskrivelse",
        "author",
        "manager",
        "audience",
        "keywords",
    ];
    key.contains(['.', '_'])
        || KNOWN.iter().any(|k| k.eq_ignore_ascii_case(key))
        || (key.len() > 1 && key.chars().all(|c| c.is_ascii_uppercase()))
}

fn unquote(raw: &str) -> String {
    let raw = raw.trim();
    if raw.len() >= 2 && raw.starts_with('"') && raw.ends_with('"') {
        raw[1..raw.len() - 1].replace("\\\"", "\"")
    } else if raw.len() >= 2 && raw.starts_with('\'') && raw.ends_with('\'') {
        raw[1..raw.len() - 1].replace("''", "'")
    } else {
        raw.to_string()
    }
}

fn shorten(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse_ok(front: &str) -> (FrontMatter, Vec<String>) {
        let mut warnings = Vec::new();
        let fm = parse(front, &mut warnings);
        (fm, warnings)
    }

    #[test]
    fn normalizes_bom_and_line_ends() {
        assert_eq!(normalize_text("\u{feff}a\r\nb\rc\n"), "a\nb\nc\n");
    }

    #[test]
    fn splits_with_trailing_spaces_on_delimiters() {
        let mut warnings = Vec::new();
        let (front, body) = split("---   \ntitle: X\n---  \n# Body\n", &mut warnings);
        assert_eq!(front.as_deref(), Some("title: X\n"));
        assert_eq!(body, "# Body\n");
        assert!(warnings.is_empty());
    }

    #[test]
    fn no_front_matter_is_all_body() {
        let mut warnings = Vec::new();
        let (front, body) = split("# Just a body\n", &mut warnings);
        assert!(front.is_none());
        assert_eq!(body, "# Just a body\n");
    }

    #[test]
    fn unclosed_front_matter_is_reported() {
        let mut warnings = Vec::new();
        let (front, body) = split("---\ntitle: X\n# Body\n", &mut warnings);
        assert!(front.is_none());
        assert!(body.contains("# Body"));
        assert_eq!(warnings.len(), 1);
    }

    #[test]
    fn valid_yaml_with_quoted_number_list() {
        let (fm, warnings) = parse_ok(
            "title: Afvist kreditkort\nms.custom:\n- \"443\"\n- \"1500018\"\nms.date: ''\n",
        );
        assert!(warnings.is_empty());
        assert_eq!(fm.text("title").as_deref(), Some("Afvist kreditkort"));
        assert_eq!(fm.list("ms.custom"), vec!["443", "1500018"]);
        assert_eq!(fm.text("ms.date"), None);
    }

    #[test]
    fn ms_custom_bare_number_or_empty() {
        let (fm, _) = parse_ok("ms.custom: 1500018\n");
        assert_eq!(fm.list("ms.custom"), vec!["1500018"]);
        let (fm, _) = parse_ok("ms.custom: ''\n");
        assert!(fm.list("ms.custom").is_empty());
        let (fm, _) = parse_ok("ms.custom:\n- 9257\n- TopSMBIssues\n");
        assert_eq!(fm.list("ms.custom"), vec!["9257", "TopSMBIssues"]);
    }

    #[test]
    fn machine_translated_block_falls_back_to_lines() {
        let front = "titel: \"Fejlfinding af tilstedeværelsesproblemer i Outlook\" ms.author: pebaum author: pebaum manager: scotv ms.date: 04/8/2021 ms.audience: Admin ms.topic: article ms.service: o365-administration AFSK: NOINDEX, NOFOLLOW localization_priority: Priority ms.collection: Adm_O365 ms.custom: (\n- 9257\n- 9003349\n";
        let (fm, warnings) = parse_ok(front);
        assert!(warnings.iter().any(|w| w.contains("not valid YAML")));
        assert_eq!(
            fm.text("titel").as_deref(),
            Some("Fejlfinding af tilstedeværelsesproblemer i Outlook")
        );
        assert_eq!(fm.text("ms.date").as_deref(), Some("04/8/2021"));
        assert_eq!(fm.text("AFSK").as_deref(), Some("NOINDEX, NOFOLLOW"));
        assert_eq!(fm.list("ms.custom"), vec!["9257", "9003349"]);
    }

    #[test]
    fn line_reader_keeps_colons_inside_values() {
        let mut warnings = Vec::new();
        let fm = parse_lines("title: Fix: a typo in the invoice\n", &mut warnings);
        assert_eq!(
            fm.text("title").as_deref(),
            Some("Fix: a typo in the invoice")
        );
        assert!(warnings.is_empty());
    }

    #[test]
    fn line_reader_reports_junk_lines() {
        let mut warnings = Vec::new();
        let fm = parse_lines("- orphan\ntitle: Ok\n(this is not a key)\n", &mut warnings);
        assert_eq!(fm.text("title").as_deref(), Some("Ok"));
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        // A list item after a scalar turns the key into a list.
        let fm = parse_lines("keywords: a\n- b\n", &mut warnings);
        assert_eq!(fm.list("keywords"), vec!["a", "b"]);
    }

    #[test]
    fn scalar_document_is_not_a_mapping() {
        let (fm, warnings) = parse_ok("just some words\n");
        assert!(fm.entries.is_empty());
        assert!(warnings.iter().any(|w| w.contains("not a YAML mapping")));
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_text(text in "\\PC*") {
            let mut warnings = Vec::new();
            let normalized = normalize_text(&text);
            let (front, _body) = split(&normalized, &mut warnings);
            let fm = parse(front.as_deref().unwrap_or(&normalized), &mut warnings);
            let _ = fm.text("title");
            let _ = fm.list("ms.custom");
            let _ = parse_lines(&normalized, &mut warnings);
        }

        #[test]
        fn never_panics_on_front_matter_like_text(
            lines in proptest::collection::vec("[a-zA-Z._ -]{0,12}(: ?)?[\"'(\\[{a-z0-9 :,-]{0,20}", 0..12)
        ) {
            let text = format!("\u{feff}---  \r\n{}\r\n---\r\nbody", lines.join("\r\n"));
            let mut warnings = Vec::new();
            let normalized = normalize_text(&text);
            let (front, _) = split(&normalized, &mut warnings);
            let fm = parse(front.as_deref().unwrap_or(""), &mut warnings);
            let _ = fm.list("ms.custom");
        }
    }
}
