//! The large shared corpus (515 real MicrosoftDocs articles, many near-duplicates) and its
//! labelled query set `articles/large-corpus-queries.tsv`, evaluated per split. Tuning looks only
//! at `train`; `test` is reported so that over-fitting shows. The floors sit just below what the
//! shipped configuration measures (docs/help-recommender.md), so a regression fails.

mod common;

use faktura_help::bench::{compare_splits, read_query_set, split_of, Quality};
use faktura_help::HelpLibrary;

fn summary(split: &str, config: &str, q: &Quality) -> String {
    format!(
        "{split:5} {config:5} n={:3} top-1 {:5.1} %  top-3 {:5.1} %  MRR {:.3}  unanswered {}",
        q.queries,
        q.top1 * 100.0,
        q.top3 * 100.0,
        q.mrr,
        q.unanswered
    )
}

#[test]
fn large_corpus_query_set_per_split() {
    let Some(file) = common::query_set("large-corpus-queries.tsv") else {
        return;
    };
    let Some(corpus) = common::large_corpus() else {
        return;
    };
    let queries = read_query_set(&file).expect("query set");
    assert!(queries.len() >= 210, "{} queries", queries.len());
    let test = split_of(&queries, "test").len();
    assert!(
        test * 3 >= queries.len() - 2 && test * 3 <= queries.len() + 2,
        "a third is test"
    );

    let (library, report) = HelpLibrary::load(false, &[corpus]);
    assert!(report.read >= 500, "{report:?}");
    // Every label names an article that was loaded.
    let paths: std::collections::HashSet<String> =
        library.articles().iter().map(|a| a.path()).collect();
    for query in &queries {
        for path in std::iter::once(&query.expected).chain(&query.alternatives) {
            assert!(paths.contains(path), "{:?}: no article {path}", query.query);
        }
    }

    let splits = compare_splits(library.articles(), &file).expect("query set");
    for (split, comparison) in &splits {
        eprintln!("{}", summary(split, "tuned", &comparison.tuned));
        eprintln!("{}", summary(split, "plain", &comparison.plain));
    }
    for (split, comparison) in &splits {
        let tuned = &comparison.tuned;
        let (top1, top3, mrr) = match split.as_str() {
            "train" => (TRAIN_TOP1, TRAIN_TOP3, TRAIN_MRR),
            _ => (TEST_TOP1, TEST_TOP3, TEST_MRR),
        };
        assert!(
            tuned.top1 >= top1 && tuned.top3 >= top3 && tuned.mrr >= mrr,
            "{split}: {}\n{:#?}",
            summary(split, "tuned", tuned),
            tuned.misses
        );
        assert!(
            tuned.unanswered * 100 <= tuned.queries * MAX_UNANSWERED_PERCENT,
            "{split}: {}",
            summary(split, "tuned", tuned)
        );
        assert!(
            tuned.mrr >= comparison.plain.mrr,
            "{split}: tuned is not better than plain"
        );
    }
}

// Floors, a little below the measured values of the shipped configuration (train 70.9 % /
// 84.2 % / 0.781, was 68.4 % / 81.6 % / 0.755 before #17's fourth stage; test 69.2 % /
// 87.2 % / 0.784).
const TRAIN_TOP1: f64 = 0.65;
const TRAIN_TOP3: f64 = 0.78;
const TRAIN_MRR: f64 = 0.73;
const TEST_TOP1: f64 = 0.66;
const TEST_TOP3: f64 = 0.84;
const TEST_MRR: f64 = 0.76;
const MAX_UNANSWERED_PERCENT: usize = 5;
