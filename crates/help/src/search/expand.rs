//! Query expansion: a small table of billing words in Danish and English. A query word that
//! starts with a rule's trigger is also searched as the rule's target words, in each language's
//! analysis: `regningen` also looks for `faktura`, `flyttet` for `adresse`, and in the English
//! fields `rabatkode` looks for `promo code`, so a Danish question can find an English article
//! when no Danish one fits.
//!
//! Triggers are lowercase prefixes of the word as typed (`flyt` matches `flyttet`, `flytter`);
//! a trigger starting with `=` must match the whole word. Targets are analyzed like article text
//! and kept only if the index knows them. Expanded terms count less than the word itself, both in
//! the score and in the confidence.

use faktura_domain::Locale;
use std::collections::HashMap;
use tantivy::tokenizer::TextAnalyzer;

/// One rule: words that trigger it, and what to search for in Danish and in English.
struct Rule {
    triggers: &'static [&'static str],
    da: &'static str,
    en: &'static str,
}

const fn rule(triggers: &'static [&'static str], da: &'static str, en: &'static str) -> Rule {
    Rule { triggers, da, en }
}

/// Billing vocabulary. Kept small and general: words customers use for the concepts the
/// articles name differently, plus the Danish names of countries the payment articles cover.
const RULES: &[Rule] = &[
    // Invoices and bills.
    rule(
        &["regning", "faktura", "=bill", "bills"],
        "faktura regning",
        "invoice bill",
    ),
    rule(
        &["pdf", "udskriv", "kopi", "print", "download"],
        "download faktura pdf",
        "download invoice",
    ),
    rule(
        &[
            "højere",
            "dyrere",
            "steget",
            "stiget",
            "forhøj",
            "higher",
            "expensive",
            "increase",
        ],
        "beløb forventede faktureringsbeløb",
        "charges amount",
    ),
    rule(
        &[
            "ukendt",
            "genkend",
            "bankudtog",
            "kontoudtog",
            "unknown",
            "unexpected",
            "recogni",
        ],
        "gebyr ordreoversigt msbill",
        "charge",
    ),
    // Addresses and moving.
    rule(
        &["flyt", "lokaler", "moved", "relocat", "address"],
        "adresse faktureringsadresse",
        "address",
    ),
    rule(&["adres"], "adresse faktureringsadresse", "address"),
    // Cards and payment methods.
    rule(
        &["kort", "betalingskort", "kreditkort", "debetkort"],
        "kreditkort betalingsmetode",
        "credit card payment",
    ),
    rule(&["=card", "cards"], "kreditkort betalingskort", "card"),
    rule(
        &["udløb", "expir"],
        "udløbsdato udløber",
        "expiration expire",
    ),
    rule(
        &["trukket", "trække", "trækning", "opkræv", "charged"],
        "opkræves opkrævning",
        "charged",
    ),
    rule(
        &["afvis", "afvist", "declin", "reject"],
        "afvist",
        "declined",
    ),
    rule(
        &["udestående", "forfald", "skylder", "overdue", "outstanding"],
        "udestående saldo forfalden afregn",
        "outstanding balance",
    ),
    rule(
        &[
            "bankoverf",
            "overførsel",
            "iban",
            "swift",
            "wire",
            "transfer",
        ],
        "bankoverførsel overførsel",
        "electronic funds transfer bank",
    ),
    // Money back.
    rule(
        &["tilbagebetal", "refu", "retur", "krediter", "refund"],
        "refusion kredit krediteret",
        "refund credit",
    ),
    rule(&["=tilbage", "=back"], "refusion kredit", "refund credit"),
    rule(
        &["midtvejs", "=midt", "mid-term", "midway"],
        "midtvejs",
        "mid",
    ),
    // How often one pays.
    rule(
        &[
            "månedl", "maanedl", "årlig", "aarlig", "=år", "=året", "monthly", "yearly", "annual",
        ],
        "faktureringshyppighed månedlig årlig",
        "billing frequency monthly annual",
    ),
    // Licences, users, subscriptions.
    rule(
        &["licen", "licens", "seat", "sæde"],
        "licenser licens",
        "licenses license",
    ),
    rule(
        &[
            "medarbejder",
            "ansat",
            "ansatte",
            "vikar",
            "kollega",
            "employee",
            "staff",
        ],
        "brugere bruger",
        "users user",
    ),
    rule(
        &["opsig", "annul", "stoppe", "cancel"],
        "annuller opsig",
        "cancel",
    ),
    rule(
        &["pause", "midlertidig", "suspend"],
        "suspendere afbryde midlertidigt",
        "suspend",
    ),
    rule(
        &["genaktiv", "lukket", "reactivat"],
        "genaktiver",
        "reactivate",
    ),
    rule(&["prøve", "trial"], "prøveversion prøveperiode", "trial"),
    rule(&["opgrad", "upgrad"], "opgrader plan", "upgrade plan"),
    rule(
        &["tilføjelse", "add-on", "addon"],
        "tilføjelse tilføjelsesprogram",
        "add-on",
    ),
    rule(
        &[
            "færre", "reducer", "=skære", "=skærer", "nedsæt", "reduce", "fewer",
        ],
        "reducere fjerne",
        "reduce remove",
    ),
    rule(
        &["overtag", "overtage", "takeover"],
        "administrator",
        "become admin",
    ),
    rule(
        &["fælles", "=delt", "=delte", "shared"],
        "delt fælles",
        "shared",
    ),
    rule(
        &["=måder", "betalingsmåde", "=ways"],
        "betalingsmuligheder",
        "payment options",
    ),
    rule(
        &["forklar", "explain", "explanation"],
        "forstå forklaring",
        "understand",
    ),
    rule(
        &["organisation", "organization"],
        "lejer organisation",
        "tenant organization",
    ),
    rule(
        &["unused", "ubrugt", "ubenyt"],
        "ubrugte fjerne",
        "unused remove",
    ),
    rule(&["postkas", "mailbox"], "postkasse", "mailbox"),
    rule(&["lagerplads", "storage"], "lagerplads", "storage"),
    // Tax.
    rule(
        &["moms", "=cvr", "=vat", "=tax", "skat"],
        "moms momsnummer",
        "vat tax",
    ),
    rule(
        &["rabat", "kampagne", "promo", "discount"],
        "rabat",
        "promo code discount",
    ),
    rule(
        &["forening", "nonprofit", "velgørenhed", "charity"],
        "nonprofitorganisationer",
        "nonprofit",
    ),
    rule(&["corona", "covid"], "covid", "covid"),
    // Accounts and sign-in.
    rule(
        &["adgangskode", "kodeord", "password"],
        "adgangskode",
        "password",
    ),
    rule(
        &["sikkerhedskopi", "backup", "back-up"],
        "sikkerhedskopiere",
        "back up",
    ),
    rule(&["kontakt"], "kontakter", "contacts"),
    rule(&["domæne", "domain"], "domæne", "domain"),
    rule(
        &["spær", "bloker", "fyret", "block"],
        "bloker adgang",
        "block access",
    ),
    rule(&["lejer", "tenant"], "lejer", "tenant"),
    rule(
        &["gmail", "hotmail", "privat", "personal"],
        "privat mail",
        "personal email address",
    ),
    // Countries the payment articles cover, by their Danish names.
    rule(&["norge", "norsk"], "norge", "norway"),
    rule(&["tyskland", "tysk"], "tyskland", "germany"),
    rule(&["sverige", "svensk"], "sverige", "sweden"),
    rule(&["danmark"], "danmark", "denmark"),
    rule(&["færø"], "færøerne", "faroe islands"),
    rule(&["finland", "finsk"], "finland", "finland"),
    rule(&["frankrig", "fransk"], "frankrig", "france"),
    rule(
        &["holland", "nederland", "hollandsk"],
        "holland",
        "netherlands",
    ),
    rule(
        &[
            "england",
            "storbritannien",
            "britisk",
            "britain",
            "=uk",
            "pounds",
        ],
        "storbritannien",
        "united kingdom",
    ),
    rule(&["schweiz"], "schweiz", "switzerland"),
    rule(&["polen", "polsk"], "polen", "poland"),
    rule(&["=island"], "island", "iceland"),
    rule(&["østrig"], "østrig", "austria"),
    rule(&["belgien"], "belgien", "belgium"),
    rule(&["italien"], "italien", "italy"),
    rule(&["spanien"], "spanien", "spain"),
    rule(
        &["=usa", "=us", "amerika", "america"],
        "usa",
        "united states",
    ),
];

/// The rules analyzed for one language: trigger → indexed target terms.
#[derive(Debug, Default)]
pub(super) struct Expansions {
    prefixes: Vec<(String, Vec<String>)>,
    exact: HashMap<String, Vec<String>>,
}

impl Expansions {
    /// Analyzes every rule's targets for `language`, keeping the terms `known` accepts.
    pub(super) fn new(
        language: Locale,
        analyzer: &TextAnalyzer,
        known: impl Fn(&str) -> bool,
    ) -> Expansions {
        let mut expansions = Expansions::default();
        for rule in RULES {
            let targets = match language {
                Locale::DaDk => rule.da,
                Locale::EnUs => rule.en,
            };
            let mut analyzer = analyzer.clone();
            let mut stream = analyzer.token_stream(targets);
            let mut terms = Vec::new();
            while stream.advance() {
                let term = stream.token().text.clone();
                if known(&term) && !terms.contains(&term) {
                    terms.push(term);
                }
            }
            if terms.is_empty() {
                continue;
            }
            for trigger in rule.triggers {
                match trigger.strip_prefix('=') {
                    Some(word) => expansions
                        .exact
                        .entry(word.to_string())
                        .or_default()
                        .extend(terms.iter().cloned()),
                    None => expansions
                        .prefixes
                        .push((trigger.to_string(), terms.clone())),
                }
            }
        }
        expansions
    }

    /// Target terms for a word as typed (lowercased), without duplicates.
    pub(super) fn for_word(&self, word: &str) -> Vec<String> {
        let mut terms: Vec<String> = Vec::new();
        let exact = self.exact.get(word).into_iter().flatten();
        let prefixed = self
            .prefixes
            .iter()
            .filter(|(prefix, _)| word.starts_with(prefix.as_str()))
            .flat_map(|(_, t)| t);
        for term in exact.chain(prefixed) {
            if !terms.contains(term) {
                terms.push(term.clone());
            }
        }
        terms
    }
}
