//! The asking side: requests waiting for their reply, each sent again as its definitions say
//! when no reply comes in time.

use serde_json::Value;

use super::json;
use crate::Stamp;
use crate::catalog::{MessageInfo, Retry};

/// A request the engine waits on; see [`Engine::call`](super::Engine::call).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallId(pub(crate) u64);

/// One request on its way.
pub(crate) struct Plan {
    pub(crate) info: &'static MessageInfo,
    pub(crate) reply: &'static MessageInfo,
    pub(crate) device: String,
    pub(crate) topic: String,
    pub(crate) payload: Value,
    /// The payload's bytes from its JSON, in the typed payload's member order.
    pub(crate) rebuild: fn(&Value) -> Option<Vec<u8>>,
    /// How long each attempt waits, in microseconds.
    pub(crate) wait: i64,
    pub(crate) retry: Option<Retry>,
    /// The fields each attempt holds anew: those the definitions keep fresh.
    pub(crate) fresh: Vec<&'static str>,
    /// Where the envelope holds its sending time, in milliseconds.
    pub(crate) sent_at: Option<&'static str>,
}

struct Call {
    id: CallId,
    plan: Plan,
    /// The correlated values of each attempt, as JSON texts.
    keys: Vec<Vec<String>>,
    due: i64,
}

/// A call that ended, kept for a while so that a late reply is known as one.
struct Ended {
    id: CallId,
    reply: &'static str,
    device: String,
    keys: Vec<Vec<String>>,
    until: i64,
}

/// What a reply settles.
pub(crate) enum Settled {
    Answered(CallId),
    Late(CallId),
}

/// What a call's deadline brings.
pub(crate) enum Due {
    /// The request again, as its next attempt: the topic and payload to publish.
    Retry(&'static MessageInfo, String, Vec<u8>),
    /// No attempt was answered.
    TimedOut(CallId, &'static str, u32),
}

#[derive(Default)]
pub(crate) struct Calls {
    open: Vec<Call>,
    ended: Vec<Ended>,
    next: u64,
}

impl Calls {
    /// The field of `plan` that an open call of its device holds the same value of, where the
    /// definitions keep it fresh.
    pub(crate) fn reused(&self, plan: &Plan) -> Option<&'static str> {
        let open = || {
            let open = self.open.iter().filter(|c| c.plan.device == plan.device);
            open.filter(|c| c.plan.info.id == plan.info.id)
        };
        plan.fresh.iter().copied().find(|field| {
            let value = json::text(&plan.payload, field);
            // Where the reply copies the field: each attempt's value is in its key.
            let copied = plan
                .reply
                .correlate
                .iter()
                .position(|c| c.request == *field);
            open().any(|c| match copied {
                Some(at) => c.keys.iter().any(|key| key.get(at) == Some(&value)),
                None => json::text(&c.plan.payload, field) == value,
            })
        })
    }

    /// Waits for the reply to `plan`, sent at `now`.
    pub(crate) fn start(&mut self, plan: Plan, now: i64) -> CallId {
        self.next += 1;
        let id = CallId(self.next);
        let keys = vec![key(&plan, &plan.payload)];
        let due = now.saturating_add(plan.wait);
        self.open.push(Call {
            id,
            plan,
            keys,
            due,
        });
        id
    }

    /// The call `reply` (from `device`) answers, or ended before it did.
    pub(crate) fn settle(
        &mut self,
        reply: &'static MessageInfo,
        device: &str,
        payload: &Value,
        now: i64,
    ) -> Option<Settled> {
        let answers = |id: &str, from: &str, keys: &[Vec<String>]| {
            id == reply.id && from == device && keys.iter().any(|k| *k == reply_key(reply, payload))
        };
        if let Some(at) = self
            .open
            .iter()
            .position(|c| answers(c.plan.reply.id, &c.plan.device, &c.keys))
        {
            let call = self.open.remove(at);
            self.end(call, now);
            return Some(Settled::Answered(self.ended.last()?.id));
        }
        let ended = self
            .ended
            .iter()
            .find(|e| answers(e.reply, &e.device, &e.keys))?;
        Some(Settled::Late(ended.id))
    }

    /// The calls whose attempt ran out by `now`: retried, or timed out after every attempt.
    pub(crate) fn due(&mut self, now: i64, ids: &mut dyn Stamp) -> Vec<Due> {
        self.ended.retain(|e| e.until > now);
        let mut out = Vec::new();
        let mut i = 0;
        while i < self.open.len() {
            if self.open[i].due > now {
                i += 1;
                continue;
            }
            let call = &mut self.open[i];
            let tries = u32::try_from(call.keys.len()).unwrap_or(u32::MAX);
            if call.plan.retry.is_some_and(|r| tries <= r.count)
                && let Some((topic, bytes)) = call.again(now, ids)
            {
                out.push(Due::Retry(call.plan.info, topic, bytes));
                i += 1;
                continue;
            }
            let call = self.open.remove(i);
            out.push(Due::TimedOut(call.id, call.plan.info.id, tries));
            self.end(call, now);
        }
        out
    }

    /// When the next attempt runs out, or an ended call is forgotten.
    pub(crate) fn next_due(&self) -> Option<i64> {
        let ended = self.ended.iter().map(|e| e.until);
        self.open.iter().map(|c| c.due).chain(ended).min()
    }

    /// How many calls wait for their reply.
    pub(crate) fn open(&self) -> usize {
        self.open.len()
    }

    /// Keeps an ended call's keys for one more wait: a reply within it is a late one.
    fn end(&mut self, call: Call, now: i64) {
        self.ended.push(Ended {
            id: call.id,
            reply: call.plan.reply.id,
            device: call.plan.device,
            keys: call.keys,
            until: now.saturating_add(call.plan.wait),
        });
    }
}

impl Call {
    /// The request's next attempt at `now`: fresh values of the fields kept fresh, the time.
    fn again(&mut self, now: i64, ids: &mut dyn Stamp) -> Option<(String, Vec<u8>)> {
        let plan = &mut self.plan;
        for field in &plan.fresh {
            json::set(&mut plan.payload, field, Value::String(ids.id()));
        }
        if let Some(at) = plan.sent_at {
            json::set(&mut plan.payload, at, Value::from(now.div_euclid(1000)));
        }
        let bytes = (plan.rebuild)(&plan.payload)?;
        self.keys.push(key(plan, &plan.payload));
        self.due = now.saturating_add(plan.wait);
        Some((plan.topic.clone(), bytes))
    }
}

/// What of a request its reply copies, as JSON texts, in the reply's correlation order.
fn key(plan: &Plan, request: &Value) -> Vec<String> {
    let each = plan.reply.correlate.iter();
    each.map(|c| json::text(request, c.request)).collect()
}

/// What a reply copied from its request.
fn reply_key(reply: &MessageInfo, payload: &Value) -> Vec<String> {
    let each = reply.correlate.iter();
    each.map(|c| json::text(payload, c.reply)).collect()
}
