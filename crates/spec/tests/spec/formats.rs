//! The four input formats: detection, one model from the same domain, and positions that point
//! into each format's own text.

use specforge_spec::model::Model;
use specforge_spec::{Code, Format, analyze, analyze_bytes, detect_format};

use super::{clean, expect};

const YAML: &str = include_str!("../../../../examples/bookstore.yaml");
const JSON: &str = include_str!("../../../../examples/bookstore.json");
const MARKDOWN: &str = include_str!("../../../../examples/bookstore.md");
const OPENAPI: &str = include_str!("../../../../examples/bookstore.openapi.yaml");

fn model(text: &str, format: Format) -> Model {
    let a = analyze(text, format);
    clean(&a);
    a.model.expect("valid")
}

/// What every format can express: entities with their fields and relations, and enums.
fn data_model(m: &Model) -> serde_json::Value {
    let entities: Vec<serde_json::Value> = m
        .entities
        .iter()
        .map(|e| {
            serde_json::json!({
                "name": e.name,
                "description": e.description,
                "timestamps": e.timestamps,
                "fields": e.fields,
                "relations": e.relations,
            })
        })
        .collect();
    serde_json::json!({ "name": m.name, "entities": entities, "enums": m.enums })
}

#[test]
fn the_same_domain_in_four_formats_gives_the_same_entities_fields_relations_and_enums() {
    let yaml = model(YAML, Format::Yaml);
    let expected = data_model(&yaml);
    for (text, format) in [
        (JSON, Format::Json),
        (MARKDOWN, Format::Markdown),
        (OPENAPI, Format::Openapi),
    ] {
        let other = data_model(&model(text, format));
        assert_eq!(other, expected, "{format} differs from YAML");
    }
    assert_eq!(yaml.entities.len(), 3);
    assert_eq!(yaml.enums.len(), 1);
}

#[test]
fn yaml_json_and_markdown_agree_on_everything_including_roles_lists_and_permissions() {
    let yaml = model(YAML, Format::Yaml);
    assert_eq!(model(JSON, Format::Json), yaml);
    assert_eq!(model(MARKDOWN, Format::Markdown), yaml);
}

#[test]
fn formats_are_detected_from_the_name_then_the_content() {
    assert_eq!(detect_format(Some("a/spec.md"), ""), Format::Markdown);
    assert_eq!(detect_format(Some("spec.JSON"), ""), Format::Json);
    assert_eq!(detect_format(Some("spec.yml"), "{}"), Format::Yaml);
    assert_eq!(detect_format(None, "  {\"a\": 1}"), Format::Json);
    assert_eq!(detect_format(None, MARKDOWN), Format::Markdown);
    assert_eq!(
        detect_format(None, "# a comment\nspecforge: 1\n"),
        Format::Yaml
    );
    // OpenAPI is recognised after parsing, whatever the extension says.
    assert_eq!(
        analyze_bytes(OPENAPI.as_bytes(), Some("api.yaml"), None).format,
        Format::Openapi
    );
    let json_openapi = "{\"openapi\": \"3.0.3\", \"info\": {\"title\": \"T\", \"version\": \"1\"}, \"components\": {\"schemas\": {\"A\": {\"type\": \"object\", \"properties\": {\"b\": {\"type\": \"string\"}}}}}}";
    let a = analyze_bytes(json_openapi.as_bytes(), None, None);
    assert_eq!(a.format, Format::Openapi);
    assert!(a.valid, "{:?}", a.diagnostics);
}

#[test]
fn markdown_diagnostics_point_into_the_table_cell() {
    let text = MARKDOWN.replace(
        "| title        | string     |",
        "| title        | strng      |",
    );
    let a = analyze(&text, Format::Markdown);
    let line = text
        .lines()
        .position(|l| l.contains("strng"))
        .map(|i| i + 1)
        .expect("line");
    let d = expect(&a, Code::UnknownType, line, 18);
    assert_eq!(d.hint.as_deref(), Some("did you mean `string`?"));
    assert_eq!(d.path, "/entities/Book/fields/title/type");
    let text = MARKDOWN.replace("required, max 120", "requird, max 120");
    let a = analyze(&text, Format::Markdown);
    let line = text
        .lines()
        .position(|l| l.contains("requird"))
        .map(|i| i + 1)
        .expect("line");
    expect(&a, Code::UnknownKey, line, 22);
}

#[test]
fn openapi_diagnostics_point_into_the_openapi_document() {
    let text = OPENAPI.replace(
        "$ref: \"#/components/schemas/Author\"",
        "$ref: \"#/components/schemas/Autor\"",
    );
    let a = analyze(&text, Format::Openapi);
    let line = text
        .lines()
        .position(|l| l.contains("Autor\""))
        .map(|i| i + 1)
        .expect("line");
    let d = expect(&a, Code::UnknownEntity, line, 25);
    assert_eq!(d.hint.as_deref(), Some("did you mean `Author`?"));
    let text = OPENAPI.replace("minimum: 1, maximum: 10000", "minimum: 10, maximum: 1");
    let a = analyze(&text, Format::Openapi);
    let line = text
        .lines()
        .position(|l| l.contains("minimum: 10,"))
        .map(|i| i + 1)
        .expect("line");
    expect(&a, Code::InvalidRange, line, 42);
}

#[test]
fn every_example_is_valid_and_every_invalid_example_is_not() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut seen = 0;
    for dir in [root.clone(), root.join("invalid")] {
        let expect_valid = dir == root;
        for entry in std::fs::read_dir(&dir).expect("examples folder") {
            let path = entry.expect("entry").path();
            if !path.is_file() {
                continue;
            }
            let bytes = std::fs::read(&path).expect("read");
            let a = analyze_bytes(&bytes, path.to_str(), None);
            assert_eq!(
                a.valid,
                expect_valid,
                "{}: {:#?}",
                path.display(),
                a.diagnostics
            );
            seen += 1;
        }
    }
    assert!(seen >= 8, "only {seen} examples");
}

#[test]
fn a_pointer_into_the_model_is_located_in_every_format() {
    use specforge_spec::span::LineIndex;
    let cases = [
        ("bookstore.yaml", Format::Yaml, (32, 7)),
        ("bookstore.json", Format::Json, (0, 0)),
        ("bookstore.md", Format::Markdown, (0, 0)),
    ];
    for (file, format, expected) in cases {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples")
            .join(file);
        let text = std::fs::read_to_string(path).expect("example");
        let analysis = specforge_spec::analyze(&text, format);
        let span = analysis
            .locate("/entities/Book/relations/author")
            .unwrap_or_else(|| panic!("{file}: not located"));
        let at = &text[span.start..span.end];
        assert!(at.contains("author"), "{file}: located {at:?}");
        let p = LineIndex::new(&text).position(&text, span.start);
        if expected != (0, 0) {
            assert_eq!((p.line, p.column), expected, "{file}");
        }
        assert_eq!(analysis.locate("/entities/Nope"), None);
        assert_eq!(analysis.locate("/entities/Book/fields/title/x/y"), None);
    }
}
