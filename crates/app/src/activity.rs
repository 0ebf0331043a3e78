//! (being moved here from the web crate)
