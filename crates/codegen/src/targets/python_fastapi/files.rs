//! The files: templates rendered with the project's context, and files copied as they are.

use super::context::{Project, PyEntity};
use super::pyimports;
use crate::error::Error;
use crate::render::{context, environment};
use crate::tree::FileTree;

macro_rules! template {
    ($path:literal) => {
        ($path, include_str!(concat!("templates/", $path)))
    };
}

static TEMPLATES: &[(&str, &str)] = &[
    template!("pyproject.toml.j2"),
    template!("README.md.j2"),
    template!("Dockerfile.j2"),
    template!("docker-compose.yml.j2"),
    template!("alembic.ini.j2"),
    template!("migrations/env.py.j2"),
    template!("migrations/0001_initial.py.j2"),
    template!("src/__init__.py.j2"),
    template!("src/main.py.j2"),
    template!("src/enums.py.j2"),
    template!("src/fields.py.j2"),
    template!("src/models/__init__.py.j2"),
    template!("src/models/entity.py.j2"),
    template!("src/schemas/entity.py.j2"),
    template!("src/repositories/entity.py.j2"),
    template!("src/routers/entity.py.j2"),
    template!("src/services/entity.py.j2"),
    template!("tests/conftest.py.j2"),
    template!("tests/test_app.py.j2"),
];

/// Files copied as they are (they hold no name of the specification).
static STATIC: &[(&str, &str)] = &[
    template!("src/auth.py"),
    template!("src/config.py"),
    template!("src/db.py"),
    template!("src/errors.py"),
    template!("src/logs.py"),
    template!("src/models/base.py"),
    template!("src/schemas/__init__.py"),
    template!("src/repositories/__init__.py"),
    template!("src/routers/__init__.py"),
    template!("src/services/__init__.py"),
    template!("tests/support.py"),
    template!("github/ci.yml"),
    template!("gitignore"),
    template!("dockerignore"),
    template!("migrations/script.py.mako"),
];

/// Files the user owns once written: regeneration never changes them.
static USER_OWNED: &[(&str, &str)] = &[template!("src/routers/custom.py")];

/// Names the generated package defines, by module: what the per-entity modules import.
fn shared_names(project: &Project) -> Vec<(String, String)> {
    let mut names: Vec<(String, String)> = Vec::new();
    let mut add = |module: &str, list: &[&str]| {
        for n in list {
            names.push(((*n).to_owned(), module.to_owned()));
        }
    };
    add(
        "..db",
        &[
            "DateTimeType",
            "DateType",
            "DecimalType",
            "JsonType",
            "SessionDep",
            "UuidType",
            "enum_values",
            "is_missing",
            "rows_by_id",
            "sort_order",
        ],
    );
    add(
        "..errors",
        &[
            "integrity_problem",
            "missing_reference",
            "not_found",
            "referred_to",
            "unprocessable",
        ],
    );
    add("..auth", &["require"]);
    add(
        "..fields",
        &[
            "AnyJson",
            "Bool",
            "DateInput",
            "DateTimeInput",
            "DateTimeOutput",
            "DecimalInput",
            "EmailText",
            "Float",
            "Int",
            "JsonValue",
            "Text",
            "UrlText",
            "UuidInput",
        ],
    );
    for scale in &project.decimal_scales {
        names.push((format!("Decimal{scale}"), "..fields".to_owned()));
    }
    for en in &project.enums {
        names.push((en.class.clone(), "..enums".to_owned()));
    }
    names
}

/// Writes the files of `project` into `out`.
pub(super) fn write(project: &Project, out: &mut FileTree) -> Result<(), Error> {
    let env = environment(TEMPLATES)?;
    let pkg = format!("src/{}", project.package);
    // Converted once and shared by every file: a context per entity file that held the whole
    // project made generation quadratic in the number of entities.
    let shared = context(project);
    let ctx = minijinja::context! { p => shared.clone() };
    let render = |name: &str, ctx: &minijinja::Value| -> Result<String, Error> {
        let fail = |e: minijinja::Error| Error::Template {
            name: name.to_owned(),
            message: format!("{e:#}"),
        };
        env.get_template(name)
            .map_err(fail)?
            .render(ctx)
            .map_err(fail)
    };
    let simple: &[(&str, String)] = &[
        ("pyproject.toml.j2", "pyproject.toml".to_owned()),
        ("README.md.j2", "README.md".to_owned()),
        ("Dockerfile.j2", "Dockerfile".to_owned()),
        ("docker-compose.yml.j2", "docker-compose.yml".to_owned()),
        ("alembic.ini.j2", "alembic.ini".to_owned()),
        ("migrations/env.py.j2", "migrations/env.py".to_owned()),
        (
            "migrations/0001_initial.py.j2",
            "migrations/versions/0001_initial.py".to_owned(),
        ),
        ("src/__init__.py.j2", format!("{pkg}/__init__.py")),
        ("src/main.py.j2", format!("{pkg}/main.py")),
        ("src/enums.py.j2", format!("{pkg}/enums.py")),
        ("src/fields.py.j2", format!("{pkg}/fields.py")),
        (
            "src/models/__init__.py.j2",
            format!("{pkg}/models/__init__.py"),
        ),
        ("tests/conftest.py.j2", "tests/conftest.py".to_owned()),
        ("tests/test_app.py.j2", "tests/test_app.py".to_owned()),
    ];
    for (name, path) in simple {
        let text = render(name, &ctx)?;
        if name.starts_with("migrations/0001") {
            // History once written: the user's, as later migrations build on it.
            let names: Vec<(String, String)> = shared_names(project)
                .into_iter()
                .filter(|(_, m)| m == "..db")
                .map(|(n, _)| (n, format!("{}.db", project.package)))
                .collect();
            out.insert_user_owned(path.clone(), pyimports::resolve(&text, &names))?;
        } else {
            out.insert(path.clone(), text)?;
        }
    }
    out.insert("openapi.json", project.openapi.clone())?;
    out.insert(format!("{pkg}/openapi.json"), project.openapi.clone())?;
    let names = shared_names(project);
    for entity in &project.entities {
        let ctx = minijinja::context! { p => shared.clone(), e => context(entity) };
        let m = &entity.module;
        for (kind, local) in [
            ("models", model_names(entity, &names)),
            ("schemas", names.clone()),
            ("repositories", entity_names(project, entity, &names)),
            ("routers", router_names(entity, &names)),
            ("services", entity_names(project, entity, &names)),
        ] {
            if kind == "services" && !entity.hooks {
                continue;
            }
            let text = render(&format!("src/{kind}/entity.py.j2"), &ctx)?;
            let text = pyimports::resolve(&text, &local);
            let path = format!("{pkg}/{kind}/{m}.py");
            if kind == "services" {
                out.insert_user_owned(path, text)?;
            } else {
                out.insert(path, text)?;
            }
        }
    }
    for (path, text) in &project.tests {
        out.insert(path.clone(), text.clone())?;
    }
    for (name, text) in STATIC {
        out.insert(static_path(name, &pkg), *text)?;
    }
    for (name, text) in USER_OWNED {
        out.insert_user_owned(static_path(name, &pkg), *text)?;
    }
    Ok(())
}

fn static_path(name: &str, pkg: &str) -> String {
    match name {
        "github/ci.yml" => ".github/workflows/ci.yml".to_owned(),
        "gitignore" => ".gitignore".to_owned(),
        "dockerignore" => ".dockerignore".to_owned(),
        n if n.starts_with("src/") => format!("{pkg}/{}", &n[4..]),
        n => n.to_owned(),
    }
}

/// The names a model module imports: the base, column types, enums.
fn model_names(entity: &PyEntity, names: &[(String, String)]) -> Vec<(String, String)> {
    let mut out = vec![("Base".to_owned(), ".base".to_owned())];
    out.extend(names.iter().filter(|(n, _)| n != &entity.class).cloned());
    out
}

/// The names a router module imports: the schemas, the repository and the service.
fn router_names(entity: &PyEntity, names: &[(String, String)]) -> Vec<(String, String)> {
    let m = &entity.module;
    let mut out = names.to_vec();
    for class in [&entity.class, &entity.input, &entity.page] {
        out.push((class.clone(), format!("..schemas.{m}")));
    }
    out.push((format!("{m} as repository"), "..repositories".to_owned()));
    out.push((format!("{m} as service"), "..services".to_owned()));
    out
}

/// The names a repository, router or service module imports: its model and schemas, the models
/// it refers to, the repository and service of the entity.
fn entity_names(
    project: &Project,
    entity: &PyEntity,
    names: &[(String, String)],
) -> Vec<(String, String)> {
    let m = &entity.module;
    let mut out = names.to_vec();
    out.push((entity.input.clone(), format!("..schemas.{m}")));
    out.push((entity.page.clone(), format!("..schemas.{m}")));
    for other in &project.entities {
        out.push((other.class.clone(), format!("..models.{}", other.module)));
    }
    out
}
