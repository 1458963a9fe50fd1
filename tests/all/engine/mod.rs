//! The engine, driven in-process: calling conventions, limits, hostile
//! scripts, isolation and concurrency.

mod actions;
mod conventions;
mod dts;
mod hostile;
mod inspect;
mod isolation;
mod limits;
mod node;
mod outbound;
mod platforms;
