//! End-to-end: a real `hookbox serve` process, spoken to over HTTP.

mod asynchronous;
mod bad_input;
mod bounds;
mod durability;
mod freshness;
mod fronts;
mod lifecycle;
mod outbound;
mod key_file;
mod pipelines;
mod signatures;
mod retention;
mod tenancy;
