//! Event deliveries ([`DeliveryStore`]): each function's queue of pending
//! deliveries, the failed ones kept for replay, and an index by id.
//!
//! | tree | key | value |
//! | --- | --- | --- |
//! | `deliveries` | tenant `\0` func `\0` seq | a pending [`Delivery`] |
//! | `failed_deliveries` | tenant `\0` seq | a failed [`Delivery`] |
//! | `delivery_index` | tenant `\0` id | `p` or `f`, then its key in one of the two trees above |
//!
//! `seq` is zero-padded like times, from sled's monotonic id generator, so a
//! function's prefix of `deliveries` is its queue in order. A lane's job sits
//! in the `jobs` trees like any other job; a delivery and its lane are
//! written in one transaction.

use super::{SledStore, TIME_DIGITS, TxResult, abort, check_part, job_key, key, prefix, tx_error};
use crate::StoreError;
use crate::codec::{decode, encode};
use crate::model::{Delivery, DeliveryStatus, Job};
use crate::storage::*;
use sled::Transactional;
use sled::transaction::TransactionalTree;

/// The three trees of this module.
#[derive(Clone)]
pub(super) struct DeliveryTrees {
    pending: sled::Tree,
    failed: sled::Tree,
    index: sled::Tree,
}

impl DeliveryTrees {
    pub(super) fn open(db: &sled::Db) -> Result<Self, StoreError> {
        Ok(Self {
            pending: db.open_tree("deliveries")?,
            failed: db.open_tree("failed_deliveries")?,
            index: db.open_tree("delivery_index")?,
        })
    }
}

fn seq_digits(seq: u64) -> String {
    format!("{seq:0w$}", w = TIME_DIGITS)
}

fn pending_key(d: &Delivery) -> Vec<u8> {
    key(&[&d.tenant_id, &d.func_id, &seq_digits(d.seq)])
}

fn failed_key(d: &Delivery) -> Vec<u8> {
    key(&[&d.tenant_id, &seq_digits(d.seq)])
}

/// Where `d` lives, as the index records it: the tree's letter and the key.
fn located(d: &Delivery) -> Vec<u8> {
    let (tag, k) = match d.status {
        DeliveryStatus::Pending => (b'p', pending_key(d)),
        DeliveryStatus::Failed => (b'f', failed_key(d)),
    };
    let mut v = vec![tag];
    v.extend_from_slice(&k);
    v
}

/// Queues `lane` unless a job by its id is queued already.
fn tx_put_lane_if_absent(
    jobs: &TransactionalTree,
    job_index: &TransactionalTree,
    lane: &Job,
    value: &[u8],
) -> TxResult<()> {
    if job_index.get(lane.id.as_bytes())?.is_none() {
        let jkey = job_key(lane);
        jobs.insert(jkey.as_slice(), value)?;
        job_index.insert(lane.id.as_bytes(), jkey.as_slice())?;
    }
    Ok(())
}

impl SledStore {
    fn read_located(&self, loc: &[u8]) -> Result<Option<Delivery>, StoreError> {
        let trees = &self.delivery_trees;
        let tree = match loc.first() {
            Some(b'p') => &trees.pending,
            Some(b'f') => &trees.failed,
            _ => return Err(StoreError::Corrupt("delivery index entry".into())),
        };
        tree.get(&loc[1..])?.map(|b| decode(&b)).transpose()
    }
}

impl DeliveryStore for SledStore {
    fn add_deliveries(
        &self,
        deliveries: &[Delivery],
        lanes: &[Job],
    ) -> Result<Vec<Delivery>, StoreError> {
        let mut stored = Vec::with_capacity(deliveries.len());
        for d in deliveries {
            check_part("tenant id", &d.tenant_id)?;
            check_part("function id", &d.func_id)?;
            check_part("delivery id", &d.id)?;
            let mut d = d.clone();
            d.seq = self.db.generate_id()? + 1;
            d.status = DeliveryStatus::Pending;
            stored.push(d);
        }
        let rows = stored
            .iter()
            .map(|d| Ok((key(&[&d.tenant_id, &d.id]), located(d), encode(d)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let lane_rows = lanes
            .iter()
            .map(|l| Ok((l, encode(l)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let trees = &self.delivery_trees;
        let _one = self.lanes.lock().expect("lanes lock");
        (&trees.pending, &trees.index, &self.jobs, &self.job_index)
            .transaction(|(pending, index, jobs, job_index)| {
                for (ikey, loc, value) in &rows {
                    pending.insert(&loc[1..], value.as_slice())?;
                    index.insert(ikey.as_slice(), loc.as_slice())?;
                }
                for (lane, value) in &lane_rows {
                    tx_put_lane_if_absent(jobs, job_index, lane, value)?;
                }
                Ok(())
            })
            .map_err(tx_error)?;
        Ok(stored)
    }

    fn next_delivery(
        &self,
        tenant_id: &str,
        func_id: &str,
    ) -> Result<Option<Delivery>, StoreError> {
        self.delivery_trees
            .pending
            .scan_prefix(prefix(&[tenant_id, func_id]))
            .values()
            .next()
            .map(|v| decode(&v?))
            .transpose()
    }

    fn update_delivery(&self, delivery: &Delivery) -> Result<(), StoreError> {
        let ikey = key(&[&delivery.tenant_id, &delivery.id]);
        let loc = located(delivery);
        let value = encode(delivery)?;
        let trees = &self.delivery_trees;
        (&trees.pending, &trees.failed, &trees.index)
            .transaction(|(pending, failed, index)| {
                let Some(old) = index.get(ikey.as_slice())? else {
                    return abort(StoreError::NotFound(format!("delivery {}", delivery.id)));
                };
                match old.first() {
                    Some(b'p') => pending.remove(&old[1..])?,
                    _ => failed.remove(&old[1..])?,
                };
                let tree = match delivery.status {
                    DeliveryStatus::Pending => pending,
                    DeliveryStatus::Failed => failed,
                };
                tree.insert(&loc[1..], value.as_slice())?;
                index.insert(ikey.as_slice(), loc.as_slice())?;
                Ok(())
            })
            .map_err(tx_error)
    }

    fn remove_delivery(&self, tenant_id: &str, id: &str) -> Result<(), StoreError> {
        let ikey = key(&[tenant_id, id]);
        let trees = &self.delivery_trees;
        (&trees.pending, &trees.failed, &trees.index)
            .transaction(|(pending, failed, index)| {
                if let Some(old) = index.remove(ikey.as_slice())? {
                    match old.first() {
                        Some(b'p') => pending.remove(&old[1..])?,
                        _ => failed.remove(&old[1..])?,
                    };
                }
                Ok(())
            })
            .map_err(tx_error)
    }

    fn get_delivery(&self, tenant_id: &str, id: &str) -> Result<Option<Delivery>, StoreError> {
        match self.delivery_trees.index.get(key(&[tenant_id, id]))? {
            Some(loc) => self.read_located(&loc),
            None => Ok(None),
        }
    }

    fn list_deliveries(
        &self,
        tenant_id: &str,
        status: Option<DeliveryStatus>,
        limit: usize,
    ) -> Result<Vec<Delivery>, StoreError> {
        let trees = &self.delivery_trees;
        let mut all = Vec::new();
        if status != Some(DeliveryStatus::Failed) {
            for v in trees.pending.scan_prefix(prefix(&[tenant_id])).values() {
                all.push(decode::<Delivery>(&v?)?);
            }
        }
        if status != Some(DeliveryStatus::Pending) {
            for v in trees.failed.scan_prefix(prefix(&[tenant_id])).values() {
                all.push(decode::<Delivery>(&v?)?);
            }
        }
        all.sort_by_key(|d| d.seq);
        all.truncate(limit);
        Ok(all)
    }

    fn count_deliveries(&self, tenant_id: &str, func_id: &str) -> Result<usize, StoreError> {
        let trees = &self.delivery_trees;
        let pending = trees
            .pending
            .scan_prefix(prefix(&[tenant_id, func_id]))
            .keys()
            .count();
        let mut failed = 0;
        for v in trees.failed.scan_prefix(prefix(&[tenant_id])).values() {
            if decode::<Delivery>(&v?)?.func_id == func_id {
                failed += 1;
            }
        }
        Ok(pending + failed)
    }

    fn requeue_delivery(
        &self,
        tenant_id: &str,
        id: &str,
        lane: &Job,
    ) -> Result<Delivery, StoreError> {
        let Some(mut d) = self.get_delivery(tenant_id, id)? else {
            return Err(StoreError::NotFound(format!("delivery {id}")));
        };
        if d.status != DeliveryStatus::Failed {
            return Err(StoreError::Conflict(format!(
                "delivery {id} is {}, not failed",
                d.status.as_str()
            )));
        }
        let old = located(&d);
        d.seq = self.db.generate_id()? + 1;
        d.status = DeliveryStatus::Pending;
        d.attempts = 0;
        d.next_at_micros = crate::now_micros();
        let ikey = key(&[tenant_id, id]);
        let loc = located(&d);
        let value = encode(&d)?;
        let lane_value = encode(lane)?;
        let trees = &self.delivery_trees;
        let _one = self.lanes.lock().expect("lanes lock");
        (
            &trees.pending,
            &trees.failed,
            &trees.index,
            &self.jobs,
            &self.job_index,
        )
            .transaction(|(pending, failed, index, jobs, job_index)| {
                // Replayed by another call meanwhile: the index moved.
                if index.get(ikey.as_slice())?.as_deref() != Some(old.as_slice()) {
                    return abort(StoreError::Conflict(format!("delivery {id} is not failed")));
                }
                failed.remove(&old[1..])?;
                pending.insert(&loc[1..], value.as_slice())?;
                index.insert(ikey.as_slice(), loc.as_slice())?;
                tx_put_lane_if_absent(jobs, job_index, lane, &lane_value)?;
                Ok(())
            })
            .map_err(tx_error)?;
        Ok(d)
    }

    fn finish_lane(&self, tenant_id: &str, func_id: &str) -> Result<bool, StoreError> {
        let lane = lane_job_id(tenant_id, func_id);
        let queue = prefix(&[tenant_id, func_id]);
        let trees = &self.delivery_trees;
        // The transaction reads the pending tree's first key of the
        // function: sled transactions cannot scan, so the check is a read
        // of the tree outside it, made safe by one writer at a time (every
        // add_deliveries and finish_lane of this store take this lock).
        let _one = self.lanes.lock().expect("lanes lock");
        if trees.pending.scan_prefix(&queue).next().is_some() {
            // Added while the lane looked: it runs again now, not when the
            // lease it holds would lapse.
            if let Some(jkey) = self.job_index.get(lane.as_bytes())?
                && let Some(bytes) = self.jobs.get(&jkey)?
            {
                let mut job: Job = decode(&bytes)?;
                job.next_at_micros = crate::now_micros();
                self.put_job(&job, true)?;
            }
            return Ok(false);
        }
        self.complete_job(&lane)?;
        Ok(true)
    }

    fn delete_deliveries(&self, tenant_id: &str, func_id: &str) -> Result<usize, StoreError> {
        let doomed: Vec<Delivery> = self
            .list_deliveries(tenant_id, None, usize::MAX)?
            .into_iter()
            .filter(|d| d.func_id == func_id)
            .collect();
        for d in &doomed {
            self.remove_delivery(tenant_id, &d.id)?;
        }
        let lane = lane_job_id(tenant_id, func_id);
        self.complete_job(&lane)?;
        Ok(doomed.len())
    }
}
