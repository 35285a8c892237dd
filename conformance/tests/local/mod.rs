//! What the tests that start a broker share: the tools on the machine, a free loopback port,
//! and waiting for something to happen.

use std::net::{Ipv4Addr, TcpListener};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("--help")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// Whether every one of `tools` is here; under `CI` they must be, as `.ci/run` installs them.
/// Without them `what` does not run, and says so.
pub fn have(tools: &[&str], what: &str) -> bool {
    if tools.iter().all(|t| installed(t)) {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI installs {tools:?} (.ci/run)"
    );
    eprintln!("{tools:?} not installed: {what} did not run");
    false
}

pub fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("a loopback port");
    listener.local_addr().expect("its address").port()
}

pub fn wait_for(what: &str, timeout: Duration, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}
