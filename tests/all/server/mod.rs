//! End-to-end: a real `hookbox serve` process, spoken to over HTTP.

mod asynchronous;
mod bad_input;
mod durability;
mod fronts;
mod key_file;
mod lifecycle;
mod outbound;
mod pipelines;
mod signatures;
mod tenancy;
