-- Call records, their webhook attempts and the numbers set at run time (PostgreSQL).
-- Times are epoch milliseconds (UTC) so ordering and "since" filters are plain integer
-- comparisons, the same on SQLite and PostgreSQL; keep sqlite/V1 in step with this file.

CREATE TABLE calls (
  call_id      TEXT    NOT NULL PRIMARY KEY,
  sip_call_id  TEXT    NOT NULL,
  trunk        TEXT    NOT NULL,
  source       TEXT    NOT NULL,
  from_number  TEXT    NOT NULL,
  to_number    TEXT    NOT NULL,
  received     BIGINT  NOT NULL,
  ringing      BIGINT,
  decided      BIGINT,
  answered     BIGINT,
  ended        BIGINT  NOT NULL,
  duration_ms  BIGINT,
  outcome      TEXT    NOT NULL,
  final_status INTEGER NOT NULL,
  ended_by     TEXT    NOT NULL,
  end_reason   TEXT    NOT NULL,
  variables    TEXT    NOT NULL,
  agent        TEXT
);

CREATE INDEX calls_newest ON calls (received DESC, call_id DESC);
CREATE INDEX calls_from ON calls (from_number, received DESC, call_id DESC);
CREATE INDEX calls_to ON calls (to_number, received DESC, call_id DESC);
CREATE INDEX calls_outcome ON calls (outcome, received DESC, call_id DESC);

CREATE TABLE webhook_attempts (
  call_id    TEXT    NOT NULL REFERENCES calls (call_id) ON DELETE CASCADE,
  seq        INTEGER NOT NULL,
  number     INTEGER NOT NULL,
  started    BIGINT  NOT NULL,
  latency_ms BIGINT  NOT NULL,
  status     INTEGER,
  failure    TEXT,
  detail     TEXT    NOT NULL,
  PRIMARY KEY (call_id, seq)
);

CREATE TABLE numbers (
  number         TEXT    NOT NULL PRIMARY KEY,
  webhook_url    TEXT,
  webhook_secret TEXT,
  agent          TEXT,
  updated        BIGINT  NOT NULL
);
