//! Localization: every user-visible string comes from the Fluent bundles in `locales/`,
//! embedded in the binary, in en-US and da-DK.

use faktura_domain::{Locale, Money};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::borrow::Cow;
use std::sync::Arc;

/// The Fluent files, one per area of the product, each in both languages.
macro_rules! ftl_files {
    ($($name:literal),+ $(,)?) => {
        const EN_US: &[&str] = &[$(include_str!(concat!("../../../locales/en-US/", $name))),+];
        const DA_DK: &[&str] = &[$(include_str!(concat!("../../../locales/da-DK/", $name))),+];
    };
}
ftl_files!(
    "main.ftl",
    "help.ftl",
    "admin.ftl",
    "mail.ftl",
    "payments.ftl",
    "ux.ftl",
    "api.ftl"
);

pub fn sources(locale: Locale) -> &'static [&'static str] {
    match locale {
        Locale::EnUs => EN_US,
        Locale::DaDk => DA_DK,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum I18nError {
    #[error("{locale}: cannot parse the Fluent file: {detail}")]
    Parse { locale: Locale, detail: String },
    #[error("{locale}: cannot add the Fluent file: {detail}")]
    Add { locale: Locale, detail: String },
}

/// Both bundles, built once at start-up.
pub struct I18n {
    en: FluentBundle<FluentResource>,
    da: FluentBundle<FluentResource>,
}

impl std::fmt::Debug for I18n {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("I18n")
    }
}

fn bundle(locale: Locale) -> Result<FluentBundle<FluentResource>, I18nError> {
    let lang = match locale {
        Locale::EnUs => unic_langid::langid!("en-US"),
        Locale::DaDk => unic_langid::langid!("da-DK"),
    };
    let mut bundle = FluentBundle::new_concurrent(vec![lang]);
    // Templates escape output themselves; Unicode isolation marks would only clutter the HTML.
    bundle.set_use_isolating(false);
    for source in sources(locale) {
        let resource = FluentResource::try_new((*source).to_owned()).map_err(|(_, errors)| {
            I18nError::Parse {
                locale,
                detail: format!("{errors:?}"),
            }
        })?;
        // A message defined twice across files is an error, not a silent override.
        bundle
            .add_resource(resource)
            .map_err(|errors| I18nError::Add {
                locale,
                detail: format!("{errors:?}"),
            })?;
    }
    Ok(bundle)
}

impl I18n {
    pub fn load() -> Result<Arc<I18n>, I18nError> {
        Ok(Arc::new(I18n {
            en: bundle(Locale::EnUs)?,
            da: bundle(Locale::DaDk)?,
        }))
    }

    fn bundle(&self, locale: Locale) -> &FluentBundle<FluentResource> {
        match locale {
            Locale::EnUs => &self.en,
            Locale::DaDk => &self.da,
        }
    }

    /// The message `key` (or `key.attribute`) with arguments; a missing key shows the key itself
    /// (and a test makes sure none is missing).
    pub fn format(&self, locale: Locale, key: &str, args: Option<&FluentArgs>) -> String {
        let bundle = self.bundle(locale);
        let (id, attribute) = match key.split_once('.') {
            Some((id, attr)) => (id, Some(attr)),
            None => (key, None),
        };
        let pattern = bundle.get_message(id).and_then(|message| match attribute {
            Some(attr) => message.get_attribute(attr).map(|a| a.value()),
            None => message.value(),
        });
        let Some(pattern) = pattern else {
            tracing::warn!(key, %locale, "missing localization key");
            return key.to_owned();
        };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            tracing::warn!(key, %locale, ?errors, "localization formatting problem");
        }
        text.into_owned()
    }

    pub fn has(&self, locale: Locale, id: &str) -> bool {
        self.bundle(locale).has_message(id)
    }
}

/// A request's translator: the bundle plus the locale, handed to every template.
#[derive(Clone, Debug)]
pub struct Tr {
    pub i18n: Arc<I18n>,
    pub locale: Locale,
}

impl Tr {
    pub fn new(i18n: Arc<I18n>, locale: Locale) -> Self {
        Tr { i18n, locale }
    }

    /// A plain message.
    pub fn t(&self, key: &str) -> String {
        self.i18n.format(self.locale, key, None)
    }

    /// A message with one named argument.
    pub fn t1(&self, key: &str, name: &str, value: impl ToString) -> String {
        let mut args = FluentArgs::new();
        args.set(name, FluentValue::String(Cow::Owned(value.to_string())));
        self.i18n.format(self.locale, key, Some(&args))
    }

    /// A message with several named arguments.
    pub fn tn(&self, key: &str, pairs: &[(&str, String)]) -> String {
        let mut args = FluentArgs::new();
        for (name, value) in pairs {
            args.set(*name, FluentValue::String(Cow::Owned(value.clone())));
        }
        self.i18n.format(self.locale, key, Some(&args))
    }

    pub fn money(&self, money: Money) -> String {
        self.locale.format_money(money)
    }

    pub fn date(&self, date: chrono::NaiveDate) -> String {
        self.locale.format_date(date)
    }

    pub fn lang(&self) -> &'static str {
        self.locale.language()
    }
}

/// Message ids defined in a Fluent source, for the completeness test.
pub fn message_ids(source: &str) -> Vec<String> {
    source
        .lines()
        .filter(|line| line.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
        .filter_map(|line| line.split_once('=').map(|(id, _)| id.trim().to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn both_languages_define_the_same_messages() {
        let en: BTreeSet<String> = EN_US.iter().flat_map(|s| message_ids(s)).collect();
        let da: BTreeSet<String> = DA_DK.iter().flat_map(|s| message_ids(s)).collect();
        let missing_in_da: Vec<_> = en.difference(&da).collect();
        let missing_in_en: Vec<_> = da.difference(&en).collect();
        assert!(
            missing_in_da.is_empty(),
            "missing in da-DK: {missing_in_da:?}"
        );
        assert!(
            missing_in_en.is_empty(),
            "missing in en-US: {missing_in_en:?}"
        );
        assert!(en.len() > 50, "only {} messages", en.len());
    }

    #[test]
    fn bundles_parse_and_format() {
        let i18n = I18n::load().unwrap();
        let en = Tr::new(i18n.clone(), Locale::EnUs);
        let da = Tr::new(i18n, Locale::DaDk);
        assert_eq!(en.t("nav-invoices"), "Invoices");
        assert_eq!(da.t("nav-invoices"), "Fakturaer");
        assert_eq!(da.t("status-OverDue"), "Overskredet");
        assert_eq!(en.t("no-such-key"), "no-such-key");
    }

    #[test]
    fn every_key_used_in_code_and_templates_exists() {
        let i18n = I18n::load().unwrap();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut used = BTreeSet::new();
        for dir in ["src", "templates"] {
            collect_keys(&root.join(dir), &mut used);
        }
        assert!(used.len() > 30, "found only {} keys", used.len());
        for key in &used {
            let id = key.split('.').next().unwrap_or(key);
            for locale in Locale::ALL {
                assert!(
                    i18n.has(locale, id),
                    "{key} is used but missing in {locale}"
                );
            }
        }
    }

    /// Finds `t("key")`, `t1("key"`, `tn("key"` and `tr.t("key")` calls in source and templates.
    fn collect_keys(dir: &std::path::Path, out: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                collect_keys(&path, out);
                continue;
            }
            if path.ends_with("i18n.rs") {
                continue; // this file's own examples are not real keys
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for marker in [".t(\"", ".t1(\"", ".tn(\""] {
                for piece in text.split(marker).skip(1) {
                    if let Some(end) = piece.find('"') {
                        let key = &piece[..end];
                        if !key.is_empty()
                            && key.chars().all(|c| {
                                c.is_ascii_lowercase()
                                    || c == '-'
                                    || c == '.'
                                    || c.is_ascii_uppercase()
                            })
                            && !key.contains("no-such-key")
                        {
                            out.insert(key.to_owned());
                        }
                    }
                }
            }
        }
    }
}
