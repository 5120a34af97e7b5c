//! The texts of specifications already read, by id and revision.
//!
//! A revision's text never changes, so a read of a specification tells PostgreSQL which
//! revision this process holds, and PostgreSQL sends the text only when the current revision
//! is another one. A 1 MiB specification read again and again then costs PostgreSQL a small
//! row instead of detoasting and copying the text every time, which left the cores to small
//! reads running beside it. The texts kept are bounded in bytes; the oldest go first.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

use uuid::Uuid;

/// Bytes of text kept at most.
pub(super) const BUDGET_BYTES: usize = 64 * 1024 * 1024;

/// A specification's text at one revision.
#[derive(Clone, Debug)]
pub(super) struct KnownText {
    pub revision: i64,
    pub text: Arc<str>,
}

#[derive(Debug)]
struct Entry {
    known: KnownText,
    /// Which insertion this is, so that a stale place in the queue does not evict a newer entry.
    stamp: u64,
}

#[derive(Debug, Default)]
struct Inner {
    entries: HashMap<Uuid, Entry>,
    /// Ids in insertion order, with the stamp of that insertion.
    order: VecDeque<(Uuid, u64)>,
    bytes: usize,
    next_stamp: u64,
}

/// The cache; cheap to share between tasks.
#[derive(Debug)]
pub(super) struct SpecTexts {
    budget: usize,
    inner: Mutex<Inner>,
}

impl SpecTexts {
    /// An empty cache keeping at most `budget` bytes of text.
    pub fn new(budget: usize) -> SpecTexts {
        SpecTexts {
            budget,
            inner: Mutex::new(Inner::default()),
        }
    }

    /// The text held for a specification, if any.
    pub fn get(&self, id: Uuid) -> Option<KnownText> {
        let inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.entries.get(&id).map(|entry| entry.known.clone())
    }

    /// Keeps `text` as the specification's text at `revision`, replacing what was held, and
    /// drops the oldest texts beyond the budget. A text larger than the budget is not kept.
    pub fn put(&self, id: Uuid, revision: i64, text: &str) -> Arc<str> {
        let text: Arc<str> = Arc::from(text);
        if text.len() > self.budget {
            self.forget(id);
            return text;
        }
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let stamp = inner.next_stamp;
        inner.next_stamp += 1;
        let entry = Entry {
            known: KnownText {
                revision,
                text: Arc::clone(&text),
            },
            stamp,
        };
        inner.bytes += text.len();
        if let Some(old) = inner.entries.insert(id, entry) {
            inner.bytes -= old.known.text.len();
        }
        inner.order.push_back((id, stamp));
        while inner.bytes > self.budget {
            let Some((oldest, stamp)) = inner.order.pop_front() else {
                break;
            };
            if inner.entries.get(&oldest).is_some_and(|e| e.stamp == stamp) {
                let removed = inner.entries.remove(&oldest).expect("entry just seen");
                inner.bytes -= removed.known.text.len();
            }
        }
        // Places of replaced entries stay in the queue until they reach its front; keep it
        // from growing past a few times the number of entries.
        if inner.order.len() > 2 * inner.entries.len() + 64 {
            let Inner { entries, order, .. } = &mut *inner;
            order.retain(|(id, stamp)| entries.get(id).is_some_and(|e| e.stamp == *stamp));
        }
        text
    }

    /// Drops what is held for a specification (deleted).
    pub fn forget(&self, id: Uuid) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(old) = inner.entries.remove(&id) {
            inner.bytes -= old.known.text.len();
        }
    }

    #[cfg(test)]
    fn bytes(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn a_text_is_found_at_the_revision_it_was_kept_with() {
        let texts = SpecTexts::new(1024);
        assert!(texts.get(id(1)).is_none());
        texts.put(id(1), 3, "entities: {}");
        let known = texts.get(id(1)).expect("kept");
        assert_eq!(known.revision, 3);
        assert_eq!(&*known.text, "entities: {}");
        texts.put(id(1), 4, "entities: { A: {} }");
        assert_eq!(texts.get(id(1)).expect("kept").revision, 4);
        assert_eq!(texts.bytes(), "entities: { A: {} }".len());
    }

    #[test]
    fn the_oldest_texts_go_first_beyond_the_budget() {
        let texts = SpecTexts::new(10);
        texts.put(id(1), 1, "aaaa");
        texts.put(id(2), 1, "bbbb");
        texts.put(id(1), 2, "cccc");
        texts.put(id(3), 1, "dddd");
        // 2 was the oldest entry still held (1 was replaced after it).
        assert!(texts.get(id(2)).is_none());
        assert_eq!(&*texts.get(id(1)).expect("kept").text, "cccc");
        assert!(texts.get(id(3)).is_some());
        assert!(texts.bytes() <= 10);
    }

    #[test]
    fn a_text_larger_than_the_budget_is_not_kept() {
        let texts = SpecTexts::new(4);
        texts.put(id(1), 1, "abc");
        let text = texts.put(id(1), 2, "abcdef");
        assert_eq!(&*text, "abcdef");
        assert!(texts.get(id(1)).is_none());
        assert_eq!(texts.bytes(), 0);
    }

    #[test]
    fn the_queue_stays_bounded_when_one_text_is_replaced_again_and_again() {
        let texts = SpecTexts::new(1 << 20);
        for revision in 0..10_000 {
            texts.put(id(7), revision, "x");
        }
        let inner = texts.inner.lock().expect("not poisoned");
        assert!(inner.order.len() <= 2 * inner.entries.len() + 65);
        assert_eq!(inner.bytes, 1);
    }

    #[test]
    fn forgetting_frees_the_bytes() {
        let texts = SpecTexts::new(100);
        texts.put(id(1), 1, "abc");
        texts.forget(id(1));
        assert!(texts.get(id(1)).is_none());
        assert_eq!(texts.bytes(), 0);
    }
}
