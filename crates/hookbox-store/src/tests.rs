use super::*;
use crate::storage::*;
use serde_json::json;
use std::collections::{BTreeMap, HashSet};

fn record(tenant: &str, id: &str, scene: &str) -> FunctionRecord {
    FunctionRecord {
        tenant_id: tenant.into(),
        func_id: id.into(),
        func_name: format!("fn {id}"),
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

fn log(tenant: &str, func: &str, at: u64, outcome: &str) -> LogRecord {
    LogRecord {
        id: String::new(),
        tenant_id: tenant.into(),
        func_id: func.into(),
        script: None,
        request_id: "r".into(),
        at: rfc3339(at),
        at_micros: at,
        outcome: outcome.into(),
        duration_us: 10,
        is_async: false,
        attempt: 1,
        version: None,
        error: None,
        logs: json!([]),
    }
}

#[test]
fn rfc3339_formats_known_instants() {
    assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
    assert_eq!(rfc3339(951_782_400_123_456), "2000-02-29T00:00:00.123Z");
    assert_eq!(rfc3339(1_795_420_800_000_000), "2026-11-23T08:00:00.000Z");
}

#[test]
fn keys_verify_and_secrets_are_not_stored() {
    let dir = tempfile::tempdir().unwrap();
    let (id, secret);
    {
        let s = SledStore::open(dir.path()).unwrap();
        assert!(s.is_empty().unwrap());
        s.create_tenant(Some("t1"), "T1").unwrap();
        assert!(matches!(
            s.create_tenant(Some("t1"), "again"),
            Err(StoreError::Conflict(_))
        ));
        assert!(matches!(
            s.create_key("nope", Role::Admin),
            Err(StoreError::NotFound(_))
        ));
        let (k, sec) = s.create_key("t1", Role::Invoke).unwrap();
        assert_eq!(
            s.verify_key(&k.access_key_id, &sec).unwrap().unwrap().role,
            Role::Invoke
        );
        assert!(s.verify_key(&k.access_key_id, "wrong").unwrap().is_none());
        assert!(s.verify_key("nope", &sec).unwrap().is_none());
        s.flush().unwrap();
        (id, secret) = (k.access_key_id, sec);
    }
    // The secret appears nowhere on disk.
    for entry in walk(dir.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        for needle in [secret.as_bytes(), &hex::decode(&secret).unwrap()] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "secret found in {entry:?}"
            );
        }
    }
    let s = SledStore::open(dir.path()).unwrap();
    assert!(
        s.verify_key(&id, &secret).unwrap().is_some(),
        "keys survive a reopen"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn tenants_cannot_reach_each_other() {
    let s = SledStore::open_temporary().unwrap();
    s.put_function(&record("a", "f1", "PRE_REGISTER"), Some(b"wasm-a"))
        .unwrap();
    s.append_log(&log("a", "f1", 1, "ok")).unwrap();
    // Tenant b knows nothing of a's function...
    assert!(s.get_function("b", "f1").unwrap().is_none());
    assert!(s.get_artifact("b", "f1").unwrap().is_none());
    assert!(s.list_functions("b", None).unwrap().is_empty());
    assert!(
        s.list_functions("b", Some("PRE_REGISTER"))
            .unwrap()
            .is_empty()
    );
    assert!(s.scene_order("b", "PRE_REGISTER").unwrap().is_empty());
    assert_eq!(s.list_logs("b", "f1", 1, 10).unwrap().1, 0);
    assert!(!s.delete_function("b", "f1").unwrap());
    assert!(matches!(
        s.set_scene_order("b", "PRE_REGISTER", &["f1".into()]),
        Err(StoreError::Invalid(_))
    ));

    // ...even with a function of the same id: each tenant sees its own.
    let mut b1 = record("b", "f1", "PRE_REGISTER");
    b1.func_name = "b's".into();
    s.put_function(&b1, Some(b"wasm-b")).unwrap();
    assert_eq!(
        s.get_function("a", "f1").unwrap().unwrap().func_name,
        "fn f1"
    );
    assert_eq!(s.get_function("b", "f1").unwrap().unwrap().func_name, "b's");
    assert_eq!(s.get_artifact("a", "f1").unwrap().unwrap(), b"wasm-a");
    assert!(s.delete_function("b", "f1").unwrap());
    assert!(s.get_function("b", "f1").unwrap().is_none());
    let a = s.get_function("a", "f1").unwrap().unwrap();
    assert_eq!(a.tenant_id, "a");
    assert_eq!(s.get_artifact("a", "f1").unwrap().unwrap(), b"wasm-a");
    assert_eq!(s.scene_order("a", "PRE_REGISTER").unwrap(), ["f1"]);
    assert_eq!(
        s.list_logs("a", "f1", 1, 10).unwrap().1,
        1,
        "b's delete left a's logs"
    );

    // A tenant id that is a prefix of another sees nothing of it.
    s.put_function(&record("ab", "f2", "PRE_REGISTER"), None)
        .unwrap();
    s.set_env("ab", "K", "v").unwrap();
    assert_eq!(s.list_functions("a", None).unwrap().len(), 1);
    assert!(s.env("a").unwrap().is_empty());
    assert!(s.get_function("a", "f2").unwrap().is_none());
}

#[test]
fn separators_inside_key_parts_are_refused() {
    let s = SledStore::open_temporary().unwrap();
    // Were these accepted, ("a", "x\0f") would alias ("a\0x", "f").
    assert!(matches!(
        s.create_tenant(Some("a\0x"), "A"),
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        s.create_tenant(Some(""), "A"),
        Err(StoreError::Invalid(_))
    ));
    for (tenant, func, scene) in [
        ("a\0x", "f", "S"),
        ("a", "x\0f", "S"),
        ("a", "f", "S\0T"),
        ("", "f", "S"),
    ] {
        assert!(matches!(
            s.put_function(&record(tenant, func, scene), None),
            Err(StoreError::Invalid(_))
        ));
    }
    assert!(matches!(
        s.set_env("a", "K\0L", "v"),
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        s.append_log(&log("a", "x\0f", 1, "ok")),
        Err(StoreError::Invalid(_))
    ));
    assert!(s.all_functions().unwrap().is_empty());
}

#[test]
fn scene_order_follows_puts_moves_and_deletes() {
    let s = SledStore::open_temporary().unwrap();
    for id in ["f1", "f2", "f3"] {
        s.put_function(&record("t", id, "PRE_REGISTER"), Some(b"w"))
            .unwrap();
    }
    assert_eq!(
        s.scene_order("t", "PRE_REGISTER").unwrap(),
        ["f1", "f2", "f3"]
    );
    // An update in place keeps the position.
    let mut f2 = record("t", "f2", "PRE_REGISTER");
    f2.version = 2;
    s.put_function(&f2, None).unwrap();
    assert_eq!(
        s.scene_order("t", "PRE_REGISTER").unwrap(),
        ["f1", "f2", "f3"]
    );
    assert!(
        s.get_artifact("t", "f2").unwrap().is_none(),
        "artifact None deletes it"
    );
    // A scene change moves it to the end of the new scene.
    s.put_function(&record("t", "f1", "POST_REGISTER"), Some(b"w"))
        .unwrap();
    assert_eq!(s.scene_order("t", "PRE_REGISTER").unwrap(), ["f2", "f3"]);
    assert_eq!(s.scene_order("t", "POST_REGISTER").unwrap(), ["f1"]);
    let all: Vec<String> = s
        .list_functions("t", None)
        .unwrap()
        .into_iter()
        .map(|f| f.func_id)
        .collect();
    assert_eq!(
        all,
        ["f1", "f2", "f3"],
        "scenes sorted by name, each in order"
    );

    assert!(matches!(
        s.set_scene_order("t", "PRE_REGISTER", &["f3".into()]),
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        s.set_scene_order("t", "PRE_REGISTER", &["f3".into(), "f3".into()]),
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        s.set_scene_order("t", "PRE_REGISTER", &["f3".into(), "f1".into()]),
        Err(StoreError::Invalid(_))
    ));
    s.set_scene_order("t", "PRE_REGISTER", &["f3".into(), "f2".into()])
        .unwrap();
    let listed: Vec<String> = s
        .list_functions("t", Some("PRE_REGISTER"))
        .unwrap()
        .into_iter()
        .map(|f| f.func_id)
        .collect();
    assert_eq!(listed, ["f3", "f2"]);

    s.append_log(&log("t", "f3", 1, "ok")).unwrap();
    assert!(s.delete_function("t", "f3").unwrap());
    assert_eq!(s.scene_order("t", "PRE_REGISTER").unwrap(), ["f2"]);
    assert_eq!(
        s.list_logs("t", "f3", 1, 10).unwrap().1,
        0,
        "a deleted function's logs go too"
    );
    assert!(!s.delete_function("t", "f3").unwrap());
    assert!(s.tree("log_index").is_empty(), "and their expiry entries");

    // Emptying a scene removes its order; listing skips it.
    assert!(s.delete_function("t", "f1").unwrap());
    assert!(s.scene_order("t", "POST_REGISTER").unwrap().is_empty());
    assert_eq!(s.tree("orders").len(), 1);
    s.set_scene_order("t", "POST_REGISTER", &[]).unwrap();
    assert_eq!(s.list_functions("t", None).unwrap().len(), 1);
}

#[test]
fn env_per_tenant() {
    let s = SledStore::open_temporary().unwrap();
    s.set_env("t", "A", "1").unwrap();
    s.set_env("t", "B", "2").unwrap();
    s.set_env("u", "A", "other").unwrap();
    assert_eq!(s.env("t").unwrap().get("A").map(String::as_str), Some("1"));
    assert_eq!(s.env("t").unwrap().len(), 2);
    assert!(s.delete_env("t", "A").unwrap());
    assert!(!s.delete_env("t", "A").unwrap());
    assert_eq!(
        s.env("u").unwrap().get("A").map(String::as_str),
        Some("other")
    );
}

#[test]
fn logs_paginate_newest_first_and_expire() {
    let s = SledStore::open_temporary().unwrap();
    for at in 1..=25u64 {
        s.append_log(&log("t", "f", at * 1000, &format!("o{at}")))
            .unwrap();
    }
    s.append_log(&log("t", "g", 500, "other")).unwrap();
    let (page1, total) = s.list_logs("t", "f", 1, 10).unwrap();
    assert_eq!(total, 25);
    assert_eq!(page1[0].outcome, "o25");
    assert_eq!(page1[9].outcome, "o16");
    let (page3, _) = s.list_logs("t", "f", 3, 10).unwrap();
    assert_eq!(page3.len(), 5);
    assert_eq!(page3[4].outcome, "o1");

    assert_eq!(
        s.purge_logs_before(10_500).unwrap(),
        11,
        "10 of f and 1 of g"
    );
    let (left, total) = s.list_logs("t", "f", 1, 100).unwrap();
    assert_eq!(total, 15);
    assert_eq!(left.last().unwrap().outcome, "o11");
    assert_eq!(s.list_logs("t", "g", 1, 10).unwrap().1, 0);
    assert_eq!(s.purge_logs_before(10_500).unwrap(), 0);
    assert_eq!(s.tree("log_index").len(), 15, "the index went with them");
    assert!(s.list_logs("t", "f", 3, 10).unwrap().0.is_empty());

    // More than one deletion chunk, some in the same microsecond.
    for i in 0..600u64 {
        s.append_log(&log("t", "h", 20_000 + i / 3, "x")).unwrap();
    }
    assert_eq!(s.purge_logs_before(u64::MAX).unwrap(), 615);
    assert!(s.tree("logs").is_empty());
    assert!(s.tree("log_index").is_empty());
}

#[test]
fn a_log_batch_larger_than_one_transaction_is_stored_whole() {
    let s = SledStore::open_temporary().unwrap();
    // 64 KB of log lines each (the per-call cap): 40 of them need three
    // transactions of LOG_BATCH_BYTES.
    let line = "x".repeat(64 * 1024);
    let batch: Vec<LogRecord> = (0..40u64)
        .map(|i| LogRecord {
            logs: json!([{"level": "info", "message": line}]),
            ..log("t", "f", 1_000 + i, &format!("o{i}"))
        })
        .collect();
    assert!(batch.len() * line.len() > 2 * crate::sled_store::LOG_BATCH_BYTES);
    s.append_logs(batch).unwrap();
    let (list, total) = s.list_logs("t", "f", 1, 100).unwrap();
    assert_eq!(total, 40);
    assert_eq!(list[0].outcome, "o39");
    assert_eq!(list[39].outcome, "o0");
    assert_eq!(s.tree("log_index").len(), 40);

    // A bad record refuses the batch before anything is written.
    let bad = vec![log("t", "g", 1, "ok"), log("t", "x\0g", 2, "ok")];
    assert!(s.append_logs(bad).is_err());
    assert_eq!(s.list_logs("t", "g", 1, 10).unwrap().1, 0);
}

/// The encoded size of every stored log of `tenant`, from the records themselves.
fn stored_log_bytes(s: &SledStore, tenant: &str) -> u64 {
    let p = format!("{tenant}\0");
    s.tree("logs")
        .scan_prefix(p.as_bytes())
        .values()
        .map(|v| v.unwrap().len() as u64)
        .sum()
}

#[test]
fn a_tenants_logs_are_held_under_its_size_cap_oldest_first() {
    let s = SledStore::open_temporary().unwrap();
    // Two functions, interleaved in time; one size for every record.
    for at in 11..=20u64 {
        let func = if at % 2 == 0 { "f" } else { "g" };
        s.append_log(&log("t", func, at, &format!("o{at:02}")))
            .unwrap();
    }
    s.append_log(&log("u", "f", 1, "o01")).unwrap();
    let total = s.log_bytes("t").unwrap();
    assert_eq!(
        total,
        stored_log_bytes(&s, "t"),
        "usage counts every record"
    );
    let each = total / 10;
    assert_eq!(each * 10, total);

    // Room for 6.5 records: the 4 oldest go, whichever function wrote them.
    assert_eq!(s.trim_logs("t", each * 6 + each / 2).unwrap(), 4);
    assert_eq!(s.log_bytes("t").unwrap(), each * 6);
    assert_eq!(stored_log_bytes(&s, "t"), each * 6);
    let mut left: Vec<String> = ["f", "g"]
        .iter()
        .flat_map(|f| s.list_logs("t", f, 1, 100).unwrap().0)
        .map(|l| l.outcome)
        .collect();
    left.sort();
    assert_eq!(left, ["o15", "o16", "o17", "o18", "o19", "o20"]);
    assert_eq!(
        s.trim_logs("t", each * 6).unwrap(),
        0,
        "at the cap: nothing"
    );
    assert_eq!(
        s.list_logs("u", "f", 1, 10).unwrap().1,
        1,
        "another tenant's logs are not touched"
    );
    assert_eq!(s.log_bytes("u").unwrap(), stored_log_bytes(&s, "u"));

    // Expiry and a deleted function's logs leave the usage exact.
    assert_eq!(s.purge_logs_before(17).unwrap(), 3, "2 of t, 1 of u");
    assert_eq!(s.log_bytes("t").unwrap(), stored_log_bytes(&s, "t"));
    s.put_function(&record("t", "f", "PRE_REGISTER"), None)
        .unwrap();
    assert!(s.delete_function("t", "f").unwrap());
    assert_eq!(s.log_bytes("t").unwrap(), stored_log_bytes(&s, "t"));
    assert_eq!(s.trim_logs("t", 0).unwrap(), 2, "a cap of 0 empties it");
    assert_eq!(s.log_bytes("t").unwrap(), 0);
    assert!(s.tree("log_usage").get("t").unwrap().is_none());
    assert!(s.tree("log_index").is_empty());
    assert!(
        s.tree("log_usage").is_empty(),
        "usage of an emptied tenant goes"
    );
}

#[test]
fn a_store_with_the_old_global_expiry_index_is_moved_over_when_opened() {
    let dir = tempfile::tempdir().unwrap();
    {
        // What a store of the previous layout holds: each log under its
        // `logs` key, and `at \0 <logs key>` in `log_times`.
        let s = SledStore::open(dir.path()).unwrap();
        let (logs, times) = (s.tree("logs"), s.tree("log_times"));
        for (n, (tenant, func, at)) in [("t", "f", 5u64), ("t", "g", 7), ("u", "f", 6)]
            .into_iter()
            .enumerate()
        {
            let stamp = format!("{at:020}{n:010}");
            let lkey = format!("{tenant}\0{func}\0{stamp}");
            let value = crate::codec::encode(&LogRecord {
                id: stamp,
                ..log(tenant, func, at, "old")
            })
            .unwrap();
            logs.insert(lkey.as_bytes(), value).unwrap();
            times
                .insert(format!("{at:020}\0{lkey}").as_bytes(), &[] as &[u8])
                .unwrap();
        }
        s.flush().unwrap();
    }
    let s = SledStore::open(dir.path()).unwrap();
    assert!(
        !s.tree_names().iter().any(|n| n == "log_times"),
        "the old index is gone"
    );
    assert_eq!(s.log_bytes("t").unwrap(), stored_log_bytes(&s, "t"));
    assert_eq!(s.log_bytes("u").unwrap(), stored_log_bytes(&s, "u"));
    assert_eq!(s.list_logs("t", "g", 1, 10).unwrap().0[0].outcome, "old");
    assert_eq!(s.purge_logs_before(7).unwrap(), 2, "expiry sees moved logs");
    assert_eq!(s.trim_logs("t", 0).unwrap(), 1, "so does the cap");
    assert!(s.tree("logs").is_empty());
}

#[test]
fn log_ids_are_unique_and_kept_when_given() {
    let s = SledStore::open_temporary().unwrap();
    for _ in 0..3 {
        s.append_log(&log("t", "f", 7, "same micro")).unwrap();
    }
    let mut given = log("t", "f", 8, "given");
    given.id = "req-1".into();
    s.append_log(&given).unwrap();
    let (list, total) = s.list_logs("t", "f", 1, 10).unwrap();
    assert_eq!(total, 4);
    assert_eq!(list[0].id, "req-1", "newest first, whatever its id");
    let ids: HashSet<&str> = list.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(ids.len(), 4);
    assert!(list[1].id > list[2].id && list[2].id > list[3].id);
    assert!(list[3].id.starts_with("00000000000000000007"));
}

#[test]
fn queue_due_reschedule_complete() {
    let s = SledStore::open_temporary().unwrap();
    let job = |id: &str, at: u64| Job {
        id: id.into(),
        tenant_id: "t".into(),
        func_id: "f".into(),
        request_id: "r".into(),
        input: json!({"user": {}}),
        attempts: 0,
        next_at_micros: at,
        enqueued_at_micros: at,
    };
    s.enqueue(&job("j1", 100)).unwrap();
    s.enqueue(&job("j2", 50)).unwrap();
    s.enqueue(&job("j3", 1000)).unwrap();
    assert_eq!(s.queue_depth().unwrap(), 3);
    let due: Vec<String> = s
        .due_jobs(100, 10)
        .unwrap()
        .into_iter()
        .map(|j| j.id)
        .collect();
    assert_eq!(due, ["j2", "j1"]);
    let mut j2 = job("j2", 2000);
    j2.attempts = 1;
    s.reschedule_job(&j2).unwrap();
    assert_eq!(s.queue_depth().unwrap(), 3);
    let due: Vec<String> = s
        .due_jobs(100, 10)
        .unwrap()
        .into_iter()
        .map(|j| j.id)
        .collect();
    assert_eq!(due, ["j1"]);
    s.complete_job("j1").unwrap();
    s.complete_job("j1").unwrap();
    assert_eq!(s.queue_depth().unwrap(), 2);
    let later = s.due_jobs(5000, 10).unwrap();
    assert_eq!(later.len(), 2);
    assert_eq!(later[1].attempts, 1);
    assert_eq!(s.due_jobs(5000, 1).unwrap().len(), 1, "limit");

    // A completed job stays completed.
    s.complete_job("j3").unwrap();
    assert!(matches!(
        s.reschedule_job(&job("j3", 10)),
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(s.queue_depth().unwrap(), 1);
    // Enqueueing an id again replaces it rather than queueing it twice.
    s.enqueue(&job("j2", 10)).unwrap();
    assert_eq!(s.queue_depth().unwrap(), 1);
    let due = s.due_jobs(5000, 10).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!((due[0].next_at_micros, due[0].attempts), (10, 0));
    s.complete_job("j2").unwrap();
    assert_eq!(s.queue_depth().unwrap(), 0);
    assert!(s.tree("jobs").is_empty());
}

#[test]
fn a_reopened_store_has_everything() {
    let dir = tempfile::tempdir().unwrap();
    let (key, secret);
    {
        let s = SledStore::open(dir.path()).unwrap();
        s.create_tenant(Some("t"), "T").unwrap();
        (key, secret) = s.create_key("t", Role::Admin).unwrap();
        for id in ["f1", "f2"] {
            s.put_function(&record("t", id, "PRE_REGISTER"), Some(id.as_bytes()))
                .unwrap();
        }
        s.set_scene_order("t", "PRE_REGISTER", &["f2".into(), "f1".into()])
            .unwrap();
        s.set_env("t", "API_KEY", "k").unwrap();
        s.append_log(&log("t", "f1", 5, "ok")).unwrap();
        s.enqueue(&Job {
            id: "j".into(),
            tenant_id: "t".into(),
            func_id: "f1".into(),
            request_id: "r".into(),
            input: json!({"user": {"id": 1}}),
            attempts: 2,
            next_at_micros: 9,
            enqueued_at_micros: 1,
        })
        .unwrap();
        s.flush().unwrap();
    }
    let s = SledStore::open(dir.path()).unwrap();
    assert!(!s.is_empty().unwrap());
    assert_eq!(s.list_tenants().unwrap()[0].name, "T");
    assert_eq!(s.get_key(&key.access_key_id).unwrap(), Some(key.clone()));
    assert_eq!(
        s.verify_key(&key.access_key_id, &secret).unwrap(),
        Some(key)
    );
    assert_eq!(s.scene_order("t", "PRE_REGISTER").unwrap(), ["f2", "f1"]);
    assert_eq!(s.get_artifact("t", "f2").unwrap().unwrap(), b"f2");
    assert_eq!(
        s.get_function("t", "f1").unwrap(),
        Some(record_like(&s, "f1"))
    );
    assert_eq!(s.all_functions().unwrap().len(), 2);
    assert_eq!(s.env("t").unwrap()["API_KEY"], "k");
    assert_eq!(s.list_logs("t", "f1", 1, 10).unwrap().0[0].outcome, "ok");
    let jobs = s.due_jobs(9, 10).unwrap();
    assert_eq!(
        (jobs[0].attempts, &jobs[0].input),
        (2, &json!({"user": {"id": 1}}))
    );
    assert_eq!(s.queue_depth().unwrap(), 1);
    // The index survived too: expiry and completion still find their entries.
    assert_eq!(s.purge_logs_before(6).unwrap(), 1);
    s.complete_job("j").unwrap();
    assert_eq!(s.queue_depth().unwrap(), 0);
}

/// The stored record, compared field by field against what was put
/// (timestamps come from the clock, so take them from the stored copy).
fn record_like(s: &SledStore, id: &str) -> FunctionRecord {
    let stored = s.get_function("t", id).unwrap().unwrap();
    FunctionRecord {
        created_at: stored.created_at,
        updated_at: stored.updated_at,
        ..record("t", id, "PRE_REGISTER")
    }
}

#[test]
fn stored_values_of_an_unknown_version_are_corrupt() {
    let s = SledStore::open_temporary().unwrap();
    s.put_function(&record("t", "f", "S"), None).unwrap();
    let functions = s.tree("functions");
    let (k, v) = functions.iter().next().unwrap().unwrap();
    let mut future = v.to_vec();
    future[0] = ENCODING_VERSION + 1;
    functions.insert(k, future).unwrap();
    assert!(matches!(
        s.get_function("t", "f"),
        Err(StoreError::Corrupt(_))
    ));
    assert!(matches!(s.all_functions(), Err(StoreError::Corrupt(_))));
    // A write over it refuses too rather than guessing at the old scene.
    assert!(matches!(
        s.put_function(&record("t", "f", "S"), None),
        Err(StoreError::Corrupt(_))
    ));
}

#[test]
fn unknown_encoding_versions_are_refused() {
    assert!(matches!(
        codec::decode::<u32>(&[9, b'1']),
        Err(StoreError::Corrupt(_))
    ));
    assert!(matches!(
        codec::decode::<u32>(&[]),
        Err(StoreError::Corrupt(_))
    ));
    assert_eq!(
        codec::decode::<u32>(&codec::encode(&7u32).unwrap()).unwrap(),
        7
    );
}

#[test]
fn key_secrets_are_sealed_and_read_back_only_with_the_sealing_key() {
    let dir = tempfile::tempdir().unwrap();
    let sealing = [3u8; 32];
    let (key, secret) = {
        let s = SledStore::open(dir.path())
            .unwrap()
            .with_sealing_key(&sealing);
        s.create_tenant(Some("t"), "T").unwrap();
        let pair = s.create_key("t", Role::Admin).unwrap();
        s.flush().unwrap();
        let raw = s
            .tree("keys")
            .get(pair.0.access_key_id.as_bytes())
            .unwrap()
            .unwrap();
        assert!(
            !String::from_utf8_lossy(&raw).contains(&pair.1),
            "the secret is stored in the clear"
        );
        pair
    };
    let s = SledStore::open(dir.path()).unwrap();
    // Without the sealing key: the key is known, its secret is not readable.
    assert_eq!(
        s.signing_secret(&key.access_key_id).unwrap(),
        Some((key.clone(), None))
    );
    let s = s.with_sealing_key(&sealing);
    assert_eq!(
        s.signing_secret(&key.access_key_id).unwrap(),
        Some((key.clone(), Some(secret.clone())))
    );
    assert_eq!(s.signing_secret("nope").unwrap(), None);
    let s = SledStore::open_temporary().unwrap();
    s.create_tenant(Some("t"), "T").unwrap();
    let (unsealed, _) = s.create_key("t", Role::Admin).unwrap();
    assert_eq!(
        s.with_sealing_key(&sealing)
            .signing_secret(&unsealed.access_key_id)
            .unwrap()
            .map(|(_, secret)| secret),
        Some(None)
    );
}

#[test]
fn hook_secrets_change_atomically_are_sealed_and_go_with_their_function() {
    let s = SledStore::open_temporary()
        .unwrap()
        .with_sealing_key(&[9; 32]);
    s.put_function(&record("t", "f", "pre-user-registration"), None)
        .unwrap();
    assert!(s.hook_secrets("t", "f").unwrap().is_empty());
    assert!(matches!(
        s.update_hook_secrets("t", "missing", &|m| {
            m.insert("A".into(), "1".into());
            Ok(())
        }),
        Err(StoreError::NotFound(_))
    ));
    let stored = s
        .update_hook_secrets("t", "f", &|m| {
            m.insert("API_KEY".into(), "very-secret-value".into());
            Ok(())
        })
        .unwrap();
    assert_eq!(stored.len(), 1);
    let raw = s.tree("secrets").iter().next().unwrap().unwrap().1;
    assert!(!String::from_utf8_lossy(&raw).contains("very-secret-value"));
    assert_eq!(s.hook_secrets("t", "f").unwrap(), stored);
    // A refused change writes nothing.
    let refused = s.update_hook_secrets("t", "f", &|m| {
        m.clear();
        Err(StoreError::Conflict("no".into()))
    });
    assert!(matches!(refused, Err(StoreError::Conflict(_))));
    assert_eq!(s.hook_secrets("t", "f").unwrap(), stored);
    // Another tenant's function with the same id sees nothing.
    assert!(s.hook_secrets("u", "f").unwrap().is_empty());
    // Emptying removes the entry; deleting the function removes its secrets.
    s.update_hook_secrets("t", "f", &|m| {
        m.clear();
        Ok(())
    })
    .unwrap();
    assert!(s.tree("secrets").is_empty());
    s.update_hook_secrets("t", "f", &|m| {
        m.insert("B".into(), "2".into());
        Ok(())
    })
    .unwrap();
    assert!(s.delete_function("t", "f").unwrap());
    assert!(s.tree("secrets").is_empty());
    assert!(s.hook_secrets("t", "f").unwrap().is_empty());
}

#[test]
fn outbound_allow_lists_are_per_tenant() {
    let s = SledStore::open_temporary().unwrap();
    assert!(s.outbound_allow("t").unwrap().is_empty());
    let rules = vec![
        "*.slack.com".to_string(),
        "hooks.example.com:8443".to_string(),
    ];
    s.set_outbound_allow("t", &rules).unwrap();
    assert_eq!(s.outbound_allow("t").unwrap(), rules);
    assert!(s.outbound_allow("u").unwrap().is_empty());
    assert!(s.outbound_allow("").unwrap().is_empty());
    s.set_outbound_allow("t", &[]).unwrap();
    assert!(s.tree("outbound").is_empty());
    assert!(s.set_outbound_allow("a\0b", &rules).is_err());
}

/// Hooks (scene `h*` here) may not share a name; others may.
fn hooks_clash(record: &FunctionRecord) -> impl Fn(&FunctionRecord) -> bool {
    let hook = record.scene.starts_with('h');
    move |other| hook && other.scene.starts_with('h')
}

fn put_unique(s: &SledStore, r: &FunctionRecord) -> Result<(), StoreError> {
    s.put_function_unique(r, None, &hooks_clash(r))
}

fn named(tenant: &str, id: &str, scene: &str, name: &str) -> FunctionRecord {
    FunctionRecord {
        func_name: name.into(),
        ..record(tenant, id, scene)
    }
}

#[test]
fn names_are_unique_where_the_caller_says_and_follow_renames_and_deletes() {
    let s = SledStore::open_temporary().unwrap();
    put_unique(&s, &named("t", "a", "hook", "n")).unwrap();
    // Another tenant, or a function that is not a hook, may share it.
    put_unique(&s, &named("u", "a", "hook", "n")).unwrap();
    put_unique(&s, &named("t", "p", "PRE", "n")).unwrap();
    let taken = put_unique(&s, &named("t", "b", "hook", "n"));
    assert!(
        matches!(&taken, Err(StoreError::NameTaken { name, holder }) if name == "n" && holder == "a"),
        "{taken:?}"
    );
    assert!(
        s.get_function("t", "b").unwrap().is_none(),
        "nothing written"
    );
    // Moving the pipeline function into a hook scene is taking the name too.
    assert!(put_unique(&s, &named("t", "p", "hook", "n")).is_err());
    // An update that keeps its name is not a new claim.
    let mut a = named("t", "a", "hook", "n");
    a.version = 2;
    put_unique(&s, &a).unwrap();
    // A rename frees the old name.
    put_unique(&s, &named("t", "a", "hook", "m")).unwrap();
    put_unique(&s, &named("t", "b", "hook", "n")).unwrap();
    assert!(put_unique(&s, &named("t", "c", "hook", "m")).is_err());
    // So does a delete.
    assert!(s.delete_function("t", "a").unwrap());
    put_unique(&s, &named("t", "c", "hook", "m")).unwrap();
    // A plain put never refuses, and is indexed like the others.
    s.put_function(&named("t", "d", "hook", "m"), None).unwrap();
    assert!(put_unique(&s, &named("t", "e", "hook", "m")).is_err());
}

#[test]
fn concurrent_writes_of_one_name_leave_one_holder() {
    let s = SledStore::open_temporary().unwrap();
    for round in 0..20 {
        let name = format!("n{round}");
        let winners: usize = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|i| {
                    let (s, name) = (&s, &name);
                    scope.spawn(move || {
                        put_unique(s, &named("t", &format!("{round}-{i}"), "hook", name)).is_ok()
                            as usize
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).sum()
        });
        assert_eq!(winners, 1, "round {round}");
    }
    assert_eq!(s.all_functions().unwrap().len(), 20);
}

#[test]
fn a_directory_held_by_a_live_store_is_refused_as_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let _held = SledStore::open(dir.path()).unwrap();
    let err = SledStore::open(dir.path()).unwrap_err().to_string();
    assert!(err.contains("is in use by another process"), "{err}");
}

#[test]
fn a_dropped_store_can_be_reopened_at_once() {
    let dir = tempfile::tempdir().unwrap();
    for round in 0..20 {
        let s = SledStore::open(dir.path()).unwrap();
        s.put_function(&named("t", &format!("f{round}"), "hook", "n"), None)
            .unwrap();
    }
    assert_eq!(
        SledStore::open(dir.path())
            .unwrap()
            .all_functions()
            .unwrap()
            .len(),
        20
    );
}

#[test]
fn the_name_index_is_built_for_a_database_written_before_it() {
    let dir = tempfile::tempdir().unwrap();
    {
        let s = SledStore::open(dir.path()).unwrap();
        s.put_function(&named("t", "a", "hook", "n"), None).unwrap();
        // As a database from before the index: no names at all.
        s.tree("names").clear().unwrap();
        s.flush().unwrap();
    }
    let s = SledStore::open(dir.path()).unwrap();
    assert!(put_unique(&s, &named("t", "b", "hook", "n")).is_err());
    put_unique(&s, &named("t", "b", "hook", "o")).unwrap();
}

#[test]
fn a_tenant_and_its_first_key_are_created_together() {
    let s = SledStore::open_temporary().unwrap();
    let (tenant, key, secret) = s
        .create_tenant_with_key(Some("acme"), "Acme", Role::Admin)
        .unwrap();
    assert_eq!(
        (tenant.id.as_str(), key.tenant_id.as_str()),
        ("acme", "acme")
    );
    assert_eq!(
        s.verify_key(&key.access_key_id, &secret).unwrap(),
        Some(key)
    );
    let keys_before = s.tree("keys").len();
    assert!(matches!(
        s.create_tenant_with_key(Some("acme"), "Again", Role::Admin),
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        s.tree("keys").len(),
        keys_before,
        "no key for a refused tenant"
    );
    assert_eq!(s.get_tenant("acme").unwrap().unwrap().name, "Acme");
}

#[test]
fn several_variables_are_set_whole() {
    let s = SledStore::open_temporary().unwrap();
    let vars = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    s.set_env_many("t", &vars(&[("A", "1"), ("B", "2")]))
        .unwrap();
    assert!(
        s.set_env_many("t", &vars(&[("C", "3"), ("bad\0key", "4")]))
            .is_err()
    );
    assert_eq!(s.env("t").unwrap(), vars(&[("A", "1"), ("B", "2")]));
}

#[test]
fn several_jobs_are_queued_whole() {
    let s = SledStore::open_temporary().unwrap();
    let job = |id: &str| Job {
        id: id.into(),
        tenant_id: "t".into(),
        func_id: "f".into(),
        request_id: "r".into(),
        input: json!({}),
        attempts: 0,
        next_at_micros: 5,
        enqueued_at_micros: 5,
    };
    s.enqueue_many(&[job("a"), job("b")]).unwrap();
    s.enqueue_many(&[job("b")]).unwrap();
    assert_eq!(
        s.queue_depth().unwrap(),
        2,
        "an id queued again replaces itself"
    );
    assert_eq!(s.due_jobs(10, 10).unwrap().len(), 2);
}

#[test]
fn a_partial_order_leads_and_keeps_the_rest_in_their_order() {
    let s = SledStore::open_temporary().unwrap();
    for id in ["f1", "f2", "f3", "f4"] {
        s.put_function(&record("t", id, "PRE_REGISTER"), Some(b"w"))
            .unwrap();
    }
    s.lead_scene_order("t", "PRE_REGISTER", &["f3".into(), "f1".into()])
        .unwrap();
    assert_eq!(
        s.scene_order("t", "PRE_REGISTER").unwrap(),
        ["f3", "f1", "f2", "f4"]
    );
    for bad in [vec!["f9"], vec!["f2", "f2"]] {
        let bad: Vec<String> = bad.into_iter().map(String::from).collect();
        assert!(matches!(
            s.lead_scene_order("t", "PRE_REGISTER", &bad),
            Err(StoreError::Invalid(_))
        ));
    }
    assert_eq!(
        s.scene_order("t", "PRE_REGISTER").unwrap(),
        ["f3", "f1", "f2", "f4"],
        "a refused order changes nothing"
    );
    s.lead_scene_order("t", "PRE_REGISTER", &[]).unwrap();
    assert_eq!(
        s.scene_order("t", "PRE_REGISTER").unwrap(),
        ["f3", "f1", "f2", "f4"]
    );
}

#[test]
fn an_actions_cache_belongs_to_its_function_and_goes_with_it() {
    let s = SledStore::open_temporary().unwrap();
    s.put_function(&record("t", "f1", "post-login"), Some(b"w"))
        .unwrap();
    let entry = json!({"value": "v", "expires_at": 1});
    let stored = s
        .update_action_cache("t", "f1", &|map| {
            map.insert("k".into(), entry.clone());
        })
        .unwrap();
    assert_eq!(stored["k"], entry);
    assert_eq!(s.action_cache("t", "f1").unwrap()["k"], entry);
    assert!(s.action_cache("u", "f1").unwrap().is_empty(), "per tenant");
    assert!(matches!(
        s.update_action_cache("t", "gone", &|map| {
            map.insert("k".into(), json!(1));
        }),
        Err(StoreError::NotFound(_))
    ));
    assert!(s.action_cache("t", "gone").unwrap().is_empty());
    assert!(s.delete_function("t", "f1").unwrap());
    assert!(s.action_cache("t", "f1").unwrap().is_empty());
    assert!(s.tree("action_cache").is_empty());
}

#[test]
fn a_tenants_domain_is_set_at_creation_and_changed_later() {
    let s = SledStore::open_temporary().unwrap();
    let (tenant, ..) = s
        .create_tenant_with_settings(Some("acme"), "Acme", Some("acme.auth0.com"), Role::Admin)
        .unwrap();
    assert_eq!(tenant.domain.as_deref(), Some("acme.auth0.com"));
    let changed = s
        .update_tenant("acme", &|t| {
            t.domain = Some("login.acme.test".into());
            t.id = "other".into();
        })
        .unwrap();
    assert_eq!(
        (changed.id.as_str(), changed.domain.as_deref()),
        ("acme", Some("login.acme.test"))
    );
    assert_eq!(s.get_tenant("acme").unwrap().unwrap(), changed);
    assert!(s.get_tenant("other").unwrap().is_none());
    assert!(matches!(
        s.update_tenant("nobody", &|_| {}),
        Err(StoreError::NotFound(_))
    ));
}

/// A record at version `n` of its function, with version `n` beside it.
fn at_version(id: &str, n: u64) -> (FunctionRecord, FunctionVersion) {
    let record = FunctionRecord {
        source_code: format!("// v{n}"),
        deployed_version: n,
        latest_version: n,
        ..record("t", id, "S")
    };
    let version = FunctionVersion::of(&record, n, None);
    (record, version)
}

#[test]
fn a_version_is_written_with_its_record_and_a_number_is_given_once() {
    let s = SledStore::open_temporary().unwrap();
    for n in 1..=3 {
        let (r, v) = at_version("f", n);
        s.put_function_versioned(&r, None, Some(&v), &|_| false)
            .unwrap();
    }
    let numbers: Vec<u64> = s
        .list_versions("t", "f")
        .unwrap()
        .iter()
        .map(|v| v.number)
        .collect();
    assert_eq!(numbers, [3, 2, 1]);
    assert_eq!(
        s.get_version("t", "f", 2).unwrap().unwrap().source_code,
        "// v2"
    );
    assert!(s.get_version("t", "f", 4).unwrap().is_none());
    // Version 3 again (two changes racing for one number): refused, and the
    // record is not written either.
    let (mut r, v) = at_version("f", 3);
    r.source_code = "// other".into();
    assert!(matches!(
        s.put_function_versioned(&r, None, Some(&v), &|_| false),
        Err(StoreError::VersionTaken { number: 3, .. })
    ));
    assert_eq!(
        s.get_function("t", "f").unwrap().unwrap().source_code,
        "// v3"
    );
    // Deleting the function deletes its versions.
    assert!(s.delete_function("t", "f").unwrap());
    assert!(s.list_versions("t", "f").unwrap().is_empty());
}

#[test]
fn pruning_keeps_the_newest_versions_and_the_deployed_one() {
    let s = SledStore::open_temporary().unwrap();
    for n in 1..=6 {
        let (r, v) = at_version("f", n);
        s.put_function_versioned(&r, None, Some(&v), &|_| false)
            .unwrap();
    }
    assert_eq!(s.prune_versions("t", "f", &[2], 3).unwrap(), 2);
    let numbers: Vec<u64> = s
        .list_versions("t", "f")
        .unwrap()
        .iter()
        .map(|v| v.number)
        .collect();
    assert_eq!(numbers, [6, 5, 4, 2]);
    // Another function's versions are untouched.
    let (r, v) = at_version("g", 1);
    s.put_function_versioned(&r, None, Some(&v), &|_| false)
        .unwrap();
    s.prune_versions("t", "f", &[6], 1).unwrap();
    assert_eq!(s.list_versions("t", "f").unwrap().len(), 1);
    assert_eq!(s.list_versions("t", "g").unwrap().len(), 1);
}

#[test]
fn a_function_written_before_versions_gets_version_1_at_open() {
    let dir = tempfile::tempdir().unwrap();
    {
        let s = SledStore::open(dir.path()).unwrap();
        let old = FunctionRecord {
            deployed_version: 0,
            latest_version: 0,
            ..record("t", "f", "S")
        };
        s.put_function(&old, None).unwrap();
        // As a database from before versions: no versions tree content.
        s.tree("versions").clear().unwrap();
        s.flush().unwrap();
    }
    for _ in 0..2 {
        let s = SledStore::open(dir.path()).unwrap();
        let f = s.get_function("t", "f").unwrap().unwrap();
        assert_eq!((f.deployed_version, f.latest_version), (1, 1));
        let versions = s.list_versions("t", "f").unwrap();
        assert_eq!(versions.len(), 1, "idempotent");
        assert!(versions[0].matches(&f));
    }
}
