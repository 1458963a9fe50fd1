-- Event deliveries: each subscribed function's queue, delivered in `seq`
-- order by one lane job per function (in `jobs`). A failed delivery stays,
-- listed and replayable, and no longer holds up the queue.
CREATE TABLE deliveries (
    tenant_id  text NOT NULL,
    id         text NOT NULL,
    func_id    text NOT NULL,
    seq        bigint GENERATED ALWAYS AS IDENTITY,
    status     text NOT NULL,
    record     json NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX deliveries_queue ON deliveries (tenant_id, func_id, seq) WHERE status = 'pending';
CREATE INDEX deliveries_by_tenant ON deliveries (tenant_id, seq);
