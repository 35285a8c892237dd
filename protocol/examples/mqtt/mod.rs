//! The MQTT side of the `platform` and `device` examples: a connection that sends typed
//! messages and receives them, each held to the documented contract before it is decoded.
//! Only this module knows the MQTT client; the examples speak in `iotxfer` types.

use std::process::ExitCode;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use iotxfer::{Body, Outgoing, Received, Verdict};
use rumqttc::{Client, MqttOptions, Packet, QoS, SubscribeFilter, SubscribeReasonCode};

pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The longest a run may take, waiting included.
const RUN_LIMIT: Duration = Duration::from_secs(50);

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

/// The broker of `--broker mqtt://HOST:PORT` (`mqtt://127.0.0.1:1883` without arguments).
fn broker() -> Result<(String, u16)> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let url = match args.as_slice() {
        [] => "mqtt://127.0.0.1:1883",
        [flag, url] if flag == "--broker" => url,
        _ => return Err("usage: --broker mqtt://HOST:PORT".into()),
    };
    let fault = || format!("not mqtt://HOST:PORT: `{url}`");
    let (host, port) = url
        .strip_prefix("mqtt://")
        .and_then(|a| a.rsplit_once(':'))
        .ok_or_else(fault)?;
    Ok((host.to_owned(), port.parse().map_err(|_| fault())?))
}

/// What the connection's thread hands over.
enum Event {
    Message(String, Vec<u8>),
    Subscribed,
    Acked,
    Failed(String),
}

/// An MQTT connection for typed messages: each message received is held to the documented
/// contract, then decoded; each wait ends at the run's deadline.
pub struct Link {
    name: &'static str,
    client: Client,
    events: Receiver<Event>,
    thread: JoinHandle<()>,
    unacked: usize,
    deadline: Instant,
}

impl Link {
    /// Connects to the broker and subscribes to `filters`, at QoS 1.
    pub fn connect(name: &'static str, filters: &[impl AsRef<str>]) -> Result<Self> {
        let (host, port) = broker()?;
        let id = format!("iotxfer-{name}-{}", std::process::id());
        let (client, mut connection) = Client::new(MqttOptions::new(id, host, port), 16);
        let (sender, events) = mpsc::channel();
        // The connection makes progress only while it is polled: a thread does that.
        let thread = thread::spawn(move || {
            for event in connection.iter() {
                let event = match event {
                    Ok(rumqttc::Event::Incoming(Packet::Publish(p))) => {
                        Event::Message(p.topic, p.payload.to_vec())
                    }
                    Ok(rumqttc::Event::Incoming(Packet::SubAck(ack))) => {
                        if ack.return_codes.contains(&SubscribeReasonCode::Failure) {
                            Event::Failed("the broker refused a subscription".into())
                        } else {
                            Event::Subscribed
                        }
                    }
                    Ok(rumqttc::Event::Incoming(Packet::PubAck(_))) => Event::Acked,
                    Ok(rumqttc::Event::Outgoing(rumqttc::Outgoing::Disconnect)) => return,
                    Ok(_) => continue,
                    Err(e) => Event::Failed(e.to_string()),
                };
                let failed = matches!(event, Event::Failed(_));
                if sender.send(event).is_err() || failed {
                    return;
                }
            }
        });
        let mut link = Self {
            name,
            client,
            events,
            thread,
            unacked: 0,
            deadline: Instant::now() + RUN_LIMIT,
        };
        let filters = filters
            .iter()
            .map(|f| SubscribeFilter::new(f.as_ref().into(), QoS::AtLeastOnce));
        link.client.subscribe_many(filters)?;
        loop {
            match link.next_event("the subscription")? {
                Event::Subscribed => return Ok(link),
                Event::Message(topic, _) => {
                    return Err(format!("a message on {topic} first").into());
                }
                _ => {}
            }
        }
    }

    /// Publishes `message` at QoS 1.
    pub fn send<B: Body>(&mut self, message: &Outgoing<B>) -> Result<()> {
        let (topic, payload) = message.encode()?;
        println!("{} -> {} on {topic}", self.name, B::ID);
        self.client
            .publish(topic, QoS::AtLeastOnce, false, payload)?;
        self.unacked += 1;
        Ok(())
    }

    /// The next message, which must keep the documented contract and be a `B`.
    pub fn expect<B: Body>(&mut self) -> Result<Received<B>> {
        let (topic, payload) = loop {
            if let Event::Message(topic, payload) = self.next_event(B::ID)? {
                break (topic, payload);
            }
        };
        let checked = iotxfer::check(&topic, &payload);
        if checked.verdict != Verdict::Conforms {
            let faults: Vec<String> = checked.violations.iter().map(|v| v.to_string()).collect();
            let message = checked.message.unwrap_or("a message");
            return Err(format!(
                "{message} on {topic}: {:?}: {}",
                checked.verdict,
                faults.join("; ")
            )
            .into());
        }
        let received = iotxfer::decode_as::<B>(&topic, &payload)?;
        println!("{} <- {} on {topic}", self.name, B::ID);
        Ok(received)
    }

    /// Waits until the broker has acknowledged every message sent, then disconnects.
    pub fn close(mut self) -> Result<()> {
        while self.unacked > 0 {
            if let Event::Message(topic, _) = self.next_event("the broker's acknowledgements")? {
                return Err(format!("a message after the flows ended, on {topic}").into());
            }
        }
        self.client.disconnect()?;
        self.thread.join().map_err(|_| "the MQTT thread panicked")?;
        Ok(())
    }

    /// The next event of the connection; acknowledgements are counted here.
    fn next_event(&mut self, waiting_for: &str) -> Result<Event> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        let event = self.events.recv_timeout(left).map_err(|e| match e {
            RecvTimeoutError::Timeout => {
                format!("timed out waiting for {waiting_for} ({RUN_LIMIT:?} limit)")
            }
            RecvTimeoutError::Disconnected => {
                format!("the connection closed while waiting for {waiting_for}")
            }
        })?;
        match event {
            Event::Failed(e) => Err(format!("MQTT connection failed: {e}").into()),
            Event::Acked => {
                self.unacked = self.unacked.saturating_sub(1);
                Ok(Event::Acked)
            }
            event => Ok(event),
        }
    }
}
