//! What several test files share.

use iotxfer::catalog::MessageInfo;

/// A topic of message `m`'s pattern, every parameter `GW-1`.
pub fn topic(m: &MessageInfo) -> String {
    let levels = m.topic.split('/').map(|level| {
        if level.starts_with('{') {
            "GW-1"
        } else {
            level
        }
    });
    levels.collect::<Vec<_>>().join("/")
}
