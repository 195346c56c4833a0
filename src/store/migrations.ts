// Numbered migrations, applied in order at start; PRAGMA user_version records the last one.
// Never edit a migration that has shipped: add the next number.
export const MIGRATIONS: readonly string[] = [
  // 1: cameras, tokens, outbox, PTZ log, camera state, key-value settings
  `
  CREATE TABLE cameras (
    id           TEXT PRIMARY KEY,
    camera_num   TEXT NOT NULL UNIQUE,
    record       TEXT NOT NULL,
    access       TEXT NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('config', 'cli', 'import')),
    sync_state   TEXT NOT NULL DEFAULT 'pending' CHECK (sync_state IN ('pending', 'synced', 'rejected')),
    sync_msg     TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
  );
  CREATE TABLE tokens (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    token        TEXT NOT NULL,
    origin       TEXT NOT NULL CHECK (origin IN ('config', 'platform')),
    obtained_at  INTEGER NOT NULL,
    confirmed_at INTEGER
  );
  CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL,
    coalesce_key    TEXT,
    payload         TEXT NOT NULL,
    rev             INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    delivered_at    INTEGER
  );
  CREATE UNIQUE INDEX outbox_pending_key ON outbox (coalesce_key) WHERE delivered_at IS NULL AND coalesce_key IS NOT NULL;
  CREATE INDEX outbox_due ON outbox (delivered_at, next_attempt_at);
  CREATE TABLE ptz_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    camera_num  TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      INTEGER NOT NULL,
    step        INTEGER NOT NULL,
    code        INTEGER NOT NULL,
    message     TEXT NOT NULL,
    latency_ms  INTEGER NOT NULL
  );
  CREATE INDEX ptz_log_camera_at ON ptz_log (camera_num, at);
  CREATE TABLE camera_state (
    camera_num  TEXT PRIMARY KEY,
    online      INTEGER NOT NULL CHECK (online IN (0, 1, 2)),
    reason      TEXT NOT NULL DEFAULT '',
    changed_at  INTEGER NOT NULL
  );
  CREATE TABLE kv (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  // 2: live state of media pipelines, written by the daemon, read by `vcgw status`
  `
  CREATE TABLE media_status (
    key         TEXT PRIMARY KEY,
    camera_num  TEXT NOT NULL,
    role        TEXT NOT NULL,
    state       TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    fps         REAL,
    kbps        REAL,
    frames      INTEGER,
    restarts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    since       INTEGER,
    updated_at  INTEGER NOT NULL
  );
  `,
  // 3: local PTZ holds, shared by the CLI (which moves the camera) and the daemon (which refuses the province)
  `
  CREATE TABLE ptz_holds (
    camera_num  TEXT PRIMARY KEY,
    user        TEXT NOT NULL,
    until       INTEGER NOT NULL
  );
  `,
  // 4: last ONVIF clock sync of each camera; a failed attempt keeps the last good sync beside its error
  `
  CREATE TABLE camera_clock (
    camera_num    TEXT PRIMARY KEY,
    synced_at     INTEGER,
    drift_ms      INTEGER,
    error         TEXT,
    attempted_at  INTEGER NOT NULL
  );
  `,
  // 5: what each camera told us over ONVIF (device, profiles, URIs), and the state of camera-side encoding
  `
  CREATE TABLE camera_onvif (
    camera_num  TEXT PRIMARY KEY,
    facts       TEXT NOT NULL,
    read_at     INTEGER NOT NULL
  );
  CREATE TABLE camera_encoding (
    camera_num  TEXT PRIMARY KEY,
    state       TEXT NOT NULL CHECK (state IN ('camera', 'fallback')),
    streams     TEXT NOT NULL,
    reason      TEXT,
    checked_at  INTEGER NOT NULL
  );
  `,
  // 6: last overlay (OSD) write of each ONVIF camera: what was written, the camera's OSD tokens, the error of a failed try
  `
  CREATE TABLE camera_osd (
    camera_num    TEXT PRIMARY KEY,
    written_at    INTEGER,
    lines         TEXT,
    tokens        TEXT NOT NULL DEFAULT '{}',
    error         TEXT,
    attempted_at  INTEGER NOT NULL
  );
  `,
  // 7: snapshots (seed 003 §6.4): one row per JPEG kept under [snapshots] dir; path is relative to it
  `
  CREATE TABLE snapshots (
    id          INTEGER PRIMARY KEY,
    camera_num  TEXT NOT NULL,
    taken_at    INTEGER NOT NULL,
    path        TEXT NOT NULL UNIQUE,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    bytes       INTEGER NOT NULL,
    source      TEXT NOT NULL CHECK (source IN ('stream', 'onvif', 'pull'))
  );
  CREATE INDEX snapshots_camera_taken ON snapshots (camera_num, taken_at);
  CREATE INDEX snapshots_taken ON snapshots (taken_at);
  `,
  // 8: the last image-quality diagnosis of each camera (what was reported, and the measures behind it)
  `
  CREATE TABLE camera_quality (
    camera_num   TEXT PRIMARY KEY,
    checked_at   INTEGER NOT NULL,
    bits         TEXT NOT NULL,
    confidences  TEXT NOT NULL,
    details      TEXT NOT NULL,
    image_url    TEXT,
    kind         TEXT NOT NULL CHECK (kind IN ('burst', 'snapshot'))
  );
  `,
  // 9: each camera's picture when it was last judged normal (issue 10), per light regime (day, night); reset when the camera is edited or re-aimed
  `
  CREATE TABLE camera_quality_reference (
    camera_num  TEXT NOT NULL,
    regime      TEXT NOT NULL CHECK (regime IN ('day', 'night')),
    samples     INTEGER NOT NULL,
    learned_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    measures    TEXT NOT NULL,
    PRIMARY KEY (camera_num, regime)
  );
  `,
  // 10: each camera's state at each half-hourly online check (seed 003 Appendix F (test 5.3): 06:00–23:30
  // Beijing time); a check with no rows at all is one the gateway missed (it was down)
  `
  CREATE TABLE online_checks (
    check_at    INTEGER NOT NULL,
    camera_num  TEXT NOT NULL,
    online      INTEGER NOT NULL CHECK (online IN (0, 1, 2)),
    reason      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (check_at, camera_num)
  );
  `,
  // 11: GB/T 28181 devices that registered, their catalogued channels, and catalog/info requests
  // the CLI leaves for the running daemon (which owns the SIP socket) to carry out
  `
  CREATE TABLE gb_devices (
    device_id        TEXT PRIMARY KEY,
    transport        TEXT NOT NULL,
    address          TEXT NOT NULL,
    port             INTEGER NOT NULL,
    edition          TEXT,
    expires_at       INTEGER NOT NULL,
    registered_at    INTEGER NOT NULL,
    last_seen_at     INTEGER NOT NULL,
    online           INTEGER NOT NULL CHECK (online IN (0, 1)),
    name             TEXT,
    manufacturer     TEXT,
    model            TEXT,
    firmware         TEXT,
    channel_count    INTEGER,
    clock_drift_ms   INTEGER,
    clock_checked_at INTEGER,
    catalog_at       INTEGER,
    catalog_complete INTEGER,
    updated_at       INTEGER NOT NULL
  );
  CREATE TABLE gb_channels (
    channel_id   TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    name         TEXT,
    manufacturer TEXT,
    model        TEXT,
    status       TEXT,
    ptz_type     INTEGER,
    parent_id    TEXT,
    item         TEXT NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (device_id, channel_id)
  );
  CREATE INDEX gb_channels_channel ON gb_channels (channel_id);
  CREATE TABLE gb_requests (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id   TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('catalog', 'info', 'status')),
    created_at  INTEGER NOT NULL,
    done_at     INTEGER,
    result      TEXT
  );
  `,
  // GB/T 28181 cascade (issue 11): the code of every tree node and channel per upper platform,
  // kept so that codes stay the same across restarts; manual = set by hand (vcgw cascade code).
  `
  CREATE TABLE cascade_codes (
    platform    TEXT NOT NULL,
    node_key    TEXT NOT NULL,
    code        TEXT NOT NULL,
    manual      INTEGER NOT NULL DEFAULT 0 CHECK (manual IN (0, 1)),
    assigned_at INTEGER NOT NULL,
    PRIMARY KEY (platform, node_key),
    UNIQUE (platform, code)
  );
  `,
  // 13: CLI requests to the daemon also carry PTZ moves and preset operations on a GB channel
  // (params), a deadline after which the daemon must not act (a PTZ move the CLI gave up on must
  // never happen late) and when the daemon took them. Requests live a day at most: recreated empty.
  `
  DROP TABLE gb_requests;
  CREATE TABLE gb_requests (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id   TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('catalog', 'info', 'status', 'ptz', 'presets')),
    params      TEXT,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER,
    claimed_at  INTEGER,
    done_at     INTEGER,
    result      TEXT
  );
  `,
  // 14: each outbox row names the uplink it goes to (each dispatcher claims its own); every row
  // queued so far was the province's. A coalesce key now keeps one pending row per destination.
  `
  ALTER TABLE outbox ADD COLUMN destination TEXT NOT NULL DEFAULT 'province';
  DROP INDEX outbox_pending_key;
  CREATE UNIQUE INDEX outbox_pending_key ON outbox (destination, coalesce_key) WHERE delivered_at IS NULL AND coalesce_key IS NOT NULL;
  `,
];
