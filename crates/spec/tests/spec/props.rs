//! Properties over open-ended input: no input makes the library panic, every diagnostic points
//! inside the text, and any name the language accepts survives into the model unchanged.
//!
//! Run longer with `PROPTEST_CASES=100000 cargo test --release -p specforge-spec --test spec props`.

use proptest::prelude::*;
use specforge_spec::{Analysis, Code, Format, analyze, analyze_bytes, names};

const SEEDS: &[&str] = &[
    include_str!("../../../../examples/erp.yaml"),
    include_str!("../../../../examples/invalid/typos.yaml"),
    include_str!("../../../../examples/bookstore.yaml"),
    include_str!("../../../../examples/bookstore.json"),
    include_str!("../../../../examples/bookstore.md"),
    include_str!("../../../../examples/library.md"),
    include_str!("../../../../examples/clinic.openapi.yaml"),
];

const FORMATS: [Option<Format>; 5] = [
    None,
    Some(Format::Yaml),
    Some(Format::Json),
    Some(Format::Markdown),
    Some(Format::Openapi),
];

/// Every diagnostic has a position inside the text and a span on character boundaries.
fn positions_are_sane(text: &str, a: &Analysis) -> Result<(), TestCaseError> {
    let lines = text.split('\n').count().max(1);
    for d in &a.diagnostics {
        prop_assert!(
            d.line >= 1 && d.line <= lines,
            "line {} of {lines}: {d:?}",
            d.line
        );
        prop_assert!(d.column >= 1, "{d:?}");
        prop_assert!(
            d.span.start <= d.span.end && d.span.end <= text.len(),
            "{d:?}"
        );
        prop_assert!(
            text.is_char_boundary(d.span.start) && text.is_char_boundary(d.span.end),
            "{d:?}"
        );
        prop_assert!(d.path.is_empty() || d.path.starts_with('/'), "{d:?}");
    }
    prop_assert_eq!(a.valid, !a.diagnostics.iter().any(|d| d.is_error()));
    prop_assert_eq!(a.valid, a.model.is_some());
    Ok(())
}

#[derive(Clone, Debug)]
enum Mutation {
    Delete { at: usize, len: usize },
    Insert { at: usize, text: String },
    DuplicateLine { line: usize },
    SwapLines { a: usize, b: usize },
    Indent { line: usize, by: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (
            any::<usize>(),
            prop_oneof![
                "[ :{}\\[\\],&*!|>'\"#-]{1,3}",
                "\\PC{1,8}",
                Just("\n".to_string()),
                Just("  ".to_string()),
                Just("required: true".to_string()),
                Just("{ to: Nowhere }".to_string()),
            ]
        )
            .prop_map(|(at, text)| Mutation::Insert { at, text }),
        any::<usize>().prop_map(|line| Mutation::DuplicateLine { line }),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines { a, b }),
        (any::<usize>(), 1usize..4).prop_map(|(line, by)| Mutation::Indent { line, by }),
    ]
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn apply(text: &str, m: &Mutation) -> String {
    let mut lines: Vec<String> = text.split('\n').map(String::from).collect();
    let n = lines.len();
    match m {
        Mutation::Delete { at, len } => {
            let start = floor_boundary(text, at % (text.len() + 1));
            let end = floor_boundary(text, start + len);
            format!("{}{}", &text[..start], &text[end..])
        }
        Mutation::Insert { at, text: ins } => {
            let at = floor_boundary(text, at % (text.len() + 1));
            format!("{}{ins}{}", &text[..at], &text[at..])
        }
        Mutation::DuplicateLine { line } => {
            let l = lines[line % n].clone();
            lines.insert(line % n, l);
            lines.join("\n")
        }
        Mutation::SwapLines { a, b } => {
            lines.swap(a % n, b % n);
            lines.join("\n")
        }
        Mutation::Indent { line, by } => {
            lines[line % n] = format!("{}{}", " ".repeat(*by), lines[line % n]);
            lines.join("\n")
        }
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400), f in 0usize..5) {
        let a = analyze_bytes(&bytes, None, FORMATS[f]);
        if let Ok(text) = std::str::from_utf8(&bytes) {
            positions_are_sane(text.trim_start_matches('\u{feff}'), &a).or_else(|_| positions_are_sane(text, &a))?;
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,300}", f in 0usize..5) {
        let a = analyze_bytes(text.as_bytes(), None, FORMATS[f]);
        positions_are_sane(&text, &a)?;
    }

    #[test]
    fn mutated_valid_specs_never_panic(
        seed in 0usize..SEEDS.len(),
        mutations in proptest::collection::vec(mutation(), 1..6),
    ) {
        let mut text = SEEDS[seed].to_string();
        for m in &mutations {
            text = apply(&text, m);
        }
        // Detect the format as a user's file would be (Markdown stays Markdown, OpenAPI OpenAPI).
        let a = analyze_bytes(text.as_bytes(), None, None);
        positions_are_sane(&text, &a)?;
    }

    #[test]
    fn any_name_is_accepted_verbatim_or_reported_as_a_name_problem(name in "\\PC{0,70}") {
        let quoted = serde_json::to_string(&name).unwrap_or_default();
        let text = format!(
            "specforge: 1\nname: app\nentities:\n  {quoted}:\n    fields:\n      {quoted}: string\n"
        );
        let a = analyze(&text, Format::Yaml);
        positions_are_sane(&text, &a)?;
        match &a.model {
            Some(model) => {
                prop_assert_eq!(&model.entities[0].name, &name);
                prop_assert!(model.entities[0].field(&name).is_some());
                prop_assert!(names::check_identifier(&name, 63).is_ok());
            }
            None => {
                let name_codes = [Code::InvalidName, Code::NameTooLong, Code::ReservedField, Code::NameCollision];
                prop_assert!(
                    a.diagnostics.iter().any(|d| name_codes.contains(&d.code)),
                    "{name:?}: {:?}", a.diagnostics
                );
            }
        }
    }

    #[test]
    fn collision_keys_are_stable_under_normalisation(name in "[A-Za-z][A-Za-z0-9_ -]{0,40}") {
        let key = names::collision_key(&name);
        prop_assert_eq!(names::collision_key(&key), key.clone());
        prop_assert_eq!(names::collision_key(&name.to_uppercase()).replace('_', ""), key.replace('_', ""));
    }
}
