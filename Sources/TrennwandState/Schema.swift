import GRDB

/// Versioned schema of the state store. Migrations are append-only: a released migration is
/// never edited; changes come as a new identifier (`v2-…`).
enum Schema {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-runs-files-findings") { db in
            // One row per scan. Counters are updated inside each file's transaction, so an
            // interrupted run still tells how far it got.
            try db.execute(sql: """
                CREATE TABLE run (
                  id INTEGER PRIMARY KEY AUTOINCREMENT,
                  started INTEGER NOT NULL,
                  finished INTEGER,
                  status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'interrupted')),
                  tool_version TEXT NOT NULL,
                  config_hash TEXT,
                  rule_pack_hash TEXT NOT NULL,
                  reference_hash TEXT NOT NULL,
                  full INTEGER NOT NULL DEFAULT 0,
                  inputs TEXT NOT NULL DEFAULT '[]',
                  files_scanned INTEGER NOT NULL DEFAULT 0,
                  files_skipped INTEGER NOT NULL DEFAULT 0,
                  files_failed INTEGER NOT NULL DEFAULT 0,
                  records_read INTEGER NOT NULL DEFAULT 0,
                  records_evaluated INTEGER NOT NULL DEFAULT 0,
                  records_rejected INTEGER NOT NULL DEFAULT 0,
                  access_records INTEGER NOT NULL DEFAULT 0,
                  sev_critical INTEGER NOT NULL DEFAULT 0,
                  sev_high INTEGER NOT NULL DEFAULT 0,
                  sev_medium INTEGER NOT NULL DEFAULT 0,
                  sev_low INTEGER NOT NULL DEFAULT 0,
                  sev_info INTEGER NOT NULL DEFAULT 0,
                  violations INTEGER NOT NULL DEFAULT 0,
                  gaps INTEGER NOT NULL DEFAULT 0,
                  exit_code INTEGER
                );
                CREATE INDEX run_started ON run(started);
                CREATE INDEX run_status ON run(status);
                """)
            // The file ledger: one row per file scan. Survives the purge of its run (run_id set
            // NULL) so unchanged exports still lying in the folder are not audited again.
            try db.execute(sql: """
                CREATE TABLE input_file (
                  id INTEGER PRIMARY KEY AUTOINCREMENT,
                  run_id INTEGER REFERENCES run(id) ON DELETE SET NULL,
                  path TEXT NOT NULL,
                  size INTEGER NOT NULL,
                  content_hash TEXT NOT NULL,
                  profile TEXT,
                  rule_pack_hash TEXT NOT NULL,
                  reference_hash TEXT NOT NULL,
                  records_read INTEGER NOT NULL,
                  records_evaluated INTEGER NOT NULL,
                  records_rejected INTEGER NOT NULL,
                  access_records INTEGER NOT NULL,
                  file_error TEXT,
                  findings INTEGER NOT NULL,
                  first_of_content INTEGER NOT NULL,
                  scanned_at INTEGER NOT NULL,
                  UNIQUE (run_id, path)
                );
                CREATE INDEX input_file_content ON input_file(content_hash, rule_pack_hash, reference_hash);
                CREATE INDEX input_file_path ON input_file(path);
                CREATE INDEX input_file_scanned ON input_file(scanned_at);
                """)
            // Findings by fingerprint with their lifecycle. first_run/last_run/resolved_run are
            // plain numbers (no foreign key) so findings outlive the purge of old run records.
            try db.execute(sql: """
                CREATE TABLE finding (
                  fingerprint TEXT PRIMARY KEY,
                  rule_id TEXT NOT NULL,
                  severity TEXT NOT NULL,
                  class TEXT NOT NULL,
                  source_path TEXT NOT NULL,
                  status TEXT NOT NULL CHECK (status IN ('new', 'open', 'resolved', 'reopened', 'waived')),
                  first_run INTEGER NOT NULL,
                  last_run INTEGER NOT NULL,
                  first_seen INTEGER NOT NULL,
                  last_seen INTEGER NOT NULL,
                  resolved_run INTEGER,
                  updated_at INTEGER NOT NULL,
                  occurrences INTEGER NOT NULL,
                  seen_count INTEGER NOT NULL,
                  evidence TEXT NOT NULL,
                  record_time INTEGER
                ) WITHOUT ROWID;
                CREATE INDEX finding_first_seen ON finding(first_seen);
                CREATE INDEX finding_updated ON finding(updated_at);
                CREATE TABLE finding_norm (
                  fingerprint TEXT NOT NULL REFERENCES finding(fingerprint) ON DELETE CASCADE,
                  citation TEXT NOT NULL,
                  PRIMARY KEY (fingerprint, citation)
                ) WITHOUT ROWID;
                -- Where a finding currently is: one row per file path whose latest scan reported it.
                CREATE TABLE finding_file (
                  fingerprint TEXT NOT NULL REFERENCES finding(fingerprint) ON DELETE CASCADE,
                  path TEXT NOT NULL,
                  occurrences INTEGER NOT NULL,
                  PRIMARY KEY (fingerprint, path)
                ) WITHOUT ROWID;
                CREATE INDEX finding_file_path ON finding_file(path);
                -- Lifecycle events: the status a run gave a finding.
                CREATE TABLE run_finding (
                  run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
                  fingerprint TEXT NOT NULL REFERENCES finding(fingerprint) ON DELETE CASCADE,
                  status TEXT NOT NULL,
                  file_id INTEGER REFERENCES input_file(id) ON DELETE SET NULL,
                  PRIMARY KEY (run_id, fingerprint)
                ) WITHOUT ROWID;
                CREATE INDEX run_finding_fingerprint ON run_finding(fingerprint);
                CREATE INDEX run_finding_file ON run_finding(file_id);
                """)
        }
        // Issue #14: the state is the source of truth for reports. Each finding keeps its
        // whole masked Finding (JSON, at most `StateStore.storedOccurrences` occurrences, the
        // count kept) so a report can show findings whose files a later run skipped, and the
        // first locator's file and line for the report order. Findings stored before this
        // migration have no payload and are rebuilt from their columns (`reportFindings`).
        m.registerMigration("v2-finding-payload") { db in
            try db.execute(sql: """
                ALTER TABLE finding ADD COLUMN payload TEXT;
                ALTER TABLE finding ADD COLUMN locator_file TEXT;
                ALTER TABLE finding ADD COLUMN locator_line INTEGER;
                CREATE INDEX finding_status ON finding(status);
                CREATE INDEX finding_resolved_run ON finding(resolved_run);
                """)
        }
        // Issue #18: the review workspace (`trennwand serve`). Accounts with roles, one-time
        // setup links and sessions (tokens stored as SHA-256 only), decisions on findings, Art. 33
        // escalations (at most one open per finding: a partial unique index), and
        // the hash-chained audit trail (`AuditTrail`). Triggers refuse UPDATE and DELETE on the
        // trail so no code path of ours can rewrite it; `audit verify` detects what is done to
        // the file from outside. Decisions carry the fingerprint without a foreign key: they
        // outlive the retention purge of their finding (the decision is on record).
        m.registerMigration("v3-review-workspace") { db in
            try db.execute(sql: """
                CREATE TABLE account (
                  id INTEGER PRIMARY KEY AUTOINCREMENT,
                  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                  role TEXT NOT NULL CHECK (role IN ('dpo', 'personalrat', 'reader', 'admin')),
                  password_hash TEXT,
                  created INTEGER NOT NULL,
                  disabled INTEGER NOT NULL DEFAULT 0
                );
                CREATE TABLE setup_token (
                  token_hash TEXT PRIMARY KEY,
                  account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
                  created INTEGER NOT NULL,
                  expires INTEGER NOT NULL,
                  used INTEGER
                ) WITHOUT ROWID;
                CREATE TABLE review_session (
                  id_hash TEXT PRIMARY KEY,
                  account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
                  csrf TEXT NOT NULL,
                  created INTEGER NOT NULL,
                  last_seen INTEGER NOT NULL,
                  lang TEXT
                ) WITHOUT ROWID;
                CREATE INDEX review_session_account ON review_session(account_id);
                CREATE TABLE decision (
                  id INTEGER PRIMARY KEY AUTOINCREMENT,
                  fingerprint TEXT NOT NULL,
                  rule_id TEXT NOT NULL,
                  kind TEXT NOT NULL CHECK (kind IN ('false_positive', 'accepted_risk', 'mitigated', 'reported_art33')),
                  reason TEXT NOT NULL,
                  assignee TEXT,
                  expires TEXT NOT NULL,
                  reported_on TEXT,
                  authority_reference TEXT,
                  ticket TEXT,
                  decided_by TEXT NOT NULL,
                  decided_at INTEGER NOT NULL,
                  origin TEXT NOT NULL CHECK (origin IN ('serve', 'import'))
                );
                CREATE INDEX decision_fingerprint ON decision(fingerprint, id);
                CREATE TABLE audit_event (
                  seq INTEGER PRIMARY KEY,
                  at INTEGER NOT NULL,
                  account TEXT NOT NULL,
                  action TEXT NOT NULL,
                  object TEXT NOT NULL,
                  detail TEXT NOT NULL,
                  prev_hash TEXT NOT NULL,
                  hash TEXT NOT NULL
                );
                CREATE TABLE escalation (
                  id INTEGER PRIMARY KEY AUTOINCREMENT,
                  fingerprint TEXT NOT NULL,
                  rule_id TEXT NOT NULL,
                  detected INTEGER NOT NULL,
                  opened_by TEXT NOT NULL,
                  opened_at INTEGER NOT NULL,
                  closed_by TEXT,
                  closed_at INTEGER,
                  outcome TEXT CHECK (outcome IN ('reported', 'no_risk')),
                  note TEXT
                );
                CREATE UNIQUE INDEX escalation_open ON escalation(fingerprint) WHERE closed_at IS NULL;
                CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
                  BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;
                CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
                  BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;
                """)
        }
        // Issue #18 item 5: four-eyes re-identification. One row per request of a dpo for the
        // identity behind one pseudonym in one finding; a different personalrat approves or
        // refuses; an approved request reveals to its requester until `expires`.
        m.registerMigration("v4-reidentification") { db in
            try db.execute(sql: """
                CREATE TABLE reidentification (
                  id INTEGER PRIMARY KEY AUTOINCREMENT,
                  fingerprint TEXT NOT NULL,
                  pseudonym TEXT NOT NULL,
                  reason TEXT NOT NULL,
                  requested_by TEXT NOT NULL,
                  requested_at INTEGER NOT NULL,
                  decided_by TEXT,
                  decided_at INTEGER,
                  outcome TEXT CHECK (outcome IN ('approved', 'refused')),
                  note TEXT,
                  expires INTEGER
                );
                CREATE INDEX reidentification_finding ON reidentification(fingerprint);
                """)
        }
        // Issue #18: the per-rule trend of the workspace counts one rule's findings by month of
        // first detection; this index answers that from the index alone (no payload read) and
        // serves the rule filter of the findings list.
        m.registerMigration("v5-finding-rule-index") { db in
            try db.execute(sql: "CREATE INDEX finding_rule_first_seen ON finding(rule_id, first_seen)")
        }
        // Issue #18: a finding page reads the trail rows and escalations of its finding; without
        // these indexes both were full-table scans that grow with every login and decision.
        m.registerMigration("v6-review-lookups") { db in
            try db.execute(sql: "CREATE INDEX audit_event_object ON audit_event(object, seq)")
            try db.execute(sql: "CREATE INDEX escalation_fingerprint ON escalation(fingerprint)")
        }
        return m
    }
}
