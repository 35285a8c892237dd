//! JSON pointers (RFC 6901), as faults and undocumented fields name their place.

use std::fmt::Write;

/// Appends the member `key` as a pointer segment: `/key`, with `~` and `/` escaped.
pub(crate) fn push_key(path: &mut String, key: &str) {
    path.push('/');
    if key.contains(['~', '/']) {
        path.push_str(&key.replace('~', "~0").replace('/', "~1"));
    } else {
        path.push_str(key);
    }
}

/// Appends the array index `i` as a pointer segment: `/3`.
pub(crate) fn push_index(path: &mut String, i: usize) {
    // Writing to a `String` cannot fail.
    let _ = write!(path, "/{i}");
}

/// Runs `f` with `path` extended by `push`, then takes the extension off again: one `String`
/// serves a whole walk.
pub(crate) fn within<T>(
    path: &mut String,
    push: impl FnOnce(&mut String),
    f: impl FnOnce(&mut String) -> T,
) -> T {
    let len = path.len();
    push(path);
    let out = f(path);
    path.truncate(len);
    out
}
