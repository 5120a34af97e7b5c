//! One test (at least) per diagnostic code, asserting code, line and column.

use specforge_spec::{Code, Format, Severity, analyze, analyze_bytes, limits};

use super::{clean, expect, yaml};

const HEAD: &str = "specforge: 1\nname: shop\n";

fn spec(body: &str) -> String {
    format!("{HEAD}{body}")
}

#[test]
fn a_minimal_specification_is_valid_without_diagnostics() {
    let a = yaml(&spec(
        "entities:\n  Product:\n    fields:\n      title: string\n",
    ));
    clean(&a);
    assert_eq!(a.summary.entities, 1);
    assert_eq!(a.summary.fields, 1);
}

#[test]
fn yaml_syntax_errors_point_at_the_problem() {
    let a = yaml("specforge: 1\nname: shop\nentities:\n  Product:\n    fields: [a, b\n");
    let d = expect(&a, Code::SyntaxError, 6, 1);
    assert_eq!(d.severity, Severity::Error);
    assert!(!a.valid);
}

#[test]
fn json_syntax_errors_point_at_the_problem() {
    let a = analyze(
        "{\n  \"specforge\": 1,\n  \"name\": \"shop\",\n}\n",
        Format::Json,
    );
    expect(&a, Code::SyntaxError, 3, 17);
}

#[test]
fn a_duplicate_key_is_reported_at_the_second_key() {
    let a = yaml(
        "specforge: 1\nname: shop\ntitle: A\ntitle: B\nentities:\n  P:\n    fields:\n      a: string\n",
    );
    let d = expect(&a, Code::DuplicateKey, 4, 1);
    assert!(d.hint.unwrap_or_default().contains("line 3"));
}

#[test]
fn a_document_over_the_size_limit_is_refused() {
    let big = vec![b' '; limits::MAX_SOURCE_BYTES + 1];
    let a = analyze_bytes(&big, Some("big.yaml"), None);
    expect(&a, Code::LimitExceeded, 1, 1);
}

#[test]
fn an_alias_bomb_is_stopped_by_the_expansion_limit() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..9 {
        let p = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let a = yaml(&text);
    assert!(
        a.diagnostics.iter().any(|d| d.code == Code::LimitExceeded),
        "{:?}",
        a.diagnostics
    );
    assert!(!a.valid);
}

#[test]
fn nesting_beyond_the_depth_limit_is_refused() {
    let text = format!(
        "{}{}",
        "[".repeat(limits::MAX_DEPTH + 10),
        "]".repeat(limits::MAX_DEPTH + 10)
    );
    let a = analyze(&text, Format::Json);
    assert!(
        a.diagnostics
            .iter()
            .any(|d| d.code == Code::LimitExceeded && d.line == 1)
    );
}

#[test]
fn too_many_entities_are_refused_at_the_first_one_over() {
    let mut text = spec("entities:\n");
    for i in 0..=limits::MAX_ENTITIES {
        text.push_str(&format!("  E{i}:\n    fields:\n      a: string\n"));
    }
    let a = yaml(&text);
    // Entity number MAX_ENTITIES (0-based) starts at line 4 + 3 * MAX_ENTITIES.
    expect(&a, Code::LimitExceeded, 4 + 3 * limits::MAX_ENTITIES, 3);
}

#[test]
fn too_many_fields_in_one_entity_are_refused() {
    let mut text = spec("entities:\n  Wide:\n    fields:\n");
    for i in 0..=limits::MAX_FIELDS_PER_ENTITY {
        text.push_str(&format!("      f{i}: string\n"));
    }
    expect(&yaml(&text), Code::LimitExceeded, 4, 3);
}

#[test]
fn a_missing_format_version_is_reported_at_the_start() {
    let a = yaml("name: shop\nentities:\n  P:\n    fields:\n      a: string\n");
    let d = expect(&a, Code::MissingVersion, 1, 1);
    assert!(d.hint.unwrap_or_default().contains("specforge: 1"));
}

#[test]
fn an_unsupported_format_version_is_reported_at_its_value() {
    let a = yaml("specforge: 2\nname: shop\n");
    expect(&a, Code::UnsupportedVersion, 1, 12);
    assert_eq!(
        a.diagnostics.len(),
        1,
        "nothing else is checked under an unknown version"
    );
}

#[test]
fn missing_required_keys_are_reported() {
    let a = yaml("specforge: 1\n");
    let name = a
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::MissingKey)
        .count();
    assert_eq!(name, 2, "name and entities: {:?}", a.diagnostics);
    expect(&a, Code::MissingKey, 1, 1);
    let a = yaml(&spec(
        "entities:\n  P:\n    fields:\n      a: { required: true }\n    relations:\n      b: { kind: many_to_one }\n",
    ));
    expect(&a, Code::MissingKey, 6, 7);
    expect(&a, Code::MissingKey, 8, 7);
}

#[test]
fn an_unknown_key_gets_a_did_you_mean() {
    let a = yaml(&spec(
        "entities:\n  P:\n    fields:\n      a: { type: string, requird: true }\n",
    ));
    let d = expect(&a, Code::UnknownKey, 6, 26);
    assert_eq!(d.hint.as_deref(), Some("did you mean `required`?"));
    assert_eq!(d.path, "/entities/P/fields/a/requird");
    let a = yaml(&spec("entites:\n  P:\n    fields:\n      a: string\n"));
    let d = expect(&a, Code::UnknownKey, 3, 1);
    assert_eq!(d.hint.as_deref(), Some("did you mean `entities`?"));
}

#[test]
fn a_value_of_the_wrong_kind_is_reported() {
    let a = yaml(&spec("entities:\n  P:\n    fields: [a, b]\n"));
    expect(&a, Code::InvalidValue, 5, 13);
    let a = yaml(&spec(
        "entities:\n  P:\n    fields:\n      a: string\n    relations:\n      q: { to: P, kind: many_to_few }\n",
    ));
    let d = expect(&a, Code::InvalidValue, 8, 25);
    assert_eq!(d.hint.as_deref(), Some("did you mean `many_to_one`?"));
}

#[test]
fn an_unknown_type_gets_a_hint() {
    let a = yaml(&spec(
        "entities:\n  P:\n    fields:\n      a: strng\n      b: { type: int }\n      c: P\n",
    ));
    let d = expect(&a, Code::UnknownType, 6, 10);
    assert_eq!(d.hint.as_deref(), Some("did you mean `string`?"));
    let d = expect(&a, Code::UnknownType, 7, 18);
    assert_eq!(d.hint.as_deref(), Some("did you mean `integer`?"));
    let d = expect(&a, Code::UnknownType, 8, 10);
    assert!(d.hint.unwrap_or_default().contains("is an entity"));
}

#[test]
fn a_relation_to_an_unknown_entity_gets_a_hint() {
    let a = yaml(&spec(
        "entities:\n  Author:\n    fields:\n      name: string\n  Book:\n    fields:\n      title: string\n    relations:\n      author: { to: Autor }\n",
    ));
    let d = expect(&a, Code::UnknownEntity, 11, 21);
    assert_eq!(d.hint.as_deref(), Some("did you mean `Author`?"));
}

#[test]
fn a_permission_for_an_unknown_role_is_reported() {
    let a = yaml(&spec(
        "auth:\n  roles: [admin, editor]\nentities:\n  P:\n    fields:\n      a: string\n    permissions: { delete: [admin, editr] }\n",
    ));
    let d = expect(&a, Code::UnknownRole, 9, 36);
    assert_eq!(d.hint.as_deref(), Some("did you mean `editor`?"));
}

#[test]
fn a_filter_on_an_unknown_field_is_reported() {
    let a = yaml(&spec(
        "entities:\n  P:\n    fields:\n      status: string\n    list: { filters: [statu] }\n",
    ));
    let d = expect(&a, Code::UnknownFilterField, 7, 23);
    assert_eq!(d.hint.as_deref(), Some("did you mean `status`?"));
}

#[test]
fn a_sort_on_an_unknown_field_is_reported() {
    let a = yaml(&spec(
        "entities:\n  P:\n    fields:\n      title: string\n      meta: json\n    list: { sort: [title, titel, meta] }\n",
    ));
    expect(&a, Code::UnknownSortField, 8, 27);
    let d = expect(&a, Code::UnknownSortField, 8, 34);
    assert!(d.hint.unwrap_or_default().contains("json"));
}

const AUTHOR_BOOK: &str = "entities:\n  Author:\n    fields:\n      name: string\n    relations:\n      books: { to: Book, kind: one_to_many, mapped_by: MAPPED }\n  Book:\n    fields:\n      title: string\n    relations:\n      writer: { to: Author, kind: many_to_one }\n      topic: { to: Topic }\n  Topic:\n    fields:\n      label: string\n";

#[test]
fn mapped_by_that_points_nowhere_is_reported() {
    let a = yaml(&spec(&AUTHOR_BOOK.replace("MAPPED", "writr")));
    let d = expect(&a, Code::UnknownMappedBy, 8, 56);
    assert_eq!(d.hint.as_deref(), Some("did you mean `writer`?"));
}

#[test]
fn mapped_by_that_disagrees_is_reported() {
    let a = yaml(&spec(&AUTHOR_BOOK.replace("MAPPED", "topic")));
    let d = expect(&a, Code::MappedByMismatch, 8, 56);
    assert!(d.message.contains("not back to `Author`"), "{}", d.message);
}

#[test]
fn mapped_by_that_agrees_pairs_both_sides() {
    let a = yaml(&spec(&AUTHOR_BOOK.replace("MAPPED", "writer")));
    clean(&a);
    let model = a.model.expect("valid");
    let author = model.entity("Author").expect("Author");
    let books = author.relation("books").expect("books");
    assert_eq!(books.inverse.as_deref(), Some("writer"));
    assert!(!books.owner);
    let writer = model
        .entity("Book")
        .and_then(|b| b.relation("writer"))
        .expect("writer");
    assert_eq!(writer.inverse.as_deref(), Some("books"));
    assert!(writer.owner);
    assert_eq!(a.summary.relations, 2);
}

#[test]
fn a_duplicate_entity_is_reported() {
    let a = yaml(&spec(
        "entities:\n  P:\n    fields:\n      a: string\n  P:\n    fields:\n      b: string\n",
    ));
    let d = expect(&a, Code::DuplicateEntity, 7, 3);
    assert!(d.hint.unwrap_or_default().contains("line 4"));
}

#[test]
fn a_duplicate_field_is_reported() {
    let a = yaml(&spec(
        "entities:\n  P:\n    fields:\n      a: string\n      a: text\n",
    ));
    expect(&a, Code::DuplicateField, 7, 7);
    // A field and a relation with one name.
    let a = yaml(&spec(
        "entities:\n  P:\n    fields:\n      owner: string\n    relations:\n      owner: P\n",
    ));
    expect(&a, Code::DuplicateField, 8, 7);
}

#[test]
fn a_duplicate_enum_is_reported() {
    let a = yaml(&spec(
        "enums:\n  S: [a]\n  S: [b]\nentities:\n  P:\n    fields:\n      s: S\n",
    ));
    expect(&a, Code::DuplicateEnum, 5, 3);
}

#[test]
fn a_duplicate_enum_value_is_reported() {
    let a = yaml(&spec(
        "enums:\n  S: [draft, live, draft]\nentities:\n  P:\n    fields:\n      s: S\n",
    ));
    expect(&a, Code::DuplicateEnumValue, 4, 20);
}

#[test]
fn a_duplicate_role_is_reported() {
    let a = yaml(&spec(
        "auth:\n  roles: [admin, admin]\nentities:\n  P:\n    fields:\n      s: string\n",
    ));
    expect(&a, Code::DuplicateRole, 4, 18);
}

#[test]
fn names_that_collide_once_normalised_are_reported() {
    let a = yaml(&spec(
        "entities:\n  P:\n    fields:\n      userName: string\n      user_name: string\n",
    ));
    let d = expect(&a, Code::NameCollision, 7, 7);
    assert!(d.message.contains("user_name"));
    // Entities, and a relation's foreign-key column against a field.
    let a = yaml(&spec(
        "entities:\n  OrderLine:\n    fields:\n      a: string\n  order_line:\n    fields:\n      b: string\n  Q:\n    fields:\n      owner_id: string\n    relations:\n      owner: OrderLine\n",
    ));
    expect(&a, Code::NameCollision, 7, 3);
    expect(&a, Code::NameCollision, 14, 7);
}

#[test]
fn names_that_cannot_be_identifiers_are_reported() {
    let a = yaml(&spec(
        "entities:\n  P:\n    fields:\n      \"\": string\n      1st: string\n      \"a.b\": string\n",
    ));
    expect(&a, Code::InvalidName, 6, 7);
    expect(&a, Code::InvalidName, 7, 7);
    expect(&a, Code::InvalidName, 8, 7);
}

#[test]
fn names_over_63_bytes_are_reported() {
    let long = "a".repeat(64);
    let a = yaml(&spec(&format!(
        "entities:\n  P:\n    fields:\n      {long}: string\n"
    )));
    let d = expect(&a, Code::NameTooLong, 6, 7);
    assert!(d.message.contains("64 bytes"));
}

#[test]
fn an_implicit_field_redeclared_with_another_type_is_reported() {
    let a = yaml(&spec(
        "entities:\n  P:\n    fields:\n      id: integer\n      created_at: { type: datetime, description: When }\n",
    ));
    expect(&a, Code::ReservedField, 6, 11);
    assert_eq!(
        a.diagnostics
            .iter()
            .filter(|d| d.code == Code::ReservedField)
            .count(),
        1
    );
}

#[test]
fn a_constraint_that_does_not_fit_the_type_is_reported() {
    let a = yaml(&spec(
        "entities:\n  P:\n    fields:\n      n: { type: integer, max_length: 3 }\n",
    ));
    let d = expect(&a, Code::InapplicableConstraint, 6, 27);
    assert!(d.message.contains("max_length"));
}

#[test]
fn a_lower_bound_above_its_upper_bound_is_reported() {
    let a = yaml(&spec(
        "entities:\n  P:\n    fields:\n      n: { type: integer, min: 10, max: 1 }\n      s: { type: string, min_length: 5, max_length: 2 }\n      d: { type: decimal, precision: 4, scale: 6 }\n",
    ));
    expect(&a, Code::InvalidRange, 6, 32);
    expect(&a, Code::InvalidRange, 7, 38);
    expect(&a, Code::InvalidRange, 8, 48);
}

#[test]
fn an_invalid_regular_expression_is_reported() {
    let a = yaml(&spec(
        "entities:\n  P:\n    fields:\n      code: { type: string, pattern: \"^[A-Z\" }\n",
    ));
    expect(&a, Code::InvalidPattern, 6, 38);
}

#[test]
fn a_default_that_does_not_fit_is_reported() {
    let a = yaml(&spec(
        "enums:\n  S: [draft, live]\nentities:\n  P:\n    fields:\n      s: { type: S, default: drafty }\n      n: { type: integer, default: abc }\n      d: { type: date, default: \"2023-02-30\" }\n",
    ));
    let d = expect(&a, Code::InvalidDefault, 8, 30);
    assert_eq!(d.hint.as_deref(), Some("did you mean `draft`?"));
    expect(&a, Code::InvalidDefault, 9, 36);
    expect(&a, Code::InvalidDefault, 10, 33);
}

#[test]
fn set_null_on_a_required_relation_is_reported() {
    let a = yaml(&spec(
        "entities:\n  A:\n    fields:\n      a: string\n  B:\n    fields:\n      b: string\n    relations:\n      a: { to: A, required: true, on_delete: set_null }\n",
    ));
    expect(&a, Code::InvalidOnDelete, 11, 46);
}

#[test]
fn an_enum_without_values_is_reported() {
    let a = yaml(&spec(
        "enums:\n  S: []\nentities:\n  P:\n    fields:\n      s: string\n",
    ));
    expect(&a, Code::EmptyEnum, 4, 6);
}

#[test]
fn an_entity_without_fields_is_a_warning_only() {
    let a = yaml(&spec(
        "entities:\n  Marker: {}\n  P:\n    fields:\n      s: string\n",
    ));
    let d = expect(&a, Code::EmptyEntity, 4, 3);
    assert_eq!(d.severity, Severity::Warning);
    assert!(a.valid);
    assert!(a.model.is_some());
}

#[test]
fn required_many_to_one_cycles_are_reported_once() {
    let a = yaml(&spec(
        "entities:\n  A:\n    fields:\n      x: string\n    relations:\n      b: { to: B, required: true }\n  B:\n    fields:\n      y: string\n    relations:\n      a: { to: A, required: true }\n  Node:\n    fields:\n      z: string\n    relations:\n      parent: { to: Node, required: true }\n",
    ));
    let d = expect(&a, Code::RequiredCycle, 8, 7);
    assert!(
        d.message.contains("`A.b` -> `B`") && d.message.contains("`B.a` -> `A`"),
        "{}",
        d.message
    );
    expect(&a, Code::RequiredCycle, 18, 7);
    assert_eq!(
        a.diagnostics
            .iter()
            .filter(|d| d.code == Code::RequiredCycle)
            .count(),
        2
    );
}

#[test]
fn an_openapi_construct_without_an_equivalent_is_a_warning() {
    let text = "openapi: 3.1.0\ninfo: { title: Shop, version: '1' }\npaths:\n  /x: {}\ncomponents:\n  schemas:\n    P:\n      type: object\n      properties:\n        a: { type: string }\n";
    let a = yaml(text);
    assert_eq!(a.format, Format::Openapi);
    let d = expect(&a, Code::UnsupportedConstruct, 3, 1);
    assert_eq!(d.severity, Severity::Warning);
    assert!(a.valid);
}

#[test]
fn every_problem_is_reported_at_once_in_source_order() {
    let a = yaml(&spec(
        "entities:\n  P:\n    fields:\n      a: strng\n      b: { type: string, requird: true }\n    relations:\n      c: Nowhere\n",
    ));
    let codes: Vec<Code> = a.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        [Code::UnknownType, Code::UnknownKey, Code::UnknownEntity]
    );
}

/// Every code must be asserted somewhere in this file.
#[test]
fn every_diagnostic_code_has_a_test() {
    let this_file = include_str!("diagnostics.rs");
    for code in Code::ALL {
        let needle = format!("Code::{code:?},");
        assert!(this_file.contains(&needle), "no test asserts {needle}");
    }
}

#[test]
fn other_spellings_of_implicit_fields_collide_with_them() {
    let a = yaml(&spec(
        "entities:\n  P:\n    fields:\n      createdAt: string\n      ID: integer\n    relations:\n      updated_at: P\n",
    ));
    expect(&a, Code::NameCollision, 6, 7);
    expect(&a, Code::NameCollision, 7, 7);
    expect(&a, Code::NameCollision, 9, 7);
}

#[test]
fn an_implicit_field_restated_with_more_than_a_description_is_reported() {
    let a = yaml(&spec(
        "entities:\n  P:\n    fields:\n      id: { type: uuid, description: Key, unique: false }\n      a: string\n",
    ));
    let d = expect(&a, Code::ReservedField, 6, 43);
    assert!(d.message.contains("`unique`"));
}

#[test]
fn entities_without_a_value_are_reported() {
    let a = yaml(&spec("entities:\n"));
    expect(&a, Code::InvalidValue, 3, 1);
}

#[test]
fn a_fractional_format_version_is_shown_as_written() {
    let a = yaml("specforge: 1.0\nname: shop\n");
    let d = expect(&a, Code::UnsupportedVersion, 1, 12);
    assert_eq!(d.message, "format version `1.0` is not supported");
}

#[test]
fn permissions_must_name_roles_and_offered_operations() {
    let a = yaml(&spec(
        "auth:\n  roles: [admin]\nentities:\n  P:\n    fields:\n      a: string\n    operations: [list, get]\n    permissions:\n      delete: [admin]\n      list: []\n",
    ));
    let d = expect(&a, Code::InvalidValue, 11, 7);
    assert!(d.message.contains("does not offer"), "{}", d.message);
    let d = expect(&a, Code::InvalidValue, 12, 13);
    assert!(d.message.contains("no role"), "{}", d.message);
}

#[test]
fn both_sides_of_a_one_to_one_claiming_the_foreign_key_are_reported() {
    let a = yaml(&spec(
        "entities:\n  User:\n    fields:\n      email: email\n    relations:\n      profile: { to: Profile, kind: one_to_one, required: true }\n  Profile:\n    fields:\n      bio: text\n    relations:\n      user: { to: User, kind: one_to_one, on_delete: cascade }\n",
    ));
    let d = expect(&a, Code::MissingKey, 13, 7);
    assert!(d.hint.unwrap_or_default().contains("mapped_by: user"));
}

#[test]
fn a_field_of_unknown_type_is_reported_once_even_when_listed() {
    let a = yaml(&spec(
        "entities:\n  P:\n    fields:\n      a: strng\n    list: { filters: [a], sort: [a] }\n",
    ));
    let codes: Vec<Code> = a.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::UnknownType]);
}

#[test]
fn a_pattern_that_unrolls_too_far_is_refused() {
    let a = yaml(&spec(
        "entities:\n  P:\n    fields:\n      a: { type: string, pattern: \"(a{1000}){1000}\" }\n",
    ));
    let d = expect(&a, Code::InvalidPattern, 6, 35);
    assert!(d.message.contains("repeats too much"), "{}", d.message);
}

#[test]
fn a_one_to_one_claimed_by_both_sides_is_one_error() {
    let a = yaml(&spec(
        "entities:\n  A:\n    fields:\n      x: string\n    relations:\n      b: { to: B, kind: one_to_one, required: true }\n  B:\n    fields:\n      y: string\n    relations:\n      a: { to: A, kind: one_to_one, required: true }\n",
    ));
    let codes: Vec<Code> = a.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::MissingKey]);
}

#[test]
fn an_empty_type_cell_in_markdown_asks_for_a_type() {
    let text = "# Shop\n\n## Entity: P\n\n| Field | Type | Constraints |\n|---|---|---|\n| a |  | required |\n";
    let a = analyze(text, Format::Markdown);
    let d = a
        .diagnostics
        .iter()
        .find(|d| d.code == Code::MissingKey)
        .expect("missing type");
    assert_eq!((d.line, d.message.as_str()), (7, "the field has no type"));
}
