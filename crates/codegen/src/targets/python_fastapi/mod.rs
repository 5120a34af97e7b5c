//! The `python-fastapi` target: a FastAPI application serving the generated API
//! (`docs/generated-api.md`) in FastAPI's "bigger applications" layout (per entity a model,
//! schemas, a repository, a router and a user-owned service module), an Alembic migration
//! made with `op.create_table` under the models' naming convention (the names and checks of
//! [`ddl`]), the `openapi` pass's document, and pytest tests computed from [`samples`].
//!
//! [`ddl`]: crate::passes::ddl
//! [`samples`]: crate::samples
//! [`Lang::Python`]: crate::naming::Lang::Python
//! [`Namespace`]: crate::naming::Namespace
//! [`py_str`]: literals::py_str
//!
//! Every identifier of the generated code is computed here: classes, attributes, enum
//! members, route functions and parameters. User names become ASCII identifiers through
//! [`Lang::Python`]; names the generated modules import are escaped the same way (a trailing
//! `_`). Each scope is a [`Namespace`], so two spec names that
//! meet are reported instead of emitted. User text lands in Python string literals
//! ([`py_str`], written as `ruff format` writes them), TOML strings and Markdown
//! lines, each escaped for its place. Generated code is laid out the way `ruff format` keeps
//! it: calls and collections that hold user text are exploded, one item per line, with a
//! trailing comma.
//!
//! The code is split by concern: [`build`] computes the templates' [`context`] from the plan
//! (with [`types`]), [`pytests`] writes the test modules, [`files`] renders the templates of
//! `templates/` and computes the per-entity modules' imports with [`pyimports`]; [`reserved`]
//! lists the names the generated code keeps for itself and [`literals`] escapes user text.
//! `README.md` beside this file describes the output.

mod build;
mod context;
mod files;
mod literals;
mod pyimports;
mod pytests;
mod reserved;
mod types;

use specforge_spec::Model;

use self::reserved::PACKAGE_RESERVED;
use super::Target;
use crate::error::Error;
use crate::naming::{Case, Lang};
use crate::options::{OptionKind, OptionSpec, Options};
use crate::plan::Plan;
use crate::tree::FileTree;

/// The `python-fastapi` target.
#[derive(Debug)]
pub struct PythonFastapi;

static OPTIONS: &[OptionSpec] = &[OptionSpec {
    name: "package",
    description: "The Python package name (default: the specification's name in snake_case)",
    default: None,
    kind: OptionKind::Identifier,
}];

/// Pinned versions of the generated project's dependencies (PyPI, checked when written).
const DEPENDENCIES: &[(&str, &str)] = &[
    ("alembic", "1.20.1"),
    ("fastapi", "0.165.0"),
    ("psycopg[binary]", "3.3.9"),
    ("pydantic", "2.14.4"),
    ("pydantic-settings", "2.16.3"),
    ("pyjwt", "2.15.1"),
    ("sqlalchemy", "2.1.9"),
    ("uvicorn", "0.54.0"),
];
const DEV_DEPENDENCIES: &[(&str, &str)] = &[
    ("httpx2", "2.17.0"),
    ("mypy", "2.4.1"),
    ("pytest", "9.2.0"),
    ("ruff", "0.17.6"),
];

/// How many sample bodies each entity's tests can draw from.
const SAMPLES: usize = 8;

impl Target for PythonFastapi {
    fn name(&self) -> &'static str {
        "python-fastapi"
    }

    fn description(&self) -> &'static str {
        "A FastAPI application: SQLAlchemy 2, Pydantic 2, Alembic, JWT roles, pytest"
    }

    fn language(&self) -> &'static str {
        "Python"
    }

    fn framework(&self) -> Option<&'static str> {
        Some("FastAPI")
    }

    fn options(&self) -> &'static [OptionSpec] {
        OPTIONS
    }

    fn generate(&self, model: &Model, options: &Options, out: &mut FileTree) -> Result<(), Error> {
        let plan = Plan::new(model)?;
        let package = package_name(model, options)?;
        let project = build::build(&plan, package)?;
        files::write(&project, out)
    }
}

/// The package name: the option, or the spec's name in snake_case.
fn package_name(model: &Model, options: &Options) -> Result<String, Error> {
    if let Some(given) = options.get("package") {
        if PACKAGE_RESERVED.contains(&given) || Lang::Python.is_reserved(given) {
            return Err(Error::BadOption {
                key: "package".to_owned(),
                reason: format!("`{given}` would hide a module of Python or of the project"),
            });
        }
        return Ok(given.to_owned());
    }
    let mut name = Lang::Python.ident(&model.name, Case::Snake);
    if name.is_empty() {
        name = "app".to_owned();
    }
    if PACKAGE_RESERVED.contains(&name.as_str()) {
        name.push('_');
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::literals::{md_line, py_str, py_value};
    use super::*;

    #[test]
    fn strings_are_quoted_as_ruff_writes_them() {
        assert_eq!(py_str("plain"), "\"plain\"");
        assert_eq!(py_str("a \"b\" c"), "'a \"b\" c'");
        assert_eq!(py_str("it's \"x\""), "'it\\'s \"x\"'");
        assert_eq!(py_str("back\\slash\n"), "\"back\\\\slash\\n\"");
        assert_eq!(py_str("\u{1}"), "\"\\x01\"");
        assert_eq!(py_str("Ünïcode"), "\"Ünïcode\"");
    }

    #[test]
    fn json_values_become_python_literals() {
        assert_eq!(
            py_value(&json!({"a": [1, true, null], "b": "x"})),
            "{\"a\": [1, True, None], \"b\": \"x\"}"
        );
    }

    fn model(yaml: &str) -> Model {
        specforge_spec::analyze_bytes(yaml.as_bytes(), Some("spec.yaml"), None)
            .model
            .expect("a valid specification")
    }

    fn example(name: &str) -> Model {
        let path = format!("{}/../../examples/{name}", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(&path).expect("the example");
        specforge_spec::analyze_bytes(&bytes, Some(&path), None)
            .model
            .expect("a valid example")
    }

    fn text(out: &crate::Output, path: &str) -> String {
        String::from_utf8(out.tree.get(path).expect(path).to_vec()).expect("UTF-8")
    }

    #[test]
    fn hostile_names_become_escaped_identifiers() {
        let out =
            crate::generate(&example("hostile.yaml"), "python-fastapi", &[]).expect("generated");
        let schemas = text(&out, "src/class_/schemas/class_.py");
        assert!(schemas.contains("    type_: Type = Field(\n        default=Type.SELECT,"));
        assert!(schemas.contains("    json_: AnyJson = Field("));
        assert!(schemas.contains("        alias=\"名前\",\n"));
        let enums = text(&out, "src/class_/enums.py");
        assert!(enums.contains("    V_1ST = \"1st\"\n"));
        assert!(enums.contains("    NONE = \"None\"\n"));
        let table = text(&out, "src/class_/schemas/caf_u00e9_table.py");
        assert!(table.contains("class CafU00e9Table(BaseModel):"));
        // A filter named like a parameter of the list gets a trailing `_`, not its wire name.
        let router = text(&out, "src/class_/routers/class_.py");
        assert!(
            router.contains("    order_: Annotated[int | None, Query(alias=\"order\")] = None,")
        );
        let main = text(&out, "src/class_/main.py");
        assert!(
            main.contains("title=\"Hostile \\\"names\\\" {{ test }} 'quotes' \\\\ backslash\",")
        );
        assert!(out.tree.get("tests/test_classes.py").is_some());
        assert!(out.tree.get("tests/test_caf_u00e9_tables.py").is_some());
        assert!(!main.contains("sf_") && !router.contains("sf_"));
    }

    #[test]
    fn each_entity_has_its_modules_and_the_users_files_are_theirs() {
        let out =
            crate::generate(&example("bookstore.yaml"), "python-fastapi", &[]).expect("generated");
        for kind in ["models", "schemas", "repositories", "routers", "services"] {
            for module in ["author", "book", "tag"] {
                assert!(
                    out.tree
                        .get(&format!("src/bookstore/{kind}/{module}.py"))
                        .is_some(),
                    "{kind}/{module}"
                );
            }
        }
        assert!(out.tree.is_user_owned("src/bookstore/services/book.py"));
        assert!(out.tree.is_user_owned("src/bookstore/routers/custom.py"));
        assert!(!out.tree.is_user_owned("src/bookstore/routers/book.py"));
        let model = text(&out, "src/bookstore/models/book.py");
        assert!(model.contains("sa.ForeignKey(\"authors.id\", ondelete=\"RESTRICT\")"));
        assert!(model.contains("    author: Mapped[\"Author\"] = relationship("));
        let router = text(&out, "src/bookstore/routers/book.py");
        assert!(router.contains("    service.before_update(session, row, body)\n"));
        assert_eq!(
            out.tree.get("openapi.json"),
            out.tree.get("src/bookstore/openapi.json")
        );
    }

    /// The names of the test functions of each `tests/test_<table>.py`.
    fn test_names(out: &crate::Output) -> Vec<(String, Vec<String>)> {
        out.tree
            .iter()
            .filter(|(path, _)| path.starts_with("tests/test_") && *path != "tests/test_app.py")
            .map(|(path, bytes)| {
                let text = std::str::from_utf8(bytes).expect("UTF-8");
                let names = text
                    .lines()
                    .filter_map(|l| l.strip_prefix("def "))
                    .filter_map(|l| l.split('(').next())
                    .filter(|n| n.starts_with("test_"))
                    .map(str::to_owned)
                    .collect();
                (path.to_owned(), names)
            })
            .collect()
    }

    #[test]
    fn every_entity_gets_at_least_16_tests_with_distinct_identifiers() {
        for name in ["bookstore.yaml", "hostile.yaml", "erp.yaml", "library.md"] {
            let out = crate::generate(&example(name), "python-fastapi", &[]).expect("generated");
            let modules = test_names(&out);
            assert_eq!(
                modules.len(),
                example(name).entities.len(),
                "{name}: a module per entity"
            );
            for (path, names) in modules {
                assert!(names.len() >= 16, "{name} {path}: {} tests", names.len());
                let distinct: std::collections::BTreeSet<&String> = names.iter().collect();
                assert_eq!(distinct.len(), names.len(), "{name} {path}: repeated names");
                for n in &names {
                    assert!(
                        n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                        "{name} {path}: {n}"
                    );
                }
            }
        }
    }

    #[test]
    fn tests_spell_out_bodies_and_one_rule_each() {
        let out =
            crate::generate(&example("bookstore.yaml"), "python-fastapi", &[]).expect("generated");
        assert!(
            out.tree
                .iter()
                .all(|(path, _)| !path.starts_with("tests/cases/"))
        );
        let books = text(&out, "tests/test_books.py");
        for expected in [
            "def valid_body(factory: Factory) -> dict[str, Any]:\n",
            "        \"isbn\": \"0000000000\",\n",
            "    author = factory.author()\n    return {\n",
            "        \"author_id\": author[\"id\"],\n",
            "def test_book_title_too_long_is_422(\n",
            "    body[\"title\"] = \"x\" * 201\n",
            "def test_book_isbn_taken_is_409(\n",
            "def test_deleting_the_author_of_a_book_is_409(\n",
            "def test_list_books_filtered_by_status(\n",
            "def test_list_books_sorted_by_price_descending(\n",
            "    assert item_ids(response) == ordered(rows, \"price\", descending=True, key=Decimal)\n",
            "def test_delete_book_without_its_role_is_403(client: TestClient) -> None:\n",
            "    response = client.delete(f\"{URL}/{uuid.uuid4()}\", headers=bearer(\"editor\", \"viewer\"))\n",
        ] {
            assert!(books.contains(expected), "{expected}");
        }
        let factories = text(&out, "tests/factories.py");
        assert!(factories.contains(
            "        if \"author_id\" not in body:\n            body[\"author_id\"] = self.shared(self.author)[\"id\"]\n"
        ));
        let conftest = text(&out, "tests/conftest.py");
        assert!(conftest.contains("from bookstore.main import create_app\n"));
        assert!(conftest.contains("ROLES: list[str] = [\"admin\", \"editor\", \"viewer\"]\n"));
    }

    #[test]
    fn output_is_deterministic() {
        let m = example("erp.yaml");
        let a = crate::generate(&m, "python-fastapi", &[]).expect("generated");
        let b = crate::generate(&m, "python-fastapi", &[]).expect("generated");
        assert_eq!(a.digest(), b.digest());
    }

    #[test]
    fn the_package_option_names_the_package() {
        let m = example("bookstore.yaml");
        let options = [("package".to_owned(), "shop".to_owned())];
        let out = crate::generate(&m, "python-fastapi", &options).expect("generated");
        assert!(out.tree.get("src/shop/main.py").is_some());
        let bad = [("package".to_owned(), "fastapi".to_owned())];
        assert!(matches!(
            crate::generate(&m, "python-fastapi", &bad),
            Err(Error::BadOption { .. })
        ));
    }

    #[test]
    fn derived_class_names_that_meet_are_reported() {
        let m = model(
            "specforge: 1\nname: shop\nentities:\n  Book:\n    fields:\n      title: string\n  Book Input:\n    fields:\n      x: string\n",
        );
        let Err(Error::Spec(problems)) = crate::generate(&m, "python-fastapi", &[]) else {
            panic!("a clash is expected");
        };
        assert!(
            problems.iter().any(|p| p.message.contains("BookInput")),
            "{problems:?}"
        );
    }

    #[test]
    fn enum_members_that_meet_are_reported() {
        let m = model(
            "specforge: 1\nname: shop\nenums:\n  Kind: [1st, v 1st]\nentities:\n  Book:\n    fields:\n      kind: Kind\n",
        );
        assert!(matches!(
            crate::generate(&m, "python-fastapi", &[]),
            Err(Error::Spec(_))
        ));
    }

    #[test]
    fn filters_that_meet_list_parameters_are_reported() {
        let m = model(
            "specforge: 1\nname: shop\nentities:\n  Book:\n    fields:\n      page: integer\n    list: { filters: [page] }\n",
        );
        assert!(matches!(
            crate::generate(&m, "python-fastapi", &[]),
            Err(Error::Spec(_))
        ));
    }

    #[test]
    fn markdown_lines_lose_markup() {
        assert_eq!(md_line("a *b*\n{{ c }}"), "a \\*b\\* \\{\\{ c \\}\\}");
    }
}
