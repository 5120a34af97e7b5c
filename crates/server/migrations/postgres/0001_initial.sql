-- Users, projects and versioned specifications.
-- Ids are UUID v7 made by the service (never by the database), so `ORDER BY id DESC` is
-- newest first and keyset pagination needs no timestamp column.

CREATE TABLE users (
    id          uuid        PRIMARY KEY,
    issuer      text        NOT NULL CHECK (issuer <> ''),
    subject     text        NOT NULL CHECK (subject <> ''),
    email       text        NOT NULL,
    name        text,
    picture_url text,
    created_at  timestamptz NOT NULL,
    CONSTRAINT users_issuer_subject_key UNIQUE (issuer, subject)
);

CREATE TABLE projects (
    id          uuid        PRIMARY KEY,
    owner_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        text        NOT NULL CHECK (name <> ''),
    description text,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    -- The service maps a violation of this constraint, by its name, to a 409.
    CONSTRAINT projects_owner_name_key UNIQUE (owner_id, name)
);

-- Serves the owner's project list (newest first, keyset on id).
CREATE INDEX projects_owner_id_id_idx ON projects (owner_id, id DESC);

CREATE TABLE specs (
    id          uuid        PRIMARY KEY,
    project_id  uuid        NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name        text        NOT NULL CHECK (name <> ''),
    format      text        NOT NULL CHECK (format IN ('yaml', 'json', 'markdown', 'openapi')),
    content     text        NOT NULL,
    revision    bigint      NOT NULL CHECK (revision >= 1),
    valid       boolean     NOT NULL,
    diagnostics jsonb       NOT NULL CHECK (jsonb_typeof(diagnostics) = 'array'),
    summary     jsonb       NOT NULL CHECK (jsonb_typeof(summary) = 'object'),
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    -- The service maps a violation of this constraint, by its name, to a 409.
    CONSTRAINT specs_project_name_key UNIQUE (project_id, name)
);

-- Serves a project's spec list (newest first, keyset on id) and the spec_count subquery.
CREATE INDEX specs_project_id_id_idx ON specs (project_id, id DESC);

-- Every saved state of a specification; the current one is also in `specs`.
CREATE TABLE spec_revisions (
    spec_id     uuid        NOT NULL REFERENCES specs (id) ON DELETE CASCADE,
    revision    bigint      NOT NULL CHECK (revision >= 1),
    name        text        NOT NULL CHECK (name <> ''),
    format      text        NOT NULL CHECK (format IN ('yaml', 'json', 'markdown', 'openapi')),
    content     text        NOT NULL,
    valid       boolean     NOT NULL,
    diagnostics jsonb       NOT NULL CHECK (jsonb_typeof(diagnostics) = 'array'),
    summary     jsonb       NOT NULL CHECK (jsonb_typeof(summary) = 'object'),
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (spec_id, revision)
);
