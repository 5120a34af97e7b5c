//! Any name the specification language accepts becomes a valid identifier of every target
//! language, never a reserved one.

use proptest::prelude::*;
use specforge_codegen::naming::{Case, Lang, case};
use specforge_spec::limits::MAX_NAME_BYTES;
use specforge_spec::names::check_identifier;

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn name() -> impl Strategy<Value = String> {
    // Letters of several scripts, digits, separators, keywords glued to other words.
    prop::string::string_regex(
        "[a-zA-Zéßü名Ωя][a-zA-Z0-9éßü名Ωя _-]{0,20}|(type|class|self|Self|fn|select|order|None|sf_x|model_x|async)( [a-z]{1,4})?",
    )
    .expect("strategy")
    .prop_filter("accepted by the spec language", |n| {
        check_identifier(n, MAX_NAME_BYTES).is_ok()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_accepted_name_becomes_an_unreserved_identifier(n in name()) {
        for lang in [Lang::Python, Lang::Rust, Lang::Sql, Lang::TypeScript] {
            for c in [Case::Snake, Case::Pascal, Case::Camel, Case::ScreamingSnake] {
                let ident = lang.ident(&n, c);
                prop_assert!(is_identifier(&ident), "{lang:?} {c:?} {n:?} -> {ident:?}");
                let bare = ident.strip_suffix('_').unwrap_or(&ident);
                prop_assert!(
                    !lang.is_reserved(&ident),
                    "{lang:?} {c:?} {n:?} -> {ident:?} is reserved"
                );
                // Escaping only ever appends `_`, to a reserved word.
                prop_assert!(bare == case(&n, c) || ident == case(&n, c));
            }
        }
    }

    // The Rust code's helpers start with `sf_`/`Sf`; the Python code has none, so there a user
    // name keeps that prefix as it is.
    #[test]
    fn helper_identifiers_never_meet_user_names(n in name()) {
        let lang = Lang::Rust;
        let snake = lang.ident(&n, Case::Snake);
        prop_assert!(!snake.starts_with("sf_") || snake.ends_with('_'));
        let pascal = lang.ident(&n, Case::Pascal);
        let helper_like = pascal.starts_with("Sf")
            && pascal[2..].starts_with(|c: char| c.is_ascii_uppercase());
        prop_assert!(!helper_like || pascal.ends_with('_'));
    }
}

#[test]
fn keywords_of_each_language_are_escaped() {
    assert_eq!(Lang::Python.ident("None", Case::Pascal), "None_");
    assert_eq!(Lang::Python.ident("lambda", Case::Snake), "lambda_");
    assert_eq!(Lang::Rust.ident("crate", Case::Snake), "crate_");
    assert_eq!(Lang::Rust.ident("Option", Case::Pascal), "Option_");
    assert_eq!(Lang::Sql.ident("select", Case::Snake), "select_");
    assert_eq!(
        Lang::TypeScript.ident("interface", Case::Camel),
        "interface_"
    );
}
