//! The labelled query sets: tuned search must do at least as well as the plain baseline, and
//! well in absolute terms. (Speed is measured by `examples/help_bench.rs`, not asserted here.)

mod common;

use faktura_help::bench::compare_configurations;
use faktura_help::HelpLibrary;

#[test]
fn builtin_query_set() {
    let Some(queries) = common::query_set("queries.tsv") else {
        return;
    };
    let (library, _) = HelpLibrary::load(true, &[]);
    let comparison = compare_configurations(library.articles(), &queries).expect("query set");
    eprintln!(
        "tuned {:?}",
        (
            comparison.tuned.top1,
            comparison.tuned.mrr,
            comparison.tuned.unanswered
        )
    );
    eprintln!(
        "plain {:?}",
        (
            comparison.plain.top1,
            comparison.plain.mrr,
            comparison.plain.unanswered
        )
    );
    assert!(comparison.tuned.queries >= 60);
    assert!(comparison.tuned.mrr >= comparison.plain.mrr);
    assert!(
        comparison.tuned.top1 >= 0.84,
        "{:#?}",
        comparison.tuned.misses
    );
    // Real questions are answered: the confidence threshold lets them through.
    assert!(
        comparison.tuned.unanswered * 20 <= comparison.tuned.queries,
        "{:#?}",
        comparison.tuned.misses
    );
}

#[test]
fn corpus_query_set() {
    let Some(queries) = common::query_set("corpus-queries.tsv") else {
        return;
    };
    let Some(corpus) = common::corpus() else {
        return;
    };
    let (library, _) = HelpLibrary::load(false, &[corpus]);
    let comparison = compare_configurations(library.articles(), &queries).expect("query set");
    assert!(
        comparison.tuned.top1 >= 0.9,
        "{:#?}",
        comparison.tuned.misses
    );
    assert_eq!(comparison.tuned.unanswered, 0);
}
