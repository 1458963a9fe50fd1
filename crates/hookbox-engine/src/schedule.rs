//! Long calls yield the CPU to fresh ones.
//!
//! Every call starts on the caller's runtime, where the server's fresh requests
//! are served. Once a call has burnt [`LONG_CALL_FUEL`] (a few milliseconds of
//! CPU: a runaway, or a heavy computation), it moves to the long-call pool: a
//! few threads at the lowest CPU priority, which the kernel runs only with what
//! fresh calls leave over. Its deadline is unchanged, so a runaway still ends
//! at its timeout; it just stops taking turns with calls that are about to
//! finish. Calls that wait on the host (outbound HTTP) burn no fuel while
//! waiting and are not moved for it.

use crate::engine::InvokeError;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll};
use tokio::runtime::{Handle, Runtime};
use tokio::task::JoinHandle;

/// Fuel after which a call counts as long-running and moves to the long-call
/// pool. About 3–5 ms of guest CPU on the reference machine; a trivial call
/// uses about 80,000, the seed's heaviest templates under 2 million.
pub const LONG_CALL_FUEL: u64 = 20_000_000;

/// Nice value of the long-call threads: the lowest priority, so the kernel
/// runs them only when the threads that serve fresh calls leave a core idle.
const LONG_CALL_NICE: i32 = 19;

/// The long-call pool: its own tokio runtime on low-priority threads.
pub(crate) struct LongCalls {
    runtime: Option<Runtime>,
    handle: Handle,
    moved: Arc<AtomicU64>,
}

impl LongCalls {
    /// Starts the pool with `threads` worker threads.
    pub(crate) fn start(threads: usize) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads.max(1))
            .thread_name("hookbox-long-call")
            .on_thread_start(lower_priority)
            .enable_all()
            .build()?;
        Ok(Self {
            handle: runtime.handle().clone(),
            runtime: Some(runtime),
            moved: Arc::default(),
        })
    }

    /// Calls moved to the pool since the start.
    pub(crate) fn moved(&self) -> u64 {
        self.moved.load(Ordering::Relaxed)
    }

    /// Runs `call` where the caller polls it until `long` is set (by the
    /// call's epoch callback), then on the pool. Dropping the returned future
    /// drops the call wherever it runs, at its next yield.
    pub(crate) async fn run<F>(
        &self,
        call: F,
        long: Arc<AtomicBool>,
    ) -> Result<F::Output, InvokeError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Movable {
            call: Some(Box::pin(call)),
            long,
            pool: self.handle.clone(),
            count: self.moved.clone(),
            moved: None,
        }
        .await
    }
}

impl Drop for LongCalls {
    fn drop(&mut self) {
        // An engine may be dropped inside an async context, where a runtime
        // may not block to shut down.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// Lowers the calling thread's CPU priority. On Linux a nice value belongs to
/// the thread, so only the pool's threads are affected.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority takes no pointers; PRIO_PROCESS with `who` 0 names
    // the calling thread on Linux. Failure only leaves the priority as it was.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, LONG_CALL_NICE);
    }
}

/// A call that is polled in place until it turns long, then handed, still
/// pinned in its box, to the pool. The box is what lets a future that has
/// been polled move to another runtime at all; it is one allocation per call
/// beside a fresh wasmtime store's many, so it is not worth avoiding.
struct Movable<F: Future> {
    call: Option<Pin<Box<F>>>,
    long: Arc<AtomicBool>,
    pool: Handle,
    count: Arc<AtomicU64>,
    moved: Option<JoinHandle<F::Output>>,
}

impl<F> Future for Movable<F>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    type Output = Result<F::Output, InvokeError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        if let Some(call) = this.call.as_mut() {
            match call.as_mut().poll(cx) {
                Poll::Ready(out) => return Poll::Ready(Ok(out)),
                Poll::Pending if this.long.load(Ordering::Relaxed) => {
                    let call = this.call.take().expect("checked above");
                    this.moved = Some(this.pool.spawn(call));
                    this.count.fetch_add(1, Ordering::Relaxed);
                }
                Poll::Pending => return Poll::Pending,
            }
        }
        let moved = this.moved.as_mut().expect("a call is either here or moved");
        match Pin::new(moved).poll(cx) {
            Poll::Ready(Ok(out)) => Poll::Ready(Ok(out)),
            Poll::Ready(Err(e)) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Poll::Ready(Err(_)) => Poll::Ready(Err(InvokeError::Internal(
                "the long-call pool stopped during the call".into(),
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<F: Future> Drop for Movable<F> {
    fn drop(&mut self) {
        if let Some(moved) = &self.moved {
            moved.abort();
        }
    }
}
