-- Nodes cache Actions' api.cache too: a change of one bumps its tenant's
-- generation like any other cached state (schema 2), so that no node keeps
-- serving a value another node replaced or deleted.
CREATE TRIGGER action_caches_changed AFTER INSERT OR UPDATE OR DELETE ON action_caches
    FOR EACH ROW EXECUTE FUNCTION hookbox_tenant_row_changed();

-- A signed request purges its tenant's expired nonces: by tenant and expiry.
DROP INDEX nonces_expiry;
CREATE INDEX nonces_by_expiry ON nonces (tenant_id, expires_micros);
