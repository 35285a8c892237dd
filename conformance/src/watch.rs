//! `iotxfer watch`: the traffic of a broker, judged as it arrives.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use iotxfer::catalog;
use iotxfer_conformance::verdict::Tally;
use rumqttc::{
    Client, Connection, ConnectionError, Event, MqttOptions, Packet, QoS, RecvTimeoutError,
    SubscribeFilter, SubscribeReasonCode, TlsConfiguration, Transport,
};

use crate::judging::Judging;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The broker: `mqtt://HOST:PORT`, or `mqtts://HOST:PORT` for TLS.
    #[arg(long, value_name = "URL")]
    broker: String,
    /// How long to watch; without it, until Ctrl-C.
    #[arg(long, value_parser = humantime::parse_duration, value_name = "DURATION")]
    duration: Option<Duration>,
    /// Subscribes to these filters only (repeatable). By default `#` and every `$`-rooted
    /// filter of the definitions, which `#` does not match.
    #[arg(long = "filter", value_name = "FILTER")]
    filters: Vec<String>,
    #[arg(long)]
    username: Option<String>,
    /// The password; `IOTXFER_PASSWORD` keeps it off the command line.
    #[arg(long, env = "IOTXFER_PASSWORD", hide_env_values = true)]
    password: Option<String>,
    /// The CA certificates (PEM) that sign the broker's certificate, for `mqtts://`; without
    /// it, the system's.
    #[arg(long, value_name = "FILE")]
    ca: Option<std::path::PathBuf>,
    /// The MQTT client id.
    #[arg(long, value_name = "ID")]
    client_id: Option<String>,
    /// The QoS of the subscriptions.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(0..=2))]
    qos: u8,
    #[command(flatten)]
    pub judging: Judging,
}

/// How often the watch looks at the clock: for Ctrl-C, the duration, and requests that ran out.
const TICK: Duration = Duration::from_millis(200);

/// Watches until the duration ends or Ctrl-C; the counts of verdicts and the conversation
/// violations.
pub fn run(out: &mut impl Write, args: &Args) -> Result<(Tally, u64), String> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .map_err(|e| format!("cannot handle Ctrl-C: {e}"))?;
    let (client, mut connection) = subscribed(args)?;
    let written = |e: std::io::Error| format!("cannot write: {e}");
    let mut checker = args.judging.checker(out);
    checker.start(None);
    let ends = args.duration.map(|d| Instant::now() + d);
    let (mut number, mut connected, mut ticked) = (0, false, Instant::now());
    while !stop.load(Ordering::SeqCst) {
        // Time passes for the devices that send nothing too.
        if ticked.elapsed() >= TICK {
            checker.tick(now_us()).map_err(written)?;
            ticked = Instant::now();
        }
        let left = ends.map_or(TICK, |e| e.saturating_duration_since(Instant::now()));
        if left.is_zero() {
            break;
        }
        let event = match connection.recv_timeout(left.min(TICK)) {
            Ok(event) => event,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => break,
        };
        match event.map_err(|e| broker_fault(&args.broker, e))? {
            Event::Incoming(Packet::Publish(p)) => {
                number += 1;
                checker
                    .judge_message(number, &p.topic, &p.payload, now_us())
                    .map_err(written)?;
            }
            Event::Incoming(Packet::ConnAck(_)) => connected = true,
            Event::Incoming(Packet::SubAck(ack))
                if ack.return_codes.contains(&SubscribeReasonCode::Failure) =>
            {
                return Err(format!("{} refused a subscription", args.broker));
            }
            _ => {}
        }
    }
    let _ = client.disconnect();
    if !connected {
        return Err(format!(
            "no connection to {} before the watch ended",
            args.broker
        ));
    }
    // What is still open is judged at the moment the watch ends, not at its last message.
    checker.finish_at(Some(now_us())).map_err(written)
}

/// A client, its subscriptions asked for: they go out once the connection is polled.
fn subscribed(args: &Args) -> Result<(Client, Connection), String> {
    let (client, connection) = Client::new(mqtt_options(args)?, 64);
    let qos = match args.qos {
        0 => QoS::AtMostOnce,
        1 => QoS::AtLeastOnce,
        _ => QoS::ExactlyOnce,
    };
    // One SUBSCRIBE for every filter: the client queues a bounded number of requests.
    let filters = filters(args)
        .into_iter()
        .map(|f| SubscribeFilter::new(f, qos));
    client
        .subscribe_many(filters)
        .map_err(|e| format!("cannot subscribe: {e}"))?;
    Ok((client, connection))
}

/// `#` and every `$`-rooted filter of the definitions, or the filters asked for.
fn filters(args: &Args) -> Vec<String> {
    if !args.filters.is_empty() {
        return args.filters.clone();
    }
    let mut filters = vec!["#".to_owned()];
    for t in catalog::topics()
        .iter()
        .filter(|t| t.filter.starts_with('$'))
    {
        if !filters.iter().any(|f| f == t.filter) {
            filters.push(t.filter.to_owned());
        }
    }
    filters
}

fn mqtt_options(args: &Args) -> Result<MqttOptions, String> {
    let fault = || {
        format!(
            "--broker is not mqtt://HOST:PORT or mqtts://HOST:PORT: `{}`",
            args.broker
        )
    };
    let (tls, address) = match args.broker.split_once("://") {
        Some(("mqtt", address)) => (false, address),
        Some(("mqtts", address)) => (true, address),
        _ => return Err(fault()),
    };
    let (host, port) = address.rsplit_once(':').ok_or_else(fault)?;
    let port: u16 = port.parse().map_err(|_| fault())?;
    let id = args
        .client_id
        .clone()
        .unwrap_or_else(|| format!("iotxfer-watch-{}", std::process::id()));
    let mut options =
        MqttOptions::new(id, host.trim_start_matches('[').trim_end_matches(']'), port);
    options.set_keep_alive(Duration::from_secs(30));
    // A payload as large as --max-payload, with its topic and headers.
    let packet = args
        .judging
        .options()
        .max_payload
        .saturating_add(iotxfer::MAX_TOPIC_LEN + 1024);
    options.set_max_packet_size(packet, 1 << 16);
    if let Some(user) = &args.username {
        options.set_credentials(user, args.password.clone().unwrap_or_default());
    }
    if tls {
        options.set_transport(Transport::tls_with_config(tls_config(args)?));
    }
    Ok(options)
}

fn tls_config(args: &Args) -> Result<TlsConfiguration, String> {
    // One crypto provider, ring; a second call finds it installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
    match &args.ca {
        Some(path) => {
            let ca =
                std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            Ok(TlsConfiguration::Simple {
                ca,
                alpn: None,
                client_auth: None,
            })
        }
        None => Ok(TlsConfiguration::default()),
    }
}

fn broker_fault(broker: &str, e: ConnectionError) -> String {
    format!("the connection to {broker} failed: {e}")
}

fn now_us() -> i64 {
    let since = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH);
    since.map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}
