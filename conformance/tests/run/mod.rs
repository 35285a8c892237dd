//! The `iotxfer` binary, run as a user runs it: shared by the tests that drive it.

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs `iotxfer args`, `stdin` on its standard input.
pub fn iotxfer(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_iotxfer"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut input = child.stdin.take().expect("stdin");
    let bytes = stdin.to_vec();
    // Feed stdin from a thread, so a large input cannot deadlock against a full stdout pipe.
    let feeder = std::thread::spawn(move || {
        let _ = input.write_all(&bytes);
    });
    let output = child.wait_with_output().expect("the binary exits");
    feeder.join().expect("stdin written");
    output
}
