use proptest::prelude::*;
use saphyr_parser::Parser;

use crate::diagnostic::{Code, Severity};
use crate::limits;
use crate::node::{Entry, Value};
use crate::span::Span;

use super::*;

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
    let text = "# é comment 😀\nkey é: [ü, \"ö\", {k: v}] # ü\nlist:\n  - 名前\n  - ? x\n    : y\n";
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
