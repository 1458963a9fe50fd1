//! The hookbox engine plugin: QuickJS (through the Javy crates) for `wasm32-wasip1`.
//!
//! It speaks Javy's dynamic-linking ABI (`cabi_realloc`, `compile-src`, `invoke`,
//! an `import_namespace` custom section), so an artifact generated for it has the
//! same shape as one Javy would generate. What differs is the semantics, which are
//! those of the auth platforms hookbox replaces rather than of ES modules:
//!
//! - user code is compiled as a sloppy-mode *script* inside a CommonJS-style
//!   wrapper (`module`, `exports`, `require`), as Node and Webtask run it;
//! - `invoke` runs the prelude's driver: it reads the call's input from the host,
//!   picks the calling convention, drives promises and timers, and hands the
//!   result back to the host as JSON. Errors are data, never an abort.
//!
//! `initialize-runtime` builds the runtime and evaluates the prelude; the build
//! snapshots the instance right after it (Wizer), so none of that repeats per call.

#![allow(static_mut_refs)]

use javy::quickjs::{self, Ctx, Function, Object, Persistent, Value, qjs};
use std::ffi::CString;
use std::{alloc, ptr, slice};

/// The module name artifacts import the plugin's exports from.
#[unsafe(link_section = "import_namespace")]
pub static IMPORT_NAMESPACE: [u8; 17] = *b"hookbox_plugin_v1";

/// File name user code is compiled under; stack frames and syntax errors name it.
const USER_FILE: &str = "function.js";

/// The prelude, baked into the snapshot.
const PRELUDE: &str = include_str!("../../js/prelude.js");

/// Host functions, provided by `hookbox-engine` under the `hookbox` module.
mod host {
    #[link(wasm_import_module = "hookbox")]
    unsafe extern "C" {
        /// Length in bytes of this call's input JSON.
        pub fn input_len() -> u32;
        /// Copies the input JSON to `ptr` (which has room for `input_len()` bytes).
        pub fn input_read(ptr: *mut u8);
        /// Hands the result JSON to the host. Called once per invocation.
        pub fn output(ptr: *const u8, len: u32);
        /// Appends one console line. Returns 0 once the per-call log cap is reached.
        pub fn log(level: u32, ptr: *const u8, len: u32) -> u32;
        /// Makes an HTTP request (JSON, see `hookbox-engine`'s `outbound`)
        /// and returns the length of the answer JSON. The guest waits; the
        /// host's async runtime does not.
        pub fn http(ptr: *const u8, len: u32) -> u32;
        /// Copies the last `http` or `call` answer to `ptr` (room for its length).
        pub fn http_read(ptr: *mut u8);
        /// A synchronous host service (JSON `{"op": …}`, see `hookbox-engine`'s
        /// `host_call`: cryptography, facts about the call); returns the
        /// length of the answer JSON, read with `http_read`.
        pub fn call(ptr: *const u8, len: u32) -> u32;
    }
}

struct Plugin {
    runtime: javy::Runtime,
    run: Persistent<Function<'static>>,
    tick: Persistent<Function<'static>>,
    finish: Persistent<Function<'static>>,
}

static mut PLUGIN: Option<Plugin> = None;

fn plugin() -> &'static Plugin {
    unsafe { PLUGIN.as_ref() }
        .expect("initialize-runtime was not run: the plugin must be pre-initialised")
}

#[unsafe(export_name = "initialize-runtime")]
pub extern "C" fn initialize_runtime() {
    let mut config = javy::Config::default();
    config
        .text_encoding(true)
        // The instance is thrown away after one call: collecting garbage is wasted work.
        .gc_threshold(usize::MAX);
    let runtime = javy::Runtime::new(config).expect("the QuickJS runtime to start");
    let (run, tick, finish) = runtime.context().with(|ctx| {
        let driver =
            load_prelude(&ctx).unwrap_or_else(|e| panic!("prelude failed: {}", describe(&ctx, e)));
        let get = |name: &str| -> Persistent<Function<'static>> {
            let f: Function = driver.get(name).expect("prelude driver function");
            Persistent::save(&ctx, f)
        };
        (get("run"), get("tick"), get("finish"))
    });
    unsafe {
        PLUGIN = Some(Plugin {
            runtime,
            run,
            tick,
            finish,
        })
    };
}

fn load_prelude<'js>(ctx: &Ctx<'js>) -> quickjs::Result<Object<'js>> {
    let mut options = quickjs::context::EvalOptions::default();
    options.global = true;
    options.strict = false;
    options.filename = Some("hookbox:prelude".into());
    let factory: Function = ctx.eval_with_options(PRELUDE, options)?;
    let host = Object::new(ctx.clone())?;
    host.set("input", Function::new(ctx.clone(), host_input)?)?;
    host.set("output", Function::new(ctx.clone(), host_output)?)?;
    host.set("log", Function::new(ctx.clone(), host_log)?)?;
    host.set("http", Function::new(ctx.clone(), host_http)?)?;
    host.set("call", Function::new(ctx.clone(), host_call)?)?;
    factory.call((host,))
}

fn host_input() -> String {
    let len = unsafe { host::input_len() } as usize;
    let mut buf = vec![0u8; len];
    unsafe { host::input_read(buf.as_mut_ptr()) };
    // The host only sends serde_json output, which is UTF-8.
    String::from_utf8(buf).unwrap_or_default()
}

fn host_output(json: String) {
    unsafe { host::output(json.as_ptr(), json.len() as u32) };
}

fn host_log(level: u32, message: String) -> bool {
    unsafe { host::log(level, message.as_ptr(), message.len() as u32) != 0 }
}

fn host_http(request: String) -> String {
    let len = unsafe { host::http(request.as_ptr(), request.len() as u32) } as usize;
    let mut buf = vec![0u8; len];
    unsafe { host::http_read(buf.as_mut_ptr()) };
    // The host answers with serde_json output, which is UTF-8.
    String::from_utf8(buf).unwrap_or_default()
}

fn host_call(request: String) -> String {
    let len = unsafe { host::call(request.as_ptr(), request.len() as u32) } as usize;
    let mut buf = vec![0u8; len];
    unsafe { host::http_read(buf.as_mut_ptr()) };
    // The host answers with serde_json output, which is UTF-8.
    String::from_utf8(buf).unwrap_or_default()
}

/// Renders a QuickJS error (the pending exception) as text.
fn describe(ctx: &Ctx<'_>, err: quickjs::Error) -> String {
    if let quickjs::Error::Exception = err {
        let exc = ctx.catch();
        if let Some(obj) = exc.as_object() {
            let message: String = obj.get("message").unwrap_or_default();
            let stack: String = obj.get("stack").unwrap_or_default();
            return format!("{message}\n{stack}");
        }
        return format!("{exc:?}");
    }
    err.to_string()
}

// ------------------------------------------------------------------ compile

/// The two ways a source can be wrapped. An Auth0 rule is one bare function
/// expression, which is only valid as an expression; everything else (Authing
/// `pipe`, CommonJS exports, handlers) is a script body.
///
/// The prefix shares the user's first line, so line numbers need no
/// translation (QuickJS cannot start a script at line 0). Both prefixes have
/// the same length, [`PREFIX_LEN`], which is taken off columns on line 1.
const WRAPPERS: [(&str, &str); 2] = [
    ("(function (module, exports, require) { return (", "\n); })"),
    (
        "(function (module, exports, require) {         ",
        // `pipe`, or else the functions Auth0's database script templates
        // declare (a script may hold helpers beside its function).
        concat!(
            "\n;return typeof pipe === \"function\" ? pipe : {",
            "login: typeof login === \"function\" ? login : undefined, ",
            "getUser: typeof getUser === \"function\" ? getUser : undefined, ",
            "getByEmail: typeof getByEmail === \"function\" ? getByEmail : undefined, ",
            "create: typeof create === \"function\" ? create : undefined, ",
            "verify: typeof verify === \"function\" ? verify : undefined, ",
            "changePassword: typeof changePassword === \"function\" ? changePassword : undefined, ",
            "changeEmail: typeof changeEmail === \"function\" ? changeEmail : undefined, ",
            "deleteUser: typeof deleteUser === \"function\" ? deleteUser : undefined, ",
            "remove: typeof remove === \"function\" ? remove : undefined }; })",
        ),
    ),
];

/// Length of each wrapper's prefix; the prelude corrects stack columns with it too.
const PREFIX_LEN: u32 = 47;

struct SyntaxError {
    message: String,
    line: u32,
    column: u32,
}

fn compile(ctx: &Ctx<'_>, source: &str) -> Result<Vec<u8>, SyntaxError> {
    let mut best: Option<SyntaxError> = None;
    // A script that mentions `exports` is compiled as a script body first:
    // `exports.onExecutePostLogin = async (event, api) => {…}` is also a
    // single expression, but it exports, so it must not be taken for a rule
    // (the prelude runs a function the wrapper returns as a pipe or rule,
    // without looking at the exports, to keep the commonest call cheap).
    let order = if source.contains("exports") {
        [&WRAPPERS[1], &WRAPPERS[0]]
    } else {
        [&WRAPPERS[0], &WRAPPERS[1]]
    };
    for (prefix, suffix) in order {
        match compile_wrapped(ctx, &format!("{prefix}{source}{suffix}")) {
            Ok(bytecode) => return Ok(bytecode),
            Err(mut e) => {
                e.column = token_column(source, &e);
                if best
                    .as_ref()
                    .is_none_or(|b| (e.line, e.column) > (b.line, b.column))
                {
                    best = Some(e);
                }
            }
        }
    }
    Err(best.expect("at least one wrapper"))
}

/// QuickJS reports the right line for a syntax error but a column taken from
/// a stale scanner position. When the message names the offending token
/// (`unexpected token in expression: ';'`), find it on that line; otherwise
/// point at the line's first non-blank character.
fn token_column(source: &str, e: &SyntaxError) -> u32 {
    let Some(text) = source.lines().nth(e.line.saturating_sub(1) as usize) else {
        return e.column;
    };
    let quoted = e
        .message
        .strip_suffix('\'')
        .and_then(|m| m.rsplit_once('\''))
        .map(|(_, token)| token)
        .filter(|t| !t.is_empty());
    if let Some(at) = quoted.and_then(|token| text.find(token)) {
        return text[..at].chars().count() as u32 + 1;
    }
    if (e.column as usize) <= text.chars().count() && e.column > 0 {
        return e.column;
    }
    text.chars().take_while(|c| c.is_whitespace()).count() as u32 + 1
}

fn compile_wrapped(ctx: &Ctx<'_>, wrapped: &str) -> Result<Vec<u8>, SyntaxError> {
    let raw = ctx.as_raw().as_ptr();
    let source = CString::new(wrapped).map_err(|_| SyntaxError {
        message: "source contains a NUL byte".into(),
        line: 0,
        column: 0,
    })?;
    let filename = CString::new(USER_FILE).expect("static name");
    let mut options = qjs::JSEvalOptions {
        version: qjs::JS_EVAL_OPTIONS_VERSION as _,
        eval_flags: (qjs::JS_EVAL_TYPE_GLOBAL | qjs::JS_EVAL_FLAG_COMPILE_ONLY) as _,
        filename: filename.as_ptr(),
        line_num: 1,
    };
    unsafe {
        let func = qjs::JS_Eval2(raw, source.as_ptr(), wrapped.len() as _, &mut options);
        if qjs::JS_IsException(func) {
            return Err(syntax_error(ctx));
        }
        let mut len: qjs::size_t = 0;
        let flags = qjs::JS_WRITE_OBJ_BYTECODE | qjs::JS_WRITE_OBJ_STRIP_SOURCE;
        let buf = qjs::JS_WriteObject(raw, &mut len, func, flags as _);
        qjs::JS_FreeValue(raw, func);
        if buf.is_null() {
            return Err(SyntaxError {
                message: "could not serialise the compiled function".into(),
                line: 0,
                column: 0,
            });
        }
        let bytecode = slice::from_raw_parts(buf, len as usize).to_vec();
        qjs::js_free(raw, buf as _);
        Ok(bytecode)
    }
}

fn syntax_error(ctx: &Ctx<'_>) -> SyntaxError {
    let exc = ctx.catch();
    let Some(obj) = exc.as_object() else {
        return SyntaxError {
            message: format!("{exc:?}"),
            line: 0,
            column: 0,
        };
    };
    let name: String = obj.get("name").unwrap_or_else(|_| "SyntaxError".into());
    let message: String = obj.get("message").unwrap_or_default();
    let stack: String = obj.get("stack").unwrap_or_default();
    let (line, mut column) = position_in(&stack).unwrap_or((0, 0));
    if line == 1 {
        column = column.saturating_sub(PREFIX_LEN).max(1);
    }
    SyntaxError {
        message: format!("{name}: {message}"),
        line,
        column,
    }
}

/// Finds `function.js:LINE:COL` in a QuickJS stack string.
fn position_in(stack: &str) -> Option<(u32, u32)> {
    let at = stack.find(&format!("{USER_FILE}:"))? + USER_FILE.len() + 1;
    let mut nums = stack[at..].split(|c: char| !c.is_ascii_digit());
    let line = nums.next()?.parse().ok()?;
    let column = nums.next()?.parse().ok()?;
    Some((line, column))
}

// ------------------------------------------------------------------ Javy ABI

static mut COMPILE_RESULT: Vec<u8> = Vec::new();
static mut COMPILE_RET_AREA: [u32; 3] = [0; 3];

/// # Safety
/// As Javy's (and the component model's) `cabi_realloc`.
#[unsafe(export_name = "cabi_realloc")]
pub unsafe extern "C" fn cabi_realloc(
    original_ptr: *mut u8,
    original_size: usize,
    alignment: usize,
    new_size: usize,
) -> *mut u8 {
    if new_size == 0 {
        return alignment.max(1) as *mut u8;
    }
    let layout = alloc::Layout::from_size_align(new_size, alignment.max(1)).expect("valid layout");
    if original_ptr.is_null() || original_size == 0 {
        return unsafe { alloc::alloc(layout) };
    }
    let old =
        alloc::Layout::from_size_align(original_size, alignment.max(1)).expect("valid layout");
    let new = unsafe { alloc::alloc(layout) };
    unsafe {
        ptr::copy_nonoverlapping(original_ptr, new, original_size.min(new_size));
        alloc::dealloc(original_ptr, old);
    }
    new
}

/// Compiles JS source to QuickJS bytecode.
///
/// Returns a pointer to three `u32`s: status (0 ok, 1 error), pointer, length.
/// On success the bytes are bytecode; on error, JSON `{message, line, column}`.
///
/// # Safety
/// `src_ptr` must point to `src_len` readable bytes.
#[unsafe(export_name = "compile-src")]
pub unsafe extern "C" fn compile_src(src_ptr: *const u8, src_len: usize) -> *const u32 {
    let src = unsafe { slice::from_raw_parts(src_ptr, src_len) };
    let source = String::from_utf8_lossy(src);
    let result = plugin()
        .runtime
        .context()
        .with(|ctx| compile(&ctx, &source));
    let (status, bytes) = match result {
        Ok(bytecode) => (0, bytecode),
        Err(e) => (1, error_json(&e).into_bytes()),
    };
    unsafe {
        COMPILE_RESULT = bytes;
        COMPILE_RET_AREA = [
            status,
            COMPILE_RESULT.as_ptr() as u32,
            COMPILE_RESULT.len() as u32,
        ];
        COMPILE_RET_AREA.as_ptr()
    }
}

fn error_json(e: &SyntaxError) -> String {
    format!(
        r#"{{"message":{},"line":{},"column":{}}}"#,
        json_string(&e.message),
        e.line,
        e.column
    )
}

/// `s` as a JSON string literal, quotes included.
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Runs one invocation of compiled bytecode; the function name is unused (the
/// prelude finds the entry point by convention).
///
/// # Safety
/// `bytecode_ptr` must point to `bytecode_len` readable bytes.
#[unsafe(export_name = "invoke")]
pub unsafe extern "C" fn invoke(
    bytecode_ptr: *const u8,
    bytecode_len: usize,
    _fn_name_discriminator: u32,
    _fn_name_ptr: *const u8,
    _fn_name_len: usize,
) {
    let bytecode = unsafe { slice::from_raw_parts(bytecode_ptr, bytecode_len) };
    let plugin = plugin();
    plugin.runtime.context().with(|ctx| {
        if let Err(message) = run(&ctx, plugin, bytecode) {
            let out = format!(
                r#"{{"outcome":"error","error":{{"name":"HookboxInternalError","message":{}}}}}"#,
                json_string(&message)
            );
            host_output(out);
        }
    });
}

fn run(ctx: &Ctx<'_>, plugin: &Plugin, bytecode: &[u8]) -> Result<(), String> {
    let factory = load_bytecode(ctx, bytecode)?;
    let run = plugin.run.clone().restore(ctx).map_err(|e| e.to_string())?;
    let tick = plugin
        .tick
        .clone()
        .restore(ctx)
        .map_err(|e| e.to_string())?;
    let finish = plugin
        .finish
        .clone()
        .restore(ctx)
        .map_err(|e| e.to_string())?;
    run.call::<_, ()>((factory,))
        .map_err(|e| describe(ctx, e))?;
    loop {
        while ctx.execute_pending_job() {}
        let fired: bool = tick.call(()).map_err(|e| describe(ctx, e))?;
        if !fired {
            break;
        }
    }
    finish.call::<_, ()>(()).map_err(|e| describe(ctx, e))
}

fn load_bytecode<'js>(ctx: &Ctx<'js>, bytecode: &[u8]) -> Result<Value<'js>, String> {
    let raw = ctx.as_raw().as_ptr();
    unsafe {
        let obj = qjs::JS_ReadObject(
            raw,
            bytecode.as_ptr(),
            bytecode.len() as _,
            qjs::JS_READ_OBJ_BYTECODE as _,
        );
        if qjs::JS_IsException(obj) {
            return Err(describe(ctx, quickjs::Error::Exception));
        }
        let factory = qjs::JS_EvalFunction(raw, obj);
        if qjs::JS_IsException(factory) {
            return Err(describe(ctx, quickjs::Error::Exception));
        }
        Ok(Value::from_raw(ctx.clone(), factory))
    }
}
