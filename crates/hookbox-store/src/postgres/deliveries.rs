//! Event deliveries on PostgreSQL ([`DeliveryStore`]): the `deliveries`
//! table, `seq` from an identity column (so a function's queue is in commit
//! order across nodes), and each function's lane in `jobs`.
//!
//! Adding deliveries and ending a lane both lock the lane's `jobs` row
//! first: an add waits for an ending lane to commit (and then queues a new
//! one), and an ending lane that waited for an add reads the added
//! deliveries in its next statement, so no delivery is left without a lane.

use super::{PgStore, db, micros};
use crate::StoreError;
use crate::model::{Delivery, DeliveryStatus, Job};
use crate::sled_store::check_part;
use crate::storage::*;
use tokio_postgres::Row;
use tokio_postgres::types::Json;

/// A delivery from its row: the record, with the row's `seq` and status.
fn delivery(row: &Row) -> Result<Delivery, StoreError> {
    let Json(mut d): Json<Delivery> = row
        .try_get("record")
        .map_err(|e| StoreError::Corrupt(format!("record: {e}")))?;
    let seq: i64 = row.get("seq");
    d.seq = seq as u64;
    let status: String = row.get("status");
    d.status = match status.as_str() {
        "pending" => DeliveryStatus::Pending,
        "failed" => DeliveryStatus::Failed,
        other => return Err(StoreError::Corrupt(format!("delivery status {other:?}"))),
    };
    Ok(d)
}

/// Queues `lane` unless it is queued, and locks its row either way.
async fn lock_lane(tx: &deadpool_postgres::Transaction<'_>, lane: &Job) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO jobs (id, next_at_micros, record) VALUES ($1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET next_at_micros = jobs.next_at_micros",
        &[&lane.id, &micros(lane.next_at_micros), &Json(lane)],
    )
    .await
    .map_err(db)?;
    Ok(())
}

impl DeliveryStore for PgStore {
    fn add_deliveries(
        &self,
        deliveries: &[Delivery],
        lanes: &[Job],
    ) -> Result<Vec<Delivery>, StoreError> {
        for d in deliveries {
            check_part("tenant id", &d.tenant_id)?;
            check_part("function id", &d.func_id)?;
            check_part("delivery id", &d.id)?;
        }
        self.run(async {
            let mut client = self.client().await?;
            let tx = client.transaction().await.map_err(db)?;
            let mut lanes: Vec<&Job> = lanes.iter().collect();
            // One order for every writer, so two adds never deadlock.
            lanes.sort_by(|a, b| a.id.cmp(&b.id));
            for lane in lanes {
                lock_lane(&tx, lane).await?;
            }
            let mut stored = Vec::with_capacity(deliveries.len());
            for d in deliveries {
                let mut d = d.clone();
                d.status = DeliveryStatus::Pending;
                let row = tx
                    .query_one(
                        "INSERT INTO deliveries (tenant_id, id, func_id, status, record)
                         VALUES ($1, $2, $3, 'pending', $4) RETURNING seq",
                        &[&d.tenant_id, &d.id, &d.func_id, &Json(&d)],
                    )
                    .await
                    .map_err(db)?;
                let seq: i64 = row.get(0);
                d.seq = seq as u64;
                stored.push(d);
            }
            tx.commit().await.map_err(db)?;
            Ok(stored)
        })
    }

    fn next_delivery(
        &self,
        tenant_id: &str,
        func_id: &str,
    ) -> Result<Option<Delivery>, StoreError> {
        self.run(async {
            let client = self.client().await?;
            let row = client
                .query_opt(
                    "SELECT seq, status, record FROM deliveries
                     WHERE tenant_id = $1 AND func_id = $2 AND status = 'pending'
                     ORDER BY seq LIMIT 1",
                    &[&tenant_id, &func_id],
                )
                .await
                .map_err(db)?;
            row.as_ref().map(delivery).transpose()
        })
    }

    fn update_delivery(&self, d: &Delivery) -> Result<(), StoreError> {
        self.run(async {
            let client = self.client().await?;
            let n = client
                .execute(
                    "UPDATE deliveries SET status = $3, record = $4 WHERE tenant_id = $1 AND id = $2",
                    &[&d.tenant_id, &d.id, &d.status.as_str(), &Json(d)],
                )
                .await
                .map_err(db)?;
            if n == 0 {
                return Err(StoreError::NotFound(format!("delivery {}", d.id)));
            }
            Ok(())
        })
    }

    fn remove_delivery(&self, tenant_id: &str, id: &str) -> Result<(), StoreError> {
        self.run(async {
            let client = self.client().await?;
            client
                .execute(
                    "DELETE FROM deliveries WHERE tenant_id = $1 AND id = $2",
                    &[&tenant_id, &id],
                )
                .await
                .map_err(db)?;
            Ok(())
        })
    }

    fn get_delivery(&self, tenant_id: &str, id: &str) -> Result<Option<Delivery>, StoreError> {
        self.run(async {
            let client = self.client().await?;
            let row = client
                .query_opt(
                    "SELECT seq, status, record FROM deliveries WHERE tenant_id = $1 AND id = $2",
                    &[&tenant_id, &id],
                )
                .await
                .map_err(db)?;
            row.as_ref().map(delivery).transpose()
        })
    }

    fn list_deliveries(
        &self,
        tenant_id: &str,
        status: Option<DeliveryStatus>,
        limit: usize,
    ) -> Result<Vec<Delivery>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let status = status.map(DeliveryStatus::as_str);
        self.run(async {
            let client = self.client().await?;
            let rows = client
                .query(
                    "SELECT seq, status, record FROM deliveries
                     WHERE tenant_id = $1 AND ($2::text IS NULL OR status = $2)
                     ORDER BY seq LIMIT $3",
                    &[&tenant_id, &status, &limit],
                )
                .await
                .map_err(db)?;
            rows.iter().map(delivery).collect()
        })
    }

    fn count_deliveries(&self, tenant_id: &str, func_id: &str) -> Result<usize, StoreError> {
        self.run(async {
            let client = self.client().await?;
            let n: i64 = client
                .query_one(
                    "SELECT count(*)::bigint FROM deliveries WHERE tenant_id = $1 AND func_id = $2",
                    &[&tenant_id, &func_id],
                )
                .await
                .map_err(db)?
                .get(0);
            Ok(n as usize)
        })
    }

    fn requeue_delivery(
        &self,
        tenant_id: &str,
        id: &str,
        lane: &Job,
    ) -> Result<Delivery, StoreError> {
        self.run(async {
            let mut client = self.client().await?;
            let tx = client.transaction().await.map_err(db)?;
            lock_lane(&tx, lane).await?;
            let row = tx
                .query_opt(
                    "SELECT seq, status, record FROM deliveries WHERE tenant_id = $1 AND id = $2 FOR UPDATE",
                    &[&tenant_id, &id],
                )
                .await
                .map_err(db)?;
            let Some(row) = row else {
                return Err(StoreError::NotFound(format!("delivery {id}")));
            };
            let mut d = delivery(&row)?;
            if d.status != DeliveryStatus::Failed {
                return Err(StoreError::Conflict(format!(
                    "delivery {id} is {}, not failed",
                    d.status.as_str()
                )));
            }
            d.status = DeliveryStatus::Pending;
            d.attempts = 0;
            d.next_at_micros = crate::now_micros();
            let row = tx
                .query_one(
                    "UPDATE deliveries SET seq = DEFAULT, status = 'pending', record = $3
                     WHERE tenant_id = $1 AND id = $2 RETURNING seq",
                    &[&tenant_id, &id, &Json(&d)],
                )
                .await
                .map_err(db)?;
            let seq: i64 = row.get(0);
            d.seq = seq as u64;
            tx.commit().await.map_err(db)?;
            Ok(d)
        })
    }

    fn finish_lane(&self, tenant_id: &str, func_id: &str) -> Result<bool, StoreError> {
        let lane = lane_job_id(tenant_id, func_id);
        self.run(async {
            let mut client = self.client().await?;
            let tx = client.transaction().await.map_err(db)?;
            tx.query_opt("SELECT id FROM jobs WHERE id = $1 FOR UPDATE", &[&lane])
                .await
                .map_err(db)?;
            // A new statement: its snapshot holds what an add that held the
            // lock committed.
            let pending: bool = tx
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM deliveries
                     WHERE tenant_id = $1 AND func_id = $2 AND status = 'pending')",
                    &[&tenant_id, &func_id],
                )
                .await
                .map_err(db)?
                .get(0);
            if pending {
                tx.execute(
                    "UPDATE jobs SET next_at_micros = $2 WHERE id = $1",
                    &[&lane, &micros(crate::now_micros())],
                )
                .await
                .map_err(db)?;
            } else {
                tx.execute("DELETE FROM jobs WHERE id = $1", &[&lane])
                    .await
                    .map_err(db)?;
            }
            tx.commit().await.map_err(db)?;
            Ok(!pending)
        })
    }

    fn delete_deliveries(&self, tenant_id: &str, func_id: &str) -> Result<usize, StoreError> {
        let lane = lane_job_id(tenant_id, func_id);
        self.run(async {
            let mut client = self.client().await?;
            let tx = client.transaction().await.map_err(db)?;
            tx.execute("DELETE FROM jobs WHERE id = $1", &[&lane])
                .await
                .map_err(db)?;
            let n = tx
                .execute(
                    "DELETE FROM deliveries WHERE tenant_id = $1 AND func_id = $2",
                    &[&tenant_id, &func_id],
                )
                .await
                .map_err(db)?;
            tx.commit().await.map_err(db)?;
            Ok(n as usize)
        })
    }
}
