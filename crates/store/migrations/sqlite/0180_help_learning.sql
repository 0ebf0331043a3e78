-- Issue 17: the help recommender learns from use. One row per customer, query cluster (the
-- question's analyzed terms, see faktura-help's `query_cluster`) and article: the customer's
-- last "Was this helpful?" answer (1 helpful, 0 not helpful, NULL none) and whether they opened
-- the article from the results. A customer counts once per cluster and article, so one person
-- cannot push an article up by answering again and again. Operators reset a cluster (or all)
-- by deleting its rows; the help_feedback history stays.
CREATE TABLE help_signals (
    user_id      TEXT NOT NULL REFERENCES users (id),
    cluster      TEXT NOT NULL,
    article_path TEXT NOT NULL,
    helpful      BIGINT CHECK (helpful IN (0, 1)),
    opened       BIGINT NOT NULL DEFAULT 0 CHECK (opened IN (0, 1)),
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (user_id, cluster, article_path)
);
CREATE INDEX help_signals_cluster ON help_signals (cluster, article_path);
CREATE INDEX help_signals_user ON help_signals (user_id, created_at);
