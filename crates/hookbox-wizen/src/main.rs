//! Build tool: pre-initialises the hookbox engine plugin.
//!
//! `hookbox-wizen IN.wasm OUT.wasm` instantiates the plugin, calls its
//! `initialize-runtime` export (which starts QuickJS and evaluates the prelude)
//! and snapshots the resulting memory and globals into a new module with
//! `wasmtime-wizer`. Every invocation then starts from that state instead of
//! repeating it. `make plugin` runs this; the server never does.

use anyhow::{Context, Result, anyhow, bail};
use wasmtime::{Config, Engine, Instance, Linker, Module, Store, Val};
use wasmtime_wasi::WasiCtxBuilder;
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wizer::{InstanceState, SnapshotVal, ValType, Wizer};

const INIT_FUNC: &str = "initialize-runtime";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, input, output] = &args[..] else {
        bail!("usage: hookbox-wizen IN.wasm OUT.wasm");
    };
    let wasm = std::fs::read(input).with_context(|| format!("reading {input}"))?;
    let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    let snapshot = runtime.block_on(wizen(&wasm))?;
    std::fs::write(output, &snapshot).with_context(|| format!("writing {output}"))?;
    eprintln!(
        "pre-initialised {input} ({} bytes) -> {output} ({} bytes)",
        wasm.len(),
        snapshot.len()
    );
    Ok(())
}

async fn wizen(wasm: &[u8]) -> Result<Vec<u8>> {
    let mut wizer = Wizer::new();
    wizer.init_func(INIT_FUNC);
    let (cx, instrumented) = wizer.instrument(wasm).map_err(|e| anyhow!("{e:?}"))?;

    let engine = Engine::new(&Config::new()).map_err(|e| anyhow!("{e:?}"))?;
    let module = Module::new(&engine, &instrumented).map_err(|e| anyhow!("{e:?}"))?;
    let mut linker: Linker<WasiP1Ctx> = Linker::new(&engine);
    wasmtime_wasi::p1::add_to_linker_async(&mut linker, |cx| cx).map_err(|e| anyhow!("{e:?}"))?;
    // The `hookbox` host calls are for invocations; initialisation must not use them.
    linker
        .define_unknown_imports_as_traps(&module)
        .map_err(|e| anyhow!("{e:?}"))?;
    // No environment, arguments or files: nothing of the build machine may leak
    // into the snapshot.
    // The guest's stderr is the build's: a prelude that fails at snapshot time says why.
    let mut store = Store::new(&engine, WasiCtxBuilder::new().inherit_stderr().build_p1());
    let instance = linker
        .instantiate_async(&mut store, &module)
        .await
        .map_err(|e| anyhow!("{e:?}"))?;
    if let Some(init) = instance.get_func(&mut store, "_initialize") {
        init.typed::<(), ()>(&store)
            .map_err(|e| anyhow!("{e:?}"))?
            .call_async(&mut store, ())
            .await
            .map_err(|e| anyhow!("_initialize: {e:?}"))?;
    }
    instance
        .get_typed_func::<(), ()>(&mut store, INIT_FUNC)
        .map_err(|e| anyhow!("{e:?}"))?
        .call_async(&mut store, ())
        .await
        .map_err(|e| anyhow!("{INIT_FUNC} trapped: {e:?}"))?;
    let mut state = Snapshotter {
        store: &mut store,
        instance,
    };
    wizer
        .snapshot(&cx, &mut state)
        .await
        .map_err(|e| anyhow!("{e:?}"))
}

/// Lets Wizer read the initialised instance's globals and memory.
struct Snapshotter<'a> {
    store: &'a mut Store<WasiP1Ctx>,
    instance: Instance,
}

impl InstanceState for Snapshotter<'_> {
    async fn global_get(&mut self, name: &str, _: ValType) -> SnapshotVal {
        let global = self
            .instance
            .get_global(&mut *self.store, name)
            .expect("wizer asks for exported globals");
        match global.get(&mut *self.store) {
            Val::I32(x) => SnapshotVal::I32(x),
            Val::I64(x) => SnapshotVal::I64(x),
            Val::F32(x) => SnapshotVal::F32(x),
            Val::F64(x) => SnapshotVal::F64(x),
            Val::V128(x) => SnapshotVal::V128(x.as_u128()),
            other => panic!("global {name} has a type a snapshot cannot hold: {other:?}"),
        }
    }

    async fn memory_contents(&mut self, name: &str, contents: impl FnOnce(&[u8]) + Send) {
        let memory = self
            .instance
            .get_memory(&mut *self.store, name)
            .expect("wizer asks for exported memories");
        contents(memory.data(&*self.store));
    }
}
