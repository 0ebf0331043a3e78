//! The layers hold: pages and API handlers are adapters that call `faktura_app`, never the
//! store or the gateway; no source file grows past 800 lines; the web crate's modules do not
//! import each other in circles. Read from the source tree, so a change that breaks a rule
//! fails here with the file and line.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path
                .file_name()
                .is_some_and(|n| n == "target" || n == "node_modules")
            {
                continue;
            }
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The file's lines up to its `#[cfg(test)]` module, without comments.
fn code_lines(text: &str) -> Vec<(usize, &str)> {
    text.lines()
        .enumerate()
        .take_while(|(_, line)| line.trim() != "#[cfg(test)]")
        .filter(|(_, line)| !line.trim_start().starts_with("//"))
        .map(|(number, line)| (number + 1, line))
        .collect()
}

#[test]
fn pages_and_api_handlers_never_call_the_store_or_the_gateway() {
    let src = crate_dir().join("src");
    let mut files = Vec::new();
    rust_files(&src.join("pages"), &mut files);
    rust_files(&src.join("api"), &mut files);
    assert!(files.len() > 10, "found the adapters: {files:?}");
    let forbidden = [
        "faktura_store",
        "faktura_gateway",
        ".store.",
        ".gateway.",
        "app.store",
        "app.gateway",
    ];
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let lines = code_lines(&text);
        for (index, (number, line)) in lines.iter().enumerate() {
            // `state.app\n.store` spreads over lines when formatted.
            let next = lines.get(index + 1).map(|(_, l)| l.trim()).unwrap_or("");
            let joined = format!("{}{}", line.trim(), next);
            if forbidden.iter().any(|f| line.contains(f))
                || ((line.trim_end().ends_with(".app") || line.trim() == ".app")
                    && (next.starts_with(".store") || next.starts_with(".gateway")))
            {
                found.push(format!(
                    "{}:{number}: {}",
                    file.strip_prefix(&src).unwrap().display(),
                    joined
                ));
            }
        }
    }
    assert!(
        found.is_empty(),
        "pages and API handlers must call a use case in faktura_app instead:\n{}",
        found.join("\n")
    );
}

#[test]
fn no_source_file_is_over_800_lines() {
    let root = crate_dir().join("../..");
    let mut files = Vec::new();
    rust_files(&root.join("crates"), &mut files);
    assert!(files.len() > 50, "found the workspace: {}", files.len());
    let long: Vec<String> = files
        .iter()
        .filter_map(|file| {
            let lines = std::fs::read_to_string(file).unwrap().lines().count();
            (lines > 800).then(|| format!("{} ({lines} lines)", file.display()))
        })
        .collect();
    assert!(long.is_empty(), "split these files:\n{}", long.join("\n"));
}

/// The module a file is, as a path from the crate root: `pages/pay.rs` → `pages::pay`.
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).unwrap().with_extension("");
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let parts: Vec<String> = match parts.as_slice() {
        [only] if only == "lib" => vec![],
        [rest @ .., last] if last == "mod" => rest.to_vec(),
        all => all.to_vec(),
    };
    parts.join("::")
}

/// The modules a file refers to through `crate::…` and `super::…` paths (not its own `mod`
/// declarations), resolved to the longest known module.
fn references(module: &str, text: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let parent: Vec<&str> = module.split("::").filter(|p| !p.is_empty()).collect();
    for (_, line) in code_lines(text) {
        let trimmed = line.trim();
        if trimmed.starts_with("mod ") || trimmed.starts_with("pub mod ") {
            continue;
        }
        for (start, _) in line
            .match_indices("crate::")
            .chain(line.match_indices("super::"))
        {
            let rest = &line[start..];
            let (base, tail): (Vec<&str>, &str) = if let Some(tail) = rest.strip_prefix("crate::") {
                (vec![], tail)
            } else {
                let tail = &rest["super::".len()..];
                // `super` is the module one level up (for `pages/pay.rs`, `pages`).
                let keep = parent.len().saturating_sub(1);
                (parent[..keep].to_vec(), tail)
            };
            let segments: Vec<&str> = tail
                .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .next()
                .unwrap_or("")
                .split("::")
                .filter(|s| !s.is_empty())
                .collect();
            let mut best = None;
            for take in (1..=segments.len()).rev() {
                let mut path = base.clone();
                path.extend(&segments[..take]);
                let candidate = path.join("::");
                if known.contains(&candidate) {
                    best = Some(candidate);
                    break;
                }
            }
            if let Some(target) = best {
                if target != module {
                    out.insert(target);
                }
            }
        }
    }
    out
}

fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_owned(), 1);
        stack.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next.as_str()).copied().unwrap_or(0) {
                1 => {
                    let from = stack.iter().position(|n| n == next).unwrap_or(0);
                    let mut cycle = stack[from..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(cycle) = visit(next, graph, state, stack) {
                        return Some(cycle);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(node.to_owned(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if state.get(node.as_str()).copied().unwrap_or(0) == 0 {
            let mut stack = Vec::new();
            if let Some(cycle) = visit(node, graph, &mut state, &mut stack) {
                return Some(cycle);
            }
        }
    }
    None
}

#[test]
fn web_modules_import_each_other_without_circles() {
    let src = crate_dir().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let known: BTreeSet<String> = files.iter().map(|f| module_of(&src, f)).collect();
    let mut graph = BTreeMap::new();
    for file in &files {
        let module = module_of(&src, file);
        let text = std::fs::read_to_string(file).unwrap();
        graph.insert(module.clone(), references(&module, &text, &known));
    }
    // Pages never import each other: what they share is in `view`.
    let pages: Vec<(&String, Vec<&String>)> = graph
        .iter()
        .filter(|(m, _)| m.starts_with("pages::"))
        .map(|(m, refs)| (m, refs.iter().filter(|r| r.starts_with("pages")).collect()))
        .filter(|(_, refs): &(&String, Vec<&String>)| !refs.is_empty())
        .collect();
    assert!(
        pages.is_empty(),
        "page modules import other pages: {pages:?}"
    );
    assert_eq!(find_cycle(&graph), None, "an import circle");
}
