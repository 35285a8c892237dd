#![cfg(feature = "watch")]
//! `iotxfer watch` against a real broker: Debian's `mosquitto` on a free loopback port, the
//! messages published with `mosquitto_pub`, and the verdicts read from `watch`'s output.
//!
//! The watch is ready when the broker has logged its subscriptions (`log_type subscribe` on
//! standard error, which is not buffered): mosquitto handles one client's packets in order and
//! one at a time, so a message published after that line is matched against them. No probe
//! messages, so every line of the output is a message a test published.
//!
//! `.ci/run` installs `mosquitto` and `mosquitto-clients`; elsewhere, without them, the tests
//! say so and stop (under `CI` they fail instead).

use std::io::Write;
use std::net::{Ipv4Addr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

mod local;

use local::{free_port, wait_for};

/// The deadline DJI documents for `ota_create_reply` (schema/dji/firmware.toml).
const OTA_CREATE_DEADLINE: Duration = Duration::from_secs(3);

/// Whether mosquitto and its clients are here; under `CI` they must be.
fn have_mosquitto() -> bool {
    local::have(
        &["mosquitto", "mosquitto_pub", "mosquitto_passwd"],
        "the watch test",
    )
}

/// A vendor example of the corpus, as its file holds it.
fn example(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus/examples")
        .join(format!("{name}.json"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// mosquitto on a free loopback port, its log in a file; killed, and its directory removed,
/// when dropped.
struct Broker {
    child: Child,
    port: u16,
    dir: PathBuf,
    config: PathBuf,
    log: PathBuf,
    /// `-u` and `-P` for `mosquitto_pub`, when the broker wants them.
    credentials: Option<(String, String)>,
    /// The CA that signed the broker's certificate, when it speaks TLS.
    ca: Option<PathBuf>,
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Broker {
    /// A broker for anyone, or with `credentials` for the one user of its password file only.
    fn start(name: &str, credentials: Option<(&str, &str)>) -> Broker {
        Broker::start_with(name, credentials, false, "")
    }

    /// The same, speaking TLS with a certificate for 127.0.0.1 signed by a CA of its own when
    /// `tls`, and with the lines of `config` added to its configuration.
    fn start_with(
        name: &str,
        credentials: Option<(&str, &str)>,
        tls: bool,
        config: &str,
    ) -> Broker {
        let dir = std::env::temp_dir().join(format!("iotxfer-watch-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let access = match credentials {
            None => "allow_anonymous true\n".to_owned(),
            Some((user, password)) => {
                let file = dir.join("passwd");
                let status = Command::new("mosquitto_passwd")
                    .args(["-b", "-c"])
                    .arg(&file)
                    .args([user, password])
                    .status()
                    .expect("mosquitto_passwd runs");
                assert!(status.success(), "mosquitto_passwd failed");
                format!("allow_anonymous false\npassword_file {}\n", file.display())
            }
        };
        let ca = tls.then(|| certificates(&dir));
        let security = match &ca {
            Some(ca) => format!(
                "cafile {}\ncertfile {}\nkeyfile {}\n",
                ca.display(),
                dir.join("server.pem").display(),
                dir.join("server.key").display()
            ),
            None => String::new(),
        };
        let extra = config;
        let log = dir.join("mosquitto.log");
        let config = dir.join("mosquitto.conf");
        // Another test may take the free port first: then the broker exits, and the next one
        // is tried.
        for _ in 0..5 {
            let port = free_port();
            std::fs::write(
                &config,
                format!(
                    "listener {port} 127.0.0.1\n{security}{access}{extra}log_dest stderr\n\
                     log_type error\nlog_type warning\nlog_type subscribe\nlog_timestamp false\n"
                ),
            )
            .expect("config");
            if let Some(child) = listening(&config, &log, port) {
                return Broker {
                    child,
                    port,
                    dir,
                    config,
                    log,
                    credentials: credentials.map(|(u, p)| (u.to_owned(), p.to_owned())),
                    ca,
                };
            }
        }
        panic!(
            "mosquitto did not start: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }

    /// Kills the broker.
    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Kills the broker and starts it again on its port, with a fresh log: its clients lose
    /// their connections and subscriptions, and the messages published meanwhile.
    fn restart(&mut self, down_for: Duration) {
        self.stop();
        std::thread::sleep(down_for);
        self.child = listening(&self.config, &self.log, self.port).unwrap_or_else(|| {
            panic!(
                "mosquitto did not start again: {}",
                std::fs::read_to_string(&self.log).unwrap_or_default()
            )
        });
    }

    fn url(&self) -> String {
        let scheme = if self.ca.is_some() { "mqtts" } else { "mqtt" };
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    /// Publishes `payload` on `topic` at QoS 1, not retained: `mosquitto_pub` returns once the
    /// broker has it.
    fn publish(&self, topic: &str, payload: &[u8]) {
        let mut command = Command::new("mosquitto_pub");
        command
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-q", "1"])
            .args(["-t", topic, "-s"]);
        if let Some((user, password)) = &self.credentials {
            command.args(["-u", user, "-P", password]);
        }
        if let Some(ca) = &self.ca {
            command.arg("--cafile").arg(ca);
        }
        let mut child = command
            .stdin(Stdio::piped())
            .spawn()
            .expect("mosquitto_pub runs");
        let mut stdin = child.stdin.take().expect("its stdin");
        stdin.write_all(payload).expect("the payload");
        drop(stdin);
        let status = child.wait().expect("mosquitto_pub ends");
        assert!(status.success(), "mosquitto_pub failed for {topic}");
    }

    /// Whether the broker has logged `client`'s subscription to `filter`.
    fn subscribed(&self, client: &str, filter: &str) -> bool {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let prefix = format!("{client} ");
        log.lines().any(|line| {
            line.strip_prefix(&prefix)
                .and_then(|rest| rest.split_once(' '))
                .is_some_and(|(_qos, f)| f == filter)
        })
    }
}

/// mosquitto started with `config`, its log in `log`, once it listens on `port`; `None` if it
/// exited first (another process took the port).
fn listening(config: &Path, log: &Path, port: u16) -> Option<Child> {
    let mut child = Command::new("mosquitto")
        .arg("-c")
        .arg(config)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).expect("log file"))
        .spawn()
        .expect("mosquitto starts");
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok() {
            return Some(child);
        }
        if child.try_wait().expect("mosquitto's status").is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

/// A CA, and a certificate for 127.0.0.1 it signed (`server.pem`, `server.key`), made with
/// openssl in `dir`; the CA's certificate.
fn certificates(dir: &Path) -> PathBuf {
    let openssl = |args: &[&str]| {
        let status = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .stderr(Stdio::null())
            .status()
            .expect("openssl runs");
        assert!(status.success(), "openssl {args:?} failed");
    };
    let key = ["-newkey", "rsa:2048", "-nodes", "-days", "2"];
    openssl(
        &[
            &["req", "-x509", "-subj", "/CN=iotxfer test CA"][..],
            &key,
            &["-keyout", "ca.key", "-out", "ca.pem"],
        ]
        .concat(),
    );
    openssl(
        &[
            &["req", "-subj", "/CN=127.0.0.1"][..],
            &key[..3],
            &["-keyout", "server.key", "-out", "server.csr"],
        ]
        .concat(),
    );
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .expect("extensions");
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "server.ext",
        "-out",
        "server.pem",
    ]);
    // mosquitto started as root reads its files as the `mosquitto` user.
    let readable = std::os::unix::fs::PermissionsExt::from_mode(0o644);
    std::fs::set_permissions(dir.join("server.key"), readable).expect("chmod");
    dir.join("ca.pem")
}

/// `iotxfer watch` running, its standard output and error in files; killed when dropped.
struct Watch {
    child: Child,
    client: String,
    out: PathBuf,
    err: PathBuf,
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How a watch ended.
struct Ended {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

impl Watch {
    /// `iotxfer watch --broker URL --client-id ID` and `args`.
    fn start(broker: &Broker, name: &str, args: &[&str]) -> Watch {
        Watch::start_with(broker, name, args, None)
    }

    /// The same, with `IOTXFER_PASSWORD` set to `password`.
    fn start_with(broker: &Broker, name: &str, args: &[&str], password: Option<&str>) -> Watch {
        let client = format!("iotxfer-test-{name}-{}", std::process::id());
        let out = broker.dir.join(format!("{name}.out"));
        let err = broker.dir.join(format!("{name}.err"));
        let mut command = Command::new(env!("CARGO_BIN_EXE_iotxfer"));
        command
            .args(["watch", "--broker", &broker.url(), "--client-id", &client])
            .args(args)
            .env_remove("IOTXFER_PASSWORD")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&out).expect("output file"))
            .stderr(std::fs::File::create(&err).expect("error file"));
        if let Some(password) = password {
            command.env("IOTXFER_PASSWORD", password);
        }
        Watch {
            child: command.spawn().expect("iotxfer runs"),
            client,
            out,
            err,
        }
    }

    /// Waits until the broker has the watch's subscription to each of `filters`.
    fn wait_subscribed(&mut self, broker: &Broker, filters: &[&str]) {
        wait_for("the subscriptions", Duration::from_secs(10), || {
            if let Some(status) = self.child.try_wait().expect("the watch's status") {
                panic!(
                    "the watch ended before it subscribed ({status}): {}",
                    std::fs::read_to_string(&self.err).unwrap_or_default()
                );
            }
            filters.iter().all(|f| broker.subscribed(&self.client, f))
        });
    }

    /// What the watch has written so far, one JSON object a line (`--format json`).
    fn objects(&self) -> Vec<Value> {
        let out = std::fs::read_to_string(&self.out).unwrap_or_default();
        // A line being written has no newline yet.
        out.split_inclusive('\n')
            .filter(|l| l.ends_with('\n'))
            .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
            .collect()
    }

    /// Waits until the watch has printed an object for which `seen` holds.
    fn wait_printed(&mut self, what: &str, seen: impl Fn(&Value) -> bool) {
        wait_for(what, Duration::from_secs(10), || {
            if self.child.try_wait().expect("the watch's status").is_some() {
                panic!("the watch ended before it printed {what}");
            }
            self.objects().iter().any(&seen)
        });
    }

    /// Sends the watch SIGINT, as Ctrl-C does.
    fn interrupt(&self) {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -INT failed");
    }

    /// Waits until the watch has said `what` on its standard error.
    fn wait_said(&mut self, what: &str) {
        wait_for(what, Duration::from_secs(10), || {
            if self.child.try_wait().expect("the watch's status").is_some() {
                panic!("the watch ended before it said {what}");
            }
            std::fs::read_to_string(&self.err).is_ok_and(|e| e.contains(what))
        });
    }

    /// Waits for the watch to end by itself, within `timeout`.
    fn end(mut self, timeout: Duration) -> Ended {
        let status = {
            let start = Instant::now();
            loop {
                if let Some(status) = self.child.try_wait().expect("the watch's status") {
                    break status;
                }
                assert!(
                    start.elapsed() < timeout,
                    "the watch did not end within {timeout:?}"
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        };
        Ended {
            status,
            stdout: std::fs::read_to_string(&self.out).expect("the output"),
            stderr: std::fs::read_to_string(&self.err).expect("the errors"),
        }
    }
}

/// The one message verdict of a `--format json` output on `topic`.
fn only_on<'v>(messages: &[&'v Value], topic: &str) -> &'v Value {
    let on: Vec<_> = messages.iter().filter(|m| m["topic"] == topic).collect();
    assert_eq!(on.len(), 1, "one verdict on {topic}: {on:?}");
    on[0]
}

/// Every published message is judged once, `$` topics included, and the request nobody answers is a violation.
#[test]
fn watch_judges_each_message_and_finds_the_unanswered_request() {
    if !have_mosquitto() {
        return;
    }
    let broker = Broker::start("json", None);
    let args = ["--duration", "8s", "--format", "json", "--deadline", "2s"];
    let mut watch = Watch::start(&broker, "json", &args);
    let started = Instant::now();
    // `#` does not match topics that begin with `$`: those come through their own filters.
    watch.wait_subscribed(
        &broker,
        &[
            "#",
            "$oc/devices/+/sys/events/up",
            "$resource/up/service/+/+",
        ],
    );
    let ready = started.elapsed();

    broker.publish("thing/product/DOCK1/services", &example("003-ota_create"));
    broker.publish("iotxfer/not/covered", br#"{"hello":"world"}"#);
    broker.publish("thing/product/DOCK1/events", b"{not json");
    watch.wait_printed("the request's verdict", |v| {
        v["topic"] == "thing/product/DOCK1/services"
    });
    let huawei = String::from_utf8(example("con-huawei-upgrade_progress_report"))
        .expect("UTF-8")
        .replace("d1234", "D1");
    broker.publish("$oc/devices/D1/sys/events/up", huawei.as_bytes());
    broker.publish(
        "$resource/up/service/P/D",
        &example("000-report_download_progress"),
    );
    let published = started.elapsed();
    // Judged while the watch runs, though DOCK1 sends nothing more: the watch's clock runs
    // for every device. A request stays open for a second deadline, so that a late reply is
    // still its own.
    watch.wait_printed("the unanswered request", |v| {
        v["rule"] == "dji/firmware/ota_create_answered"
    });
    assert!(
        started.elapsed() < Duration::from_secs(8) && published < 2 * OTA_CREATE_DEADLINE,
        "ready after {ready:?}, all published after {published:?}: too slow for --duration 8s"
    );
    let ended = watch.end(Duration::from_secs(20));
    eprintln!(
        "ready after {ready:?}, all published after {published:?}, ended after {:?}",
        started.elapsed()
    );

    let objects: Vec<Value> = ended
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    let messages: Vec<&Value> = objects.iter().filter(|o| o.get("line").is_some()).collect();
    let findings: Vec<&Value> = objects.iter().filter(|o| o.get("rule").is_some()).collect();
    assert_eq!(
        messages.len() + findings.len(),
        objects.len(),
        "each object is a message or a finding: {}",
        ended.stdout
    );
    // Numbered in the order they were published.
    let expected = [
        (
            "thing/product/DOCK1/services",
            "ok",
            Some("dji/firmware/ota_create"),
        ),
        ("iotxfer/not/covered", "not_covered", None),
        ("thing/product/DOCK1/events", "violation", None),
        (
            "$oc/devices/D1/sys/events/up",
            "ok",
            Some("huawei/ota/upgrade_progress_report"),
        ),
        (
            "$resource/up/service/P/D",
            "ok",
            Some("tencent/resource/report_download_progress"),
        ),
    ];
    assert_eq!(messages.len(), expected.len(), "{}", ended.stdout);
    for (number, (topic, verdict, message)) in (1..).zip(expected) {
        let m = only_on(&messages, topic);
        assert_eq!(m["line"], number, "{m}");
        assert_eq!(m["verdict"], verdict, "{m}");
        assert_eq!(m["message"].as_str(), message, "{m}");
        let errors = m["errors"].as_array().expect("errors");
        assert_eq!(errors.is_empty(), verdict != "violation", "{m}");
    }
    let malformed = only_on(&messages, "thing/product/DOCK1/events");
    assert!(
        malformed["errors"][0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("JSON")),
        "{malformed}"
    );

    let unanswered: Vec<_> = findings
        .iter()
        .filter(|f| f["rule"] == "dji/firmware/ota_create_answered")
        .collect();
    assert_eq!(unanswered.len(), 1, "{}", ended.stdout);
    let f = unanswered[0];
    assert_eq!(f["verdict"], "violation", "{f}");
    assert_eq!(f["lines"], serde_json::json!([1]), "{f}");
    assert_eq!(f["device"], "DOCK1", "{f}");
    assert!(
        f["reason"].as_str().is_some_and(|r| r.contains("3 s")),
        "{f}"
    );
    // The Tencent request is unanswered too, by the `--deadline` of 2 s; nothing else is a
    // violation.
    let tencent = "tencent/resource/requests_answered";
    for other in findings
        .iter()
        .filter(|f| f["rule"] != "dji/firmware/ota_create_answered")
    {
        let verdict = if other["rule"] == tencent {
            "violation"
        } else {
            "not_judged"
        };
        assert_eq!(other["verdict"], verdict, "{other}");
    }

    assert_eq!(ended.status.code(), Some(1), "{}", ended.stderr);
    assert!(
        ended
            .stderr
            .contains("5 lines: 3 ok, 1 violation, 1 not covered"),
        "the summary: {}",
        ended.stderr
    );
}

/// `--format junit` writes one XML report at the end, and `--filter` narrows the subscription.
/// The request is still within its 3 s deadline when the 2 s end: the watch waits for its
/// reply, and judges it unanswered.
#[test]
fn junit_report_of_a_filtered_watch() {
    if !have_mosquitto() {
        return;
    }
    let broker = Broker::start("junit", None);
    let filter = "thing/product/+/services";
    let args = ["--duration", "2s", "--format", "junit", "--filter", filter];
    let mut watch = Watch::start(&broker, "junit", &args);
    let started = Instant::now();
    watch.wait_subscribed(&broker, &[filter]);
    let ready = started.elapsed();
    // Outside the filter, though `#` and the `$` filters of the definitions would match them;
    // published first, so that they would be in before the request that is seen.
    broker.publish("thing/product/DOCK2/events", b"{not json");
    broker.publish(
        "$oc/devices/D2/sys/events/up",
        &example("con-huawei-upgrade_progress_report"),
    );
    broker.publish("thing/product/DOCK1/services", &example("003-ota_create"));
    let published = started.elapsed();
    let ended = watch.end(Duration::from_secs(15));
    eprintln!(
        "ready after {ready:?}, all published after {published:?}, ended after {:?}",
        started.elapsed()
    );
    assert!(
        published < Duration::from_millis(1500),
        "published after {published:?}: too slow for --duration 2s"
    );

    let xml = &ended.stdout;
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
        "{xml}"
    );
    let root = xml.lines().nth(1).unwrap_or_default();
    assert!(root.starts_with("<testsuites "), "the root: {xml}");
    assert!(root.contains(r#"failures="1""#), "{xml}");
    assert!(xml.ends_with("</testsuites>\n"), "{xml}");
    assert_eq!(
        xml.matches("<testsuite ").count(),
        xml.matches("</testsuite>").count(),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<testcase classname="dji/firmware/ota_create" name="DOCK1" time="0"/>"#),
        "the request's case: {xml}"
    );
    assert!(
        xml.contains(r#"<testcase classname="dji/firmware/ota_create_answered" name="DOCK1" time="0">
      <failure message="1 of 1 failed" type="violation">lines 1: no `ota_create_reply` within the deadline of 3 s</failure>"#),
        "the request's conversation: {xml}"
    );
    assert!(
        !xml.contains("DOCK2"),
        "a message outside the filter: {xml}"
    );
    assert!(
        !xml.contains("huawei"),
        "a message outside the filter: {xml}"
    );
    assert_eq!(xml.matches("<failure").count(), 1, "{xml}");
    assert!(ended.stderr.contains("waiting until"), "{}", ended.stderr);
    assert_eq!(ended.status.code(), Some(1), "{}", ended.stderr);
}

/// A username and password log in (from `--password` or `IOTXFER_PASSWORD`); a wrong or missing one exits 2 with an error.
#[test]
fn username_and_password_log_in_and_a_wrong_password_exits_2() {
    if !have_mosquitto() {
        return;
    }
    let broker = Broker::start("auth", Some(("watcher", "s3cret")));
    let both = [
        ("flag", vec!["--password", "s3cret"], None),
        ("env", vec![], Some("s3cret")),
    ];
    for (name, password, env) in both {
        let mut args = vec!["--duration", "2s", "--format", "json", "--filter", "#"];
        args.extend(["--username", "watcher", "--qos", "2"]);
        args.extend(password);
        let mut watch = Watch::start_with(&broker, name, &args, env);
        let started = Instant::now();
        watch.wait_subscribed(&broker, &["#"]);
        broker.publish("thing/product/DOCK1/events", &example("003-ota_progress"));
        watch.wait_printed("the message's verdict", |v| v.get("line").is_some());
        let ended = watch.end(Duration::from_secs(15));
        eprintln!("{name}: ended after {:?}", started.elapsed());
        let verdicts: Vec<Value> = ended
            .stdout
            .lines()
            .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
            .collect();
        assert_eq!(verdicts.len(), 1, "{}", ended.stdout);
        assert_eq!(verdicts[0]["verdict"], "ok", "{}", ended.stdout);
        assert_eq!(verdicts[0]["message"], "dji/firmware/ota_progress");
        assert_eq!(ended.status.code(), Some(0), "{name}: {}", ended.stderr);
    }

    let refused = [
        (
            "wrong",
            vec!["--username", "watcher", "--password", "wrong"],
        ),
        (
            "unknown",
            vec!["--username", "nobody", "--password", "s3cret"],
        ),
        ("anonymous", vec![]),
    ];
    for (name, credentials) in refused {
        let mut args = vec!["--duration", "30s", "--format", "json"];
        args.extend(credentials);
        let watch = Watch::start(&broker, name, &args);
        let started = Instant::now();
        // Long before the duration ends: the refusal ends the watch.
        let ended = watch.end(Duration::from_secs(10));
        eprintln!("{name}: refused after {:?}", started.elapsed());
        assert_eq!(ended.status.code(), Some(2), "{name}: {}", ended.stderr);
        let error = format!("iotxfer: the connection to {} failed", broker.url());
        assert!(ended.stderr.starts_with(&error), "{name}: {}", ended.stderr);
        assert!(ended.stdout.is_empty(), "{name}: {}", ended.stdout);
    }
}

/// Over TLS (`mqtts://`), the broker's certificate checked against `--ca`: the watch judges
/// what it receives; without `--ca` the system's roots do not know the test CA, and the
/// connection fails with exit 2.
#[test]
fn tls_with_the_brokers_ca_and_without() {
    if !have_mosquitto() {
        return;
    }
    if !local::have(&["openssl"], "the TLS watch test") {
        return;
    }
    let broker = Broker::start_with("tls", None, true, "");
    let ca = broker.ca.clone().expect("a CA");
    let ca = ca.to_str().expect("a UTF-8 path");
    let args = [
        "--duration",
        "2s",
        "--format",
        "json",
        "--filter",
        "#",
        "--ca",
        ca,
    ];
    let mut watch = Watch::start(&broker, "tls", &args);
    watch.wait_subscribed(&broker, &["#"]);
    broker.publish("thing/product/DOCK1/events", &example("003-ota_progress"));
    watch.wait_printed("the message's verdict", |v| v.get("line").is_some());
    let ended = watch.end(Duration::from_secs(15));
    assert_eq!(ended.status.code(), Some(0), "{}", ended.stderr);
    assert!(
        ended.stdout.contains(r#""verdict":"ok""#),
        "{}",
        ended.stdout
    );

    let untrusted = Watch::start(&broker, "untrusted", &["--duration", "30s"]);
    let ended = untrusted.end(Duration::from_secs(10));
    assert_eq!(ended.status.code(), Some(2), "{}", ended.stderr);
    assert!(ended.stderr.contains("failed"), "{}", ended.stderr);
}

/// The objects of a `--format json` output, one a line.
fn json_objects(out: &str) -> Vec<Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

/// Whether `xml` is well-formed, as xmllint reads it (when it is installed: `.ci/run`
/// installs it).
fn well_formed(xml: &str, dir: &Path) -> bool {
    if !local::have(&["xmllint"], "the XML check") {
        return true;
    }
    let file = dir.join("report.xml");
    std::fs::write(&file, xml).expect("the report");
    let status = Command::new("xmllint")
        .arg("--noout")
        .arg(&file)
        .status()
        .expect("xmllint runs");
    status.success()
}

/// The checks of a JUnit report that every watch writes whole, however it ends.
fn assert_whole_report(xml: &str, dir: &Path) {
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
        "{xml}"
    );
    assert!(xml.ends_with("</testsuites>\n"), "{xml}");
    assert!(well_formed(xml, dir), "not well-formed: {xml}");
}

/// The broker restarted in the middle of a watch: the watch reconnects and subscribes again,
/// judges what is published after the restart, reports the outage (JSON, JUnit), and writes
/// its whole report at the end; the request open during the outage is not judged, its reply
/// may have been lost. Its record reads back with the same verdicts.
#[test]
fn a_watch_survives_a_broker_restart() {
    if !have_mosquitto() {
        return;
    }
    let mut broker = Broker::start("restart", None);
    let capture = broker.dir.join("restart.jsonl");
    let record = capture.to_str().expect("a UTF-8 path");
    // The request's deadline is 3 s: it runs out after the outage, before the watch ends.
    let watching = ["--duration", "5s"];
    let mut json = Watch::start(
        &broker,
        "restart-json",
        &[&watching[..], &["--format", "json", "--record", record]].concat(),
    );
    let mut junit = Watch::start(
        &broker,
        "restart-junit",
        &[&watching[..], &["--format", "junit"]].concat(),
    );
    let started = Instant::now();
    for watch in [&mut json, &mut junit] {
        watch.wait_subscribed(&broker, &["#"]);
    }
    broker.publish("thing/product/DOCK1/services", &example("003-ota_create"));
    json.wait_printed("the message before the restart", |v| v["line"] == 1);

    broker.restart(Duration::from_millis(300));
    for watch in [&mut json, &mut junit] {
        watch.wait_subscribed(&broker, &["#"]);
    }
    let restored = started.elapsed();
    broker.publish("thing/product/DOCK1/events", &example("003-ota_progress"));
    json.wait_printed("the message after the restart", |v| v["line"] == 2);
    assert!(
        started.elapsed() < Duration::from_millis(4500),
        "subscribed again after {restored:?}: too slow for --duration 5s"
    );
    let ended = json.end(Duration::from_secs(20));
    let reports = junit.end(Duration::from_secs(10));
    eprintln!("subscribed again after {restored:?}");

    assert_eq!(
        ended.status.code(),
        Some(0),
        "{}{}",
        ended.stdout,
        ended.stderr
    );
    assert!(ended.stderr.contains("reconnecting"), "{}", ended.stderr);
    let objects = json_objects(&ended.stdout);
    let verdicts: Vec<&Value> = objects.iter().filter(|o| o.get("line").is_some()).collect();
    assert_eq!(verdicts.len(), 2, "{}", ended.stdout);
    assert!(
        verdicts.iter().all(|v| v["verdict"] == "ok"),
        "{}",
        ended.stdout
    );
    let outages: Vec<&Value> = objects
        .iter()
        .filter(|o| o["incident"] == "outage")
        .collect();
    assert_eq!(outages.len(), 1, "{}", ended.stdout);
    let outage = outages[0];
    assert!(outage["from"].as_str() < outage["to"].as_str(), "{outage}");
    assert!(
        outage["reason"]
            .as_str()
            .is_some_and(|r| r.contains("restored after")),
        "{outage}"
    );
    let request: Vec<&Value> = objects
        .iter()
        .filter(|o| o["rule"] == "dji/firmware/ota_create_answered")
        .collect();
    assert_eq!(request.len(), 1, "{}", ended.stdout);
    assert_eq!(request[0]["verdict"], "not_judged", "{}", request[0]);
    assert_eq!(
        request[0]["lines"],
        serde_json::json!([1]),
        "{}",
        request[0]
    );
    let why = outage["reason"].as_str().expect("a reason");
    assert!(
        request[0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains(why)),
        "the outage says why: {}",
        request[0]
    );

    // The record holds both messages, and `check` gives them the verdicts `watch` gave.
    let check = Command::new(env!("CARGO_BIN_EXE_iotxfer"))
        .args(["check", "--format", "json"])
        .arg(&capture)
        .output()
        .expect("iotxfer runs");
    let rechecked = json_objects(&String::from_utf8(check.stdout).expect("UTF-8"));
    let rechecked: Vec<&Value> = rechecked
        .iter()
        .filter(|o| o.get("line").is_some())
        .collect();
    assert_eq!(rechecked, verdicts, "the record read back");

    assert_eq!(reports.status.code(), Some(0), "{}", reports.stderr);
    let xml = &reports.stdout;
    assert_whole_report(xml, &broker.dir);
    assert!(xml.contains(r#"errors="1""#), "{xml}");
    assert!(!xml.contains("<failure"), "{xml}");
    assert!(
        xml.contains(r#"<testcase classname="watch" name="outage" time="0">"#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<testcase classname="dji/firmware/ota_progress" name="DOCK1" time="0"/>"#),
        "the message after the restart: {xml}"
    );
}

/// A broker that does not come back: the watch tries for `--reconnect-for`, then writes its
/// whole report, the outage in it, and exits 2.
#[test]
fn a_watch_that_cannot_reconnect_reports_and_exits_2() {
    if !have_mosquitto() {
        return;
    }
    let mut broker = Broker::start("gone", None);
    let args = [
        "--duration",
        "30s",
        "--format",
        "junit",
        "--reconnect-for",
        "1s",
    ];
    let mut watch = Watch::start(&broker, "gone", &args);
    watch.wait_subscribed(&broker, &["#"]);
    broker.publish("thing/product/DOCK1/events", &example("003-ota_progress"));
    // The message is in once the broker has sent it on: mosquitto_pub returned at QoS 1, and
    // the watch's QoS 1 delivery is on its way; give it a moment before the broker goes.
    std::thread::sleep(Duration::from_millis(300));
    broker.stop();
    let stopped = Instant::now();
    let ended = watch.end(Duration::from_secs(15));
    eprintln!("ended {:?} after the broker stopped", stopped.elapsed());
    assert_eq!(ended.status.code(), Some(2), "{}", ended.stderr);
    assert!(
        ended
            .stderr
            .contains("not restored within --reconnect-for 1s"),
        "{}",
        ended.stderr
    );
    assert_whole_report(&ended.stdout, &broker.dir);
    assert!(
        ended
            .stdout
            .contains(r#"<testcase classname="dji/firmware/ota_progress" name="DOCK1" time="0"/>"#),
        "{}",
        ended.stdout
    );
    assert!(
        ended
            .stdout
            .contains(r#"<testcase classname="watch" name="outage" time="0">"#),
        "{}",
        ended.stdout
    );
}

/// A 5 MB message, larger than `--max-payload`: `not_covered` on a topic outside the
/// definitions, a violation on one of theirs, and the watch goes on to judge what follows. Its
/// record, which holds a binary payload as mosquitto_sub does (cut at its NUL byte), reads back
/// with the same verdicts.
#[test]
fn an_oversized_message_is_judged_and_the_watch_goes_on() {
    if !have_mosquitto() {
        return;
    }
    let broker = Broker::start("big", None);
    let capture = broker.dir.join("big.jsonl");
    let record = capture.to_str().expect("a UTF-8 path");
    let args = ["--duration", "5s", "--format", "json", "--record", record];
    let mut watch = Watch::start(&broker, "big", &args);
    watch.wait_subscribed(&broker, &["#"]);
    let big = vec![b'x'; 5 << 20];
    let binary = b"{\"a\":\0\xff}";
    for payload in [&big[..], binary] {
        broker.publish("iotxfer/other", payload);
        broker.publish("thing/product/DOCK1/events", payload);
    }
    broker.publish("thing/product/DOCK1/events", &example("003-ota_progress"));
    watch.wait_printed("the message after the others", |v| v["line"] == 5);
    let ended = watch.end(Duration::from_secs(20));
    let objects = json_objects(&ended.stdout);
    let verdicts: Vec<&Value> = objects.iter().filter(|o| o.get("line").is_some()).collect();
    let kinds = |verdicts: &[&Value]| -> Vec<(String, String)> {
        let field = |v: &Value, key: &str| v[key].as_str().unwrap_or_default().to_owned();
        let each = verdicts
            .iter()
            .map(|v| (field(v, "topic"), field(v, "verdict")));
        each.collect()
    };
    let expected: Vec<(String, String)> = [
        ("iotxfer/other", "not_covered"),
        ("thing/product/DOCK1/events", "violation"),
        ("iotxfer/other", "not_covered"),
        ("thing/product/DOCK1/events", "violation"),
        ("thing/product/DOCK1/events", "ok"),
    ]
    .map(|(t, v)| (t.to_owned(), v.to_owned()))
    .into();
    assert_eq!(kinds(&verdicts), expected, "{}", ended.stdout);
    assert!(
        verdicts[1]["errors"][0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("5242880 bytes, over --max-payload")),
        "{}",
        verdicts[1]
    );
    assert_eq!(ended.status.code(), Some(1), "{}", ended.stderr);

    let check = Command::new(env!("CARGO_BIN_EXE_iotxfer"))
        .args(["check", "--format", "json"])
        .arg(&capture)
        .output()
        .expect("iotxfer runs");
    let rechecked = json_objects(&String::from_utf8_lossy(&check.stdout));
    let rechecked: Vec<&Value> = rechecked
        .iter()
        .filter(|o| o.get("line").is_some())
        .collect();
    assert_eq!(kinds(&rechecked), expected, "the record read back");
}

/// A broker that drops messages to the watch (a queue of one message, and a burst of 200) says
/// so in its counter, which the watch follows though its `--filter` does not match it, and
/// reports as an incident.
#[test]
fn the_brokers_drops_are_reported() {
    if !have_mosquitto() {
        return;
    }
    let limits = "sys_interval 1\nmax_inflight_messages 1\nmax_queued_messages 1\n";
    let broker = Broker::start_with("drops", None, false, limits);
    let args = [
        "--duration",
        "6s",
        "--format",
        "json",
        "--filter",
        "burst/#",
    ];
    let mut watch = Watch::start(&broker, "drops", &args);
    let counter = "$SYS/broker/publish/messages/dropped";
    watch.wait_subscribed(&broker, &["burst/#", counter]);
    let burst: String = (0..200).map(|n| format!("{{\"n\":{n}}}\n")).collect();
    let mut publisher = Command::new("mosquitto_pub")
        .args(["-h", "127.0.0.1", "-p", &broker.port.to_string()])
        .args(["-q", "1", "-t", "burst/x", "-l"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("mosquitto_pub runs");
    let mut stdin = publisher.stdin.take().expect("its stdin");
    stdin.write_all(burst.as_bytes()).expect("the burst");
    drop(stdin);
    assert!(publisher.wait().expect("mosquitto_pub ends").success());
    watch.wait_printed("the drops", |v| v["incident"] == "drops");
    let ended = watch.end(Duration::from_secs(20));
    let objects = json_objects(&ended.stdout);
    let verdicts = objects.iter().filter(|o| o.get("line").is_some()).count();
    assert!(
        (1..200).contains(&verdicts),
        "some of the burst, not all: {verdicts}"
    );
    assert!(
        objects
            .iter()
            .all(|o| o.get("topic") != Some(&Value::from(counter))),
        "the counter is not judged: {}",
        ended.stdout
    );
    let drops: Vec<&Value> = objects
        .iter()
        .filter(|o| o["incident"] == "drops")
        .collect();
    assert!(
        drops[0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("the broker dropped")),
        "{}",
        drops[0]
    );
    assert_eq!(ended.status.code(), Some(0), "{}", ended.stderr);
}

/// Ctrl-C ends the watch, which then says it waits for the replies still due (here for the 30 s
/// of the default deadline); a second Ctrl-C stops the wait, and the request still open is not
/// judged.
#[test]
fn a_second_ctrl_c_stops_the_wait_for_replies() {
    if !have_mosquitto() {
        return;
    }
    let broker = Broker::start("interrupt", None);
    let mut watch = Watch::start(&broker, "interrupt", &["--format", "json"]);
    watch.wait_subscribed(&broker, &["#"]);
    broker.publish(
        "$resource/up/service/P/D",
        &example("000-report_download_progress"),
    );
    watch.wait_printed("the request's verdict", |v| v["line"] == 1);
    watch.interrupt();
    watch.wait_said("waiting until");
    let waiting = Instant::now();
    watch.interrupt();
    let ended = watch.end(Duration::from_secs(10));
    eprintln!("ended {:?} after the second Ctrl-C", waiting.elapsed());
    assert_eq!(ended.status.code(), Some(0), "{}", ended.stderr);
    let objects = json_objects(&ended.stdout);
    let findings: Vec<&Value> = objects
        .iter()
        .filter(|o| o["rule"] == "tencent/resource/requests_answered")
        .collect();
    assert_eq!(findings.len(), 1, "{}", ended.stdout);
    assert_eq!(findings[0]["verdict"], "not_judged", "{}", findings[0]);
}
