/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many have run. Append new
 * migrations, never edit a released one.
 */
export const MIGRATIONS: string[] = [
  // 1: models, reference, categorical dictionaries, analysis rows, chunks, results.
  `
  CREATE TABLE models (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    definition TEXT NOT NULL,
    layout TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    next_seq INTEGER NOT NULL DEFAULT 0,
    reference_rows INTEGER NOT NULL DEFAULT 0,
    targets INTEGER NOT NULL DEFAULT 0,
    fit_version INTEGER NOT NULL DEFAULT 0
  );

  CREATE TABLE reference_data (
    model_id INTEGER PRIMARY KEY,
    frame BLOB NOT NULL,
    uploaded_at REAL NOT NULL
  );

  CREATE TABLE levels (
    model_id INTEGER NOT NULL,
    column_name TEXT NOT NULL,
    code INTEGER NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (model_id, column_name, code)
  ) WITHOUT ROWID;

  -- One row per analysis record. payload: float64 per payload column (+ a type-flag bitmask when a
  -- value of the row had the wrong type). WITHOUT ROWID keeps rows clustered by (model, seq), so a size
  -- chunk is one range scan; the ts index (which carries seq) serves period chunks in (ts, seq) order.
  CREATE TABLE analysis_rows (
    model_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    row_id TEXT,
    ts REAL,
    target REAL,
    payload BLOB NOT NULL,
    PRIMARY KEY (model_id, seq)
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX analysis_rows_id ON analysis_rows (model_id, row_id) WHERE row_id IS NOT NULL;
  CREATE INDEX analysis_rows_ts ON analysis_rows (model_id, ts);

  CREATE TABLE chunks (
    model_id INTEGER NOT NULL,
    chunk_id REAL NOT NULL,
    key TEXT NOT NULL,
    start_seq INTEGER,
    end_seq INTEGER,
    range_start REAL,
    range_end REAL,
    partial INTEGER NOT NULL DEFAULT 0,
    chunk_index INTEGER,
    start_index INTEGER,
    end_index INTEGER,
    start_date REAL,
    end_date REAL,
    n_rows INTEGER NOT NULL DEFAULT 0,
    dirty INTEGER NOT NULL DEFAULT 1,
    gen INTEGER NOT NULL DEFAULT 0,
    computed_at REAL,
    PRIMARY KEY (model_id, chunk_id)
  ) WITHOUT ROWID;
  CREATE INDEX chunks_dirty ON chunks (model_id, dirty);

  -- The one long results table: every read path (REST, /api/query, Prometheus) reads it.
  CREATE TABLE results (
    model_id INTEGER NOT NULL,
    period TEXT NOT NULL,
    chunk_id REAL NOT NULL,
    calculator_id TEXT NOT NULL,
    metric TEXT NOT NULL,
    column_name TEXT NOT NULL,
    family TEXT NOT NULL,
    calculator TEXT NOT NULL,
    calc_order INTEGER NOT NULL,
    series_order INTEGER NOT NULL,
    chunk_key TEXT NOT NULL,
    chunk_index INTEGER NOT NULL,
    start_index INTEGER NOT NULL,
    end_index INTEGER NOT NULL,
    start_date REAL,
    end_date REAL,
    value REAL,
    upper_threshold REAL,
    lower_threshold REAL,
    alert INTEGER,
    sampling_error REAL,
    upper_confidence_boundary REAL,
    lower_confidence_boundary REAL,
    realized REAL,
    targets_missing_rate REAL,
    partial INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (model_id, period, chunk_id, calculator_id, metric, column_name)
  ) WITHOUT ROWID;
  CREATE INDEX results_series ON results (model_id, family, metric, column_name, start_date);
  `,
  // 2: invalid model outputs/targets (a bitmask per row, NULL when none: bit j = payload column j, bit
  // width = the target), the time of the last accepted row, and recompute/fit errors that outlive the
  // process (the last 100 per model, plus running totals per stage for vigil_errors_total).
  `
  ALTER TABLE analysis_rows ADD COLUMN invalid BLOB;
  ALTER TABLE models ADD COLUMN last_ingest_at REAL;

  CREATE TABLE model_errors (
    id INTEGER PRIMARY KEY,
    model_id INTEGER NOT NULL,
    time REAL NOT NULL,
    stage TEXT NOT NULL,
    calculator TEXT,
    chunk_id REAL,
    chunk_key TEXT,
    message TEXT NOT NULL,
    resolved_at REAL
  );
  CREATE INDEX model_errors_model ON model_errors (model_id, id);

  CREATE TABLE model_error_totals (
    model_id INTEGER NOT NULL,
    stage TEXT NOT NULL,
    total INTEGER NOT NULL,
    PRIMARY KEY (model_id, stage)
  ) WITHOUT ROWID;
  `,
  // 3: fitted calculators, so a restart reuses them instead of refitting every model (one row per
  // model). Valid only for the code version and inputs (reference, definition, calculators) it was made
  // from, and only while its blob matches its checksum; otherwise the model is refitted and the row replaced.
  `
  CREATE TABLE fits (
    model_id INTEGER PRIMARY KEY,
    code_version TEXT NOT NULL,
    inputs_hash TEXT NOT NULL,
    checksum TEXT NOT NULL,
    blob BLOB NOT NULL,
    created_at REAL NOT NULL
  );
  `,
  // 4: retention of analysis rows (service/retention.ts). A chunk whose rows retention deletes is marked
  // first (rows_dropped_at), so it is never dirtied or recomputed again and its results stay; rows_gone
  // says the deletion finished (a late row into the chunk clears it). The ids of deleted rows are kept, so
  // a re-sent row stays a duplicate and a late target for it is answered as expired, not unknown.
  `
  ALTER TABLE chunks ADD COLUMN rows_dropped_at REAL;
  ALTER TABLE chunks ADD COLUMN rows_gone INTEGER NOT NULL DEFAULT 0;

  CREATE TABLE dropped_ids (
    model_id INTEGER NOT NULL,
    row_id TEXT NOT NULL,
    chunk_id REAL NOT NULL,
    PRIMARY KEY (model_id, row_id)
  ) WITHOUT ROWID;
  `,
  // 5: a per-model generation of its results, moved by every transaction that changes them (result writes,
  // renumbering, chunks removed, a new reference): the Prometheus series index reads the chunk stamps of
  // the models whose generation moved, not every chunk of every model on every refresh.
  `
  CREATE TABLE model_results (
    model_id INTEGER PRIMARY KEY,
    gen INTEGER NOT NULL
  );
  `,
];
