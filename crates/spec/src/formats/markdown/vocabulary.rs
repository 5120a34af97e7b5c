//! The words of the convention: constraint words, `List:` parts, entity labels, and the
//! section headings.

use super::text::{SourceSlice, leading_words, shorten};

#[derive(Clone, Copy, Debug)]
pub(super) enum Constraint {
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

pub(super) const CONSTRAINTS: &[(&[&str], Constraint)] = &[
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
pub(super) enum ListPart {
    Filters,
    Sort,
    PageSize,
}

pub(super) const LIST_PARTS: &[(&[&str], ListPart)] = &[
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
pub(super) const ENTITY_LABELS: &[&str] = &["list", "permissions", "operations", "timestamps"];

/// Types whose `min`/`max` constrain the length.
pub(super) const STRING_TYPES: &[&str] = &["string", "text", "email", "url"];

pub(super) const FIELDS_HEADER_HINT: &str = "start the table with the header \
     `| Field | Type | Constraints |` (a `Description` column is optional)";

pub(super) enum Section<'a> {
    Roles,
    Enum(SourceSlice<'a>),
    Entity(SourceSlice<'a>),
    Other(Option<String>),
}

pub(super) fn classify_heading(text: SourceSlice<'_>) -> Section<'_> {
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
