-- Failed sign-ins, counted per e-mail to throttle password guessing on every node alike.
CREATE TABLE sign_in_failures (
    email      TEXT NOT NULL,
    ip         TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX sign_in_failures_email ON sign_in_failures (email, created_at);
