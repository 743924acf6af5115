//! Watch semantics of `kubeground serve` over plain HTTP: selectors that objects enter and leave, resuming from a
//! resourceVersion, bookmarks, `sendInitialEvents`, and a resourceVersion the server has not reached.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// One HTTP/1.1 request on its own connection; the body of the answer, de-chunked, and its status code.
fn request(url: &str, method: &str, path: &str, body: Option<&Value>) -> (u16, String) {
    let addr = url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    let body = body.map(Value::to_string).unwrap_or_default();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: application/json\r\nContent-Type: application/json\r\n\
Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).expect("write");
    stream.write_all(body.as_bytes()).expect("write");
    let mut reader = BufReader::new(stream);
    let mut status = String::new();
    reader.read_line(&mut status).expect("status line");
    let code = status.split_whitespace().nth(1).and_then(|c| c.parse().ok()).expect("status code");
    let mut chunked = false;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).expect("header");
        if line == "\r\n" {
            break;
        }
        chunked |= line.to_ascii_lowercase().starts_with("transfer-encoding: chunked");
    }
    let mut out = Vec::new();
    if chunked {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).expect("chunk size");
            let n = usize::from_str_radix(size.trim(), 16).expect("hex size");
            if n == 0 {
                break;
            }
            let mut chunk = vec![0; n + 2];
            reader.read_exact(&mut chunk).expect("chunk");
            out.extend_from_slice(&chunk[..n]);
        }
    } else {
        reader.read_to_end(&mut out).expect("body");
    }
    (code, String::from_utf8(out).expect("UTF-8"))
}

fn events(url: &str, path: &str) -> Vec<Value> {
    let (code, body) = request(url, "GET", path, None);
    assert_eq!(code, 200, "{body}");
    body.lines().map(|l| serde_json::from_str(l).expect("one JSON event a line")).collect()
}

fn summary(events: &[Value]) -> Vec<(String, String)> {
    events
        .iter()
        .map(|e| {
            let app = e["object"]["metadata"]["labels"]["app"].as_str().unwrap_or("").to_string();
            (e["type"].as_str().unwrap_or("").to_string(), app)
        })
        .collect()
}

const CMS: &str = "/api/v1/namespaces/default/configmaps";

fn configmap(app: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "w", "labels": {"app": app}}})
}

fn resource_version(url: &str) -> String {
    let (_, list) = request(url, "GET", CMS, None);
    let list: Value = serde_json::from_str(&list).expect("a list");
    list["metadata"]["resourceVersion"].as_str().expect("resourceVersion").to_string()
}

#[test]
fn watches_follow_the_watch_cache_semantics() {
    let dir = common::temp_dir("watch");
    let server = common::start_server(3, "0", &dir.join("kubeconfig"));
    let url = server.url.clone();
    let from = resource_version(&url);

    assert_eq!(request(&url, "POST", CMS, Some(&configmap("a"))).0, 201);
    // The second `b` changes nothing, so it is no write and no event.
    for app in ["b", "b", "a"] {
        let (code, body) = request(&url, "PUT", &format!("{CMS}/w"), Some(&configmap(app)));
        assert_eq!(code, 200, "{body}");
    }
    assert_eq!(request(&url, "DELETE", &format!("{CMS}/w"), None).0, 200);
    let now = resource_version(&url);

    // Resuming from a version: the changes after it, an object leaving the selector as DELETED (with its last
    // matching labels, at the version of the change that made it leave) and coming back as ADDED.
    let ev = |t: &str, app: &str| (t.to_string(), app.to_string());
    let selected =
        events(&url, &format!("{CMS}?watch=true&labelSelector=app%3Da&resourceVersion={from}&timeoutSeconds=1"));
    assert_eq!(summary(&selected), [ev("ADDED", "a"), ev("DELETED", "a"), ev("ADDED", "a"), ev("DELETED", "a")]);
    let versions: Vec<u64> = selected
        .iter()
        .map(|e| e["object"]["metadata"]["resourceVersion"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
    let all =
        events(&url, &format!("{CMS}?watch=1&resourceVersion={from}&timeoutSeconds=1&fieldSelector=metadata.name%3Dw"));
    assert_eq!(summary(&all), [ev("ADDED", "a"), ev("MODIFIED", "b"), ev("MODIFIED", "a"), ev("DELETED", "a")]);
    // From the newest version: nothing happened since.
    assert!(events(&url, &format!("{CMS}?watch=true&resourceVersion={now}&timeoutSeconds=1")).is_empty());

    // Without a version: the current objects as ADDED; with sendInitialEvents they end with an annotated bookmark.
    let initial = events(&url, "/api/v1/namespaces/kube-system/configmaps?watch=true&timeoutSeconds=1");
    assert!(!initial.is_empty() && initial.iter().all(|e| e["type"] == "ADDED"));
    let listed = events(
        &url,
        "/api/v1/namespaces/kube-system/configmaps?watch=true&sendInitialEvents=true&allowWatchBookmarks=true\
&resourceVersionMatch=NotOlderThan&resourceVersion=&timeoutSeconds=1",
    );
    let (last, added) = listed.split_last().expect("events");
    assert_eq!(added.len(), initial.len());
    assert_eq!(last["type"], "BOOKMARK");
    assert_eq!(last["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"], "true");
    assert_eq!(last["object"]["kind"], "ConfigMap");

    // Bookmarks: two seconds before the timeout, with the current version.
    let started = Instant::now();
    let marked =
        events(&url, &format!("{CMS}?watch=true&resourceVersion={now}&allowWatchBookmarks=true&timeoutSeconds=3"));
    assert_eq!(summary(&marked), [ev("BOOKMARK", "")]);
    assert_eq!(marked[0]["object"]["metadata"]["resourceVersion"], now.as_str());
    assert!(started.elapsed() >= Duration::from_secs(3), "the stream lasts until its timeout");

    // A version the server has not reached: after waiting for it, a 504 ResourceVersionTooLarge.
    let too_large = events(&url, &format!("{CMS}?watch=true&resourceVersion={}", now.parse::<u64>().unwrap() + 1000));
    assert_eq!(too_large.len(), 1);
    assert_eq!(too_large[0]["type"], "ERROR");
    assert_eq!(too_large[0]["object"]["code"], 504);
    assert_eq!(too_large[0]["object"]["details"]["causes"][0]["reason"], "ResourceVersionTooLarge");

    // Not a number.
    let (code, body) = request(&url, "GET", &format!("{CMS}?watch=true&resourceVersion=abc"), None);
    assert_eq!(code, 400, "{body}");
    let _ = std::fs::remove_dir_all(&dir);
}
