//! Help search benchmark: quality of the tuned and plain configurations on the labelled query
//! sets, and indexing time and recommend latency on 10,000 generated articles.
//!
//! ```text
//! cargo run -p faktura-help --release --example help_bench [-- --misses] [--steps] [--articles DIR] [--corpus DIR] [--large DIR] [--count N] [--no-speed]
//! ```
//!
//! `--steps` adds the table of techniques (the plain baseline, then each technique of the tuned
//! configuration added in turn) with top-1 and MRR per query set and split.
//!
//! `--articles` defaults to the workspace's `articles/` (query set `queries.tsv`, articles are the
//! built-in ones), `--corpus` to `../shared/help-corpus` (query set `articles/corpus-queries.tsv`),
//! `--large` to `../shared/help-corpus-large` (query set `articles/large-corpus-queries.tsv`,
//! reported per split: `train` is what tuning may look at, `test` is held out).

use faktura_help::bench::{self, LabelledQuery, Quality};
use faktura_help::{Article, HelpLibrary, Recommender, SearchConfig};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Queries no article should answer.
const NOISE: &[&str] = &[
    "xyzzy plugh",
    "asdf qwerty",
    "qwertyuiop",
    "lorem ipsum dolor sit amet",
    "foo bar baz",
    "blah blah blah",
    "test test",
    "banana smoothie recipe",
    "weather tomorrow copenhagen",
    "how tall is the eiffel tower",
    "hvad er klokken",
    "jeg elsker pizza",
    "reset my password",
    "printer paper jam",
];

struct Options {
    articles: PathBuf,
    corpus: PathBuf,
    large: PathBuf,
    count: usize,
    speed: bool,
    show_misses: bool,
    steps: bool,
}

fn options() -> Result<Options, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut options = Options {
        articles: root.join("articles"),
        corpus: root.join("../shared/help-corpus"),
        large: root.join("../shared/help-corpus-large"),
        count: 10_000,
        speed: true,
        show_misses: false,
        steps: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--misses" => options.show_misses = true,
            "--steps" => options.steps = true,
            "--articles" => {
                options.articles = args.next().ok_or("--articles needs a folder")?.into()
            }
            "--corpus" => options.corpus = args.next().ok_or("--corpus needs a folder")?.into(),
            "--large" => options.large = args.next().ok_or("--large needs a folder")?.into(),
            "--no-speed" => options.speed = false,
            "--count" => {
                options.count = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or("--count needs a number")?
            }
            "--bench" => {} // passed by `cargo bench`-style runners
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(options)
}

fn main() -> ExitCode {
    let options = match options() {
        Ok(options) => options,
        Err(err) => {
            eprintln!("help_bench: {err}");
            return ExitCode::from(2);
        }
    };

    let (builtin, report) = HelpLibrary::load(true, &[]);
    let builtin: Vec<Article> = builtin.articles().to_vec();
    println!(
        "built-in articles: {} read, {} with warnings, {} skipped",
        report.read,
        report.with_warnings,
        report.skipped.len()
    );
    let corpus: Vec<Article> = if options.corpus.is_dir() {
        let (library, report) = HelpLibrary::load(false, std::slice::from_ref(&options.corpus));
        println!(
            "corpus articles: {} read, {} with warnings, {} skipped",
            report.read,
            report.with_warnings,
            report.skipped.len()
        );
        library.articles().to_vec()
    } else {
        println!(
            "corpus folder {} not found; corpus rows left out",
            options.corpus.display()
        );
        Vec::new()
    };

    let large: Vec<Article> = load_folder("large corpus", &options.large);

    println!();
    println!(
        "## Quality (top-1 accuracy and mean reciprocal rank over the first {})",
        bench::RANK_DEPTH
    );
    println!();
    println!("| query set | configuration | queries | top-1 | top-3 | MRR | unanswered | maybe |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|");
    let sets = [
        (
            "queries.tsv (built-in)",
            options.articles.join("queries.tsv"),
            &builtin,
        ),
        (
            "corpus-queries.tsv (shared corpus)",
            options.articles.join("corpus-queries.tsv"),
            &corpus,
        ),
    ];
    let mut all_queries: Vec<LabelledQuery> = Vec::new();
    let mut misses: Vec<(String, Quality)> = Vec::new();
    for (name, file, articles) in sets {
        if articles.is_empty() {
            continue;
        }
        match bench::compare_configurations(articles, &file) {
            Ok(comparison) => {
                println!("{}", bench::table_row(name, "tuned", &comparison.tuned));
                println!("{}", bench::table_row(name, "plain", &comparison.plain));
                misses.push((name.to_string(), comparison.tuned));
                if let Ok(queries) = bench::read_query_set(&file) {
                    all_queries.extend(queries);
                }
            }
            Err(err) => println!("| {name} | – | error: {err} | | | | | |"),
        }
    }
    if !large.is_empty() {
        let file = options.articles.join("large-corpus-queries.tsv");
        match bench::compare_splits(&large, &file) {
            Ok(splits) => {
                for (split, comparison) in splits {
                    let name = format!("large-corpus-queries.tsv ({split})");
                    println!("{}", bench::table_row(&name, "tuned", &comparison.tuned));
                    println!("{}", bench::table_row(&name, "plain", &comparison.plain));
                    // Only the train split's misses are shown: the test split is for reporting.
                    if split == "train" {
                        misses.push((name, comparison.tuned));
                    }
                }
            }
            Err(err) => println!("| large-corpus-queries.tsv | – | error: {err} | | | | | |"),
        }
    }
    if options.steps {
        print_steps(&options, &builtin, &corpus, &large);
    }
    // The confidence threshold: labelled queries must clear it, gibberish and off-topic
    // questions must not.
    let threshold = SearchConfig::tuned().min_confidence;
    let all_articles: Vec<Article> = builtin.iter().chain(&corpus).cloned().collect();
    let open = Recommender::build(
        &all_articles,
        SearchConfig {
            min_confidence: 0.0,
            ..SearchConfig::tuned()
        },
    );
    if let Ok(open) = open {
        let best = |query: &str, locale| {
            open.recommend(query, locale, bench::RANK_DEPTH)
                .iter()
                .map(|r| r.confidence)
                .fold(0.0f32, f32::max)
        };
        let weakest = all_queries
            .iter()
            .map(|q| (best(&q.query, q.locale), q.query.as_str()))
            .min_by(|a, b| a.0.total_cmp(&b.0));
        let strongest_noise = NOISE
            .iter()
            .map(|q| (best(q, None), *q))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        println!();
        println!("## Confidence threshold {threshold} (built-in and corpus articles together)");
        println!();
        if let Some((confidence, query)) = weakest {
            println!("- weakest labelled query: {confidence:.2} ({query:?})");
        }
        if let Some((confidence, query)) = strongest_noise {
            println!(
                "- strongest of {} gibberish/off-topic queries: {confidence:.2} ({query:?})",
                NOISE.len()
            );
        }
        if let Some(floor) = SearchConfig::tuned().maybe_min_confidence {
            let guessed: Vec<&str> = NOISE
                .iter()
                .filter(|q| best(q, None) >= floor)
                .copied()
                .collect();
            println!(
                "- \"maybe\" floor {floor}: {} of {} gibberish/off-topic queries get two guesses {guessed:?}",
                guessed.len(),
                NOISE.len()
            );
        }
    }

    if options.show_misses {
        for (name, quality) in &misses {
            println!("\nTuned misses on {name}:");
            for (query, expected, got) in &quality.misses {
                println!(
                    "- {query:?}: expected {expected}, got {}",
                    got.as_deref().unwrap_or("nothing")
                );
            }
        }
    }

    let base: Vec<Article> = builtin.iter().chain(&corpus).cloned().collect();
    if !options.speed {
        return ExitCode::SUCCESS;
    }
    if base.is_empty() || all_queries.is_empty() {
        println!("\nno articles or queries; latency benchmark skipped");
        return ExitCode::SUCCESS;
    }
    println!();
    println!(
        "## Speed ({} generated article variations, {} threads available)",
        options.count,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!();
    println!("| configuration | indexing | recommend p50 | recommend p99 | queries timed |");
    println!("|---|---:|---:|---:|---:|");
    let variations = bench::article_variations(&base, options.count, 42);
    for (name, config) in [
        ("tuned", SearchConfig::tuned()),
        ("plain", SearchConfig::plain()),
    ] {
        let started = Instant::now();
        let recommender = match Recommender::build(&variations, config) {
            Ok(recommender) => recommender,
            Err(err) => {
                println!("| {name} | error: {err} | | | |");
                continue;
            }
        };
        let indexing = started.elapsed();
        // Warm up caches, then time every query several times.
        for query in all_queries.iter().take(20) {
            let _ = recommender.recommend(&query.query, query.locale, 5);
        }
        let mut timings: Vec<f64> = Vec::new();
        for _ in 0..5 {
            for query in &all_queries {
                let started = Instant::now();
                let results = recommender.recommend(&query.query, query.locale, 5);
                timings.push(started.elapsed().as_secs_f64() * 1000.0);
                std::hint::black_box(results);
            }
        }
        timings.sort_by(f64::total_cmp);
        let percentile = |p: f64| timings[((timings.len() - 1) as f64 * p).round() as usize];
        println!(
            "| {name} | {:.2} s | {:.2} ms | {:.2} ms | {} |",
            indexing.as_secs_f64(),
            percentile(0.50),
            percentile(0.99),
            timings.len()
        );
    }
    println!();
    println!("Targets: indexing < 10 s on 2 cores, p99 < 20 ms (issue #17).");
    ExitCode::SUCCESS
}

/// The technique table: top-1 and MRR of each step on each query set (large set per split).
fn print_steps(options: &Options, builtin: &[Article], corpus: &[Article], large: &[Article]) {
    let read = |name: &str| bench::read_query_set(&options.articles.join(name)).unwrap_or_default();
    let large_queries = read("large-corpus-queries.tsv");
    let mut corpora = vec![
        bench::Corpus {
            articles: large,
            query_sets: vec![
                (
                    "large train".into(),
                    bench::split_of(&large_queries, "train"),
                ),
                ("large test".into(), bench::split_of(&large_queries, "test")),
            ],
        },
        bench::Corpus {
            articles: builtin,
            query_sets: vec![("built-in".into(), read("queries.tsv"))],
        },
        bench::Corpus {
            articles: corpus,
            query_sets: vec![("7-article corpus".into(), read("corpus-queries.tsv"))],
        },
    ];
    corpora.retain(|c| !c.articles.is_empty());
    let names: Vec<String> = corpora
        .iter()
        .flat_map(|c| c.query_sets.iter().map(|(n, _)| n.clone()))
        .collect();
    println!();
    println!("## Techniques, added one at a time (top-1 / MRR)");
    println!();
    println!("| technique | {} |", names.join(" | "));
    println!("|---|{}", "---:|".repeat(names.len()));
    for (step, config) in bench::technique_steps() {
        match bench::evaluate_config(&config, &corpora) {
            Ok(results) => {
                let cells: Vec<String> = results
                    .iter()
                    .map(|(_, q)| format!("{:.1} % / {:.3}", q.top1 * 100.0, q.mrr))
                    .collect();
                println!("| {step} | {} |", cells.join(" | "));
            }
            Err(err) => println!("| {step} | error: {err} |"),
        }
    }
}

/// The articles of a folder, or none (with a note) when it is not there.
fn load_folder(name: &str, dir: &Path) -> Vec<Article> {
    if !dir.is_dir() {
        println!(
            "{name} folder {} not found; its rows are left out",
            dir.display()
        );
        return Vec::new();
    }
    let (library, report) = HelpLibrary::load(false, &[dir.to_path_buf()]);
    println!(
        "{name} articles: {} read, {} with warnings, {} skipped",
        report.read,
        report.with_warnings,
        report.skipped.len()
    );
    library.articles().to_vec()
}
