//! Dumps what the shipped recommender ranks for every query of a query set, for fusion
//! experiments outside Rust: `cargo run -p faktura-help --example help_dump -- DIR QUERIES OUT`.
//!
//! Each line of OUT is `query-number<TAB>cand|rec<TAB>rank<TAB>path<TAB>score<TAB>confidence<TAB>maybe`:
//! `cand` lines are the whole candidate pool before the threshold, `rec` lines what
//! `recommend` returns (limit 10). `docs/help-recommender.md` used it to measure fusion with an
//! embedding model in Python.

use faktura_help::bench::{read_query_set, RANK_DEPTH};
use faktura_help::{Recommender, SearchConfig};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, queries, out] = args.as_slice() else {
        eprintln!("usage: help_dump DIR QUERIES OUT");
        return ExitCode::from(2);
    };
    let (library, _) = faktura_help::HelpLibrary::load(false, &[PathBuf::from(dir)]);
    let queries = match read_query_set(queries.as_ref()) {
        Ok(queries) => queries,
        Err(err) => {
            eprintln!("help_dump: {err}");
            return ExitCode::FAILURE;
        }
    };
    let recommender = match Recommender::build(library.articles(), SearchConfig::tuned()) {
        Ok(recommender) => recommender,
        Err(err) => {
            eprintln!("help_dump: {err}");
            return ExitCode::FAILURE;
        }
    };
    let mut text = String::new();
    for (number, query) in queries.iter().enumerate() {
        let lists = [
            ("cand", recommender.candidates(&query.query, query.locale)),
            (
                "rec",
                recommender.recommend(&query.query, query.locale, RANK_DEPTH),
            ),
        ];
        for (kind, hits) in lists {
            for (rank, hit) in hits.iter().enumerate() {
                let _ = writeln!(
                    text,
                    "{number}\t{kind}\t{rank}\t{}\t{}\t{}\t{}",
                    hit.path, hit.score, hit.confidence, hit.maybe
                );
            }
        }
    }
    if let Err(err) = std::fs::write(out, text) {
        eprintln!("help_dump: {err}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
