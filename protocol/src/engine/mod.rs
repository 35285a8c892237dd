//! A sans-IO conversation engine: one side of the protocols (a platform, or a device) kept by
//! construction, from the definitions' rules. It holds no MQTT client, no runtime and no clock.
//!
//! The application drives it like a QUIC or TLS state machine: it feeds every MQTT message it
//! receives ([`Engine::receive`]) and the time when the engine asked to be woken
//! ([`Engine::wake`], at [`Engine::next_wake`]); it publishes what
//! [`Engine::poll_transmit`] gives and handles what [`Engine::poll_event`] gives. Times are
//! microseconds since the Unix epoch, as the conversation [`Monitor`] counts them.
//!
//! - **Calls.** [`Engine::call`] sends a request and waits for its reply, matched by the fields
//!   the definitions correlate; when an attempt's deadline passes it sends the request again
//!   as the vendor's retry data says (DJI: 3 s, twice more), each attempt with new values of
//!   the fields a `fresh` rule keeps new (DJI's `tid`; the `bid` stays, as DJI's demo keeps
//!   one its caller gave) and the time. It refuses a request that reuses an open request's
//!   fresh id. Each call ends once: [`Event::Answered`] or [`Event::TimedOut`].
//! - **Answers.** A request that asks for its reply comes as [`Event::Request`]; its
//!   [`Responder`] answers it once. A request whose reply the definitions give an `ack` body is
//!   acknowledged by the engine ([`Engine::set_acknowledgement`] changes the body). The
//!   attempts of one request within its sender's retry window make one event, and each gets
//!   the application's answer, those that come after it too; a redelivery (the same bytes of a
//!   message with ids) is dropped, and a copy of a request without ids (Tencent) is answered
//!   as the request was. A request not answered within two minutes after its sender's retry
//!   window is forgotten: its responder then answers nothing.
//! - **Jobs.** A message that starts a job ([`catalog::JobStart`]) names a [`Job`]; its reports
//!   come as [`Event::Progress`] and [`Event::Finished`], [`Event::Stalled`] when it is quiet for
//!   [`Options::stall_ms`]; [`Engine::report`] builds a report of a job with the job's fields
//!   and asks for its acknowledgement where the definitions say how.
//! - **The other side's faults.** The engine follows both directions with a [`Monitor`] that
//!   judges only the other side's duties: what it finds comes as [`Event::Violation`], and a
//!   message that breaks its contract as [`Event::Invalid`].
//!
//! The crate's README has a platform example for each vendor; here a DJI dock answers a
//! firmware upgrade and reports it done:
//!
//! ```
//! use iotxfer::dji::firmware::{
//!     FirmwareResult, OtaCreate, OtaCreateOutput, OtaCreateReply, OtaProgress, OtaProgressDetail,
//!     OtaProgressOutput,
//! };
//! use iotxfer::dji::{EventsTopic, TaskStatus};
//! use iotxfer::engine::{Engine, Event, Options};
//! use iotxfer::Direction;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut dock = Engine::new(Direction::Up, Options::default());
//! let create = br#"{"tid":"t1","bid":"job-1","timestamp":1,"method":"ota_create",
//!     "data":{"devices":[{"sn":"DOCK-1","product_version":"1.2","file_size":1,
//!     "file_url":"https://example.com/fw.zip","md5":"0123456789abcdef0123456789abcdef",
//!     "file_name":"fw.zip","firmware_upgrade_type":2}]}}"#;
//! dock.receive("thing/product/DOCK-1/services", create, 1_000);
//! let Some(Event::Request(asked)) = dock.poll_event() else { return Err("no request".into()) };
//! let job = asked.job().cloned().ok_or("ota_create starts a job")?;
//! let (_, responder) = asked.take::<OtaCreate>().map_err(|_| "another request")?;
//! let accepted = OtaCreateOutput::new(TaskStatus::InProgress);
//! dock.respond(responder, OtaCreateReply::new(FirmwareResult::Success, accepted), 2_000)?;
//!
//! let output = OtaProgressOutput::new(TaskStatus::Ok, OtaProgressDetail::new(100));
//! let body = OtaProgress::new(FirmwareResult::Success, output);
//! let report = dock.message(EventsTopic::new("DOCK-1")?, body, 3_000);
//! let acknowledgement = dock.report(&job, report, 3_000)?; // waits for the cloud's ack
//! assert!(acknowledgement.is_some());
//! let sent: Vec<_> = std::iter::from_fn(|| dock.poll_transmit()).collect();
//! let done: serde_json::Value = serde_json::from_slice(&sent[1].payload)?;
//! assert_eq!((done["bid"].as_str(), done["need_reply"].as_i64()), (Some("job-1"), Some(1)));
//! # Ok(())
//! # }
//! ```

mod answers;
mod calls;
mod jobs;
mod json;

use std::collections::{HashMap, VecDeque};
use std::marker::PhantomData;

use serde_json::Value;

use crate::SystemStamp;
use crate::catalog::{self, MessageInfo, RuleCheck};
use crate::conversation::{
    Facts, Finding, Monitor, Verdict, attempt_digest, digest, fresh_fields, micros, retry_of,
    rules_about,
};
use crate::{AnyTopic, Body, Checked, Direction, Message, Outgoing, Received, Request, Stamp};
pub use answers::{Incoming, Responder};
pub use calls::CallId;
pub use jobs::Job;
pub(crate) use json::{Answer, Encoded};
use serde::Deserialize as _;

/// How an [`Engine`] keeps its side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// How long a request whose vendor documents no deadline waits for its reply, in
    /// milliseconds.
    pub deadline_ms: u64,
    /// How long a job the other side reports may be quiet before [`Event::Stalled`]; never
    /// when `None`.
    pub stall_ms: Option<u64>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            deadline_ms: crate::conversation::DEFAULT_DEADLINE_MS,
            stall_ms: None,
        }
    }
}

/// A message to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a message the engine gives is meant to be published"]
pub struct Transmit {
    /// The topic name.
    pub topic: String,
    /// The JSON payload.
    pub payload: Vec<u8>,
    /// The QoS its definitions document, else 1 (at least once).
    pub qos: u8,
    /// Its message id.
    pub message: &'static str,
}

/// What the engine tells the application. More kinds may come: match with a wildcard arm.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event {
    /// A call's reply: one of its attempts was answered.
    Answered {
        /// The call.
        call: CallId,
        /// The reply; [`Call::reply`] gives it typed.
        reply: Message,
    },
    /// A call's every attempt went unanswered.
    TimedOut {
        /// The call.
        call: CallId,
        /// The request's id.
        request: &'static str,
        /// How many times it was sent.
        attempts: u32,
    },
    /// A reply to a call that had ended, answered or timed out.
    LateReply {
        /// The call.
        call: CallId,
        /// The reply.
        reply: Message,
    },
    /// A request to answer.
    Request(Incoming),
    /// A job's progress report.
    Progress {
        /// The job.
        job: Job,
        /// Its percentage, where the report has one.
        percent: Option<i64>,
        /// Its step, where the report names one.
        step: Option<String>,
        /// The report.
        report: Message,
    },
    /// A job's final status.
    Finished {
        /// The job.
        job: Job,
        /// The status, as its report writes it (`ok`, `done`).
        status: String,
        /// The report.
        report: Message,
    },
    /// A job the other side reports was quiet for [`Options::stall_ms`].
    Stalled {
        /// The job.
        job: Job,
    },
    /// Any other message received: one that asks for nothing (a job's start included).
    Message {
        /// The message.
        message: Message,
        /// The job it starts, if it starts one.
        job: Option<Job>,
    },
    /// The other side broke a conversation rule.
    Violation(Finding),
    /// A message received that breaks its contract (it is still handled when it decodes).
    Invalid {
        /// Its topic.
        topic: String,
        /// The check's verdict and what it found.
        checked: Box<Checked>,
    },
}

/// A call of request `Q`: what [`Engine::call`] gives, to tell its events.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a call's reply comes as an event: keep its handle to know it"]
pub struct Call<Q: Request> {
    id: CallId,
    job: Option<Job>,
    request: PhantomData<fn() -> Q>,
}

impl<Q: Request> Call<Q> {
    /// Its id, as its events name it.
    pub fn id(&self) -> CallId {
        self.id
    }

    /// The job the request starts, if it starts one.
    pub fn job(&self) -> Option<&Job> {
        self.job.as_ref()
    }

    /// The typed reply, when `event` is this call's [`Event::Answered`].
    pub fn reply(&self, event: &Event) -> Option<Received<Q::Reply>> {
        match event {
            Event::Answered { call, reply } if *call == self.id => {
                Q::Reply::from_message(reply.clone()).ok()
            }
            _ => None,
        }
    }
}

/// Why the engine refused a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request holds the same value of a field its definitions keep fresh as an open
    /// request of its device: the reply could not tell them apart.
    #[error("{request}: `{field}` is that of an open request of the same device")]
    Reused {
        /// The request's id.
        request: &'static str,
        /// The field.
        field: &'static str,
    },
    /// The request asks for no reply (a DJI event with `need_reply: 0`): send it instead.
    #[error("{0} asks for no reply")]
    NoReply(&'static str),
    /// The message asks for its reply: [`Engine::call`] sends it and waits for the reply.
    #[error("{0} asks for its reply: call it")]
    AsksReply(&'static str),
    /// The responder's request was answered already, or is not this engine's.
    #[error("no request of this engine waits for this answer")]
    UnknownResponder,
    /// The message is no progress report of the job's family.
    #[error("{message} reports no job of {family}")]
    NotAReport {
        /// The message's id.
        message: &'static str,
        /// The job's family.
        family: String,
    },
    /// The payload could not be encoded.
    #[error("{0}: {1}")]
    Encode(&'static str, String),
}

/// One side of the conversations; see the [module docs](self).
pub struct Engine {
    /// The direction of what this side sends.
    side: Direction,
    options: Options,
    ids: Box<dyn Stamp + Send>,
    calls: calls::Calls,
    answers: answers::Answers,
    jobs: jobs::Jobs,
    monitor: Monitor,
    /// Received messages, by digest, until they are no longer redelivered.
    recent: HashMap<u64, i64>,
    /// Acknowledgement bodies the application set, by request id.
    acks: HashMap<&'static str, Value>,
    line: u64,
    transmits: VecDeque<Transmit>,
    events: VecDeque<Event>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("options", &self.options)
            .field("calls", &self.calls.open())
            .field("waiting", &self.answers.waiting())
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// The engine of the side that sends `side`'s messages: [`Direction::Down`] for a
    /// platform, [`Direction::Up`] for a device. Its ids are random UUIDs.
    pub fn new(side: Direction, options: Options) -> Self {
        Self::with_ids(side, options, Box::new(SystemStamp))
    }

    /// [`new`](Self::new), with the ids of `ids` (its time is never read: the engine's time is
    /// what it is told).
    pub fn with_ids(side: Direction, options: Options, ids: Box<dyn Stamp + Send>) -> Self {
        let other = match side {
            Direction::Up => Direction::Down,
            Direction::Down => Direction::Up,
        };
        let monitor = Monitor::new(crate::conversation::Options {
            deadline_ms: options.deadline_ms,
            duty: Some(other),
        });
        Self {
            side,
            options,
            ids,
            calls: calls::Calls::default(),
            answers: answers::Answers::default(),
            jobs: jobs::Jobs::default(),
            monitor,
            recent: HashMap::new(),
            acks: HashMap::new(),
            line: 0,
            transmits: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// Builds the message `body` for `topic`, with this engine's ids and the time `now`.
    pub fn message<B: Body>(&mut self, topic: B::Topic, body: B, now: i64) -> Outgoing<B> {
        Outgoing::stamped(topic, body, &mut self.stamp(now))
    }

    /// Sends `request` at `now` and waits for its reply; see [`Event::Answered`] and
    /// [`Event::TimedOut`]. A request that starts a job starts it.
    pub fn call<Q: Request>(&mut self, request: Outgoing<Q>, now: i64) -> Result<Call<Q>, Error> {
        let (id, job) = self.start_call(request, now)?;
        Ok(Call {
            id,
            job,
            request: PhantomData,
        })
    }

    /// Sends `message` at `now`, waiting for nothing: a message that asks for no reply (one
    /// that asks is refused: [`call`](Self::call) it). A message that starts a job starts it,
    /// and returns it.
    pub fn send<B: Body>(&mut self, message: Outgoing<B>, now: i64) -> Result<Option<Job>, Error> {
        let bytes = encode(&message)?;
        let info = info(B::ID);
        let payload = value(&message)?;
        if info.reply.is_some() && asks_reply(info, &payload) {
            return Err(Error::AsksReply(B::ID));
        }
        let topic = message.topic_name();
        let job = self.started(info, &device(&topic), &payload, now, None);
        self.publish(info, topic, bytes, now);
        Ok(job)
    }

    /// Answers the request of `responder` with `body`, at `now`: each attempt of it received
    /// so far, and those that come within its sender's retry window, get the same answer (the
    /// job a request starts started when it was received).
    pub fn respond<Q: Request>(
        &mut self,
        responder: Responder<Q>,
        body: Q::Reply,
        now: i64,
    ) -> Result<(), Error> {
        let (identity, attempts, window) = self
            .answers
            .take(responder.token)
            .ok_or(Error::UnknownResponder)?;
        let body = serde_json::to_value(&body).map_err(|e| Error::Encode(Q::ID, e.to_string()))?;
        // Each attempt gets the answer: its sender may wait on its latest.
        for attempt in &attempts {
            self.answer(attempt, Some(&body), now);
        }
        if identity.2.is_some() {
            self.answers.given(identity, body, window);
        }
        Ok(())
    }

    /// Sends `report`, a progress report of `job`, at `now`: the fields that name the job are
    /// the job's, and where its definitions say how, it asks for its acknowledgement, which the
    /// engine then waits for as a call.
    pub fn report<B: Body>(
        &mut self,
        job: &Job,
        report: Outgoing<B>,
        now: i64,
    ) -> Result<Option<CallId>, Error> {
        let info = info(B::ID);
        let mut payload = value(&report)?;
        let fields = jobs::Jobs::fields(B::ID, job).ok_or_else(|| Error::NotAReport {
            message: B::ID,
            family: job.family.clone(),
        })?;
        for (at, value) in fields {
            json::set(&mut payload, at, value);
        }
        for ask in info.reply_when {
            let value = serde_json::from_str(ask.value).unwrap_or_default();
            json::set(&mut payload, ask.pointer, value);
        }
        let asks = info.reply.is_some() && asks_reply(info, &payload);
        let payload = B::Payload::deserialize(&payload).map_err(|e| encode_error::<B>(&e))?;
        let report = Outgoing::<B> {
            topic: report.topic,
            payload,
        };
        if asks {
            return self.start_call(report, now).map(|(id, _)| Some(id));
        }
        self.send(report, now).map(|_| None)
    }

    /// The body that acknowledges each request `Q` from now on, instead of the definitions'
    /// `ack`; a request whose reply has neither comes as [`Event::Request`].
    pub fn set_acknowledgement<Q: Request>(&mut self, body: Q::Reply) -> Result<(), Error> {
        let body = serde_json::to_value(&body).map_err(|e| Error::Encode(Q::ID, e.to_string()))?;
        self.acks.insert(Q::ID, body);
        Ok(())
    }

    /// Follows a message received at `now`.
    pub fn receive(&mut self, topic: &str, payload: &[u8], now: i64) {
        let (checked, facts) = Facts::check_and_read(topic, payload);
        // The check decoded a payload of one message; a list of events is read event by event.
        let batch = catalog::route(topic).is_none_or(|t| t.batch.is_some());
        let messages = match &checked.decoded {
            Some(message) if !batch => vec![message.clone()],
            _ => crate::decode_all(topic, payload).unwrap_or_default(),
        };
        // The same bytes of a message without ids may be a second message (Tencent's reports
        // and acknowledgements): only those with ids are dropped as copies.
        let copy = messages.iter().all(|m| identified(m.info()));
        // The facts hold the digest of the topic and payload already.
        let bytes = facts
            .as_ref()
            .map_or_else(|| digest(&(topic, payload)), |f| f.digest);
        if copy && self.redelivered(bytes, now) {
            return;
        }
        self.observe(facts.as_ref(), now);
        if checked.verdict != crate::Verdict::Conforms {
            self.events.push_back(Event::Invalid {
                topic: topic.to_owned(),
                checked: Box::new(checked),
            });
        }
        let device = device(topic);
        for message in messages {
            self.handle(message, &device, now);
        }
    }

    /// Whether the message of `digest` (of its topic and payload bytes) is a copy of one
    /// received within two default deadlines: the same bytes (a QoS 1 redelivery). Asked only
    /// of messages that hold ids or their sending time.
    fn redelivered(&mut self, digest: u64, now: i64) -> bool {
        if self.recent.get(&digest).is_some_and(|until| *until > now) {
            return true;
        }
        let memory = now.saturating_add(micros(self.options.deadline_ms).saturating_mul(2));
        self.recent.insert(digest, memory);
        // Swept here too, once in 1,024 messages, not only at a wake: a side that only
        // receives may never be woken.
        if self.line.is_multiple_of(1024) {
            self.recent.retain(|_, until| *until > now);
        }
        false
    }

    /// Lets time pass to `now`: retries, calls timed out, jobs stalled, the other side's
    /// requests run out.
    pub fn wake(&mut self, now: i64) {
        for due in self.calls.due(now, self.ids.as_mut()) {
            match due {
                calls::Due::Retry(info, topic, bytes) => self.publish(info, topic, bytes, now),
                calls::Due::TimedOut(call, request, attempts) => {
                    self.events.push_back(Event::TimedOut {
                        call,
                        request,
                        attempts,
                    });
                }
            }
        }
        let quiet = self.options.stall_ms.map(micros);
        for job in self.jobs.quiet(
            now,
            quiet,
            micros(crate::conversation::JOB_MEMORY_MS as u64),
        ) {
            self.events.push_back(Event::Stalled { job });
        }
        self.answers.forget(now);
        self.recent.retain(|_, until| *until > now);
        let found = self.monitor.tick(now);
        self.violations(found);
    }

    /// When to call [`wake`](Self::wake) next; `None` when nothing waits on time.
    pub fn next_wake(&self) -> Option<i64> {
        let quiet = self.options.stall_ms.map(micros);
        let each = [
            self.calls.next_due(),
            self.jobs.next_due(quiet),
            self.answers.next_due(),
            // Not `pending`: a tick judges an exchange only once its last attempt's stay
            // ends, so until then `pending` stays in the past and would be due at every wake.
            self.monitor.next_tick(),
        ];
        each.into_iter().flatten().min()
    }

    /// The next message to publish.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// How many calls wait for their reply.
    pub fn open_calls(&self) -> usize {
        self.calls.open()
    }

    /// The call that started `job`, if this engine's call did.
    pub fn started_by(&self, job: &Job) -> Option<CallId> {
        self.jobs.started_by(job)
    }

    /// Sends `request`, which must ask for its reply, and waits for the reply.
    fn start_call<B: Body>(
        &mut self,
        request: Outgoing<B>,
        now: i64,
    ) -> Result<(CallId, Option<Job>), Error> {
        let info = info(B::ID);
        let payload = value(&request)?;
        if info.reply.is_none() || !asks_reply(info, &payload) {
            return Err(Error::NoReply(B::ID));
        }
        let plan = plan::<B>(info, request.topic_name(), payload, self.wait(B::ID));
        if let Some(field) = self.calls.reused(&plan) {
            return Err(Error::Reused {
                request: B::ID,
                field,
            });
        }
        let bytes = encode(&request)?;
        let topic = plan.topic.clone();
        let job = jobs::Jobs::started(info, &plan.device, &plan.payload);
        let id = self.calls.start(plan, now);
        if let Some((job, reports)) = &job {
            self.jobs
                .start(job.clone(), now, *reports != self.side, Some(id));
        }
        let job = job.map(|(job, _)| job);
        self.publish(info, topic, bytes, now);
        Ok((id, job))
    }

    fn handle(&mut self, message: Message, device: &str, now: i64) {
        let info = message.info();
        let Ok(payload) = message.as_delivery().to_value() else {
            return;
        };
        if info.request.is_some() {
            match self.calls.settle(info, device, &payload, now) {
                Some(calls::Settled::Answered(call)) => {
                    return self.events.push_back(Event::Answered {
                        call,
                        reply: message,
                    });
                }
                Some(calls::Settled::Late(call)) => {
                    return self.events.push_back(Event::LateReply {
                        call,
                        reply: message,
                    });
                }
                None => {}
            }
        }
        let job = self.started(info, device, &payload, now, None);
        let asks = info.reply.is_some() && asks_reply(info, &payload);
        let asked = asks.then(|| self.answer_request(&message, info, device, &payload, &job, now));
        if asked == Some(Asked::Again) {
            return;
        }
        let event = match self.jobs.report(info, device, &payload, now) {
            Some((job, jobs::Report::Progress { percent, step })) => Event::Progress {
                job,
                percent,
                step,
                report: message,
            },
            Some((job, jobs::Report::Finished(status))) => Event::Finished {
                job,
                status,
                report: message,
            },
            Some((_, jobs::Report::Stale)) => return,
            None if asked.is_none() => Event::Message { message, job },
            None => return,
        };
        self.events.push_back(event);
    }

    /// The job `info` starts, if it starts one, started at `now`: watched when its reports
    /// come to this side.
    fn started(
        &mut self,
        info: &MessageInfo,
        device: &str,
        payload: &Value,
        now: i64,
        by: Option<CallId>,
    ) -> Option<Job> {
        let (job, reports) = jobs::Jobs::started(info, device, payload)?;
        self.jobs.start(job.clone(), now, reports != self.side, by);
        Some(job)
    }

    /// Answers a request that asks for its reply, or hands it to the application.
    fn answer_request(
        &mut self,
        message: &Message,
        info: &'static MessageInfo,
        device: &str,
        payload: &Value,
        job: &Option<Job>,
        now: i64,
    ) -> Asked {
        // The attempts of a request its sender retries are one request; so are the copies of
        // one without ids (which may also be the same request sent again): each is answered
        // as the first was, with no second event.
        let members = || payload.as_object().cloned().unwrap_or_default();
        let attempts = match retry_of(info.id) {
            Some(retry) => {
                let sent_at = info.topic_info().and_then(|t| t.sent_at);
                Some(attempt_digest(members(), retry.changes, sent_at))
            }
            None if !identified(info) => Some(attempt_digest(members(), &[], None)),
            None => None,
        };
        let identity = (device.to_owned(), info.id, attempts);
        match self.answers.seen(&identity, message, now) {
            answers::Seen::Again(body) => {
                let body = body.clone();
                self.answer(message, Some(&body), now);
                return Asked::Again;
            }
            answers::Seen::Waiting => return Asked::Again,
            answers::Seen::New => {}
        }
        let own = self.acks.get(info.id).cloned();
        if self.answer(message, own.as_ref(), now) {
            return Asked::Acknowledged;
        }
        let wait = self.wait(info.id);
        let tries = retry_of(info.id).map_or(1, |r| i64::from(r.count).saturating_add(1));
        let window = now.saturating_add(wait.saturating_mul(tries));
        let until =
            window.saturating_add(micros(crate::conversation::JOB_MEMORY_MS.unsigned_abs()));
        let token = self.answers.wait(identity, message.clone(), window, until);
        let incoming = Incoming {
            message: message.clone(),
            token,
            deadline: now.saturating_add(wait),
            job: job.clone(),
        };
        self.events.push_back(Event::Request(incoming));
        Asked::ToApplication
    }

    /// Publishes the answer to `request` with `body`, or its acknowledgement.
    fn answer(&mut self, request: &Message, body: Option<&Value>, now: i64) -> bool {
        let info = request.info();
        let Some(answer) = info.answer else {
            return false;
        };
        let mut stamp = Stamped {
            ids: self.ids.as_mut(),
            now,
        };
        let Some((topic, bytes)) = answer(request, body, &mut stamp) else {
            return false;
        };
        let reply = info.reply.and_then(catalog::message).unwrap_or(info);
        self.publish(reply, topic, bytes, now);
        true
    }

    fn publish(&mut self, info: &'static MessageInfo, topic: String, payload: Vec<u8>, now: i64) {
        let facts = Facts::read(&topic, &payload);
        self.observe(facts.as_ref(), now);
        self.transmits.push_back(Transmit {
            topic,
            payload,
            qos: info.qos.unwrap_or(1),
            message: info.id,
        });
    }

    fn observe(&mut self, facts: Option<&Facts>, now: i64) {
        self.line += 1;
        if let Some(facts) = facts {
            let found = self.monitor.observe(self.line, Some(now), facts);
            self.violations(found);
        }
    }

    fn violations(&mut self, found: Vec<Finding>) {
        let broken = found
            .into_iter()
            .filter(|f| f.verdict == Verdict::Violation);
        self.events.extend(broken.map(Event::Violation));
    }

    /// How long an attempt of request `id` waits for its reply, in microseconds.
    fn wait(&self, id: &str) -> i64 {
        let documented = rules_about(id).iter().find_map(|r| match r.check {
            RuleCheck::Answered { deadline_ms, .. } => deadline_ms,
            _ => None,
        });
        micros(documented.unwrap_or(self.options.deadline_ms))
    }

    fn stamp(&mut self, now: i64) -> Stamped<'_> {
        Stamped {
            ids: self.ids.as_mut(),
            now,
        }
    }
}

/// What became of a request that asks for its reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Asked {
    /// The engine acknowledged it.
    Acknowledged,
    /// It went to the application, as [`Event::Request`].
    ToApplication,
    /// An attempt of a request handled already: answered as it was, or to be.
    Again,
}

/// The engine's ids, and the time it was told.
struct Stamped<'a> {
    ids: &'a mut dyn Stamp,
    now: i64,
}

impl Stamp for Stamped<'_> {
    fn id(&mut self) -> String {
        self.ids.id()
    }

    fn now_ms(&mut self) -> i64 {
        self.now.div_euclid(1000)
    }
}

/// The catalog entry of message `id`, which every generated body has.
fn info(id: &str) -> &'static MessageInfo {
    catalog::message(id).unwrap_or(&catalog::messages()[0])
}

fn value<B: Body>(message: &Outgoing<B>) -> Result<Value, Error> {
    serde_json::to_value(&message.payload).map_err(|e| encode_error::<B>(&e))
}

fn encode<B: Body>(message: &Outgoing<B>) -> Result<Vec<u8>, Error> {
    message.to_bytes().map_err(|e| encode_error::<B>(&e))
}

fn encode_error<B: Body>(e: &serde_json::Error) -> Error {
    Error::Encode(B::ID, e.to_string())
}

/// The device a topic names, as the conversation rules name it.
fn device(topic: &str) -> String {
    let parsed = AnyTopic::parse(topic).ok();
    parsed.and_then(|t| t.device()).unwrap_or_default()
}

/// Whether a request asks for its reply: every value of its `reply_when` is there.
fn asks_reply(info: &MessageInfo, payload: &Value) -> bool {
    info.reply_when
        .iter()
        .all(|c| json::text(payload, c.pointer) == c.value)
}

/// Whether a message holds ids or its sending time, so that the same bytes again are a copy:
/// its topic's envelope has a sending time, or it or its reply correlates an exchange id.
fn identified(info: &MessageInfo) -> bool {
    let sent_at = info.topic_info().is_some_and(|t| t.sent_at.is_some());
    let reply = info.reply.and_then(catalog::message);
    let mut exchange = info
        .correlate
        .iter()
        .chain(reply.map_or(&[][..], |r| r.correlate));
    sent_at || exchange.any(|c| c.exchange)
}

fn plan<B: Body>(
    info: &'static MessageInfo,
    topic: String,
    payload: Value,
    wait: i64,
) -> calls::Plan {
    let reply = info.reply.and_then(catalog::message).unwrap_or(info);
    let fresh = fresh_fields(info.id);
    calls::Plan {
        info,
        reply,
        device: device(&topic),
        topic,
        payload,
        rebuild: json::reencode::<B>,
        wait,
        retry: retry_of(info.id),
        fresh: fresh.collect(),
        sent_at: info.topic_info().and_then(|t| t.sent_at),
    }
}
