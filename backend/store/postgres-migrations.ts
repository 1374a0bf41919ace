/**
 * PostgreSQL schema migrations, applied in order; the table `vigil_schema` records how many have run.
 * Append new migrations, never edit a released one. The layout is SQLite's (migrations.ts) in PostgreSQL
 * types: REAL becomes DOUBLE PRECISION (SQLite's REAL is a float64 too), BLOB becomes BYTEA, and the
 * sequence numbers and counters are BIGINT. Two additions serve replicas sharing the database: a claim
 * (owner and lease expiry) on each chunk, and one results version row that every result write bumps in
 * its own transaction, so any replica's response cache sees every other replica's writes.
 */
export const PG_MIGRATIONS: string[] = [
  // 1: everything SQLite's migrations 1-4 hold, plus the chunk claims and the results version.
  `
  CREATE TABLE models (
    id SERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    definition TEXT NOT NULL,
    layout TEXT,
    created_at DOUBLE PRECISION NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL,
    next_seq BIGINT NOT NULL DEFAULT 0,
    reference_rows BIGINT NOT NULL DEFAULT 0,
    targets BIGINT NOT NULL DEFAULT 0,
    fit_version INTEGER NOT NULL DEFAULT 0,
    last_ingest_at DOUBLE PRECISION
  );

  CREATE TABLE reference_data (
    model_id INTEGER PRIMARY KEY,
    frame BYTEA NOT NULL,
    uploaded_at DOUBLE PRECISION NOT NULL
  );

  CREATE TABLE levels (
    model_id INTEGER NOT NULL,
    column_name TEXT NOT NULL,
    code INTEGER NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (model_id, column_name, code)
  );

  -- One row per analysis record (payload: float64 per payload column, then a type-flag bitmask when a
  -- value had the wrong type; invalid: a bitmask of invalid outputs/targets, NULL when none). The primary
  -- key serves size chunks (one range of seq); the (model, ts, seq) index serves period chunks in order.
  CREATE TABLE analysis_rows (
    model_id INTEGER NOT NULL,
    seq BIGINT NOT NULL,
    row_id TEXT,
    ts DOUBLE PRECISION,
    target DOUBLE PRECISION,
    payload BYTEA NOT NULL,
    invalid BYTEA,
    PRIMARY KEY (model_id, seq)
  );
  CREATE UNIQUE INDEX analysis_rows_id ON analysis_rows (model_id, row_id) WHERE row_id IS NOT NULL;
  CREATE INDEX analysis_rows_ts ON analysis_rows (model_id, ts, seq);

  CREATE TABLE chunks (
    model_id INTEGER NOT NULL,
    chunk_id DOUBLE PRECISION NOT NULL,
    key TEXT NOT NULL,
    start_seq BIGINT,
    end_seq BIGINT,
    range_start DOUBLE PRECISION,
    range_end DOUBLE PRECISION,
    partial SMALLINT NOT NULL DEFAULT 0,
    chunk_index INTEGER,
    start_index BIGINT,
    end_index BIGINT,
    start_date DOUBLE PRECISION,
    end_date DOUBLE PRECISION,
    n_rows BIGINT NOT NULL DEFAULT 0,
    dirty SMALLINT NOT NULL DEFAULT 1,
    gen BIGINT NOT NULL DEFAULT 0,
    computed_at DOUBLE PRECISION,
    rows_dropped_at DOUBLE PRECISION,
    rows_gone SMALLINT NOT NULL DEFAULT 0,
    -- Which replica computes the chunk, until when (epoch ms): claimChunks skips a live claim.
    claim_owner TEXT,
    claim_until DOUBLE PRECISION,
    PRIMARY KEY (model_id, chunk_id)
  );
  CREATE INDEX chunks_dirty ON chunks (model_id, chunk_id) WHERE dirty > 0;

  -- The one long results table: every read path (REST, /api/query, Prometheus) reads it.
  CREATE TABLE results (
    model_id INTEGER NOT NULL,
    period TEXT NOT NULL,
    chunk_id DOUBLE PRECISION NOT NULL,
    calculator_id TEXT NOT NULL,
    metric TEXT NOT NULL,
    column_name TEXT NOT NULL,
    family TEXT NOT NULL,
    calculator TEXT NOT NULL,
    calc_order INTEGER NOT NULL,
    series_order INTEGER NOT NULL,
    chunk_key TEXT NOT NULL,
    chunk_index INTEGER NOT NULL,
    start_index BIGINT NOT NULL,
    end_index BIGINT NOT NULL,
    start_date DOUBLE PRECISION,
    end_date DOUBLE PRECISION,
    value DOUBLE PRECISION,
    upper_threshold DOUBLE PRECISION,
    lower_threshold DOUBLE PRECISION,
    alert SMALLINT,
    sampling_error DOUBLE PRECISION,
    upper_confidence_boundary DOUBLE PRECISION,
    lower_confidence_boundary DOUBLE PRECISION,
    realized DOUBLE PRECISION,
    targets_missing_rate DOUBLE PRECISION,
    partial SMALLINT NOT NULL DEFAULT 0,
    PRIMARY KEY (model_id, period, chunk_id, calculator_id, metric, column_name)
  );
  CREATE INDEX results_series ON results (model_id, family, metric, column_name, start_date);

  CREATE TABLE model_errors (
    id BIGSERIAL PRIMARY KEY,
    model_id INTEGER NOT NULL,
    time DOUBLE PRECISION NOT NULL,
    stage TEXT NOT NULL,
    calculator TEXT,
    chunk_id DOUBLE PRECISION,
    chunk_key TEXT,
    message TEXT NOT NULL,
    resolved_at DOUBLE PRECISION
  );
  CREATE INDEX model_errors_model ON model_errors (model_id, id);

  CREATE TABLE model_error_totals (
    model_id INTEGER NOT NULL,
    stage TEXT NOT NULL,
    total BIGINT NOT NULL,
    PRIMARY KEY (model_id, stage)
  );

  CREATE TABLE fits (
    model_id INTEGER PRIMARY KEY,
    code_version TEXT NOT NULL,
    inputs_hash TEXT NOT NULL,
    checksum TEXT NOT NULL,
    blob BYTEA NOT NULL,
    created_at DOUBLE PRECISION NOT NULL
  );

  CREATE TABLE dropped_ids (
    model_id INTEGER NOT NULL,
    row_id TEXT NOT NULL,
    chunk_id DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (model_id, row_id)
  );

  -- Bumped by every transaction that changes results (one row): Store.resultsVersion.
  CREATE TABLE results_version (
    one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
    version BIGINT NOT NULL
  );
  INSERT INTO results_version (one, version) VALUES (TRUE, 0);
  `,
  // 2: SQLite's migration 5 (model_results: each model's results generation). Updated last in a
  // transaction, just before results_version, so every writer takes the two rows in the same order.
  `
  CREATE TABLE model_results (
    model_id INTEGER PRIMARY KEY,
    gen BIGINT NOT NULL
  );
  `,
];
