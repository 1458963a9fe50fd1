//! The one error type of the store.

/// What can go wrong; callers branch on `NotFound`, `Conflict` and `Invalid`
/// (4xx on the wire) and treat the rest as hookbox's own failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The named thing (e.g. `tenant acme`) does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// It already exists (a tenant id taken).
    #[error("{0}")]
    Conflict(String),
    /// Another function (`holder`) has this name, and the write's rule says
    /// the two may not share it (see `Store::put_function_unique`).
    #[error("the name {name:?} is taken by function {holder}")]
    NameTaken { name: String, holder: String },
    /// Version `number` of a function was written by another change first
    /// (see `Store::put_function_versioned`): number the version again.
    #[error("version {number} of function {func_id} was saved by another change meanwhile")]
    VersionTaken { func_id: String, number: u64 },
    /// The function changed since the write read it (its revision is not
    /// the one the write was based on, see `Store::put_function_based`):
    /// read it again and redo the change.
    #[error("function {func_id} changed while this change was saved")]
    Stale { func_id: String },
    /// The request cannot be stored as given; the message names the offender.
    #[error("{0}")]
    Invalid(String),
    /// A stored value this version cannot read (unknown encoding version,
    /// bad JSON): never silently skipped, so a newer schema is noticed.
    #[error("corrupt or unknown data: {0}")]
    Corrupt(String),
    /// PostgreSQL refused a statement (cluster mode); the message says which.
    #[error("database: {0}")]
    Postgres(String),
    /// The database cannot be reached now (cluster mode: the connection
    /// failed or was lost): nothing was changed, and the same call may
    /// succeed once it is back.
    #[error("database unreachable: {0}")]
    Unavailable(String),
    /// sled itself failed (I/O, a corrupt log).
    #[error("database: {0}")]
    Db(#[from] sled::Error),
}
