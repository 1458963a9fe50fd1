//! The wasmtime embedding: one engine, one pre-linked plugin, a fresh instance per call.

use crate::artifact::Artifact;
use crate::crypto::CryptoRequest;
use crate::limits::{
    EPOCH_TICK, LOG_LINE_OVERHEAD, Limits, MAX_ERROR_FIELDS, MAX_ERROR_MESSAGE_BYTES,
    MAX_ERROR_NAME_BYTES, MAX_ERROR_STACK_BYTES, MAX_IO_BYTES, MAX_LOG_BYTES, MAX_LOG_LINES,
    MAX_MEMORY_MB, MAX_PACKAGES_BYTES, MAX_SOURCE_BYTES,
};
use crate::outbound::{
    self, MAX_OUTBOUND_REQUEST_BYTES, MAX_OUTBOUND_REQUESTS, Outbound, OutboundError,
    OutboundRequest,
};
use crate::outcome::{CallMeta, ErrorInfo, Input, LogLevel, LogLine, Outcome, OutcomeKind};
use crate::plugin::{self, BUNDLED_PLUGIN};
use crate::schedule::{LONG_CALL_FUEL, LongCalls};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use wasmtime::{
    AsContextMut, Caller, Extern, InstanceAllocationStrategy, InstancePre, Linker, Memory,
    ModuleExport, PoolingAllocationConfig, ResourceLimiter, Store, Trap, TypedFunc, UpdateDeadline,
};
use wasmtime_wasi::WasiCtxBuilder;
use wasmtime_wasi::p1::WasiP1Ctx;

/// Bytes of each pool slot that a reset may copy back in place: the pages the
/// last call dirtied, found by the reset's page-map scan (wherever they lie in
/// the snapshot: `vendor/wasmtime/HOOKBOX-PATCH.md`). A trivial call dirties
/// about 62 pages (248 KiB); a call that dirtied more than this budget has the
/// rest decommitted, and the next call on the slot faults it back in.
const KEEP_RESIDENT: usize = 4 << 20;

/// How an [`Engine`] is built. `Default` holds the production settings.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    pooling: bool,
    metering: bool,
    max_instances: u32,
    memory_budget_mb: u32,
    long_call_threads: usize,
    cache_dir: Option<PathBuf>,
    plugin: Option<Arc<[u8]>>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            pooling: true,
            metering: true,
            max_instances: 1000,
            memory_budget_mb: default_memory_budget_mb(),
            long_call_threads: 1,
            cache_dir: None,
            plugin: None,
        }
    }
}

impl EngineConfig {
    /// Instantiate from the pooling allocator with copy-on-write memory images
    /// (default). A fresh instance then costs microseconds; off, each call maps
    /// and initialises its memory from scratch (hundreds of microseconds).
    pub fn pooling(&mut self, enable: bool) -> &mut Self {
        self.pooling = enable;
        self
    }

    /// Fuel metering and epoch interruption (default on). Costs 10–30% on
    /// CPU-bound guests. Off, timeouts and fuel budgets are *not enforced*:
    /// only for benchmarks that measure that cost.
    pub fn metering(&mut self, enable: bool) -> &mut Self {
        self.metering = enable;
        self
    }

    /// Instances that may run at once (default 1000). Calls beyond it wait for
    /// a slot. Each slot reserves address space (not memory) for the largest cap.
    pub fn max_instances(&mut self, n: u32) -> &mut Self {
        self.max_instances = n.max(1);
        self
    }

    /// The sum of the memory caps of the calls that may run at once, in MB
    /// (default: half the machine's physical memory, at least
    /// [`MAX_MEMORY_MB`]). A call reserves its cap before it starts and waits
    /// while the budget is spent, so that many calls with large caps cannot
    /// take more memory than the machine has. At least [`MAX_MEMORY_MB`], so
    /// that every call can run.
    pub fn memory_budget_mb(&mut self, mb: u32) -> &mut Self {
        self.memory_budget_mb = mb.max(MAX_MEMORY_MB);
        self
    }

    /// Threads of the long-call pool (default 1): calls that have burnt
    /// [`LONG_CALL_FUEL`](crate::LONG_CALL_FUEL) finish there, at the lowest
    /// CPU priority, so that runaways cannot delay fresh calls much.
    pub fn long_call_threads(&mut self, n: usize) -> &mut Self {
        self.long_call_threads = n.max(1);
        self
    }

    /// Directory for the precompiled plugin. Without one, every start compiles
    /// the plugin with Cranelift (1–2 s).
    pub fn cache_dir(&mut self, dir: impl Into<PathBuf>) -> &mut Self {
        self.cache_dir = Some(dir.into());
        self
    }

    /// Runs another build of the engine plugin instead of the bundled one
    /// (`make plugin-check` uses this to test a freshly built plugin).
    pub fn plugin(&mut self, wasm: Vec<u8>) -> &mut Self {
        self.plugin = Some(wasm.into());
        self
    }
}

/// Why a source did not compile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompileError {
    /// The source has a syntax error at `line`:`column` (1-based, in the user's source).
    #[error("{message} (line {line}, column {column})")]
    Syntax {
        message: String,
        line: u32,
        column: u32,
    },
    #[error("source is {size} bytes; the limit is {limit}")]
    TooLarge { size: usize, limit: usize },
    /// The compiler itself failed (a bug, or a limit hit while compiling).
    #[error("compiler failed: {0}")]
    Internal(String),
}

/// Why a call could not run at all. A function that ran and failed is an
/// [`Outcome`], not an error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvokeError {
    #[error("input is {size} bytes; the limit is {limit}")]
    InputTooLarge { size: usize, limit: usize },
    #[error(
        "artifact was built for engine plugin {artifact}, this engine runs {engine}: recompile it"
    )]
    StaleArtifact { artifact: String, engine: String },
    #[error("engine failure: {0}")]
    Internal(String),
}

/// The sandbox runtime. Cheap to clone; all clones share one wasmtime engine,
/// one compiled plugin and one epoch ticker.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    engine: wasmtime::Engine,
    pre: InstancePre<Call>,
    exports: Exports,
    plugin_hash: String,
    plugin_cached: bool,
    metering: bool,
    slots: Arc<tokio::sync::Semaphore>,
    /// MB of memory caps left to reserve ([`EngineConfig::memory_budget_mb`]).
    memory: Arc<tokio::sync::Semaphore>,
    /// Calls waiting for their share of the memory budget.
    memory_waiters: AtomicUsize,
    long_calls: LongCalls,
    _ticker: Option<Ticker>,
}

/// Plugin exports, resolved once so each call skips the name lookups.
struct Exports {
    memory: ModuleExport,
    realloc: ModuleExport,
    invoke: ModuleExport,
    compile: ModuleExport,
}

/// Advances the epoch every [`EPOCH_TICK`]; stops when the engine is dropped.
struct Ticker {
    stop: Arc<AtomicBool>,
}

impl Ticker {
    fn start(engine: wasmtime::Engine) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        std::thread::Builder::new()
            .name("hookbox-epoch".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(EPOCH_TICK);
                    engine.increment_epoch();
                }
            })
            .expect("spawning the epoch ticker");
        Self { stop }
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Per-call host state, owned by the call's `Store`.
struct Call {
    wasi: WasiP1Ctx,
    memory: MemoryCap,
    input: Vec<u8>,
    output: Option<Vec<u8>>,
    logs: Logs,
    deadline: Instant,
    /// The call's fuel budget, to tell how much it has burnt.
    fuel: u64,
    /// Set by the epoch callback once the call has burnt [`LONG_CALL_FUEL`]:
    /// it then moves to the long-call pool.
    long: Arc<AtomicBool>,
    /// How requests leave the sandbox; `None`: they are all refused.
    outbound: Option<Arc<dyn Outbound>>,
    /// Requests made so far.
    requests: u32,
    /// Whether a refused request has been written to the server's log.
    refusal_logged: bool,
    /// The last `http` or `call` answer, until the guest copies it in.
    answer: Vec<u8>,
    /// Facts about the call, rendered only when the guest asks for them
    /// (`{"op":"meta"}`), so that calls that never ask pay nothing for it.
    facts: CallFacts,
}

/// What the `meta` answer is made of, kept as given until it is asked for.
#[derive(Default)]
struct CallFacts {
    meta: Option<CallMeta>,
    /// The call's deadline on the guest's clock.
    deadline: Option<std::time::SystemTime>,
    timeout: Duration,
    memory_mb: u32,
}

#[derive(Default)]
struct Logs {
    lines: Vec<LogLine>,
    bytes: usize,
    full: bool,
}

impl Logs {
    /// Keeps a line while the call is within [`MAX_LOG_BYTES`] (each line
    /// counting [`LOG_LINE_OVERHEAD`] beside its text) and [`MAX_LOG_LINES`].
    /// The last line kept carries the truncation marker. Returns false once full.
    fn push(&mut self, level: LogLevel, mut message: String) -> bool {
        if self.full {
            return false;
        }
        let room = MAX_LOG_BYTES.saturating_sub(self.bytes + LOG_LINE_OVERHEAD);
        if message.len() > room || self.lines.len() + 1 >= MAX_LOG_LINES {
            truncate_at_char(&mut message, room);
            message.push_str(&format!(
                "… [log truncated: a call keeps at most {MAX_LOG_LINES} lines and {} KB]",
                MAX_LOG_BYTES / 1024
            ));
            self.full = true;
        }
        self.bytes += LOG_LINE_OVERHEAD + message.len();
        self.lines.push(LogLine { level, message });
        !self.full
    }
}

/// Cuts `s` to at most `max` bytes, at a character boundary.
fn truncate_at_char(s: &mut String, max: usize) {
    if s.len() > max {
        let mut cut = max;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
}

/// Cuts one error field to `max` bytes, marking the cut.
fn bound_field(s: &mut String, max: usize) {
    if s.len() > max {
        truncate_at_char(s, max);
        s.push_str(" … [truncated]");
    }
}

/// Bounds what a function's error can carry into the answer and the stored
/// invocation record, whatever the script threw.
fn bound_error(error: &mut ErrorInfo) {
    bound_field(&mut error.name, MAX_ERROR_NAME_BYTES);
    bound_field(&mut error.message, MAX_ERROR_MESSAGE_BYTES);
    if let Some(stack) = &mut error.stack {
        bound_field(stack, MAX_ERROR_STACK_BYTES);
    }
    if let Some(code) = &mut error.code {
        bound_field(code, MAX_ERROR_NAME_BYTES);
    }
    // The guest keeps to these bounds; a field past them is dropped whole
    // (a cut would change what the value means).
    let mut kept = 0;
    error.fields.retain(|key, value| {
        kept += 1;
        kept <= MAX_ERROR_FIELDS
            && key.len() <= MAX_ERROR_NAME_BYTES
            && serde_json::to_string(value).map_or(0, |t| t.len()) <= MAX_ERROR_MESSAGE_BYTES
    });
}

/// Enforces the call's memory cap: what the function's own work may grow the
/// memory by, beyond the runtime image the instance starts from (the
/// snapshot of QuickJS, the prelude, Intl's tables and the npm catalogue), so
/// that a cap means the same whatever the image holds. Refusing with an error
/// (not `Ok(false)`) turns the growth into an immediate trap, so a script
/// cannot catch it.
struct MemoryCap {
    bytes: usize,
    /// The memory's size at instantiation (wasmtime asks the limiter for it
    /// first, with `current` 0).
    image: Option<usize>,
}

impl ResourceLimiter for MemoryCap {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let image = *self
            .image
            .get_or_insert(if current == 0 { desired } else { current });
        if desired > image.saturating_add(self.bytes) {
            return Err(HostTrap::MemoryLimit.into());
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 100_000)
    }
}

/// Traps raised by the host, told apart from the guest's own at classification.
#[derive(Debug, thiserror::Error)]
enum HostTrap {
    #[error("memory limit exceeded")]
    MemoryLimit,
    #[error("result is {0} bytes; the limit is {MAX_IO_BYTES}")]
    OutputTooLarge(usize),
    /// The deadline passed while the guest waited on the host (epoch
    /// interruption only fires in guest code).
    #[error("deadline passed during a host call")]
    Timeout,
}

impl Engine {
    /// Builds the engine: loads (or compiles and caches) the plugin and starts
    /// the epoch ticker.
    pub fn new(config: &EngineConfig) -> anyhow::Result<Self> {
        let mut wasm_config = wasmtime::Config::new();
        wasm_config
            .cranelift_opt_level(wasmtime::OptLevel::Speed)
            .epoch_interruption(config.metering)
            .consume_fuel(config.metering)
            .memory_init_cow(true)
            // Always a copy-on-write image of the plugin's snapshot, however
            // sparse: without one, each instantiation copies the whole
            // snapshot (about 25 MiB since the npm catalogue and Intl's
            // tables live in it), which took a trivial call from 77 µs to
            // 550 µs. wasmtime's default guarantee is 16 MiB.
            .memory_guaranteed_dense_image_size(
                u64::from(crate::limits::MAX_IMAGE_MB) * 1024 * 1024,
            )
            // QuickJS recursion is deep in C frames; give the guest room so its
            // own (catchable) stack limit trips first.
            .max_wasm_stack(4 << 20)
            .async_stack_size(5 << 20);
        // `make profile`: name compiled guest functions to perf
        // (/tmp/perf-PID.map), so a profile shows the plugin's own functions.
        if std::env::var_os("HOOKBOX_PERF_MAP").is_some() {
            wasm_config.profiler(wasmtime::ProfilingStrategy::PerfMap);
        }
        if config.pooling {
            let mut pool = PoolingAllocationConfig::new();
            pool.total_core_instances(config.max_instances)
                .total_memories(config.max_instances)
                .total_tables(config.max_instances)
                .total_stacks(config.max_instances)
                .max_memory_size(
                    (crate::limits::MAX_MEMORY_MB + crate::limits::MAX_IMAGE_MB) as usize
                        * 1024
                        * 1024,
                )
                .max_unused_warm_slots(config.max_instances.min(64))
                // Reset a used slot by copying back only its dirty pages
                // (found with PAGEMAP_SCAN where the kernel has it) instead of
                // unmapping it: the next call in the slot then takes no page
                // faults on memory the previous one touched.
                .linear_memory_keep_resident(KEEP_RESIDENT)
                .table_keep_resident(KEEP_RESIDENT)
                .async_stack_keep_resident(KEEP_RESIDENT)
                .pagemap_scan(wasmtime::Enabled::Auto);
            wasm_config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        }
        let engine = wasmtime::Engine::new(&wasm_config)?;

        let wasm: &[u8] = config.plugin.as_deref().unwrap_or(BUNDLED_PLUGIN);
        let (module, plugin_cached) =
            plugin::load_module(&engine, wasm, config.cache_dir.as_deref())?;
        let export = |name: &str| {
            module
                .get_export_index(name)
                .ok_or_else(|| anyhow::anyhow!("engine plugin has no `{name}` export"))
        };
        let exports = Exports {
            memory: export("memory")?,
            realloc: export("cabi_realloc")?,
            invoke: export("invoke")?,
            compile: export("compile-src")?,
        };

        let mut linker: Linker<Call> = Linker::new(&engine);
        wasmtime_wasi::p1::add_to_linker_async(&mut linker, |call| &mut call.wasi)?;
        define_host_functions(&mut linker)?;
        let pre = linker.instantiate_pre(&module)?;

        let ticker = config.metering.then(|| Ticker::start(engine.clone()));
        Ok(Self {
            inner: Arc::new(Inner {
                engine,
                pre,
                exports,
                plugin_hash: plugin::plugin_hash(wasm),
                plugin_cached,
                metering: config.metering,
                slots: Arc::new(tokio::sync::Semaphore::new(config.max_instances as usize)),
                memory: Arc::new(tokio::sync::Semaphore::new(
                    config.memory_budget_mb as usize,
                )),
                memory_waiters: AtomicUsize::new(0),
                long_calls: LongCalls::start(config.long_call_threads)?,
                _ticker: ticker,
            }),
        })
    }

    /// Whether the plugin's compiled code came from the on-disk cache (no
    /// Cranelift compile at this start).
    pub fn plugin_was_cached(&self) -> bool {
        self.inner.plugin_cached
    }

    /// Calls that burnt [`LONG_CALL_FUEL`] and moved to the long-call pool,
    /// since this engine started.
    pub fn long_calls(&self) -> u64 {
        self.inner.long_calls.moved()
    }

    /// Hash of the plugin this engine runs; artifacts must match it.
    pub fn plugin_hash(&self) -> &str {
        &self.inner.plugin_hash
    }

    /// Compiles JavaScript to an [`Artifact`] (QuickJS bytecode in a Wasm module).
    pub async fn compile(&self, source: &str) -> Result<Artifact, CompileError> {
        self.compile_with_packages(source, None).await
    }

    /// [`Engine::compile`], with the function's own npm packages beside it.
    /// `packages` is the plugin's framing (guest-sdk/plugin's `PACKAGES_MARK`):
    /// `<len>\0<header JSON>` with `{"packages": {NAME: {"version", "license",
    /// "main", "dir"}}, "files": [PATH…]}` (`main` indexes `files`), then
    /// `<count>\0` and each file as `<len>\0<CommonJS source>`. Each file is
    /// compiled on its own into the artifact; a call registers the packages
    /// with `require` before the function runs and reads a file's bytecode
    /// only when it is first required. A syntax error in a file is a
    /// [`CompileError::Syntax`] whose message starts "in the function's
    /// packages: file N: " and whose line is that file's.
    ///
    /// # Errors
    /// [`CompileError::TooLarge`] when `source` is over [`MAX_SOURCE_BYTES`]
    /// or `packages` over [`MAX_PACKAGES_BYTES`].
    pub async fn compile_with_packages(
        &self,
        source: &str,
        packages: Option<&str>,
    ) -> Result<Artifact, CompileError> {
        if source.len() > MAX_SOURCE_BYTES {
            return Err(CompileError::TooLarge {
                size: source.len(),
                limit: MAX_SOURCE_BYTES,
            });
        }
        if let Some(p) = packages
            && p.len() > MAX_PACKAGES_BYTES
        {
            return Err(CompileError::TooLarge {
                size: p.len(),
                limit: MAX_PACKAGES_BYTES,
            });
        }
        let input = match packages {
            // The plugin's PACKAGES_MARK framing (guest-sdk/plugin/src/lib.rs).
            Some(p) => format!("\0hookbox:packages\0{p}{source}").into_bytes(),
            None => source.as_bytes().to_vec(),
        };
        let mut limits = Limits::default();
        limits
            .timeout(Duration::from_secs(10))
            .and_then(|l| l.memory_mb(256))
            .expect("compile limits are in range");
        let _slot = self
            .slot(limits.get_memory_mb())
            .await
            .map_err(|e| CompileError::Internal(e.to_string()))?;
        let mut store = self.store(Vec::new(), &limits);
        let result = self.run_compile(&mut store, &input).await;
        match result {
            Ok((0, bytes)) => Ok(Artifact::new(self.inner.plugin_hash.clone(), bytes)),
            Ok((_, bytes)) => Err(syntax_error(&bytes)),
            Err(e) => {
                let outcome = classify(&e, &limits);
                let detail = outcome.error.map(|e| e.message).unwrap_or_default();
                Err(CompileError::Internal(format!(
                    "{}: {detail}",
                    outcome.outcome.as_str()
                )))
            }
        }
    }

    /// Runs an artifact once, in a fresh instance, under `limits`, with no
    /// network access: every outbound request is refused.
    pub async fn invoke(
        &self,
        artifact: &Artifact,
        input: &Input,
        limits: &Limits,
    ) -> Result<Outcome, InvokeError> {
        self.invoke_with(artifact, input, limits, None).await
    }

    /// [`Engine::invoke`], with outbound requests made through `outbound`.
    pub async fn invoke_with(
        &self,
        artifact: &Artifact,
        input: &Input,
        limits: &Limits,
        outbound: Option<Arc<dyn Outbound>>,
    ) -> Result<Outcome, InvokeError> {
        if artifact.plugin() != self.inner.plugin_hash {
            return Err(InvokeError::StaleArtifact {
                artifact: artifact.plugin().to_string(),
                engine: self.inner.plugin_hash.clone(),
            });
        }
        let input_meta = input.meta.as_ref();
        let input = serde_json::to_vec(input).map_err(|e| InvokeError::Internal(e.to_string()))?;
        if input.len() > MAX_IO_BYTES {
            return Err(InvokeError::InputTooLarge {
                size: input.len(),
                limit: MAX_IO_BYTES,
            });
        }
        let slot = self.slot(limits.get_memory_mb()).await?;
        let started = Instant::now();
        let facts = CallFacts {
            meta: input_meta.cloned(),
            deadline: Some(
                limits
                    .get_clock_start()
                    .unwrap_or_else(std::time::SystemTime::now)
                    + limits.get_timeout(),
            ),
            timeout: limits.get_timeout(),
            memory_mb: limits.get_memory_mb(),
        };
        let mut store = self.store(input, limits);
        store.data_mut().outbound = outbound;
        store.data_mut().facts = facts;
        let long = store.data().long.clone();
        let engine = self.clone();
        let artifact = artifact.clone();
        // The call owns its store and slot wherever it runs, so that a call
        // dropped half-way (the client went away) frees both, in that order.
        let call = async move {
            let mut held = Held { store, slot };
            let result = engine
                .run_invoke(&mut held.store, artifact.bytecode())
                .await;
            (held, result)
        };
        let (Held { mut store, slot }, result) = self.inner.long_calls.run(call, long).await?;
        let duration_us = started.elapsed().as_micros() as u64;
        let fuel_used = if self.inner.metering {
            limits
                .get_fuel()
                .saturating_sub(store.get_fuel().unwrap_or(0))
        } else {
            0
        };
        let call = store.data_mut();
        let (output, logs) = (call.output.take(), std::mem::take(&mut call.logs.lines));
        retire(store, slot);
        let mut outcome = match result {
            Ok(()) => read_output(output),
            Err(e) => classify(&e, limits),
        };
        if let Some(error) = &mut outcome.error {
            bound_error(error);
        }
        outcome.logs = logs;
        outcome.duration_us = duration_us;
        outcome.fuel_used = fuel_used;
        Ok(outcome)
    }

    /// [`Engine::invoke`], returning only once the call's pool slot is reset
    /// too. `invoke` leaves that reset to a task that runs when the caller
    /// yields (after a server has sent its answer); a benchmark that calls in
    /// a loop uses this to count what each call really costs.
    pub async fn invoke_settled(
        &self,
        artifact: &Artifact,
        input: &Input,
        limits: &Limits,
    ) -> Result<Outcome, InvokeError> {
        let out = self.invoke(artifact, input, limits).await;
        tokio::task::yield_now().await;
        out
    }

    /// Compiles and runs a built-in script once, so that the first real call
    /// does not pay for the process's first instantiation: the plugin's code
    /// and its memory image faulting in, and wasmtime's lazy set-up. Servers
    /// call it before they listen. Returns the warm-up call's outcome.
    pub async fn warm_up(&self) -> anyhow::Result<Outcome> {
        let artifact = self
            .compile("function pipe(user, context, callback) { callback(null, user, context); }")
            .await?;
        let out = self
            .invoke_settled(&artifact, &Input::default(), &Limits::default())
            .await?;
        anyhow::ensure!(out.is_ok(), "the warm-up call failed: {:?}", out.error);
        Ok(out)
    }

    /// Waits for an instance slot and `memory_mb` of the memory budget.
    async fn slot(&self, memory_mb: u32) -> Result<Slot, InvokeError> {
        let closed = |e: tokio::sync::AcquireError| InvokeError::Internal(e.to_string());
        let memory = match self.inner.memory.clone().try_acquire_many_owned(memory_mb) {
            Ok(permit) => permit,
            Err(_) => {
                let waiters = &self.inner.memory_waiters;
                waiters.fetch_add(1, Ordering::Relaxed);
                let permit = self
                    .inner
                    .memory
                    .clone()
                    .acquire_many_owned(memory_mb)
                    .await;
                waiters.fetch_sub(1, Ordering::Relaxed);
                permit.map_err(closed)?
            }
        };
        let instance = self
            .inner
            .slots
            .clone()
            .acquire_owned()
            .await
            .map_err(closed)?;
        Ok(Slot {
            _instance: instance,
            _memory: memory,
        })
    }

    /// MB of the memory budget not reserved by calls in flight.
    pub fn memory_budget_left_mb(&self) -> usize {
        self.inner.memory.available_permits()
    }

    /// Calls waiting for their share of the memory budget right now.
    pub fn memory_waiters(&self) -> usize {
        self.inner.memory_waiters.load(Ordering::Relaxed)
    }

    fn store(&self, input: Vec<u8>, limits: &Limits) -> Store<Call> {
        // No arguments, environment, files or sockets: only clocks and randomness.
        let mut wasi = WasiCtxBuilder::new();
        if let Some(at) = limits.get_clock_start() {
            wasi.wall_clock(ClockFrom::new(at));
        }
        let call = Call {
            wasi: wasi.build_p1(),
            memory: MemoryCap {
                bytes: limits.memory_bytes(),
                image: None,
            },
            input,
            output: None,
            logs: Logs::default(),
            deadline: Instant::now() + limits.get_timeout(),
            fuel: limits.get_fuel(),
            long: Arc::new(AtomicBool::new(false)),
            outbound: None,
            requests: 0,
            refusal_logged: false,
            answer: Vec::new(),
            facts: CallFacts::default(),
        };
        let mut store = Store::new(&self.inner.engine, call);
        store.limiter(|call| &mut call.memory);
        if self.inner.metering {
            store.set_fuel(limits.get_fuel()).expect("fuel is enabled");
            store.set_epoch_deadline(1);
            // Every tick: interrupt once the wall-clock deadline passed;
            // otherwise yield the worker thread, so a runaway never starves
            // other calls, and mark a call that has burnt LONG_CALL_FUEL to
            // move to the long-call pool.
            store.epoch_deadline_callback(|ctx| {
                let call = ctx.data();
                if Instant::now() >= call.deadline {
                    return Ok(UpdateDeadline::Interrupt);
                }
                if !call.long.load(Ordering::Relaxed) {
                    let burnt = call.fuel.saturating_sub(ctx.get_fuel().unwrap_or(0));
                    if burnt >= LONG_CALL_FUEL {
                        call.long.store(true, Ordering::Relaxed);
                    }
                }
                Ok(UpdateDeadline::Yield(1))
            });
        }
        store
    }

    /// Instantiates the plugin and copies `bytes` into its memory.
    async fn prepare(
        &self,
        store: &mut Store<Call>,
        bytes: &[u8],
    ) -> wasmtime::Result<(wasmtime::Instance, u32)> {
        let ex = &self.inner.exports;
        let instance = self.inner.pre.instantiate_async(&mut *store).await?;
        let memory = export_memory(&instance, store, &ex.memory)?;
        let realloc: TypedFunc<(u32, u32, u32, u32), u32> =
            export_func(&instance, store, &ex.realloc)?;
        let len = bytes.len() as u32;
        let ptr = realloc.call_async(&mut *store, (0, 0, 1, len)).await?;
        memory.write(&mut *store, ptr as usize, bytes)?;
        Ok((instance, ptr))
    }

    async fn run_invoke(&self, store: &mut Store<Call>, bytecode: &[u8]) -> wasmtime::Result<()> {
        let (instance, ptr) = self.prepare(store, bytecode).await?;
        let invoke: TypedFunc<(u32, u32, u32, u32, u32), ()> =
            export_func(&instance, store, &self.inner.exports.invoke)?;
        invoke
            .call_async(&mut *store, (ptr, bytecode.len() as u32, 0, 0, 0))
            .await
    }

    async fn run_compile(
        &self,
        store: &mut Store<Call>,
        source: &[u8],
    ) -> wasmtime::Result<(u32, Vec<u8>)> {
        let (instance, ptr) = self.prepare(store, source).await?;
        let ex = &self.inner.exports;
        let compile: TypedFunc<(u32, u32), u32> = export_func(&instance, store, &ex.compile)?;
        let ret = compile
            .call_async(&mut *store, (ptr, source.len() as u32))
            .await?;
        let memory = export_memory(&instance, store, &ex.memory)?;
        let mut area = [0u8; 12];
        memory.read(&*store, ret as usize, &mut area)?;
        let word =
            |i: usize| u32::from_le_bytes(area[i * 4..i * 4 + 4].try_into().expect("4 bytes"));
        let mut bytes = vec![0u8; word(2) as usize];
        memory.read(&*store, word(1) as usize, &mut bytes)?;
        Ok((word(0), bytes))
    }
}

/// A call's instance slot and its share of the memory budget.
struct Slot {
    _instance: tokio::sync::OwnedSemaphorePermit,
    _memory: tokio::sync::OwnedSemaphorePermit,
}

/// Half the machine's physical memory in MB, at least [`MAX_MEMORY_MB`].
fn default_memory_budget_mb() -> u32 {
    // SAFETY: sysconf takes no pointers; -1 (unknown) is handled below.
    let (pages, page) = unsafe {
        (
            libc::sysconf(libc::_SC_PHYS_PAGES),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    let total_mb = if pages > 0 && page > 0 {
        (pages as u64 * page as u64) >> 20
    } else {
        0
    };
    ((total_mb / 2).min(u32::MAX as u64) as u32).max(MAX_MEMORY_MB)
}

/// A call's store and pool slot, dropped in that order.
struct Held {
    store: Store<Call>,
    slot: Slot,
}

/// The guest's wall clock when [`Limits::clock_start`] is set: that instant
/// at the start of the call, advancing in real time (a frozen clock would
/// hang a script that waits for time to pass).
struct ClockFrom {
    /// `at`, as the duration since the Unix epoch WASI reports (zero before it).
    start: Duration,
    started: Instant,
}

impl ClockFrom {
    fn new(at: std::time::SystemTime) -> Self {
        Self {
            start: at.duration_since(std::time::UNIX_EPOCH).unwrap_or_default(),
            started: Instant::now(),
        }
    }
}

impl wasmtime_wasi::HostWallClock for ClockFrom {
    fn resolution(&self) -> Duration {
        Duration::from_nanos(1)
    }

    fn now(&self) -> Duration {
        self.start.saturating_add(self.started.elapsed())
    }
}

/// Frees a finished call's instance, and then its slot, after the caller has
/// its answer: resetting the slot's memory (its dirty pages copied back from
/// the snapshot) is a good part of a call's cost, and nothing waits on it.
/// Runs as a task on the current worker, which picks it up once the task at
/// hand (writing the response) yields; without a runtime, right here.
fn retire(store: Store<Call>, slot: Slot) {
    match tokio::runtime::Handle::try_current() {
        Ok(rt) => {
            rt.spawn(async move {
                drop(store);
                drop(slot);
            });
        }
        Err(_) => drop((store, slot)),
    }
}

fn export_memory(
    instance: &wasmtime::Instance,
    store: &mut Store<Call>,
    export: &ModuleExport,
) -> wasmtime::Result<Memory> {
    instance
        .get_module_export(&mut *store, export)
        .and_then(Extern::into_memory)
        .ok_or_else(|| wasmtime::format_err!("plugin memory export missing"))
}

fn export_func<P, R>(
    instance: &wasmtime::Instance,
    store: &mut Store<Call>,
    export: &ModuleExport,
) -> wasmtime::Result<TypedFunc<P, R>>
where
    P: wasmtime::WasmParams,
    R: wasmtime::WasmResults,
{
    instance
        .get_module_export(&mut *store, export)
        .and_then(Extern::into_func)
        .ok_or_else(|| wasmtime::format_err!("plugin function export missing"))?
        .typed(&*store)
}

fn caller_memory(caller: &mut Caller<'_, Call>) -> wasmtime::Result<Memory> {
    caller
        .get_export("memory")
        .and_then(Extern::into_memory)
        .ok_or_else(|| wasmtime::format_err!("guest has no memory export"))
}

/// The `hookbox` host module the plugin imports (see `guest-sdk/plugin`).
fn define_host_functions(linker: &mut Linker<Call>) -> wasmtime::Result<()> {
    linker.func_wrap("hookbox", "input_len", |caller: Caller<'_, Call>| {
        caller.data().input.len() as u32
    })?;
    linker.func_wrap(
        "hookbox",
        "input_read",
        |mut caller: Caller<'_, Call>, ptr: u32| {
            let memory = caller_memory(&mut caller)?;
            let (mem, call) = memory.data_and_store_mut(&mut caller);
            let dst = mem
                .get_mut(ptr as usize..ptr as usize + call.input.len())
                .ok_or_else(|| wasmtime::format_err!("input buffer out of bounds"))?;
            dst.copy_from_slice(&call.input);
            Ok(())
        },
    )?;
    linker.func_wrap(
        "hookbox",
        "output",
        |mut caller: Caller<'_, Call>, ptr: u32, len: u32| {
            if len as usize > MAX_IO_BYTES {
                return Err(HostTrap::OutputTooLarge(len as usize).into());
            }
            let memory = caller_memory(&mut caller)?;
            let (mem, call) = memory.data_and_store_mut(&mut caller);
            let src = mem
                .get(ptr as usize..ptr as usize + len as usize)
                .ok_or_else(|| wasmtime::format_err!("output buffer out of bounds"))?;
            call.output = Some(src.to_vec());
            Ok(())
        },
    )?;
    linker.func_wrap_async(
        "hookbox",
        "http",
        |mut caller: Caller<'_, Call>, (ptr, len): (u32, u32)| {
            Box::new(async move {
                // The body plus JSON escaping and the rest of the request.
                if len as usize > 6 * MAX_OUTBOUND_REQUEST_BYTES + 64 * 1024 {
                    let e = OutboundError::refused(format!(
                        "request body is over the limit of {MAX_OUTBOUND_REQUEST_BYTES} bytes (256 KB)"
                    ));
                    let answer = outbound::answer(&Err(e));
                    let n = answer.len() as u32;
                    caller.data_mut().answer = answer;
                    return Ok(n);
                }
                let memory = caller_memory(&mut caller)?;
                let request = memory
                    .data(&caller)
                    .get(ptr as usize..ptr as usize + len as usize)
                    .ok_or_else(|| wasmtime::format_err!("request buffer out of bounds"))?
                    .to_vec();
                let answer = http(caller.data_mut(), &request).await?;
                let n = answer.len() as u32;
                caller.data_mut().answer = answer;
                Ok(n)
            })
        },
    )?;
    linker.func_wrap(
        "hookbox",
        "http_read",
        |mut caller: Caller<'_, Call>, ptr: u32| {
            let memory = caller_memory(&mut caller)?;
            let (mem, call) = memory.data_and_store_mut(&mut caller);
            let answer = std::mem::take(&mut call.answer);
            let dst = mem
                .get_mut(ptr as usize..ptr as usize + answer.len())
                .ok_or_else(|| wasmtime::format_err!("answer buffer out of bounds"))?;
            dst.copy_from_slice(&answer);
            Ok(())
        },
    )?;
    linker.func_wrap(
        "hookbox",
        "call",
        |mut caller: Caller<'_, Call>, ptr: u32, len: u32| -> wasmtime::Result<u32> {
            let memory = caller_memory(&mut caller)?;
            let (mem, call) = memory.data_and_store_mut(&mut caller);
            // The call's facts and a zone lookup cost no more than the JSON
            // around them, so only cryptography is charged beyond the
            // guest's own fuel.
            let paid = match mem.get(ptr as usize..ptr as usize + len as usize) {
                Some(META_REQUEST) => Err(meta_answer(&call.facts)),
                Some(request) if request.starts_with(crate::tz::REQUEST_PREFIX) => {
                    Err(crate::tz::answer(request))
                }
                Some(request) => Ok(CryptoRequest::parse(request)),
                None => return Err(wasmtime::format_err!("call buffer out of bounds")),
            };
            let answer = match paid {
                Ok(request) => {
                    // Host work is not metered: pay for it first, from the same budget.
                    charge_fuel(&mut caller, request.fuel())?;
                    request.answer()
                }
                Err(free) => free,
            };
            let n = answer.len() as u32;
            caller.data_mut().answer = answer;
            Ok(n)
        },
    )?;
    linker.func_wrap(
        "hookbox",
        "log",
        |mut caller: Caller<'_, Call>, level: u32, ptr: u32, len: u32| -> wasmtime::Result<u32> {
            if caller.data().logs.full {
                return Ok(0);
            }
            let memory = caller_memory(&mut caller)?;
            let (mem, call) = memory.data_and_store_mut(&mut caller);
            let src = mem
                .get(ptr as usize..ptr as usize + len as usize)
                .ok_or_else(|| wasmtime::format_err!("log buffer out of bounds"))?;
            // Only the first bytes can be kept anyway; don't copy more.
            let src = &src[..src.len().min(MAX_LOG_BYTES + 4)];
            let level = match level {
                1 => LogLevel::Debug,
                2 => LogLevel::Warn,
                3 => LogLevel::Error,
                _ => LogLevel::Info,
            };
            let message = String::from_utf8_lossy(src).into_owned();
            Ok(call.logs.push(level, message) as u32)
        },
    )?;
    Ok(())
}

/// Takes `cost` from the store's fuel before the host does work for the
/// guest: with less fuel left, the call runs out of fuel as if its own code
/// had burnt it (`Trap::OutOfFuel`, classified `out_of_fuel`). A store without
/// metering is charged nothing (the work is bounded per request instead).
fn charge_fuel(mut ctx: impl AsContextMut, cost: u64) -> wasmtime::Result<()> {
    let mut ctx = ctx.as_context_mut();
    let Ok(left) = ctx.get_fuel() else {
        return Ok(());
    };
    if left < cost {
        ctx.set_fuel(0)?;
        return Err(Trap::OutOfFuel.into());
    }
    ctx.set_fuel(left - cost)?;
    Ok(())
}

/// The `hookbox.call` request for the call's facts, byte for byte as the
/// prelude sends it; every other request is cryptography (see `crypto`).
const META_REQUEST: &[u8] = br#"{"op":"meta"}"#;

/// The `meta` answer: `meta`'s fields (empty ones when the caller gave none)
/// and `deadlineMs`, the call's deadline in ms since the epoch on the guest's
/// clock.
fn meta_answer(facts: &CallFacts) -> Vec<u8> {
    let deadline_ms = facts
        .deadline
        .and_then(|d| d.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_millis() as u64);
    let mut answer =
        serde_json::to_value(facts.meta.clone().unwrap_or_default()).expect("CallMeta serialises");
    answer["deadlineMs"] = deadline_ms.into();
    if facts.meta.is_none() {
        answer["timeoutMs"] = (facts.timeout.as_millis() as u64).into();
        answer["memoryMb"] = facts.memory_mb.into();
    }
    serde_json::to_vec(&answer).expect("a JSON value serialises")
}

/// One `hookbox.http` call: the request JSON in, the answer JSON out. A
/// refusal or failure is an answer (the guest throws it); only the deadline
/// passing is a trap.
async fn http(call: &mut Call, request: &[u8]) -> Result<Vec<u8>, HostTrap> {
    let result = http_result(call, request).await?;
    if let Err(e) = &result {
        // One line per call in the server's log, whatever the script does:
        // a loop of refused requests must not fill the operator's disk. The
        // call's own log (bounded) keeps every refusal.
        if e.refused && !call.refusal_logged {
            call.refusal_logged = true;
            tracing::warn!(reason = %e, "outbound request refused (further refusals in this call are not logged here)");
        } else if e.refused {
            tracing::debug!(reason = %e, "outbound request refused");
        } else {
            tracing::debug!(reason = %e, "outbound request failed");
        }
        call.logs.push(LogLevel::Warn, e.to_string());
    }
    Ok(outbound::answer(&result))
}

async fn http_result(
    call: &mut Call,
    request: &[u8],
) -> Result<Result<crate::OutboundResponse, OutboundError>, HostTrap> {
    let request: OutboundRequest = match serde_json::from_slice(request) {
        Ok(r) => r,
        Err(e) => {
            return Ok(Err(OutboundError::refused(format!(
                "malformed request: {e}"
            ))));
        }
    };
    call.requests += 1;
    if call.requests > MAX_OUTBOUND_REQUESTS {
        return Ok(Err(OutboundError::refused(format!(
            "a call may make at most {MAX_OUTBOUND_REQUESTS} requests"
        ))));
    }
    let body = request.body.as_ref().map_or(0, String::len);
    if body > MAX_OUTBOUND_REQUEST_BYTES {
        return Ok(Err(OutboundError::refused(format!(
            "request body is {body} bytes; the limit is {MAX_OUTBOUND_REQUEST_BYTES} (256 KB)"
        ))));
    }
    let Some(outbound) = call.outbound.clone() else {
        return Ok(Err(OutboundError::refused(
            "this sandbox has no network access",
        )));
    };
    let remaining = call.deadline.saturating_duration_since(Instant::now());
    match tokio::time::timeout(remaining, outbound.send(request)).await {
        Ok(result) => Ok(result),
        Err(_) => Err(HostTrap::Timeout),
    }
}

fn syntax_error(bytes: &[u8]) -> CompileError {
    #[derive(serde::Deserialize)]
    struct Raw {
        message: String,
        line: u32,
        column: u32,
    }
    match serde_json::from_slice::<Raw>(bytes) {
        Ok(raw) => CompileError::Syntax {
            message: raw.message,
            line: raw.line,
            column: raw.column,
        },
        Err(e) => CompileError::Internal(format!("unreadable compiler error: {e}")),
    }
}

fn read_output(output: Option<Vec<u8>>) -> Outcome {
    let Some(bytes) = output else {
        return Outcome::failed(
            OutcomeKind::InvalidOutput,
            ErrorInfo::new("InvalidOutputError", "the function produced no result"),
        );
    };
    serde_json::from_slice(&bytes).unwrap_or_else(|e| {
        Outcome::failed(
            OutcomeKind::InvalidOutput,
            ErrorInfo::new(
                "InvalidOutputError",
                format!("the result is not valid: {e}"),
            ),
        )
    })
}

fn timeout_outcome(limits: &Limits) -> Outcome {
    Outcome::failed(
        OutcomeKind::Timeout,
        ErrorInfo::new(
            "TimeoutError",
            format!(
                "the function exceeded its timeout of {} s",
                limits.get_timeout().as_secs()
            ),
        ),
    )
}

/// Turns a trap into an outcome, once, at the engine boundary.
fn classify(error: &wasmtime::Error, limits: &Limits) -> Outcome {
    if let Some(host) = error.downcast_ref::<HostTrap>() {
        return match host {
            HostTrap::MemoryLimit => Outcome::failed(
                OutcomeKind::MemoryLimit,
                ErrorInfo::new(
                    "MemoryLimitError",
                    format!(
                        "the function exceeded its memory limit of {} MB",
                        limits.get_memory_mb()
                    ),
                ),
            ),
            HostTrap::OutputTooLarge(_) => Outcome::failed(
                OutcomeKind::InvalidOutput,
                ErrorInfo::new("InvalidOutputError", host.to_string()),
            ),
            HostTrap::Timeout => timeout_outcome(limits),
        };
    }
    let (kind, name, message) = match error.downcast_ref::<Trap>() {
        Some(Trap::Interrupt) => return timeout_outcome(limits),
        Some(Trap::OutOfFuel) => (
            OutcomeKind::OutOfFuel,
            "OutOfFuelError",
            format!(
                "the function used up its CPU budget of {} fuel",
                limits.get_fuel()
            ),
        ),
        // The plugin's shadow stack sits at the bottom of linear memory
        // (`--stack-first`), so running off it is an out-of-bounds access, and
        // QuickJS has no stack check of its own on WASI.
        Some(Trap::StackOverflow | Trap::MemoryOutOfBounds) => (
            OutcomeKind::StackOverflow,
            "StackOverflowError",
            "the function overflowed its stack (recursion too deep)".to_string(),
        ),
        Some(trap) => (
            OutcomeKind::Error,
            "WasmTrap",
            format!("the sandbox trapped: {trap}"),
        ),
        None => {
            tracing::error!(error = ?error, "engine failure during invocation");
            (
                OutcomeKind::Error,
                "HookboxInternalError",
                "the sandbox failed".to_string(),
            )
        }
    };
    Outcome::failed(kind, ErrorInfo::new(name, message))
}

#[cfg(test)]
#[path = "engine_fuzz.rs"]
mod fuzz;

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn host_work_is_paid_in_fuel_first_and_runs_out_of_fuel_like_code() {
        let mut config = wasmtime::Config::new();
        config.consume_fuel(true);
        let engine = wasmtime::Engine::new(&config).unwrap();
        let mut store = Store::new(&engine, ());
        store.set_fuel(1_000).unwrap();
        charge_fuel(&mut store, 400).unwrap();
        assert_eq!(store.get_fuel().unwrap(), 600);
        let error = charge_fuel(&mut store, 601).unwrap_err();
        assert_eq!(store.get_fuel().unwrap(), 0);
        let outcome = classify(&error, &Limits::default());
        assert_eq!(outcome.outcome, OutcomeKind::OutOfFuel, "{outcome:?}");
        // A 10,000,000-iteration PBKDF2 is priced far above a call's budget
        // (or refused outright), never done for free.
        let request = CryptoRequest::parse(
            br#"{"op":"pbkdf2","password":"","salt":"","iterations":10000000,"keylen":32,"hash":"sha256"}"#,
        );
        let answer: serde_json::Value = serde_json::from_slice(&request.answer()).unwrap();
        assert!(
            answer["error"].as_str().unwrap().contains("over the limit"),
            "{answer}"
        );
        // Metering off: nothing to charge, nothing trapped.
        let unmetered = wasmtime::Engine::new(&wasmtime::Config::new()).unwrap();
        charge_fuel(&mut Store::new(&unmetered, ()), u64::MAX).unwrap();
    }

    #[test]
    fn the_compiled_plugin_is_cached_for_the_next_start() {
        let dir = std::env::temp_dir().join(format!("hookbox-cache-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut config = EngineConfig::default();
        config.max_instances(2).cache_dir(&dir);
        assert!(
            !Engine::new(&config).unwrap().plugin_was_cached(),
            "empty cache: compiled"
        );
        assert!(
            Engine::new(&config).unwrap().plugin_was_cached(),
            "second start: loaded"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// The artifact is a real module: linked against a plugin instance the
    /// way Javy's dynamically linked modules are, its `_start` runs the function.
    #[test]
    fn the_artifact_runs_through_real_dynamic_linking() {
        let rt = runtime();
        let engine = Engine::new(EngineConfig::default().max_instances(4)).unwrap();
        let artifact = rt
            .block_on(engine.compile("exports.handler = (event) => ({ doubled: event.n * 2 });"))
            .unwrap();
        let module = wasmtime::Module::new(&engine.inner.engine, artifact.to_wasm()).unwrap();
        let input = serde_json::to_vec(&Input {
            event: Some(serde_json::json!({"n": 21})),
            ..Input::default()
        })
        .unwrap();
        let out = rt.block_on(async {
            let mut store = engine.store(input, &Limits::default());
            let plugin = engine
                .inner
                .pre
                .instantiate_async(&mut store)
                .await
                .unwrap();
            let mut linker: Linker<Call> = Linker::new(&engine.inner.engine);
            linker
                .instance(&mut store, crate::PLUGIN_NAMESPACE, plugin)
                .unwrap();
            let instance = linker.instantiate_async(&mut store, &module).await.unwrap();
            let start = instance
                .get_typed_func::<(), ()>(&mut store, "_start")
                .unwrap();
            start.call_async(&mut store, ()).await.unwrap();
            store.into_data().output.expect("the function answered")
        });
        let outcome: Outcome = serde_json::from_slice(&out).unwrap();
        assert_eq!(outcome.outcome, OutcomeKind::Ok);
        assert_eq!(outcome.result, serde_json::json!({"doubled": 42}));
    }
}
