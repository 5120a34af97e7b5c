//! Byte offsets of the character indexes that `saphyr` reports.

use std::cell::Cell;

use crate::span::Span;

/// Converts the character indexes of `saphyr` markers into byte offsets.
///
/// The character index is used rather than the line and column because it is exact where
/// lines are counted differently (a lone `\r` is a line break for YAML) or a byte order mark
/// shifts columns, and because it converts in constant time even on very long lines.
pub(super) struct CharOffsets<'a> {
    pub(super) text: &'a str,
    /// Byte offset of every `STRIDE`-th character; empty when the text is ASCII.
    checkpoints: Vec<usize>,
    /// The last conversion, as (character index, byte offset): markers mostly move forward by
    /// a few characters, so most conversions walk only from there.
    cursor: Cell<(usize, usize)>,
}

const STRIDE: usize = 64;

impl<'a> CharOffsets<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        let checkpoints = if text.is_ascii() {
            Vec::new()
        } else {
            text.char_indices()
                .step_by(STRIDE)
                .map(|(i, _)| i)
                .collect()
        };
        CharOffsets {
            text,
            checkpoints,
            cursor: Cell::new((0, 0)),
        }
    }

    pub(super) fn byte(&self, char_index: usize) -> usize {
        if self.checkpoints.is_empty() {
            return char_index.min(self.text.len());
        }
        let (cursor_char, cursor_byte) = self.cursor.get();
        let (base_char, base) = if char_index >= cursor_char && char_index - cursor_char < STRIDE {
            (cursor_char, cursor_byte)
        } else {
            match self.checkpoints.get(char_index / STRIDE) {
                Some(&base) => (char_index - char_index % STRIDE, base),
                None => return self.text.len(),
            }
        };
        let rest = self.text.get(base..).unwrap_or("");
        match rest.char_indices().nth(char_index - base_char) {
            Some((i, _)) => {
                self.cursor.set((char_index, base + i));
                base + i
            }
            None => self.text.len(),
        }
    }

    pub(super) fn span(&self, span: saphyr_parser::Span) -> Span {
        Span::new(self.byte(span.start.index()), self.byte(span.end.index()))
    }
}
