-- Users, projects and versioned specifications.
-- Ids are UUID v7 made by the service, stored as 16-byte BLOBs (sqlx's native encoding of
-- `Uuid`): BLOBs compare with memcmp, which for v7 ids is creation order, so `ORDER BY id DESC`
-- is newest first. Timestamps are RFC 3339 TEXT, as sqlx writes `OffsetDateTime`.
-- Tables are STRICT so a value of the wrong type is refused instead of silently stored.

CREATE TABLE users (
    id          BLOB    PRIMARY KEY CHECK (length(id) = 16),
    issuer      TEXT    NOT NULL CHECK (issuer <> ''),
    subject     TEXT    NOT NULL CHECK (subject <> ''),
    email       TEXT    NOT NULL,
    name        TEXT,
    picture_url TEXT,
    created_at  TEXT    NOT NULL,
    CONSTRAINT users_issuer_subject_key UNIQUE (issuer, subject)
) STRICT;

CREATE TABLE projects (
    id          BLOB    PRIMARY KEY CHECK (length(id) = 16),
    owner_id    BLOB    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL CHECK (name <> ''),
    description TEXT,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    -- SQLite does not report this name in its error; the service maps the message
    -- "UNIQUE constraint failed: projects.owner_id, projects.name" instead.
    CONSTRAINT projects_owner_name_key UNIQUE (owner_id, name)
) STRICT;

-- Serves the owner's project list (newest first, keyset on id).
CREATE INDEX projects_owner_id_id_idx ON projects (owner_id, id DESC);

CREATE TABLE specs (
    id          BLOB    PRIMARY KEY CHECK (length(id) = 16),
    project_id  BLOB    NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL CHECK (name <> ''),
    format      TEXT    NOT NULL CHECK (format IN ('yaml', 'json', 'markdown', 'openapi')),
    content     TEXT    NOT NULL,
    revision    INTEGER NOT NULL CHECK (revision >= 1),
    valid       INTEGER NOT NULL CHECK (valid IN (0, 1)),
    diagnostics TEXT    NOT NULL CHECK (json_valid(diagnostics) AND json_type(diagnostics) = 'array'),
    summary     TEXT    NOT NULL CHECK (json_valid(summary) AND json_type(summary) = 'object'),
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    -- Mapped from "UNIQUE constraint failed: specs.project_id, specs.name" (see above).
    CONSTRAINT specs_project_name_key UNIQUE (project_id, name)
) STRICT;

-- Serves a project's spec list (newest first, keyset on id) and the spec_count subquery.
CREATE INDEX specs_project_id_id_idx ON specs (project_id, id DESC);

-- Every saved state of a specification; the current one is also in `specs`.
CREATE TABLE spec_revisions (
    spec_id     BLOB    NOT NULL REFERENCES specs (id) ON DELETE CASCADE,
    revision    INTEGER NOT NULL CHECK (revision >= 1),
    name        TEXT    NOT NULL CHECK (name <> ''),
    format      TEXT    NOT NULL CHECK (format IN ('yaml', 'json', 'markdown', 'openapi')),
    content     TEXT    NOT NULL,
    valid       INTEGER NOT NULL CHECK (valid IN (0, 1)),
    diagnostics TEXT    NOT NULL CHECK (json_valid(diagnostics) AND json_type(diagnostics) = 'array'),
    summary     TEXT    NOT NULL CHECK (json_valid(summary) AND json_type(summary) = 'object'),
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (spec_id, revision)
) STRICT;
