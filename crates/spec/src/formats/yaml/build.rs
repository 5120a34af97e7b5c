//! Building: delivering each node read to its parent mapping or list, mapping keys and
//! duplicate keys, anchors kept for their aliases, and `<<` merge keys.

use crate::diagnostic::{Code, pointer};
use crate::formats::mapping::{Members, duplicate_key};
use crate::limits;
use crate::node::{Entry, Key, Node, Value};
use crate::span::Span;

use super::ReadResult;
use super::reader::{
    AnchoredNode, BuiltNode, Frame, FrameKind, KeyText, MappingSlot, Reader, TreeSize,
};

impl Reader<'_, '_> {
    /// Keeps a copy of an anchored node for its aliases.
    pub(super) fn store_anchor(
        &mut self,
        anchor: usize,
        node: &Node,
        size: TreeSize,
        height: usize,
        key: Option<KeyText>,
    ) -> ReadResult<()> {
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
            AnchoredNode {
                node,
                size,
                height,
                key,
            },
        );
        Ok(())
    }

    /// Adds the entries of the `<<` values that the mapping does not have yet.
    pub(super) fn merge(&mut self, members: &mut Members, merges: Vec<Node>) {
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
    pub(super) fn deliver(&mut self, built: BuiltNode) -> ReadResult<()> {
        let Some(frame) = self.stack.last_mut() else {
            if self.root.is_none() {
                self.root = Some(built.node);
            }
            return Ok(());
        };
        frame.end = frame.end.max(built.node.span.end);
        let map = match &mut frame.kind {
            FrameKind::Seq(items) => {
                frame.size.add(built.size);
                frame.child_height = frame.child_height.max(built.height);
                items.push(built.node);
                return Ok(());
            }
            FrameKind::Map(map) => map,
        };
        match std::mem::replace(&mut map.slot, MappingSlot::Key) {
            MappingSlot::Value(key) => {
                frame.size.add(built.size);
                frame.size.bytes = frame.size.bytes.saturating_add(key.name.len());
                frame.child_height = frame.child_height.max(built.height);
                map.members.push(Entry {
                    key,
                    value: built.node,
                });
            }
            MappingSlot::Merge => {
                frame.size.add(built.size);
                frame.child_height = frame.child_height.max(built.height);
                map.merges.push(built.node);
            }
            MappingSlot::Skip(_) => {}
            MappingSlot::Key => self.key(built),
        }
        Ok(())
    }

    /// Takes `built` as the next key of the innermost mapping (which is waiting for a key).
    pub(super) fn key(&mut self, built: BuiltNode) {
        let span = built.node.span;
        let Some(KeyText { name, merge }) = built.key else {
            self.error(
                Code::SyntaxError,
                span,
                "keys must be plain values, not mappings or lists".to_string(),
                None,
            );
            self.set_slot(MappingSlot::Skip(None));
            return;
        };
        let first = match self.stack.last() {
            Some(Frame {
                kind: FrameKind::Map(map),
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
            self.set_slot(MappingSlot::Skip(Some(name)));
        } else if merge {
            if let Some(Frame {
                kind: FrameKind::Map(map),
                ..
            }) = self.stack.last_mut()
            {
                map.merge_key = Some(span);
            }
            self.set_slot(MappingSlot::Merge);
        } else {
            self.set_slot(MappingSlot::Value(Key { name, span }));
        }
    }

    fn set_slot(&mut self, slot: MappingSlot) {
        if let Some(Frame {
            kind: FrameKind::Map(map),
            ..
        }) = self.stack.last_mut()
        {
            map.slot = slot;
        }
    }
}

fn add_missing(members: &mut Members, entries: Vec<Entry>) {
    for entry in entries {
        if members.key_span(&entry.key.name).is_none() {
            members.push(entry);
        }
    }
}
