//! Why generation fails: [`Error`], and the [`Problem`]s a target finds in a specification.

/// A problem with the specification that only a target finds (two names that become one
/// identifier, a type the target's language cannot hold).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// JSON Pointer (RFC 6901) into the specification.
    pub path: String,
    /// What is wrong, in one sentence.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (at `{}`)", self.message, self.path)
    }
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No target has this name.
    #[error("unknown target `{name}`{}", hint(.suggestion))]
    UnknownTarget {
        /// The name asked for.
        name: String,
        /// A known target with a close name.
        suggestion: Option<String>,
    },
    /// The target has no option with this name.
    #[error("target `{target}` has no option `{key}`{}", hint(.suggestion))]
    UnknownOption {
        /// The target.
        target: String,
        /// The option asked for.
        key: String,
        /// An option with a close name.
        suggestion: Option<String>,
    },
    /// An option's value is not allowed.
    #[error("option `{key}`: {reason}")]
    BadOption {
        /// The option.
        key: String,
        /// Why the value is refused.
        reason: String,
    },
    /// The specification cannot be generated for this target; fix the names or types listed.
    #[error("{} problem(s) for this target: {}", .0.len(), list(.0))]
    Spec(Vec<Problem>),
    /// A generated path is unsafe or doubled (a bug in a target).
    #[error("generated path `{path}` is refused: {reason}")]
    BadPath {
        /// The path.
        path: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// A template failed to render (a bug in a target).
    #[error("template `{name}` failed: {message}")]
    Template {
        /// The template's name.
        name: String,
        /// What went wrong.
        message: String,
    },
    /// Writing an archive failed.
    #[error("cannot write the archive: {0}")]
    Archive(String),
}

fn hint(suggestion: &Option<String>) -> String {
    suggestion
        .as_ref()
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default()
}

fn list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
