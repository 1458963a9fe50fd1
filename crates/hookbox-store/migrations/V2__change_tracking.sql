-- Nodes follow each other's changes: every write to what a node caches
-- (tenants, functions, their secrets, scene orders, env, allow-lists,
-- connections) bumps its tenant's generation and notifies the channel
-- `hookbox_changes` with the tenant id at commit. A node wakes on the
-- notification and compares generations, so a notification it missed (its
-- listening connection was down) is caught at its next poll.

CREATE TABLE tenant_changes (
    tenant_id  text PRIMARY KEY,
    generation bigint NOT NULL
);

CREATE FUNCTION hookbox_note_change(tenant text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tenant_changes (tenant_id, generation) VALUES (tenant, 1)
        ON CONFLICT (tenant_id) DO UPDATE SET generation = tenant_changes.generation + 1;
    PERFORM pg_notify('hookbox_changes', tenant);
END $$;

-- For tables keyed by tenant_id.
CREATE FUNCTION hookbox_tenant_row_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM hookbox_note_change(OLD.tenant_id);
    ELSE
        PERFORM hookbox_note_change(NEW.tenant_id);
    END IF;
    RETURN NULL;
END $$;

-- For the tenants table itself (keyed by id).
CREATE FUNCTION hookbox_tenant_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM hookbox_note_change(OLD.id);
    ELSE
        PERFORM hookbox_note_change(NEW.id);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER tenants_changed AFTER INSERT OR UPDATE OR DELETE ON tenants
    FOR EACH ROW EXECUTE FUNCTION hookbox_tenant_changed();
CREATE TRIGGER functions_changed AFTER INSERT OR UPDATE OR DELETE ON functions
    FOR EACH ROW EXECUTE FUNCTION hookbox_tenant_row_changed();
CREATE TRIGGER function_secrets_changed AFTER INSERT OR UPDATE OR DELETE ON function_secrets
    FOR EACH ROW EXECUTE FUNCTION hookbox_tenant_row_changed();
CREATE TRIGGER scene_orders_changed AFTER INSERT OR UPDATE OR DELETE ON scene_orders
    FOR EACH ROW EXECUTE FUNCTION hookbox_tenant_row_changed();
CREATE TRIGGER env_vars_changed AFTER INSERT OR UPDATE OR DELETE ON env_vars
    FOR EACH ROW EXECUTE FUNCTION hookbox_tenant_row_changed();
CREATE TRIGGER outbound_allow_changed AFTER INSERT OR UPDATE OR DELETE ON outbound_allow
    FOR EACH ROW EXECUTE FUNCTION hookbox_tenant_row_changed();
CREATE TRIGGER connections_changed AFTER INSERT OR UPDATE OR DELETE ON connections
    FOR EACH ROW EXECUTE FUNCTION hookbox_tenant_row_changed();
CREATE TRIGGER connection_artifacts_changed AFTER INSERT OR UPDATE OR DELETE ON connection_artifacts
    FOR EACH ROW EXECUTE FUNCTION hookbox_tenant_row_changed();
