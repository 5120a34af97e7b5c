//! Names derived from the same text are the same in every format: the application's name from
//! its title, and the names specforge derives from entity and property names (inverse relations,
//! inline enums), non-ASCII letters included.

use specforge_spec::model::Model;
use specforge_spec::{Format, analyze, names};

use super::clean;

/// Titles and the name each must give.
const TITLES: &[(&str, &str)] = &[
    ("Bücherei Verwaltung", "bücherei_verwaltung"),
    ("Café Orders", "café_orders"),
    ("ÉCOLE", "école"),
    ("École Primaire", "école_primaire"),
    ("Straße", "straße"),
    ("Dr. Smith's Clinic", "dr_smiths_clinic"),
    ("MyAPIServer v2", "my_api_server_v2"),
    ("Ærø Øl-Fabrik", "ærø_øl_fabrik"),
];

/// The same specification in each format: entities `Bücherei` and `Café Order`, a many-to-one
/// from `Café Order` to `Bücherei` (whose inverse side specforge names), and an enum that the
/// OpenAPI document declares inline (so its name is derived there and written elsewhere).
fn documents(title: &str) -> Vec<(Format, String)> {
    let name = names::snake_case(title);
    let yaml = format!(
        "specforge: 1\nname: {name}\ntitle: {title}\nenums:\n  CaféOrderZustand: [offen, bezahlt]\n\
         entities:\n  Bücherei:\n    fields:\n      Straße: string\n  Café Order:\n    fields:\n      \
         zustand: CaféOrderZustand\n    relations:\n      bücherei: {{ to: Bücherei, kind: many_to_one }}\n"
    );
    let json = format!(
        r#"{{"specforge": 1, "name": "{name}", "title": "{title}",
"enums": {{"CaféOrderZustand": ["offen", "bezahlt"]}},
"entities": {{"Bücherei": {{"fields": {{"Straße": "string"}}}},
"Café Order": {{"fields": {{"zustand": "CaféOrderZustand"}},
"relations": {{"bücherei": {{"to": "Bücherei", "kind": "many_to_one"}}}}}}}}}}"#
    );
    let markdown = format!(
        "# {title}\n\n## Enum: CaféOrderZustand\n\n- offen\n- bezahlt\n\n## Entity: Bücherei\n\n\
         | Field | Type |\n|---|---|\n| Straße | string |\n\n## Entity: Café Order\n\n\
         | Field | Type |\n|---|---|\n| zustand | CaféOrderZustand |\n| bücherei | -> Bücherei |\n"
    );
    let openapi = format!(
        "openapi: 3.1.0\ninfo:\n  title: \"{title}\"\n  version: '1'\ncomponents:\n  schemas:\n    \
         Bücherei:\n      type: object\n      properties:\n        Straße: {{ type: string }}\n    \
         Café Order:\n      type: object\n      properties:\n        \
         zustand: {{ type: string, enum: [offen, bezahlt] }}\n        \
         bücherei: {{ $ref: \"#/components/schemas/B%C3%BCcherei\" }}\n"
    );
    vec![
        (Format::Yaml, yaml),
        (Format::Json, json),
        (Format::Markdown, markdown),
        (Format::Openapi, openapi),
    ]
}

/// Every name in a model: the application's, the enums', the entities', their fields' and
/// their relations' (the inferred ones included).
fn all_names(m: &Model) -> Vec<String> {
    let mut out = vec![m.name.clone()];
    out.extend(m.enums.iter().map(|e| e.name.clone()));
    for e in &m.entities {
        out.push(e.name.clone());
        out.extend(e.fields.iter().map(|f| format!("{}.{}", e.name, f.name)));
        out.extend(e.relations.iter().map(|r| format!("{}.{}", e.name, r.name)));
    }
    out.sort();
    out
}

#[test]
fn every_format_derives_the_same_names_from_the_same_title() {
    for &(title, expected) in TITLES {
        assert_eq!(names::snake_case(title), expected, "{title}");
        let mut first: Option<Vec<String>> = None;
        for (format, text) in documents(title) {
            let analysis = analyze(&text, format);
            clean(&analysis);
            let model = analysis.model.expect("valid");
            assert_eq!(model.name, expected, "{format}: {title}");
            assert_eq!(model.title.as_deref(), Some(title), "{format}");
            let names = all_names(&model);
            assert!(
                names.contains(&"Bücherei.café_orders".to_string()),
                "{format}: {names:?}"
            );
            match &first {
                None => first = Some(names),
                Some(yaml) => assert_eq!(&names, yaml, "{format} differs from YAML: {title}"),
            }
        }
    }
}
