//! Translation of an `## Entity:` section: its prose, its fields table (types, relations,
//! constraints, defaults) and its `List:`, `Permissions:`, `Operations:` and `Timestamps:` lines.

use crate::diagnostic::{Code, pointer};
use crate::limits;
use crate::node::{Entry, Key, Node, Value};
use crate::span::Span;

use super::blocks::{Block, BlockKind, DeclaredSection, ProsePiece, TableRow, grow, reduced};
use super::text::{
    LineGroup, SourceSlice, bool_word, clean_name, generic_item, line_groups, match_phrase, number,
    relation_arrow, shorten, split_top, strip_code, unescape_pipe,
};
use super::translate::{EntityParts, FieldColumns, MapBuilder, Translator};
use super::vocabulary::{
    CONSTRAINTS, Constraint, ENTITY_LABELS, FIELDS_HEADER_HINT, LIST_PARTS, ListPart, STRING_TYPES,
};

impl<'a> Translator<'_, 'a> {
    pub(super) fn entity(
        &mut self,
        heading: Span,
        name: SourceSlice<'a>,
        body: &[Block<'a>],
        span: Span,
        label: &str,
    ) {
        if self.entities.len() > limits::MAX_ENTITIES {
            return;
        }
        let Some((name, name_span, path)) =
            self.declare(DeclaredSection::Entity, heading, name, label)
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
                    for group in line_groups(self.src, block.span, ENTITY_LABELS, true) {
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
            entries.push(Entry::new("description", prose_span, description));
        }
        let table = parts.table.unwrap_or(name_span);
        if !parts.fields.is_empty() {
            let fields = self.leaf(Value::Map(parts.fields), table);
            entries.push(Entry::new("fields", table, fields));
        }
        if !parts.relations.is_empty() {
            let relations = self.leaf(Value::Map(parts.relations), table);
            entries.push(Entry::new("relations", table, relations));
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
        pieces: &[ProsePiece<'_>],
        group: LineGroup<'a>,
        path: &str,
        parts: &mut EntityParts,
    ) {
        match group {
            LineGroup::Prose(span) => {
                let text = reduced(pieces, span);
                parts.description.push(&text, span);
            }
            LineGroup::Label { index, label, rest } => {
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

    fn columns(&mut self, header: &TableRow) -> FieldColumns {
        let mut columns = FieldColumns::default();
        for (index, cell) in header.cells.iter().enumerate() {
            let (name, span) = clean_name(SourceSlice::new(self.src, *cell));
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
            let raw = SourceSlice::new(self.src, row.span).trim();
            if !raw.text().contains('|') {
                // GFM continues a table with any line that follows it, so a `List:` line or
                // prose written right under the table arrives here as a row.
                for group in line_groups(self.src, raw.span(), ENTITY_LABELS, true) {
                    self.entity_group(&block.pieces, group, path, parts);
                }
                continue;
            }
            self.field_row(row, &block.pieces, &columns, entity, path, parts);
        }
    }

    fn cell(&self, row: &TableRow, index: Option<usize>) -> SourceSlice<'a> {
        let row_end = SourceSlice::new(self.src, row.span).trim().end;
        let Some(&cell) = index.and_then(|i| row.cells.get(i)) else {
            return SourceSlice::point(self.src, row_end);
        };
        if cell.is_empty() {
            return SourceSlice::point(self.src, row_end);
        }
        let trimmed = SourceSlice::new(self.src, cell).trim();
        if trimmed.is_empty() {
            SourceSlice::point(self.src, cell.start)
        } else {
            trimmed
        }
    }

    fn field_row(
        &mut self,
        row: &TableRow,
        pieces: &[ProsePiece<'_>],
        columns: &FieldColumns,
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
        let (name, name_span) = clean_name(name_cell);
        let blank = name.is_empty()
            && type_cell.is_empty()
            && constraints.is_none_or(|c| c.is_empty())
            && description.as_ref().is_none_or(|(d, _)| d.is_empty());
        if blank {
            return;
        }
        let (type_text, _) = strip_code(type_cell);
        let relation = relation_arrow(type_text);
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
                let (to, to_span) = clean_name(target);
                let to = self.str(to, to_span);
                self.put(&mut map, "to", to_span, to, &entry_path);
                let kind = self.str(kind, arrow_span);
                self.put(&mut map, "kind", arrow_span, kind, &entry_path);
                false
            }
            None => {
                let (ty, ty_span) = clean_name(type_cell);
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

    fn number_node(&mut self, arg: SourceSlice<'_>, key_span: Span) -> Node {
        if arg.is_empty() {
            return self.leaf(Value::Null, key_span);
        }
        let (text, span) = clean_name(arg);
        let value = number(&text).unwrap_or(Value::Str(text));
        self.leaf(value, span)
    }

    fn constraint(
        &mut self,
        item: SourceSlice<'a>,
        string_like: bool,
        map: &mut MapBuilder,
        path: &str,
    ) {
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
                    let (text, span) = clean_name(arg);
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
                    let (text, span) = clean_name(arg);
                    self.str(text.split_whitespace().collect::<Vec<_>>().join("_"), span)
                };
                ("on_delete", value)
            }
            Constraint::MappedBy => {
                let value = if arg.is_empty() {
                    self.leaf(Value::Null, key_span)
                } else {
                    let (text, span) = clean_name(arg);
                    self.str(text, span)
                };
                ("mapped_by", value)
            }
        };
        self.put(map, key, key_span, value, path);
    }

    fn default_node(&mut self, arg: SourceSlice<'_>, key_span: Span) -> Node {
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
    fn generic_entry(
        &mut self,
        item: SourceSlice<'_>,
        join: bool,
        map: &mut MapBuilder,
        path: &str,
    ) {
        let g = generic_item(item, join);
        let value = match g.value {
            Some((text, span)) => self.str(unescape_pipe(&text), span),
            None => self.leaf(Value::Bool(true), g.key_span),
        };
        self.put(map, &g.key, g.key_span, value, path);
    }

    pub(super) fn names(&mut self, s: SourceSlice<'_>) -> Node {
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
            let (name, span) = clean_name(part);
            let node = self.str(name, span);
            items.push(node);
        }
        self.leaf(Value::Seq(items), s.span())
    }

    fn list_line(&mut self, rest: SourceSlice<'a>, path: &str) -> Node {
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

    fn permissions_line(&mut self, rest: SourceSlice<'a>, path: &str) -> Node {
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
                    let (operation, key_span) = clean_name(part.sub(0, colon));
                    let roles = self.names(part.from(colon + 1));
                    self.put(&mut map, &operation, key_span, roles, path);
                }
                None => self.generic_entry(part, false, &mut map, path),
            }
        }
        self.leaf(Value::Map(map.entries), rest.span())
    }

    fn timestamps(&mut self, rest: SourceSlice<'_>, label: Span) -> Node {
        if rest.is_empty() {
            return self.leaf(Value::Null, label);
        }
        let (word, span) = clean_name(rest);
        let value = bool_word(&word).map_or(Value::Str(word), Value::Bool);
        self.leaf(value, span)
    }
}
