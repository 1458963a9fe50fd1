//! The storage contract, run against both backends: every test here takes a
//! [`Store`] and is generated once for sled and once for PostgreSQL (a
//! throwaway cluster, see `hookbox-pgtest`). Then what only PostgreSQL does:
//! several nodes on one database, its schema migrations.

use crate::storage::*;
use crate::*;
use hookbox_pgtest::Cluster;
use serde_json::json;
use std::collections::BTreeMap;

const SEAL: [u8; 32] = [3; 32];
/// The newest schema (`migrations/`).
const NEWEST_SCHEMA: i64 = 6;

fn sled() -> Store {
    Store::new(SledStore::open_temporary().unwrap().with_sealing_key(&SEAL))
}

fn pg_node(url: &str) -> PgStore {
    PgStore::connect(url, 4).unwrap().with_sealing_key(&SEAL)
}

fn pg() -> Store {
    Store::new(pg_node(&Cluster::shared().database()))
}

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sled_backend {
            $(#[test] fn $name() { super::$name(super::sled()) })*
        }
        mod postgres_backend {
            $(#[test] fn $name() { super::$name(super::pg()) })*
        }
    };
}

on_both_backends!(
    tenants_and_keys,
    keys_are_listed_and_revoked_but_never_the_last_admin,
    env_and_allow_lists,
    functions_names_orders_and_deletion,
    versions_carry_secrets_and_are_pruned,
    secrets_are_sealed_per_function,
    the_actions_cache_belongs_to_a_live_function,
    connections_are_written_whole,
    logs_page_newest_first_and_keep_under_the_cap,
    a_backlog_of_logs_is_written_whole,
    logs_filter_by_outcome_and_version_and_read_as_points,
    the_queue_runs_due_jobs_once_each,
    deliveries_queue_per_function_and_failed_ones_replay,
    nonces_are_accepted_once,
    packages_are_immutable,
);

fn record(tenant: &str, id: &str, name: &str, scene: &str) -> FunctionRecord {
    FunctionRecord {
        tenant_id: tenant.into(),
        func_id: id.into(),
        func_name: name.into(),
        func_description: String::new(),
        scene: scene.into(),
        source_code: "function pipe(u, c, cb) { cb(null, u, c) }".into(),
        is_asynchronous: false,
        timeout: 3,
        terminate_on_timeout: false,
        enabled: true,
        status: FunctionStatus::Success,
        upload_err_msg: None,
        memory_limit_mb: 64,
        dependencies: Default::default(),
        version: 1,
        deployed_version: 1,
        latest_version: 1,
        gradual: None,
        deploy_history: Vec::new(),
        plugin: Some("p".into()),
        action: false,
        events: Vec::new(),
        url: None,
        webhook_secrets: None,
        draft_version: None,
        created_at: rfc3339(now_micros()),
        updated_at: rfc3339(now_micros()),
    }
}

/// A batch as large as a backlog held through an outage (PostgreSQL writes
/// it in several statements of one transaction): every row, in its order,
/// and the usage of each tenant.
fn a_backlog_of_logs_is_written_whole(s: Store) {
    let now = now_micros();
    let batch: Vec<LogRecord> = (0..2_500u64)
        .map(|i| log(if i % 3 == 0 { "u" } else { "t" }, "f", now - 2_500 + i))
        .collect();
    let one = serde_json::to_string(&{
        let mut r = batch[0].clone();
        r.id = "0".repeat(30);
        r
    })
    .unwrap()
    .len() as u64;
    s.append_logs(batch).unwrap();
    let (page, total) = s.list_logs("t", "f", 1, 2_000).unwrap();
    assert_eq!(total, 1_666);
    assert_eq!(page[0].at_micros, now - 2, "the last record is u's");
    assert!(page.windows(2).all(|w| w[0].at_micros > w[1].at_micros));
    assert_eq!(s.list_logs("u", "f", 1, 1).unwrap().1, 834);
    // Each record counts the length of its encoding (all alike here, give
    // or take the digits of the id each backend gives).
    let each = s.log_bytes("t").unwrap() / 1_666;
    assert!((one - 1..=one + 1).contains(&each), "{each} vs {one}");
    assert_eq!(s.log_bytes("t").unwrap(), 1_666 * each);
    assert_eq!(s.log_bytes("u").unwrap(), 834 * each);
}

/// The console's log filters and its statistics' reads: a filter keeps what
/// matches every field given, pages count only matches, and points stop at
/// their start time and their maximum.
fn logs_filter_by_outcome_and_version_and_read_as_points(s: Store) {
    let now = now_micros();
    let batch: Vec<LogRecord> = (0..30u64)
        .map(|i| {
            let mut r = log("t", "f", now - 30 + i);
            r.outcome = if i % 3 == 0 { "error" } else { "ok" }.into();
            r.version = Some(1 + i % 2);
            // A function's own error fields and console text that look
            // like the record's: only the record's own count.
            r.error = Some(json!({"name": "E", "message": "m", "outcome": "ok", "version": 99}));
            r.logs = json!([{"level": "info", "message": "\"outcome\":\"timeout\" \u{0}"}]);
            r.duration_us = 100 + i;
            r
        })
        .chain([log("t", "g", now), log("u", "f", now)])
        .collect();
    s.append_logs(batch).unwrap();
    let errors = LogFilter {
        outcome: Some("error".into()),
        version: None,
    };
    let (page, total) = s.list_logs_matching("t", "f", &errors, 1, 4).unwrap();
    assert_eq!(total, 10);
    assert_eq!(page.len(), 4);
    assert!(page.iter().all(|r| r.outcome == "error"));
    assert_eq!(page[0].at_micros, now - 3, "newest first");
    let (last, _) = s.list_logs_matching("t", "f", &errors, 3, 4).unwrap();
    assert_eq!(last.len(), 2);
    assert_eq!(last[1].at_micros, now - 30);
    let both = LogFilter {
        outcome: Some("error".into()),
        version: Some(2),
    };
    let (page, total) = s.list_logs_matching("t", "f", &both, 1, 100).unwrap();
    assert_eq!(total, 5);
    assert!(
        page.iter()
            .all(|r| r.version == Some(2) && r.outcome == "error")
    );
    let none = LogFilter {
        outcome: Some("timeout".into()),
        version: None,
    };
    let nested = LogFilter {
        outcome: None,
        version: Some(99),
    };
    assert_eq!(s.list_logs_matching("t", "f", &nested, 1, 10).unwrap().1, 0);
    assert_eq!(
        s.list_logs_matching("t", "f", &none, 1, 10).unwrap(),
        (Vec::new(), 0)
    );
    let all = s
        .list_logs_matching("t", "f", &LogFilter::default(), 1, 100)
        .unwrap();
    assert_eq!(all.1, 30);

    let points = s.log_points("t", "f", now - 10, 100).unwrap();
    assert_eq!(points.len(), 10);
    assert_eq!(points[0].at_micros, now - 1);
    assert_eq!(points[9].at_micros, now - 10);
    assert_eq!(points[0].duration_us, 129);
    assert_eq!(points[0].outcome, "ok");
    assert_eq!(points[2].outcome, "error");
    assert_eq!(s.log_points("t", "f", 0, 7).unwrap().len(), 7);
    assert!(s.log_points("t", "nobody", 0, 7).unwrap().is_empty());
}

fn log(tenant: &str, func: &str, at: u64) -> LogRecord {
    LogRecord {
        id: String::new(),
        tenant_id: tenant.into(),
        func_id: func.into(),
        script: None,
        request_id: format!("r{at}"),
        at: rfc3339(at),
        at_micros: at,
        outcome: "ok".into(),
        duration_us: 10,
        is_async: false,
        attempt: 1,
        version: None,
        error: None,
        logs: json!(["a line with \u{0} inside"]),
    }
}

fn job(id: &str, at: u64) -> Job {
    Job {
        id: id.into(),
        tenant_id: "t".into(),
        func_id: "f".into(),
        request_id: "r".into(),
        input: json!({"user": {"id": id}}),
        attempts: 0,
        next_at_micros: at,
        enqueued_at_micros: at,
    }
}

fn ids(list: &[FunctionRecord]) -> Vec<&str> {
    list.iter().map(|r| r.func_id.as_str()).collect()
}

/// A tenant's keys, oldest first, and their revocation: only the tenant's own,
/// never its last admin key, and a revoked key no longer verifies.
fn keys_are_listed_and_revoked_but_never_the_last_admin(s: Store) {
    let (_, first, _) = s
        .create_tenant_with_key(Some("acme"), "Acme", Role::Admin)
        .unwrap();
    let (_, other, _) = s
        .create_tenant_with_key(Some("other"), "Other", Role::Admin)
        .unwrap();
    let (invoke, invoke_secret) = s.create_key("acme", Role::Invoke).unwrap();
    let ids = |t: &str| -> Vec<String> {
        s.list_keys(t)
            .unwrap()
            .into_iter()
            .map(|k| k.access_key_id)
            .collect()
    };
    let mut expected = vec![first.access_key_id.clone(), invoke.access_key_id.clone()];
    expected.sort_by_key(|id| {
        s.get_key(id)
            .unwrap()
            .map(|k| (k.created_at, k.access_key_id))
    });
    assert_eq!(ids("acme"), expected);
    assert_eq!(ids("other"), vec![other.access_key_id.clone()]);
    assert!(ids("nobody").is_empty());

    assert!(
        !s.revoke_key("acme", &other.access_key_id).unwrap(),
        "not acme's"
    );
    assert!(!s.revoke_key("acme", "no-such-key").unwrap());
    assert!(matches!(
        s.revoke_key("acme", &first.access_key_id),
        Err(StoreError::Conflict(_))
    ));
    assert!(s.revoke_key("acme", &invoke.access_key_id).unwrap());
    assert_eq!(
        s.verify_key(&invoke.access_key_id, &invoke_secret).unwrap(),
        None
    );
    assert_eq!(s.signing_secret(&invoke.access_key_id).unwrap(), None);
    assert!(
        !s.revoke_key("acme", &invoke.access_key_id).unwrap(),
        "already gone"
    );
    let (second_admin, _) = s.create_key("acme", Role::Admin).unwrap();
    assert!(s.revoke_key("acme", &first.access_key_id).unwrap());
    assert_eq!(ids("acme"), vec![second_admin.access_key_id.clone()]);
    assert!(matches!(
        s.revoke_key("acme", &second_admin.access_key_id),
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(ids("other"), vec![other.access_key_id]);
}

fn tenants_and_keys(s: Store) {
    assert!(s.is_empty().unwrap());
    let (tenant, key, secret) = s
        .create_tenant_with_settings(Some("acme"), "Acme", Some("acme.test"), Role::Admin)
        .unwrap();
    assert!(!s.is_empty().unwrap());
    assert!(matches!(
        s.create_tenant(Some("acme"), "again"),
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(s.get_tenant("acme").unwrap(), Some(tenant.clone()));
    assert_eq!(s.get_tenant("a\0b").unwrap(), None);
    assert_eq!(
        s.verify_key(&key.access_key_id, &secret).unwrap(),
        Some(key.clone())
    );
    assert_eq!(s.verify_key(&key.access_key_id, "guess").unwrap(), None);
    let (_, opened) = s.signing_secret(&key.access_key_id).unwrap().unwrap();
    assert_eq!(opened.as_deref(), Some(secret.as_str()));
    let (second, _) = s.create_key("acme", Role::Invoke).unwrap();
    assert_eq!(s.get_key(&second.access_key_id).unwrap(), Some(second));
    assert!(matches!(
        s.create_key("nobody", Role::Admin),
        Err(StoreError::NotFound(_))
    ));
    let changed = s
        .update_tenant("acme", &|t| {
            t.domain = Some("login.acme.test".into());
            t.id = "stolen".into();
        })
        .unwrap();
    assert_eq!(
        (changed.id.as_str(), changed.domain.as_deref()),
        ("acme", Some("login.acme.test"))
    );
    assert!(matches!(
        s.update_tenant("nobody", &|_| {}),
        Err(StoreError::NotFound(_))
    ));
    s.create_tenant(Some("beta"), "Beta").unwrap();
    let all: Vec<String> = s
        .list_tenants()
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(all.len(), 2);
}

fn env_and_allow_lists(s: Store) {
    s.set_env("t", "A", "1").unwrap();
    s.set_env_many(
        "t",
        &BTreeMap::from([("B".into(), "2".into()), ("A".into(), "3".into())]),
    )
    .unwrap();
    s.set_env("u", "A", "other tenant").unwrap();
    assert_eq!(
        s.env("t").unwrap(),
        BTreeMap::from([("A".into(), "3".into()), ("B".into(), "2".into())])
    );
    assert!(s.delete_env("t", "A").unwrap());
    assert!(!s.delete_env("t", "A").unwrap());
    assert!(matches!(
        s.set_env("t", "a\0b", "x"),
        Err(StoreError::Invalid(_))
    ));
    assert!(s.outbound_allow("t").unwrap().is_empty());
    s.set_outbound_allow("t", &["api.example".into()]).unwrap();
    assert_eq!(s.outbound_allow("t").unwrap(), ["api.example"]);
    s.set_outbound_allow("t", &[]).unwrap();
    assert!(s.outbound_allow("t").unwrap().is_empty());
}

fn functions_names_orders_and_deletion(s: Store) {
    let a = record("t", "a", "one", "post-login");
    let b = record("t", "b", "two", "post-login");
    s.put_function(&a, Some(b"wasm-a")).unwrap();
    s.put_function(&b, None).unwrap();
    s.put_function(&record("u", "a", "one", "post-login"), None)
        .unwrap();
    assert_eq!(s.scene_order("t", "post-login").unwrap(), ["a", "b"]);
    assert_eq!(
        s.get_artifact("t", "a").unwrap().as_deref(),
        Some(&b"wasm-a"[..])
    );
    assert_eq!(s.get_artifact("t", "b").unwrap(), None);
    // A name a rule keeps unique.
    let mut c = record("t", "c", "one", "post-login");
    let clash = s.put_function_unique(&c, None, &|other| other.func_name == "one");
    assert!(matches!(clash, Err(StoreError::NameTaken { holder, .. }) if holder == "a"));
    c.func_name = "three".into();
    s.put_function_unique(&c, None, &|_| true).unwrap();
    // Reordering.
    s.set_scene_order("t", "post-login", &["c".into(), "a".into(), "b".into()])
        .unwrap();
    assert!(matches!(
        s.set_scene_order("t", "post-login", &["c".into()]),
        Err(StoreError::Invalid(_))
    ));
    s.lead_scene_order("t", "post-login", &["b".into()])
        .unwrap();
    assert_eq!(
        ids(&s.list_functions("t", Some("post-login")).unwrap()),
        ["b", "c", "a"]
    );
    // Moving scenes, and a write based on a stale read.
    let mut moved = a.clone();
    moved.scene = "pre-register".into();
    moved.version = 2;
    s.put_function_based(&moved, None, None, &|_| false)
        .unwrap();
    assert!(matches!(
        s.put_function_based(&moved, None, None, &|_| false),
        Err(StoreError::Stale { .. })
    ));
    assert_eq!(s.scene_order("t", "post-login").unwrap(), ["b", "c"]);
    assert_eq!(s.scene_order("t", "pre-register").unwrap(), ["a"]);
    // Binding (Auth0 triggers): the bound lead, enabled; the others disabled.
    let changed = s
        .bind_scene("t", "post-login", &["c".into()], &|_| true)
        .unwrap();
    assert_eq!(ids(&changed), ["b"]);
    assert!(!s.get_function("t", "b").unwrap().unwrap().enabled);
    assert!(matches!(
        s.bind_scene("t", "post-login", &["a".into()], &|_| true),
        Err(StoreError::Invalid(_))
    ));
    // Deletion takes everything of the function, and only it.
    s.append_logs(vec![log("t", "c", 10), log("t", "b", 11)])
        .unwrap();
    s.update_hook_secrets("t", "c", &|m| {
        m.insert("K".into(), "v".into());
        Ok(())
    })
    .unwrap();
    assert!(s.delete_function("t", "c").unwrap());
    assert!(!s.delete_function("t", "c").unwrap());
    assert_eq!(s.get_function("t", "c").unwrap(), None);
    assert_eq!(s.scene_order("t", "post-login").unwrap(), ["b"]);
    assert!(s.hook_secrets("t", "c").unwrap().is_empty());
    assert_eq!(s.list_logs("t", "c", 1, 10).unwrap().1, 0);
    assert_eq!(s.list_logs("t", "b", 1, 10).unwrap().1, 1);
    assert_eq!(s.all_functions().unwrap().len(), 3);
    assert_eq!(ids(&s.list_functions("u", None).unwrap()), ["a"]);
}

fn versions_carry_secrets_and_are_pruned(s: Store) {
    let mut r = record("t", "f", "f", "post-login");
    let v1 = FunctionVersion::of(&r, 1, None);
    s.put_function_versioned(&r, None, Some(&v1), &|_| false)
        .unwrap();
    s.update_hook_secrets("t", "f", &|m| {
        m.insert("KEY".into(), "one".into());
        Ok(())
    })
    .unwrap();
    // Version 2 records the live secrets; a second version 2 is refused.
    r.version = 2;
    r.latest_version = 2;
    r.deployed_version = 2;
    let v2 = FunctionVersion::of(&r, 2, None);
    s.put_function_versioned(&r, None, Some(&v2), &|_| false)
        .unwrap();
    assert!(matches!(
        s.put_function_versioned(&r, None, Some(&v2), &|_| false),
        Err(StoreError::VersionTaken { number: 2, .. })
    ));
    let stored = s.get_version("t", "f", 2).unwrap().unwrap();
    let sealed = stored.secrets.unwrap();
    assert!(matches!(sealed, SealedSecrets::Sealed(_)));
    assert_eq!(
        s.open_function_secrets("t", "f", &sealed).unwrap()["KEY"],
        "one"
    );
    // Deploying version 1 again brings back its (empty) secrets.
    r.version = 3;
    r.deployed_version = 1;
    s.put_function(&r, None).unwrap();
    assert!(s.hook_secrets("t", "f").unwrap().is_empty());
    for n in 3..=6 {
        r.version += 1;
        r.latest_version = n;
        let v = FunctionVersion::of(&r, n, None);
        s.put_function_versioned(&r, None, Some(&v), &|_| false)
            .unwrap();
    }
    let numbers = |s: &Store| -> Vec<u64> {
        s.list_versions("t", "f")
            .unwrap()
            .iter()
            .map(|v| v.number)
            .collect()
    };
    assert_eq!(numbers(&s), [6, 5, 4, 3, 2, 1]);
    assert_eq!(s.prune_versions("t", "f", &[1], 2).unwrap(), 3);
    assert_eq!(numbers(&s), [6, 5, 1]);
}

fn secrets_are_sealed_per_function(s: Store) {
    s.put_function(&record("t", "f", "f", "post-login"), None)
        .unwrap();
    assert!(matches!(
        s.update_hook_secrets("t", "missing", &|_| Ok(())),
        Err(StoreError::NotFound(_))
    ));
    let refused = s.update_hook_secrets("t", "f", &|_| Err(StoreError::Invalid("no".into())));
    assert!(matches!(refused, Err(StoreError::Invalid(_))));
    let map = s
        .update_hook_secrets("t", "f", &|m| {
            m.insert("A".into(), "secret-a".into());
            Ok(())
        })
        .unwrap();
    assert_eq!(s.hook_secrets("t", "f").unwrap(), map);
    // Sealed to the function: opening it as another's fails.
    let sealed = s.seal_function_secrets("t", "f", &map).unwrap();
    assert!(s.open_function_secrets("t", "g", &sealed).is_err());
    s.update_hook_secrets("t", "f", &|m| {
        m.clear();
        Ok(())
    })
    .unwrap();
    assert!(s.hook_secrets("t", "f").unwrap().is_empty());
}

fn the_actions_cache_belongs_to_a_live_function(s: Store) {
    assert!(matches!(
        s.update_action_cache("t", "f", &|_| {}),
        Err(StoreError::NotFound(_))
    ));
    s.put_function(&record("t", "f", "f", "post-login"), None)
        .unwrap();
    let entry = json!({"value": "v", "expires_at": 1});
    s.update_action_cache("t", "f", &|m| {
        m.insert("k".into(), entry.clone());
    })
    .unwrap();
    assert_eq!(s.action_cache("t", "f").unwrap()["k"], entry);
    s.update_action_cache("t", "f", &|m| m.clear()).unwrap();
    assert!(s.action_cache("t", "f").unwrap().is_empty());
}

fn connections_are_written_whole(s: Store) {
    let mut c = ConnectionRecord {
        tenant_id: "t".into(),
        name: "users".into(),
        scripts: BTreeMap::from([("login".into(), "function login() {}".into())]),
        timeout: 10,
        version: 1,
        created_at: rfc3339(now_micros()),
        updated_at: rfc3339(now_micros()),
    };
    let config = BTreeMap::from([("DB".into(), "postgres://secret".into())]);
    let artifacts = BTreeMap::from([("login".into(), b"wasm".to_vec())]);
    s.put_connection(&c, &config, &artifacts, ConnectionWrite::Create)
        .unwrap();
    assert!(matches!(
        s.put_connection(&c, &config, &artifacts, ConnectionWrite::Create),
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(s.connection_configuration("t", "users").unwrap(), config);
    c.version = 2;
    c.scripts = BTreeMap::from([("get_user".into(), "function getUser() {}".into())]);
    let newer = BTreeMap::from([("get_user".into(), b"wasm2".to_vec())]);
    assert!(matches!(
        s.put_connection(
            &c,
            &BTreeMap::new(),
            &newer,
            ConnectionWrite::Update { version: 7 }
        ),
        Err(StoreError::Conflict(_))
    ));
    s.put_connection(
        &c,
        &BTreeMap::new(),
        &newer,
        ConnectionWrite::Update { version: 1 },
    )
    .unwrap();
    assert_eq!(s.connection_artifacts("t", "users").unwrap(), newer);
    assert!(s.connection_configuration("t", "users").unwrap().is_empty());
    let rebuilt = BTreeMap::from([("get_user".into(), b"wasm3".to_vec())]);
    assert!(s.rebuild_connection(&c, &rebuilt).unwrap());
    assert_eq!(s.connection_artifacts("t", "users").unwrap(), rebuilt);
    assert_eq!(s.list_connections("t").unwrap(), [c.clone()]);
    s.append_log(&log("t", &connection_log_id("users"), 5))
        .unwrap();
    assert!(s.delete_connection("t", "users").unwrap());
    assert!(!s.delete_connection("t", "users").unwrap());
    assert!(s.connection_artifacts("t", "users").unwrap().is_empty());
    assert_eq!(
        s.list_logs("t", &connection_log_id("users"), 1, 10)
            .unwrap()
            .1,
        0
    );
}

fn logs_page_newest_first_and_keep_under_the_cap(s: Store) {
    const DAY: u64 = 86_400_000_000;
    let now = now_micros();
    let mut batch: Vec<LogRecord> = (0..5).map(|i| log("t", "f", now - (5 - i))).collect();
    batch.push(log("t", "f", now - 10 * DAY));
    batch.push(log("u", "f", now - 10 * DAY));
    s.append_logs(batch).unwrap();
    let (page, total) = s.list_logs("t", "f", 1, 2).unwrap();
    assert_eq!(total, 6);
    assert_eq!(
        page.iter().map(|l| l.at_micros).collect::<Vec<_>>(),
        [now - 1, now - 2]
    );
    assert_eq!(page[0].logs, json!(["a line with \u{0} inside"]));
    assert!(!page[0].id.is_empty());
    assert_eq!(s.list_logs("t", "f", 4, 2).unwrap().0.len(), 0);
    // Expiry takes the old ones, of every tenant.
    assert_eq!(s.purge_logs_before(now - 5 * DAY).unwrap(), 2);
    assert_eq!(s.list_logs("t", "f", 1, 10).unwrap().1, 5);
    assert_eq!(s.list_logs("u", "f", 1, 10).unwrap().1, 0);
    // The cap keeps the newest.
    let one = s.log_bytes("t").unwrap() / 5;
    assert!(one > 0);
    assert_eq!(s.trim_logs("t", one * 2).unwrap(), 3);
    let (kept, total) = s.list_logs("t", "f", 1, 10).unwrap();
    assert_eq!(total, 2);
    assert_eq!(kept[1].at_micros, now - 2);
    assert!(s.log_bytes("t").unwrap() <= one * 2 + 1);
}

fn the_queue_runs_due_jobs_once_each(s: Store) {
    s.enqueue_many(&[job("j1", 100), job("j2", 50), job("j3", 10_000_000_000)])
        .unwrap();
    assert_eq!(s.queue_depth().unwrap(), 3);
    let due: Vec<String> = s
        .due_jobs(100, 10)
        .unwrap()
        .into_iter()
        .map(|j| j.id)
        .collect();
    assert_eq!(due, ["j2", "j1"]);
    let mut leased = job("j2", 9_000_000_000);
    leased.attempts = 1;
    s.reschedule_job(&leased).unwrap();
    s.complete_job("j1").unwrap();
    s.complete_job("j1").unwrap();
    assert_eq!(s.queue_depth().unwrap(), 2);
    assert!(matches!(
        s.reschedule_job(&job("j1", 10)),
        Err(StoreError::NotFound(_))
    ));
    let later = s.due_jobs(9_500_000_000, 10).unwrap();
    assert_eq!(later.len(), 1);
    assert_eq!((later[0].id.as_str(), later[0].attempts), ("j2", 1));
    s.enqueue(&job("j2", 5)).unwrap();
    assert_eq!(
        s.queue_depth().unwrap(),
        2,
        "an id enqueued again replaces its job"
    );
}

fn lane(tenant: &str, func: &str) -> Job {
    Job {
        id: lane_job_id(tenant, func),
        tenant_id: tenant.into(),
        func_id: func.into(),
        request_id: "r".into(),
        input: json!({ "lane": true }),
        attempts: 0,
        next_at_micros: 1,
        enqueued_at_micros: 1,
    }
}

fn delivery(tenant: &str, func: &str, id: &str) -> Delivery {
    Delivery {
        id: id.into(),
        tenant_id: tenant.into(),
        func_id: func.into(),
        seq: 0,
        event: 2000,
        event_name: "AUTH_LOGIN".into(),
        data: json!({ "user_id": id }),
        user: None,
        request_id: "r".into(),
        attempts: 0,
        next_at_micros: 1,
        status: DeliveryStatus::Pending,
        last_error: None,
        last_status: None,
        created_at: rfc3339(1),
        created_at_micros: 1,
    }
}

/// Each function's queue is in the order deliveries were added, one lane
/// job per function however often it is queued; a failed delivery leaves
/// the queue and comes back at its end when replayed; a lane ends only
/// when its queue is empty; one tenant never sees another's.
fn deliveries_queue_per_function_and_failed_ones_replay(s: Store) {
    let ids = |v: Vec<Delivery>| v.into_iter().map(|d| d.id).collect::<Vec<_>>();
    let stored = s
        .add_deliveries(
            &[
                delivery("t", "f", "a"),
                delivery("t", "f", "b"),
                delivery("t", "g", "c"),
            ],
            &[lane("t", "f"), lane("t", "g")],
        )
        .unwrap();
    assert!(stored.windows(2).all(|w| w[0].seq < w[1].seq), "{stored:?}");
    let mut leased = lane("t", "f");
    leased.next_at_micros = 9_000_000_000_000_000;
    s.reschedule_job(&leased).unwrap();
    s.add_deliveries(&[delivery("t", "f", "e")], &[lane("t", "f")])
        .unwrap();
    s.add_deliveries(&[delivery("u", "f", "a")], &[lane("u", "f")])
        .unwrap();
    assert_eq!(s.queue_depth().unwrap(), 3, "one lane per function");
    let due: Vec<String> = s
        .due_jobs(100, 10)
        .unwrap()
        .into_iter()
        .map(|j| j.id)
        .collect();
    assert!(
        !due.contains(&lane_job_id("t", "f")),
        "queueing a lane again keeps its lease: {due:?}"
    );

    let mut a = s.next_delivery("t", "f").unwrap().unwrap();
    assert_eq!((a.id.as_str(), a.tenant_id.as_str()), ("a", "t"));
    assert_eq!(
        s.get_delivery("u", "a").unwrap().unwrap().data,
        json!({ "user_id": "a" })
    );
    assert_eq!(s.count_deliveries("t", "f").unwrap(), 3);

    a.attempts = 5;
    a.status = DeliveryStatus::Failed;
    a.last_error = Some("HTTP 500".into());
    s.update_delivery(&a).unwrap();
    assert_eq!(s.next_delivery("t", "f").unwrap().unwrap().id, "b");
    assert_eq!(
        s.count_deliveries("t", "f").unwrap(),
        3,
        "a failed one is kept"
    );
    assert_eq!(
        ids(s
            .list_deliveries("t", Some(DeliveryStatus::Failed), 10)
            .unwrap()),
        ["a"]
    );
    assert_eq!(
        ids(s.list_deliveries("t", None, 10).unwrap()),
        ["a", "b", "c", "e"]
    );
    assert_eq!(ids(s.list_deliveries("t", None, 2).unwrap()), ["a", "b"]);
    assert!(!s.finish_lane("t", "f").unwrap(), "b and e are pending");
    let due: Vec<String> = s
        .due_jobs(now_micros() + 1, 10)
        .unwrap()
        .into_iter()
        .map(|j| j.id)
        .collect();
    assert!(
        due.contains(&lane_job_id("t", "f")),
        "a lane that finds deliveries when it would end is due at once, not when its lease lapses: {due:?}"
    );

    let replayed = s.requeue_delivery("t", "a", &lane("t", "f")).unwrap();
    assert_eq!(
        (replayed.attempts, replayed.status),
        (0, DeliveryStatus::Pending)
    );
    assert!(matches!(
        s.requeue_delivery("t", "a", &lane("t", "f")),
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        s.requeue_delivery("u", "b", &lane("u", "f")),
        Err(StoreError::NotFound(_))
    ));
    let mut order = Vec::new();
    while let Some(d) = s.next_delivery("t", "f").unwrap() {
        order.push(d.id.clone());
        s.remove_delivery("t", &d.id).unwrap();
    }
    assert_eq!(order, ["b", "e", "a"], "a replayed delivery goes last");
    s.remove_delivery("t", "b").unwrap();
    assert!(s.finish_lane("t", "f").unwrap());
    assert_eq!(s.queue_depth().unwrap(), 2);
    assert!(matches!(
        s.update_delivery(&a),
        Err(StoreError::NotFound(_))
    ));

    assert_eq!(s.delete_deliveries("t", "g").unwrap(), 1);
    assert_eq!(
        s.queue_depth().unwrap(),
        1,
        "the deleted function's lane is gone"
    );
    assert_eq!(ids(s.list_deliveries("u", None, 10).unwrap()), ["a"]);
}

fn nonces_are_accepted_once(s: Store) {
    assert_eq!(
        s.use_nonce("t", "n1", 1_000, 10, 2).unwrap(),
        NonceUse::Recorded
    );
    assert_eq!(
        s.use_nonce("t", "n1", 1_000, 20, 2).unwrap(),
        NonceUse::Replayed
    );
    assert_eq!(
        s.use_nonce("u", "n1", 1_000, 20, 2).unwrap(),
        NonceUse::Recorded
    );
    assert_eq!(
        s.use_nonce("t", "n2", 500, 20, 2).unwrap(),
        NonceUse::Recorded
    );
    assert_eq!(
        s.use_nonce("t", "n3", 1_000, 20, 2).unwrap(),
        NonceUse::TenantFull
    );
    // Once n2 expires its place is free, and n1 may be used again after 1000.
    assert_eq!(
        s.use_nonce("t", "n3", 2_000, 600, 2).unwrap(),
        NonceUse::Recorded
    );
    assert_eq!(
        s.use_nonce("t", "n1", 3_000, 1_001, 2).unwrap(),
        NonceUse::Recorded
    );
    assert!(s.purge_nonces_before(10_000).unwrap() >= 2);
    assert_eq!(
        s.use_nonce("t", "n9", 20_000, 10_000, 1).unwrap(),
        NonceUse::Recorded
    );
}

fn packages_are_immutable(s: Store) {
    let p = PackageRecord {
        name: "lodash".into(),
        version: "4.17.21".into(),
        license: Some("MIT".into()),
        main: "lodash.js".into(),
        dependencies: BTreeMap::new(),
        files: BTreeMap::from([("lodash.js".into(), "module.exports = {}".into())]),
        integrity: "sha512-x".into(),
        size: 19,
        added_at: rfc3339(now_micros()),
    };
    s.put_package(&p).unwrap();
    assert!(matches!(s.put_package(&p), Err(StoreError::Conflict(_))));
    assert_eq!(s.get_package("lodash", "4.17.21").unwrap(), Some(p.clone()));
    assert_eq!(
        s.package_versions("lodash").unwrap(),
        std::slice::from_ref(&p)
    );
    assert_eq!(s.list_packages().unwrap().len(), 1);
    s.delete_package("lodash", "4.17.21").unwrap();
    assert!(matches!(
        s.delete_package("lodash", "4.17.21"),
        Err(StoreError::NotFound(_))
    ));
}

// ------------------------------------------------------------ PostgreSQL only

#[test]
fn nodes_on_one_database_claim_each_job_once() {
    let url = Cluster::shared().database();
    let (a, b) = (pg_node(&url), pg_node(&url));
    let jobs: Vec<Job> = (0..40).map(|i| job(&format!("j{i:02}"), 1)).collect();
    a.enqueue_many(&jobs).unwrap();
    let take = |s: PgStore| {
        std::thread::spawn(move || {
            let mut got = Vec::new();
            loop {
                let batch = s.due_jobs(1_000, 3).unwrap();
                if batch.is_empty() {
                    return got;
                }
                got.extend(batch.into_iter().map(|j| j.id));
            }
        })
    };
    let (ta, tb) = (take(a.clone()), take(b.clone()));
    let (mut got_a, got_b) = (ta.join().unwrap(), tb.join().unwrap());
    got_a.extend(got_b);
    got_a.sort();
    let all: Vec<String> = jobs.iter().map(|j| j.id.clone()).collect();
    assert_eq!(
        got_a, all,
        "every job claimed exactly once across the two nodes"
    );
    // A claimed job is due again once its claim lapses (its node died).
    let lapsed = 1_000 + CLAIM_LEASE.as_micros() as u64 + 1;
    assert_eq!(b.due_jobs(lapsed, 100).unwrap().len(), 40);
}

#[test]
fn a_nonce_used_on_one_node_is_a_replay_on_another() {
    let url = Cluster::shared().database();
    let (a, b) = (pg_node(&url), pg_node(&url));
    assert_eq!(
        a.use_nonce("t", "n", 1_000, 1, 10).unwrap(),
        NonceUse::Recorded
    );
    assert_eq!(
        b.use_nonce("t", "n", 1_000, 2, 10).unwrap(),
        NonceUse::Replayed
    );
}

#[test]
fn expiry_drops_whole_day_partitions() {
    const DAY: u64 = 86_400_000_000;
    let cluster = Cluster::shared();
    let url = cluster.database();
    let db = url.rsplit('/').next().unwrap().to_string();
    let s = pg_node(&url);
    let now = now_micros();
    s.append_logs(vec![log("t", "f", now - 20 * DAY), log("t", "f", now)])
        .unwrap();
    let partitions = || {
        cluster
            .psql(
                &db,
                "SELECT count(*) FROM pg_inherits WHERE inhparent = 'logs'::regclass",
            )
            .unwrap()
            .trim()
            .to_string()
    };
    assert_eq!(partitions(), "2");
    assert_eq!(s.purge_logs_before(now - 7 * DAY).unwrap(), 1);
    assert_eq!(
        partitions(),
        "1",
        "the old day's partition is dropped, not deleted from"
    );
    assert_eq!(s.list_logs("t", "f", 1, 10).unwrap().1, 1);
    // A node whose expiry dropped a day another node had written to: that
    // node's next log for the day makes the partition again.
    let other = pg_node(&url);
    other.append_logs(vec![log("t", "f", now)]).unwrap();
    assert_eq!(s.purge_logs_before(now + DAY).unwrap(), 2);
    assert_eq!(partitions(), "0");
    other.append_logs(vec![log("t", "f", now)]).unwrap();
    assert_eq!(partitions(), "1");
    assert_eq!(s.list_logs("t", "f", 1, 10).unwrap().1, 1);
    assert_eq!(s.log_bytes("t").unwrap(), other.log_bytes("t").unwrap());
    assert!(s.log_bytes("t").unwrap() > 0);
}

#[test]
fn a_node_refuses_a_schema_newer_than_it_knows() {
    let cluster = Cluster::shared();
    let url = cluster.database();
    let first = pg_node(&url);
    let known = first.schema_version().unwrap();
    assert!(known >= 1);
    // Connecting again runs no migration and keeps the data.
    first.create_tenant(Some("kept"), "Kept").unwrap();
    assert!(pg_node(&url).get_tenant("kept").unwrap().is_some());
    let db = url.rsplit('/').next().unwrap();
    cluster
        .psql(
            db,
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum)
             VALUES (9999, 'from_a_newer_hookbox', '2030-01-01T00:00:00Z', '0')",
        )
        .unwrap();
    let err = PgStore::connect(&url, 1).unwrap_err().to_string();
    assert!(err.contains("migrat"), "{err}");
}

#[test]
fn an_unreachable_database_is_a_clear_error() {
    let err = PgStore::connect("postgres://hookbox@127.0.0.1:1/none", 1).unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err}");
    assert!(
        err.to_string().starts_with("database unreachable:"),
        "{err}"
    );
    let err = PgStore::connect("not a url", 1).unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err}");
}

#[test]
fn a_database_at_any_previous_schema_is_migrated_with_its_data() {
    let cluster = Cluster::shared();
    for previous in 1..NEWEST_SCHEMA {
        let url = cluster.database();
        let db = url.rsplit('/').next().unwrap();
        // What a previous hookbox left: a tenant, its env.
        PgStore::migrate_to(&url, previous as i32).unwrap();
        cluster
            .psql(
                db,
                r#"INSERT INTO tenants (id, record) VALUES
                     ('old', '{"id": "old", "name": "Old", "createdAt": "2026-01-01T00:00:00Z"}');
                   INSERT INTO env_vars (tenant_id, name, value) VALUES ('old', 'K', 'v')"#,
            )
            .unwrap();
        let s = pg_node(&url);
        assert_eq!(
            s.schema_version().unwrap(),
            NEWEST_SCHEMA,
            "from {previous}"
        );
        assert_eq!(s.get_tenant("old").unwrap().unwrap().name, "Old");
        assert_eq!(s.env("old").unwrap()["K"], "v");
        // The newest schema follows changes: a change made now is seen.
        let mut cursor = ChangeCursor::default();
        s.changed_tenants(&mut cursor).unwrap();
        s.set_env("old", "K", "w").unwrap();
        assert_eq!(
            s.changed_tenants(&mut cursor).unwrap(),
            ["old"],
            "from {previous}"
        );
        assert!(s.changed_tenants(&mut cursor).unwrap().is_empty());
    }
}

#[test]
fn a_change_committed_after_a_poll_began_is_seen_by_the_next() {
    let url = Cluster::shared().database();
    let s = pg_node(&url);
    s.create_tenant(Some("slow"), "Slow").unwrap();
    s.create_tenant(Some("quick"), "Quick").unwrap();
    let mut cursor = ChangeCursor::default();
    s.changed_tenants(&mut cursor).unwrap();
    // A transaction that changes "slow" and stays open across a poll, while a
    // later transaction changes "quick" and commits before it.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (client, connection) = runtime
        .block_on(tokio_postgres::connect(&url, tokio_postgres::NoTls))
        .unwrap();
    runtime.spawn(connection);
    runtime
        .block_on(client.batch_execute(
            "BEGIN; INSERT INTO env_vars (tenant_id, name, value) VALUES ('slow', 'K', 'v')",
        ))
        .unwrap();
    s.set_env("quick", "K", "v").unwrap();
    assert_eq!(s.changed_tenants(&mut cursor).unwrap(), ["quick"]);
    runtime.block_on(client.batch_execute("COMMIT")).unwrap();
    assert_eq!(s.changed_tenants(&mut cursor).unwrap(), ["slow"]);
    assert!(s.changed_tenants(&mut cursor).unwrap().is_empty());
    // A database whose transaction ids went back (restored from a backup, a
    // replica that was behind took over): changes are still seen.
    cursor.since = Some(u64::MAX.to_string());
    s.set_env("quick", "K", "w").unwrap();
    assert_eq!(s.changed_tenants(&mut cursor).unwrap(), ["quick"]);
    assert!(s.changed_tenants(&mut cursor).unwrap().is_empty());
}

#[test]
fn an_empty_database_is_migrated_to_the_newest_schema() {
    let s = pg_node(&Cluster::shared().database());
    assert_eq!(s.schema_version().unwrap(), NEWEST_SCHEMA);
    assert!(s.is_empty().unwrap());
}
