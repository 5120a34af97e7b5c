-- Generations: a durable job queue and the files each job made.
--
-- A generation is a job: `queued` until a worker claims it, `running` while the worker holds
-- its lease (`lease_token`, renewed before `lease_expires_at`, in milliseconds since the epoch),
-- then `succeeded`, `failed` or `canceled`. A running job whose lease ran out is claimed again
-- (with a new token) until `attempts` reaches the limit; only the holder of the current token
-- can record a result, so a job run twice commits one result.

CREATE TABLE generations (
    id               uuid        PRIMARY KEY,
    spec_id          uuid        NOT NULL,
    spec_revision    bigint      NOT NULL,
    target           text        NOT NULL CHECK (target <> ''),
    options          json        NOT NULL CHECK (json_typeof(options) = 'object'),
    status           text        NOT NULL
        CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'canceled')),
    progress         integer     NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    error            text,
    file_count       bigint,
    total_bytes      bigint,
    digest           text,
    attempts         integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    lease_token      uuid,
    lease_expires_at bigint,
    created_at       timestamptz NOT NULL,
    started_at       timestamptz,
    finished_at      timestamptz,
    FOREIGN KEY (spec_id, spec_revision)
        REFERENCES spec_revisions (spec_id, revision) ON DELETE CASCADE
);

-- Serves a specification's generation list (newest first, keyset on id).
CREATE INDEX generations_spec_id_id_idx ON generations (spec_id, id DESC);
-- Serves the workers' claims: only unfinished jobs, oldest first.
CREATE INDEX generations_unfinished_idx ON generations (id) WHERE status IN ('queued', 'running');

-- File contents by SHA-256 (hex) of the uncompressed bytes, zlib-compressed, shared by every
-- generation that made the same file.
CREATE TABLE blobs (
    sha256 text   PRIMARY KEY CHECK (length(sha256) = 64),
    size   bigint NOT NULL CHECK (size >= 0),
    data   bytea  NOT NULL
);

-- The files of a succeeded generation.
CREATE TABLE generation_files (
    generation_id uuid   NOT NULL REFERENCES generations (id) ON DELETE CASCADE,
    path          text   NOT NULL CHECK (path <> ''),
    size          bigint NOT NULL CHECK (size >= 0),
    sha256        text   NOT NULL REFERENCES blobs (sha256),
    PRIMARY KEY (generation_id, path)
);

-- Serves the check that a blob is still used before it is removed.
CREATE INDEX generation_files_sha256_idx ON generation_files (sha256);
