//! Translation of the blocks into the specification tree: the document and its sections (title,
//! roles, enums); the entity sections are in `entities.rs`.

use std::collections::HashMap;

use crate::diagnostic::{Code, Diagnostic, Source, pointer};
use crate::limits;
use crate::names::snake_case;
use crate::node::{Entry, Key, Node, Value};
use crate::span::Span;

use super::blocks::{Block, BlockKind, DeclaredSection, ListItem, grow, reduced};
use super::text::{
    LineGroup, SourceSlice, clean_name, is_comment, item_value, line_groups, shorten,
};
use super::vocabulary::{Section, classify_heading};

/// The entries of a mapping being built, with the first span of each key.
#[derive(Default)]
pub(super) struct MapBuilder {
    pub(super) entries: Vec<Entry>,
    /// Filled only once the map is large; small maps (almost all of them) are searched.
    pub(super) index: HashMap<String, Span>,
}

impl MapBuilder {
    const INDEXED: usize = 16;

    pub(super) fn first(&self, key: &str) -> Option<Span> {
        if self.entries.len() < Self::INDEXED {
            self.entries
                .iter()
                .find(|e| e.key.name == key)
                .map(|e| e.key.span)
        } else {
            self.index.get(key).copied()
        }
    }

    pub(super) fn push(&mut self, key: &str, span: Span, value: Node) {
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
pub(super) struct Prose {
    pub(super) text: String,
    pub(super) span: Option<Span>,
}

impl Prose {
    pub(super) fn push(&mut self, text: &str, span: Span) {
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

pub(super) struct RolesSection {
    pub(super) key: Span,
    pub(super) span: Span,
    pub(super) items: Vec<Node>,
    seen: HashMap<String, Span>,
    written: usize,
}

#[derive(Default)]
pub(super) struct EntityParts {
    pub(super) description: Prose,
    pub(super) fields: Vec<Entry>,
    pub(super) relations: Vec<Entry>,
    pub(super) table: Option<Span>,
    pub(super) names: HashMap<String, Span>,
    pub(super) lines: MapBuilder,
}

/// Column indices of a fields table.
#[derive(Default)]
pub(super) struct FieldColumns {
    pub(super) field: Option<usize>,
    pub(super) ty: Option<usize>,
    pub(super) constraints: Option<usize>,
    pub(super) description: Option<usize>,
    pub(super) unknown: Vec<(String, Span)>,
}

pub(super) struct Translator<'s, 'a> {
    pub(super) source: &'s Source<'a>,
    pub(super) src: &'a str,
    pub(super) diagnostics: &'s mut Vec<Diagnostic>,
    nodes: usize,
    limit_at: Option<Span>,
    first_heading: Option<Span>,
    pub(super) title: Option<(String, Span)>,
    name_line: Option<(Span, String, Span)>,
    pub(super) description: Prose,
    pub(super) roles: Option<RolesSection>,
    pub(super) enums: Vec<Entry>,
    enum_names: HashMap<String, Span>,
    enums_span: Option<Span>,
    pub(super) entities: Vec<Entry>,
    entity_names: HashMap<String, Span>,
    pub(super) entities_span: Option<Span>,
}

impl<'s, 'a> Translator<'s, 'a> {
    pub(super) fn new(source: &'s Source<'a>, diagnostics: &'s mut Vec<Diagnostic>) -> Self {
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
    pub(super) fn leaf(&mut self, value: Value, span: Span) -> Node {
        self.nodes += 1;
        if self.nodes > limits::MAX_NODES && self.limit_at.is_none() {
            self.limit_at = Some(span);
        }
        Node::new(value, span)
    }

    pub(super) fn full(&self) -> bool {
        self.limit_at.is_some()
    }

    pub(super) fn str(&mut self, text: impl Into<String>, span: Span) -> Node {
        self.leaf(Value::Str(text.into()), span)
    }

    pub(super) fn is_content(&self, block: &Block<'_>) -> bool {
        !(block.kind == BlockKind::Html && is_comment(self.src, block.span))
    }

    pub(super) fn trimmed(&self, span: Span) -> Span {
        SourceSlice::new(self.src, span).trim().span()
    }

    pub(super) fn first_defined(&self, span: Span) -> String {
        format!("first defined at {}", self.source.describe(span))
    }

    /// Adds `key: value` to `map`, reporting a second use of the key as `duplicate_key`.
    pub(super) fn put(
        &mut self,
        map: &mut MapBuilder,
        key: &str,
        key_span: Span,
        value: Node,
        path: &str,
    ) {
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

    pub(super) fn document(&mut self, blocks: &[Block<'a>]) {
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
            .map_or(SourceSlice::point(self.src, heading.span.start), |s| {
                SourceSlice::new(self.src, s)
            })
            .trim();
        let label = format!("{} {}", "#".repeat(level), shorten(text.text()));
        let end = body
            .last()
            .map_or(heading_span.end, |b| self.trimmed(b.span).end);
        let span = Span::new(heading_span.start, end);
        match classify_heading(text) {
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
        text: SourceSlice<'a>,
        body: &[Block<'a>],
        label: &str,
    ) {
        let title = reduced(&heading.pieces, heading.text.unwrap_or(text.span()));
        self.title = Some((title, text.span()));
        for block in body {
            match block.kind {
                BlockKind::Paragraph => {
                    for group in line_groups(self.src, block.span, &["name"], false) {
                        match group {
                            LineGroup::Prose(span) => {
                                let t = reduced(&block.pieces, span);
                                self.description.push(&t, span);
                            }
                            LineGroup::Label {
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
                                    let (value, span) = clean_name(rest);
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

    fn item_slice(&self, item: &ListItem) -> SourceSlice<'a> {
        item.text
            .map_or(SourceSlice::point(self.src, item.span.start), |s| {
                SourceSlice::new(self.src, s)
            })
            .trim()
    }

    fn roles(&mut self, text: SourceSlice<'a>, body: &[Block<'a>], span: Span, label: &str) {
        let mut roles = self.roles.take().unwrap_or_else(|| RolesSection {
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
                        let (name, name_span) = clean_name(value);
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
    pub(super) fn declare(
        &mut self,
        kind: DeclaredSection,
        heading: Span,
        name: SourceSlice<'a>,
        label: &str,
    ) -> Option<(String, Span, String)> {
        let (root, noun, example, duplicate) = match kind {
            DeclaredSection::Enum => ("/enums", "enum", "## Enum: BookStatus", Code::DuplicateEnum),
            DeclaredSection::Entity => (
                "/entities",
                "entity",
                "## Entity: Book",
                Code::DuplicateEntity,
            ),
        };
        let (name, name_span) = clean_name(name);
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
            DeclaredSection::Enum => &mut self.enum_names,
            DeclaredSection::Entity => &mut self.entity_names,
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
        name: SourceSlice<'a>,
        body: &[Block<'a>],
        span: Span,
        label: &str,
    ) {
        if self.enums.len() > limits::MAX_ENUMS {
            return;
        }
        let Some((name, name_span, path)) =
            self.declare(DeclaredSection::Enum, heading, name, label)
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
                        let (value, value_span) = clean_name(value);
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
                entries.push(Entry::new("description", prose_span, description));
            }
            entries.push(Entry::new("values", values_span, values));
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

    pub(super) fn finish(mut self) -> Option<Node> {
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
        let mut root = vec![Entry::new(
            "specforge",
            first,
            Node::new(Value::Int(1), first),
        )];
        if let Some((title, title_span)) = self.title.take() {
            let name = match self.name_line.take() {
                Some((label, value, span)) => Entry::new("name", label, Node::str(value, span)),
                None => Entry::new(
                    "name",
                    title_span,
                    Node::str(snake_case(&title), title_span),
                ),
            };
            root.push(name);
            root.push(Entry::new(
                "title",
                title_span,
                Node::str(title, title_span),
            ));
        }
        if let Some(span) = self.description.span {
            let text = std::mem::take(&mut self.description.text);
            root.push(Entry::new("description", span, Node::str(text, span)));
        }
        if let Some(roles) = self.roles.take() {
            let seq = Node::new(Value::Seq(roles.items), roles.span);
            let auth = Node::new(
                Value::Map(vec![Entry::new("roles", roles.key, seq)]),
                roles.span,
            );
            root.push(Entry::new("auth", roles.key, auth));
        }
        if let Some(span) = self.enums_span {
            let enums = std::mem::take(&mut self.enums);
            let key = enums.first().map_or(span, |e| e.key.span);
            root.push(Entry::new("enums", key, Node::new(Value::Map(enums), span)));
        }
        if let Some(span) = self.entities_span {
            let entities = std::mem::take(&mut self.entities);
            let key = entities.first().map_or(span, |e| e.key.span);
            root.push(Entry::new(
                "entities",
                key,
                Node::new(Value::Map(entities), span),
            ));
        }
        Some(Node::new(Value::Map(root), Span::new(0, self.src.len())))
    }
}
