-- Generations: a durable job queue and the files each job made.
--
-- A generation is a job: `queued` until a worker claims it, `running` while the worker holds
-- its lease (`lease_token`, renewed before `lease_expires_at`, in milliseconds since the epoch),
-- then `succeeded`, `failed` or `canceled`. A running job whose lease ran out is claimed again
-- (with a new token) until `attempts` reaches the limit; only the holder of the current token
-- can record a result, so a job run twice commits one result.

CREATE TABLE generations (
    id               BLOB    PRIMARY KEY CHECK (length(id) = 16),
    spec_id          BLOB    NOT NULL,
    spec_revision    INTEGER NOT NULL,
    target           TEXT    NOT NULL CHECK (target <> ''),
    options          TEXT    NOT NULL CHECK (json_valid(options) AND json_type(options) = 'object'),
    status           TEXT    NOT NULL
        CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'canceled')),
    progress         INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    error            TEXT,
    file_count       INTEGER,
    total_bytes      INTEGER,
    digest           TEXT,
    attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    lease_token      BLOB,
    lease_expires_at INTEGER,
    created_at       TEXT    NOT NULL,
    started_at       TEXT,
    finished_at      TEXT,
    FOREIGN KEY (spec_id, spec_revision)
        REFERENCES spec_revisions (spec_id, revision) ON DELETE CASCADE
) STRICT;

-- Serves a specification's generation list (newest first, keyset on id).
CREATE INDEX generations_spec_id_id_idx ON generations (spec_id, id DESC);
-- Serves the workers' claims: only unfinished jobs, oldest first.
CREATE INDEX generations_unfinished_idx ON generations (id) WHERE status IN ('queued', 'running');

-- File contents by SHA-256 (hex) of the uncompressed bytes, zlib-compressed, shared by every
-- generation that made the same file.
CREATE TABLE blobs (
    sha256 TEXT    PRIMARY KEY CHECK (length(sha256) = 64),
    size   INTEGER NOT NULL CHECK (size >= 0),
    data   BLOB    NOT NULL
) STRICT;

-- The files of a succeeded generation.
CREATE TABLE generation_files (
    generation_id BLOB    NOT NULL REFERENCES generations (id) ON DELETE CASCADE,
    path          TEXT    NOT NULL CHECK (path <> ''),
    size          INTEGER NOT NULL CHECK (size >= 0),
    sha256        TEXT    NOT NULL REFERENCES blobs (sha256),
    PRIMARY KEY (generation_id, path)
) STRICT;

-- Serves the check that a blob is still used before it is removed.
CREATE INDEX generation_files_sha256_idx ON generation_files (sha256);
