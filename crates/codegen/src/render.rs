//! Embedded templates: one minijinja environment per target, strict about undefined values,
//! without auto-escaping, with `trim_blocks` and `lstrip_blocks` so block tags take no lines.

use minijinja::value::Serde;
use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Serialize;

use crate::error::Error;
use crate::tree::FileTree;

/// A target's templates: `(name, source)` pairs, usually from `include_str!`.
pub(crate) type Sources = &'static [(&'static str, &'static str)];

/// An environment holding `sources`.
pub(crate) fn environment(sources: Sources) -> Result<Environment<'static>, Error> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    let syntax = minijinja::syntax::SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build()
        .map_err(|e| Error::Template {
            name: "(syntax)".to_owned(),
            message: e.to_string(),
        })?;
    env.set_syntax(syntax);
    for (name, source) in sources {
        env.add_template(name, source)
            .map_err(|e| Error::Template {
                name: (*name).to_owned(),
                message: e.to_string(),
            })?;
    }
    Ok(env)
}

/// The value templates see for `context`. Built once per file tree and shared: converting a
/// large context for every rendered file made generation quadratic in the model's size.
pub(crate) fn context(context: &impl Serialize) -> Value {
    Value::from(Serde(context))
}

/// Renders the template `name` with `context` into `tree` at `path`.
pub(crate) fn render_into(
    env: &Environment<'_>,
    name: &str,
    context: &Value,
    tree: &mut FileTree,
    path: impl Into<String>,
) -> Result<(), Error> {
    let fail = |e: minijinja::Error| Error::Template {
        name: name.to_owned(),
        message: format!("{e:#}"),
    };
    let template = env.get_template(name).map_err(fail)?;
    let text = template.render(context).map_err(fail)?;
    tree.insert(path, text)
}
