//! The answering side: requests waiting for the application's answer, and the answers given,
//! kept so that a retry of an answered request gets the same answer again.

use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};

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

    /// When its sender stops waiting for the reply to this attempt (microseconds since the Unix
    /// epoch): the deadline its definitions give an attempt, from when it was received. A
    /// sender that retries sends the request again then; the answer to any attempt counts.
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

/// The most attempts of one request answered at once: a flood of copies is not amplified.
const MOST_ATTEMPTS: usize = 8;

/// Tokens are unique across engines, so that a responder is refused by another engine.
static TOKENS: AtomicU64 = AtomicU64::new(0);

/// A request waiting for the application's answer.
struct Waiting {
    token: u64,
    identity: Identity,
    /// Every attempt received, the first first: each gets the answer, since its sender may
    /// wait on its latest.
    attempts: Vec<Message>,
    /// Until when a request alike is an attempt of this one: the sender's retry window.
    window: i64,
    /// When it is forgotten unanswered: its responder then answers nothing.
    until: i64,
}

/// An answer given, for the later attempts of its request, until its retry window ends.
struct Given {
    identity: Identity,
    body: Value,
    window: i64,
}

/// What every attempt of one request holds alike: its device, its message and the digest of
/// its payload but for what a retry changes; no digest for a request that has no attempts.
pub(crate) type Identity = (String, &'static str, Option<u64>);

#[derive(Default)]
pub(crate) struct Answers {
    waiting: Vec<Waiting>,
    given: Vec<Given>,
}

/// What to do with a request received.
pub(crate) enum Seen<'a> {
    /// Answered already: answer this attempt with the same body.
    Again(&'a Value),
    /// An attempt of a request the application is answering: it gets the answer too.
    Waiting,
    New,
}

impl Answers {
    /// What `message`, of `identity`, received at `now` is: an attempt of a request answered,
    /// or of one waiting for the application's answer (then kept to be answered too), or new.
    pub(crate) fn seen(&mut self, identity: &Identity, message: &Message, now: i64) -> Seen<'_> {
        if identity.2.is_none() {
            return Seen::New;
        }
        let same = |id: &Identity, window: i64| id == identity && window > now;
        if let Some(given) = self.given.iter().find(|g| same(&g.identity, g.window)) {
            return Seen::Again(&given.body);
        }
        let waiting = self.waiting.iter_mut();
        if let Some(waiting) = waiting.into_iter().find(|w| same(&w.identity, w.window)) {
            if waiting.attempts.len() < MOST_ATTEMPTS {
                waiting.attempts.push(message.clone());
            }
            return Seen::Waiting;
        }
        Seen::New
    }

    /// Holds `message` for the application's answer, its attempts matched until `window` and
    /// itself kept until `until`; the token its responder carries.
    pub(crate) fn wait(
        &mut self,
        identity: Identity,
        message: Message,
        window: i64,
        until: i64,
    ) -> u64 {
        let token = TOKENS.fetch_add(1, Ordering::Relaxed);
        self.waiting.push(Waiting {
            token,
            identity,
            attempts: vec![message],
            window,
            until,
        });
        token
    }

    /// The request of `token`, no longer waiting: its identity, its attempts and its window.
    pub(crate) fn take(&mut self, token: u64) -> Option<(Identity, Vec<Message>, i64)> {
        let at = self.waiting.iter().position(|w| w.token == token)?;
        let waiting = self.waiting.swap_remove(at);
        Some((waiting.identity, waiting.attempts, waiting.window))
    }

    /// Keeps `body`, the answer to `identity`, for its attempts until `window`.
    pub(crate) fn given(&mut self, identity: Identity, body: Value, window: i64) {
        self.given.push(Given {
            identity,
            body,
            window,
        });
    }

    pub(crate) fn forget(&mut self, now: i64) {
        self.given.retain(|g| g.window > now);
        self.waiting.retain(|w| w.until > now);
    }

    /// When an answer or a request kept may be forgotten.
    pub(crate) fn next_due(&self) -> Option<i64> {
        let given = self.given.iter().map(|g| g.window);
        given.chain(self.waiting.iter().map(|w| w.until)).min()
    }

    /// How many requests wait for the application's answer.
    pub(crate) fn waiting(&self) -> usize {
        self.waiting.len()
    }
}
