//! Reading: the event stream of `saphyr` into mappings and lists on an explicit stack, with the
//! budgets of nodes, nesting and alias expansion.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Tag};

use crate::diagnostic::{Code, Diagnostic, Source, pointer};
use crate::formats::mapping::Members;
use crate::limits;
use crate::node::{Key, Node, Value};
use crate::span::Span;

use super::offsets::CharOffsets;
use super::resolve::{TagKind, classify_tag};
use super::{ReadResult, Stopped};

/// What a tree holds, for the budgets of alias expansion and anchor copies.
#[derive(Clone, Copy, Default)]
pub(super) struct TreeSize {
    /// Nodes, the root included.
    pub(super) nodes: usize,
    /// Bytes of text in its scalars and keys.
    pub(super) bytes: usize,
}

impl TreeSize {
    pub(super) fn add(&mut self, other: TreeSize) {
        self.nodes = self.nodes.saturating_add(other.nodes);
        self.bytes = self.bytes.saturating_add(other.bytes);
    }

    /// Whether adding `other` stays within `nodes` nodes and `bytes` bytes.
    pub(super) fn fits(self, other: TreeSize, nodes: usize, bytes: usize) -> bool {
        self.nodes.saturating_add(other.nodes) <= nodes
            && self.bytes.saturating_add(other.bytes) <= bytes
    }
}

/// A node that has been read completely, on its way to its parent.
pub(super) struct BuiltNode {
    pub(super) node: Node,
    pub(super) size: TreeSize,
    /// Nesting of mappings and lists inside (0 for a scalar, 1 for a list of scalars).
    pub(super) height: usize,
    /// The written text, for a scalar (what it is called when used as a key).
    pub(super) key: Option<KeyText>,
}

#[derive(Clone)]
pub(super) struct KeyText {
    pub(super) name: String,
    /// Whether this is the plain, untagged `<<` merge key.
    pub(super) merge: bool,
}

/// An anchored node, kept for its aliases.
pub(super) struct AnchoredNode {
    pub(super) node: Node,
    pub(super) size: TreeSize,
    pub(super) height: usize,
    pub(super) key: Option<KeyText>,
}

/// What comes next in a mapping being read.
pub(super) enum MappingSlot {
    /// A key.
    Key,
    /// The value of this key.
    Value(Key),
    /// A value to read and drop (its key, kept for paths, was repeated or not a plain value).
    Skip(Option<String>),
    /// The value of a `<<` merge key.
    Merge,
}

pub(super) struct MappingFrame {
    pub(super) members: Members,
    pub(super) slot: MappingSlot,
    /// Values of `<<` keys, merged when the mapping ends.
    pub(super) merges: Vec<Node>,
    /// Where the `<<` key was written, to report a repeated one.
    pub(super) merge_key: Option<Span>,
}

pub(super) enum FrameKind {
    Seq(Vec<Node>),
    Map(MappingFrame),
}

/// A mapping or list being read.
pub(super) struct Frame {
    pub(super) kind: FrameKind,
    pub(super) start: usize,
    /// End of what has been read of it so far.
    pub(super) end: usize,
    /// Whether it is written with brackets (it then ends at its closing bracket).
    flow: bool,
    pub(super) anchor: usize,
    pub(super) size: TreeSize,
    /// Height of its highest child.
    pub(super) child_height: usize,
}

pub(super) struct Reader<'s, 'd> {
    pub(super) source: &'s Source<'s>,
    pub(super) offsets: CharOffsets<'s>,
    pub(super) diagnostics: &'d mut Vec<Diagnostic>,
    pub(super) stack: Vec<Frame>,
    pub(super) anchors: HashMap<usize, AnchoredNode>,
    pub(super) root: Option<Node>,
    /// Nodes created so far, alias copies included, against `limits::MAX_NODES`.
    pub(super) nodes: usize,
    /// What alias expansion has added: nodes against `limits::MAX_ALIAS_EXPANSION`, text
    /// against `limits::MAX_SOURCE_BYTES` (so one long anchored string cannot be copied
    /// a hundred thousand times).
    pub(super) expanded: TreeSize,
    /// What the kept copies of anchored nodes hold: nodes against `limits::MAX_NODES`, text
    /// against `limits::MAX_SOURCE_BYTES` (anchors nested in anchors are copied once each).
    pub(super) stored: TreeSize,
    /// Byte offset where the last event ended.
    pub(super) last_end: usize,
}

impl Reader<'_, '_> {
    pub(super) fn run(&mut self) -> ReadResult<Node> {
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
                    self.open(FrameKind::Seq(Vec::new()), anchor, tag.as_deref(), span)?;
                }
                Event::MappingStart(anchor, tag) => {
                    let map = MappingFrame {
                        members: Members::default(),
                        slot: MappingSlot::Key,
                        merges: Vec::new(),
                        merge_key: None,
                    };
                    self.open(FrameKind::Map(map), anchor, tag.as_deref(), span)?;
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
    pub(super) fn char_span(&self, at: usize) -> Span {
        let text = self.source.text;
        let len = text
            .get(at..)
            .and_then(|s| s.chars().next())
            .map_or(0, char::len_utf8);
        Span::new(at, at + len)
    }

    /// JSON Pointer of the node that the innermost open mapping or list is waiting for.
    pub(super) fn path(&self) -> String {
        let mut path = String::new();
        for frame in &self.stack {
            match &frame.kind {
                FrameKind::Seq(items) => path = pointer(&path, &items.len().to_string()),
                FrameKind::Map(map) => match &map.slot {
                    MappingSlot::Value(key) => path = pointer(&path, &key.name),
                    MappingSlot::Merge => path = pointer(&path, "<<"),
                    MappingSlot::Skip(Some(name)) => path = pointer(&path, name),
                    MappingSlot::Key | MappingSlot::Skip(None) => {}
                },
            }
        }
        path
    }

    pub(super) fn error(&mut self, code: Code, span: Span, message: String, hint: Option<&str>) {
        let mut diagnostic = self.source.error(code, span, self.path(), message);
        if let Some(hint) = hint {
            diagnostic = diagnostic.with_hint(hint);
        }
        self.diagnostics.push(diagnostic);
    }

    pub(super) fn limit(&mut self, span: Span, message: String) -> Stopped {
        self.error(Code::LimitExceeded, span, message, None);
        Stopped
    }

    fn count_nodes(&mut self, added: usize, span: Span) -> ReadResult<()> {
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
                kind: FrameKind::Map(MappingFrame {
                    slot: MappingSlot::Key,
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
    ) -> ReadResult<()> {
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
        let size = TreeSize {
            nodes: 1,
            bytes: text.len(),
        };
        let value = self.resolve(text, style, tag, span);
        let node = Node::new(value, span);
        if anchor != 0 {
            self.store_anchor(anchor, &node, size, 0, key.clone())?;
        }
        self.deliver(BuiltNode {
            node,
            size,
            height: 0,
            key,
        })
    }

    fn alias(&mut self, id: usize, raw: saphyr_parser::Span) -> ReadResult<()> {
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
            return Err(Stopped);
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
            return Err(Stopped);
        };
        let mut node = anchored.node.clone();
        node.span = span;
        let key = anchored.key.as_ref().map(|k| KeyText {
            name: k.name.clone(),
            merge: false,
        });
        self.deliver(BuiltNode {
            node,
            size,
            height,
            key,
        })
    }

    fn open(
        &mut self,
        kind: FrameKind,
        anchor: usize,
        tag: Option<&Tag>,
        raw: saphyr_parser::Span,
    ) -> ReadResult<()> {
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
            FrameKind::Seq(_) => (true, "a list"),
            FrameKind::Map(_) => (false, "a mapping"),
        };
        match classify_tag(tag) {
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
            size: TreeSize { nodes: 1, bytes: 0 },
            child_height: 0,
        });
        Ok(())
    }

    fn close(&mut self, raw: saphyr_parser::Span) -> ReadResult<()> {
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
            FrameKind::Seq(items) => Value::Seq(items),
            FrameKind::Map(map) => {
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
        self.deliver(BuiltNode {
            node,
            size: frame.size,
            height,
            key: None,
        })
    }
}
