//! YAML reader: the event stream of `saphyr-parser` into a [`Node`] tree with byte spans.
//!
//! The tree is built without recursion, from an explicit stack of open mappings and lists, so
//! the nesting limit is checked before anything deep is built.
//!
//! Conventions:
//! - Scalars are resolved with the YAML 1.2 core schema: `null`, `Null`, `NULL`, `~` and empty
//!   are null; `true`/`false` (also `True`, `TRUE`, ...) are booleans; decimal, `0o` octal and
//!   `0x` hex integers are integers (floats when they do not fit `i64`); decimals, exponents,
//!   `.inf`, `-.inf` and `.nan` are floats; everything else, and every quoted or block scalar,
//!   is a string. `yes`, `no`, `on`, `off` stay strings.
//! - Tags: `!!str`, `!!int`, `!!float`, `!!bool`, `!!null` convert or check the scalar (a value
//!   that does not fit the tag is a `syntax_error`, and the value is then read as if untagged);
//!   `!!map` and `!!seq` are accepted on mappings and lists; the non-specific `!` makes a scalar
//!   a string; any other tag is an `unsupported_construct` warning and is ignored.
//! - Spans: a scalar's span covers its text (quotes included; for block scalars, the content
//!   without trailing blank lines); anchors and tags before a node are not part of its span. A
//!   mapping or list starts at its first token (`{`, `[`, its first key or `-`) and ends at its
//!   closing bracket or the end of its last value. An empty value (`key:`) is an empty span.
//! - Mapping keys are the written text of scalar keys (`1: x` has the key `"1"`). A mapping or
//!   list used as a key is a `syntax_error` and the entry is skipped.
//! - Duplicate keys: each repetition is a `duplicate_key` error at the repeated key; the first
//!   value is kept.
//! - Aliases are expanded to a copy of the anchored node. The copy's root takes the span of the
//!   alias (so a problem with the value as a whole points at the alias); the nodes inside keep
//!   the spans of the anchored text. Before anything is copied, the copy's nodes count against
//!   `MAX_ALIAS_EXPANSION` and `MAX_NODES`, its text against `MAX_SOURCE_BYTES` (all copies
//!   together), and its nesting at the alias against `MAX_DEPTH`. The copies kept of anchored
//!   nodes (an anchor inside an anchored node is kept twice) are bounded the same way, by
//!   `MAX_NODES` and `MAX_SOURCE_BYTES`.
//! - Merge keys: a plain `<<` key takes a mapping or a list of mappings (usually aliases); their
//!   entries are added after the mapping's own entries, except keys the mapping already has
//!   (explicit keys win, and earlier merged mappings win over later ones).
//! - One document only: a second document is a `syntax_error` at its start. An empty text (or
//!   only comments) is a null node with the span `0..0`.
//! - Any error of the YAML scanner or parser is one `syntax_error`, and no tree is returned.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Tag};

use crate::diagnostic::{Code, Diagnostic, Source, pointer};
use crate::limits;
use crate::node::{Entry, Key, Node, Value};
use crate::span::Span;
use crate::syntax::json::{Members, duplicate_key};

/// Parses YAML text into a node tree.
///
/// Returns `None` after a YAML syntax error or a passed limit (both reported in
/// `diagnostics`). Duplicate keys, keys that are not plain values, tag mismatches and a second
/// document are reported, and the tree is still returned.
pub fn parse(source: &Source<'_>, diagnostics: &mut Vec<Diagnostic>) -> Option<Node> {
    let mut reader = Reader {
        source,
        offsets: CharOffsets::new(source.text),
        diagnostics,
        stack: Vec::new(),
        anchors: HashMap::new(),
        root: None,
        nodes: 0,
        expanded: Size::default(),
        stored: Size::default(),
        last_end: 0,
    };
    reader.run().ok()
}

/// The full name of the YAML core schema tags (`!!str` is `tag:yaml.org,2002:str`).
const CORE_TAG_PREFIX: &str = "tag:yaml.org,2002:";

/// Marks that reading stopped; the reason is already in the diagnostics.
struct Stop;

type Read<T> = Result<T, Stop>;

/// Converts the character indexes of `saphyr` markers into byte offsets.
///
/// The character index is used rather than the line and column because it is exact where
/// lines are counted differently (a lone `\r` is a line break for YAML) or a byte order mark
/// shifts columns, and because it converts in constant time even on very long lines.
struct CharOffsets<'a> {
    text: &'a str,
    /// Byte offset of every `STRIDE`-th character; empty when the text is ASCII.
    checkpoints: Vec<usize>,
    /// The last conversion, as (character index, byte offset): markers mostly move forward by
    /// a few characters, so most conversions walk only from there.
    cursor: Cell<(usize, usize)>,
}

const STRIDE: usize = 64;

impl<'a> CharOffsets<'a> {
    fn new(text: &'a str) -> Self {
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

    fn byte(&self, char_index: usize) -> usize {
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

    fn span(&self, span: saphyr_parser::Span) -> Span {
        Span::new(self.byte(span.start.index()), self.byte(span.end.index()))
    }
}

/// What a tree holds, for the budgets of alias expansion and anchor copies.
#[derive(Clone, Copy, Default)]
struct Size {
    /// Nodes, the root included.
    nodes: usize,
    /// Bytes of text in its scalars and keys.
    bytes: usize,
}

impl Size {
    fn add(&mut self, other: Size) {
        self.nodes = self.nodes.saturating_add(other.nodes);
        self.bytes = self.bytes.saturating_add(other.bytes);
    }

    /// Whether adding `other` stays within `nodes` nodes and `bytes` bytes.
    fn fits(self, other: Size, nodes: usize, bytes: usize) -> bool {
        self.nodes.saturating_add(other.nodes) <= nodes
            && self.bytes.saturating_add(other.bytes) <= bytes
    }
}

/// A node that has been read completely, on its way to its parent.
struct Built {
    node: Node,
    size: Size,
    /// Nesting of mappings and lists inside (0 for a scalar, 1 for a list of scalars).
    height: usize,
    /// The written text, for a scalar (what it is called when used as a key).
    key: Option<KeyText>,
}

#[derive(Clone)]
struct KeyText {
    name: String,
    /// Whether this is the plain, untagged `<<` merge key.
    merge: bool,
}

/// An anchored node, kept for its aliases.
struct Anchored {
    node: Node,
    size: Size,
    height: usize,
    key: Option<KeyText>,
}

/// What comes next in a mapping being read.
enum Slot {
    /// A key.
    Key,
    /// The value of this key.
    Value(Key),
    /// A value to read and drop (its key, kept for paths, was repeated or not a plain value).
    Skip(Option<String>),
    /// The value of a `<<` merge key.
    Merge,
}

struct MapFrame {
    members: Members,
    slot: Slot,
    /// Values of `<<` keys, merged when the mapping ends.
    merges: Vec<Node>,
    /// Where the `<<` key was written, to report a repeated one.
    merge_key: Option<Span>,
}

enum Kind {
    Seq(Vec<Node>),
    Map(MapFrame),
}

/// A mapping or list being read.
struct Frame {
    kind: Kind,
    start: usize,
    /// End of what has been read of it so far.
    end: usize,
    /// Whether it is written with brackets (it then ends at its closing bracket).
    flow: bool,
    anchor: usize,
    size: Size,
    /// Height of its highest child.
    child_height: usize,
}

struct Reader<'s, 'd> {
    source: &'s Source<'s>,
    offsets: CharOffsets<'s>,
    diagnostics: &'d mut Vec<Diagnostic>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Anchored>,
    root: Option<Node>,
    /// Nodes created so far, alias copies included, against `limits::MAX_NODES`.
    nodes: usize,
    /// What alias expansion has added: nodes against `limits::MAX_ALIAS_EXPANSION`, text
    /// against `limits::MAX_SOURCE_BYTES` (so one long anchored string cannot be copied
    /// a hundred thousand times).
    expanded: Size,
    /// What the kept copies of anchored nodes hold: nodes against `limits::MAX_NODES`, text
    /// against `limits::MAX_SOURCE_BYTES` (anchors nested in anchors are copied once each).
    stored: Size,
    /// Byte offset where the last event ended.
    last_end: usize,
}

impl Reader<'_, '_> {
    fn run(&mut self) -> Read<Node> {
        let mut parser = Parser::new_from_str(self.source.text);
        let mut documents = 0;
        while let Some(next) = parser.next_event() {
            let (event, span) = match next {
                Ok(ok) => ok,
                Err(error) => return Err(self.scan_error(&error)),
            };
            self.last_end = self.offsets.byte(span.end.index());
            match event {
                Event::StreamEnd => break,
                Event::StreamStart | Event::Nothing | Event::DocumentEnd => {}
                Event::DocumentStart(_) => {
                    documents += 1;
                    if documents > 1 {
                        let at = self.offsets.span(span);
                        let at = if at.is_empty() {
                            self.char_span(at.start)
                        } else {
                            at
                        };
                        let diagnostic = self
                            .source
                            .error(Code::SyntaxError, at, "", "only one document is allowed")
                            .with_hint("put each specification in its own file");
                        self.diagnostics.push(diagnostic);
                        break;
                    }
                }
                Event::Scalar(text, style, anchor, tag) => {
                    self.scalar(text, style, anchor, tag.as_deref(), span)?;
                }
                Event::Alias(id) => self.alias(id, span)?,
                Event::SequenceStart(anchor, tag) => {
                    self.open(Kind::Seq(Vec::new()), anchor, tag.as_deref(), span)?;
                }
                Event::MappingStart(anchor, tag) => {
                    let map = MapFrame {
                        members: Members::default(),
                        slot: Slot::Key,
                        merges: Vec::new(),
                        merge_key: None,
                    };
                    self.open(Kind::Map(map), anchor, tag.as_deref(), span)?;
                }
                Event::SequenceEnd | Event::MappingEnd => self.close(span)?,
            }
        }
        Ok(self
            .root
            .take()
            .unwrap_or(Node::new(Value::Null, Span::point(0))))
    }

    /// The span of the character at byte `at` (empty at the end of the text).
    fn char_span(&self, at: usize) -> Span {
        let text = self.source.text;
        let len = text
            .get(at..)
            .and_then(|s| s.chars().next())
            .map_or(0, char::len_utf8);
        Span::new(at, at + len)
    }

    /// JSON Pointer of the node that the innermost open mapping or list is waiting for.
    fn path(&self) -> String {
        let mut path = String::new();
        for frame in &self.stack {
            match &frame.kind {
                Kind::Seq(items) => path = pointer(&path, &items.len().to_string()),
                Kind::Map(map) => match &map.slot {
                    Slot::Value(key) => path = pointer(&path, &key.name),
                    Slot::Merge => path = pointer(&path, "<<"),
                    Slot::Skip(Some(name)) => path = pointer(&path, name),
                    Slot::Key | Slot::Skip(None) => {}
                },
            }
        }
        path
    }

    fn error(&mut self, code: Code, span: Span, message: String, hint: Option<&str>) {
        let mut diagnostic = self.source.error(code, span, self.path(), message);
        if let Some(hint) = hint {
            diagnostic = diagnostic.with_hint(hint);
        }
        self.diagnostics.push(diagnostic);
    }

    fn limit(&mut self, span: Span, message: String) -> Stop {
        self.error(Code::LimitExceeded, span, message, None);
        Stop
    }

    fn count_nodes(&mut self, added: usize, span: Span) -> Read<()> {
        self.nodes = self.nodes.saturating_add(added);
        if self.nodes > limits::MAX_NODES {
            let message = format!(
                "the document has more than {} values (limit on nodes)",
                limits::MAX_NODES
            );
            return Err(self.limit(span, message));
        }
        Ok(())
    }

    fn expects_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame {
                kind: Kind::Map(MapFrame {
                    slot: Slot::Key,
                    ..
                }),
                ..
            })
        )
    }

    /// Where the content of a node starts, after its anchor and tag (which `saphyr` includes).
    fn content_start(&self, span: Span) -> usize {
        let bytes = self.source.text.as_bytes();
        let mut i = span.start;
        while i < span.end && matches!(bytes.get(i), Some(b'&' | b'!')) {
            while i < span.end && !matches!(bytes.get(i), Some(b' ' | b'\t' | b'\r' | b'\n')) {
                i += 1;
            }
            while i < span.end {
                match bytes.get(i) {
                    Some(b' ' | b'\t' | b'\r' | b'\n') => i += 1,
                    Some(b'#') => {
                        while i < span.end && bytes.get(i) != Some(&b'\n') {
                            i += 1;
                        }
                    }
                    _ => break,
                }
            }
        }
        i.min(span.end)
    }

    fn scalar(
        &mut self,
        text: Cow<'_, str>,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        raw: saphyr_parser::Span,
    ) -> Read<()> {
        let raw = self.offsets.span(raw);
        let start = if anchor != 0 || tag.is_some() {
            self.content_start(raw)
        } else {
            raw.start
        };
        let mut end = raw.end.max(start);
        if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
            // saphyr's block scalars run up to the next token, over trailing blank lines.
            let bytes = self.source.text.as_bytes();
            while end > start && matches!(bytes.get(end - 1), Some(b' ' | b'\t' | b'\r' | b'\n')) {
                end -= 1;
            }
        }
        if text.is_empty() && style == ScalarStyle::Plain {
            end = start;
        }
        let span = Span::new(start, end);
        self.count_nodes(1, span)?;

        let key = if anchor != 0 || self.expects_key() {
            let merge = style == ScalarStyle::Plain && tag.is_none() && text == "<<";
            Some(KeyText {
                name: text.to_string(),
                merge,
            })
        } else {
            None
        };
        let size = Size {
            nodes: 1,
            bytes: text.len(),
        };
        let value = self.resolve(text, style, tag, span);
        let node = Node::new(value, span);
        if anchor != 0 {
            self.store_anchor(anchor, &node, size, 0, key.clone())?;
        }
        self.deliver(Built {
            node,
            size,
            height: 0,
            key,
        })
    }

    fn alias(&mut self, id: usize, raw: saphyr_parser::Span) -> Read<()> {
        let span = self.offsets.span(raw);
        let name = self
            .source
            .text
            .get(span.start..span.end)
            .unwrap_or("*")
            .to_string();
        let Some(anchored) = self.anchors.get(&id) else {
            // saphyr rejects unknown anchors itself, so this is an anchor still being read.
            self.error(
                Code::SyntaxError,
                span,
                format!("the alias `{name}` is inside the node it refers to"),
                Some("an alias can only refer to a node that ends before it"),
            );
            return Err(Stop);
        };
        let (size, height) = (anchored.size, anchored.height);
        if self.stack.len() + height > limits::MAX_DEPTH {
            let message = format!(
                "the alias `{name}` nests deeper than {} levels (limit on depth)",
                limits::MAX_DEPTH
            );
            return Err(self.limit(span, message));
        }
        if !self
            .expanded
            .fits(size, limits::MAX_ALIAS_EXPANSION, limits::MAX_SOURCE_BYTES)
        {
            let message =
                if self.expanded.nodes.saturating_add(size.nodes) > limits::MAX_ALIAS_EXPANSION {
                    format!(
                        "aliases expand to more than {} values (limit on alias expansion)",
                        limits::MAX_ALIAS_EXPANSION
                    )
                } else {
                    format!(
                        "aliases expand to more than {} bytes of text (limit on alias expansion)",
                        limits::MAX_SOURCE_BYTES
                    )
                };
            return Err(self.limit(span, message));
        }
        self.expanded.add(size);
        self.count_nodes(size.nodes, span)?;
        let Some(anchored) = self.anchors.get(&id) else {
            return Err(Stop);
        };
        let mut node = anchored.node.clone();
        node.span = span;
        let key = anchored.key.as_ref().map(|k| KeyText {
            name: k.name.clone(),
            merge: false,
        });
        self.deliver(Built {
            node,
            size,
            height,
            key,
        })
    }

    fn open(
        &mut self,
        kind: Kind,
        anchor: usize,
        tag: Option<&Tag>,
        raw: saphyr_parser::Span,
    ) -> Read<()> {
        let raw = self.offsets.span(raw);
        let start = if anchor != 0 || tag.is_some() {
            self.content_start(raw)
        } else {
            raw.start
        };
        let first = self.char_span(start);
        if self.stack.len() >= limits::MAX_DEPTH {
            let message = format!(
                "nesting deeper than {} levels (limit on depth)",
                limits::MAX_DEPTH
            );
            return Err(self.limit(first, message));
        }
        self.count_nodes(1, first)?;
        let (is_list, what) = match kind {
            Kind::Seq(_) => (true, "a list"),
            Kind::Map(_) => (false, "a mapping"),
        };
        match classify(tag) {
            TagKind::None => {}
            TagKind::Core("seq") if is_list => {}
            TagKind::Core("map") if !is_list => {}
            TagKind::Core(name @ ("str" | "int" | "float" | "bool" | "null" | "seq" | "map")) => {
                let message = format!("the tag `!!{name}` cannot be used on {what}");
                self.error(Code::SyntaxError, first, message, None);
            }
            other => self.unsupported_tag(&other, first),
        }
        let opener = self.source.text.as_bytes().get(start);
        let flow = matches!(opener, Some(b'[' | b'{'));
        self.stack.push(Frame {
            kind,
            start,
            end: first.end,
            flow,
            anchor,
            size: Size { nodes: 1, bytes: 0 },
            child_height: 0,
        });
        Ok(())
    }

    fn close(&mut self, raw: saphyr_parser::Span) -> Read<()> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let closing = self.offsets.span(raw).start;
        let closer = self.source.text.as_bytes().get(closing);
        let end = if frame.flow && matches!(closer, Some(b']' | b'}')) {
            closing + 1
        } else {
            frame.end
        };
        let value = match frame.kind {
            Kind::Seq(items) => Value::Seq(items),
            Kind::Map(map) => {
                let mut members = map.members;
                self.merge(&mut members, map.merges);
                Value::Map(members.into_entries())
            }
        };
        let node = Node::new(value, Span::new(frame.start, end.max(frame.start)));
        let height = frame.child_height + 1;
        if frame.anchor != 0 {
            self.store_anchor(frame.anchor, &node, frame.size, height, None)?;
        }
        self.deliver(Built {
            node,
            size: frame.size,
            height,
            key: None,
        })
    }

    /// Keeps a copy of an anchored node for its aliases.
    fn store_anchor(
        &mut self,
        anchor: usize,
        node: &Node,
        size: Size,
        height: usize,
        key: Option<KeyText>,
    ) -> Read<()> {
        if !self
            .stored
            .fits(size, limits::MAX_NODES, limits::MAX_SOURCE_BYTES)
        {
            let message = format!(
                "anchored values hold more than {} values or {} bytes of text (limit on nodes)",
                limits::MAX_NODES,
                limits::MAX_SOURCE_BYTES
            );
            return Err(self.limit(node.span, message));
        }
        self.stored.add(size);
        let node = node.clone();
        self.anchors.insert(
            anchor,
            Anchored {
                node,
                size,
                height,
                key,
            },
        );
        Ok(())
    }

    /// Adds the entries of the `<<` values that the mapping does not have yet.
    fn merge(&mut self, members: &mut Members, merges: Vec<Node>) {
        for source in merges {
            let span = source.span;
            match source.value {
                Value::Map(entries) => add_missing(members, entries),
                Value::Seq(items) => {
                    for item in items {
                        match item.value {
                            Value::Map(entries) => add_missing(members, entries),
                            _ => self.bad_merge(item.span),
                        }
                    }
                }
                _ => self.bad_merge(span),
            }
        }
    }

    fn bad_merge(&mut self, span: Span) {
        let path = pointer(&self.path(), "<<");
        let diagnostic = self.source.error(
            Code::SyntaxError,
            span,
            path,
            "a merge key `<<` takes a mapping or a list of mappings",
        );
        self.diagnostics.push(diagnostic);
    }

    /// Hands a complete node to the innermost open mapping or list (or makes it the root).
    fn deliver(&mut self, built: Built) -> Read<()> {
        let Some(frame) = self.stack.last_mut() else {
            if self.root.is_none() {
                self.root = Some(built.node);
            }
            return Ok(());
        };
        frame.end = frame.end.max(built.node.span.end);
        let map = match &mut frame.kind {
            Kind::Seq(items) => {
                frame.size.add(built.size);
                frame.child_height = frame.child_height.max(built.height);
                items.push(built.node);
                return Ok(());
            }
            Kind::Map(map) => map,
        };
        match std::mem::replace(&mut map.slot, Slot::Key) {
            Slot::Value(key) => {
                frame.size.add(built.size);
                frame.size.bytes = frame.size.bytes.saturating_add(key.name.len());
                frame.child_height = frame.child_height.max(built.height);
                map.members.push(Entry {
                    key,
                    value: built.node,
                });
            }
            Slot::Merge => {
                frame.size.add(built.size);
                frame.child_height = frame.child_height.max(built.height);
                map.merges.push(built.node);
            }
            Slot::Skip(_) => {}
            Slot::Key => self.key(built),
        }
        Ok(())
    }

    /// Takes `built` as the next key of the innermost mapping (which is waiting for a key).
    fn key(&mut self, built: Built) {
        let span = built.node.span;
        let Some(KeyText { name, merge }) = built.key else {
            self.error(
                Code::SyntaxError,
                span,
                "keys must be plain values, not mappings or lists".to_string(),
                None,
            );
            self.set_slot(Slot::Skip(None));
            return;
        };
        let first = match self.stack.last() {
            Some(Frame {
                kind: Kind::Map(map),
                ..
            }) => {
                if merge {
                    map.merge_key
                } else {
                    map.members.key_span(&name)
                }
            }
            _ => None,
        };
        if let Some(first) = first {
            let path = pointer(&self.path(), &name);
            self.diagnostics
                .push(duplicate_key(self.source, &name, span, first, path));
            self.set_slot(Slot::Skip(Some(name)));
        } else if merge {
            if let Some(Frame {
                kind: Kind::Map(map),
                ..
            }) = self.stack.last_mut()
            {
                map.merge_key = Some(span);
            }
            self.set_slot(Slot::Merge);
        } else {
            self.set_slot(Slot::Value(Key { name, span }));
        }
    }

    fn set_slot(&mut self, slot: Slot) {
        if let Some(Frame {
            kind: Kind::Map(map),
            ..
        }) = self.stack.last_mut()
        {
            map.slot = slot;
        }
    }

    fn unsupported_tag(&mut self, tag: &TagKind<'_>, span: Span) {
        let shown = match tag {
            TagKind::Core(name) => format!("!!{name}"),
            TagKind::Other(shown) => shown.clone(),
            TagKind::None | TagKind::NonSpecific => "!".to_string(),
        };
        let diagnostic = self
            .source
            .warning(
                Code::UnsupportedConstruct,
                span,
                self.path(),
                format!("the tag `{shown}` is not supported; the value is read without it"),
            )
            .with_hint("remove the tag");
        self.diagnostics.push(diagnostic);
    }

    /// The value of a scalar, per its tag and the core schema.
    fn resolve(
        &mut self,
        text: Cow<'_, str>,
        style: ScalarStyle,
        tag: Option<&Tag>,
        span: Span,
    ) -> Value {
        let untagged = |text: Cow<'_, str>| {
            if style == ScalarStyle::Plain {
                core_value(&text).unwrap_or_else(|| Value::Str(text.into_owned()))
            } else {
                Value::Str(text.into_owned())
            }
        };
        let kind = classify(tag);
        let checked = match &kind {
            TagKind::None => return untagged(text),
            TagKind::NonSpecific | TagKind::Core("str") => return Value::Str(text.into_owned()),
            TagKind::Core("int") => int_value(&text),
            TagKind::Core("float") => match core_value(&text) {
                Some(Value::Int(i)) => Some(Value::Float(i as f64)),
                Some(Value::Float(f)) => Some(Value::Float(f)),
                _ => None,
            },
            TagKind::Core("bool") => core_value(&text).filter(|v| matches!(v, Value::Bool(_))),
            TagKind::Core("null") => core_value(&text).filter(|v| matches!(v, Value::Null)),
            TagKind::Core(name @ ("seq" | "map")) => {
                let what = if *name == "seq" {
                    "a list"
                } else {
                    "a mapping"
                };
                let message = format!("the tag `!!{name}` is for {what}, not a single value");
                self.error(Code::SyntaxError, span, message, None);
                return untagged(text);
            }
            TagKind::Core(_) | TagKind::Other(_) => {
                self.unsupported_tag(&kind, span);
                return untagged(text);
            }
        };
        match checked {
            Some(value) => value,
            None => {
                let name = match kind {
                    TagKind::Core(name) => name,
                    _ => "",
                };
                let message = format!("`{text}` is not a valid `!!{name}` value");
                self.error(Code::SyntaxError, span, message, None);
                untagged(text)
            }
        }
    }

    fn scan_error(&mut self, error: &ScanError) -> Stop {
        let at = self.offsets.byte(error.marker().index());
        let span = self.char_span(at);
        let info = error.info();
        if info == "recursion limit exceeded" {
            // saphyr stops at 255 nested brackets while looking ahead, before it has produced
            // the events that would cross our own (lower) limit.
            let crossing = self.crossing_bracket(at).unwrap_or(at);
            let span = self.char_span(crossing);
            let message = format!(
                "nesting deeper than {} levels (limit on depth)",
                limits::MAX_DEPTH
            );
            return self.limit(span, message);
        }
        let (message, hint) = if info.contains("unknown anchor") {
            let rest = self.source.text.get(at..).unwrap_or("");
            let len = rest
                .find(|c: char| c.is_whitespace() || matches!(c, ',' | '[' | ']' | '{' | '}'))
                .unwrap_or(rest.len());
            let name = rest.get(..len).unwrap_or("");
            let span = Span::new(at, at + len);
            self.error(
                Code::SyntaxError,
                span,
                format!("the alias `{name}` refers to an anchor that is not defined"),
                Some("define the anchor with `&name` before the alias, in the same document"),
            );
            return Stop;
        } else {
            readable(info)
        };
        self.error(Code::SyntaxError, span, message, hint);
        Stop
    }
}

impl Reader<'_, '_> {
    /// The opening bracket, between the last event and `to`, that nests deeper than the depth
    /// limit (found by a light scan of the flow text that saphyr was looking ahead over).
    fn crossing_bracket(&self, to: usize) -> Option<usize> {
        let bytes = self.source.text.as_bytes();
        let mut depth = self.stack.len();
        let mut i = self.last_end;
        while i < to {
            match bytes.get(i)? {
                b'[' | b'{' => {
                    depth += 1;
                    if depth > limits::MAX_DEPTH {
                        return Some(i);
                    }
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                b'"' => {
                    i += 1;
                    while i < to && bytes.get(i) != Some(&b'"') {
                        i += if bytes.get(i) == Some(&b'\\') { 2 } else { 1 };
                    }
                }
                b'\'' => {
                    i += 1;
                    while i < to && bytes.get(i) != Some(&b'\'') {
                        i += 1;
                    }
                }
                b'#' => {
                    while i < to && bytes.get(i) != Some(&b'\n') {
                        i += 1;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        None
    }
}

/// Turns a `saphyr` error text into a message (without a position, which diagnostics carry)
/// and a hint for the common mistakes.
fn readable(info: &str) -> (String, Option<&'static str>) {
    let info = match info.find(" at line ").or_else(|| info.find(" at byte ")) {
        Some(cut) => info.get(..cut).unwrap_or(info),
        None => info,
    };
    let tab_hint = Some("indent with spaces: YAML does not allow tabs for indentation");
    let (message, hint) = match info {
        "mapping values are not allowed in this context" => (
            "a `:` that starts a value is not allowed here",
            Some("check the indentation, or put the value in quotes if it contains `: `"),
        ),
        "while parsing a block mapping, did not find expected key" => (
            "expected a `key: value` line at this indentation",
            Some("check the indentation of this line and the one before"),
        ),
        "while parsing a block collection, did not find expected '-' indicator" => (
            "expected a `- ` list item at this indentation",
            Some("check the indentation of this line and the one before"),
        ),
        "while parsing a flow sequence, expected ',' or ']'" => {
            ("expected `,` or `]` in this list", None)
        }
        "while parsing a flow mapping, did not find expected ',' or '}'" => {
            ("expected `,` or `}` in this mapping", None)
        }
        "while scanning a quoted scalar, found unexpected end of stream" => {
            ("unterminated quoted string", Some("add the closing quote"))
        }
        "did not find expected <document start>" => (
            "unexpected text after the end of the document",
            Some("check the indentation of this line"),
        ),
        "unexpected eof" => ("unexpected end of input", None),
        "invalid indentation in quoted scalar" => (
            info,
            Some("check that this quoted string has its closing quote"),
        ),
        other if other.contains("tab") => (other, tab_hint),
        other => (other, None),
    };
    (message.to_string(), hint)
}

/// What a tag asks for.
enum TagKind<'t> {
    /// No tag.
    None,
    /// The non-specific `!`: a string for a scalar.
    NonSpecific,
    /// A YAML core schema tag (`!!name`), by name.
    Core(&'t str),
    /// Any other tag, as written.
    Other(String),
}

fn classify(tag: Option<&Tag>) -> TagKind<'_> {
    let Some(tag) = tag else {
        return TagKind::None;
    };
    if tag.handle.is_empty() && tag.suffix == "!" {
        return TagKind::NonSpecific;
    }
    if tag.handle == CORE_TAG_PREFIX {
        return TagKind::Core(&tag.suffix);
    }
    if tag.handle.is_empty() {
        if let Some(name) = tag.suffix.strip_prefix(CORE_TAG_PREFIX) {
            return TagKind::Core(name);
        }
        return TagKind::Other(format!("!<{}>", tag.suffix));
    }
    if tag.handle == "!" {
        return TagKind::Other(format!("!{}", tag.suffix));
    }
    TagKind::Other(format!("!<{}{}>", tag.handle, tag.suffix))
}

fn add_missing(members: &mut Members, entries: Vec<Entry>) {
    for entry in entries {
        if members.key_span(&entry.key.name).is_none() {
            members.push(entry);
        }
    }
}

/// The core schema value of a plain scalar, or `None` for a string.
fn core_value(text: &str) -> Option<Value> {
    let value = match text {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Value::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => Value::Float(f64::NAN),
        _ => {
            if !text.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '-' | '+' | '.')) {
                return None;
            }
            return int_value(text).or_else(|| float_value(text));
        }
    };
    Some(value)
}

/// A core schema integer: decimal with an optional sign, `0o` octal or `0x` hex. One that does
/// not fit `i64` is a float.
fn int_value(text: &str) -> Option<Value> {
    let (digits, radix) = if let Some(hex) = text.strip_prefix("0x") {
        (hex, 16)
    } else if let Some(octal) = text.strip_prefix("0o") {
        (octal, 8)
    } else {
        (text.strip_prefix(['-', '+']).unwrap_or(text), 10)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    if radix == 10 {
        return Some(match text.parse::<i64>() {
            Ok(i) => Value::Int(i),
            Err(_) => Value::Float(text.parse::<f64>().unwrap_or(f64::NAN)),
        });
    }
    Some(match i64::from_str_radix(digits, radix) {
        Ok(i) => Value::Int(i),
        Err(_) => Value::Float(
            digits
                .chars()
                .filter_map(|c| c.to_digit(radix))
                .fold(0.0, |acc, d| acc * f64::from(radix) + f64::from(d)),
        ),
    })
}

/// A core schema float: `[-+]? ( \.[0-9]+ | [0-9]+ ( \.[0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`.
fn float_value(text: &str) -> Option<Value> {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (unsigned.get(..at)?, Some(unsigned.get(at + 1..)?)),
        None => (unsigned, None),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((whole, fraction)) => {
            all_digits(whole) && all_digits(fraction) && !(whole.is_empty() && fraction.is_empty())
        }
        None => !mantissa.is_empty() && all_digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let digits = e.strip_prefix(['-', '+']).unwrap_or(e);
        !digits.is_empty() && all_digits(digits)
    });
    if !mantissa_ok || !exponent_ok {
        return None;
    }
    text.parse::<f64>().ok().map(Value::Float)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;
    use proptest::prelude::*;

    fn read(text: &str) -> (Option<Node>, Vec<Diagnostic>) {
        let source = Source::new(text);
        let mut diagnostics = Vec::new();
        let node = parse(&source, &mut diagnostics);
        (node, diagnostics)
    }

    /// Reads text that must give a tree without any diagnostic.
    fn clean(text: &str) -> Node {
        let (node, diagnostics) = read(text);
        assert!(diagnostics.is_empty(), "{text:?}: {diagnostics:#?}");
        node.expect("a tree")
    }

    /// The only diagnostic of a text, as (code, line, column, message).
    fn only(text: &str) -> (Code, usize, usize, String) {
        let (_, diagnostics) = read(text);
        assert_eq!(diagnostics.len(), 1, "{text:?}: {diagnostics:#?}");
        let d = &diagnostics[0];
        (d.code, d.line, d.column, d.message.clone())
    }

    fn position(text: &str, span: Span) -> (usize, usize) {
        let p = Source::new(text).position(span.start);
        (p.line, p.column)
    }

    fn covered(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    #[test]
    fn a_nested_key_and_value_have_their_line_and_column() {
        let text = "specforge: 1\nentities:\n  Book:\n    fields:\n      title: { type: string }\n";
        let node = clean(text);
        let book = &node
            .get("entities")
            .and_then(Node::as_map)
            .expect("entities")[0];
        assert_eq!(book.key.name, "Book");
        assert_eq!(position(text, book.key.span), (3, 3));
        assert_eq!(position(text, book.value.span), (4, 5));
        let title = &book
            .value
            .get("fields")
            .and_then(Node::as_map)
            .expect("fields")[0];
        assert_eq!(position(text, title.key.span), (5, 7));
        assert_eq!(position(text, title.value.span), (5, 14));
        assert_eq!(covered(text, title.value.span), "{ type: string }");
        let ty = title.value.get("type").expect("type");
        assert_eq!(position(text, ty.span), (5, 22));
        assert_eq!(covered(text, ty.span), "string");
    }

    #[test]
    fn scalars_are_resolved_with_the_core_schema() {
        let cases: &[(&str, Value)] = &[
            ("null", Value::Null),
            ("Null", Value::Null),
            ("NULL", Value::Null),
            ("~", Value::Null),
            ("", Value::Null),
            ("true", Value::Bool(true)),
            ("True", Value::Bool(true)),
            ("TRUE", Value::Bool(true)),
            ("false", Value::Bool(false)),
            ("FALSE", Value::Bool(false)),
            ("0", Value::Int(0)),
            ("-12", Value::Int(-12)),
            ("+7", Value::Int(7)),
            ("0o17", Value::Int(15)),
            ("0x1F", Value::Int(31)),
            ("9223372036854775807", Value::Int(i64::MAX)),
            (
                "9223372036854775808",
                Value::Float(9_223_372_036_854_775_808.0),
            ),
            (
                "0x10000000000000000",
                Value::Float(18_446_744_073_709_551_616.0),
            ),
            ("1.5", Value::Float(1.5)),
            ("-.5", Value::Float(-0.5)),
            ("1.", Value::Float(1.0)),
            ("1e3", Value::Float(1000.0)),
            ("2.5E-1", Value::Float(0.25)),
            (".inf", Value::Float(f64::INFINITY)),
            ("-.inf", Value::Float(f64::NEG_INFINITY)),
            ("yes", Value::Str("yes".into())),
            ("no", Value::Str("no".into())),
            ("on", Value::Str("on".into())),
            ("off", Value::Str("off".into())),
            ("1_000", Value::Str("1_000".into())),
            ("0x", Value::Str("0x".into())),
            (".", Value::Str(".".into())),
            ("1.2.3", Value::Str("1.2.3".into())),
            ("e3", Value::Str("e3".into())),
            ("\"12\"", Value::Str("12".into())),
            ("'true'", Value::Str("true".into())),
            ("\"\"", Value::Str(String::new())),
            ("|\n  12\n", Value::Str("12\n".into())),
            (">-\n  null\n", Value::Str("null".into())),
        ];
        for (written, expected) in cases {
            let text = format!("v: {written}");
            let node = clean(&text);
            assert_eq!(node.get("v").map(|n| &n.value), Some(expected), "{written}");
        }
        let nan = clean("v: .nan");
        assert!(matches!(nan.get("v").map(|n| &n.value), Some(Value::Float(f)) if f.is_nan()));
    }

    #[test]
    fn core_tags_convert_scalars_and_the_non_specific_tag_makes_a_string() {
        let node = clean(
            "a: !!str 12\nb: !!int \"12\"\nc: !!float 3\nd: !!bool \"true\"\ne: !!null ''\n\
             f: ! 12\ng: !<tag:yaml.org,2002:int> '5'\nh: !!map {x: 1}\n",
        );
        let value = |k: &str| node.get(k).map(|n| n.value.clone());
        assert_eq!(value("a"), Some(Value::Str("12".into())));
        assert_eq!(value("b"), Some(Value::Int(12)));
        assert_eq!(value("c"), Some(Value::Float(3.0)));
        assert_eq!(value("d"), Some(Value::Bool(true)));
        assert_eq!(value("e"), Some(Value::Null));
        assert_eq!(value("f"), Some(Value::Str("12".into())));
        assert_eq!(value("g"), Some(Value::Int(5)));
        assert!(node.get("h").and_then(|h| h.get("x")).is_some());
        let a = node.get("a").expect("a");
        assert_eq!(covered("a: !!str 12", a.span), "12");
    }

    #[test]
    fn a_value_that_does_not_fit_its_tag_is_a_syntax_error() {
        let text = "a: 1\nb: !!int twelve\n";
        let (node, diagnostics) = read(text);
        assert_eq!(diagnostics.len(), 1);
        let d = &diagnostics[0];
        assert_eq!((d.code, d.line, d.column), (Code::SyntaxError, 2, 10));
        assert_eq!(d.message, "`twelve` is not a valid `!!int` value");
        assert_eq!(d.path, "/b");
        assert_eq!(
            node.and_then(|n| n.get("b").cloned()).map(|n| n.value),
            Some(Value::Str("twelve".into()))
        );

        let (code, line, column, message) = only("a: !!str [1]");
        assert_eq!((code, line, column), (Code::SyntaxError, 1, 10));
        assert_eq!(message, "the tag `!!str` cannot be used on a list");
    }

    #[test]
    fn an_unknown_tag_is_a_warning_and_the_value_is_read_without_it() {
        let text = "a: !custom 12\n";
        let (node, diagnostics) = read(text);
        assert_eq!(diagnostics.len(), 1);
        let d = &diagnostics[0];
        assert_eq!(d.severity, Severity::Warning);
        assert_eq!(
            (d.code, d.line, d.column),
            (Code::UnsupportedConstruct, 1, 12)
        );
        assert!(d.message.contains("`!custom`"), "{}", d.message);
        assert_eq!(
            node.and_then(|n| n.get("a").cloned()).map(|n| n.value),
            Some(Value::Int(12))
        );
    }

    #[test]
    fn scalar_keys_keep_their_written_text() {
        let node = clean("1: one\ntrue: yes\n\"quoted key\": q\n~: n\n0x1F: h\n");
        let names: Vec<&str> = node
            .as_map()
            .expect("map")
            .iter()
            .map(|e| e.key.name.as_str())
            .collect();
        assert_eq!(names, ["1", "true", "quoted key", "~", "0x1F"]);
        let text = "a:\n  \"quoted key\": q\n";
        let node = clean(text);
        let entry = &node.get("a").and_then(Node::as_map).expect("a")[0];
        assert_eq!(covered(text, entry.key.span), "\"quoted key\"");
        assert_eq!(position(text, entry.key.span), (2, 3));
    }

    #[test]
    fn a_mapping_used_as_a_key_is_a_syntax_error_and_its_entry_is_skipped() {
        let text = "a: 1\n? [x, y]\n: 2\nb: 3\n";
        let (node, diagnostics) = read(text);
        assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
        let d = &diagnostics[0];
        assert_eq!((d.code, d.line, d.column), (Code::SyntaxError, 2, 3));
        assert_eq!(
            d.message,
            "keys must be plain values, not mappings or lists"
        );
        let names: Vec<String> = node
            .and_then(|n| {
                n.as_map()
                    .map(|m| m.iter().map(|e| e.key.name.clone()).collect())
            })
            .expect("map");
        assert_eq!(names, ["a", "b"]);
    }

    #[test]
    fn every_duplicate_key_is_reported_at_the_second_key_and_the_first_value_is_kept() {
        let text = "name: a\nentities:\n  Book: {}\n  Book: 2\nname: b\n";
        let (node, diagnostics) = read(text);
        assert_eq!(diagnostics.len(), 2, "{diagnostics:#?}");
        let d = &diagnostics[0];
        assert_eq!((d.code, d.line, d.column), (Code::DuplicateKey, 4, 3));
        assert_eq!(d.path, "/entities/Book");
        assert_eq!(d.hint.as_deref(), Some("first defined at line 3, column 3"));
        let d = &diagnostics[1];
        assert_eq!((d.code, d.line, d.column), (Code::DuplicateKey, 5, 1));
        assert_eq!(d.path, "/name");
        assert_eq!(d.hint.as_deref(), Some("first defined at line 1, column 1"));
        let node = node.expect("still read");
        assert_eq!(node.get("name").and_then(Node::as_str), Some("a"));
        let book = node
            .get("entities")
            .and_then(|e| e.get("Book"))
            .expect("Book");
        assert_eq!(book.as_map().map(<[Entry]>::len), Some(0));
    }

    #[test]
    fn aliases_are_copies_whose_root_has_the_alias_span() {
        let text = "base: &b\n  type: string\n  max: 3\nx: *b\ny: [*b]\nn: &n 5\nm: *n\n";
        let node = clean(text);
        let base = node.get("base").expect("base");
        let x = node.get("x").expect("x");
        assert_eq!(x.value, base.value);
        assert_eq!(covered(text, x.span), "*b");
        assert_eq!(position(text, x.span), (4, 4));
        // Inside the copy, the spans are those of the anchored text.
        assert_eq!(
            x.get("type").map(|t| t.span),
            base.get("type").map(|t| t.span)
        );
        assert_eq!(covered(text, base.span), "type: string\n  max: 3");
        assert_eq!(node.get("m").map(|m| &m.value), Some(&Value::Int(5)));
        let n = node.get("n").expect("n");
        assert_eq!(covered(text, n.span), "5");
    }

    #[test]
    fn an_alias_bomb_fails_fast_with_limit_exceeded_at_the_alias_that_crosses_the_budget() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for level in 1..9 {
            let prev = format!("*a{}", level - 1);
            let items = [prev.as_str(); 9].join(", ");
            text.push_str(&format!("a{level}: &a{level} [{items}]\n"));
        }
        let started = std::time::Instant::now();
        let (node, diagnostics) = read(&text);
        assert!(started.elapsed().as_secs() < 2);
        assert!(node.is_none());
        assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
        let d = &diagnostics[0];
        assert_eq!(d.code, Code::LimitExceeded);
        assert!(d.message.contains("alias expansion"), "{}", d.message);
        // a1..a4 expand to 90 + 819 + 7371 + 66339 nodes; the first `*a4` of a5 crosses.
        assert_eq!((d.line, d.column), (6, 10));
        assert_eq!(d.path, "/a5/0");
    }

    #[test]
    fn aliases_of_a_long_string_fail_once_they_copy_more_text_than_the_limit() {
        let long = "x".repeat(10_000);
        let text = format!("s: &s \"{long}\"\nl: [{}]\n", ["*s"; 500].join(", "));
        let (node, diagnostics) = read(&text);
        assert!(node.is_none());
        assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
        let d = &diagnostics[0];
        assert_eq!(d.code, Code::LimitExceeded);
        assert!(d.message.contains("bytes of text"), "{}", d.message);
        // Each copy is 10,000 bytes: the 420th crosses 4 MiB.
        let crossing = limits::MAX_SOURCE_BYTES / long.len() + 1;
        assert_eq!((d.line, d.column), (2, 5 + 4 * (crossing - 1)));
        assert_eq!(d.path, format!("/l/{}", crossing - 1));
    }

    #[test]
    fn anchors_nested_in_anchors_cannot_hold_more_than_the_limit() {
        let long = "x".repeat(1_000_000);
        let text = format!("a: &a [&b [&c [&d [&e \"{long}\"]]]]\n");
        let (code, line, column, message) = only(&text);
        assert_eq!((code, line, column), (Code::LimitExceeded, 1, 7));
        assert!(message.contains("anchored values"), "{message}");
    }

    #[test]
    fn an_alias_to_an_unknown_anchor_is_a_syntax_error() {
        let (code, line, column, message) = only("a: 1\nb: [1, *nope]\n");
        assert_eq!((code, line, column), (Code::SyntaxError, 2, 8));
        assert_eq!(
            message,
            "the alias `*nope` refers to an anchor that is not defined"
        );
    }

    #[test]
    fn an_alias_inside_its_own_anchored_node_is_a_syntax_error() {
        let (code, line, column, message) = only("a: &x\n  b: *x\n");
        assert_eq!((code, line, column), (Code::SyntaxError, 2, 6));
        assert_eq!(message, "the alias `*x` is inside the node it refers to");
    }

    #[test]
    fn merge_keys_add_the_missing_entries_and_explicit_keys_win() {
        let text = "base: &base {type: string, max: 3}\nmore: &more {max: 9, min: 1, unique: true}\n\
                    f:\n  <<: [*base, *more]\n  max: 5\n";
        let node = clean(text);
        let f = node.get("f").expect("f");
        let names: Vec<&str> = f
            .as_map()
            .expect("map")
            .iter()
            .map(|e| e.key.name.as_str())
            .collect();
        assert_eq!(names, ["max", "type", "min", "unique"]);
        assert_eq!(f.get("max").map(|n| &n.value), Some(&Value::Int(5)));

        let node = clean("a: &a {x: 1}\nb:\n  y: 2\n  <<: *a\n");
        assert_eq!(
            node.get("b").and_then(|b| b.get("x")).map(|n| &n.value),
            Some(&Value::Int(1))
        );

        let (code, line, column, message) = only("a:\n  <<: 3\n");
        assert_eq!((code, line, column), (Code::SyntaxError, 2, 7));
        assert_eq!(
            message,
            "a merge key `<<` takes a mapping or a list of mappings"
        );

        // A quoted `<<` is an ordinary key.
        let node = clean("\"<<\": 3\n");
        assert_eq!(node.get("<<").map(|n| &n.value), Some(&Value::Int(3)));
    }

    #[test]
    fn nesting_deeper_than_the_limit_is_refused_at_the_node_that_crosses_it() {
        let ok = format!(
            "{}{}",
            "[".repeat(limits::MAX_DEPTH),
            "]".repeat(limits::MAX_DEPTH)
        );
        clean(&ok);

        let deep = "[".repeat(100_000);
        let (node, diagnostics) = read(&deep);
        assert!(node.is_none());
        assert_eq!(diagnostics.len(), 1);
        let d = &diagnostics[0];
        assert_eq!(
            (d.code, d.line, d.column),
            (Code::LimitExceeded, 1, limits::MAX_DEPTH + 1)
        );

        let mut block = String::new();
        for level in 0..70 {
            block.push_str(&format!("{}k{level}:\n", "  ".repeat(level)));
        }
        let (code, line, column, message) = only(&block);
        assert_eq!((code, line, column), (Code::LimitExceeded, 65, 129));
        assert!(message.contains("depth"), "{message}");

        // Through an alias: 40 levels anchored, used 40 levels deep.
        let nested = format!("{}1{}", "[".repeat(40), "]".repeat(40));
        let text = format!(
            "a: &a {nested}\nb: {}*a{}\n",
            "[".repeat(39),
            "]".repeat(39)
        );
        let (code, line, column, _) = only(&text);
        assert_eq!((code, line, column), (Code::LimitExceeded, 2, 43));
    }

    #[test]
    fn a_second_document_is_a_syntax_error_at_its_start() {
        let text = "a: 1\n---\nb: 2\n";
        let (node, diagnostics) = read(text);
        assert_eq!(diagnostics.len(), 1);
        let d = &diagnostics[0];
        assert_eq!((d.code, d.line, d.column), (Code::SyntaxError, 2, 1));
        assert_eq!(d.message, "only one document is allowed");
        assert_eq!(
            node.and_then(|n| n.get("a").map(|a| a.value.clone())),
            Some(Value::Int(1))
        );

        let (code, line, column, _) = only("a: 1\n...\nb: 2\n");
        assert_eq!((code, line, column), (Code::SyntaxError, 3, 1));
        // A document start marker before the only document is fine.
        clean("---\na: 1\n...\n");
    }

    #[test]
    fn empty_input_and_comments_only_are_a_null_document() {
        for text in ["", "# just a comment\n\n", "\u{FEFF}"] {
            let node = clean(text);
            assert_eq!(node, Node::new(Value::Null, Span::new(0, 0)), "{text:?}");
        }
    }

    #[test]
    fn scanner_errors_are_one_syntax_error_at_their_place() {
        let cases: &[(&str, usize, usize, &str)] = &[
            (
                "a:\n\t- 1\n",
                2,
                2,
                "tabs disallowed within this context (block indentation)",
            ),
            ("a: \"open\n", 1, 4, "unterminated quoted string"),
            (
                "a: \"open\nb: 2\n",
                1,
                4,
                "invalid indentation in quoted scalar",
            ),
            (
                "a: b: c\n",
                1,
                5,
                "a `:` that starts a value is not allowed here",
            ),
            ("a: [1, 2\n", 2, 1, "expected `,` or `]` in this list"),
            (
                "a:\n  b: 1\n c: 2\n",
                3,
                2,
                "expected a `key: value` line at this indentation",
            ),
            (
                "x: 1\n  y: 2\n",
                2,
                4,
                "a `:` that starts a value is not allowed here",
            ),
        ];
        for (text, line, column, message) in cases {
            let (node, diagnostics) = read(text);
            assert!(node.is_none(), "{text:?}");
            assert_eq!(diagnostics.len(), 1, "{text:?}: {diagnostics:#?}");
            let d = &diagnostics[0];
            assert_eq!(d.code, Code::SyntaxError, "{text:?}");
            assert_eq!(
                (d.line, d.column, d.message.as_str()),
                (*line, *column, *message),
                "{text:?}"
            );
            assert!(!d.message.contains(" at line"), "{}", d.message);
        }
        let (_, diagnostics) = read("a:\n\t- 1\n");
        assert_eq!(
            diagnostics[0].hint.as_deref(),
            Some("indent with spaces: YAML does not allow tabs for indentation")
        );
    }

    #[test]
    fn columns_count_characters_of_unicode_text_before_an_error() {
        let (code, line, column, _) = only("é😀: [ü, ö\n");
        assert_eq!((code, line, column), (Code::SyntaxError, 2, 1));
        let (code, line, column, _) = only("名前: 1\n名前: 2\n");
        assert_eq!((code, line, column), (Code::DuplicateKey, 2, 1));
        let (code, line, column, _) = only("ä: ü: x\n");
        assert_eq!((code, line, column), (Code::SyntaxError, 1, 5));
        let text = "é: \"ü\"\nnext: 名前\n";
        let node = clean(text);
        let next = node.get("next").expect("next");
        assert_eq!(position(text, next.span), (2, 7));
        assert_eq!(covered(text, next.span), "名前");
    }

    #[test]
    fn crlf_line_endings_give_the_right_lines_and_columns() {
        let text = "a: 1\r\nb:\r\n  c: \"x\"\r\n  d: |\r\n    text\r\n";
        let node = clean(text);
        let b = node.get("b").expect("b");
        let c = b.get("c").expect("c");
        assert_eq!(position(text, c.span), (3, 6));
        assert_eq!(covered(text, c.span), "\"x\"");
        let d = b.get("d").expect("d");
        assert_eq!(d.as_str(), Some("text\n"));
        assert_eq!(covered(text, d.span), "text");
        let (code, line, column, _) = only("a: 1\r\na: 2\r\n");
        assert_eq!((code, line, column), (Code::DuplicateKey, 2, 1));
    }

    #[test]
    fn a_byte_order_mark_does_not_shift_positions() {
        let text = "\u{FEFF}a: 1\nb: x\n";
        let node = clean(text);
        let a = &node.as_map().expect("map")[0];
        assert_eq!(covered(text, a.key.span), "a");
        assert_eq!(covered(text, node.get("b").expect("b").span), "x");
    }

    #[test]
    fn marker_character_indexes_agree_with_lines_and_columns() {
        let text =
            "# é comment 😀\nkey é: [ü, \"ö\", {k: v}] # ü\nlist:\n  - 名前\n  - ? x\n    : y\n";
        let source = Source::new(text);
        let offsets = CharOffsets::new(text);
        let mut parser = Parser::new_from_str(text);
        let mut seen = 0;
        while let Some(Ok((_, span))) = parser.next_event() {
            for marker in [span.start, span.end] {
                let by_index = offsets.byte(marker.index());
                let by_line = source.lines.offset_of(text, marker.line(), marker.col());
                assert_eq!(by_index, by_line, "{marker:?}");
                seen += 1;
            }
        }
        assert!(seen > 20);
    }

    #[test]
    fn empty_values_are_null_with_an_empty_span() {
        let text = "a:\nb: &x\nc: [1, ]\n";
        let node = clean(text);
        let a = node.get("a").expect("a");
        assert!(a.is_null());
        assert!(a.span.is_empty());
        assert_eq!(position(text, a.span), (1, 2));
        let b = node.get("b").expect("b");
        assert!(b.is_null());
        assert_eq!(position(text, b.span), (2, 6));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_text_never_panics(text in prop_oneof![
            any::<String>(),
            "[-:\\[\\]{}#&*!|>'\"?<,.~ \n\tab01\u{e9}]{0,48}",
        ]) {
            let source = Source::new(&text);
            let mut diagnostics = Vec::new();
            let node = parse(&source, &mut diagnostics);
            prop_assert!(node.is_some() || diagnostics.iter().any(Diagnostic::is_error));
        }
    }
}
