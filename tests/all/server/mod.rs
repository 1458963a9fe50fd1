//! End-to-end: a real `hookbox serve` process, spoken to over HTTP.

mod actions;
mod asynchronous;
mod auth0_management;
mod bad_input;
mod bounds;
mod cluster;
mod connections;
mod console;
mod conventions;
mod durability;
mod events;
mod freshness;
mod fronts;
mod key_file;
mod lifecycle;
mod node_templates;
mod outbound;
mod packages;
mod pipelines;
mod retention;
mod signatures;
mod strict;
mod templates;
mod tenancy;
mod versions;
