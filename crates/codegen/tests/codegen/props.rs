//! Properties of generation over random specifications: every target either generates a
//! project or reports the names it cannot use, never panics, and gives the same bytes twice.
//!
//! Run longer with `PROPTEST_CASES=5000 cargo test --release -p specforge-codegen --test codegen props`.

use proptest::prelude::*;
use specforge_codegen::{Error, check_path, generate, targets};

/// Names users write, traps included.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::string::string_regex("[a-zA-Z][a-zA-Z0-9]{0,8}( [a-z]{1,5})?").expect("regex"),
        prop::sample::select(vec![
            "type",
            "class",
            "self",
            "Self",
            "fn",
            "select",
            "order",
            "None",
            "sf helper",
            "model config",
            "id number",
            "user name",
            "username",
            "prénom",
            "名前",
            "Größe",
            "Item",
            "Item Input",
            "Items",
            "value1",
            "value 1",
            "Option",
            "String",
            "async",
        ])
        .prop_map(String::from),
    ]
}

/// A field line: a type with constraints that fit it.
fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..5, 5u32..40).prop_map(|(min, max)| format!(
            "{{ type: string, min_length: {min}, max_length: {max} }}"
        )),
        prop::sample::select(vec![
            "{ type: string, pattern: \"^[A-Z]{2}-[0-9]{3}$\" }",
            "{ type: string, pattern: \"^[a-z]+$\", min_length: 3, max_length: 9 }",
            "{ type: text, required: true }",
            "{ type: integer, min: -3, max: 3 }",
            "{ type: integer, min: 1, max: 1 }",
            "{ type: bigint, required: true }",
            "{ type: float, min: 0.5, max: 2.5 }",
            "{ type: decimal, precision: 4, scale: 2, min: 0, max: 99 }",
            "{ type: decimal, precision: 30, scale: 10 }",
            "{ type: boolean, default: true }",
            "date",
            "datetime",
            "uuid",
            "{ type: email, unique: true }",
            "url",
            "json",
            "{ type: Kind, default: b }",
        ])
        .prop_map(String::from),
    ]
}

/// A specification of a few entities with random names, fields and relations.
pub(crate) fn spec() -> impl Strategy<Value = String> {
    let entity = (
        name(),
        prop::collection::vec((name(), field()), 1..5),
        prop::option::of(prop::sample::select(vec![
            "many_to_one",
            "one_to_one",
            "many_to_many",
        ])),
        any::<bool>(),
    );
    prop::collection::vec(entity, 1..4).prop_map(|entities| {
        let mut s = String::from(
            "specforge: 1\nname: generated\nauth:\n  roles: [admin, \"the editor\"]\nenums:\n  Kind: [a, b, \"1st\", with space]\nentities:\n",
        );
        let first = entities[0].0.clone();
        for (name, fields, relation, guarded) in &entities {
            s.push_str(&format!("  {name:?}:\n    fields:\n"));
            for (field, ty) in fields {
                s.push_str(&format!("      {field:?}: {ty}\n"));
            }
            if let Some(kind) = relation {
                s.push_str(&format!(
                    "    relations:\n      \"link\": {{ to: {first:?}, kind: {kind} }}\n"
                ));
            }
            if *guarded {
                s.push_str("    permissions: { create: [admin], delete: [\"the editor\"] }\n");
            }
        }
        s
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_target_generates_a_valid_spec_or_names_the_problem(text in spec()) {
        let analysis = specforge_spec::analyze(&text, specforge_spec::Format::Yaml);
        // Random names often collide in the spec itself; those are the validator's business.
        prop_assume!(analysis.valid);
        let model = analysis.model.clone().expect("a valid spec has a model");
        for target in targets() {
            match generate(&model, target.name(), &[]) {
                Ok(first) => {
                    for (path, _) in first.tree.iter() {
                        prop_assert!(check_path(path).is_ok(), "{path}");
                    }
                    let second = generate(&model, target.name(), &[]).expect("second run");
                    prop_assert_eq!(first.digest(), second.digest());
                }
                Err(Error::Spec(problems)) => {
                    prop_assert!(!problems.is_empty());
                    for p in &problems {
                        prop_assert!(
                            analysis.locate(p.path.split(" (").next().unwrap_or("")).is_some(),
                            "{}: {} is not located in\n{text}", target.name(), p.path
                        );
                    }
                }
                Err(other) => prop_assert!(false, "{}: {other}\n{text}", target.name()),
            }
        }
    }
}
