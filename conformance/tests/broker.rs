//! End to end through a real MQTT broker: every valid vendor example is published on its topic
//! through Debian's `mosquitto` on a free loopback port, captured with `mosquitto_sub -F %j`
//! and the filters of `iotxfer topics --filters`, and the capture passes `iotxfer check`; and
//! the README's CI recipe, run as it is written there, judges the same traffic live, records it,
//! and fails a forgotten acknowledgement.
//!
//! `.ci/run` installs `mosquitto` and `mosquitto-clients`; elsewhere, without them, the test
//! says so and stops (under `CI` it fails instead).

use std::net::{Ipv4Addr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use iotxfer_conformance::corpus::{self, Expected};
use serde_json::Value;

mod local;

use local::{free_port, wait_for};

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

/// The broker on loopback, at QoS 1, for `mosquitto_pub` and `mosquitto_sub` alike.
fn connection(port: u16) -> [String; 6] {
    ["-h", "127.0.0.1", "-p", &port.to_string(), "-q", "1"].map(str::to_owned)
}

fn publish(port: u16, topic: &str, file: &Path) {
    if let Err(e) = try_publish(port, topic, file) {
        panic!("mosquitto_pub failed for {topic}: {e}");
    }
}

/// Publishes `file` on `topic`; what `mosquitto_pub` said when it fails.
fn try_publish(port: u16, topic: &str, file: &Path) -> Result<(), String> {
    let output = Command::new("mosquitto_pub")
        .args(connection(port))
        .args(["-t", topic, "-f"])
        .arg(file)
        .output()
        .expect("mosquitto_pub runs");
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
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

/// Whether mosquitto and its clients are here; under `CI` they must be.
fn have_mosquitto() -> bool {
    local::have(
        &["mosquitto", "mosquitto_sub", "mosquitto_pub"],
        "the broker test",
    )
}

/// A fresh directory and a broker on a free loopback port, stopped with the returned guard.
fn broker(name: &str) -> (PathBuf, u16, Running) {
    let dir = std::env::temp_dir().join(format!("iotxfer-{name}-{}", std::process::id()));
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
    (dir, port, running)
}

/// The valid examples of the corpus: (id, topic, payload).
fn valid_examples() -> Vec<(String, String, Vec<u8>)> {
    let corpus = corpus::load().expect("corpus");
    let valid: Vec<_> = corpus
        .examples
        .into_iter()
        .filter(|e| e.verdict == Expected::Valid)
        .map(|e| (e.id, e.topic, e.bytes))
        .collect();
    assert!(valid.len() >= 10, "{} valid examples", valid.len());
    valid
}

/// Every line verdict of a `--format json` output, each of which must be `ok`. Conversation
/// findings (objects with a `rule`) are left out: the vendor examples published one after
/// another are no coherent conversation.
fn all_ok(verdicts: &str) -> usize {
    let verdicts: Vec<Value> = verdicts
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("one JSON object per line"))
        .filter(|v| v.get("rule").is_none())
        .collect();
    for v in &verdicts {
        assert_eq!(v["verdict"], "ok", "{v}");
    }
    verdicts.len()
}

#[test]
fn valid_examples_published_through_mosquitto_all_check_ok() {
    if !have_mosquitto() {
        return;
    }
    let (dir, port, mut running) = broker("broker");
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

    // Publish a probe until it comes through: then the subscription is in place. A broker
    // that has just opened its port may still refuse a client, so a failed probe is retried.
    let probe_topic = "$resource/up/service/PROBE/probe";
    let probe = dir.join("probe.json");
    std::fs::write(&probe, br#"{"type":"get_download_task"}"#).expect("probe");
    wait_for("the subscription", Duration::from_secs(10), || {
        let _ = try_publish(port, probe_topic, &probe);
        std::thread::sleep(Duration::from_millis(100));
        captured(&capture)
            .iter()
            .any(|(topic, _)| topic == probe_topic)
    });

    let mut sent: Vec<(String, Vec<u8>)> = Vec::new();
    for (id, topic, bytes) in valid_examples() {
        let file: PathBuf = dir.join(format!("{id}.json"));
        std::fs::write(&file, &bytes).expect("payload file");
        publish(port, &topic, &file);
        sent.push((topic, bytes));
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

    // Messages alone: the examples published one after another are no coherent conversation.
    let check = Command::new(env!("CARGO_BIN_EXE_iotxfer"))
        .args(["check", "--no-flows", "--format", "json"])
        .arg(&capture)
        .output()
        .expect("iotxfer runs");
    let got = captured(&capture);
    let verdicts = all_ok(&String::from_utf8(check.stdout).expect("UTF-8"));
    assert_eq!(verdicts, got.len(), "a verdict per captured line");
    for (topic, payload) in &sent {
        assert!(
            got.contains(&(topic.clone(), payload.clone())),
            "missing from the capture: {topic}"
        );
    }
    assert_eq!(check.status.code(), Some(0));
    std::fs::remove_dir_all(&dir).expect("clean up");
}

/// The shell block under "Checking a device in CI" in the README.
fn readme_recipe() -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("the README");
    let section = readme
        .split_once("### Checking a device in CI")
        .expect("the recipe's section")
        .1;
    let block = section.split_once("```bash\n").expect("a bash block").1;
    block
        .split_once("```")
        .expect("the block's end")
        .0
        .to_owned()
}

/// The README's recipe, run as written in `dir` against the broker on `port`, with
/// `run-device-test.sh` publishing each `(topic, payload)` of `device` in turn; how the block
/// ended, and how long it took.
fn run_recipe(dir: &Path, port: u16, device: &[(String, Vec<u8>)]) -> (Output, Duration) {
    let mut script = String::from("#!/bin/sh\nset -e\n");
    for (n, (topic, bytes)) in device.iter().enumerate() {
        std::fs::write(dir.join(format!("{n}.json")), bytes).expect("payload file");
        script.push_str(&format!(
            "mosquitto_pub -h 127.0.0.1 -p {port} -q 1 -t '{topic}' -f '{n}.json'\n"
        ));
    }
    let file = dir.join("run-device-test.sh");
    std::fs::write(&file, script).expect("device script");
    std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("executable");

    let bin = Path::new(env!("CARGO_BIN_EXE_iotxfer"))
        .parent()
        .expect("bin dir");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let started = Instant::now();
    let run = Command::new("bash")
        .args(["-c", &readme_recipe()])
        .current_dir(dir)
        .env("BROKER", "127.0.0.1")
        .env("PORT", port.to_string())
        // The replies whose vendor documents no deadline: 2 s, not 30, for a short test.
        .env("DEADLINE", "2s")
        .env("PATH", path)
        .output()
        .expect("bash runs");
    (run, started.elapsed())
}

/// `iotxfer check --format json FILE`.
fn check_json(capture: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iotxfer"))
        .args(["check", "--format", "json"])
        .arg(capture)
        .output()
        .expect("iotxfer runs")
}

#[test]
fn the_readme_capture_recipe_works_as_written() {
    if !have_mosquitto() {
        return;
    }
    let (dir, port, running) = broker("recipe");
    // The device test: publish every valid example, as a device and a platform would.
    let sent: Vec<(String, Vec<u8>)> = valid_examples()
        .into_iter()
        .map(|(_, topic, bytes)| (topic, bytes))
        .collect();
    let (run, took) = run_recipe(&dir, port, &sent);
    drop(running);
    eprintln!("the recipe took {took:?}");
    // Exit 1 for the conversation findings between unrelated vendor examples; each message
    // must still be `ok`.
    assert!(
        matches!(run.status.code(), Some(0 | 1)),
        "the recipe failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let report = std::fs::read_to_string(dir.join("report.xml")).expect("the JUnit report");
    assert!(report.contains("<testsuites"), "{report}");
    assert!(report.ends_with("</testsuites>\n"), "{report}");
    let capture = dir.join("capture.jsonl");
    let got = captured(&capture);
    for (topic, payload) in &sent {
        assert!(
            got.contains(&(topic.clone(), payload.clone())),
            "the recipe's capture misses a message on {topic}"
        );
    }
    let verdicts = check_json(&capture);
    let verdicts = String::from_utf8(verdicts.stdout).expect("UTF-8");
    assert_eq!(all_ok(&verdicts), got.len(), "a verdict per captured line");
    std::fs::remove_dir_all(&dir).expect("clean up");
}

/// A dock's `ota_progress` asks for an acknowledgement (`need_reply: 1`) that never comes: the
/// recipe, run as written, fails (the watch in it exits 1), and its report names the rule.
/// `check` of its capture cannot tell: the deadline passes after the capture's last line.
#[test]
fn the_readme_recipe_fails_a_forgotten_acknowledgement() {
    if !have_mosquitto() {
        return;
    }
    let (dir, port, running) = broker("forgotten");
    let event = corpus::load()
        .expect("corpus")
        .examples
        .into_iter()
        .find(|e| e.id == "con-dji-ota_progress-current_step_int")
        .expect("the DJI ota_progress example");
    let asking = String::from_utf8(event.bytes)
        .expect("UTF-8")
        .replace(r#""need_reply":0"#, r#""need_reply":1"#);
    assert!(asking.contains(r#""need_reply":1"#), "{asking}");
    let (run, took) = run_recipe(&dir, port, &[(event.topic, asking.into_bytes())]);
    drop(running);
    let stderr = String::from_utf8_lossy(&run.stderr);
    eprintln!("the recipe took {took:?}; its stderr: {stderr}");
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("waiting until"), "{stderr}");
    assert!(
        took < Duration::from_secs(10),
        "the recipe took {took:?} with DEADLINE=2s"
    );
    let report = std::fs::read_to_string(dir.join("report.xml")).expect("the JUnit report");
    assert!(
        report.contains(r#"<testcase classname="dji/firmware/ota_progress_acknowledged""#)
            && report.contains("<failure"),
        "{report}"
    );

    let check = check_json(&dir.join("capture.jsonl"));
    assert_eq!(check.status.code(), Some(0), "the capture alone");
    let output = String::from_utf8(check.stdout).expect("UTF-8");
    assert!(
        output
            .contains(r#""rule":"dji/firmware/ota_progress_acknowledged","verdict":"not_judged""#),
        "{output}"
    );
    std::fs::remove_dir_all(&dir).expect("clean up");
}
