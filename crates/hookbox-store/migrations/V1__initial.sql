-- hookbox's schema for cluster mode. Records are JSON documents (the same
-- serde shapes the embedded store keeps); the columns beside them are what
-- lookups, ordering and locking need. `json`, not `jsonb`: a user's data may
-- hold "\u0000", which jsonb refuses.

CREATE TABLE tenants (
    id         text PRIMARY KEY,
    record     json NOT NULL
);

-- Access keys: the secret only as a salted hash (and sealed, for request
-- signatures), inside the record.
CREATE TABLE access_keys (
    id         text PRIMARY KEY,
    tenant_id  text NOT NULL REFERENCES tenants (id),
    record     json NOT NULL
);
CREATE INDEX access_keys_tenant ON access_keys (tenant_id);

CREATE TABLE functions (
    tenant_id  text NOT NULL,
    func_id    text NOT NULL,
    func_name  text NOT NULL,
    scene      text NOT NULL,
    revision   bigint NOT NULL,
    record     json NOT NULL,
    artifact   bytea,
    PRIMARY KEY (tenant_id, func_id)
);
CREATE INDEX functions_name ON functions (tenant_id, func_name);

CREATE TABLE function_versions (
    tenant_id  text NOT NULL,
    func_id    text NOT NULL,
    number     bigint NOT NULL,
    record     json NOT NULL,
    PRIMARY KEY (tenant_id, func_id, number)
);

-- The run order of each scene.
CREATE TABLE scene_orders (
    tenant_id  text NOT NULL,
    scene      text NOT NULL,
    func_ids   text[] NOT NULL,
    PRIMARY KEY (tenant_id, scene)
);

CREATE TABLE env_vars (
    tenant_id  text NOT NULL,
    name       text NOT NULL,
    value      text NOT NULL,
    PRIMARY KEY (tenant_id, name)
);

CREATE TABLE outbound_allow (
    tenant_id  text PRIMARY KEY,
    rules      text[] NOT NULL
);

-- A function's secrets, sealed with the key every node is given from outside
-- the database.
CREATE TABLE function_secrets (
    tenant_id  text NOT NULL,
    func_id    text NOT NULL,
    sealed     json NOT NULL,
    PRIMARY KEY (tenant_id, func_id)
);

CREATE TABLE action_caches (
    tenant_id  text NOT NULL,
    func_id    text NOT NULL,
    entries    json NOT NULL,
    PRIMARY KEY (tenant_id, func_id)
);

CREATE TABLE connections (
    tenant_id  text NOT NULL,
    name       text NOT NULL,
    record     json NOT NULL,
    configuration json,
    PRIMARY KEY (tenant_id, name)
);

CREATE TABLE connection_artifacts (
    tenant_id  text NOT NULL,
    name       text NOT NULL,
    script     text NOT NULL,
    artifact   bytea NOT NULL,
    PRIMARY KEY (tenant_id, name, script)
);

CREATE TABLE packages (
    name       text NOT NULL,
    version    text NOT NULL,
    record     json NOT NULL,
    PRIMARY KEY (name, version)
);

-- Request-signature nonces: replay protection holds across nodes.
CREATE TABLE nonces (
    tenant_id  text NOT NULL,
    nonce      text NOT NULL,
    expires_micros bigint NOT NULL,
    PRIMARY KEY (tenant_id, nonce)
);
CREATE INDEX nonces_expiry ON nonces (expires_micros);

-- The async queue: a node claims due jobs with FOR UPDATE SKIP LOCKED and
-- pushes them past a lease; a job whose node died is due again after it.
CREATE TABLE jobs (
    id         text PRIMARY KEY,
    next_at_micros bigint NOT NULL,
    record     json NOT NULL
);
CREATE INDEX jobs_due ON jobs (next_at_micros);

-- Invocation logs, one partition per UTC day (created as logs arrive); expiry
-- drops whole partitions instead of rewriting the table.
CREATE TABLE logs (
    tenant_id  text NOT NULL,
    func_id    text NOT NULL,
    at_micros  bigint NOT NULL,
    seq        bigint GENERATED ALWAYS AS IDENTITY,
    size       bigint NOT NULL,
    record     json NOT NULL
) PARTITION BY RANGE (at_micros);
CREATE INDEX logs_by_function ON logs (tenant_id, func_id, at_micros, seq);
CREATE INDEX logs_by_tenant ON logs (tenant_id, at_micros, seq);

-- Each tenant's log bytes, kept with every write, for the size cap.
CREATE TABLE log_usage (
    tenant_id  text PRIMARY KEY,
    bytes      bigint NOT NULL
);
