use proptest::prelude::*;

use crate::diagnostic::Severity;
use crate::node::{Entry, Value};

use super::text::{bool_word, number};
use super::*;

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

const LIBRARY: &str = include_str!("../../../../../examples/library.md");

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
    let text = entity_doc("| title | string | requird, read only, maximum 5, check: price > 0 |\n");
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
    let text = "# Bookstore API\n\nIntro with `code` and **bold**.\nName: `shop_api`\n\nMore.\n";
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
    let (tree, _) =
        read("# S\n\n## Entity: A\n\nTimestamps: yes\n\n## Entity: B\n\nTimestamps: sometimes\n");
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
    let text =
        "# Shop\n\n## Entity: Item\n\n### Fields\n\n| Field | Type |\n|---|---|\n| a | string |\n";
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
