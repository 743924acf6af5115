//! `kubeground serve`: the simulated cluster behind a Kubernetes REST API on 127.0.0.1, so that a real
//! `kubectl` (or any client) can drive it.
//!
//! This module owns the process side: the listener, one HTTP/1 connection task per client, the clock task that
//! advances simulated time with real time, and the kubeconfig file. What a request means lives in [`api`]
//! (resources), [`discovery`] (version, discovery), [`openapi`], [`watch`], [`table`] and [`proto`]. The cluster
//! sits behind one mutex that is never held across an await, so every request sees a consistent cluster.

mod api;
mod body;
mod discovery;
mod openapi;
mod pods;
mod proto;
mod table;
mod watch;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use engine::Cluster;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

pub use body::Out;

/// How often simulated time catches up with real time.
const TICK: Duration = Duration::from_millis(100);

pub struct Options {
    pub port: u16,
    pub seed: u64,
    pub kubeconfig: Option<PathBuf>,
    pub speed: f64,
}

/// The state every connection shares.
pub struct Shared {
    pub cluster: Mutex<Cluster>,
    /// Bumped after every write and every clock step, to wake watches.
    pub changed: tokio::sync::watch::Sender<u64>,
    /// `127.0.0.1:PORT`, for legacy discovery's `serverAddressByClientCIDRs`.
    pub address: String,
}

impl Shared {
    /// Reads the cluster without waking watches.
    pub fn read<R>(&self, f: impl FnOnce(&engine::Cluster) -> R) -> R {
        let guard = self.cluster.lock().unwrap_or_else(|e| e.into_inner());
        f(&guard)
    }

    /// Runs `f` on the cluster and wakes watches. A panic in an earlier request must not take the server down with it, so a
    /// poisoned lock is taken over: the engine's writes are all-or-nothing per request.
    pub fn with<R>(&self, f: impl FnOnce(&mut Cluster) -> R) -> R {
        let mut guard = self.cluster.lock().unwrap_or_else(|e| e.into_inner());
        let result = f(&mut guard);
        let rv = guard.store().resource_version();
        drop(guard);
        self.changed.send_replace(rv);
        result
    }
}

pub fn serve(options: Options) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kubeground: cannot start the server runtime: {e}");
            return ExitCode::from(2);
        }
    };
    runtime.block_on(run(options))
}

async fn run(options: Options) -> ExitCode {
    let listener = match TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], options.port))).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("kubeground: cannot listen on 127.0.0.1:{}: {e}", options.port);
            return ExitCode::from(2);
        }
    };
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(options.port);
    let kubeconfig = options
        .kubeconfig
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join(format!("kubeground-{port}.kubeconfig")));
    if let Err(e) = std::fs::write(&kubeconfig, kubeconfig_text(port)) {
        eprintln!("kubeground: cannot write {}: {e}", kubeconfig.display());
        return ExitCode::from(2);
    }
    let cluster = Cluster::new(options.seed);
    let (changed, _) = tokio::sync::watch::channel(cluster.store().resource_version());
    let shared = Arc::new(Shared { cluster: Mutex::new(cluster), changed, address: format!("127.0.0.1:{port}") });
    println!(
        "kubeground: serving a simulated Kubernetes v1.34 cluster at http://127.0.0.1:{port}; kubeconfig: {} \
(export KUBECONFIG={})",
        kubeconfig.display(),
        kubeconfig.display()
    );
    tokio::spawn(clock(shared.clone(), options.speed));
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        let shared = shared.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let shared = shared.clone();
                async move { api::handle(shared, req).await }
            });
            // A connection error is the client's business (it hung up); the server carries on.
            let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).with_upgrades().await;
        });
    }
}

/// Advances simulated time by the real time elapsed × `speed`, every [`TICK`].
async fn clock(shared: Arc<Shared>, speed: f64) {
    // Speed 0 freezes simulated time (`sleep` in a script has no counterpart here), which makes the answers
    // reproducible: the integration test compares them with the playground's own kubectl.
    if !(speed.is_finite() && speed > 0.0) {
        return;
    }
    let mut interval = tokio::time::interval(TICK);
    let mut last = Instant::now();
    // Fractions of a simulated millisecond carry over, so slow speeds still move time.
    let mut owed = 0.0f64;
    loop {
        interval.tick().await;
        let now = Instant::now();
        owed += now.duration_since(last).as_secs_f64() * 1000.0 * speed;
        last = now;
        let whole = owed.floor();
        if whole >= 1.0 {
            owed -= whole;
            shared.with(|c| c.step(whole as u64));
        }
    }
}

fn kubeconfig_text(port: u16) -> String {
    format!(
        "apiVersion: v1
kind: Config
clusters:
- name: kubeground
  cluster:
    server: http://127.0.0.1:{port}
contexts:
- name: kubeground
  context:
    cluster: kubeground
    user: kubeground
    namespace: default
current-context: kubeground
users:
- name: kubeground
  user: {{}}
"
    )
}

/// The error a handler returns to make hyper drop the connection without answering: what a client sees when
/// no API server is reachable.
#[derive(Debug)]
pub struct Refused;

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("no API server reachable")
    }
}

impl std::error::Error for Refused {}
