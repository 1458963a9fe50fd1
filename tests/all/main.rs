//! hookbox's integration tests: one binary, a module per topic (as wasmtime does).

mod cli;
mod cli_client;
mod cli_connections;
mod cli_events;
mod common;
mod engine;
mod fuzz;
mod server;
mod server_harness;
