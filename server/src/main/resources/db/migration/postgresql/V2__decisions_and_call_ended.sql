-- What a webhook's answer decided beyond variables, the carrier's SIP headers, and the post-call
-- call_ended event's delivery with its attempts (PostgreSQL). Times are epoch milliseconds (UTC);
-- keep sqlite/V2 in step with this file.

ALTER TABLE calls ADD COLUMN metadata TEXT;
ALTER TABLE calls ADD COLUMN webhook_failure TEXT;
ALTER TABLE calls ADD COLUMN sip_headers TEXT;

-- One row per call whose number has a call_ended URL; state is pending, delivered or failed.
-- A pending row is due at next_at; an instance claims it by moving next_at forward (a lease).
CREATE TABLE call_ended_deliveries (
  call_id  TEXT    NOT NULL PRIMARY KEY REFERENCES calls (call_id) ON DELETE CASCADE,
  url      TEXT    NOT NULL,
  state    TEXT    NOT NULL,
  next_at  BIGINT,
  updated  BIGINT NOT NULL
);

CREATE INDEX call_ended_due ON call_ended_deliveries (state, next_at);

-- One row per POST of the event, as webhook_attempts has one per inbound webhook attempt.
CREATE TABLE call_ended_attempts (
  call_id    TEXT    NOT NULL REFERENCES call_ended_deliveries (call_id) ON DELETE CASCADE,
  seq        INTEGER NOT NULL,
  number     INTEGER NOT NULL,
  started    BIGINT NOT NULL,
  latency_ms BIGINT NOT NULL,
  status     INTEGER,
  failure    TEXT,
  detail     TEXT    NOT NULL,
  PRIMARY KEY (call_id, seq)
);
