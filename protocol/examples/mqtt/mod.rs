//! The MQTT side of the `platform` and `device` examples, written once: a [`Driver`] that runs
//! an [`Engine`] over a real broker. It feeds the engine every message received and the time,
//! wakes it when it asks, publishes what it gives, and hands its events to the flows. Every
//! message received is held to `iotxfer::check` by the engine: a message that breaks its
//! contract ([`Event::Invalid`]), a conversation rule the other side broke
//! ([`Event::Violation`]) and a call unanswered after every attempt ([`Event::TimedOut`]) end
//! the run. Only this module knows the MQTT client; the flows speak in `iotxfer` types.

use std::collections::HashSet;
use std::process::ExitCode;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use iotxfer::catalog::{self, RuleCheck};
use iotxfer::engine::{Call, Engine, Event, Incoming, Options, Responder, Transmit};
use iotxfer::{Body, Direction, Outgoing, Received, Request};
use rumqttc::{Client, MqttOptions, Packet, QoS, SubscribeFilter, SubscribeReasonCode};
use serde_json::Value;

pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The longest a run may take, waiting included.
const RUN_LIMIT: Duration = Duration::from_secs(50);
/// How long a `silent` device stays once it has ignored its first request.
const SILENT_FOR: Duration = Duration::from_secs(12);

/// The exit status of a run: 0 when every flow is done, 1 with the fault on standard error.
pub fn exit(name: &str, run: Result<()>) -> ExitCode {
    match run {
        Ok(()) => {
            println!("{name}: every flow done");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{name}: {e}");
            ExitCode::FAILURE
        }
    }
}

pub fn ensure(ok: bool, fault: &str) -> Result<()> {
    if ok { Ok(()) } else { Err(fault.into()) }
}

/// A fault the driver plays, to show what the other side's engine makes of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// None.
    None,
    /// Ignores the first attempt of each request received that asks for its reply: only the
    /// sender's retry is answered.
    DropFirstReply,
    /// Publishes every message twice, as a QoS 1 redelivery would: the same topic and bytes.
    Duplicate,
    /// Ignores every request received that asks for its reply.
    Silent,
}

/// `--broker mqtt://HOST:PORT [--fault MODE]` (`mqtt://127.0.0.1:1883` without arguments).
fn arguments(faults: bool) -> Result<(String, u16, Fault)> {
    let usage = if faults {
        "usage: --broker mqtt://HOST:PORT [--fault none|drop-first-reply|duplicate|silent]"
    } else {
        "usage: --broker mqtt://HOST:PORT"
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (url, fault) = match args.as_slice() {
        [] => ("mqtt://127.0.0.1:1883", None),
        [flag, url] if flag == "--broker" => (url.as_str(), None),
        [flag, url, f, mode] if flag == "--broker" && f == "--fault" && faults => {
            (url.as_str(), Some(mode.as_str()))
        }
        _ => return Err(usage.into()),
    };
    let fault = match fault {
        None | Some("none") => Fault::None,
        Some("drop-first-reply") => Fault::DropFirstReply,
        Some("duplicate") => Fault::Duplicate,
        Some("silent") => Fault::Silent,
        Some(_) => return Err(usage.into()),
    };
    let bad = || format!("not mqtt://HOST:PORT: `{url}`");
    let (host, port) = url
        .strip_prefix("mqtt://")
        .and_then(|a| a.rsplit_once(':'))
        .ok_or_else(bad)?;
    Ok((host.to_owned(), port.parse().map_err(|_| bad())?, fault))
}

/// What the connection's thread hands over.
enum Net {
    Message(String, Vec<u8>),
    Subscribed,
    Acked,
    Failed(String),
}

/// An engine over an MQTT connection; see the [module docs](self).
pub struct Driver {
    name: &'static str,
    /// The engine: the flows build, call, answer and report with it.
    pub engine: Engine,
    /// The fault this run plays.
    pub fault: Fault,
    client: Client,
    net: Receiver<Net>,
    thread: JoinHandle<()>,
    unacked: usize,
    deadline: Instant,
    /// The requests whose first attempt a `drop-first-reply` run ignored.
    dropped: HashSet<String>,
}

impl Driver {
    /// Connects the engine of `side` to the broker of the arguments and subscribes to
    /// `filters`, at QoS 1; `faults` when the arguments may name a [`Fault`].
    pub fn connect(
        name: &'static str,
        side: Direction,
        filters: &[impl AsRef<str>],
        faults: bool,
    ) -> Result<Self> {
        let (host, port, fault) = arguments(faults)?;
        let id = format!("iotxfer-{name}-{}", std::process::id());
        let (client, mut connection) = Client::new(MqttOptions::new(id, host, port), 16);
        let (sender, net) = mpsc::channel();
        // The connection makes progress only while it is polled: a thread does that.
        let thread = thread::spawn(move || {
            for event in connection.iter() {
                let event = match event {
                    Ok(rumqttc::Event::Incoming(Packet::Publish(p))) => {
                        Net::Message(p.topic, p.payload.to_vec())
                    }
                    Ok(rumqttc::Event::Incoming(Packet::SubAck(ack))) => {
                        if ack.return_codes.contains(&SubscribeReasonCode::Failure) {
                            Net::Failed("the broker refused a subscription".into())
                        } else {
                            Net::Subscribed
                        }
                    }
                    Ok(rumqttc::Event::Incoming(Packet::PubAck(_) | Packet::PubComp(_))) => {
                        Net::Acked
                    }
                    Ok(rumqttc::Event::Outgoing(rumqttc::Outgoing::Disconnect)) => return,
                    Ok(_) => continue,
                    Err(e) => Net::Failed(e.to_string()),
                };
                let failed = matches!(event, Net::Failed(_));
                if sender.send(event).is_err() || failed {
                    return;
                }
            }
        });
        let mut driver = Self {
            name,
            engine: Engine::new(side, Options::default()),
            fault,
            client,
            net,
            thread,
            unacked: 0,
            deadline: Instant::now() + RUN_LIMIT,
            dropped: HashSet::new(),
        };
        let filters = filters
            .iter()
            .map(|f| SubscribeFilter::new(f.as_ref().into(), QoS::AtLeastOnce));
        driver.client.subscribe_many(filters)?;
        loop {
            match driver.next_net("the subscription")? {
                Net::Subscribed => return Ok(driver),
                Net::Message(topic, _) => return Err(format!("a message on {topic} first").into()),
                _ => {}
            }
        }
    }

    /// The time, in microseconds since the Unix epoch, as the engine counts it.
    pub fn now(&self) -> i64 {
        let since = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        i64::try_from(since.as_micros()).unwrap_or(i64::MAX)
    }

    /// The next event of the engine, pumping the connection until it has one. A message that
    /// breaks its contract, a rule the other side broke and a call unanswered after every
    /// attempt are faults; a late reply is only logged.
    pub fn next_event(&mut self) -> Result<Event> {
        loop {
            self.flush()?;
            match self.engine.poll_event() {
                Some(Event::Invalid { topic, checked }) => {
                    let faults: Vec<String> =
                        checked.violations.iter().map(|v| v.to_string()).collect();
                    let message = checked.message.unwrap_or("a message");
                    let (verdict, faults) = (checked.verdict, faults.join("; "));
                    return Err(format!("{message} on {topic}: {verdict:?}: {faults}").into());
                }
                Some(Event::Violation(f)) => {
                    let (rule, device, reason) = (f.rule, f.device, f.reason);
                    return Err(format!("{device} broke {rule}: {reason}").into());
                }
                Some(Event::TimedOut {
                    request, attempts, ..
                }) => {
                    return Err(
                        format!("{request} went unanswered after {attempts} attempts").into(),
                    );
                }
                Some(Event::LateReply { reply, .. }) => {
                    println!("{}: late {}", self.name, reply.id())
                }
                Some(event) => return Ok(event),
                None => self.pump()?,
            }
        }
    }

    /// The next event, which must be a request that asks for its reply; the replies to calls
    /// no flow waits for (the acknowledgements of reports) are passed over.
    pub fn incoming(&mut self) -> Result<Incoming> {
        loop {
            match self.next_event()? {
                Event::Request(incoming) => return Ok(incoming),
                Event::Answered { .. } => {}
                other => return Err(format!("{other:?} instead of a request").into()),
            }
        }
    }

    /// The next event, which must be a request `Q` asking for its reply.
    pub fn request<Q: Request>(&mut self) -> Result<(Received<Q>, Responder<Q>)> {
        let incoming = self.incoming()?;
        incoming
            .take::<Q>()
            .map_err(|i| format!("{} instead of {}", i.message().id(), Q::ID).into())
    }

    /// The reply to `call`; the replies to other calls (the acknowledgements of reports) are
    /// passed over.
    pub fn reply<Q: Request>(&mut self, call: &Call<Q>) -> Result<Received<Q::Reply>> {
        loop {
            let event = self.next_event()?;
            if let Some(reply) = call.reply(&event) {
                return Ok(reply);
            }
            if !matches!(event, Event::Answered { .. }) {
                return Err(format!("{event:?} instead of the reply to {}", Q::ID).into());
            }
        }
    }

    /// `body` on `topic`, with the engine's ids and the time.
    pub fn message<B: Body>(&mut self, topic: B::Topic, body: B) -> Outgoing<B> {
        let now = self.now();
        self.engine.message(topic, body, now)
    }

    /// A `silent` device's end: it ignores what comes until the run's deadline.
    fn idle(&mut self) -> Result<()> {
        loop {
            match self.next_event() {
                Ok(event) => println!("{}: ignoring {event:?}", self.name),
                Err(_) if Instant::now() >= self.deadline => return Ok(()),
                Err(e) => return Err(e),
            }
        }
    }

    /// Waits until every call is answered and the broker has acknowledged every message
    /// published, then disconnects. What still comes meanwhile goes to the engine; only its
    /// faults count. A `silent` device first ignores what comes until the run's deadline.
    pub fn close(mut self) -> Result<()> {
        if self.fault == Fault::Silent {
            self.idle()?;
        }
        loop {
            self.flush()?;
            while let Some(event) = self.engine.poll_event() {
                if let Event::Invalid { .. } | Event::Violation(_) | Event::TimedOut { .. } = event
                {
                    return Err(format!("after the flows ended: {event:?}").into());
                }
            }
            if self.unacked == 0 && self.engine.open_calls() == 0 {
                break;
            }
            self.pump()?;
        }
        self.client.disconnect()?;
        self.thread.join().map_err(|_| "the MQTT thread panicked")?;
        Ok(())
    }

    /// Publishes what the engine gives.
    fn flush(&mut self) -> Result<()> {
        while let Some(t) = self.engine.poll_transmit() {
            self.put(t)?;
        }
        Ok(())
    }

    fn put(&mut self, t: Transmit) -> Result<()> {
        let qos = match t.qos {
            0 => QoS::AtMostOnce,
            1 => QoS::AtLeastOnce,
            _ => QoS::ExactlyOnce,
        };
        let copies = if self.fault == Fault::Duplicate { 2 } else { 1 };
        for _ in 0..copies {
            println!("{} -> {} on {}", self.name, t.message, t.topic);
            self.client
                .publish(&t.topic, qos, false, t.payload.clone())?;
            if qos != QoS::AtMostOnce {
                self.unacked += 1; // PUBACK (QoS 1) or PUBCOMP (QoS 2) counted alike below.
            }
        }
        Ok(())
    }

    /// One step: a message received goes to the engine, or the engine is woken when it asked.
    fn pump(&mut self) -> Result<()> {
        let now = self.now();
        if self.engine.next_wake().is_some_and(|w| w <= now) {
            self.engine.wake(now);
            return Ok(());
        }
        let wait = self
            .engine
            .next_wake()
            .map(|w| Duration::from_micros((w - now) as u64));
        let net = self.next_net_within(wait, "the other side")?;
        if let Some(Net::Message(topic, payload)) = net {
            if self.ignores(&topic, &payload) {
                return Ok(());
            }
            let id = iotxfer::decode(&topic, &payload).map_or("a message", |m| m.id());
            println!("{} <- {id} on {topic}", self.name);
            let now = self.now();
            self.engine.receive(&topic, &payload, now);
        }
        Ok(())
    }

    /// Whether the run's fault ignores this message: a request that asks for its reply, all of
    /// it (`silent`) or its first attempt (`drop-first-reply`).
    fn ignores(&mut self, topic: &str, payload: &[u8]) -> bool {
        if !matches!(self.fault, Fault::Silent | Fault::DropFirstReply) {
            return false;
        }
        let Some(request) = attempts_key(topic, payload) else {
            return false;
        };
        if self.fault == Fault::Silent {
            self.deadline = self.deadline.min(Instant::now() + SILENT_FOR);
            println!("{}: silent to {request}", self.name);
            return true;
        }
        let first = self.dropped.insert(request.clone());
        if first {
            println!("{}: dropping the first attempt of {request}", self.name);
        }
        first
    }

    fn next_net(&mut self, waiting_for: &str) -> Result<Net> {
        loop {
            if let Some(net) = self.next_net_within(None, waiting_for)? {
                return Ok(net);
            }
        }
    }

    /// The connection's next event within `wait` (else `None`), or until the run's deadline;
    /// acknowledgements are counted here.
    fn next_net_within(
        &mut self,
        wait: Option<Duration>,
        waiting_for: &str,
    ) -> Result<Option<Net>> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        let wait = wait.map_or(left, |w| w.min(left));
        let net = match self.net.recv_timeout(wait) {
            Ok(net) => net,
            Err(RecvTimeoutError::Timeout) if wait < left => return Ok(None),
            Err(RecvTimeoutError::Timeout) => {
                return Err(
                    format!("timed out waiting for {waiting_for} ({RUN_LIMIT:?} limit)").into(),
                );
            }
            Err(RecvTimeoutError::Disconnected) => {
                return Err(
                    format!("the connection closed while waiting for {waiting_for}").into(),
                );
            }
        };
        match net {
            Net::Failed(e) => Err(format!("MQTT connection failed: {e}").into()),
            Net::Acked => {
                self.unacked = self.unacked.saturating_sub(1);
                Ok(Some(Net::Acked))
            }
            net => Ok(Some(net)),
        }
    }
}

/// What the attempts of a request that asks for its reply share: its id and its payload less
/// the fields a retry changes and its sending time; `None` for any other message.
fn attempts_key(topic: &str, payload: &[u8]) -> Option<String> {
    let message = iotxfer::decode(topic, payload).ok()?;
    let info = message.info();
    let mut value: Value = serde_json::from_slice(payload).ok()?;
    let asks = info.reply_when.iter().all(|c| {
        let at = value.pointer(c.pointer);
        at.map_or("null".into(), Value::to_string) == c.value
    });
    if info.reply.is_none() || !asks {
        return None;
    }
    let retry = catalog::rules().iter().find_map(|r| match r.check {
        RuleCheck::Answered {
            requests,
            retry: Some(retry),
            ..
        } if requests.contains(&info.id) => Some(retry),
        _ => None,
    });
    let changes = retry.map_or(&[][..], |r| r.changes).iter();
    let sent_at = info.topic_info().and_then(|t| t.sent_at);
    for field in changes.copied().chain(sent_at) {
        let field = field.trim_start_matches('/');
        if let Some(object) = value.as_object_mut() {
            object.remove(field);
        }
    }
    Some(format!("{} {value}", info.id))
}
