-- What every node must agree on. `sealing_key_check` is a one-way digest of
-- the cluster's sealing key, written by the first node: a node given another
-- key refuses to start instead of sealing with it what the others cannot open.
CREATE TABLE cluster_settings (
    name       text PRIMARY KEY,
    value      text NOT NULL
);
