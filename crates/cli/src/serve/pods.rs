//! The pod subresources that reach into the kubelet: `pods/log` (with `follow`), `pods/exec` and `pods/attach`
//! over the WebSocket protocol kubectl uses (`v5.channel.k8s.io`), and `pods/eviction`.
//!
//! Logs and exec read the engine's kubelet through `Cluster::container_logs`, `Cluster::exec_target` and
//! `Cluster::exec`, the same calls the playground's `kubectl logs`/`kubectl exec` make, so both doors print the
//! same lines.

use std::sync::Arc;

use bytes::Bytes;
use engine::apiserver::RequestOptions;
use engine::kubelet::programs::rfc3339_nanos;
use engine::kubelet::LogLine;
use engine::{ApiError, Cluster, Kind, Object};
use futures_util::{SinkExt, StreamExt};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONNECTION, CONTENT_TYPE, UPGRADE};
use hyper::{Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use super::api::{json_response, status, Query};
use super::{Out, Shared};

/// The query of a `pods/log` request (`corev1.PodLogOptions`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LogOptions {
    pub container: Option<String>,
    pub previous: bool,
    pub follow: bool,
    pub timestamps: bool,
    pub tail_lines: Option<i64>,
    pub since_seconds: Option<i64>,
    pub limit_bytes: Option<i64>,
}

impl LogOptions {
    pub fn from_query(q: &Query) -> Result<LogOptions, ApiError> {
        let number = |key: &str| -> Result<Option<i64>, ApiError> {
            match q.get(key) {
                None => Ok(None),
                Some(v) => v
                    .parse()
                    .map(Some)
                    .map_err(|_| ApiError::bad_request(format!("{key}: Invalid value: \"{v}\": must be an integer"))),
            }
        };
        let options = LogOptions {
            container: q.get("container").filter(|c| !c.is_empty()).map(str::to_string),
            previous: q.flag("previous"),
            follow: q.flag("follow"),
            timestamps: q.flag("timestamps"),
            tail_lines: number("tailLines")?,
            since_seconds: number("sinceSeconds")?,
            limit_bytes: number("limitBytes")?,
        };
        // The checks of `ValidatePodLogOptions`, in its words.
        for (field, value, min) in [
            ("tailLines", options.tail_lines, 0),
            ("limitBytes", options.limit_bytes, 1),
            ("sinceSeconds", options.since_seconds, 1),
        ] {
            if let Some(v) = value.filter(|v| *v < min) {
                let rule = if min == 0 { "must be greater than or equal to 0" } else { "must be greater than 0" };
                return Err(ApiError::new(
                    422,
                    "Invalid",
                    format!("PodLogOptions \"\" is invalid: {field}: Invalid value: {v}: {rule}"),
                ));
            }
        }
        Ok(options)
    }
}

/// The container a `pods/log` or `pods/exec` request means: the one named, else the pod's only container. With
/// several and none named the apiserver refuses, listing them (`podutil`'s wording; informed guess at the
/// exact list format, which is Go's `%s` of a string slice).
pub fn container_of(cluster: &Cluster, namespace: &str, pod: &str, named: Option<&str>) -> Result<String, ApiError> {
    if let Some(c) = named {
        return Ok(c.to_string());
    }
    let Some(Object::Pod(p)) = cluster.store().get(&engine::store::ObjectKey::new(Kind::Pod, namespace, pod)) else {
        return Err(ApiError::not_found(Kind::Pod, pod));
    };
    let spec = p.spec.clone().unwrap_or_default();
    if spec.containers.len() == 1 {
        return Ok(spec.containers[0].name.clone());
    }
    let names = |cs: &[engine::api::api::core::v1::Container]| {
        format!("[{}]", cs.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(" "))
    };
    let mut message =
        format!("a container name must be specified for pod {pod}, choose one of: {}", names(&spec.containers));
    if let Some(init) = spec.init_containers.as_deref().filter(|i| !i.is_empty()) {
        message.push_str(&format!(" or one of the init containers: {}", names(init)));
    }
    Err(ApiError::bad_request(message))
}

/// The lines a log request returns now, as the kubelet writes them: lines since `sinceSeconds`, the last
/// `tailLines` of those, each prefixed with its RFC 3339 time under `timestamps`, cut at `limitBytes`.
///
/// For lines `a` at 1 s and `b` at 2 s, `tailLines=1` with timestamps gives
/// `1970-01-01T00:00:02.000000000Z b\n` (at the cluster's epoch).
pub fn render(lines: &[LogLine], options: &LogOptions, now: u64) -> String {
    let since = options.since_seconds.map(|s| now.saturating_sub(s.max(0) as u64 * 1000));
    let kept: Vec<&LogLine> = lines.iter().filter(|l| since.is_none_or(|t| l.at >= t)).collect();
    let skip = match options.tail_lines {
        Some(n) if n >= 0 => kept.len().saturating_sub(n as usize),
        _ => 0,
    };
    let mut out = String::new();
    for l in &kept[skip..] {
        push_line(&mut out, l, options.timestamps);
    }
    if let Some(limit) = options.limit_bytes {
        truncate_bytes(&mut out, limit.max(0) as usize);
    }
    out
}

fn push_line(out: &mut String, l: &LogLine, timestamps: bool) {
    if timestamps {
        out.push_str(&rfc3339_nanos(l.at));
        out.push(' ');
    }
    out.push_str(&l.text);
}

/// Cuts `s` to at most `limit` bytes (the kubelet cuts bytes; a split character is dropped whole here).
fn truncate_bytes(s: &mut String, limit: usize) {
    if s.len() > limit {
        let mut cut = limit;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
}

/// What follow needs to know about a container: its instance, whether it still runs, and its lines.
struct Instance {
    id: Option<String>,
    running: bool,
    logs: Vec<LogLine>,
    previous: Vec<LogLine>,
}

fn instance(cluster: &Cluster, namespace: &str, pod: &str, container: &str) -> Option<Instance> {
    let (_, run) = cluster.pod_run(namespace, pod)?;
    let c = run.container(container)?;
    Some(Instance {
        id: c.container_id.clone(),
        running: c.is_running(),
        logs: c.logs.clone(),
        previous: c.previous_logs.clone(),
    })
}

/// `GET …/pods/{name}/log`.
pub fn logs(shared: Arc<Shared>, namespace: &str, pod: &str, query: &Query) -> Response<Out> {
    let options = match LogOptions::from_query(query) {
        Ok(o) => o,
        Err(e) => return status(&e, &[]),
    };
    let first = shared.read(|c| {
        let container = container_of(c, namespace, pod, options.container.as_deref())?;
        let lines = c.container_logs(namespace, pod, &container, options.previous)?;
        let text = render(&lines, &options, c.now());
        let current = if options.follow && !options.previous { instance(c, namespace, pod, &container) } else { None };
        Ok::<_, ApiError>((container, text, lines.len(), current))
    });
    let (container, text, sent, current) = match first {
        Ok(x) => x,
        Err(e) => return status(&e, &[]),
    };
    let Some(current) = current.filter(|i| i.running) else {
        return plain(Out::full(text));
    };
    let (tx, rx) = mpsc::channel(16);
    let remaining = options.limit_bytes.map(|l| (l.max(0) as usize).saturating_sub(text.len()));
    let follow = Follow {
        shared,
        namespace: namespace.to_string(),
        pod: pod.to_string(),
        container,
        id: current.id,
        sent,
        timestamps: options.timestamps,
        remaining,
    };
    tokio::spawn(follow.run(text, tx));
    plain(Out::Stream(rx))
}

/// A `follow=true` log stream: new lines of the same container instance as simulated time brings them, until
/// that instance stops, the pod goes, or the client hangs up.
struct Follow {
    shared: Arc<Shared>,
    namespace: String,
    pod: String,
    container: String,
    id: Option<String>,
    /// Lines of the instance already sent.
    sent: usize,
    timestamps: bool,
    /// Bytes `limitBytes` still allows.
    remaining: Option<usize>,
}

impl Follow {
    async fn run(mut self, first: String, tx: mpsc::Sender<Bytes>) {
        let mut changed = self.shared.changed.subscribe();
        if !self.send(&tx, first).await {
            return;
        }
        loop {
            tokio::select! {
                r = changed.changed() => if r.is_err() { return },
                _ = tx.closed() => return,
            }
            let shared = self.shared.clone();
            let (text, done) = shared.read(|c| self.poll(c));
            if !self.send(&tx, text).await || done {
                return;
            }
        }
    }

    /// The new lines, and whether the stream is over.
    fn poll(&mut self, cluster: &Cluster) -> (String, bool) {
        let Some(now) = instance(cluster, &self.namespace, &self.pod, &self.container) else {
            return (String::new(), true);
        };
        // A restart moved the instance's lines to `previous`: send the rest of them and stop, as the kubelet's
        // follow of a container that exited does.
        let (lines, done) = if now.id == self.id { (&now.logs, !now.running) } else { (&now.previous, true) };
        let mut out = String::new();
        for l in lines.iter().skip(self.sent) {
            push_line(&mut out, l, self.timestamps);
        }
        self.sent = lines.len().max(self.sent);
        (out, done)
    }

    async fn send(&mut self, tx: &mpsc::Sender<Bytes>, mut text: String) -> bool {
        if let Some(left) = self.remaining.as_mut() {
            truncate_bytes(&mut text, *left);
            *left -= text.len();
        }
        let exhausted = self.remaining == Some(0);
        if !text.is_empty() && tx.send(Bytes::from(text)).await.is_err() {
            return false;
        }
        !exhausted
    }
}

fn plain(body: Out) -> Response<Out> {
    let mut response = Response::new(body);
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    response
}

/// The WebSocket subprotocols of the remote command protocol we speak, best first.
const PROTOCOLS: &[&str] = &["v5.channel.k8s.io", "v4.channel.k8s.io"];

const STDIN: u8 = 0;
const STDOUT: u8 = 1;
const STDERR: u8 = 2;
const ERROR: u8 = 3;
/// v5: a message `[255, channel]` says the peer closed that channel (the client's stdin).
const CLOSE: u8 = 255;

/// The query of a `pods/exec` or `pods/attach` request (`corev1.PodExecOptions`).
struct ExecOptions {
    container: Option<String>,
    command: Vec<String>,
    stdin: bool,
    tty: bool,
}

/// `…/pods/{name}/exec` and `…/pods/{name}/attach`. Checks come first and fail as plain HTTP errors (kubectl
/// then tries SPDY, which fails the same way and prints the error); a WebSocket upgrade then runs the command.
pub fn exec(
    shared: Arc<Shared>,
    mut req: hyper::Request<Incoming>,
    namespace: &str,
    pod: &str,
    attach: bool,
) -> Response<Out> {
    let query = Query::parse(req.uri().query().unwrap_or(""));
    let options = ExecOptions {
        container: query.get("container").filter(|c| !c.is_empty()).map(str::to_string),
        command: query.all("command").map(str::to_string).collect(),
        stdin: query.flag("stdin"),
        tty: query.flag("tty"),
    };
    let checked = shared.read(|c| {
        let container = container_of(c, namespace, pod, options.container.as_deref())?;
        c.exec_target(namespace, pod, &container)?;
        let spec = match c.store().get(&engine::store::ObjectKey::new(Kind::Pod, namespace, pod)) {
            Some(Object::Pod(p)) => p.spec.clone().unwrap_or_default(),
            _ => Default::default(),
        };
        let hostname = spec.hostname.clone().unwrap_or_else(|| pod.to_string());
        let image = spec
            .containers
            .iter()
            .chain(spec.init_containers.iter().flatten())
            .find(|x| x.name == container)
            .and_then(|x| x.image.clone())
            .unwrap_or_default();
        Ok::<_, ApiError>((container, hostname, image))
    });
    let (container, hostname, image) = match checked {
        Ok(x) => x,
        Err(e) => return exec_error(&e),
    };
    if !attach && options.command.is_empty() {
        return status(&ApiError::bad_request("you must specify at least one command for the container"), &[]);
    }
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let key = header("sec-websocket-key");
    let offered = header("sec-websocket-protocol");
    let is_websocket = header("upgrade").eq_ignore_ascii_case("websocket") && !key.is_empty();
    let protocol = PROTOCOLS.iter().find(|p| offered.split(',').any(|o| o.trim() == **p));
    let Some(protocol) = protocol.filter(|_| is_websocket) else {
        // SPDY (kubectl's fallback) and older channel protocols are not spoken here.
        let e = ApiError::bad_request(
            "kubeground speaks the remote command protocol over WebSocket only (v5.channel.k8s.io or v4.channel.k8s.io)",
        );
        return status(&e, &[]);
    };
    let v5 = *protocol == PROTOCOLS[0];
    let upgrade = hyper::upgrade::on(&mut req);
    let session =
        Session { shared, namespace: namespace.to_string(), pod: pod.to_string(), container, hostname, image, v5 };
    tokio::spawn(async move {
        let Ok(upgraded) = upgrade.await else { return };
        let ws = WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None).await;
        session.run(ws, options, attach).await;
    });
    let mut response = Response::new(Out::Full(None));
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(UPGRADE, HeaderValue::from_static("websocket"));
    headers.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
    if let Ok(v) = HeaderValue::from_str(&derive_accept_key(key.as_bytes())) {
        headers.insert("Sec-WebSocket-Accept", v);
    }
    headers.insert("Sec-WebSocket-Protocol", HeaderValue::from_static(protocol));
    response
}

/// An exec that cannot start. The kubelet's own refusal (`container not found`) is plain text, which kubectl
/// prints as `error: unable to upgrade connection: …`; the apiserver's are Status bodies.
fn exec_error(e: &ApiError) -> Response<Out> {
    match e.message.strip_prefix("unable to upgrade connection: ") {
        Some(kubelet) => {
            let mut response = plain(Out::full(kubelet.to_string()));
            *response.status_mut() = StatusCode::from_u16(e.code).unwrap_or(StatusCode::BAD_REQUEST);
            response
        }
        None => status(e, &[]),
    }
}

type Socket = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;

struct Session {
    shared: Arc<Shared>,
    namespace: String,
    pod: String,
    container: String,
    hostname: String,
    /// The container's image, for the shell's prompt.
    image: String,
    v5: bool,
}

impl Session {
    async fn run(self, mut ws: Socket, options: ExecOptions, attach: bool) {
        let shell =
            options.command.len() == 1 && matches!(options.command[0].rsplit('/').next(), Some("sh" | "bash" | "ash"));
        // The exit code to report; `None` when the error channel already carried the outcome.
        let code = if attach {
            // The engine's programs have no terminal to attach to; say so on the error channel.
            let e = json!({"metadata": {}, "status": "Failure", "reason": "BadRequest",
                "message": "kubeground cannot attach to a container's main process; use kubectl logs -f, or kubectl exec"});
            let _ = ws.send(frame(ERROR, e.to_string().as_bytes())).await;
            None
        } else if options.stdin && shell {
            self.shell(&mut ws, &options.command[0], options.tty).await
        } else {
            self.run_once(&mut ws, &options.command, options.tty, true).await.ok()
        };
        if let Some(code) = code {
            let _ = ws.send(frame(ERROR, exit_status(code, &options.command).to_string().as_bytes())).await;
        }
        let close = CloseFrame { code: CloseCode::Normal, reason: "".into() };
        let _ = ws.send(Message::Close(Some(close))).await;
        // Read until the client answers the close (or goes), so the close handshake completes.
        while let Some(Ok(m)) = ws.next().await {
            if m.is_close() {
                break;
            }
        }
    }

    /// Runs one command and sends what it wrote; returns its exit code, or sends the runtime's failure to
    /// start it (on the error channel when `final_status`, else on stderr) and returns `Err`.
    async fn run_once(&self, ws: &mut Socket, argv: &[String], tty: bool, final_status: bool) -> Result<i32, ()> {
        let result = self.shared.with(|c| {
            let result = c.exec_tty(&self.namespace, &self.pod, &self.container, argv, tty);
            let now = c.now();
            (result, now)
        });
        let (result, now) = result;
        let result = match result {
            Ok(r) => r,
            Err(e) => {
                self.report(ws, &e.message, final_status).await;
                return Err(());
            }
        };
        match result.code {
            Ok(code) => {
                if tty {
                    // A terminal merges both streams and turns newlines into CR LF.
                    let text = result.combined.replace('\n', "\r\n");
                    if !text.is_empty() {
                        let _ = ws.send(frame(STDOUT, text.as_bytes())).await;
                    }
                } else {
                    if !result.stdout.is_empty() {
                        let _ = ws.send(frame(STDOUT, result.stdout.as_bytes())).await;
                    }
                    if !result.stderr.is_empty() {
                        let _ = ws.send(frame(STDERR, result.stderr.as_bytes())).await;
                    }
                }
                Ok(code)
            }
            Err(msg) => {
                let id = kubectl::pods_cmd::exec_id(&self.pod, &self.container, now);
                let message = format!(
                    "Internal error occurred: error executing command in container: failed to exec in container: failed to start exec \"{id}\": {msg}"
                );
                self.report(ws, &message, final_status).await;
                Err(())
            }
        }
    }

    async fn report(&self, ws: &mut Socket, message: &str, final_status: bool) {
        let _ = if final_status {
            ws.send(frame(ERROR, failure(message).to_string().as_bytes())).await
        } else {
            ws.send(frame(STDERR, format!("{message}\n").as_bytes())).await
        };
    }

    /// `kubectl exec -i POD -- sh`: each line of input runs as `sh -c LINE` (state such as the working
    /// directory does not carry over between lines). `exit [N]` ends the session. With a terminal, input is
    /// echoed and a root prompt shown: bash's `root@HOST:/# `, busybox ash's `/ # ` (busybox and alpine
    /// images), dash's `# ` otherwise (informed guesses from those shells' default PS1).
    async fn shell(&self, ws: &mut Socket, program: &str, tty: bool) -> Option<i32> {
        let busybox = ["busybox", "alpine"].iter().any(|i| self.image.contains(i));
        let prompt = match (tty, program.ends_with("bash")) {
            (false, _) => String::new(),
            (true, true) => format!("root@{}:/# ", self.hostname),
            (true, false) if busybox => "/ # ".to_string(),
            (true, false) => "# ".to_string(),
        };
        if tty && ws.send(frame(STDOUT, prompt.as_bytes())).await.is_err() {
            return None;
        }
        let mut line: Vec<u8> = Vec::new();
        let mut last = 0;
        while let Some(Ok(message)) = ws.next().await {
            let data = match message {
                Message::Binary(b) => b.to_vec(),
                Message::Close(_) => return None,
                _ => continue,
            };
            let Some((&channel, rest)) = data.split_first() else { continue };
            if channel == CLOSE && self.v5 && rest.first() == Some(&STDIN) {
                break;
            }
            if channel != STDIN {
                continue;
            }
            for &b in rest {
                match b {
                    b'\r' | b'\n' => {
                        if tty {
                            let _ = ws.send(frame(STDOUT, b"\r\n")).await;
                        }
                        let text = String::from_utf8_lossy(&line).trim().to_string();
                        line.clear();
                        if let Some(code) = exit_of(&text) {
                            return Some(code.unwrap_or(last));
                        }
                        if !text.is_empty() {
                            let argv = vec!["sh".to_string(), "-c".to_string(), text];
                            match self.run_once(ws, &argv, tty, false).await {
                                Ok(code) => last = code,
                                Err(()) => last = 127,
                            }
                        }
                        if tty {
                            let _ = ws.send(frame(STDOUT, prompt.as_bytes())).await;
                        }
                    }
                    // Backspace (DEL from a terminal): rub out the last character.
                    0x7f | 0x08 => {
                        if line.pop().is_some() && tty {
                            let _ = ws.send(frame(STDOUT, b"\x08 \x08")).await;
                        }
                    }
                    // Ctrl-D on an empty line ends the shell.
                    0x04 if line.is_empty() => return Some(last),
                    b => {
                        line.push(b);
                        if tty {
                            let _ = ws.send(frame(STDOUT, &[b])).await;
                        }
                    }
                }
            }
        }
        Some(last)
    }
}

/// `exit` or `exit N` as a shell reads it: `Some(None)` for a bare `exit` (the last status).
fn exit_of(line: &str) -> Option<Option<i32>> {
    let mut words = line.split_whitespace();
    if words.next() != Some("exit") {
        return None;
    }
    Some(words.next().and_then(|n| n.parse::<i64>().ok()).map(|n| (n & 0xff) as i32))
}

fn frame(channel: u8, data: &[u8]) -> Message {
    let mut bytes = Vec::with_capacity(data.len() + 1);
    bytes.push(channel);
    bytes.extend_from_slice(data);
    Message::Binary(bytes.into())
}

/// The error channel's Status at the end of a command: success, or `NonZeroExitCode` with the code as the
/// `ExitCode` cause, worded as the kubelet's streaming server words it.
fn exit_status(code: i32, argv: &[String]) -> Value {
    match code {
        0 => json!({"metadata": {}, "status": "Success"}),
        code => json!({
            "metadata": {},
            "status": "Failure",
            "message": format!("command terminated with non-zero exit code: error executing command [{}], exit code {code}", argv.join(" ")),
            "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": code.to_string()}]},
        }),
    }
}

fn failure(message: &str) -> Value {
    json!({"metadata": {}, "status": "Failure", "message": message, "reason": "InternalError", "code": 500})
}

/// `POST …/pods/{name}/eviction` with a `policy/v1` Eviction body.
///
/// The eviction itself is the engine's (`Cluster::evict`, through [`evict`]) with the Eviction's
/// `deleteOptions` (grace period, dry run): budgets may refuse it with 429 `TooManyRequests`.
pub fn eviction(shared: Arc<Shared>, namespace: &str, pod: &str, body: &[u8], dry_run_query: bool) -> Response<Out> {
    let eviction: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return status(
                &ApiError::bad_request(format!("the body of the request was in an unknown format: {e}")),
                &[],
            )
        }
    };
    if let Some(name) = eviction.pointer("/metadata/name").and_then(Value::as_str) {
        if name != pod {
            return status(
                &ApiError::bad_request("name in URL does not match name in Eviction object".to_string()),
                &[],
            );
        }
    }
    let delete = eviction.get("deleteOptions").cloned().unwrap_or(Value::Null);
    let dry_run =
        dry_run_query || delete.get("dryRun").and_then(Value::as_array).is_some_and(|a| a.iter().any(|v| v == "All"));
    let options = RequestOptions {
        dry_run,
        grace_period_seconds: delete.get("gracePeriodSeconds").and_then(Value::as_i64),
        ..Default::default()
    };
    match shared.with(|c| evict(c, namespace, pod, options)) {
        Ok(()) => json_response(
            StatusCode::CREATED,
            &json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}),
            &[],
        ),
        Err(e) => status(&e, &[]),
    }
}

/// Evicts one pod through the engine's eviction subresource (`Cluster::evict`: PodDisruptionBudget checks, the
/// `DisruptionTarget` condition, a graceful delete), then the controllers react.
fn evict(cluster: &mut Cluster, namespace: &str, pod: &str, options: RequestOptions) -> Result<(), ApiError> {
    let result = cluster.evict("kubectl", namespace, pod, &options);
    cluster.settle();
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::kubelet::Stream;

    fn line(at: u64, text: &str) -> LogLine {
        LogLine { at, stream: Stream::Stdout, text: format!("{text}\n") }
    }

    #[test]
    fn log_options_filter_and_format() {
        let lines = [line(1000, "a"), line(2000, "b"), line(3000, "c")];
        let all = LogOptions::default();
        assert_eq!(render(&lines, &all, 3000), "a\nb\nc\n");
        let tail = LogOptions { tail_lines: Some(1), timestamps: true, ..Default::default() };
        assert_eq!(render(&lines, &tail, 3000), format!("{} c\n", rfc3339_nanos(3000)));
        assert_eq!(render(&lines, &LogOptions { tail_lines: Some(0), ..Default::default() }, 3000), "");
        let since = LogOptions { since_seconds: Some(2), ..Default::default() };
        assert_eq!(render(&lines, &since, 4000), "b\nc\n");
        let limit = LogOptions { limit_bytes: Some(3), ..Default::default() };
        assert_eq!(render(&lines, &limit, 3000), "a\nb");
    }

    #[test]
    fn log_queries_are_validated() {
        let q = Query::parse("container=web&tailLines=2&timestamps=true&follow=1&previous=false");
        let o = LogOptions::from_query(&q).unwrap();
        assert_eq!(o.container.as_deref(), Some("web"));
        assert_eq!((o.tail_lines, o.timestamps, o.follow, o.previous), (Some(2), true, true, false));
        let e = LogOptions::from_query(&Query::parse("tailLines=-1")).unwrap_err();
        assert_eq!(
            e.message,
            "PodLogOptions \"\" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0"
        );
        assert!(LogOptions::from_query(&Query::parse("limitBytes=x")).is_err());
    }

    #[test]
    fn exit_codes_become_error_channel_statuses() {
        let argv = vec!["sh".to_string(), "-c".to_string(), "exit 3".to_string()];
        assert_eq!(exit_status(0, &argv), json!({"metadata": {}, "status": "Success"}));
        let s = exit_status(3, &argv);
        assert_eq!(s["reason"], "NonZeroExitCode");
        assert_eq!(s["details"]["causes"][0], json!({"reason": "ExitCode", "message": "3"}));
        assert_eq!(exit_of("exit 300"), Some(Some(44)));
        assert_eq!(exit_of("exit"), Some(None));
        assert_eq!(exit_of("exitcode"), None);
    }
}
