//! The files: templates rendered with the project's context, and files copied as they are.

use super::context::Project;
use crate::error::Error;
use crate::render::{context, environment, render_into};
use crate::tree::FileTree;

macro_rules! template {
    ($path:literal) => {
        ($path, include_str!(concat!("templates/", $path)))
    };
}

static TEMPLATES: &[(&str, &str)] = &[
    template!("pyproject.toml.j2"),
    template!("requirements.txt.j2"),
    template!("requirements-dev.txt.j2"),
    template!("README.md.j2"),
    template!("Dockerfile.j2"),
    template!("alembic.ini.j2"),
    template!("migrations/env.py.j2"),
    template!("migrations/0001_initial.py.j2"),
    template!("src/__init__.py.j2"),
    template!("src/main.py.j2"),
    template!("src/models.py.j2"),
    template!("src/schemas.py.j2"),
    template!("src/routes.py.j2"),
    template!("tests/conftest.py.j2"),
    template!("tests/test_app.py.j2"),
];

/// Files copied as they are (they hold no name of the specification).
static STATIC: &[(&str, &str)] = &[
    template!("src/auth.py"),
    template!("src/config.py"),
    template!("src/crud.py"),
    template!("src/db.py"),
    template!("src/errors.py"),
    template!("src/fields.py"),
    template!("tests/support.py"),
    template!("github/ci.yml"),
    template!("gitignore"),
    template!("dockerignore"),
    template!("migrations/script.py.mako"),
];

/// Writes the files of `project` into `out`.
pub(super) fn write(project: &Project, out: &mut FileTree) -> Result<(), Error> {
    let env = environment(TEMPLATES)?;
    let pkg = format!("src/{}", project.package);
    // Converted once and shared by every file: a context per entity file that held the whole
    // project made generation quadratic in the number of entities.
    let shared = context(project);
    let ctx = minijinja::context! { p => shared.clone() };
    let simple: &[(&str, String)] = &[
        ("pyproject.toml.j2", "pyproject.toml".to_owned()),
        ("requirements.txt.j2", "requirements.txt".to_owned()),
        ("requirements-dev.txt.j2", "requirements-dev.txt".to_owned()),
        ("README.md.j2", "README.md".to_owned()),
        ("Dockerfile.j2", "Dockerfile".to_owned()),
        ("alembic.ini.j2", "alembic.ini".to_owned()),
        ("migrations/env.py.j2", "migrations/env.py".to_owned()),
        (
            "migrations/0001_initial.py.j2",
            "migrations/versions/0001_initial.py".to_owned(),
        ),
        ("src/__init__.py.j2", format!("{pkg}/__init__.py")),
        ("src/main.py.j2", format!("{pkg}/main.py")),
        ("src/models.py.j2", format!("{pkg}/models.py")),
        ("src/schemas.py.j2", format!("{pkg}/schemas.py")),
        ("src/routes.py.j2", format!("{pkg}/routes.py")),
        ("tests/conftest.py.j2", "tests/conftest.py".to_owned()),
        ("tests/test_app.py.j2", "tests/test_app.py".to_owned()),
    ];
    for (name, path) in simple {
        render_into(&env, name, &ctx, out, path.clone())?;
    }
    for (path, text) in &project.tests {
        out.insert(path.clone(), text.clone())?;
    }
    for (name, text) in STATIC {
        let path = match *name {
            "github/ci.yml" => ".github/workflows/ci.yml".to_owned(),
            "gitignore" => ".gitignore".to_owned(),
            "dockerignore" => ".dockerignore".to_owned(),
            n if n.starts_with("src/") => format!("{pkg}/{}", &n[4..]),
            n => n.to_owned(),
        };
        out.insert(path, *text)?;
    }
    Ok(())
}
