//! Markdown requirements reader.
//!
//! A requirements document written in Markdown is translated into the [`Node`] tree of the
//! equivalent YAML specification. The document uses a small convention:
//!
//! - `# Title`: the application's title; its snake_case form is the `name` unless a
//!   `Name: some_name` line under it says otherwise; prose under it is the `description`.
//! - `## Roles`: a bullet list of roles.
//! - `## Enum: Name`: a bullet list of values, with optional prose as the enum's description.
//! - `## Entity: Name`: prose (the description), one table with `Field`, `Type` and optional
//!   `Constraints` and `Description` columns, and `List:`, `Permissions:`, `Operations:` and
//!   `Timestamps:` lines.
//!
//! Every node's span is the exact text it came from (a table cell, a list item, one name in a
//! `List:` line), so the validator's diagnostics point where the user wrote the value. The reader
//! reports only what is specific to Markdown: sections and blocks it cannot use, malformed
//! tables, and duplicate names (which a tree of mappings cannot carry). Everything else, unknown
//! constraint words included, is passed through for the validator to judge.

use std::collections::HashMap;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag};

use crate::diagnostic::{Code, Diagnostic, Source, pointer};
use crate::limits;
use crate::names::snake_case;
use crate::node::{Entry, Key, Node, Value};
use crate::span::Span;

/// Translates Markdown requirements into the equivalent specification tree.
///
/// Returns `None` only when the document is over a size limit (`MAX_SOURCE_BYTES`, or more
/// than `MAX_NODES` values; a `limit_exceeded` error is pushed); otherwise returns the tree with
/// the Markdown-specific problems pushed to `diagnostics` (`syntax_error`,
/// `unsupported_construct` warnings and the `duplicate_*` codes). The tree is not validated.
///
/// Entities, enums, roles, enum values and fields per entity are read up to one past their
/// limit in [`limits`] and no further: the validator then reports the limit, and a huge
/// document costs no more work than that.
pub fn to_document(source: &Source<'_>, diagnostics: &mut Vec<Diagnostic>) -> Option<Node> {
    if source.text.len() > limits::MAX_SOURCE_BYTES {
        diagnostics.push(source.error(
            Code::LimitExceeded,
            Span::point(0),
            "",
            format!(
                "the document is {} bytes long, over the limit `MAX_SOURCE_BYTES` of {} bytes",
                source.text.len(),
                limits::MAX_SOURCE_BYTES
            ),
        ));
        return None;
    }
    let blocks = read_blocks(source.text);
    let mut translator = Translator::new(source, diagnostics);
    translator.document(&blocks);
    translator.finish()
}

// ---------------------------------------------------------------------------------------------
// Blocks: the top-level structure of the document, with the spans the translation needs.
// ---------------------------------------------------------------------------------------------

/// Which kind of named section a heading declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Declared {
    Enum,
    Entity,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BlockKind {
    Heading(usize),
    Paragraph,
    List,
    Table,
    CodeBlock,
    BlockQuote,
    Html,
    Other,
}

impl BlockKind {
    fn of(tag: &Tag<'_>) -> Self {
        match tag {
            Tag::Heading { level, .. } => BlockKind::Heading(*level as usize),
            Tag::Paragraph => BlockKind::Paragraph,
            Tag::List(_) => BlockKind::List,
            Tag::Table(_) => BlockKind::Table,
            Tag::CodeBlock(_) => BlockKind::CodeBlock,
            Tag::BlockQuote(_) => BlockKind::BlockQuote,
            Tag::HtmlBlock => BlockKind::Html,
            _ => BlockKind::Other,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            BlockKind::Heading(_) => "a heading",
            BlockKind::Paragraph => "a paragraph",
            BlockKind::List => "a list",
            BlockKind::Table => "a table",
            BlockKind::CodeBlock => "a code block",
            BlockKind::BlockQuote => "a block quote",
            BlockKind::Html => "an HTML block",
            BlockKind::Other => "a block",
        }
    }
}

fn is_inline(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::Image { .. }
    )
}

/// A piece of text with the markup taken out (for prose), and where it was written.
#[derive(Debug)]
struct Piece<'a> {
    text: CowStr<'a>,
    span: Span,
}

#[derive(Debug)]
struct Item {
    span: Span,
    /// The item's own text (its first paragraph), without the bullet.
    text: Option<Span>,
    /// The first block nested in the item (a sub-list, a second paragraph, ...).
    nested: Option<Span>,
    paragraph: bool,
}

#[derive(Debug)]
struct Row {
    span: Span,
    cells: Vec<Span>,
}

#[derive(Debug)]
struct Block<'a> {
    kind: BlockKind,
    span: Span,
    /// Headings and paragraphs: the span of their inline content.
    text: Option<Span>,
    /// Headings, paragraphs and table cells: their text with the markup taken out, in source
    /// order (a cell's text is found by its span).
    pieces: Vec<Piece<'a>>,
    items: Vec<Item>,
    /// Tables: the header row first.
    rows: Vec<Row>,
    /// While inside content nested in a list item: the depth where it started.
    skip: Option<usize>,
}

fn grow(slot: &mut Option<Span>, span: Span) {
    *slot = Some(slot.map_or(span, |s| s.to(span)));
}

impl<'a> Block<'a> {
    fn new(kind: BlockKind, span: Span) -> Self {
        Block {
            kind,
            span,
            text: None,
            pieces: Vec::new(),
            items: Vec::new(),
            rows: Vec::new(),
            skip: None,
        }
    }

    fn open(&mut self, tag: &Tag<'_>, depth: usize, span: Span) {
        if self.skip.is_some() {
            return;
        }
        match self.kind {
            BlockKind::Heading(_) | BlockKind::Paragraph if is_inline(tag) => {
                grow(&mut self.text, span);
            }
            BlockKind::List => {
                if depth == 1 {
                    if matches!(tag, Tag::Item) {
                        self.items.push(Item {
                            span,
                            text: None,
                            nested: None,
                            paragraph: false,
                        });
                    }
                    return;
                }
                let Some(item) = self.items.last_mut() else {
                    return;
                };
                if is_inline(tag) {
                    grow(&mut item.text, span);
                } else if depth == 2
                    && matches!(tag, Tag::Paragraph)
                    && !item.paragraph
                    && item.text.is_none()
                {
                    item.paragraph = true;
                } else {
                    item.nested.get_or_insert(span);
                    self.skip = Some(depth);
                }
            }
            BlockKind::Table => match tag {
                Tag::TableHead | Tag::TableRow if depth == 1 => {
                    self.rows.push(Row {
                        span,
                        cells: Vec::new(),
                    });
                }
                Tag::TableCell if depth == 2 => {
                    if let Some(row) = self.rows.last_mut() {
                        row.cells.push(span);
                    }
                }
                _ => {}
            },
            _ => {}
        }
    }

    fn close(&mut self, depth: usize) {
        if self.skip == Some(depth) {
            self.skip = None;
        }
    }

    fn inline(&mut self, event: Event<'a>, span: Span) {
        if self.skip.is_some() {
            return;
        }
        let text = match event {
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                Some(t)
            }
            Event::SoftBreak => Some(CowStr::Borrowed(" ")),
            Event::HardBreak => Some(CowStr::Borrowed("\n")),
            _ => None,
        };
        match self.kind {
            BlockKind::Heading(_) | BlockKind::Paragraph => {
                grow(&mut self.text, span);
                if let Some(text) = text {
                    self.pieces.push(Piece { text, span });
                }
            }
            BlockKind::List => {
                if let Some(item) = self.items.last_mut() {
                    grow(&mut item.text, span);
                }
            }
            BlockKind::Table => {
                if let Some(text) = text {
                    self.pieces.push(Piece { text, span });
                }
            }
            _ => {}
        }
    }
}

/// Reads the top-level blocks of the document. The walk is iterative, so deeply nested input
/// costs no stack.
fn read_blocks(text: &str) -> Vec<Block<'_>> {
    let parser = Parser::new_ext(text, Options::ENABLE_TABLES);
    let mut blocks = Vec::new();
    let mut current: Option<Block<'_>> = None;
    let mut depth = 0usize;
    for (event, range) in parser.into_offset_iter() {
        let span = Span::new(range.start, range.end);
        match event {
            Event::Start(tag) => {
                if depth == 0 {
                    if let Some(done) = current.take() {
                        blocks.push(done);
                    }
                    current = Some(Block::new(BlockKind::of(&tag), span));
                } else if let Some(block) = current.as_mut() {
                    block.open(&tag, depth, span);
                }
                depth += 1;
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    if let Some(done) = current.take() {
                        blocks.push(done);
                    }
                } else if let Some(block) = current.as_mut() {
                    block.close(depth);
                }
            }
            event => {
                if depth > 0
                    && let Some(block) = current.as_mut()
                {
                    block.inline(event, span);
                }
            }
        }
    }
    if let Some(done) = current.take() {
        blocks.push(done);
    }
    blocks
}

fn reduced(pieces: &[Piece<'_>], within: Span) -> String {
    let first = pieces.partition_point(|p| p.span.start < within.start);
    let mut out = String::new();
    for piece in pieces.get(first..).unwrap_or(&[]) {
        if piece.span.start >= within.end {
            break;
        }
        out.push_str(&piece.text);
    }
    out.trim().to_string()
}

// ---------------------------------------------------------------------------------------------
// Slices of the source text: every value keeps the exact span it was written at.
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug)]
struct Slice<'a> {
    src: &'a str,
    start: usize,
    end: usize,
}

impl<'a> Slice<'a> {
    fn new(src: &'a str, span: Span) -> Self {
        let end = span.end.min(src.len());
        Slice {
            src,
            start: span.start.min(end),
            end,
        }
    }

    fn point(src: &'a str, at: usize) -> Self {
        Slice::new(src, Span::point(at))
    }

    fn text(&self) -> &'a str {
        self.src.get(self.start..self.end).unwrap_or("")
    }

    fn span(&self) -> Span {
        Span::new(self.start, self.end)
    }

    fn is_empty(&self) -> bool {
        self.text().is_empty()
    }

    /// The part from relative byte `from` to relative byte `to` (clamped).
    fn sub(&self, from: usize, to: usize) -> Slice<'a> {
        let len = self.end - self.start;
        let to = to.min(len);
        let from = from.min(to);
        Slice {
            src: self.src,
            start: self.start + from,
            end: self.start + to,
        }
    }

    fn from(&self, at: usize) -> Slice<'a> {
        self.sub(at, self.end - self.start)
    }

    fn trim(&self) -> Slice<'a> {
        let t = self.text();
        let lead = t.len() - t.trim_start().len();
        self.sub(lead, lead + t.trim().len())
    }
}

/// Removes one code span around the whole text (`` `x` `` or ``` ``x`` ```), as CommonMark
/// reads it. The flag says whether there was one.
fn strip_code(s: Slice<'_>) -> (Slice<'_>, bool) {
    let s = s.trim();
    let t = s.text();
    let run = t.bytes().take_while(|&b| b == b'`').count();
    if run == 0 || t.len() < 2 * run + 1 {
        return (s, false);
    }
    let tail = t.bytes().rev().take_while(|&b| b == b'`').count();
    if tail != run {
        return (s, false);
    }
    let inner = s.sub(run, t.len() - run);
    let it = inner.text();
    if it.len() >= 2 && it.starts_with(' ') && it.ends_with(' ') && !it.trim().is_empty() {
        return (inner.sub(1, it.len() - 1), true);
    }
    (inner, true)
}

/// Takes off the code span or emphasis a name may be wrapped in (`` `title` ``, `**Book**`).
fn strip_wrappers(s: Slice<'_>) -> Slice<'_> {
    let mut s = s.trim();
    for _ in 0..4 {
        let (inner, code) = strip_code(s);
        if code {
            return inner.trim();
        }
        let t = s.text();
        let marker = if t.len() > 4 && t.starts_with("**") && t.ends_with("**") {
            2
        } else if t.len() > 2 && t.starts_with('*') && t.ends_with('*') {
            1
        } else {
            return s;
        };
        s = s.sub(marker, t.len() - marker).trim();
    }
    s
}

/// Drops the backslash of Markdown escapes (`created\_at`).
fn unescape(text: &str) -> String {
    if !text.contains('\\') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\'
            && let Some(&next) = chars.peek()
            && next.is_ascii_punctuation()
        {
            continue;
        }
        out.push(c);
    }
    out
}

/// GFM asks for `\|` to write a pipe inside a table cell; the value has the plain pipe.
fn unescape_pipe(text: &str) -> String {
    text.replace("\\|", "|")
}

/// A name as written: without surrounding code span, emphasis or escapes; the span is the name.
fn clean(s: Slice<'_>) -> (String, Span) {
    let s = strip_wrappers(s);
    (unescape(s.text()), s.span())
}

/// Offsets of the backtick runs that open a code span, mapped to the end of their closing run.
fn code_spans(bytes: &[u8]) -> HashMap<usize, usize> {
    let mut runs = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'`' {
            let start = i;
            while bytes.get(i) == Some(&b'`') {
                i += 1;
            }
            runs.push((start, i - start));
        } else {
            i += 1;
        }
    }
    let mut by_len: HashMap<usize, Vec<usize>> = HashMap::new();
    for (index, &(_, len)) in runs.iter().enumerate() {
        by_len.entry(len).or_default().push(index);
    }
    let mut spans = HashMap::new();
    let mut index = 0;
    while let Some(&(start, len)) = runs.get(index) {
        let closer = by_len.get(&len).and_then(|same| {
            let next = same.partition_point(|&j| j <= index);
            same.get(next).copied()
        });
        match closer.and_then(|j| runs.get(j).map(|&(at, _)| (j, at))) {
            Some((j, at)) => {
                spans.insert(start, at + len);
                index = j + 1;
            }
            None => index += 1,
        }
    }
    spans
}

/// Splits at `sep` outside brackets, braces, parentheses, code spans and double quotes, so that
/// `pattern ^[0-9]{10,17}$` stays one item.
fn split_top(s: Slice<'_>, sep: u8) -> Vec<Slice<'_>> {
    let bytes = s.text().as_bytes();
    let spans = if bytes.contains(&b'`') {
        code_spans(bytes)
    } else {
        HashMap::new()
    };
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut begin = 0;
    let mut quotes_left = true;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'`' => {
                if let Some(&end) = spans.get(&i) {
                    i = end;
                } else {
                    while bytes.get(i) == Some(&b'`') {
                        i += 1;
                    }
                }
                continue;
            }
            b'"' if quotes_left => {
                match bytes
                    .get(i + 1..)
                    .and_then(|rest| rest.iter().position(|&c| c == b'"'))
                {
                    Some(p) => {
                        i += p + 2;
                        continue;
                    }
                    None => quotes_left = false,
                }
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ if b == sep && depth == 0 => {
                parts.push(s.sub(begin, i));
                begin = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(s.sub(begin, bytes.len()));
    parts
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The leading words of `s` made of letters, digits and `_`, each followed by a space, a colon
/// or the end (at most `max`; none past a colon).
fn leading_words(s: &str, max: usize) -> Vec<(usize, usize)> {
    let bytes = s.as_bytes();
    let mut words = Vec::new();
    let mut i = 0;
    while words.len() < max {
        while bytes.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
            i += 1;
        }
        let start = i;
        while bytes.get(i).is_some_and(|&b| is_ident(b)) {
            i += 1;
        }
        if i == start {
            break;
        }
        match bytes.get(i) {
            None | Some(b':') => {
                words.push((start, i));
                break;
            }
            Some(b) if b.is_ascii_whitespace() => words.push((start, i)),
            _ => break,
        }
    }
    words
}

/// Matches the leading words of `s` against `phrases` (case-insensitively, first match wins,
/// so longer phrases come first). Returns the phrase's value, its span and the rest after an
/// optional colon.
fn match_phrase<'a, K: Copy>(
    s: Slice<'a>,
    phrases: &[(&[&str], K)],
) -> Option<(K, Span, Slice<'a>)> {
    let text = s.text();
    let words = leading_words(text, 3);
    for (phrase, kind) in phrases {
        if words.len() < phrase.len() {
            continue;
        }
        let matches = phrase
            .iter()
            .zip(&words)
            .all(|(want, &(a, b))| text.get(a..b).is_some_and(|w| w.eq_ignore_ascii_case(want)));
        if !matches {
            continue;
        }
        let (Some(&(first, _)), Some(&(_, last))) = (words.first(), words.get(phrase.len() - 1))
        else {
            continue;
        };
        let mut rest = s.from(last).trim();
        if rest.text().starts_with(':') {
            rest = rest.from(1).trim();
        }
        return Some((*kind, s.sub(first, last).span(), rest));
    }
    None
}

/// Whitespace-separated tokens with their spans.
fn tokens(s: Slice<'_>) -> Vec<Slice<'_>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.text().char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(st)) => {
                out.push(s.sub(st, i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(st) = start {
        out.push(s.from(st));
    }
    out
}

/// An item that is not a known word: `key: value`, `word`, `word argument` or, when `join`
/// is set, `some plain words` (one key `some_plain_words`).
struct Generic {
    key: String,
    key_span: Span,
    value: Option<(String, Span)>,
}

fn generic(s: Slice<'_>, join: bool) -> Generic {
    let text = s.text();
    if let Some(colon) = text.find(':') {
        let head = s.sub(0, colon).trim();
        let plain = head
            .text()
            .bytes()
            .all(|b| is_ident(b) || b == b'-' || b == b' ');
        if !head.is_empty() && plain {
            let key = head.text().split_whitespace().collect::<Vec<_>>().join("_");
            let rest = s.from(colon + 1).trim();
            let value = (!rest.is_empty()).then(|| (rest.text().to_string(), rest.span()));
            return Generic {
                key,
                key_span: head.span(),
                value,
            };
        }
    }
    let words = tokens(s);
    let plain = |w: &Slice<'_>| {
        w.text()
            .chars()
            .all(|c| c.is_alphabetic() || c == '_' || c == '-')
    };
    match words.split_first() {
        Some((first, rest))
            if rest.is_empty() || (join && plain(first) && rest.iter().all(plain)) =>
        {
            let key = words.iter().map(|w| w.text()).collect::<Vec<_>>().join("_");
            Generic {
                key,
                key_span: s.span(),
                value: None,
            }
        }
        Some((first, _)) => {
            let rest = s.from(first.end - s.start).trim();
            Generic {
                key: first.text().to_string(),
                key_span: first.span(),
                value: Some((rest.text().to_string(), rest.span())),
            }
        }
        None => Generic {
            key: String::new(),
            key_span: s.span(),
            value: None,
        },
    }
}

/// `Int` when the text is an integer, `Float` when it is another finite decimal number.
fn number(text: &str) -> Option<Value> {
    if let Ok(i) = text.parse::<i64>() {
        return Some(Value::Int(i));
    }
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (body.get(..at).unwrap_or(""), body.get(at + 1..)),
        None => (body, None),
    };
    let digits = mantissa.bytes().filter(u8::is_ascii_digit).count();
    let dots = mantissa.bytes().filter(|&b| b == b'.').count();
    let mantissa_ok = digits > 0 && dots <= 1 && digits + dots == mantissa.len();
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
    });
    if !(mantissa_ok && exponent_ok) {
        return None;
    }
    text.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .map(Value::Float)
}

fn bool_word(text: &str) -> Option<bool> {
    let lower = text.to_ascii_lowercase();
    match lower.as_str() {
        "true" | "yes" | "on" => Some(true),
        "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// Shortens text quoted in a message.
fn shorten(text: &str) -> String {
    const MAX: usize = 80;
    match text.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}...", text.get(..at).unwrap_or("")),
        None => text.to_string(),
    }
}

/// The value of a list item, without a description after `—`, `–`, ` - ` or `:`; the flag
/// says whether a description followed.
fn item_value(s: Slice<'_>) -> (Slice<'_>, bool) {
    let text = s.text();
    let cut = ["\u{2014}", "\u{2013}", " - ", ":"]
        .iter()
        .filter_map(|sep| text.find(sep).map(|at| (at, sep.len())))
        .min();
    match cut {
        Some((at, len)) => (s.sub(0, at).trim(), !s.from(at + len).trim().is_empty()),
        None => (s, false),
    }
}

/// A `Label:` at the start of a line, optionally in bold (`**List:**`, `**List**:`): the
/// label's index, its span and the rest of the line.
fn match_label<'a>(line: Slice<'a>, labels: &[&str]) -> Option<(usize, Span, Slice<'a>)> {
    let text = line.text();
    let bold = text.starts_with("**") || text.starts_with("__");
    let mut i = if bold { 2 } else { 0 };
    let start = i;
    while text.as_bytes().get(i).is_some_and(|&b| is_ident(b)) {
        i += 1;
    }
    let word = text.get(start..i)?;
    let index = labels.iter().position(|l| word.eq_ignore_ascii_case(l))?;
    let label = line.sub(start, i);
    let mut closed = false;
    if bold && (text.get(i..)?.starts_with("**") || text.get(i..)?.starts_with("__")) {
        i += 2;
        closed = true;
    }
    while text.as_bytes().get(i) == Some(&b' ') {
        i += 1;
    }
    if text.as_bytes().get(i) != Some(&b':') {
        return None;
    }
    i += 1;
    if bold && !closed && (text.get(i..)?.starts_with("**") || text.get(i..)?.starts_with("__")) {
        i += 2;
    }
    Some((index, label.span(), line.from(i).trim()))
}

/// A paragraph's lines, grouped into prose and `Label:` lines.
enum Group<'a> {
    Prose(Span),
    Label {
        index: usize,
        label: Span,
        rest: Slice<'a>,
    },
}

/// Groups the lines of a paragraph. With `continues`, a line after a `Label:` line that starts
/// no other label continues it (a long `List:` line wrapped by the editor).
fn groups<'a>(src: &'a str, span: Span, labels: &[&str], continues: bool) -> Vec<Group<'a>> {
    let para = Slice::new(src, span);
    let mut out = Vec::new();
    let mut offset = 0;
    for line in para.text().split('\n') {
        let l = para.sub(offset, offset + line.len()).trim();
        offset += line.len() + 1;
        if l.is_empty() {
            continue;
        }
        if let Some((index, label, rest)) = match_label(l, labels) {
            out.push(Group::Label { index, label, rest });
            continue;
        }
        match out.last_mut() {
            Some(Group::Label { rest, .. }) if continues => {
                *rest = Slice::new(src, Span::new(rest.start, l.end));
            }
            Some(Group::Prose(span)) => *span = span.to(l.span()),
            _ => out.push(Group::Prose(l.span())),
        }
    }
    out
}

fn is_comment(src: &str, span: Span) -> bool {
    let t = Slice::new(src, span).trim();
    t.text().starts_with("<!--") && t.text().ends_with("-->")
}

// ---------------------------------------------------------------------------------------------
// Translation into the specification tree.
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug)]
enum Constraint {
    Required,
    Unique,
    Optional,
    Min,
    Max,
    MinLength,
    MaxLength,
    Precision,
    Scale,
    Default,
    Pattern,
    Description,
    OnDelete,
    MappedBy,
}

const CONSTRAINTS: &[(&[&str], Constraint)] = &[
    (&["min", "length"], Constraint::MinLength),
    (&["max", "length"], Constraint::MaxLength),
    (&["on", "delete"], Constraint::OnDelete),
    (&["mapped", "by"], Constraint::MappedBy),
    (&["min_length"], Constraint::MinLength),
    (&["max_length"], Constraint::MaxLength),
    (&["on_delete"], Constraint::OnDelete),
    (&["mapped_by"], Constraint::MappedBy),
    (&["required"], Constraint::Required),
    (&["unique"], Constraint::Unique),
    (&["optional"], Constraint::Optional),
    (&["min"], Constraint::Min),
    (&["max"], Constraint::Max),
    (&["precision"], Constraint::Precision),
    (&["scale"], Constraint::Scale),
    (&["default"], Constraint::Default),
    (&["pattern"], Constraint::Pattern),
    (&["description"], Constraint::Description),
];

#[derive(Clone, Copy, Debug)]
enum ListPart {
    Filters,
    Sort,
    PageSize,
}

const LIST_PARTS: &[(&[&str], ListPart)] = &[
    (&["filter", "by"], ListPart::Filters),
    (&["filters", "by"], ListPart::Filters),
    (&["sort", "by"], ListPart::Sort),
    (&["sorted", "by"], ListPart::Sort),
    (&["page", "size"], ListPart::PageSize),
    (&["filter"], ListPart::Filters),
    (&["filters"], ListPart::Filters),
    (&["sort"], ListPart::Sort),
    (&["page_size"], ListPart::PageSize),
];

/// The `Label:` lines of an entity section, as keys of the entity.
const ENTITY_LABELS: &[&str] = &["list", "permissions", "operations", "timestamps"];

/// Types whose `min`/`max` constrain the length.
const STRING_TYPES: &[&str] = &["string", "text", "email", "url"];

const FIELDS_HEADER_HINT: &str = "start the table with the header \
     `| Field | Type | Constraints |` (a `Description` column is optional)";

enum Section<'a> {
    Roles,
    Enum(Slice<'a>),
    Entity(Slice<'a>),
    Other(Option<String>),
}

fn classify(text: Slice<'_>) -> Section<'_> {
    let t = text.text();
    let Some(&(a, b)) = leading_words(t, 1).first() else {
        return Section::Other(None);
    };
    let word = t.get(a..b).unwrap_or("");
    let after = text.from(b).trim();
    if word.eq_ignore_ascii_case("roles") && (after.is_empty() || after.text() == ":") {
        return Section::Roles;
    }
    let (is_entity, is_enum) = (
        word.eq_ignore_ascii_case("entity"),
        word.eq_ignore_ascii_case("enum"),
    );
    if !(is_entity || is_enum) {
        return Section::Other(None);
    }
    if after.text().starts_with(':') {
        let name = after.from(1).trim();
        return if is_entity {
            Section::Entity(name)
        } else {
            Section::Enum(name)
        };
    }
    let kind = if is_entity { "Entity" } else { "Enum" };
    let example = if after.is_empty() {
        "Name".to_string()
    } else {
        shorten(after.text())
    };
    Section::Other(Some(format!(
        "to declare one, write `## {kind}: {example}` (with a colon)"
    )))
}

/// The entries of a mapping being built, with the first span of each key.
#[derive(Default)]
struct MapBuilder {
    entries: Vec<Entry>,
    /// Filled only once the map is large; small maps (almost all of them) are searched.
    index: HashMap<String, Span>,
}

impl MapBuilder {
    const INDEXED: usize = 16;

    fn first(&self, key: &str) -> Option<Span> {
        if self.entries.len() < Self::INDEXED {
            self.entries
                .iter()
                .find(|e| e.key.name == key)
                .map(|e| e.key.span)
        } else {
            self.index.get(key).copied()
        }
    }

    fn push(&mut self, key: &str, span: Span, value: Node) {
        self.entries.push(Entry {
            key: Key {
                name: key.to_string(),
                span,
            },
            value,
        });
        if self.entries.len() == Self::INDEXED {
            for e in &self.entries {
                self.index.entry(e.key.name.clone()).or_insert(e.key.span);
            }
        } else if self.entries.len() > Self::INDEXED {
            self.index.insert(key.to_string(), span);
        }
    }
}

#[derive(Default)]
struct Prose {
    text: String,
    span: Option<Span>,
}

impl Prose {
    fn push(&mut self, text: &str, span: Span) {
        if text.is_empty() {
            return;
        }
        if !self.text.is_empty() {
            self.text.push_str("\n\n");
        }
        self.text.push_str(text);
        grow(&mut self.span, span);
    }
}

struct Roles {
    key: Span,
    span: Span,
    items: Vec<Node>,
    seen: HashMap<String, Span>,
    written: usize,
}

#[derive(Default)]
struct EntityParts {
    description: Prose,
    fields: Vec<Entry>,
    relations: Vec<Entry>,
    table: Option<Span>,
    names: HashMap<String, Span>,
    lines: MapBuilder,
}

/// Column indices of a fields table.
#[derive(Default)]
struct Columns {
    field: Option<usize>,
    ty: Option<usize>,
    constraints: Option<usize>,
    description: Option<usize>,
    unknown: Vec<(String, Span)>,
}

struct Translator<'s, 'a> {
    source: &'s Source<'a>,
    src: &'a str,
    diagnostics: &'s mut Vec<Diagnostic>,
    nodes: usize,
    limit_at: Option<Span>,
    first_heading: Option<Span>,
    title: Option<(String, Span)>,
    name_line: Option<(Span, String, Span)>,
    description: Prose,
    roles: Option<Roles>,
    enums: Vec<Entry>,
    enum_names: HashMap<String, Span>,
    enums_span: Option<Span>,
    entities: Vec<Entry>,
    entity_names: HashMap<String, Span>,
    entities_span: Option<Span>,
}

impl<'s, 'a> Translator<'s, 'a> {
    fn new(source: &'s Source<'a>, diagnostics: &'s mut Vec<Diagnostic>) -> Self {
        Translator {
            source,
            src: source.text,
            diagnostics,
            nodes: 0,
            limit_at: None,
            first_heading: None,
            title: None,
            name_line: None,
            description: Prose::default(),
            roles: None,
            enums: Vec::new(),
            enum_names: HashMap::new(),
            enums_span: None,
            entities: Vec::new(),
            entity_names: HashMap::new(),
            entities_span: None,
        }
    }

    /// Every node is made here, so that the document's size stays under `MAX_NODES`.
    fn leaf(&mut self, value: Value, span: Span) -> Node {
        self.nodes += 1;
        if self.nodes > limits::MAX_NODES && self.limit_at.is_none() {
            self.limit_at = Some(span);
        }
        Node::new(value, span)
    }

    fn full(&self) -> bool {
        self.limit_at.is_some()
    }

    fn str(&mut self, text: impl Into<String>, span: Span) -> Node {
        self.leaf(Value::Str(text.into()), span)
    }

    fn is_content(&self, block: &Block<'_>) -> bool {
        !(block.kind == BlockKind::Html && is_comment(self.src, block.span))
    }

    fn trimmed(&self, span: Span) -> Span {
        Slice::new(self.src, span).trim().span()
    }

    fn first_defined(&self, span: Span) -> String {
        format!("first defined at {}", self.source.describe(span))
    }

    /// Adds `key: value` to `map`, reporting a second use of the key as `duplicate_key`.
    fn put(&mut self, map: &mut MapBuilder, key: &str, key_span: Span, value: Node, path: &str) {
        if let Some(first) = map.first(key) {
            let hint = self.first_defined(first);
            let d = self.source.error(
                Code::DuplicateKey,
                key_span,
                pointer(path, key),
                format!("`{key}` is given twice"),
            );
            self.diagnostics.push(d.with_hint(hint));
            return;
        }
        map.push(key, key_span, value);
    }

    fn skipped(&mut self, span: Span, what: &str, label: &str, path: &str) {
        let span = self.trimmed(span);
        let d = self.source.warning(
            Code::UnsupportedConstruct,
            span,
            path,
            format!("{what} in section `{label}` is not part of the specification and was skipped"),
        );
        self.diagnostics.push(d);
    }

    fn document(&mut self, blocks: &[Block<'a>]) {
        let first = blocks
            .iter()
            .position(|b| matches!(b.kind, BlockKind::Heading(_)))
            .unwrap_or(blocks.len());
        let preamble = blocks.get(..first).unwrap_or(&[]);
        if let Some(block) = preamble.iter().find(|b| self.is_content(b)) {
            let span = self.trimmed(block.span);
            let d = self.source.warning(
                Code::UnsupportedConstruct,
                span,
                "",
                "content before the first heading is not part of the specification and was skipped",
            );
            self.diagnostics.push(d.with_hint(
                "start the document with a `# Title` heading; prose under it is the description",
            ));
        }
        let mut at = first;
        while let Some(heading) = blocks.get(at) {
            if self.full() {
                break;
            }
            let end = blocks
                .get(at + 1..)
                .and_then(|rest| {
                    rest.iter()
                        .position(|b| matches!(b.kind, BlockKind::Heading(_)))
                })
                .map_or(blocks.len(), |p| at + 1 + p);
            self.section(heading, blocks.get(at + 1..end).unwrap_or(&[]));
            at = end;
        }
    }

    fn section(&mut self, heading: &Block<'a>, body: &[Block<'a>]) {
        let BlockKind::Heading(level) = heading.kind else {
            return;
        };
        let heading_span = self.trimmed(heading.span);
        self.first_heading.get_or_insert(heading_span);
        let text = heading
            .text
            .map_or(Slice::point(self.src, heading.span.start), |s| {
                Slice::new(self.src, s)
            })
            .trim();
        let label = format!("{} {}", "#".repeat(level), shorten(text.text()));
        let end = body
            .last()
            .map_or(heading_span.end, |b| self.trimmed(b.span).end);
        let span = Span::new(heading_span.start, end);
        match classify(text) {
            Section::Roles => self.roles(text, body, span, &label),
            Section::Enum(name) => self.enumeration(heading_span, name, body, span, &label),
            Section::Entity(name) => self.entity(heading_span, name, body, span, &label),
            Section::Other(None) if level == 1 && self.title.is_none() => {
                self.title_section(heading, text, body, &label);
            }
            Section::Other(hint) => {
                let has_content = body.iter().any(|b| self.is_content(b));
                if !has_content && hint.is_none() {
                    // A heading that only groups the sections below it skips nothing.
                    return;
                }
                let hint = hint.unwrap_or_else(|| {
                    "the sections a specification has are `# Title`, `## Roles`, `## Enum: Name` \
                     and `## Entity: Name`"
                        .to_string()
                });
                let d = self.source.warning(
                    Code::UnsupportedConstruct,
                    heading_span,
                    "",
                    format!("section `{label}` is not part of the specification and was skipped"),
                );
                self.diagnostics.push(d.with_hint(hint));
            }
        }
    }

    fn title_section(
        &mut self,
        heading: &Block<'a>,
        text: Slice<'a>,
        body: &[Block<'a>],
        label: &str,
    ) {
        let title = reduced(&heading.pieces, heading.text.unwrap_or(text.span()));
        self.title = Some((title, text.span()));
        for block in body {
            match block.kind {
                BlockKind::Paragraph => {
                    for group in groups(self.src, block.span, &["name"], false) {
                        match group {
                            Group::Prose(span) => {
                                let t = reduced(&block.pieces, span);
                                self.description.push(&t, span);
                            }
                            Group::Label {
                                label: label_span,
                                rest,
                                ..
                            } => {
                                if let Some((first, _, _)) = self.name_line {
                                    let hint = self.first_defined(first);
                                    let d = self.source.error(
                                        Code::DuplicateKey,
                                        label_span,
                                        "/name",
                                        "`Name:` is given twice",
                                    );
                                    self.diagnostics.push(d.with_hint(hint));
                                } else {
                                    let (value, span) = clean(rest);
                                    self.name_line = Some((label_span, value, span));
                                }
                            }
                        }
                    }
                }
                _ if !self.is_content(block) => {}
                kind => self.skipped(block.span, kind.describe(), label, ""),
            }
        }
    }

    fn item_slice(&self, item: &Item) -> Slice<'a> {
        item.text
            .map_or(Slice::point(self.src, item.span.start), |s| {
                Slice::new(self.src, s)
            })
            .trim()
    }

    fn roles(&mut self, text: Slice<'a>, body: &[Block<'a>], span: Span, label: &str) {
        let mut roles = self.roles.take().unwrap_or_else(|| Roles {
            key: text.span(),
            span,
            items: Vec::new(),
            seen: HashMap::new(),
            written: 0,
        });
        roles.span = roles.span.to(span);
        for block in body {
            match block.kind {
                BlockKind::List => {
                    for item in &block.items {
                        if self.full() || roles.items.len() > limits::MAX_ROLES {
                            break;
                        }
                        if let Some(nested) = item.nested {
                            self.skipped(
                                nested,
                                "nested content in a list item",
                                label,
                                "/auth/roles",
                            );
                        }
                        let (value, _) = item_value(self.item_slice(item));
                        let (name, name_span) = clean(value);
                        let index = roles.written;
                        roles.written += 1;
                        if let Some(&first) = roles.seen.get(&name) {
                            let hint = self.first_defined(first);
                            let d = self.source.error(
                                Code::DuplicateRole,
                                name_span,
                                pointer("/auth/roles", &index.to_string()),
                                format!("role `{name}` is declared twice"),
                            );
                            self.diagnostics.push(d.with_hint(hint));
                            continue;
                        }
                        roles.seen.insert(name.clone(), name_span);
                        let node = self.str(name, name_span);
                        roles.items.push(node);
                    }
                }
                // Prose about the roles: the language has no place for it, and it is no mistake.
                BlockKind::Paragraph => {}
                _ if !self.is_content(block) => {}
                kind => self.skipped(block.span, kind.describe(), label, "/auth/roles"),
            }
        }
        self.roles = Some(roles);
    }

    /// Reads the name of an `## Enum:` or `## Entity:` heading and records it; reports a missing
    /// name or a second declaration and returns `None` for them.
    fn declare(
        &mut self,
        kind: Declared,
        heading: Span,
        name: Slice<'a>,
        label: &str,
    ) -> Option<(String, Span, String)> {
        let (root, noun, example, duplicate) = match kind {
            Declared::Enum => ("/enums", "enum", "## Enum: BookStatus", Code::DuplicateEnum),
            Declared::Entity => (
                "/entities",
                "entity",
                "## Entity: Book",
                Code::DuplicateEntity,
            ),
        };
        let (name, name_span) = clean(name);
        if name.is_empty() {
            let d = self.source.error(
                Code::SyntaxError,
                heading,
                root,
                format!("the heading `{label}` does not name an {noun}"),
            );
            self.diagnostics.push(d.with_hint(format!(
                "write the {noun}'s name after the colon, as in `{example}`"
            )));
            return None;
        }
        let path = pointer(root, &name);
        let names = match kind {
            Declared::Enum => &mut self.enum_names,
            Declared::Entity => &mut self.entity_names,
        };
        if let Some(&first) = names.get(&name) {
            let hint = self.first_defined(first);
            let d = self.source.error(
                duplicate,
                name_span,
                path,
                format!("{noun} `{name}` is declared twice"),
            );
            self.diagnostics.push(d.with_hint(hint));
            return None;
        }
        names.insert(name.clone(), name_span);
        Some((name, name_span, path))
    }

    fn enumeration(
        &mut self,
        heading: Span,
        name: Slice<'a>,
        body: &[Block<'a>],
        span: Span,
        label: &str,
    ) {
        if self.enums.len() > limits::MAX_ENUMS {
            return;
        }
        let Some((name, name_span, path)) = self.declare(Declared::Enum, heading, name, label)
        else {
            return;
        };
        grow(&mut self.enums_span, span);

        let mut values = Vec::new();
        let mut seen: HashMap<String, Span> = HashMap::new();
        let mut duplicates = Vec::new();
        let mut written = 0usize;
        let mut described = false;
        let mut values_span = None;
        let mut prose = Prose::default();
        for block in body {
            match block.kind {
                BlockKind::List => {
                    grow(&mut values_span, self.trimmed(block.span));
                    for item in &block.items {
                        if self.full() || values.len() > limits::MAX_ENUM_VALUES {
                            break;
                        }
                        if let Some(nested) = item.nested {
                            self.skipped(nested, "nested content in a list item", label, &path);
                        }
                        let (value, has_description) = item_value(self.item_slice(item));
                        described |= has_description;
                        let (value, value_span) = clean(value);
                        let index = written;
                        written += 1;
                        if let Some(&first) = seen.get(&value) {
                            duplicates.push((index, value, value_span, first));
                            continue;
                        }
                        seen.insert(value.clone(), value_span);
                        let node = self.str(value, value_span);
                        values.push(node);
                    }
                }
                BlockKind::Paragraph => {
                    let span = self.trimmed(block.span);
                    let text = reduced(&block.pieces, block.span);
                    prose.push(&text, span);
                }
                _ if !self.is_content(block) => {}
                kind => self.skipped(block.span, kind.describe(), label, &path),
            }
        }
        let long = prose.span.is_some() || described;
        let values_path = if long {
            pointer(&path, "values")
        } else {
            path.clone()
        };
        for (index, value, value_span, first) in duplicates {
            let hint = self.first_defined(first);
            let d = self.source.error(
                Code::DuplicateEnumValue,
                value_span,
                pointer(&values_path, &index.to_string()),
                format!("enum `{name}` lists the value `{value}` twice"),
            );
            self.diagnostics.push(d.with_hint(hint));
        }
        let values_span = values_span.unwrap_or(name_span);
        let values = self.leaf(Value::Seq(values), values_span);
        let node = if long {
            let mut entries = Vec::new();
            if let Some(prose_span) = prose.span {
                let description = self.str(prose.text, prose_span);
                entries.push(entry("description", prose_span, description));
            }
            entries.push(entry("values", values_span, values));
            self.leaf(Value::Map(entries), span)
        } else {
            values
        };
        self.enums.push(Entry {
            key: Key {
                name,
                span: name_span,
            },
            value: node,
        });
    }

    fn entity(
        &mut self,
        heading: Span,
        name: Slice<'a>,
        body: &[Block<'a>],
        span: Span,
        label: &str,
    ) {
        if self.entities.len() > limits::MAX_ENTITIES {
            return;
        }
        let Some((name, name_span, path)) = self.declare(Declared::Entity, heading, name, label)
        else {
            return;
        };
        grow(&mut self.entities_span, span);

        let mut parts = EntityParts::default();
        for block in body {
            if self.full() {
                break;
            }
            match block.kind {
                BlockKind::Paragraph => {
                    for group in groups(self.src, block.span, ENTITY_LABELS, true) {
                        self.entity_group(&block.pieces, group, &path, &mut parts);
                    }
                }
                BlockKind::Table => self.entity_table(block, &name, &path, label, &mut parts),
                _ if !self.is_content(block) => {}
                kind => {
                    let what = kind.describe();
                    let span = self.trimmed(block.span);
                    let d = self.source.warning(
                        Code::UnsupportedConstruct,
                        span,
                        path.clone(),
                        format!("{what} in section `{label}` is not part of the specification and was skipped"),
                    );
                    self.diagnostics.push(d.with_hint(
                        "an entity section holds prose, one fields table and `List:`, `Permissions:`, \
                         `Operations:` and `Timestamps:` lines",
                    ));
                }
            }
        }

        let mut entries = Vec::new();
        if let Some(prose_span) = parts.description.span {
            let description = self.str(parts.description.text, prose_span);
            entries.push(entry("description", prose_span, description));
        }
        let table = parts.table.unwrap_or(name_span);
        if !parts.fields.is_empty() {
            let fields = self.leaf(Value::Map(parts.fields), table);
            entries.push(entry("fields", table, fields));
        }
        if !parts.relations.is_empty() {
            let relations = self.leaf(Value::Map(parts.relations), table);
            entries.push(entry("relations", table, relations));
        }
        entries.extend(parts.lines.entries);
        let node = self.leaf(Value::Map(entries), span);
        self.entities.push(Entry {
            key: Key {
                name,
                span: name_span,
            },
            value: node,
        });
    }

    fn entity_group(
        &mut self,
        pieces: &[Piece<'_>],
        group: Group<'a>,
        path: &str,
        parts: &mut EntityParts,
    ) {
        match group {
            Group::Prose(span) => {
                let text = reduced(pieces, span);
                parts.description.push(&text, span);
            }
            Group::Label { index, label, rest } => {
                let key = ENTITY_LABELS.get(index).copied().unwrap_or("list");
                let key_path = pointer(path, key);
                let value = match index {
                    0 => self.list_line(rest, &key_path),
                    1 => self.permissions_line(rest, &key_path),
                    // An empty `Operations:` line is more likely unfinished than a wish for no
                    // API at all: pass it on as "no value" so the validator asks for the list.
                    2 => match self.names(rest) {
                        Node {
                            value: Value::Seq(items),
                            span,
                        } if items.is_empty() => Node::new(Value::Null, span),
                        other => other,
                    },
                    _ => self.timestamps(rest, label),
                };
                self.put(&mut parts.lines, key, label, value, path);
            }
        }
    }

    fn columns(&mut self, header: &Row) -> Columns {
        let mut columns = Columns::default();
        for (index, cell) in header.cells.iter().enumerate() {
            let (name, span) = clean(Slice::new(self.src, *cell));
            let slot = match name.to_ascii_lowercase().as_str() {
                "field" => &mut columns.field,
                "type" => &mut columns.ty,
                "constraints" | "constraint" => &mut columns.constraints,
                "description" => &mut columns.description,
                _ => {
                    columns.unknown.push((name, span));
                    continue;
                }
            };
            if slot.is_none() {
                *slot = Some(index);
            } else {
                columns.unknown.push((name, span));
            }
        }
        columns
    }

    fn entity_table(
        &mut self,
        block: &Block<'a>,
        entity: &str,
        path: &str,
        label: &str,
        parts: &mut EntityParts,
    ) {
        let fields_path = pointer(path, "fields");
        if parts.table.is_some() {
            let span = self.trimmed(block.span);
            let d = self.source.warning(
                Code::UnsupportedConstruct,
                span,
                path,
                format!("a second table in section `{label}` is not part of the specification and was skipped"),
            );
            self.diagnostics.push(
                d.with_hint("the first table with `Field` and `Type` columns holds the fields; move these rows into it"),
            );
            return;
        }
        let Some(header) = block.rows.first() else {
            return;
        };
        let columns = self.columns(header);
        if columns.field.is_none() || columns.ty.is_none() {
            let missing = match (columns.field, columns.ty) {
                (None, None) => "`Field` and `Type` columns",
                (None, _) => "`Field` column",
                _ => "`Type` column",
            };
            let span = self.trimmed(header.span);
            let d = self.source.error(
                Code::SyntaxError,
                span,
                fields_path,
                format!("the table in section `{label}` has no {missing}"),
            );
            self.diagnostics.push(d.with_hint(FIELDS_HEADER_HINT));
            return;
        }
        parts.table = Some(self.trimmed(block.span));
        for (name, span) in &columns.unknown {
            let shown = if name.is_empty() {
                "an unnamed column".to_string()
            } else {
                format!("column `{}`", shorten(name))
            };
            let d = self.source.warning(
                Code::UnsupportedConstruct,
                *span,
                fields_path.clone(),
                format!("{shown} of the fields table of entity `{entity}` is not part of the specification and was skipped"),
            );
            self.diagnostics.push(
                d.with_hint("the columns are `Field`, `Type`, `Constraints` and `Description`"),
            );
        }
        for row in block.rows.iter().skip(1) {
            if self.full()
                || parts.fields.len() + parts.relations.len() > limits::MAX_FIELDS_PER_ENTITY
            {
                break;
            }
            let raw = Slice::new(self.src, row.span).trim();
            if !raw.text().contains('|') {
                // GFM continues a table with any line that follows it, so a `List:` line or
                // prose written right under the table arrives here as a row.
                for group in groups(self.src, raw.span(), ENTITY_LABELS, true) {
                    self.entity_group(&block.pieces, group, path, parts);
                }
                continue;
            }
            self.field_row(row, &block.pieces, &columns, entity, path, parts);
        }
    }

    fn cell(&self, row: &Row, index: Option<usize>) -> Slice<'a> {
        let row_end = Slice::new(self.src, row.span).trim().end;
        let Some(&cell) = index.and_then(|i| row.cells.get(i)) else {
            return Slice::point(self.src, row_end);
        };
        if cell.is_empty() {
            return Slice::point(self.src, row_end);
        }
        let trimmed = Slice::new(self.src, cell).trim();
        if trimmed.is_empty() {
            Slice::point(self.src, cell.start)
        } else {
            trimmed
        }
    }

    fn field_row(
        &mut self,
        row: &Row,
        pieces: &[Piece<'_>],
        columns: &Columns,
        entity: &str,
        path: &str,
        parts: &mut EntityParts,
    ) {
        let name_cell = self.cell(row, columns.field);
        let type_cell = self.cell(row, columns.ty);
        let constraints = columns.constraints.map(|i| self.cell(row, Some(i)));
        let description = columns.description.map(|i| {
            let span = self.cell(row, Some(i)).span();
            let within = row.cells.get(i).copied().unwrap_or(Span::point(0));
            (reduced(pieces, within), span)
        });
        let (name, name_span) = clean(name_cell);
        let blank = name.is_empty()
            && type_cell.is_empty()
            && constraints.is_none_or(|c| c.is_empty())
            && description.as_ref().is_none_or(|(d, _)| d.is_empty());
        if blank {
            return;
        }
        let (type_text, _) = strip_code(type_cell);
        let relation = arrow(type_text);
        let group = if relation.is_some() {
            "relations"
        } else {
            "fields"
        };
        let entry_path = pointer(&pointer(path, group), &name);
        if let Some(&first) = parts.names.get(&name) {
            let hint = self.first_defined(first);
            let d = self.source.error(
                Code::DuplicateField,
                name_span,
                entry_path,
                format!("entity `{entity}` has two fields or relations named `{name}`"),
            );
            self.diagnostics.push(d.with_hint(hint));
            return;
        }
        parts.names.insert(name.clone(), name_span);

        let mut map = MapBuilder::default();
        let string_like = match relation {
            Some((kind, arrow_span, target)) => {
                let (to, to_span) = clean(target);
                let to = self.str(to, to_span);
                self.put(&mut map, "to", to_span, to, &entry_path);
                let kind = self.str(kind, arrow_span);
                self.put(&mut map, "kind", arrow_span, kind, &entry_path);
                false
            }
            None => {
                let (ty, ty_span) = clean(type_cell);
                let string_like = STRING_TYPES.iter().any(|t| ty.eq_ignore_ascii_case(t));
                let ty = self.str(ty, ty_span);
                self.put(&mut map, "type", ty_span, ty, &entry_path);
                string_like
            }
        };
        if let Some(cell) = constraints {
            for item in split_top(cell, b',') {
                let item = item.trim();
                if !item.is_empty() {
                    self.constraint(item, string_like, &mut map, &entry_path);
                }
            }
        }
        if let Some((text, span)) = description
            && !text.is_empty()
        {
            let node = self.str(text, span);
            self.put(&mut map, "description", span, node, &entry_path);
        }
        let row_span = self.trimmed(row.span);
        let value = self.leaf(Value::Map(map.entries), row_span);
        let entry = Entry {
            key: Key {
                name,
                span: name_span,
            },
            value,
        };
        if relation.is_some() {
            parts.relations.push(entry)
        } else {
            parts.fields.push(entry)
        }
    }

    fn number_node(&mut self, arg: Slice<'_>, key_span: Span) -> Node {
        if arg.is_empty() {
            return self.leaf(Value::Null, key_span);
        }
        let (text, span) = clean(arg);
        let value = number(&text).unwrap_or(Value::Str(text));
        self.leaf(value, span)
    }

    fn constraint(&mut self, item: Slice<'a>, string_like: bool, map: &mut MapBuilder, path: &str) {
        let Some((kind, key_span, arg)) = match_phrase(item, CONSTRAINTS) else {
            self.generic_entry(item, true, map, path);
            return;
        };
        let (key, value) = match kind {
            Constraint::Required | Constraint::Unique => {
                let key = if matches!(kind, Constraint::Required) {
                    "required"
                } else {
                    "unique"
                };
                let value = if arg.is_empty() {
                    self.leaf(Value::Bool(true), key_span)
                } else {
                    let (text, span) = clean(arg);
                    let value = bool_word(&text).map_or(Value::Str(text), Value::Bool);
                    self.leaf(value, span)
                };
                (key, value)
            }
            Constraint::Optional => {
                if !arg.is_empty() {
                    self.generic_entry(item, true, map, path);
                    return;
                }
                ("required", self.leaf(Value::Bool(false), key_span))
            }
            Constraint::Min => (
                if string_like { "min_length" } else { "min" },
                self.number_node(arg, key_span),
            ),
            Constraint::Max => (
                if string_like { "max_length" } else { "max" },
                self.number_node(arg, key_span),
            ),
            Constraint::MinLength => ("min_length", self.number_node(arg, key_span)),
            Constraint::MaxLength => ("max_length", self.number_node(arg, key_span)),
            Constraint::Precision => ("precision", self.number_node(arg, key_span)),
            Constraint::Scale => ("scale", self.number_node(arg, key_span)),
            Constraint::Default => ("default", self.default_node(arg, key_span)),
            Constraint::Pattern => {
                let value = if arg.is_empty() {
                    self.leaf(Value::Null, key_span)
                } else {
                    let (inner, _) = strip_code(arg);
                    self.str(unescape_pipe(inner.text()), inner.span())
                };
                ("pattern", value)
            }
            Constraint::Description => {
                let value = if arg.is_empty() {
                    self.leaf(Value::Null, key_span)
                } else {
                    self.str(unescape_pipe(arg.text()), arg.span())
                };
                ("description", value)
            }
            Constraint::OnDelete => {
                let value = if arg.is_empty() {
                    self.leaf(Value::Null, key_span)
                } else {
                    let (text, span) = clean(arg);
                    self.str(text.split_whitespace().collect::<Vec<_>>().join("_"), span)
                };
                ("on_delete", value)
            }
            Constraint::MappedBy => {
                let value = if arg.is_empty() {
                    self.leaf(Value::Null, key_span)
                } else {
                    let (text, span) = clean(arg);
                    self.str(text, span)
                };
                ("mapped_by", value)
            }
        };
        self.put(map, key, key_span, value, path);
    }

    fn default_node(&mut self, arg: Slice<'_>, key_span: Span) -> Node {
        if arg.is_empty() {
            return self.leaf(Value::Null, key_span);
        }
        let (code, is_code) = strip_code(arg);
        if is_code {
            return self.str(unescape_pipe(code.text()), code.span());
        }
        let text = arg.text();
        let quoted = text.len() >= 2
            && ((text.starts_with('"') && text.ends_with('"'))
                || (text.starts_with('\'') && text.ends_with('\'')));
        if quoted {
            let inner = arg.sub(1, text.len() - 1);
            return self.str(unescape_pipe(inner.text()), inner.span());
        }
        let value = if text.eq_ignore_ascii_case("true") {
            Value::Bool(true)
        } else if text.eq_ignore_ascii_case("false") {
            Value::Bool(false)
        } else {
            number(text).unwrap_or_else(|| Value::Str(unescape_pipe(text)))
        };
        self.leaf(value, arg.span())
    }

    /// An item that is no known word still reaches the tree, so the validator can name it.
    fn generic_entry(&mut self, item: Slice<'_>, join: bool, map: &mut MapBuilder, path: &str) {
        let g = generic(item, join);
        let value = match g.value {
            Some((text, span)) => self.str(unescape_pipe(&text), span),
            None => self.leaf(Value::Bool(true), g.key_span),
        };
        self.put(map, &g.key, g.key_span, value, path);
    }

    fn names(&mut self, s: Slice<'_>) -> Node {
        let s = s.trim();
        let mut items = Vec::new();
        for part in split_top(s, b',') {
            if self.full() {
                break;
            }
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let (name, span) = clean(part);
            let node = self.str(name, span);
            items.push(node);
        }
        self.leaf(Value::Seq(items), s.span())
    }

    fn list_line(&mut self, rest: Slice<'a>, path: &str) -> Node {
        let rest = rest.trim();
        let mut map = MapBuilder::default();
        for part in split_top(rest, b';') {
            if self.full() {
                break;
            }
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            match match_phrase(part, LIST_PARTS) {
                Some((ListPart::Filters, key_span, arg)) => {
                    let value = self.names(arg);
                    self.put(&mut map, "filters", key_span, value, path);
                }
                Some((ListPart::Sort, key_span, arg)) => {
                    let value = self.names(arg);
                    self.put(&mut map, "sort", key_span, value, path);
                }
                Some((ListPart::PageSize, key_span, arg)) => {
                    let value = self.number_node(arg, key_span);
                    self.put(&mut map, "page_size", key_span, value, path);
                }
                None => self.generic_entry(part, false, &mut map, path),
            }
        }
        self.leaf(Value::Map(map.entries), rest.span())
    }

    fn permissions_line(&mut self, rest: Slice<'a>, path: &str) -> Node {
        let rest = rest.trim();
        let mut map = MapBuilder::default();
        for part in split_top(rest, b';') {
            if self.full() {
                break;
            }
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            match part.text().find(':') {
                Some(colon) => {
                    let (operation, key_span) = clean(part.sub(0, colon));
                    let roles = self.names(part.from(colon + 1));
                    self.put(&mut map, &operation, key_span, roles, path);
                }
                None => self.generic_entry(part, false, &mut map, path),
            }
        }
        self.leaf(Value::Map(map.entries), rest.span())
    }

    fn timestamps(&mut self, rest: Slice<'_>, label: Span) -> Node {
        if rest.is_empty() {
            return self.leaf(Value::Null, label);
        }
        let (word, span) = clean(rest);
        let value = bool_word(&word).map_or(Value::Str(word), Value::Bool);
        self.leaf(value, span)
    }

    fn finish(mut self) -> Option<Node> {
        if let Some(span) = self.limit_at {
            self.diagnostics.push(self.source.error(
                Code::LimitExceeded,
                span,
                "",
                format!(
                    "the document holds more than {} values, over the limit `MAX_NODES`",
                    limits::MAX_NODES
                ),
            ));
            return None;
        }
        let first = self.first_heading.unwrap_or(Span::point(0));
        let mut root = vec![entry("specforge", first, Node::new(Value::Int(1), first))];
        if let Some((title, title_span)) = self.title.take() {
            let name = match self.name_line.take() {
                Some((label, value, span)) => entry("name", label, Node::str(value, span)),
                None => entry(
                    "name",
                    title_span,
                    Node::str(snake_case(&title), title_span),
                ),
            };
            root.push(name);
            root.push(entry("title", title_span, Node::str(title, title_span)));
        }
        if let Some(span) = self.description.span {
            let text = std::mem::take(&mut self.description.text);
            root.push(entry("description", span, Node::str(text, span)));
        }
        if let Some(roles) = self.roles.take() {
            let seq = Node::new(Value::Seq(roles.items), roles.span);
            let auth = Node::new(Value::Map(vec![entry("roles", roles.key, seq)]), roles.span);
            root.push(entry("auth", roles.key, auth));
        }
        if let Some(span) = self.enums_span {
            let enums = std::mem::take(&mut self.enums);
            let key = enums.first().map_or(span, |e| e.key.span);
            root.push(entry("enums", key, Node::new(Value::Map(enums), span)));
        }
        if let Some(span) = self.entities_span {
            let entities = std::mem::take(&mut self.entities);
            let key = entities.first().map_or(span, |e| e.key.span);
            root.push(entry(
                "entities",
                key,
                Node::new(Value::Map(entities), span),
            ));
        }
        Some(Node::new(Value::Map(root), Span::new(0, self.src.len())))
    }
}

fn entry(name: &str, key_span: Span, value: Node) -> Entry {
    Entry {
        key: Key {
            name: name.to_string(),
            span: key_span,
        },
        value,
    }
}

/// `-> T`, `<-> T`, `<- T`, `-- T`: the relation kind, the arrow's span and the target.
fn arrow(ty: Slice<'_>) -> Option<(&'static str, Span, Slice<'_>)> {
    const ARROWS: &[(&str, &str)] = &[
        ("<->", "many_to_many"),
        ("<-", "one_to_many"),
        ("->", "many_to_one"),
        ("--", "one_to_one"),
    ];
    let text = ty.text();
    ARROWS
        .iter()
        .find(|(mark, _)| text.starts_with(mark))
        .map(|&(mark, kind)| {
            (
                kind,
                ty.sub(0, mark.len()).span(),
                ty.from(mark.len()).trim(),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;
    use proptest::prelude::*;

    const BOOKSTORE: &str = "\
# Bookstore

Catalogue of books, authors and tags for a small publisher.

## Roles

- admin
- editor
- viewer

## Enum: BookStatus

- draft
- published
- archived

## Entity: Author

A person who writes books.

| Field   | Type   | Constraints            |
|---------|--------|------------------------|
| name    | string | required, max 120      |
| email   | email  | unique                 |

Permissions: create: admin, editor; update: admin, editor; delete: admin

## Entity: Book

| Field        | Type       | Constraints                         |
|--------------|------------|-------------------------------------|
| title        | string     | required, min 1, max 200            |
| isbn         | string     | unique, pattern ^[0-9-]{10,17}$     |
| price        | decimal    | min 0, precision 10, scale 2        |
| status       | BookStatus | default draft                       |
| author       | -> Author  | required, on delete cascade         |
| tags         | <-> Tag    |                                     |

List: filter by status, author; sort by title, published_at, price; page size 50

Permissions: create: admin, editor; update: admin, editor; delete: admin
";

    const LIBRARY: &str = include_str!("../../../examples/library.md");

    fn read(text: &str) -> (Node, Vec<Diagnostic>) {
        let source = Source::new(text);
        let mut diagnostics = Vec::new();
        let Some(node) = to_document(&source, &mut diagnostics) else {
            panic!("no tree; diagnostics: {diagnostics:?}");
        };
        (node, diagnostics)
    }

    fn lookup<'n>(node: &'n Node, segment: &str) -> Option<&'n Node> {
        match &node.value {
            Value::Map(_) => node.get(segment),
            Value::Seq(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        }
    }

    fn at<'n>(node: &'n Node, path: &str) -> &'n Node {
        let mut current = node;
        for segment in path.split('/').filter(|s| !s.is_empty()) {
            current = lookup(current, segment)
                .unwrap_or_else(|| panic!("no `{segment}` on the way to `{path}`"));
        }
        current
    }

    fn has(node: &Node, path: &str) -> bool {
        let mut current = node;
        for segment in path.split('/').filter(|s| !s.is_empty()) {
            match lookup(current, segment) {
                Some(next) => current = next,
                None => return false,
            }
        }
        true
    }

    /// The span of the key that `path` ends with.
    fn key_span(node: &Node, path: &str) -> Span {
        let (parent, last) = path.rsplit_once('/').unwrap_or(("", path));
        let entries = at(node, parent).as_map().unwrap_or(&[]);
        match entries.iter().find(|e| e.key.name == last) {
            Some(e) => e.key.span,
            None => panic!("no key `{last}` in `{parent}`"),
        }
    }

    fn pos(text: &str, span: Span) -> (usize, usize) {
        let p = Source::new(text).position(span.start);
        (p.line, p.column)
    }

    fn slice(text: &str, span: Span) -> &str {
        text.get(span.start..span.end).unwrap_or("<bad span>")
    }

    /// A YAML-like flow rendering of a tree, for comparing a whole tree at once; strings are
    /// quoted only where they could be read as another kind.
    fn flow(node: &Node) -> String {
        match &node.value {
            Value::Null => "null".into(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => format!("{f:?}"),
            Value::Str(s) => {
                if s.is_empty() || number(s).is_some() || bool_word(s).is_some() || s == "null" {
                    format!("{s:?}")
                } else {
                    s.clone()
                }
            }
            Value::Seq(items) => {
                format!(
                    "[{}]",
                    items.iter().map(flow).collect::<Vec<_>>().join(", ")
                )
            }
            Value::Map(entries) => format!(
                "{{{}}}",
                entries
                    .iter()
                    .map(|e| format!("{}: {}", e.key.name, flow(&e.value)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    fn codes(diagnostics: &[Diagnostic]) -> Vec<(Code, usize, usize)> {
        diagnostics
            .iter()
            .map(|d| (d.code, d.line, d.column))
            .collect()
    }

    fn entity_doc(table_rows: &str) -> String {
        format!(
            "# Shop\n\n## Entity: Item\n\n| Field | Type | Constraints |\n|---|---|---|\n{table_rows}"
        )
    }

    #[test]
    fn the_reference_example_becomes_the_equivalent_specification_tree() {
        let (tree, diagnostics) = read(BOOKSTORE);
        assert_eq!(diagnostics, vec![]);
        let expected = concat!(
            "{specforge: 1, name: bookstore, title: Bookstore, ",
            "description: Catalogue of books, authors and tags for a small publisher., ",
            "auth: {roles: [admin, editor, viewer]}, ",
            "enums: {BookStatus: [draft, published, archived]}, ",
            "entities: {",
            "Author: {description: A person who writes books., ",
            "fields: {name: {type: string, required: true, max_length: 120}, ",
            "email: {type: email, unique: true}}, ",
            "permissions: {create: [admin, editor], update: [admin, editor], delete: [admin]}}, ",
            "Book: {fields: {",
            "title: {type: string, required: true, min_length: 1, max_length: 200}, ",
            "isbn: {type: string, unique: true, pattern: ^[0-9-]{10,17}$}, ",
            "price: {type: decimal, min: 0, precision: 10, scale: 2}, ",
            "status: {type: BookStatus, default: draft}}, ",
            "relations: {author: {to: Author, kind: many_to_one, required: true, on_delete: cascade}, ",
            "tags: {to: Tag, kind: many_to_many}}, ",
            "list: {filters: [status, author], sort: [title, published_at, price], page_size: 50}, ",
            "permissions: {create: [admin, editor], update: [admin, editor], delete: [admin]}}}}",
        );
        assert_eq!(flow(&tree), expected);
        assert_eq!(at(&tree, "/specforge").value, Value::Int(1));
        assert_eq!(
            at(&tree, "/entities/Book/list/page_size").value,
            Value::Int(50)
        );
        assert_eq!(
            at(&tree, "/entities/Author/fields/name/required").value,
            Value::Bool(true)
        );
    }

    #[test]
    fn values_point_at_their_exact_text_in_the_source() {
        let (tree, _) = read(BOOKSTORE);
        let checks: &[(&str, (usize, usize), &str)] = &[
            ("/specforge", (1, 1), "# Bookstore"),
            ("/title", (1, 3), "Bookstore"),
            (
                "/description",
                (3, 1),
                "Catalogue of books, authors and tags for a small publisher.",
            ),
            ("/auth/roles/0", (7, 3), "admin"),
            ("/enums/BookStatus/0", (13, 3), "draft"),
            ("/entities/Author/fields/name/type", (23, 13), "string"),
            ("/entities/Author/fields/name/max_length", (23, 36), "120"),
            (
                "/entities/Book/fields/isbn/pattern",
                (33, 47),
                "^[0-9-]{10,17}$",
            ),
            ("/entities/Book/fields/price/scale", (34, 58), "2"),
            ("/entities/Book/relations/author/to", (36, 21), "Author"),
            ("/entities/Book/relations/author/kind", (36, 18), "->"),
            (
                "/entities/Book/relations/author/on_delete",
                (36, 51),
                "cascade",
            ),
            ("/entities/Book/list/filters/1", (39, 25), "author"),
            ("/entities/Book/list/page_size", (39, 79), "50"),
            ("/entities/Author/permissions/create/1", (26, 29), "editor"),
        ];
        for &(path, expected, text) in checks {
            let span = at(&tree, path).span;
            assert_eq!(
                (pos(BOOKSTORE, span), slice(BOOKSTORE, span)),
                (expected, text),
                "{path}"
            );
        }
        let keys: &[(&str, (usize, usize), &str)] = &[
            ("/enums/BookStatus", (11, 10), "BookStatus"),
            ("/entities/Author", (17, 12), "Author"),
            ("/entities/Author/fields/name", (23, 3), "name"),
            ("/entities/Author/fields/name/max_length", (23, 32), "max"),
            (
                "/entities/Book/relations/author/on_delete",
                (36, 41),
                "on delete",
            ),
            ("/entities/Book/list", (39, 1), "List"),
            ("/entities/Book/list/filters", (39, 7), "filter by"),
            ("/entities/Author/permissions/create", (26, 14), "create"),
        ];
        for &(path, expected, text) in keys {
            let span = key_span(&tree, path);
            assert_eq!(
                (pos(BOOKSTORE, span), slice(BOOKSTORE, span)),
                (expected, text),
                "{path}"
            );
        }
    }

    #[test]
    fn a_comma_inside_a_pattern_does_not_split_the_constraints() {
        let text = entity_doc(
            "| code | string | pattern ^[A-Z]{2,3}(-[0-9]{1,4})?$, required |\n\
             | tag | string | pattern `^a,b$`, unique |\n",
        );
        let (tree, diagnostics) = read(&text);
        assert_eq!(diagnostics, vec![]);
        let code = at(&tree, "/entities/Item/fields/code");
        assert_eq!(
            flow(code),
            "{type: string, pattern: ^[A-Z]{2,3}(-[0-9]{1,4})?$, required: true}"
        );
        assert_eq!(pos(&text, at(code, "pattern").span), (7, 27));
        let tag = at(&tree, "/entities/Item/fields/tag");
        assert_eq!(flow(tag), "{type: string, pattern: ^a,b$, unique: true}");
        assert_eq!(pos(&text, at(tag, "pattern").span), (8, 27));
    }

    #[test]
    fn min_and_max_mean_a_length_for_strings_and_a_bound_for_other_types() {
        let text = entity_doc(
            "| a | string | min 1, max 10 |\n\
             | b | text | max 5000 |\n\
             | c | email | max 200 |\n\
             | d | url | min 8 |\n\
             | e | integer | min 0, max 99 |\n\
             | f | decimal | min 0.5, max 1e3 |\n\
             | g | integer | min length 3, max_length: 4 |\n\
             | h | integer | max lots |\n",
        );
        let (tree, diagnostics) = read(&text);
        assert_eq!(diagnostics, vec![]);
        let fields = at(&tree, "/entities/Item/fields");
        assert_eq!(
            flow(fields),
            "{a: {type: string, min_length: 1, max_length: 10}, b: {type: text, max_length: 5000}, \
             c: {type: email, max_length: 200}, d: {type: url, min_length: 8}, \
             e: {type: integer, min: 0, max: 99}, f: {type: decimal, min: 0.5, max: 1000.0}, \
             g: {type: integer, min_length: 3, max_length: 4}, h: {type: integer, max: lots}}"
        );
        assert_eq!(pos(&text, at(fields, "h/max").span), (14, 21));
    }

    #[test]
    fn an_unknown_constraint_word_reaches_the_tree_as_a_key() {
        let text =
            entity_doc("| title | string | requird, read only, maximum 5, check: price > 0 |\n");
        let (tree, diagnostics) = read(&text);
        assert_eq!(diagnostics, vec![]);
        let title = at(&tree, "/entities/Item/fields/title");
        assert_eq!(
            flow(title),
            "{type: string, requird: true, read_only: true, maximum: \"5\", check: price > 0}"
        );
        let span = key_span(&tree, "/entities/Item/fields/title/requird");
        assert_eq!((pos(&text, span), slice(&text, span)), ((7, 20), "requird"));
        let span = key_span(&tree, "/entities/Item/fields/title/read_only");
        assert_eq!(
            (pos(&text, span), slice(&text, span)),
            ((7, 29), "read only")
        );
    }

    #[test]
    fn a_repeated_constraint_is_a_duplicate_key_at_the_second() {
        let text = entity_doc("| title | string | required, optional |\n");
        let (tree, diagnostics) = read(&text);
        assert_eq!(codes(&diagnostics), vec![(Code::DuplicateKey, 7, 30)]);
        assert_eq!(diagnostics[0].path, "/entities/Item/fields/title/required");
        assert_eq!(
            diagnostics[0].hint.as_deref(),
            Some("first defined at line 7, column 20")
        );
        assert_eq!(
            at(&tree, "/entities/Item/fields/title/required").value,
            Value::Bool(true)
        );
    }

    #[test]
    fn an_unknown_section_is_reported_once_and_skipped() {
        let text = "# Shop\n\n## Glossary\n\nA *book* is a thing.\n\n- term\n\n## Entities\n\n\
                    ### Entity: Item\n\n| Field | Type |\n|---|---|\n| name | string |\n";
        let (tree, diagnostics) = read(text);
        assert_eq!(
            codes(&diagnostics),
            vec![(Code::UnsupportedConstruct, 3, 1)]
        );
        let d = &diagnostics[0];
        assert_eq!(d.severity, Severity::Warning);
        assert_eq!(d.path, "");
        assert_eq!(
            d.message,
            "section `## Glossary` is not part of the specification and was skipped"
        );
        assert!(!has(&tree, "/description"));
        assert_eq!(
            flow(at(&tree, "/entities")),
            "{Item: {fields: {name: {type: string}}}}"
        );
    }

    #[test]
    fn an_entity_heading_without_its_colon_is_reported_with_the_right_form() {
        let (_, diagnostics) = read("# Shop\n\n## Entity Book\n");
        assert_eq!(
            codes(&diagnostics),
            vec![(Code::UnsupportedConstruct, 3, 1)]
        );
        assert_eq!(
            diagnostics[0].hint.as_deref(),
            Some("to declare one, write `## Entity: Book` (with a colon)")
        );
    }

    #[test]
    fn content_before_the_first_heading_is_reported() {
        let (tree, diagnostics) = read("Some notes.\n\n# Shop\n");
        assert_eq!(
            codes(&diagnostics),
            vec![(Code::UnsupportedConstruct, 1, 1)]
        );
        assert_eq!(at(&tree, "/name").as_str(), Some("shop"));
        assert_eq!(
            pos("Some notes.\n\n# Shop\n", at(&tree, "/specforge").span),
            (3, 1)
        );
    }

    #[test]
    fn a_second_entity_with_the_same_name_is_reported_and_the_first_kept() {
        let text = "# Shop\n\n## Entity: Item\n\n| Field | Type |\n|---|---|\n| name | string |\n\n\
                    ## Entity: Item\n\n| Field | Type |\n|---|---|\n| other | string |\n";
        let (tree, diagnostics) = read(text);
        assert_eq!(codes(&diagnostics), vec![(Code::DuplicateEntity, 9, 12)]);
        assert_eq!(diagnostics[0].path, "/entities/Item");
        assert_eq!(
            diagnostics[0].hint.as_deref(),
            Some("first defined at line 3, column 12")
        );
        assert_eq!(
            flow(at(&tree, "/entities")),
            "{Item: {fields: {name: {type: string}}}}"
        );
    }

    #[test]
    fn a_second_row_with_the_same_name_is_reported_and_the_first_kept() {
        let text = entity_doc("| title | string | |\n| title | text | |\n| title | -> Other | |\n");
        let (tree, diagnostics) = read(&text);
        assert_eq!(
            codes(&diagnostics),
            vec![(Code::DuplicateField, 8, 3), (Code::DuplicateField, 9, 3)]
        );
        assert_eq!(diagnostics[0].path, "/entities/Item/fields/title");
        assert_eq!(diagnostics[1].path, "/entities/Item/relations/title");
        assert_eq!(
            diagnostics[1].hint.as_deref(),
            Some("first defined at line 7, column 3")
        );
        assert_eq!(
            flow(at(&tree, "/entities/Item")),
            "{fields: {title: {type: string}}}"
        );
    }

    #[test]
    fn a_table_without_a_field_column_is_a_syntax_error_at_its_header() {
        let text = "# Shop\n\n## Entity: Item\n\n| Name | Type |\n|---|---|\n| title | string |\n";
        let (tree, diagnostics) = read(text);
        assert_eq!(codes(&diagnostics), vec![(Code::SyntaxError, 5, 1)]);
        let d = &diagnostics[0];
        assert_eq!(d.path, "/entities/Item/fields");
        assert_eq!(
            d.message,
            "the table in section `## Entity: Item` has no `Field` column"
        );
        assert!(
            d.hint
                .as_deref()
                .is_some_and(|h| h.contains("`| Field | Type | Constraints |`"))
        );
        assert_eq!(flow(at(&tree, "/entities/Item")), "{}");
    }

    #[test]
    fn an_entity_heading_without_a_name_is_a_syntax_error() {
        let (tree, diagnostics) =
            read("# Shop\n\n## Entity:\n\n| Field | Type |\n|---|---|\n| a | b |\n");
        assert_eq!(codes(&diagnostics), vec![(Code::SyntaxError, 3, 1)]);
        assert_eq!(diagnostics[0].path, "/entities");
        assert!(!has(&tree, "/entities"));
    }

    #[test]
    fn a_second_table_and_a_list_in_an_entity_are_reported_and_skipped() {
        let text = entity_doc(
            "| name | string | |\n\n| Field | Type |\n|---|---|\n| extra | string |\n\n- a note\n",
        );
        let (tree, diagnostics) = read(&text);
        assert_eq!(
            codes(&diagnostics),
            vec![
                (Code::UnsupportedConstruct, 9, 1),
                (Code::UnsupportedConstruct, 13, 1)
            ]
        );
        assert!(
            diagnostics[0]
                .message
                .starts_with("a second table in section `## Entity: Item`")
        );
        assert!(
            diagnostics[1]
                .message
                .starts_with("a list in section `## Entity: Item`")
        );
        assert_eq!(
            flow(at(&tree, "/entities/Item")),
            "{fields: {name: {type: string}}}"
        );
    }

    #[test]
    fn an_unknown_column_is_reported_and_a_description_column_is_read() {
        let text = "# Shop\n\n## Entity: Item\n\n| Type | Notes | Field | Description |\n\
                    |---|---|---|---|\n| string | x | name | The *full* name |\n";
        let (tree, diagnostics) = read(text);
        assert_eq!(
            codes(&diagnostics),
            vec![(Code::UnsupportedConstruct, 5, 10)]
        );
        assert_eq!(
            flow(at(&tree, "/entities/Item/fields")),
            "{name: {type: string, description: The full name}}"
        );
        let span = at(&tree, "/entities/Item/fields/name/description").span;
        assert_eq!(
            (pos(text, span), slice(text, span)),
            ((7, 23), "The *full* name")
        );
    }

    #[test]
    fn the_title_gives_the_name_unless_a_name_line_overrides_it() {
        let cases = [
            ("# Bookstore API\n", "bookstore_api"),
            ("# MyShop\n", "my_shop"),
            ("# HTTPServer admin\n", "http_server_admin"),
            ("# Café Crème\n", "café_crème"),
            ("# !!!\n", ""),
        ];
        for (text, name) in cases {
            let (tree, diagnostics) = read(text);
            assert_eq!(diagnostics, vec![]);
            assert_eq!(at(&tree, "/name").as_str(), Some(name), "{text}");
            assert_eq!(pos(text, at(&tree, "/name").span), (1, 3));
        }
        let text =
            "# Bookstore API\n\nIntro with `code` and **bold**.\nName: `shop_api`\n\nMore.\n";
        let (tree, diagnostics) = read(text);
        assert_eq!(diagnostics, vec![]);
        assert_eq!(at(&tree, "/name").as_str(), Some("shop_api"));
        assert_eq!(pos(text, at(&tree, "/name").span), (4, 8));
        assert_eq!(pos(text, key_span(&tree, "/name")), (4, 1));
        assert_eq!(at(&tree, "/title").as_str(), Some("Bookstore API"));
        assert_eq!(
            at(&tree, "/description").as_str(),
            Some("Intro with code and bold.\n\nMore.")
        );
        assert_eq!(pos(text, at(&tree, "/description").span), (3, 1));

        let (tree, diagnostics) = read("## Roles\n\n- admin\n");
        assert_eq!(diagnostics, vec![]);
        assert_eq!(flow(&tree), "{specforge: 1, auth: {roles: [admin]}}");
        let (tree, _) = read("");
        assert_eq!(flow(&tree), "{specforge: 1}");
        assert_eq!(at(&tree, "/specforge").span, Span::point(0));
    }

    #[test]
    fn enum_descriptions_and_item_descriptions_give_the_long_form() {
        let text = "# Shop\n\n## Enum: Size\n\n- small — up to 1 kg\n- large: more\n- medium - between\n\n\
                    ## Enum: Color\n\nColors of an item.\n\n- red\n- blue\n\n## Enum: Empty\n";
        let (tree, diagnostics) = read(text);
        assert_eq!(diagnostics, vec![]);
        assert_eq!(
            flow(at(&tree, "/enums")),
            "{Size: {values: [small, large, medium]}, \
             Color: {description: Colors of an item., values: [red, blue]}, Empty: []}"
        );
        assert_eq!(pos(text, at(&tree, "/enums/Size/values/2").span), (7, 3));
        assert_eq!(slice(text, at(&tree, "/enums/Size/values/0").span), "small");
    }

    #[test]
    fn duplicate_roles_enums_and_enum_values_are_reported_at_the_second() {
        let text = "# Shop\n\n## Roles\n\n- admin\n- admin — again\n\n## Enum: Size\n\n- s\n- m\n- s\n\n\
                    ## Enum: Size\n\n- x\n";
        let (tree, diagnostics) = read(text);
        assert_eq!(
            codes(&diagnostics),
            vec![
                (Code::DuplicateRole, 6, 3),
                (Code::DuplicateEnumValue, 12, 3),
                (Code::DuplicateEnum, 14, 10)
            ]
        );
        assert_eq!(diagnostics[0].path, "/auth/roles/1");
        assert_eq!(
            diagnostics[0].hint.as_deref(),
            Some("first defined at line 5, column 3")
        );
        assert_eq!(diagnostics[1].path, "/enums/Size/2");
        assert_eq!(
            diagnostics[1].hint.as_deref(),
            Some("first defined at line 10, column 3")
        );
        assert_eq!(diagnostics[2].path, "/enums/Size");
        assert_eq!(
            diagnostics[2].hint.as_deref(),
            Some("first defined at line 8, column 10")
        );
        assert_eq!(flow(at(&tree, "/auth")), "{roles: [admin]}");
        assert_eq!(flow(at(&tree, "/enums")), "{Size: [s, m]}");
    }

    #[test]
    fn list_lines_accept_variants_and_pass_unknown_parts_through() {
        let text = "# Shop\n\n## Entity: Item\n\n\
                    List: filters: `a`, b; sort: c; page_size: 10; search by title\n";
        let (tree, diagnostics) = read(text);
        assert_eq!(diagnostics, vec![]);
        assert_eq!(
            flow(at(&tree, "/entities/Item/list")),
            "{filters: [a, b], sort: [c], page_size: 10, search: by title}"
        );
        assert_eq!(
            pos(text, at(&tree, "/entities/Item/list/filters/0").span),
            (5, 17)
        );
        assert_eq!(
            pos(text, key_span(&tree, "/entities/Item/list/search")),
            (5, 48)
        );

        let text = "# Shop\n\n## Entity: Item\n\nList: sort by a\nList: page size 5\n";
        let (_, diagnostics) = read(text);
        assert_eq!(codes(&diagnostics), vec![(Code::DuplicateKey, 6, 1)]);
        assert_eq!(diagnostics[0].path, "/entities/Item/list");
    }

    #[test]
    fn label_lines_work_right_under_the_table_and_in_one_paragraph() {
        let text = "# Shop\n\n## Entity: Item\n\n| Field | Type |\n|---|---|\n| name | string |\n\
                    Operations: list, get\n\nSold by the **kilo**.\n**Timestamps:** no\n\
                    Permissions: create: admin;\n  delete: admin\n";
        let (tree, diagnostics) = read(text);
        assert_eq!(diagnostics, vec![]);
        assert_eq!(
            flow(at(&tree, "/entities/Item")),
            "{description: Sold by the kilo., fields: {name: {type: string}}, \
             operations: [list, get], timestamps: false, \
             permissions: {create: [admin], delete: [admin]}}"
        );
        assert_eq!(
            pos(text, at(&tree, "/entities/Item/operations/1").span),
            (8, 19)
        );
        assert_eq!(
            pos(text, at(&tree, "/entities/Item/timestamps").span),
            (11, 17)
        );
        assert_eq!(
            pos(text, key_span(&tree, "/entities/Item/permissions/delete")),
            (13, 3)
        );
        let (tree, _) = read(
            "# S\n\n## Entity: A\n\nTimestamps: yes\n\n## Entity: B\n\nTimestamps: sometimes\n",
        );
        assert_eq!(at(&tree, "/entities/A/timestamps").value, Value::Bool(true));
        assert_eq!(
            at(&tree, "/entities/B/timestamps").as_str(),
            Some("sometimes")
        );
    }

    #[test]
    fn an_empty_or_missing_type_cell_gives_an_empty_type_at_the_cell() {
        let text = entity_doc("| a |  | required |\n| b |\n");
        let (tree, diagnostics) = read(&text);
        assert_eq!(diagnostics, vec![]);
        let a = at(&tree, "/entities/Item/fields/a/type");
        assert_eq!((a.as_str(), pos(&text, a.span)), (Some(""), (7, 6)));
        let b = at(&tree, "/entities/Item/fields/b/type");
        assert_eq!((b.as_str(), pos(&text, b.span)), (Some(""), (8, 6)));
    }

    #[test]
    fn default_values_keep_their_kind_unless_quoted() {
        let text = entity_doc(
            "| a | integer | default 5 |\n| b | float | default -1.5 |\n| c | boolean | default false |\n\
             | d | string | default `5` |\n| e | string | default \"a, b\" |\n| f | string | default hello world |\n",
        );
        let (tree, diagnostics) = read(&text);
        assert_eq!(diagnostics, vec![]);
        let fields = at(&tree, "/entities/Item/fields");
        let defaults: Vec<String> = ["a", "b", "c", "d", "e", "f"]
            .iter()
            .map(|f| flow(at(fields, &format!("{f}/default"))))
            .collect();
        assert_eq!(
            defaults,
            ["5", "-1.5", "false", "\"5\"", "a, b", "hello world"]
        );
        assert_eq!(pos(&text, at(fields, "d/default").span), (10, 25));
        assert_eq!(pos(&text, at(fields, "e/default").span), (11, 25));
    }

    #[test]
    fn relations_of_every_kind_keep_their_constraints() {
        let text = entity_doc(
            "| owner | -> User | optional, on delete set null |\n| tags | <-> Tag | |\n\
             | reviews | <- Review | mapped by item |\n| detail | -- Detail | unique, description The *one* |\n",
        );
        let (tree, diagnostics) = read(&text);
        assert_eq!(diagnostics, vec![]);
        assert_eq!(
            flow(at(&tree, "/entities/Item/relations")),
            "{owner: {to: User, kind: many_to_one, required: false, on_delete: set_null}, \
             tags: {to: Tag, kind: many_to_many}, \
             reviews: {to: Review, kind: one_to_many, mapped_by: item}, \
             detail: {to: Detail, kind: one_to_one, unique: true, description: The *one*}}"
        );
        assert_eq!(
            pos(
                &text,
                at(&tree, "/entities/Item/relations/reviews/mapped_by").span
            ),
            (9, 35)
        );
        assert_eq!(
            pos(&text, at(&tree, "/entities/Item/relations/detail/to").span),
            (10, 15)
        );
    }

    #[test]
    fn the_library_example_reads_without_diagnostics() {
        let (tree, diagnostics) = read(LIBRARY);
        assert_eq!(diagnostics, vec![]);
        assert_eq!(at(&tree, "/name").as_str(), Some("town_library"));
        assert_eq!(flow(at(&tree, "/auth/roles")), "[admin, librarian, member]");
        assert_eq!(
            flow(at(&tree, "/enums/LoanStatus")),
            "{description: The life cycle of a loan., values: [open, returned, overdue, lost]}"
        );
        let entities: Vec<&str> = at(&tree, "/entities")
            .as_map()
            .unwrap_or(&[])
            .iter()
            .map(|e| e.key.name.as_str())
            .collect();
        assert_eq!(entities, ["Member", "Book", "Loan"]);
        assert_eq!(
            flow(at(&tree, "/entities/Member/fields/max_loans")),
            "{type: integer, min: 0, max: 20, default: 5, description: How many books at once}"
        );
        assert_eq!(
            flow(at(&tree, "/entities/Member/fields/card_no/pattern")),
            "^LIB-[0-9]{6}$"
        );
        assert_eq!(
            flow(at(&tree, "/entities/Book/relations")),
            "{loans: {to: Loan, kind: one_to_many, mapped_by: book}}"
        );
        assert_eq!(
            flow(at(&tree, "/entities/Loan/list")),
            "{filters: [status, member, book], sort: [due_on], page_size: 100}"
        );
        assert_eq!(
            flow(at(&tree, "/entities/Loan/operations")),
            "[list, get, create, update]"
        );
        let due = at(&tree, "/entities/Loan/relations/member/on_delete");
        assert_eq!(pos(LIBRARY, due.span), (57, 50));
    }

    #[test]
    fn windows_line_endings_give_the_same_tree() {
        let crlf = BOOKSTORE.replace('\n', "\r\n");
        let (tree, diagnostics) = read(&crlf);
        assert_eq!(diagnostics, vec![]);
        let (expected, _) = read(BOOKSTORE);
        assert_eq!(flow(&tree), flow(&expected));
        let span = at(&tree, "/entities/Author/fields/name/max_length").span;
        assert_eq!((pos(&crlf, span), slice(&crlf, span)), ((23, 36), "120"));
    }

    #[test]
    fn names_may_be_wrapped_in_code_or_emphasis_or_escaped() {
        let text = "# Shop\n\n## Entity: **Item**\n\n| Field | Type | Constraints |\n|---|---|---|\n\
                    | `created\\_at` | `datetime` | |\n| *owner* | -> `User` | |\n\n\
                    **List:** sort by `created_at`\n";
        let (tree, diagnostics) = read(text);
        assert_eq!(diagnostics, vec![]);
        assert_eq!(
            flow(at(&tree, "/entities/Item")),
            "{fields: {created_at: {type: datetime}}, relations: {owner: {to: User, kind: many_to_one}}, \
             list: {sort: [created_at]}}"
        );
        assert_eq!(pos(text, key_span(&tree, "/entities/Item")), (3, 14));
        assert_eq!(
            pos(text, at(&tree, "/entities/Item/relations/owner/to").span),
            (8, 17)
        );
        assert_eq!(pos(text, key_span(&tree, "/entities/Item/list")), (10, 3));
    }

    #[test]
    fn a_sub_heading_inside_an_entity_starts_a_skipped_section() {
        let text = "# Shop\n\n## Entity: Item\n\n### Fields\n\n| Field | Type |\n|---|---|\n| a | string |\n";
        let (tree, diagnostics) = read(text);
        assert_eq!(
            codes(&diagnostics),
            vec![(Code::UnsupportedConstruct, 5, 1)]
        );
        assert_eq!(
            diagnostics[0].message,
            "section `### Fields` is not part of the specification and was skipped"
        );
        assert_eq!(flow(at(&tree, "/entities/Item")), "{}");
    }

    #[test]
    fn a_thousand_entities_read_quickly() {
        let mut text = String::from("# Big\n\n## Roles\n\n- admin\n");
        for i in 0..1000 {
            text.push_str(&format!(
                "\n## Entity: E{i}\n\n| Field | Type | Constraints |\n|---|---|---|\n\
                 | name | string | required, max 100 |\n| count | integer | min 0 |\n\
                 | parent | -> E{i} | optional |\n\nList: filter by name; sort by name; page size 20\n\n\
                 Permissions: create: admin; delete: admin\n"
            ));
        }
        let started = std::time::Instant::now();
        let (tree, diagnostics) = read(&text);
        let elapsed = started.elapsed();
        assert_eq!(diagnostics, vec![]);
        assert_eq!(
            at(&tree, "/entities").as_map().map(<[Entry]>::len),
            Some(1000)
        );
        assert!(elapsed.as_secs() < 5, "took {elapsed:?}");
    }

    #[test]
    fn entities_past_their_limit_are_read_only_one_past_it() {
        let mut text = String::from("# Big\n");
        for i in 0..limits::MAX_ENTITIES + 5 {
            text.push_str(&format!("## Entity: E{i}\n"));
        }
        let (tree, diagnostics) = read(&text);
        assert_eq!(diagnostics, vec![]);
        let count = at(&tree, "/entities").as_map().map(<[Entry]>::len);
        assert_eq!(count, Some(limits::MAX_ENTITIES + 1));
    }

    #[test]
    fn a_document_with_too_many_values_is_refused_at_the_value_over_the_limit() {
        let text = format!(
            "# Big\n\n## Entity: E\n\nOperations: {}\n",
            "a,".repeat(limits::MAX_NODES + 10)
        );
        let source = Source::new(&text);
        let mut diagnostics = Vec::new();
        assert_eq!(to_document(&source, &mut diagnostics), None);
        assert_eq!(
            codes(&diagnostics),
            vec![(Code::LimitExceeded, 5, 2_000_013)]
        );
        assert!(diagnostics[0].message.contains("`MAX_NODES`"));
    }

    #[test]
    fn a_document_over_the_size_limit_is_refused() {
        let text = "a".repeat(limits::MAX_SOURCE_BYTES + 1);
        let source = Source::new(&text);
        let mut diagnostics = Vec::new();
        assert_eq!(to_document(&source, &mut diagnostics), None);
        assert_eq!(codes(&diagnostics), vec![(Code::LimitExceeded, 1, 1)]);
    }

    #[test]
    fn deeply_nested_markdown_is_read_without_recursion() {
        let text = format!(
            "# Deep\n\n{}x\n\n{}y\n",
            "> ".repeat(5000),
            "- ".repeat(5000)
        );
        let (_, diagnostics) = read(&text);
        assert_eq!(codes(&diagnostics).len(), 2);
    }

    fn fragment() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("# Title\n".to_string()),
            Just("## Entity: ".to_string()),
            Just("## Enum: ".to_string()),
            Just("## Roles\n".to_string()),
            Just("| Field | Type | Constraints |\n|---|---|---|\n".to_string()),
            Just("| a | -> B | required, min 1, pattern `x,y` |\n".to_string()),
            Just("List: filter by a; sort by; page size x\n".to_string()),
            Just("Permissions: create: a;;: b\n".to_string()),
            Just("- item — d\n".to_string()),
            Just("`".to_string()),
            Just("\"".to_string()),
            Just("é\u{2014}".to_string()),
            Just("\n".to_string()),
            "[ -~|*`:;,()\\[\\]{}\n]{0,20}",
            any::<String>(),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_text_never_panics(text in any::<String>()) {
            let source = Source::new(&text);
            let mut diagnostics = Vec::new();
            let _ = to_document(&source, &mut diagnostics);
        }

        #[test]
        fn arbitrary_markdown_never_panics_and_spans_stay_in_the_text(
            parts in prop::collection::vec(fragment(), 0..30)
        ) {
            let text = parts.concat();
            let source = Source::new(&text);
            let mut diagnostics = Vec::new();
            if let Some(tree) = to_document(&source, &mut diagnostics) {
                let mut stack = vec![&tree];
                while let Some(node) = stack.pop() {
                    prop_assert!(node.span.end <= text.len());
                    prop_assert!(text.get(node.span.start..node.span.end).is_some());
                    match &node.value {
                        Value::Seq(items) => stack.extend(items),
                        Value::Map(entries) => {
                            for e in entries {
                                prop_assert!(text.get(e.key.span.start..e.key.span.end).is_some());
                                stack.push(&e.value);
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
    }
}
