//! Reading: the top-level blocks of the document (headings, paragraphs, lists, tables), with
//! the spans the translation needs, from the CommonMark events.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag};

use crate::span::Span;

/// Which kind of named section a heading declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum DeclaredSection {
    Enum,
    Entity,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum BlockKind {
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

    pub(super) fn describe(self) -> &'static str {
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
pub(super) struct ProsePiece<'a> {
    pub(super) text: CowStr<'a>,
    pub(super) span: Span,
}

#[derive(Debug)]
pub(super) struct ListItem {
    pub(super) span: Span,
    /// The item's own text (its first paragraph), without the bullet.
    pub(super) text: Option<Span>,
    /// The first block nested in the item (a sub-list, a second paragraph, ...).
    pub(super) nested: Option<Span>,
    paragraph: bool,
}

#[derive(Debug)]
pub(super) struct TableRow {
    pub(super) span: Span,
    pub(super) cells: Vec<Span>,
}

#[derive(Debug)]
pub(super) struct Block<'a> {
    pub(super) kind: BlockKind,
    pub(super) span: Span,
    /// Headings and paragraphs: the span of their inline content.
    pub(super) text: Option<Span>,
    /// Headings, paragraphs and table cells: their text with the markup taken out, in source
    /// order (a cell's text is found by its span).
    pub(super) pieces: Vec<ProsePiece<'a>>,
    pub(super) items: Vec<ListItem>,
    /// Tables: the header row first.
    pub(super) rows: Vec<TableRow>,
    /// While inside content nested in a list item: the depth where it started.
    skip: Option<usize>,
}

pub(super) fn grow(slot: &mut Option<Span>, span: Span) {
    *slot = Some(slot.map_or(span, |s| s.to(span)));
}

impl<'a> Block<'a> {
    pub(super) fn new(kind: BlockKind, span: Span) -> Self {
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
                        self.items.push(ListItem {
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
                    self.rows.push(TableRow {
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
                    self.pieces.push(ProsePiece { text, span });
                }
            }
            BlockKind::List => {
                if let Some(item) = self.items.last_mut() {
                    grow(&mut item.text, span);
                }
            }
            BlockKind::Table => {
                if let Some(text) = text {
                    self.pieces.push(ProsePiece { text, span });
                }
            }
            _ => {}
        }
    }
}

/// Reads the top-level blocks of the document. The walk is iterative, so deeply nested input
/// costs no stack.
pub(super) fn read_blocks(text: &str) -> Vec<Block<'_>> {
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

pub(super) fn reduced(pieces: &[ProsePiece<'_>], within: Span) -> String {
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
