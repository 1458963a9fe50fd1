//! The data dir's key file (`token.key`, which signs tokens and seals the
//! secrets in the database): created whole and private, never replaced.

use crate::server_harness::*;
use reqwest::Method;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

/// Runs `hookbox serve` on `dir`, which must refuse to start: returns its
/// exit code and stderr. Fails the test if it starts serving instead.
fn refused_start(dir: &Path) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hookbox"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .env("HOOKBOX_THREADS", "2")
        .env("HOOKBOX_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hookbox serve starts");
    // Until the process ends (EOF) or says it is serving.
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if line.starts_with("hookbox listening") {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the server started: {line}");
        }
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
#[cfg(unix)]
fn a_new_key_file_is_private_from_its_creation_and_never_written_through_a_planted_link() {
    crate::embedded_store_only!();
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = tempfile::tempdir().unwrap();
    // A name a careless writer would reuse, planted to leak the key elsewhere.
    let elsewhere = tempfile::NamedTempFile::new().unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), dir.path().join("token.key.tmp")).unwrap();

    let server = Server::start(dir.path());
    server.stop();
    let key = dir.path().join("token.key");
    let meta = std::fs::symlink_metadata(&key).unwrap();
    assert!(meta.file_type().is_file(), "token.key is a regular file");
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert_eq!(meta.len(), 32);
    assert_eq!(meta.nlink(), 1, "the temp file's name is gone");
    assert_eq!(
        std::fs::metadata(elsewhere.path()).unwrap().len(),
        0,
        "nothing written through the link"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.contains("token.key") && n != "token.key" && n != "token.key.tmp")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[tokio::test]
async fn a_damaged_key_file_stops_the_server_and_is_kept() {
    crate::embedded_store_only!();
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let token = server.admin_token().await;
    server.stop();
    let key = dir.path().join("token.key");
    let whole = std::fs::read(&key).unwrap();

    for kept in [16, 0] {
        std::fs::write(&key, &whole[..kept]).unwrap();
        let (code, stderr) = refused_start(dir.path());
        assert!(code.is_some_and(|c| c != 0), "exit {code:?}: {stderr}");
        assert!(
            stderr.contains("token.key is damaged")
                && stderr.contains(&format!("holds {kept} bytes"))
                && stderr.contains("restore"),
            "{stderr}"
        );
        assert_eq!(
            std::fs::read(&key).unwrap().len(),
            kept,
            "the file is not replaced"
        );
    }

    // What a crash can leave of a file never synced: its length, in zeros.
    std::fs::write(&key, [0u8; 32]).unwrap();
    let (code, stderr) = refused_start(dir.path());
    assert!(code.is_some_and(|c| c != 0), "exit {code:?}: {stderr}");
    assert!(
        stderr.contains("token.key is damaged: it holds only zero bytes"),
        "{stderr}"
    );

    // Missing beside an existing database is the same loss.
    std::fs::remove_file(&key).unwrap();
    let (code, stderr) = refused_start(dir.path());
    assert!(code.is_some_and(|c| c != 0), "exit {code:?}: {stderr}");
    assert!(
        stderr.contains("token.key is missing") && stderr.contains("restore"),
        "{stderr}"
    );
    assert!(!key.exists(), "no new key is made");

    // Restored, the server starts, and a token signed before still works.
    std::fs::write(&key, &whole).unwrap();
    let server = Server::start(dir.path());
    let (status, body) = server
        .call(Method::GET, "/v1/functions", &token, None)
        .await;
    assert_eq!(status, 200, "{body}");
}
