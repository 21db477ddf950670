-- The shared count of AliExpress calls: per platform day (GMT+8), user (0: none), method and kind
-- of work, so that every replica spends one daily budget and the operator sees who spent it. The
-- day's total has a row of its own, which every count takes first: it orders concurrent callers.

-- +goose Up
CREATE TABLE quota_days (
    day   TEXT    NOT NULL PRIMARY KEY, -- YYYY-MM-DD in GMT+8
    calls BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE quota_calls (
    day     TEXT    NOT NULL,
    user_id BIGINT NOT NULL, -- 0: a call for no user; no foreign key, the history outlives users
    method  TEXT    NOT NULL,
    kind    TEXT    NOT NULL,
    calls   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, user_id, method, kind)
);

-- The warnings sent to the operators, once per period (a month, "2026-12") and condition.
CREATE TABLE operator_notices (
    period    TEXT NOT NULL,
    condition TEXT NOT NULL,
    sent_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (period, condition)
);

-- +goose Down
DROP TABLE operator_notices;
DROP TABLE quota_calls;
DROP TABLE quota_days;
