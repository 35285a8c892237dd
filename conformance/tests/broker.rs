//! End to end through a real MQTT broker: every valid vendor example is published on its topic
//! through Debian's `mosquitto` on a free loopback port, captured with `mosquitto_sub -F %j`
//! and the filters of `iotxfer topics --filters`, and the capture passes `iotxfer check`.
//!
//! `.ci/run` installs `mosquitto` and `mosquitto-clients`; elsewhere, without them, the test
//! says so and stops (under `CI` it fails instead).

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use iotxfer_conformance::corpus::{self, Expected};
use serde_json::Value;

/// Children that are killed when the test ends, however it ends.
struct Running(Vec<Child>);

impl Drop for Running {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("--help")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("a loopback port");
    listener.local_addr().expect("its address").port()
}

fn wait_for(what: &str, timeout: Duration, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The broker on loopback, at QoS 1, for `mosquitto_pub` and `mosquitto_sub` alike.
fn connection(port: u16) -> [String; 6] {
    ["-h", "127.0.0.1", "-p", &port.to_string(), "-q", "1"].map(str::to_owned)
}

fn publish(port: u16, topic: &str, file: &Path) {
    let status = Command::new("mosquitto_pub")
        .args(connection(port))
        .args(["-t", topic, "-f"])
        .arg(file)
        .status()
        .expect("mosquitto_pub runs");
    assert!(status.success(), "mosquitto_pub failed for {topic}");
}

/// The `(topic, payload)` of every line of a `%j` capture.
fn captured(capture: &Path) -> Vec<(String, Vec<u8>)> {
    std::fs::read_to_string(capture)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| {
            let record: Value = serde_json::from_str(line).ok()?;
            let topic = record["topic"].as_str()?.to_owned();
            let payload = record["payload"].as_str()?.as_bytes().to_vec();
            Some((topic, payload))
        })
        .collect()
}

#[test]
fn valid_examples_published_through_mosquitto_all_check_ok() {
    if !(installed("mosquitto") && installed("mosquitto_sub") && installed("mosquitto_pub")) {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI installs mosquitto and mosquitto-clients (.ci/run)"
        );
        eprintln!("mosquitto is not installed: the broker test did not run");
        return;
    }
    let dir = std::env::temp_dir().join(format!("iotxfer-broker-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let port = free_port();
    let config = dir.join("mosquitto.conf");
    std::fs::write(
        &config,
        format!("listener {port} 127.0.0.1\nallow_anonymous true\n"),
    )
    .expect("config");
    let mut running = Running(Vec::new());
    running.0.push(
        Command::new("mosquitto")
            .arg("-c")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("mosquitto starts"),
    );
    wait_for("the broker", Duration::from_secs(10), || {
        TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok()
    });

    let filters = Command::new(env!("CARGO_BIN_EXE_iotxfer"))
        .args(["topics", "--filters"])
        .output()
        .expect("iotxfer runs");
    let filters = String::from_utf8(filters.stdout).expect("UTF-8");
    let capture = dir.join("capture.jsonl");
    let mut subscriber = Command::new("mosquitto_sub");
    subscriber.args(connection(port)).args(["-F", "%j"]);
    for filter in filters.lines() {
        subscriber.args(["-t", filter]);
    }
    let output = std::fs::File::create(&capture).expect("capture file");
    running.0.push(
        subscriber
            .stdout(output)
            .stderr(Stdio::null())
            .spawn()
            .expect("mosquitto_sub starts"),
    );

    // Publish a probe until it comes through: then the subscription is in place.
    let probe_topic = "$resource/up/service/PROBE/probe";
    let probe = dir.join("probe.json");
    std::fs::write(&probe, br#"{"type":"get_download_task"}"#).expect("probe");
    wait_for("the subscription", Duration::from_secs(10), || {
        publish(port, probe_topic, &probe);
        std::thread::sleep(Duration::from_millis(100));
        captured(&capture)
            .iter()
            .any(|(topic, _)| topic == probe_topic)
    });

    let corpus = corpus::load().expect("corpus");
    let valid: Vec<_> = corpus
        .examples
        .iter()
        .filter(|e| e.verdict == Expected::Valid)
        .collect();
    assert!(valid.len() >= 10, "{} valid examples", valid.len());
    let mut sent: Vec<(String, Vec<u8>)> = Vec::new();
    for example in &valid {
        let file: PathBuf = dir.join(format!("{}.json", example.id));
        std::fs::write(&file, &example.bytes).expect("payload file");
        publish(port, &example.topic, &file);
        sent.push((example.topic.clone(), example.bytes.clone()));
    }
    wait_for(
        "every example to come through",
        Duration::from_secs(20),
        || {
            let got = captured(&capture);
            sent.iter().all(|s| got.contains(s))
        },
    );
    drop(running);

    let check = Command::new(env!("CARGO_BIN_EXE_iotxfer"))
        .args(["check", "--format", "json"])
        .arg(&capture)
        .output()
        .expect("iotxfer runs");
    let verdicts: Vec<Value> = String::from_utf8(check.stdout)
        .expect("UTF-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    let got = captured(&capture);
    assert_eq!(verdicts.len(), got.len(), "a verdict per captured line");
    for v in &verdicts {
        assert_eq!(v["verdict"], "ok", "{v}");
    }
    for (topic, payload) in &sent {
        assert!(
            got.contains(&(topic.clone(), payload.clone())),
            "missing from the capture: {topic}"
        );
    }
    assert_eq!(check.status.code(), Some(0));
    std::fs::remove_dir_all(&dir).expect("clean up");
}
