//! End-to-end: a real `hookbox serve` process, spoken to over HTTP.

mod asynchronous;
mod bad_input;
mod durability;
mod fronts;
mod lifecycle;
mod outbound;
mod pipelines;
mod strict;
mod tenancy;
