//! Byte spans into the user's source text, and their conversion to 1-based line and column.

use serde::Serialize;

/// A half-open byte range `start..end` in the source text.
///
/// Every node of a parsed document and every diagnostic carries one, so that a problem can be
/// shown at the exact place the user wrote it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    /// First byte of the range.
    pub start: usize,
    /// One past the last byte of the range.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` (swapped if given in the wrong order).
    pub fn new(start: usize, end: usize) -> Self {
        if start <= end {
            Span { start, end }
        } else {
            Span {
                start: end,
                end: start,
            }
        }
    }

    /// An empty span at `offset`.
    pub fn point(offset: usize) -> Self {
        Span {
            start: offset,
            end: offset,
        }
    }

    /// The smallest span that covers both spans.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// Number of bytes covered.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// Whether the span covers no byte.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// A 1-based line and column. The column counts Unicode scalar values (characters), not bytes,
/// so it matches what an editor shows for text without tabs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Position {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

/// Start offsets of every line of a text, for converting byte offsets to positions and back.
#[derive(Clone, Debug)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    /// Indexes `text`. Lines end at `\n`; a `\r` before it belongs to the line ending.
    pub fn new(text: &str) -> Self {
        let mut line_starts = Vec::with_capacity(text.len() / 32 + 1);
        line_starts.push(0);
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(i + 1);
            }
        }
        LineIndex {
            line_starts,
            len: text.len(),
        }
    }

    /// Number of lines (a text without a trailing newline still has its last line).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte offset where 1-based `line` starts, clamped to the text.
    pub fn line_start(&self, line: usize) -> usize {
        let idx = line.saturating_sub(1).min(self.line_starts.len() - 1);
        self.line_starts[idx]
    }

    /// The text of 1-based `line`, without its line ending.
    pub fn line_text<'a>(&self, text: &'a str, line: usize) -> &'a str {
        let start = self.line_start(line).min(text.len());
        let end = if line < self.line_starts.len() {
            self.line_starts[line].saturating_sub(1)
        } else {
            text.len()
        };
        let end = end.max(start).min(text.len());
        let slice = text.get(start..end).unwrap_or("");
        slice.strip_suffix('\r').unwrap_or(slice)
    }

    /// The position of byte `offset` (clamped to the text and moved back to a character boundary).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(self.len).min(text.len());
        while offset > 0 && !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line_idx = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line_idx];
        let column = text.get(start..offset).map_or(0, |s| s.chars().count()) + 1;
        Position {
            line: line_idx + 1,
            column,
        }
    }

    /// The byte offset of 1-based `line` and 0-based character column `col`, clamped to the line.
    pub fn offset_of(&self, text: &str, line: usize, col: usize) -> usize {
        let start = self.line_start(line).min(text.len());
        let rest = &text[start..];
        let line_end = rest.find('\n').unwrap_or(rest.len());
        let line_text = &rest[..line_end];
        match line_text.char_indices().nth(col) {
            Some((i, _)) => start + i,
            None => start + line_text.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let text = "ab\nçd e\n\nlast";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 0), Position { line: 1, column: 1 });
        assert_eq!(idx.position(text, 3), Position { line: 2, column: 1 });
        // 'd' follows a two-byte 'ç'.
        assert_eq!(idx.position(text, 5), Position { line: 2, column: 2 });
        assert_eq!(idx.position(text, 10), Position { line: 4, column: 1 });
        assert_eq!(idx.position(text, 999), Position { line: 4, column: 5 });
        assert_eq!(idx.line_text(text, 2), "çd e");
        assert_eq!(idx.line_text(text, 3), "");
        assert_eq!(idx.offset_of(text, 2, 1), 5);
        assert_eq!(idx.offset_of(text, 2, 99), 8);
    }

    #[test]
    fn carriage_returns_are_not_part_of_a_line() {
        let text = "a\r\nb";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_text(text, 1), "a");
        assert_eq!(idx.position(text, 3), Position { line: 2, column: 1 });
    }
}
