//! A mapping being read by the YAML and JSON readers: its entries, the lookup of a key already
//! written, and the `duplicate_key` error both formats report.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use crate::diagnostic::{Code, Diagnostic, Source};
use crate::hash::KeyHasher;
use crate::node::Entry;
use crate::span::Span;

/// The entries of a mapping being read, with a lookup by key name that stays fast for large
/// mappings (a hash index is built only once a mapping has many keys, so small mappings, the
/// vast majority, cost no hashing).
#[derive(Debug, Default)]
pub(super) struct Members {
    entries: Vec<Entry>,
    index: Option<HashMap<String, usize, BuildHasherDefault<KeyHasher>>>,
}

/// Entries from which a mapping gets a hash index.
const INDEX_FROM: usize = 16;

impl Members {
    /// The span of the key `name`, if the mapping already has it.
    pub(super) fn key_span(&self, name: &str) -> Option<Span> {
        let found = match &self.index {
            Some(index) => index.get(name).and_then(|&i| self.entries.get(i)),
            None => self.entries.iter().find(|e| e.key.name == name),
        };
        found.map(|e| e.key.span)
    }

    /// Adds an entry whose key is not in the mapping yet.
    pub(super) fn push(&mut self, entry: Entry) {
        if let Some(index) = &mut self.index {
            index.insert(entry.key.name.clone(), self.entries.len());
        } else if self.entries.len() + 1 >= INDEX_FROM {
            let mut index = HashMap::with_capacity_and_hasher(
                self.entries.len() * 2 + 2,
                BuildHasherDefault::default(),
            );
            for (i, e) in self.entries.iter().enumerate() {
                index.insert(e.key.name.clone(), i);
            }
            index.insert(entry.key.name.clone(), self.entries.len());
            self.index = Some(index);
        }
        self.entries.push(entry);
    }

    /// The entries, in the order they were added.
    pub(super) fn into_entries(self) -> Vec<Entry> {
        self.entries
    }
}

/// The `duplicate_key` error for a key written a second time: at the second key, with the path
/// of its value and a hint pointing at the first one.
pub(super) fn duplicate_key(
    source: &Source<'_>,
    name: &str,
    second: Span,
    first: Span,
    path: String,
) -> Diagnostic {
    source
        .error(
            Code::DuplicateKey,
            second,
            path,
            format!("duplicate key `{name}`; only its first value is used"),
        )
        .with_hint(format!("first defined at {}", source.describe(first)))
}
