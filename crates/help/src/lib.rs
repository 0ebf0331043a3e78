//! Help articles for Faktura's help pane (issue 5): reading them tolerantly.
//!
//! Articles come from the binary (the workspace's `articles/<locale>/*.md`, embedded at compile
//! time) and from folders given at run time. The front matter is read tolerantly (see
//! [`Article::parse`]); a file that cannot be used is skipped with a reason in the
//! [`LoadReport`], never silently.

mod article;
mod error;
mod frontmatter;
mod lang;
mod loader;
mod markdown;

pub use article::{Article, ArticleSource};
pub use error::HelpError;
pub use lang::detect_language;
pub use loader::{check_dir, LoadReport};
pub use markdown::Heading;
