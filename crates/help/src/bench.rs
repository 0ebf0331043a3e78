//! Quality and speed measurement for the recommender: labelled query sets (top-1 accuracy and
//! mean reciprocal rank, tuned against the plain baseline) and a generator of article variations
//! for the latency benchmark. Used by `examples/help_bench.rs`.

use crate::article::{Article, ArticleSource};
use crate::error::HelpError;
use crate::search::{Recommender, SearchConfig};
use faktura_domain::Locale;
use std::fmt::Write as _;
use std::path::Path;

/// How many results a query may return for its reciprocal rank to count.
pub const RANK_DEPTH: usize = 10;

/// One line of a query set: `query<TAB>locale<TAB>expected-path`, optionally followed by
/// `<TAB>alternatives<TAB>split<TAB>kind` (see `articles/README.md`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelledQuery {
    pub query: String,
    /// `None` when the locale column is empty, `-`, `auto` or `*`: the recommender then guesses.
    pub locale: Option<Locale>,
    /// `builtin:<slug>` or a path relative to the folder, e.g. `da-DK/pay-invoice-in-azure-portal.md`.
    pub expected: String,
    /// Other articles that answer the query equally well (near-duplicates); a hit on one of
    /// them counts as right. Comma-separated in the file, `-` or empty for none.
    pub alternatives: Vec<String>,
    /// `train` or `test` (or empty): tuning looks only at `train`.
    pub split: String,
    /// Free-form register of the query (`short`, `misspelled`, `long`, `cross`, …).
    pub kind: String,
}

impl LabelledQuery {
    /// Whether `path` is the expected article or one of its alternatives.
    pub fn accepts(&self, path: &str) -> bool {
        self.expected == path || self.alternatives.iter().any(|a| a == path)
    }
}

/// The queries of one split (`train`, `test`); an empty name selects every query.
pub fn split_of(queries: &[LabelledQuery], split: &str) -> Vec<LabelledQuery> {
    queries
        .iter()
        .filter(|q| split.is_empty() || q.split == split)
        .cloned()
        .collect()
}

/// Parses a query set. Blank lines and `#` comments are skipped, and so is a header line whose
/// first column is `query`.
pub fn parse_query_set(text: &str, path: &Path) -> Result<Vec<LabelledQuery>, HelpError> {
    let mut queries = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let columns: Vec<&str> = line.split('\t').map(str::trim).collect();
        if number == 0 && columns[0].eq_ignore_ascii_case("query") {
            continue;
        }
        let error = |reason: String| HelpError::QuerySet {
            path: path.to_path_buf(),
            line: number + 1,
            reason,
        };
        if !(3..=6).contains(&columns.len()) {
            return Err(error(format!(
                "expected 3 to 6 tab-separated columns, found {}",
                columns.len()
            )));
        }
        let column = |i: usize| columns.get(i).copied().unwrap_or("");
        let (query, locale, expected) = (column(0), column(1), column(2));
        let alternatives: Vec<String> = match column(3) {
            "" | "-" => Vec::new(),
            list => list
                .split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_string)
                .collect(),
        };
        let split = column(4).to_string();
        if !matches!(split.as_str(), "" | "train" | "test") {
            return Err(error(format!("unknown split {split:?}")));
        }
        if query.is_empty() || expected.is_empty() {
            return Err(error("empty query or expected path".into()));
        }
        let locale = match locale {
            "" | "-" | "*" | "auto" => None,
            tag => Some(
                Locale::from_tag(tag).ok_or_else(|| error(format!("unknown locale {tag:?}")))?,
            ),
        };
        queries.push(LabelledQuery {
            query: query.to_string(),
            locale,
            expected: expected.to_string(),
            alternatives,
            split,
            kind: column(5).to_string(),
        });
    }
    Ok(queries)
}

/// Reads and parses a query-set file.
pub fn read_query_set(path: &Path) -> Result<Vec<LabelledQuery>, HelpError> {
    let text = std::fs::read_to_string(path).map_err(|source| HelpError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_query_set(&text, path)
}

/// Quality of one configuration on one query set.
#[derive(Debug, Clone, PartialEq)]
pub struct Quality {
    pub queries: usize,
    /// Share of queries whose expected article (or an accepted alternative) came first.
    pub top1: f64,
    /// Share of queries with an acceptable article among the first three.
    pub top3: f64,
    /// Mean of 1/rank of the expected article (0 when not in the first [`RANK_DEPTH`]).
    pub mrr: f64,
    /// Queries that returned nothing at all (below the confidence threshold).
    pub unanswered: usize,
    /// Queries answered only with "maybe" guesses (below the threshold, see
    /// [`SearchConfig::maybe_min_confidence`]). Their ranks count like any other.
    pub maybe: usize,
    /// `(query, expected, what came first)` for every query that missed top-1.
    pub misses: Vec<(String, String, Option<String>)>,
}

/// Runs every query and scores the ranking: the rank of the first acceptable article (the
/// expected one or an alternative). Locale-less queries let the recommender guess.
pub fn evaluate(recommender: &Recommender, queries: &[LabelledQuery]) -> Quality {
    let mut top1 = 0usize;
    let mut top3 = 0usize;
    let mut reciprocal = 0.0f64;
    let mut unanswered = 0usize;
    let mut maybe = 0usize;
    let mut misses = Vec::new();
    for query in queries {
        let results = recommender.recommend(&query.query, query.locale, RANK_DEPTH);
        if results.is_empty() {
            unanswered += 1;
        } else if results.iter().all(|r| r.maybe) {
            maybe += 1;
        }
        let rank = results.iter().position(|r| query.accepts(&r.path));
        if let Some(rank) = rank {
            reciprocal += 1.0 / (rank as f64 + 1.0);
            if rank < 3 {
                top3 += 1;
            }
        }
        if rank == Some(0) {
            top1 += 1;
        } else {
            misses.push((
                query.query.clone(),
                query.expected.clone(),
                results.first().map(|r| r.path.clone()),
            ));
        }
    }
    let n = queries.len().max(1) as f64;
    Quality {
        queries: queries.len(),
        top1: top1 as f64 / n,
        top3: top3 as f64 / n,
        mrr: reciprocal / n,
        unanswered,
        maybe,
        misses,
    }
}

/// Tuned and plain quality side by side for one query set.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub tuned: Quality,
    pub plain: Quality,
}

/// Indexes `articles` with [`SearchConfig::tuned`] and [`SearchConfig::plain`] and evaluates the
/// query set in `query_file` against both.
pub fn compare_configurations(
    articles: &[Article],
    query_file: &Path,
) -> Result<Comparison, HelpError> {
    let queries = read_query_set(query_file)?;
    let tuned = Recommender::build(articles, SearchConfig::tuned())?;
    let plain = Recommender::build(articles, SearchConfig::plain())?;
    Ok(Comparison {
        tuned: evaluate(&tuned, &queries),
        plain: evaluate(&plain, &queries),
    })
}

/// A Markdown table row: `| set | config | n | top-1 | top-3 | MRR | unanswered | maybe |`.
pub fn table_row(set: &str, config: &str, quality: &Quality) -> String {
    let mut row = String::new();
    let _ = write!(
        row,
        "| {set} | {config} | {} | {:.1} % | {:.1} % | {:.3} | {} | {} |",
        quality.queries,
        quality.top1 * 100.0,
        quality.top3 * 100.0,
        quality.mrr,
        quality.unanswered,
        quality.maybe
    );
    row
}

/// Tuned and plain quality per split (`train`, `test`) of one query set.
pub fn compare_splits(
    articles: &[Article],
    query_file: &Path,
) -> Result<Vec<(String, Comparison)>, HelpError> {
    let queries = read_query_set(query_file)?;
    let tuned = Recommender::build(articles, SearchConfig::tuned())?;
    let plain = Recommender::build(articles, SearchConfig::plain())?;
    Ok(["train", "test"]
        .iter()
        .map(|split| {
            let subset = split_of(&queries, split);
            let comparison = Comparison {
                tuned: evaluate(&tuned, &subset),
                plain: evaluate(&plain, &subset),
            };
            (split.to_string(), comparison)
        })
        .collect())
}

/// The techniques of the tuned configuration, added one at a time to the plain baseline: the
/// rows of the README's table. The last step is [`SearchConfig::tuned`].
pub fn technique_steps() -> Vec<(&'static str, SearchConfig)> {
    let tuned = SearchConfig::tuned();
    let plain = SearchConfig::plain();
    let analysis = SearchConfig {
        language_analysis: true,
        typo_tolerance: true,
        shared_idf: true,
        title_boost: tuned.title_boost,
        headings_boost: tuned.headings_boost,
        boilerplate_boost: tuned.boilerplate_boost,
        boilerplate_min_articles: tuned.boilerplate_min_articles,
        ..plain.clone()
    };
    let expansion = SearchConfig {
        query_expansion: true,
        ..analysis.clone()
    };
    let fallback = SearchConfig {
        cross_language_fallback: true,
        ..expansion.clone()
    };
    let keywords = SearchConfig {
        keywords_boost: tuned.keywords_boost,
        ..fallback.clone()
    };
    let rerank = SearchConfig {
        coverage_rerank: tuned.coverage_rerank,
        ..keywords.clone()
    };
    let margin = SearchConfig {
        cross_language_margin: tuned.cross_language_margin,
        ..rerank.clone()
    };
    let fair = SearchConfig {
        fair_cross_language: tuned.fair_cross_language,
        ..margin.clone()
    };
    // Tried and not shipped: shown beside the chain, which goes on without it.
    let parts = SearchConfig {
        compound_parts_boost: Some(crate::search::COMPOUND_PARTS_BOOST),
        ..fair.clone()
    };
    let scope = SearchConfig {
        scope_penalty: tuned.scope_penalty,
        ..fair.clone()
    };
    let other_language = SearchConfig {
        other_locale_factor: tuned.other_locale_factor,
        ..scope.clone()
    };
    vec![
        ("lexical baseline (plain words, BM25)", plain),
        ("+ stemming, typos, field weights, boilerplate", analysis),
        ("+ query expansion (billing synonyms)", expansion),
        ("+ cross-language fallback", fallback),
        ("+ slug keywords (document expansion)", keywords),
        ("+ coverage re-ranking", rerank),
        ("+ cross-language margin", margin),
        ("+ fair cross-language confidence", fair),
        ("(tried, not shipped: + Danish compound parts)", parts),
        (
            "+ scope re-ranking (variants for a product not asked about)",
            scope,
        ),
        ("+ other-language factor 0.65 (was 0.5)", other_language),
        ("+ \"maybe\" below the threshold (shipped)", tuned),
    ]
}

/// A set of articles and the named query sets asked against it.
pub struct Corpus<'a> {
    pub articles: &'a [Article],
    pub query_sets: Vec<(String, Vec<LabelledQuery>)>,
}

/// One configuration evaluated on every query set of every corpus (one index per corpus):
/// `(query set name, quality)`, in order.
pub fn evaluate_config(
    config: &SearchConfig,
    corpora: &[Corpus<'_>],
) -> Result<Vec<(String, Quality)>, HelpError> {
    let mut results = Vec::new();
    for corpus in corpora {
        let recommender = Recommender::build(corpus.articles, config.clone())?;
        for (name, queries) in &corpus.query_sets {
            results.push((name.clone(), evaluate(&recommender, queries)));
        }
    }
    Ok(results)
}

/// Deterministic variations of `base` for load testing: paragraphs shuffled and trimmed, words
/// swapped for others from the same language, and made-up words added so the vocabulary grows
/// as a real collection's would. Slugs are `<slug>-v<n>`.
pub fn article_variations(base: &[Article], count: usize, seed: u64) -> Vec<Article> {
    if base.is_empty() {
        return Vec::new();
    }
    let mut rng = XorShift(seed | 1);
    let words: Vec<Vec<String>> = Locale::ALL
        .iter()
        .map(|&locale| {
            base.iter()
                .filter(|a| a.locale == locale)
                .flat_map(|a| {
                    a.body_markdown
                        .split(|c: char| !c.is_alphanumeric())
                        .filter(|w| w.chars().count() > 3)
                        .map(str::to_lowercase)
                        .collect::<Vec<_>>()
                })
                .collect()
        })
        .collect();
    (0..count)
        .filter_map(|n| {
            let original = &base[n % base.len()];
            let pool = &words[usize::from(original.locale == Locale::DaDk)];
            let mut paragraphs: Vec<String> = original
                .body_markdown
                .split("\n\n")
                .filter(|p| !p.trim().is_empty())
                .map(|p| mutate(p, pool, &mut rng))
                .collect();
            rng.shuffle(&mut paragraphs);
            let keep = paragraphs.len().max(1) * 3 / 4 + 1;
            paragraphs.truncate(keep);
            let slug = format!("{}-v{n}", original.slug);
            let title = format!("{} {}", original.title, made_up_word(&mut rng));
            let text = format!(
                "---\ntitle: {title:?}\nms.contentlocale: {}\n---\n# {title}\n\n{}\n",
                original.locale.tag(),
                paragraphs.join("\n\n")
            );
            Article::parse(
                &text,
                &slug,
                ArticleSource::Builtin(slug.clone()),
                Some(original.locale),
            )
            .ok()
        })
        .collect()
}

fn mutate(paragraph: &str, pool: &[String], rng: &mut XorShift) -> String {
    paragraph
        .split(' ')
        .map(|word| match rng.below(20) {
            0 if !pool.is_empty() => pool[rng.below(pool.len())].clone(),
            1 => made_up_word(rng),
            _ => word.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn made_up_word(rng: &mut XorShift) -> String {
    const SYLLABLES: &[&str] = &[
        "ka", "lo", "mi", "ten", "sor", "bra", "vik", "dal", "ne", "qu", "zor", "fe", "lund", "ra",
    ];
    let n = 2 + rng.below(3);
    (0..n)
        .map(|_| SYLLABLES[rng.below(SYLLABLES.len())])
        .collect()
}

/// A small deterministic generator; benchmarks need repeatability, not statistical quality.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_query_sets() {
        let text = "query\tlocale\texpected-path\n# comment\n\nHvordan betaler jeg?\tda-DK\tbuiltin:pay\ncard declined\t\tbuiltin:card\n";
        let queries = parse_query_set(text, Path::new("q.tsv")).unwrap();
        assert_eq!(queries.len(), 2);
        assert_eq!(queries[0].locale, Some(Locale::DaDk));
        assert_eq!(queries[1].locale, None);
        assert_eq!(queries[1].expected, "builtin:card");
        assert!(queries[1].alternatives.is_empty());
    }

    #[test]
    fn parses_alternatives_and_splits() {
        let text = "query\tlocale\texpected\talternatives\tsplit\tkind\n\
                    ny adresse\tda-DK\tda-DK/a.md\tda-DK/b.md, da-DK/c.md\ttest\tshort\n\
                    card\ten-US\ten-US/x.md\t-\ttrain\n";
        let queries = parse_query_set(text, Path::new("q.tsv")).unwrap();
        assert_eq!(queries[0].alternatives, ["da-DK/b.md", "da-DK/c.md"]);
        assert!(queries[0].accepts("da-DK/c.md") && queries[0].accepts("da-DK/a.md"));
        assert!(!queries[0].accepts("da-DK/d.md"));
        assert_eq!(queries[0].kind, "short");
        assert_eq!(split_of(&queries, "test").len(), 1);
        assert_eq!(split_of(&queries, "train")[0].query, "card");
        assert_eq!(split_of(&queries, "").len(), 2);
        let err = parse_query_set("a\tda-DK\tx\t-\tvalidation\n", Path::new("q.tsv")).unwrap_err();
        assert!(err.to_string().contains("unknown split"), "{err}");
    }

    #[test]
    fn reports_bad_lines_with_numbers() {
        let err = parse_query_set("a\tb\n", Path::new("q.tsv")).unwrap_err();
        assert!(err.to_string().contains("q.tsv:1"), "{err}");
        let err = parse_query_set("a\tfr-FR\tx\n", Path::new("q.tsv")).unwrap_err();
        assert!(err.to_string().contains("unknown locale"), "{err}");
    }

    #[test]
    fn variations_are_deterministic_and_parse() {
        let base = vec![Article::parse(
            "---\ntitle: Pay\n---\n# Pay\n\nOpen the invoices page.\n\nSelect pay now.\n",
            "pay",
            ArticleSource::Builtin("pay".into()),
            Some(Locale::EnUs),
        )
        .unwrap()];
        let first = article_variations(&base, 5, 7);
        let second = article_variations(&base, 5, 7);
        assert_eq!(first.len(), 5);
        assert_eq!(first, second);
        assert_eq!(first[3].slug, "pay-v3");
    }
}
