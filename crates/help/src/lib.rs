//! Help articles (see issue 5).
