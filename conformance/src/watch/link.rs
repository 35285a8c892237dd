//! The watch's connection to the broker: connected, subscribed, and restored with back-off
//! when it is lost, for as long as `--reconnect-for` allows.
//!
//! rumqttc reconnects when its `Connection` is polled again after an error; the client asks
//! for a clean session, so the broker forgets the subscriptions with the connection, and they
//! are asked for again on every `ConnAck` that has no session.

use std::time::{Duration, Instant};

use iotxfer_conformance::incident::now_us;
use rumqttc::{
    Client, Connection, ConnectionError, Event, MqttOptions, Packet, Publish, QoS,
    RecvTimeoutError, SubscribeFilter, SubscribeReasonCode, TlsConfiguration, Transport,
};

use super::Args;

/// The largest packet MQTT can carry: a fixed header of at most 5 bytes and a remaining length
/// of at most 268,435,455. The watch takes any: a payload over `--max-payload` is judged, not
/// a reason to drop the connection.
const MQTT_MAX_PACKET: usize = 5 + 268_435_455;

/// The first pause before a reconnection; it doubles up to [`LONGEST_PAUSE`].
const FIRST_PAUSE: Duration = Duration::from_millis(100);
const LONGEST_PAUSE: Duration = Duration::from_secs(5);

/// How long one poll may take while connecting: more than rumqttc's own connection timeout
/// (5 s), so that a slow handshake is not cut short and started again.
const CONNECTING: Duration = Duration::from_secs(10);

/// What the link heard in one poll.
pub enum Heard {
    /// A message on one of the subscriptions.
    Message(Publish),
    /// The connection is back and subscribed again after an outage: messages published from
    /// `lost` (microseconds since the Unix epoch, the last time the broker was heard from) to
    /// now were not received.
    Restored { lost: i64, why: String },
    /// The connection could not be restored within `--reconnect-for`.
    GaveUp { lost: i64, why: String },
    /// Nothing to act on.
    Nothing,
}

/// A connection that was lost: since when, and why.
struct Outage {
    /// The last time the broker was heard from, in microseconds since the Unix epoch.
    lost: i64,
    began: Instant,
    why: String,
    pause: Duration,
    retry: Instant,
}

enum State {
    /// Before the first `ConnAck`: any error ends the watch (a wrong address, password or CA).
    Connecting,
    /// Connected, the subscriptions asked for; `outage` is what they restore.
    Subscribing(Option<Outage>),
    Up,
    Down(Outage),
}

/// The broker connection of a watch.
pub struct Link {
    client: Client,
    connection: Connection,
    filters: Vec<SubscribeFilter>,
    /// The filter of the broker's drop counter: the last of `filters`, and the only one the
    /// broker may refuse (access to `$SYS` is often restricted).
    counter: String,
    broker: String,
    reconnect_for: Duration,
    state: State,
    /// When the broker was last heard from (any packet), in microseconds since the Unix epoch.
    heard: i64,
}

impl Link {
    /// A client for `args.broker`, subscribing to `filters` and then to `counter`; the
    /// connection opens with the first [`poll`](Self::poll).
    pub fn new(args: &Args, filters: Vec<String>, counter: &str) -> Result<Link, String> {
        let (client, connection) = Client::new(mqtt_options(args)?, 64);
        let qos = match args.qos {
            0 => QoS::AtMostOnce,
            1 => QoS::AtLeastOnce,
            _ => QoS::ExactlyOnce,
        };
        let mut filters: Vec<SubscribeFilter> = filters
            .into_iter()
            .map(|f| SubscribeFilter::new(f, qos))
            .collect();
        filters.push(SubscribeFilter::new(counter.to_owned(), QoS::AtMostOnce));
        Ok(Link {
            client,
            connection,
            filters,
            counter: counter.to_owned(),
            broker: args.broker.clone(),
            reconnect_for: args.reconnect_for,
            state: State::Connecting,
            heard: now_us(),
        })
    }

    /// Whether the watch has been connected (and subscribed) at least once.
    pub fn was_up(&self) -> bool {
        !matches!(self.state, State::Connecting | State::Subscribing(None))
    }

    /// The outage under way: since when (the last time the broker was heard from, in
    /// microseconds since the Unix epoch), and why.
    pub fn outage(&self) -> Option<(i64, &str)> {
        match &self.state {
            State::Down(o) | State::Subscribing(Some(o)) => Some((o.lost, &o.why)),
            _ => None,
        }
    }

    /// Waits at most `wait` (longer while connecting) for what the broker sends.
    pub fn poll(&mut self, wait: Duration) -> Result<Heard, String> {
        if let State::Down(outage) = &self.state {
            if outage.began.elapsed() >= self.reconnect_for {
                let (lost, why) = (outage.lost, outage.why.clone());
                return Ok(Heard::GaveUp { lost, why });
            }
            let pause = outage.retry.saturating_duration_since(Instant::now());
            if !pause.is_zero() {
                std::thread::sleep(pause.min(wait));
                return Ok(Heard::Nothing);
            }
        }
        let wait = match self.state {
            State::Up | State::Subscribing(_) => wait,
            State::Connecting | State::Down(_) => CONNECTING,
        };
        let event = match self.connection.recv_timeout(wait) {
            Ok(event) => event,
            Err(RecvTimeoutError::Timeout) => return Ok(Heard::Nothing),
            Err(RecvTimeoutError::Disconnected) => {
                return Err(format!("the connection to {} ended", self.broker));
            }
        };
        match event {
            Ok(Event::Incoming(packet)) => {
                self.heard = now_us();
                self.incoming(packet)
            }
            Ok(Event::Outgoing(_)) => Ok(Heard::Nothing),
            Err(e) => self.lost(e),
        }
    }

    fn incoming(&mut self, packet: Packet) -> Result<Heard, String> {
        match packet {
            Packet::Publish(p) => Ok(Heard::Message(p)),
            Packet::ConnAck(ack) => {
                let outage = match std::mem::replace(&mut self.state, State::Up) {
                    State::Down(outage) => Some(outage),
                    _ => None,
                };
                if ack.session_present {
                    return Ok(restored(outage));
                }
                self.client
                    .subscribe_many(self.filters.clone())
                    .map_err(|e| format!("cannot subscribe: {e}"))?;
                self.state = State::Subscribing(outage);
                Ok(Heard::Nothing)
            }
            Packet::SubAck(ack) => {
                self.subscribed(&ack.return_codes)?;
                match std::mem::replace(&mut self.state, State::Up) {
                    State::Subscribing(outage) => Ok(restored(outage)),
                    other => {
                        self.state = other;
                        Ok(Heard::Nothing)
                    }
                }
            }
            _ => Ok(Heard::Nothing),
        }
    }

    /// Checks the broker's answer to the subscriptions: a refused filter ends the watch, but
    /// for the drop counter, which is only followed where the broker allows it.
    fn subscribed(&self, codes: &[SubscribeReasonCode]) -> Result<(), String> {
        let (judged, counter) = codes.split_at(codes.len().saturating_sub(1));
        if judged.contains(&SubscribeReasonCode::Failure) {
            return Err(format!("{} refused a subscription", self.broker));
        }
        if counter.contains(&SubscribeReasonCode::Failure) && !self.was_up() {
            eprintln!(
                "iotxfer: {} refused a subscription to {}: messages it drops go unnoticed",
                self.broker, self.counter
            );
        }
        Ok(())
    }

    /// An error from the connection: the end of the watch before it was ever connected, else
    /// an outage, retried after a pause that doubles each time.
    fn lost(&mut self, e: ConnectionError) -> Result<Heard, String> {
        let why = format!("the connection to {} failed: {e}", self.broker);
        let outage = match std::mem::replace(&mut self.state, State::Connecting) {
            State::Connecting | State::Subscribing(None) => return Err(why),
            State::Down(mut outage) | State::Subscribing(Some(mut outage)) => {
                outage.pause = (outage.pause * 2).min(LONGEST_PAUSE);
                outage.retry = Instant::now() + outage.pause;
                outage
            }
            State::Up => {
                eprintln!(
                    "iotxfer: {why}; reconnecting for up to {}",
                    humantime::format_duration(self.reconnect_for)
                );
                Outage {
                    lost: self.heard,
                    began: Instant::now(),
                    why,
                    pause: FIRST_PAUSE,
                    retry: Instant::now(),
                }
            }
        };
        self.state = State::Down(outage);
        Ok(Heard::Nothing)
    }

    /// Ends the connection politely.
    pub fn disconnect(&self) {
        let _ = self.client.disconnect();
    }
}

fn restored(outage: Option<Outage>) -> Heard {
    match outage {
        Some(o) => Heard::Restored {
            lost: o.lost,
            why: o.why,
        },
        None => Heard::Nothing,
    }
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
    options.set_max_packet_size(MQTT_MAX_PACKET, 1 << 16);
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
