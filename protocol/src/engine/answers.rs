//! The answering side: requests waiting for the application's answer, and the answers given,
//! kept so that a retry of an answered request gets the same answer again.

use std::marker::PhantomData;

use serde_json::Value;

use super::jobs::Job;
use crate::{Message, Received, Request};

/// A request received that asks for its reply: the application answers it with
/// [`Engine::respond`](super::Engine::respond), through the [`Responder`] that
/// [`take`](Self::take) gives.
#[derive(Debug)]
#[must_use = "a request that asks for its reply must be answered: take its responder"]
pub struct Incoming {
    pub(crate) message: Message,
    pub(crate) token: u64,
    pub(crate) deadline: i64,
    pub(crate) job: Option<Job>,
}

impl Incoming {
    /// The request.
    pub fn message(&self) -> &Message {
        &self.message
    }

    /// When its sender stops waiting for the reply (microseconds since the Unix epoch): the
    /// deadline its definitions give an attempt, from when it was received.
    pub fn deadline(&self) -> i64 {
        self.deadline
    }

    /// The job the request starts, when it starts one: what its progress reports name.
    pub fn job(&self) -> Option<&Job> {
        self.job.as_ref()
    }

    /// The request as a `Q`, with the responder that answers it; the request back when it is
    /// another message.
    #[allow(clippy::result_large_err)] // It comes back as it was given.
    pub fn take<Q: Request>(self) -> Result<(Received<Q>, Responder<Q>), Incoming> {
        match Q::from_message(self.message.clone()) {
            Ok(request) => Ok((
                request,
                Responder {
                    token: self.token,
                    request: PhantomData,
                },
            )),
            Err(_) => Err(self),
        }
    }
}

/// What answers one received request of type `Q`: pass it to
/// [`Engine::respond`](super::Engine::respond). It cannot be copied, so a request is answered
/// once.
#[derive(Debug)]
#[must_use = "a request that asks for its reply must be answered: pass this to Engine::respond"]
pub struct Responder<Q: Request> {
    pub(crate) token: u64,
    request: PhantomData<fn() -> Q>,
}

/// A request waiting for the application's answer.
struct Waiting {
    token: u64,
    identity: Identity,
    message: Message,
    /// The copies received since, where a copy cannot be told from the request sent again.
    copies: u32,
}

/// An answer given, for the retries of its request.
struct Given {
    identity: Identity,
    body: Value,
    until: i64,
}

/// What every attempt of one request holds alike: its device, its message and the digest of
/// its payload but for what a retry changes.
pub(crate) type Identity = (String, &'static str, Option<u64>);

#[derive(Default)]
pub(crate) struct Answers {
    waiting: Vec<Waiting>,
    given: Vec<Given>,
    next: u64,
}

/// What to do with a request received.
pub(crate) enum Seen<'a> {
    /// Answered already: answer this attempt with the same body.
    Again(&'a Value),
    /// An attempt of a request the application is answering: nothing to do.
    Waiting,
    New,
}

impl Answers {
    /// What `identity` is: answered, waiting for the application's answer (a copy is counted
    /// then, when `copies` counts), or new.
    pub(crate) fn seen(&mut self, identity: &Identity, copies: bool) -> Seen<'_> {
        if identity.2.is_none() {
            return Seen::New; // A request its sender does not retry.
        }
        if let Some(given) = self.given.iter().find(|g| g.identity == *identity) {
            return Seen::Again(&given.body);
        }
        if let Some(waiting) = self.waiting.iter_mut().find(|w| w.identity == *identity) {
            waiting.copies += u32::from(copies);
            return Seen::Waiting;
        }
        Seen::New
    }

    /// Holds `message` for the application's answer; the token its responder carries.
    pub(crate) fn wait(&mut self, identity: Identity, message: Message) -> u64 {
        self.next += 1;
        let token = self.next;
        self.waiting.push(Waiting {
            token,
            identity,
            message,
            copies: 0,
        });
        token
    }

    /// The request of `token`, no longer waiting, and its copies received meanwhile.
    pub(crate) fn take(&mut self, token: u64) -> Option<(Identity, Message, u32)> {
        let at = self.waiting.iter().position(|w| w.token == token)?;
        let waiting = self.waiting.swap_remove(at);
        Some((waiting.identity, waiting.message, waiting.copies))
    }

    /// Keeps `body`, the answer to `identity`, until `until`.
    pub(crate) fn given(&mut self, identity: Identity, body: Value, until: i64) {
        self.given.push(Given {
            identity,
            body,
            until,
        });
    }

    pub(crate) fn forget(&mut self, now: i64) {
        self.given.retain(|g| g.until > now);
    }

    /// When the oldest answer kept may be forgotten.
    pub(crate) fn next_due(&self) -> Option<i64> {
        self.given.iter().map(|g| g.until).min()
    }

    /// How many requests wait for the application's answer.
    pub(crate) fn waiting(&self) -> usize {
        self.waiting.len()
    }
}
