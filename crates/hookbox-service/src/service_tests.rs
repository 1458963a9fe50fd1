//! The caches never serve what an acknowledged write replaced: each test holds
//! a loader between its store read and its cache insert, lands a write in
//! that gap, and checks that the next call sees the write.

use super::*;
use crate::model::{Call, FunctionPatch, NewFunction};
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

const TENANT: &str = "t";

fn engine() -> Engine {
    static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let mut config = hookbox_engine::EngineConfig::default();
            config
                .max_instances(8)
                .cache_dir(std::env::temp_dir().join("hookbox-service-tests"));
            Engine::new(&config).expect("engine starts")
        })
        .clone()
}

fn function(name: &str, scene: &str, source: &str) -> NewFunction {
    serde_json::from_value(json!({"funcName": name, "scene": scene, "sourceCode": source}))
        .expect("a valid spec")
}

/// Returns `version` as `user.v` and appends its name to `user.trail`.
fn versioned(name: &str, version: u32) -> String {
    format!(
        "function pipe(u, c, cb) {{ u.v = {version}; u.trail = (u.trail || '') + '{name}'; cb(null, u, c); }}"
    )
}

/// A service over `store` with empty caches, as after a restart.
fn fresh(store: &Store) -> Service {
    Service::new(engine(), store.clone(), ServiceConfig::default())
}

/// A hook that stops the first fill it sees until the test says go.
struct Gate {
    paused: mpsc::Receiver<()>,
    go: mpsc::SyncSender<()>,
}

fn gate() -> (Arc<dyn Fn() + Send + Sync>, Gate) {
    let (paused_tx, paused) = mpsc::sync_channel(1);
    let (go, go_rx) = mpsc::sync_channel::<()>(1);
    let go_rx = Mutex::new(go_rx);
    let fired = AtomicBool::new(false);
    let hook = move || {
        if !fired.swap(true, Ordering::SeqCst) {
            paused_tx.send(()).expect("test waits");
            go_rx.lock().expect("gate").recv().expect("test releases");
        }
    };
    (Arc::new(hook), Gate { paused, go })
}

impl Gate {
    async fn wait_paused(self) -> mpsc::SyncSender<()> {
        let Gate { paused, go } = self;
        tokio::task::spawn_blocking(move || paused.recv().expect("a loader paused"))
            .await
            .expect("join");
        go
    }
}

async fn invoke_v(service: &Service, func_id: &str) -> Value {
    let out = service
        .invoke(TENANT, func_id, Call::default(), "r")
        .await
        .expect("invoke");
    assert!(out.is_ok(), "{:?}", out.error);
    out.user["v"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_function_load_that_straddles_an_update_does_not_bring_back_the_old_code() {
    let store = Store::open_temporary().unwrap();
    let f = fresh(&store)
        .deploy(TENANT, function("f", "PRE_REGISTER", &versioned("f", 1)))
        .await
        .unwrap();
    let service = fresh(&store);
    let (hook, gate) = gate();
    service.inner.functions.set_fill_hook(Some(hook));
    let call = tokio::spawn({
        let (service, id) = (service.clone(), f.func_id.clone());
        async move { invoke_v(&service, &id).await }
    });
    let go = gate.wait_paused().await;
    // The call has read version 1 from the store; version 2 is acknowledged.
    let patch = FunctionPatch {
        source_code: Some(versioned("f", 2)),
        ..FunctionPatch::default()
    };
    service.update(TENANT, &f.func_id, patch).await.unwrap();
    go.send(()).unwrap();
    assert_eq!(call.await.unwrap(), 1, "the call began before the update");
    assert_eq!(
        invoke_v(&service, &f.func_id).await,
        2,
        "a call after the update runs the new code"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_scene_order_load_that_straddles_a_reorder_does_not_bring_back_the_old_order() {
    let store = Store::open_temporary().unwrap();
    let deployer = fresh(&store);
    let a = deployer
        .deploy(TENANT, function("a", "PRE_REGISTER", &versioned("a", 1)))
        .await
        .unwrap();
    let b = deployer
        .deploy(TENANT, function("b", "PRE_REGISTER", &versioned("b", 1)))
        .await
        .unwrap();
    let service = fresh(&store);
    let trail = |service: Service| async move {
        let run = service
            .run_scene(TENANT, "PRE_REGISTER", Call::default(), "r")
            .await
            .unwrap();
        run.user["trail"].as_str().unwrap().to_string()
    };
    let (hook, gate) = gate();
    service.inner.orders.set_fill_hook(Some(hook));
    let run = tokio::spawn(trail(service.clone()));
    let go = gate.wait_paused().await;
    service
        .set_order(
            TENANT,
            "PRE_REGISTER",
            vec![b.func_id.clone(), a.func_id.clone()],
        )
        .await
        .unwrap();
    go.send(()).unwrap();
    assert_eq!(run.await.unwrap(), "ab", "the run began before the reorder");
    assert_eq!(
        trail(service).await,
        "ba",
        "a run after it sees the new order"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_env_load_that_straddles_a_change_does_not_bring_back_the_old_value() {
    let store = Store::open_temporary().unwrap();
    fresh(&store).set_env(TENANT, "V", "one").await.unwrap();
    let service = fresh(&store);
    let (hook, gate) = gate();
    service.inner.envs.set_fill_hook(Some(hook));
    let read = tokio::spawn({
        let service = service.clone();
        async move { service.env(TENANT).await.unwrap()["V"].clone() }
    });
    let go = gate.wait_paused().await;
    service.set_env(TENANT, "V", "two").await.unwrap();
    go.send(()).unwrap();
    assert_eq!(read.await.unwrap(), "one");
    assert_eq!(service.env(TENANT).await.unwrap()["V"], "two");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_allow_list_load_that_straddles_a_change_does_not_bring_back_the_old_list() {
    let store = Store::open_temporary().unwrap();
    let service = fresh(&store);
    let (hook, gate) = gate();
    service.inner.allow_lists.set_fill_hook(Some(hook));
    let read = tokio::spawn({
        let service = service.clone();
        async move { service.allow_list(TENANT).await.unwrap().is_empty() }
    });
    let go = gate.wait_paused().await;
    service
        .set_outbound_allow(TENANT, vec!["api.example.com".into()])
        .await
        .unwrap();
    go.send(()).unwrap();
    assert!(read.await.unwrap(), "the read began before the change");
    assert!(
        !service.allow_list(TENANT).await.unwrap().is_empty(),
        "a call after the change gets the new list"
    );
}

#[test]
fn redaction_marks_secrets_without_growing_a_record_past_its_bound() {
    let (key, value) = (
        "A_RATHER_LONG_SECRET_NAME".to_string(),
        "s3cret".to_string(),
    );
    let redactor = Redactor::new(std::iter::once((&key, &value)));
    assert_eq!(
        redactor.redact("calling with s3cret"),
        "calling with [redacted: A_RATHER_LONG_SECRET_NAME]"
    );
    let flood = "s3cret".repeat(10_000);
    let out = redactor.redact(&flood);
    assert!(
        out.len() <= flood.len() + flood.len() / 2 + 64 + 32,
        "{}",
        out.len()
    );
    assert!(out.ends_with("[truncated]"));
    assert!(!out.contains("s3cret"));
}

#[test]
fn a_secret_is_redacted_also_as_json_stringify_writes_it() {
    let (key, value) = ("PEM".to_string(), "line one\nsaid \"hi\" \\ ok".to_string());
    let redactor = Redactor::new(std::iter::once((&key, &value)));
    let logged = serde_json::json!({ "key": value }).to_string();
    assert_eq!(redactor.redact(&logged), r#"{"key":"[redacted: PEM]"}"#);
    assert_eq!(
        redactor.redact(&format!("raw: {value}")),
        "raw: [redacted: PEM]"
    );
}

/// `console.log({ key })` prints a long value with line breaks one quoted
/// line at a time, with Node's escapes; every line is redacted. The logged
/// text is Node 20's `util.format({ key: value })` for this value.
#[test]
fn a_secret_is_redacted_also_as_console_log_writes_it() {
    let (key, value) = (
        "PEM".to_string(),
        "-----BEGIN KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\nit's \"quoted\" `tick` and \\ back\u{1}\n-----END KEY-----".to_string(),
    );
    let redactor = Redactor::new(std::iter::once((&key, &value)));
    let logged = "{\n  key: '-----BEGIN KEY-----\\n' +\n    'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\\n' +\n    'it\\'s \"quoted\" `tick` and \\\\ back\\x01\\n' +\n    '-----END KEY-----'\n}";
    assert_eq!(
        redactor.redact(logged),
        "{\n  key: '[redacted: PEM]' +\n    '[redacted: PEM]' +\n    '[redacted: PEM]' +\n    '[redacted: PEM]'\n}"
    );
    let short = "a'b\"c`d\u{1}".to_string();
    let redactor = Redactor::new(std::iter::once((&key, &short)));
    // Node: util.format({ short }) for this value.
    assert_eq!(
        redactor.redact("{ short: 'a\\'b\"c`d\\x01' }"),
        "{ short: '[redacted: PEM]' }"
    );
}
