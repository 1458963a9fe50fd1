-- Nodes poll for the tenants changed since their last poll instead of reading
-- every tenant's generation each time: each change records the transaction
-- that made it (a 64-bit id, which does not wrap), and a poll reads the rows
-- written by transactions at or after the oldest one still running at its
-- previous poll (`pg_snapshot_xmin`), through an index.

ALTER TABLE tenant_changes ADD COLUMN changed_by xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX tenant_changes_since ON tenant_changes (changed_by);

CREATE OR REPLACE FUNCTION hookbox_note_change(tenant text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tenant_changes (tenant_id, generation, changed_by)
        VALUES (tenant, 1, pg_current_xact_id())
        ON CONFLICT (tenant_id) DO UPDATE
        SET generation = tenant_changes.generation + 1, changed_by = pg_current_xact_id();
    PERFORM pg_notify('hookbox_changes', tenant);
END $$;
