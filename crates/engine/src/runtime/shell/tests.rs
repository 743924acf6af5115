use std::collections::BTreeMap;

use super::*;
use crate::runtime::fs::WriteMode;
use crate::runtime::fs::{Fs, MemFs};

fn proc(src: &str) -> Process {
    Process::new(Program::parse(src).expect("parses"), vec!["sh".into()], BTreeMap::new())
}

/// Run to completion, jumping the clock to every wake-up; (status, stdout, stderr, final time).
fn run_all(src: &str, host: &mut TestHost) -> (i32, String, String) {
    let mut p = proc(src);
    for _ in 0..10_000 {
        match p.run(host) {
            Poll::Exited(s) => return (s, std::mem::take(&mut host.out), std::mem::take(&mut host.err)),
            Poll::SleepUntil(t) => host.now = t,
        }
    }
    panic!("did not finish: {src}");
}

fn sh(src: &str) -> (i32, String, String) {
    run_all(src, &mut TestHost::new(MemFs::from_files([], ["/tmp"])))
}

#[test]
fn echo_sleep_echo_resumes() {
    let mut p = proc("echo hi; sleep 5; echo bye");
    let mut h = TestHost::new(MemFs::new());
    assert_eq!(p.run(&mut h), Poll::SleepUntil(5000));
    assert_eq!(h.out, "hi\n");
    h.now = 4999;
    assert_eq!(p.run(&mut h), Poll::SleepUntil(5000));
    h.now = 5000;
    assert_eq!(p.run(&mut h), Poll::Exited(0));
    assert_eq!(h.out, "hi\nbye\n");
}

#[test]
fn table_of_scripts() {
    let cases: &[(&str, i32, &str, &str)] = &[
        ("echo hello world", 0, "hello world\n", ""),
        ("echo -n a; echo b", 0, "ab\n", ""),
        ("echo -e 'a\\tb'", 0, "a\tb\n", ""),
        ("echo 'single $X' \"double $X\"", 0, "single $X double \n", ""),
        ("X=1; echo $X ${X} ${Y:-dflt} ${X:+alt}", 0, "1 1 dflt alt\n", ""),
        ("X=abc.tar.gz; echo ${X%.*} ${X%%.*} ${X#*.} ${#X}", 0, "abc.tar abc tar.gz 10\n", ""),
        ("false; echo $?; true; echo $?", 0, "1\n0\n", ""),
        ("echo $$", 0, "1\n", ""),
        ("echo $(echo inner) `echo back`", 0, "inner back\n", ""),
        ("echo $((1 + 2 * 3)) $((10 / 3)) $((7 % 3)) $((2 ** 10))", 0, "7 3 1 1024\n", ""),
        ("i=0; while [ $i -lt 3 ]; do echo $i; i=$((i+1)); done", 0, "0\n1\n2\n", ""),
        ("for x in a b c; do echo $x; done", 0, "a\nb\nc\n", ""),
        ("for x in 1 2 3 4; do if [ $x = 3 ]; then break; fi; echo $x; done", 0, "1\n2\n", ""),
        ("for x in 1 2 3; do [ $x = 2 ] && continue; echo $x; done", 0, "1\n3\n", ""),
        ("until false; do echo once; break; done", 0, "once\n", ""),
        ("if false; then echo a; elif true; then echo b; else echo c; fi", 0, "b\n", ""),
        ("true && echo yes || echo no; false && echo yes || echo no", 0, "yes\nno\n", ""),
        ("! false && echo negated", 0, "negated\n", ""),
        ("{ echo a; echo b; } > /tmp/f; cat /tmp/f", 0, "a\nb\n", ""),
        ("X=1; (X=2; echo $X); echo $X", 0, "2\n1\n", ""),
        ("case hello in h*) echo H;; *) echo other;; esac", 0, "H\n", ""),
        ("case x in a|b) echo ab;; esac; echo $?", 0, "0\n", ""),
        ("f() { echo \"arg $1\"; return 3; }; f one; echo $?", 0, "arg one\n3\n", ""),
        ("echo a > /tmp/x; echo b >> /tmp/x; cat /tmp/x", 0, "a\nb\n", ""),
        ("cat /nope", 1, "", "cat: can't open '/nope': No such file or directory\n"),
        ("cat /nope 2>/dev/null; echo $?", 0, "1\n", ""),
        ("cat /nope 2>&1", 1, "cat: can't open '/nope': No such file or directory\n", ""),
        ("echo x > /no/such", 2, "", "sh: can't create /no/such: nonexistent directory\n"),
        ("cat < /nope", 2, "", "sh: can't open /nope: no such file\n"),
        ("foo", 127, "", "sh: foo: not found\n"),
        ("exit 3", 3, "", ""),
        ("(exit 4); echo $?", 0, "4\n", ""),
        ("x=$(exit 5); echo $?", 0, "5\n", ""),
        ("sh -c 'echo nested; exit 6'; echo $?", 0, "nested\n6\n", ""),
        ("/bin/sh -c 'echo $0 $1' name arg", 0, "name arg\n", ""),
        ("echo a b c | wc -w", 0, "3\n", ""),
        ("printf 'a\\nb\\nc\\n' | grep -v b", 0, "a\nc\n", ""),
        ("printf 'a\\nb\\nc\\n' | head -n 2 | tail -n 1", 0, "b\n", ""),
        ("echo hello | grep -q ell && echo found", 0, "found\n", ""),
        ("echo Hello | grep -i hello", 0, "Hello\n", ""),
        ("echo abc | grep x; echo $?", 0, "1\n", ""),
        ("seq 3", 0, "1\n2\n3\n", ""),
        ("seq 2 2 6", 0, "2\n4\n6\n", ""),
        ("expr 2 + 3 \\* 4", 0, "14\n", ""),
        ("expr 1 / 0", 2, "", "expr: division by zero\n"),
        ("printf '%s-%03d\\n' a 7", 0, "a-007\n", ""),
        ("touch /tmp/t; ls /tmp", 0, "t\n", ""),
        ("mkdir /a/b", 1, "", "mkdir: can't create directory '/a/b': No such file or directory\n"),
        ("mkdir -p /a/b && ls /a", 0, "b\n", ""),
        ("mkdir /tmp", 1, "", "mkdir: can't create directory '/tmp': File exists\n"),
        ("rm /x", 1, "", "rm: can't remove '/x': No such file or directory\n"),
        ("rm -f /x; echo $?", 0, "0\n", ""),
        ("rm /tmp", 1, "", "rm: '/tmp' is a directory\n"),
        ("mkdir /d; touch /d/f; rm -r /d; ls /d", 1, "", "ls: /d: No such file or directory\n"),
        ("echo 1 > /tmp/a; cp /tmp/a /tmp/b; mv /tmp/b /tmp/c; ls /tmp; cat /tmp/c", 0, "a\nc\n1\n", ""),
        ("cp /nope /tmp", 1, "", "cp: can't stat '/nope': No such file or directory\n"),
        ("mv /nope /tmp", 1, "", "mv: can't rename '/nope': No such file or directory\n"),
        ("sleep x", 1, "", "sleep: invalid number 'x'\n"),
        ("date", 0, "Wed Aug 27 00:00:00 UTC 2025\n", ""),
        ("sleep 65; date +%H:%M:%S", 0, "00:01:05\n", ""),
        ("sleep 1.5; date +%s", 0, "1756252801\n", ""),
        ("sleep 1m; sleep 1h; date +%T", 0, "01:01:00\n", ""),
        ("hostname", 0, "test-pod\n", ""),
        ("X=1 printenv X; printenv X; echo $?", 0, "1\n1\n", ""),
        ("export A=b; env | grep ^A=", 0, "A=b\n", ""),
        (
            "[ -d /tmp ] && [ ! -f /tmp ] && [ -z '' ] && [ -n x ] && [ 1 -eq 1 ] && [ a != b ] && echo ok",
            0,
            "ok\n",
            "",
        ),
        ("test 2 -gt 1 -a 1 -le 1; echo $?", 0, "0\n", ""),
        ("[ a = a", 2, "", "sh: missing ]\n"),
        ("[ x -eq 1 ]", 2, "", "sh: x: bad number\n"),
        ("cd /nope", 2, "", "sh: cd: line 1: can't cd to /nope: No such file or directory\n"),
        ("cd /tmp; pwd; echo hi > rel; cat /tmp/rel", 0, "/tmp\nhi\n", ""),
        ("echo $((1/0))", 2, "", "sh: divide by zero\n"),
        ("echo ${U?is unset}; echo not reached", 2, "", "sh: U: is unset\n"),
        ("set -- a b c; echo $# $2 \"$@\"; shift; echo $1", 0, "3 b a b c\nb\n", ""),
        ("for a in \"$@\"; do echo x; done; echo done", 0, "done\n", ""),
        (
            "x='a  b'; for w in $x; do echo [$w]; done; for w in \"$x\"; do echo \"[$w]\"; done",
            0,
            "[a]\n[b]\n[a  b]\n",
            "",
        ),
        ("cat <<EOF\nhello $((1+1))\nEOF", 0, "hello 2\n", ""),
        ("cat <<'EOF'\nhello $X\nEOF", 0, "hello $X\n", ""),
        ("echo a; # comment\necho b", 0, "a\nb\n", ""),
        ("read x <<EOF\nline one\nEOF\necho \"$x\"", 0, "line one\n", ""),
        ("printf 'a\\nb\\n' > /tmp/l; while read l; do echo \"<$l>\"; done < /tmp/l", 0, "<a>\n<b>\n", ""),
        ("eval 'echo ev; X=3'; echo $X", 0, "ev\n3\n", ""),
        ("echo */ /tm*", 0, "tmp/ /tmp\n", ""),
        ("echo '*'", 0, "*\n", ""),
        ("echo a | cat - ", 0, "a\n", ""),
        ("wc -l /nope", 1, "", "wc: can't open '/nope': No such file or directory\n"),
        ("printf 'a b\\nc\\n' > /tmp/w; wc /tmp/w; wc -l < /tmp/w", 0, "        2         3         6 /tmp/w\n2\n", ""),
        ("exit abc", 2, "", "sh: exit: line 1: Illegal number: abc\n"),
        ("kill 123", 1, "", "sh: can't kill pid 123: No such process\n"),
        ("trap 'echo bye' EXIT; echo hi", 0, "hi\nbye\n", ""),
        ("trap 'echo bye; exit 7' EXIT; exit 1", 7, "bye\n", ""),
        ("sleep 10 & echo bg; wait; date +%S", 0, "bg\n10\n", ""),
        ("basename /a/b.txt .txt; dirname /a/b.txt", 0, "b\n/a\n", ""),
        ("echo one two | { read a b; echo $b $a; }", 0, "two one\n", ""),
        ("tail -n +2 <<EOF\n1\n2\n3\nEOF", 0, "2\n3\n", ""),
        ("exec echo replaced; echo never", 0, "replaced\n", ""),
    ];
    let mut bad = Vec::new();
    for (src, st, out, err) in cases {
        let got = sh(src);
        if got != (*st, out.to_string(), err.to_string()) {
            bad.push(format!("{src}\n   got {got:?}\n  want {:?}", (st, out, err)));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn resumes_inside_nested_loops_and_sh_c() {
    let src = "while true; do for i in 1 2; do sh -c 'date +%s >> /html/log; sleep 10' && echo \"tick $i\"; done; done";
    let mut p = proc(src);
    let mut h = TestHost::new(MemFs::from_files([], ["/html"]));
    let mut wakes = Vec::new();
    for _ in 0..4 {
        match p.run(&mut h) {
            Poll::SleepUntil(t) => {
                wakes.push(t);
                h.now = t;
            }
            Poll::Exited(s) => panic!("exited {s}"),
        }
    }
    assert_eq!(wakes, vec![10_000, 20_000, 30_000, 40_000]);
    assert_eq!(h.out, "tick 1\ntick 2\ntick 1\n");
    assert_eq!(h.fs.read("/html/log").unwrap(), "1756252800\n1756252810\n1756252820\n1756252830\n");
}

#[test]
fn clone_is_a_snapshot() {
    let mut p = proc("for i in 1 2 3; do echo $i; sleep 1; done");
    let mut h = TestHost::new(MemFs::new());
    assert_eq!(p.run(&mut h), Poll::SleepUntil(1000));
    let mut q = p.clone();
    let mut h2 = h.clone();
    h.now = 1000;
    h2.now = 1000;
    assert_eq!(p.run(&mut h), q.run(&mut h2));
    assert_eq!(h.out, h2.out);
}

#[test]
fn busy_loops_are_sliced() {
    let mut p = proc("while true; do :; done");
    let mut h = TestHost::new(MemFs::new());
    assert_eq!(p.run(&mut h), Poll::SleepUntil(1000));
    h.now = 1000;
    assert_eq!(p.run(&mut h), Poll::SleepUntil(2000));
    let mut p = proc("while true; do echo x; done").with_limits(Limits { ops_per_run: 30, slice_ms: 5 });
    assert_eq!(p.run(&mut h), Poll::SleepUntil(1005));
    assert_eq!(h.out.lines().count(), 6, "5 operations an iteration");
}

#[test]
fn pid1_ignores_term_without_trap() {
    let mut p = proc("sleep 3600");
    let mut h = TestHost::new(MemFs::new());
    assert_eq!(p.run(&mut h), Poll::SleepUntil(3_600_000));
    assert_eq!(p.signal(Signal::Term), SignalOutcome::Ignored);
    assert_eq!(p.run(&mut h), Poll::SleepUntil(3_600_000));
    assert_eq!(p.signal(Signal::Kill), SignalOutcome::Terminated(137));
    assert_eq!(p.run(&mut h), Poll::Exited(137));

    let mut p = proc("sleep 3600").with_pid(7);
    assert_eq!(p.run(&mut h), Poll::SleepUntil(3_600_000));
    assert_eq!(p.signal(Signal::Term), SignalOutcome::Terminated(143));
}

#[test]
fn trap_runs_after_foreground_sleep_or_interrupts_wait() {
    let mut p = proc("trap 'echo got TERM; exit 0' TERM; sleep 30; echo after");
    let mut h = TestHost::new(MemFs::new());
    assert_eq!(p.run(&mut h), Poll::SleepUntil(30_000));
    h.now = 5_000;
    assert_eq!(p.signal(Signal::Term), SignalOutcome::Pending);
    assert_eq!(p.run(&mut h), Poll::SleepUntil(30_000));
    h.now = 30_000;
    assert_eq!(p.run(&mut h), Poll::Exited(0));
    assert_eq!(h.out, "got TERM\n");

    let mut p = proc("trap 'echo handler $?' TERM; sleep 3600 & wait; echo \"wait said $?\"");
    let mut h = TestHost::new(MemFs::new());
    assert_eq!(p.run(&mut h), Poll::SleepUntil(3_600_000));
    h.now = 2_000;
    assert_eq!(p.signal(Signal::Term), SignalOutcome::Pending);
    assert_eq!(p.run(&mut h), Poll::Exited(0));
    assert_eq!(h.out, "handler 143\nwait said 143\n");

    let mut p = proc("trap '' TERM; sleep 5");
    assert_eq!(p.run(&mut h), Poll::SleepUntil(2_000 + 5_000));
    assert_eq!(p.signal(Signal::Term), SignalOutcome::Ignored);
}

#[test]
fn spawn_container_commands() {
    let argv = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let mut h = TestHost::new(MemFs::new());
    let mut p = Process::spawn(&argv(&["sleep", "3600"]), BTreeMap::new()).unwrap();
    assert_eq!(p.run(&mut h), Poll::SleepUntil(3_600_000));
    assert_eq!(p.signal(Signal::Term), SignalOutcome::Ignored);
    let mut p = Process::spawn(&argv(&["/bin/sh", "-c", "echo $0; foo"]), BTreeMap::new()).unwrap();
    assert_eq!(p.run(&mut h), Poll::Exited(127));
    assert_eq!(h.out, "/bin/sh\n");
    assert_eq!(h.err, "/bin/sh: foo: not found\n");
    let mut p = Process::spawn(&argv(&["sh", "-c", "while true; do"]), BTreeMap::new()).unwrap();
    h.err.clear();
    assert_eq!(p.run(&mut h), Poll::Exited(2));
    assert_eq!(h.err, "sh: syntax error: unexpected end of file (expecting \"done\")\n");
    assert_eq!(Process::spawn(&argv(&["nginx"]), BTreeMap::new()).unwrap_err(), "nginx");
    let env = BTreeMap::from([("GREETING".to_string(), "hello".to_string())]);
    let mut p = Process::spawn(&argv(&["printenv", "GREETING"]), env).unwrap();
    h.out.clear();
    assert_eq!(p.run(&mut h), Poll::Exited(0));
    assert_eq!(h.out, "hello\n");
}

#[test]
fn ls_long_format() {
    let mut fs = MemFs::from_files([("/d/a.txt", "hello")], ["/d/sub"]);
    fs.write("/d/b", "", WriteMode::Truncate, 61_000).unwrap();
    let mut h = TestHost::new(fs);
    h.now = 120_000;
    let (st, out, _) = run_all("ls -l /d; ls -a /d; ls -1 /d/a.txt /d/sub", &mut h);
    assert_eq!(st, 0);
    assert_eq!(
        out,
        "total 8\n\
-rw-r--r--    1 root     root             5 Aug 27 00:00 a.txt\n\
-rw-r--r--    1 root     root             0 Aug 27 00:01 b\n\
drwxr-xr-x    2 root     root          4096 Aug 27 00:00 sub\n\
.\n..\na.txt\nb\nsub\n\
/d/a.txt\n\n/d/sub:\n"
    );
}

#[test]
fn network_commands() {
    let mut h = TestHost::new(MemFs::from_files([], ["/tmp"]));
    h.http.insert(
        "http://web".into(),
        HttpOutcome::Response {
            ip: "10.96.0.12".into(),
            port: 80,
            status: 200,
            reason: "OK".into(),
            headers: vec![("Content-Length".into(), "12".into())],
            body: "<h1>hi</h1>\n".into(),
        },
    );
    h.http.insert(
        "http://web/missing".into(),
        HttpOutcome::Response {
            ip: "10.96.0.12".into(),
            port: 80,
            status: 404,
            reason: "Not Found".into(),
            headers: Vec::new(),
            body: String::new(),
        },
    );
    h.http.insert("http://down:8080/".into(), HttpOutcome::Refused { ip: "10.96.0.13".into(), port: 8080 });
    h.http.insert("http://slow".into(), HttpOutcome::TimedOut { ip: "10.96.0.14".into(), port: 80 });
    let (st, out, err) = run_all("wget -qO- web", &mut h);
    assert_eq!((st, out.as_str(), err.as_str()), (0, "<h1>hi</h1>\n", ""));
    let (st, _, err) = run_all("cd /tmp && wget web && cat index.html && wget web", &mut h);
    assert_eq!(st, 1);
    assert_eq!(
        err,
        "Connecting to web (10.96.0.12:80)\nsaving to 'index.html'\n\
index.html           100% |********************************|    12  0:00:00 ETA\n'index.html' saved\n\
Connecting to web (10.96.0.12:80)\nwget: can't open 'index.html': File exists\n"
    );
    let (st, _, err) = run_all("wget -q -O - http://web/missing", &mut h);
    assert_eq!((st, err.as_str()), (1, "wget: server returned error: HTTP/1.1 404 Not Found\n"));
    let (st, _, err) = run_all("wget -O- down:8080/", &mut h);
    assert_eq!(
        (st, err.as_str()),
        (1, "Connecting to down:8080 (10.96.0.13:8080)\nwget: can't connect to remote host (10.96.0.13): Connection refused\n")
    );
    let (st, _, err) = run_all("wget -q nope", &mut h);
    assert_eq!((st, err.as_str()), (1, "wget: bad address 'nope'\n"));
    h.now = 0;
    let (st, _, err) = run_all("wget -q -T 5 slow; date +%S", &mut h);
    assert_eq!((st, err.as_str()), (0, "wget: download timed out\n"));
    assert_eq!(h.now, 5_000);

    h.dns.insert(
        "kubernetes.default".into(),
        DnsOutcome::Answers {
            server: "10.96.0.10".into(),
            answers: vec![DnsAnswer::Found {
                name: "kubernetes.default.svc.cluster.local".into(),
                addresses: vec!["10.96.0.1".into()],
            }],
        },
    );
    h.dns.insert(
        "x".into(),
        DnsOutcome::Answers { server: "10.96.0.10".into(), answers: vec![DnsAnswer::NxDomain { name: "x".into() }] },
    );
    let (st, out, _) = run_all("nslookup kubernetes.default", &mut h);
    assert_eq!(
        (st, out.as_str()),
        (0, "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tkubernetes.default.svc.cluster.local\nAddress: 10.96.0.1\n\n")
    );
    let (st, out, _) = run_all("nslookup x", &mut h);
    assert_eq!(
        (st, out.as_str()),
        (1, "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n** server can't find x: NXDOMAIN\n\n")
    );

    h.pings.insert("web".into(), PingOutcome::Reply { ip: "10.244.1.5".into(), ttl: 64, rtt_us: 85 });
    h.now = 0;
    let (st, out, _) = run_all("ping -c 2 web", &mut h);
    assert_eq!(st, 0);
    assert_eq!(
        out,
        "PING web (10.244.1.5): 56 data bytes\n64 bytes from 10.244.1.5: seq=0 ttl=64 time=0.085 ms\n\
64 bytes from 10.244.1.5: seq=1 ttl=64 time=0.085 ms\n\n--- web ping statistics ---\n\
2 packets transmitted, 2 packets received, 0% packet loss\nround-trip min/avg/max = 0.085/0.085/0.085 ms\n"
    );
    assert_eq!(h.now, 1_000);

    h.tcp.insert(("web".into(), 80), ConnectOutcome::Open { ip: "10.96.0.12".into() });
    h.tcp.insert(("web".into(), 81), ConnectOutcome::Refused { ip: "10.96.0.12".into() });
    let (st, _, err) = run_all("nc -zv web 80 && nc -z -w 1 web 81", &mut h);
    assert_eq!((st, err.as_str()), (1, "web (10.96.0.12:80) open\nnc: web (10.96.0.12:81): Connection refused\n"));
}

/// Random inputs never panic the parser or the shell, and every run ends or yields within its budget.
#[test]
fn curl_silent_hides_errors_unless_show_error() {
    let mut h = TestHost::new(MemFs::from_files([], ["/tmp"]));
    h.curl = true;
    h.http.insert("http://slow".into(), HttpOutcome::TimedOut { ip: "10.96.0.14".into(), port: 80 });
    let w = "-o /dev/null -w '%{http_code}\\n'";
    let (st, out, err) = run_all(&format!("curl -s -m 2 {w} http://slow"), &mut h);
    assert_eq!((st, out.as_str(), err.as_str()), (28, "000\n", ""));
    let (st, out, err) = run_all(&format!("curl -sS -m 2 {w} http://slow"), &mut h);
    assert_eq!(
        (st, out.as_str(), err.as_str()),
        (28, "000\n", "curl: (28) Connection timed out after 2000 milliseconds\n")
    );
    let (st, _, err) = run_all("curl -sS nowhere", &mut h);
    assert_eq!((st, err.as_str()), (6, "curl: (6) Could not resolve host: nowhere\n"));
    // Without -s and with output to a pipe, the progress meter comes first (on standard error).
    let (st, _, err) = run_all("curl nowhere", &mut h);
    assert_eq!(st, 6);
    assert!(err.starts_with("  % Total    % Received % Xferd"), "{err}");
    assert!(err.ends_with("--:--:--     0\ncurl: (6) Could not resolve host: nowhere\n"), "{err}");
}

#[test]
fn curl_prints_headers_bodies_and_refusals() {
    let mut h = TestHost::new(MemFs::from_files([], ["/tmp"]));
    h.curl = true;
    h.http.insert(
        "http://web".into(),
        HttpOutcome::Response {
            ip: "10.96.0.12".into(),
            port: 80,
            status: 200,
            reason: "OK".into(),
            headers: vec![("Server".into(), "nginx/1.29.1".into()), ("Content-Length".into(), "12".into())],
            body: "<h1>hi</h1>\n".into(),
        },
    );
    h.http.insert("http://down:8080".into(), HttpOutcome::Refused { ip: "10.96.0.13".into(), port: 8080 });
    let (st, out, err) = run_all("curl -sI web", &mut h);
    assert_eq!(
        (st, out.as_str(), err.as_str()),
        (0, "HTTP/1.1 200 OK\r\nServer: nginx/1.29.1\r\nContent-Length: 12\r\n\r\n", "")
    );
    let (st, out, _) = run_all("curl -si web", &mut h);
    assert_eq!((st, out.ends_with("\r\n\r\n<h1>hi</h1>\n")), (0, true));
    let (st, out, _) = run_all("curl -s -o /tmp/page web -w '%{http_code} %{size_download}' && cat /tmp/page", &mut h);
    assert_eq!((st, out.as_str()), (0, "200 12<h1>hi</h1>\n"));
    let (st, _, err) = run_all("curl -sS http://down:8080", &mut h);
    assert_eq!(
        (st, err.as_str()),
        (7, "curl: (7) Failed to connect to down port 8080 after 0 ms: Connection refused\n")
    );
}

#[test]
fn random_scripts_never_panic() {
    let mut rng = crate::rng::Rng::new(7);
    let alphabet: Vec<char> =
        "ab $(){}[]|&;<>'\"\\`#=*?-+/%:!\n\t0123456789echoifthenfiwhiledodonecase inesac${}é→~%".chars().collect();
    for _ in 0..6000 {
        let len = (rng.next_u64() % 40) as usize;
        let src: String = (0..len).map(|_| alphabet[(rng.next_u64() % alphabet.len() as u64) as usize]).collect();
        if let Ok(prog) = Program::parse(&src) {
            let mut p = Process::new(prog, vec!["sh".into()], BTreeMap::new())
                .with_limits(Limits { ops_per_run: 200, slice_ms: 1 });
            let mut h = TestHost::new(MemFs::new());
            for _ in 0..5 {
                match p.run(&mut h) {
                    Poll::Exited(_) => break,
                    Poll::SleepUntil(t) => h.now = t.min(1 << 40),
                }
            }
        }
    }
    let bytes: Vec<u8> = (0..4000).map(|_| (rng.next_u64() % 256) as u8).collect();
    for chunk in bytes.chunks(37) {
        let _ = Program::parse(&String::from_utf8_lossy(chunk));
    }
    // Deep nesting is refused, not a stack overflow.
    assert!(Program::parse(&"(".repeat(10_000)).is_err());
    assert!(Program::parse(&"$(".repeat(10_000)).is_err());
}

#[test]
fn odd_arguments_do_not_panic() {
    for src in [
        "sleep é",
        "sleep 1é",
        "head -é",
        "tail -n é",
        "printf '%é %5.2' é",
        "wget -Oé é",
        "X=é→; echo ${X#?} ${X%?} ${#X}",
        "seq é",
        "expr é + 1",
        "ls -é",
        "rm -é",
        "[ é -eq 1 ]",
        "echo -e '\\xé\\0777'",
        "cd é",
        "kill -é 1",
        "trap x é",
        "nc -wé é é",
        "ping -c é é",
        "date +%é",
        "grep '[é' /",
        "grep -E '(' /",
        "echo $((é))",
        "echo ${é}",
        "exit 99999999999999999999",
        "set -- a; shift 5",
        "read",
        "wait",
        "cat <<",
        "f() { f; }; f",
        "break 0; continue é",
        "exec",
        "eval 'if'",
    ] {
        if Program::parse(src).is_ok() {
            let _ = sh(src);
        }
    }
}

#[test]
fn find_lists_and_deletes_as_the_pv_recycler_does() {
    let mut host = TestHost::new(MemFs::from_files(
        [("/scrub/a.txt", "a"), ("/scrub/.hidden", "h"), ("/scrub/sub/b.txt", "b")],
        ["/tmp"],
    ));
    let (st, out, err) = run_all("find /scrub -mindepth 1", &mut host);
    assert_eq!((st, err.as_str()), (0, ""));
    assert_eq!(out, "/scrub/.hidden\n/scrub/a.txt\n/scrub/sub\n/scrub/sub/b.txt\n");
    let (st, out, _) = run_all("find /scrub -type f -name '*.txt'", &mut host);
    assert_eq!((st, out.as_str()), (0, "/scrub/a.txt\n/scrub/sub/b.txt\n"));
    // The recycler's scrub (k/k `NewPersistentVolumeRecyclerPodTemplate`).
    let scrub = "test -e /scrub && find /scrub -mindepth 1 -delete && test -z \"$(ls -A /scrub)\" || exit 1";
    assert_eq!(run_all(scrub, &mut host), (0, String::new(), String::new()));
    assert!(host.fs.is_dir("/scrub"));
    assert_eq!(host.fs.list("/scrub").unwrap(), Vec::<String>::new());
    assert_eq!(run_all("find /nope", &mut host), (1, String::new(), "find: /nope: No such file or directory\n".into()));
    assert_eq!(run_all("find / -bogus", &mut host), (1, String::new(), "find: unrecognized: -bogus\n".into()));
}
