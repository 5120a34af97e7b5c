use std::fmt::Write as _;

use proptest::prelude::*;

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

/// The only diagnostic of a failed read, as (code, line, column, message).
fn error_of(text: &str) -> (Code, usize, usize, String) {
    let (node, diagnostics) = read(text);
    assert!(node.is_none(), "{text:?} should not parse");
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let d = &diagnostics[0];
    assert_eq!(d.severity, Severity::Error);
    (d.code, d.line, d.column, d.message.clone())
}

fn position(text: &str, span: Span) -> (usize, usize) {
    let p = Source::new(text).position(span.start);
    (p.line, p.column)
}

#[test]
fn values_of_every_kind_are_read_with_their_spans() {
    let text = r#"{"s": "x\ty", "i": -12, "f": 1.5e2, "b": true, "n": null, "a": [false, {}]}"#;
    let (node, diagnostics) = read(text);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    let node = node.expect("parsed");
    assert_eq!(node.span, Span::new(0, text.len()));
    assert_eq!(
        node.get("s").map(|n| &n.value),
        Some(&Value::Str("x\ty".into()))
    );
    assert_eq!(node.get("i").map(|n| &n.value), Some(&Value::Int(-12)));
    assert_eq!(node.get("f").map(|n| &n.value), Some(&Value::Float(150.0)));
    assert_eq!(node.get("b").map(|n| &n.value), Some(&Value::Bool(true)));
    assert_eq!(node.get("n").map(|n| &n.value), Some(&Value::Null));
    let s = node.get("s").expect("s");
    assert_eq!(&text[s.span.start..s.span.end], r#""x\ty""#);
    let a = node.get("a").and_then(Node::as_seq).expect("a");
    assert_eq!(a[0].value, Value::Bool(false));
    assert_eq!(&text[a[1].span.start..a[1].span.end], "{}");
}

#[test]
fn a_nested_key_and_value_have_their_line_and_column() {
    let text = "{\n  \"entities\": {\n    \"Book\": {\"fields\": [1, \"title\"]}\n  }\n}\n";
    let (node, diagnostics) = read(text);
    assert!(diagnostics.is_empty());
    let entities = node
        .as_ref()
        .and_then(|n| n.get("entities"))
        .expect("entities");
    let book = &entities.as_map().expect("map")[0];
    assert_eq!(book.key.name, "Book");
    assert_eq!(position(text, book.key.span), (3, 5));
    assert_eq!(position(text, book.value.span), (3, 13));
    let fields = book
        .value
        .get("fields")
        .and_then(Node::as_seq)
        .expect("fields");
    assert_eq!(position(text, fields[1].span), (3, 28));
    assert_eq!(fields[1].as_str(), Some("title"));
}

#[test]
fn numbers_are_integers_when_they_fit_and_floats_otherwise() {
    let cases: &[(&str, Value)] = &[
        ("0", Value::Int(0)),
        ("-0", Value::Int(0)),
        ("9223372036854775807", Value::Int(i64::MAX)),
        ("-9223372036854775808", Value::Int(i64::MIN)),
        (
            "9223372036854775808",
            Value::Float(9_223_372_036_854_775_808.0),
        ),
        ("1.0", Value::Float(1.0)),
        ("1e3", Value::Float(1000.0)),
        ("-2.5E-1", Value::Float(-0.25)),
    ];
    for (text, expected) in cases {
        let (node, diagnostics) = read(text);
        assert!(diagnostics.is_empty(), "{text}");
        assert_eq!(node.map(|n| n.value).as_ref(), Some(expected), "{text}");
    }
}

#[test]
fn escapes_and_surrogate_pairs_are_decoded() {
    let (node, _) = read(r#""a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00z""#);
    assert_eq!(
        node.and_then(|n| n.as_str().map(String::from)).as_deref(),
        Some("a\"\\/\u{8}\u{c}\n\r\té😀z")
    );
}

#[test]
fn each_syntax_error_has_its_message_line_and_column() {
    let cases: &[(&str, usize, usize, &str)] = &[
        (
            "{\"a\": 1 \"b\": 2}",
            1,
            9,
            "expected `,` or `}` after an object member",
        ),
        ("[1 2]", 1, 4, "expected `,` or `]` after an array element"),
        (
            "{\"a\": 1,\n}",
            1,
            8,
            "trailing comma is not allowed in JSON",
        ),
        ("[1,\n 2,\n]", 2, 3, "trailing comma is not allowed in JSON"),
        ("{\"a\": \"xyz", 1, 7, "unterminated string"),
        ("[\"a\nb\"]", 1, 4, "control character in string"),
        ("{\"a\": ", 1, 7, "unexpected end of input"),
        (
            "{\"a\": 1} x",
            1,
            10,
            "trailing characters after the JSON value",
        ),
        (
            "{a: 1}",
            1,
            2,
            "expected a string key in double quotes, found `a`",
        ),
        ("{\"a\" 1}", 1, 6, "expected `:` after an object key"),
        (
            "[01]",
            1,
            2,
            "leading zeros are not allowed in JSON numbers",
        ),
        ("[1.]", 1, 4, "expected a digit after the decimal point"),
        ("[1e+]", 1, 5, "expected a digit in the exponent"),
        ("[-x]", 1, 3, "expected a digit after `-`"),
        ("[True]", 1, 2, "invalid literal `True`"),
        ("[yes]", 1, 2, "expected a JSON value, found `yes`"),
        ("['a']", 1, 2, "strings must be in double quotes in JSON"),
        ("[1, // c\n2]", 1, 5, "comments are not allowed in JSON"),
        ("[\"\\x\"]", 1, 3, "invalid escape `\\x` in string"),
        (
            "[\"\\u12G4\"]",
            1,
            3,
            "invalid unicode escape: `\\u` must be followed by four hex digits",
        ),
        ("[\"\\ud800\"]", 1, 3, "lone surrogate `\\uD800` in string"),
        (
            "[\"\\udc00\\ud800\"]",
            1,
            3,
            "lone surrogate `\\uDC00` in string",
        ),
        (
            "[\"\\ud800\\u0041\"]",
            1,
            3,
            "lone surrogate `\\uD800` in string",
        ),
        ("[1e999]", 1, 2, "the number `1e999` is out of range"),
        ("", 1, 1, "unexpected end of input"),
        ("  \n ", 2, 2, "unexpected end of input"),
    ];
    for (text, line, column, message) in cases {
        let (code, l, c, m) = error_of(text);
        assert_eq!(code, Code::SyntaxError, "{text:?}");
        assert_eq!((l, c, m.as_str()), (*line, *column, *message), "{text:?}");
    }
}

#[test]
fn columns_count_characters_of_unicode_text_before_an_error() {
    let (code, line, column, message) = error_of("{\"é😀\": \"ü\" x}");
    assert_eq!(code, Code::SyntaxError);
    assert_eq!(message, "expected `,` or `}` after an object member");
    assert_eq!((line, column), (1, 12));
}

#[test]
fn crlf_line_endings_give_the_right_lines() {
    let text = "{\r\n  \"a\": 1,\r\n  \"b\": [true,]\r\n}";
    let (code, line, column, _) = error_of(text);
    assert_eq!(code, Code::SyntaxError);
    assert_eq!((line, column), (3, 13));
    let (node, diagnostics) = read("{\r\n  \"a\": 1,\r\n  \"b\": 2\r\n}\r\n");
    assert!(diagnostics.is_empty());
    let b = node
        .as_ref()
        .and_then(|n| n.as_map())
        .map(|m| m[1].key.span)
        .expect("b");
    assert_eq!(
        position("{\r\n  \"a\": 1,\r\n  \"b\": 2\r\n}\r\n", b),
        (3, 3)
    );
}

#[test]
fn a_leading_byte_order_mark_is_skipped() {
    let (node, diagnostics) = read("\u{FEFF}{\"a\": 1}");
    assert!(diagnostics.is_empty());
    assert_eq!(node.map(|n| n.span), Some(Span::new(3, 11)));
}

#[test]
fn every_duplicate_key_is_reported_at_the_second_key_and_the_first_value_is_kept() {
    let text = "{\n  \"a\": 1,\n  \"b\": {\"x\": 1, \"x\": 2},\n  \"a\": 3\n}";
    let (node, diagnostics) = read(text);
    let node = node.expect("still read");
    assert_eq!(diagnostics.len(), 2, "{diagnostics:#?}");
    let d = &diagnostics[0];
    assert_eq!((d.code, d.line, d.column), (Code::DuplicateKey, 3, 17));
    assert_eq!(d.path, "/b/x");
    assert_eq!(d.hint.as_deref(), Some("first defined at line 3, column 9"));
    let d = &diagnostics[1];
    assert_eq!((d.code, d.line, d.column), (Code::DuplicateKey, 4, 3));
    assert_eq!(d.path, "/a");
    assert_eq!(d.hint.as_deref(), Some("first defined at line 2, column 3"));
    assert_eq!(node.get("a").map(|n| &n.value), Some(&Value::Int(1)));
    assert_eq!(
        node.get("b").and_then(|b| b.get("x")).map(|n| &n.value),
        Some(&Value::Int(1))
    );
    assert_eq!(node.as_map().map(<[Entry]>::len), Some(2));
}

#[test]
fn duplicates_are_found_in_large_objects_too() {
    let mut text = String::from("{");
    for i in 0..100 {
        let _ = write!(text, "\"k{i}\": {i}, ");
    }
    text.push_str("\"k7\": 0, \"k99\": 0}");
    let (node, diagnostics) = read(&text);
    assert_eq!(diagnostics.len(), 2);
    assert!(diagnostics.iter().all(|d| d.code == Code::DuplicateKey));
    assert_eq!(diagnostics[0].path, "/k7");
    assert_eq!(node.and_then(|n| n.as_map().map(<[Entry]>::len)), Some(100));
}

#[test]
fn nesting_deeper_than_the_limit_is_refused_at_the_bracket_that_crosses_it() {
    let ok = format!(
        "{}{}",
        "[".repeat(limits::MAX_DEPTH),
        "]".repeat(limits::MAX_DEPTH)
    );
    let (node, diagnostics) = read(&ok);
    assert!(diagnostics.is_empty());
    assert!(node.is_some());

    let deep = "[".repeat(1_000_000);
    let (code, line, column, message) = error_of(&deep);
    assert_eq!(code, Code::LimitExceeded);
    assert_eq!((line, column), (1, limits::MAX_DEPTH + 1));
    assert!(message.contains("depth"), "{message}");

    let (_, diagnostics) = read(&"{\"a\":".repeat(100));
    assert_eq!(diagnostics[0].code, Code::LimitExceeded);
    assert_eq!(diagnostics[0].column, limits::MAX_DEPTH * 5 + 1);
    assert!(diagnostics[0].path.starts_with("/a/a/a"));
}

#[test]
fn more_nodes_than_the_limit_are_refused() {
    let text = format!("[{}0]", "0,".repeat(limits::MAX_NODES));
    let (code, line, column, _) = error_of(&text);
    assert_eq!(code, Code::LimitExceeded);
    // The root array is node 1, so the last element crosses the limit.
    assert_eq!((line, column), (1, 2 + 2 * (limits::MAX_NODES - 1)));
}

#[test]
fn a_large_document_reads_in_linear_time() {
    let mut text = String::from("{\"entities\": {");
    for i in 0..25_000 {
        let _ = write!(
            text,
            "\"E{i}\": {{\"fields\": {{\"name\": {{\"type\": \"string\", \"max_length\": 120, \
                 \"note\": \"caf\\u00e9\"}}}}}},"
        );
    }
    text.push_str("\"Last\": {}}}");
    assert!(text.len() > 2_000_000);
    let started = std::time::Instant::now();
    let (node, diagnostics) = read(&text);
    let elapsed = started.elapsed();
    assert!(diagnostics.is_empty());
    assert!(node.is_some());
    // Generous: debug builds are far slower than release, and the machine is shared.
    assert!(elapsed.as_secs() < 5, "{elapsed:?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_never_panics(text in prop_oneof![
        any::<String>(),
        "[\\[\\]{}\",:0-9eE.+\\-tfnrul \\\\\n\u{e9}]{0,48}",
    ]) {
        let source = Source::new(&text);
        let mut diagnostics = Vec::new();
        let node = parse(&source, &mut diagnostics);
        prop_assert!(node.is_some() || diagnostics.iter().any(Diagnostic::is_error));
    }
}
