//! A deterministic automaton over ASCII bytes for a [`Node`]: a Thompson NFA, then the subset
//! construction, with bytes grouped into classes that no set of the pattern tells apart.

use std::collections::{BTreeMap, BTreeSet};

use super::Node;

/// The most states a pattern's automaton may have: beyond it, its table is not worth
/// generating (`[0-9]{1000}` needs 1,002).
pub const MAX_STATES: usize = 4096;

/// A matcher of a whole value: state 0 is the dead state, state 1 the start; a byte beyond
/// ASCII leads to the dead state.
#[derive(Debug, Clone, PartialEq)]
pub struct Dfa {
    /// The class of each ASCII byte.
    pub classes: [u8; 128],
    /// How many classes there are: the width of a row of `table`.
    pub width: usize,
    /// The next state of each state and class, a row a state.
    pub table: Vec<u16>,
    /// Whether each state accepts.
    pub accepting: Vec<bool>,
}

/// A state of the NFA.
#[derive(Debug, Clone, Copy)]
enum State {
    /// A byte of the set, then the next state.
    Byte(u128, usize),
    /// Either state, without reading.
    Split(usize, usize),
    Match,
}

impl Dfa {
    /// The automaton of `node`; `None` when it needs more than [`MAX_STATES`] states.
    pub fn compile(node: &Node) -> Option<Dfa> {
        let mut nfa = vec![State::Match];
        let start = thompson(node, 0, &mut nfa);
        let (classes, representatives) = byte_classes(node);
        let width = representatives.len();
        let dead: BTreeSet<usize> = BTreeSet::new();
        let first = closure(&nfa, [start]);
        let mut ids: BTreeMap<BTreeSet<usize>, usize> = BTreeMap::from([(dead.clone(), 0)]);
        let mut states = vec![dead, first.clone()];
        ids.insert(first, 1);
        let mut table = Vec::new();
        let mut at = 0;
        while at < states.len() {
            for &byte in &representatives {
                let next = step(&nfa, &states[at], byte);
                let id = match ids.get(&next) {
                    Some(&id) => id,
                    None => {
                        if states.len() == MAX_STATES {
                            return None;
                        }
                        ids.insert(next.clone(), states.len());
                        states.push(next);
                        states.len() - 1
                    }
                };
                table.push(id as u16);
            }
            at += 1;
        }
        let accepting = states.iter().map(|s| s.contains(&0)).collect();
        Some(Dfa {
            classes,
            width,
            table,
            accepting,
        })
    }

    /// Whether the automaton matches `text` whole, as the generated check does.
    #[cfg(test)]
    pub fn matches(&self, text: &str) -> bool {
        let mut state = 1;
        for byte in text.bytes() {
            let Some(&class) = self.classes.get(usize::from(byte)) else {
                return false;
            };
            state = usize::from(self.table[state * self.width + usize::from(class)]);
        }
        self.accepting[state]
    }
}

/// Compiles `node` into `nfa`, going on to `next` once matched; its start state.
fn thompson(node: &Node, next: usize, nfa: &mut Vec<State>) -> usize {
    let push = |nfa: &mut Vec<State>, state| {
        nfa.push(state);
        nfa.len() - 1
    };
    match node {
        Node::Set(set) => push(nfa, State::Byte(*set, next)),
        Node::Concat(items) => items
            .iter()
            .rev()
            .fold(next, |after, item| thompson(item, after, nfa)),
        Node::Alt(branches) => {
            let starts: Vec<usize> = branches.iter().map(|b| thompson(b, next, nfa)).collect();
            let (last, rest) = starts.split_last().expect("an alternation has branches");
            rest.iter()
                .rev()
                .fold(*last, |other, &one| push(nfa, State::Split(one, other)))
        }
        Node::Repeat(item, min, max) => {
            let tail = match max {
                // A loop: the split goes round the item or on.
                None => {
                    let split = push(nfa, State::Split(usize::MAX, next));
                    let body = thompson(item, split, nfa);
                    nfa[split] = State::Split(body, next);
                    split
                }
                // Each optional copy may skip to the end.
                Some(max) => (*min..*max).fold(next, |after, _| {
                    let body = thompson(item, after, nfa);
                    push(nfa, State::Split(body, next))
                }),
            };
            (0..*min).fold(tail, |after, _| thompson(item, after, nfa))
        }
    }
}

/// The states reachable from `from` without reading: the Byte and Match states among them.
fn closure(nfa: &[State], from: impl IntoIterator<Item = usize>) -> BTreeSet<usize> {
    let mut seen = BTreeSet::new();
    let mut out = BTreeSet::new();
    let mut pending: Vec<usize> = from.into_iter().collect();
    while let Some(s) = pending.pop() {
        if !seen.insert(s) {
            continue;
        }
        match nfa[s] {
            State::Split(a, b) => pending.extend([a, b]),
            State::Byte(..) | State::Match => {
                out.insert(s);
            }
        }
    }
    out
}

/// Where the states `from` go on `byte`.
fn step(nfa: &[State], from: &BTreeSet<usize>, byte: u8) -> BTreeSet<usize> {
    let next = from.iter().filter_map(|&s| match nfa[s] {
        State::Byte(set, next) if set >> byte & 1 == 1 => Some(next),
        _ => None,
    });
    closure(nfa, next)
}

/// The class of each ASCII byte (bytes in exactly the same sets share one), and a byte of
/// each class.
fn byte_classes(node: &Node) -> ([u8; 128], Vec<u8>) {
    let mut sets = BTreeSet::new();
    collect_sets(node, &mut sets);
    let mut classes = [0u8; 128];
    let mut signatures: BTreeMap<Vec<bool>, u8> = BTreeMap::new();
    let mut representatives = Vec::new();
    for byte in 0..128u8 {
        let signature: Vec<bool> = sets.iter().map(|set| set >> byte & 1 == 1).collect();
        let next = signatures.len() as u8;
        let class = *signatures.entry(signature).or_insert_with(|| {
            representatives.push(byte);
            next
        });
        classes[usize::from(byte)] = class;
    }
    (classes, representatives)
}

fn collect_sets(node: &Node, out: &mut BTreeSet<u128>) {
    match node {
        Node::Set(set) => {
            out.insert(*set);
        }
        Node::Concat(items) | Node::Alt(items) => items.iter().for_each(|i| collect_sets(i, out)),
        Node::Repeat(item, ..) => collect_sets(item, out),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Node, parse};
    use super::Dfa;
    use crate::model::Layout;

    /// Whether `node` matches the whole of `text`, by backtracking over the tree: a second
    /// reading of the same semantics to hold the automaton to.
    fn reference(node: &Node, text: &[u8]) -> bool {
        ends(node, text, 0).contains(&text.len())
    }

    /// Every position where a match of `node` from `at` may end.
    fn ends(node: &Node, text: &[u8], at: usize) -> Vec<usize> {
        match node {
            Node::Set(set) => match text.get(at) {
                Some(&b) if b < 128 && set >> b & 1 == 1 => vec![at + 1],
                _ => vec![],
            },
            Node::Concat(items) => items.iter().fold(vec![at], |from, item| {
                let mut next: Vec<usize> = from.iter().flat_map(|&f| ends(item, text, f)).collect();
                next.sort_unstable();
                next.dedup();
                next
            }),
            Node::Alt(branches) => branches.iter().flat_map(|b| ends(b, text, at)).collect(),
            Node::Repeat(item, min, max) => {
                let mut out = Vec::new();
                let mut frontier = vec![at];
                let limit = max.unwrap_or(text.len() as u32 + 1);
                for count in 0..=limit {
                    if count >= *min {
                        out.extend(&frontier);
                    }
                    let mut next: Vec<usize> =
                        frontier.iter().flat_map(|&f| ends(item, text, f)).collect();
                    next.sort_unstable();
                    next.dedup();
                    if next.is_empty() {
                        break;
                    }
                    frontier = next;
                }
                out
            }
        }
    }

    /// Every text of up to `len` bytes over `alphabet`.
    fn texts(alphabet: &[u8], len: usize) -> Vec<Vec<u8>> {
        let mut all = vec![Vec::new()];
        let mut layer = vec![Vec::new()];
        for _ in 0..len {
            layer = layer
                .iter()
                .flat_map(|t: &Vec<u8>| {
                    alphabet.iter().map(move |&b| {
                        let mut next = t.clone();
                        next.push(b);
                        next
                    })
                })
                .collect();
            all.extend(layer.iter().cloned());
        }
        all
    }

    #[test]
    fn the_automaton_matches_what_the_tree_matches() {
        let cases: [(&str, &[u8], usize); 8] = [
            ("[0-9a-f]*", b"0af-", 4),
            ("a(b|cd)+e?", b"abcde", 6),
            ("x{2,3}y{0,2}", b"xy", 6),
            ("(?:ab|a)(?:bc|c)", b"abc", 5),
            ("[A-Z]{2}[0-9]{1,}(-[0-9]+)?", b"AZ09-", 6),
            ("(a|b)*abb", b"ab", 7),
            ("((ab)?c)?(?:c{2}){2}", b"abc", 7),
            ("\\.\\/[\\-a]", b"./-a", 4),
        ];
        for (pattern, alphabet, len) in cases {
            let node = parse(pattern).unwrap();
            let dfa = Dfa::compile(&node).unwrap();
            for text in texts(alphabet, len) {
                let text = String::from_utf8(text).unwrap();
                assert_eq!(
                    dfa.matches(&text),
                    reference(&node, text.as_bytes()),
                    "{pattern} on {text:?}"
                );
            }
        }
    }

    #[test]
    fn date_time() {
        let dfa = Dfa::compile(&parse(Layout::DateTime.pattern()).unwrap()).unwrap();
        for ok in ["2021-05-10 16:04:20", "0000-12-31 23:59:59"] {
            assert!(dfa.matches(ok), "{ok}");
        }
        for bad in [
            "2021-13-10 16:04:20",
            "2021-05-10T16:04:20",
            "2021-05-10 24:00:00",
            "2021-05-10 16:04:20\n",
            "2021-05-1 16:04:20",
            "２021-05-10 16:04:20",
        ] {
            assert!(!dfa.matches(bad), "{bad:?}");
        }
    }

    #[test]
    fn too_many_states_is_refused() {
        assert!(Dfa::compile(&parse("[0-9]{1000}").unwrap()).is_some());
        assert!(Dfa::compile(&parse("(a|b)*a(a|b){12}").unwrap()).is_none());
    }
}
