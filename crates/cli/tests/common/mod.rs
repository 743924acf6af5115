//! What the tests that drive `kubeground serve` over HTTP share: starting the built binary on a free loopback
//! port and stopping it however the test ends. Each test binary uses only part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// Kills the server when the test ends, however it ends.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `kubeground serve --port 0 --seed SEED --speed SPEED`, writing its kubeconfig to `kubeconfig`, and
/// waits for its one line saying where it listens.
pub fn start_server(seed: u64, speed: &str, kubeconfig: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kubeground"))
        .args(["serve", "--port", "0", "--speed", speed, "--seed", &seed.to_string(), "--kubeconfig"])
        .arg(kubeconfig)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the kubeground binary starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("the server prints where it listens");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .map(|w| w.trim_end_matches(';').to_string())
        .unwrap_or_else(|| panic!("unexpected first line: {line}"));
    Server { child, url }
}

/// A fresh folder under the system's temporary folder, named after the test and the process.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kubeground-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A bodiless `POST` to the server at `url` (`http://127.0.0.1:PORT`); returns the response body.
pub fn post(url: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let address = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).expect("the server accepts");
    write!(stream, "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        .expect("request written");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response read");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    response.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default()
}

/// A `POST` of a JSON body to the server at `url`; returns the response body.
pub fn post_json(url: &str, path: &str, body: &str) -> String {
    use std::io::{Read, Write};
    let address = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).expect("the server accepts");
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("request written");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response read");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    response.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default()
}
