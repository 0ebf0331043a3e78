//! Shows what the recommender makes of a query: `cargo run -p faktura-help --example help_query -- [--dir DIR] [--plain] QUERY...`
use faktura_help::{HelpLibrary, SearchConfig};
use std::path::PathBuf;

fn main() {
    let mut dirs = Vec::new();
    let mut builtin = true;
    let mut config = SearchConfig::tuned();
    let mut words = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--dir" => {
                dirs.extend(args.next().map(PathBuf::from));
                builtin = false;
            }
            "--plain" => config = SearchConfig::plain(),
            _ => words.push(arg),
        }
    }
    let threshold = config.min_confidence;
    config.min_confidence = 0.0;
    let (library, _) = HelpLibrary::load_with(builtin, &dirs, config);
    let query = words.join(" ");
    if let Some(recommender) = library.recommender() {
        print!("{}", recommender.describe_query(&query));
    }
    for hit in library.recommend(&query, None, 6) {
        let mark = if hit.confidence >= threshold {
            ' '
        } else {
            'x'
        };
        println!(
            "{mark} {:7.3} conf {:.2}  {}  {}",
            hit.score, hit.confidence, hit.path, hit.title
        );
    }
}
