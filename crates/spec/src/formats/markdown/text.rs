//! Slices of the source text, so that every value keeps the exact span it was written at, and
//! the small readers of what a cell, a list item or a `Label:` line holds.

use std::collections::HashMap;

use crate::node::Value;
use crate::span::Span;

#[derive(Clone, Copy, Debug)]
pub(super) struct SourceSlice<'a> {
    pub(super) src: &'a str,
    pub(super) start: usize,
    pub(super) end: usize,
}

impl<'a> SourceSlice<'a> {
    pub(super) fn new(src: &'a str, span: Span) -> Self {
        let end = span.end.min(src.len());
        SourceSlice {
            src,
            start: span.start.min(end),
            end,
        }
    }

    pub(super) fn point(src: &'a str, at: usize) -> Self {
        SourceSlice::new(src, Span::point(at))
    }

    pub(super) fn text(&self) -> &'a str {
        self.src.get(self.start..self.end).unwrap_or("")
    }

    pub(super) fn span(&self) -> Span {
        Span::new(self.start, self.end)
    }

    pub(super) fn is_empty(&self) -> bool {
        self.text().is_empty()
    }

    /// The part from relative byte `from` to relative byte `to` (clamped).
    pub(super) fn sub(&self, from: usize, to: usize) -> SourceSlice<'a> {
        let len = self.end - self.start;
        let to = to.min(len);
        let from = from.min(to);
        SourceSlice {
            src: self.src,
            start: self.start + from,
            end: self.start + to,
        }
    }

    pub(super) fn from(&self, at: usize) -> SourceSlice<'a> {
        self.sub(at, self.end - self.start)
    }

    pub(super) fn trim(&self) -> SourceSlice<'a> {
        let t = self.text();
        let lead = t.len() - t.trim_start().len();
        self.sub(lead, lead + t.trim().len())
    }
}

/// Removes one code span around the whole text (`` `x` `` or ``` ``x`` ```), as CommonMark
/// reads it. The flag says whether there was one.
pub(super) fn strip_code(s: SourceSlice<'_>) -> (SourceSlice<'_>, bool) {
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
fn strip_wrappers(s: SourceSlice<'_>) -> SourceSlice<'_> {
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
pub(super) fn unescape_pipe(text: &str) -> String {
    text.replace("\\|", "|")
}

/// A name as written: without surrounding code span, emphasis or escapes; the span is the name.
pub(super) fn clean_name(s: SourceSlice<'_>) -> (String, Span) {
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
pub(super) fn split_top(s: SourceSlice<'_>, sep: u8) -> Vec<SourceSlice<'_>> {
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
pub(super) fn leading_words(s: &str, max: usize) -> Vec<(usize, usize)> {
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
pub(super) fn match_phrase<'a, K: Copy>(
    s: SourceSlice<'a>,
    phrases: &[(&[&str], K)],
) -> Option<(K, Span, SourceSlice<'a>)> {
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
fn tokens(s: SourceSlice<'_>) -> Vec<SourceSlice<'_>> {
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
pub(super) struct GenericItem {
    pub(super) key: String,
    pub(super) key_span: Span,
    pub(super) value: Option<(String, Span)>,
}

pub(super) fn generic_item(s: SourceSlice<'_>, join: bool) -> GenericItem {
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
            return GenericItem {
                key,
                key_span: head.span(),
                value,
            };
        }
    }
    let words = tokens(s);
    let plain = |w: &SourceSlice<'_>| {
        w.text()
            .chars()
            .all(|c| c.is_alphabetic() || c == '_' || c == '-')
    };
    match words.split_first() {
        Some((first, rest))
            if rest.is_empty() || (join && plain(first) && rest.iter().all(plain)) =>
        {
            let key = words.iter().map(|w| w.text()).collect::<Vec<_>>().join("_");
            GenericItem {
                key,
                key_span: s.span(),
                value: None,
            }
        }
        Some((first, _)) => {
            let rest = s.from(first.end - s.start).trim();
            GenericItem {
                key: first.text().to_string(),
                key_span: first.span(),
                value: Some((rest.text().to_string(), rest.span())),
            }
        }
        None => GenericItem {
            key: String::new(),
            key_span: s.span(),
            value: None,
        },
    }
}

/// `Int` when the text is an integer, `Float` when it is another finite decimal number.
pub(super) fn number(text: &str) -> Option<Value> {
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

pub(super) fn bool_word(text: &str) -> Option<bool> {
    let lower = text.to_ascii_lowercase();
    match lower.as_str() {
        "true" | "yes" | "on" => Some(true),
        "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// Shortens text quoted in a message.
pub(super) fn shorten(text: &str) -> String {
    const MAX: usize = 80;
    match text.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}...", text.get(..at).unwrap_or("")),
        None => text.to_string(),
    }
}

/// The value of a list item, without a description after `—`, `–`, ` - ` or `:`; the flag
/// says whether a description followed.
pub(super) fn item_value(s: SourceSlice<'_>) -> (SourceSlice<'_>, bool) {
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
fn match_label<'a>(
    line: SourceSlice<'a>,
    labels: &[&str],
) -> Option<(usize, Span, SourceSlice<'a>)> {
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
pub(super) enum LineGroup<'a> {
    Prose(Span),
    Label {
        index: usize,
        label: Span,
        rest: SourceSlice<'a>,
    },
}

/// Groups the lines of a paragraph. With `continues`, a line after a `Label:` line that starts
/// no other label continues it (a long `List:` line wrapped by the editor).
pub(super) fn line_groups<'a>(
    src: &'a str,
    span: Span,
    labels: &[&str],
    continues: bool,
) -> Vec<LineGroup<'a>> {
    let para = SourceSlice::new(src, span);
    let mut out = Vec::new();
    let mut offset = 0;
    for line in para.text().split('\n') {
        let l = para.sub(offset, offset + line.len()).trim();
        offset += line.len() + 1;
        if l.is_empty() {
            continue;
        }
        if let Some((index, label, rest)) = match_label(l, labels) {
            out.push(LineGroup::Label { index, label, rest });
            continue;
        }
        match out.last_mut() {
            Some(LineGroup::Label { rest, .. }) if continues => {
                *rest = SourceSlice::new(src, Span::new(rest.start, l.end));
            }
            Some(LineGroup::Prose(span)) => *span = span.to(l.span()),
            _ => out.push(LineGroup::Prose(l.span())),
        }
    }
    out
}

pub(super) fn is_comment(src: &str, span: Span) -> bool {
    let t = SourceSlice::new(src, span).trim();
    t.text().starts_with("<!--") && t.text().ends_with("-->")
}
/// `-> T`, `<-> T`, `<- T`, `-- T`: the relation kind, the arrow's span and the target.
pub(super) fn relation_arrow(ty: SourceSlice<'_>) -> Option<(&'static str, Span, SourceSlice<'_>)> {
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
