//! Reading typed values from the tree (mappings, strings, booleans, lists of names), with the
//! diagnostics for keys and values of the wrong kind, and the checks of user-written names.

use crate::diagnostic::{Code, Diagnostic, pointer};
use crate::names::{NameProblem, did_you_mean, suggest};
use crate::node::{Entry, Node, Value};
use crate::span::Span;
use crate::{limits, names};

use super::Validator;

impl Validator<'_, '_> {
    pub(crate) fn push(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    pub(crate) fn error(&mut self, code: Code, span: Span, path: &str, msg: impl Into<String>) {
        let d = self.source.error(code, span, path, msg);
        self.push(d);
    }

    pub(crate) fn error_hint(
        &mut self,
        code: Code,
        span: Span,
        path: &str,
        msg: impl Into<String>,
        hint: Option<String>,
    ) {
        let mut d = self.source.error(code, span, path, msg);
        d.hint = hint;
        self.push(d);
    }

    /// Reports keys of `map` that are not in `allowed`, with a "did you mean".
    pub(crate) fn check_keys(&mut self, map: &[Entry], allowed: &[&str], path: &str, what: &str) {
        for e in map {
            if !allowed.contains(&e.key.name.as_str()) {
                let hint = did_you_mean(suggest(&e.key.name, allowed.iter().copied()))
                    .or_else(|| Some(format!("{what} takes: {}", allowed.join(", "))));
                self.error_hint(
                    Code::UnknownKey,
                    e.key.span,
                    &pointer(path, &e.key.name),
                    format!("unknown key `{}` in {what}", e.key.name),
                    hint,
                );
            }
        }
    }

    /// The node as a mapping, or an `invalid_value` error.
    pub(crate) fn map<'n>(
        &mut self,
        node: &'n Node,
        path: &str,
        what: &str,
    ) -> Option<&'n [Entry]> {
        match &node.value {
            Value::Map(m) => Some(m),
            Value::Null => Some(&[]),
            v => {
                self.error(
                    Code::InvalidValue,
                    node.span,
                    path,
                    format!("{what} must be a mapping, not {}", v.kind_name()),
                );
                None
            }
        }
    }

    /// The node as a string, or an `invalid_value` error.
    pub(crate) fn string(&mut self, node: &Node, path: &str, what: &str) -> Option<String> {
        match &node.value {
            Value::Str(s) => Some(s.clone()),
            v => {
                self.error(
                    Code::InvalidValue,
                    node.span,
                    path,
                    format!("{what} must be a string, not {}", v.kind_name()),
                );
                None
            }
        }
    }

    /// The node as a boolean, or an `invalid_value` error.
    pub(crate) fn boolean(&mut self, node: &Node, path: &str, what: &str) -> Option<bool> {
        match &node.value {
            Value::Bool(b) => Some(*b),
            Value::Str(s)
                if matches!(s.as_str(), "yes" | "no" | "on" | "off" | "True" | "False") =>
            {
                self.error_hint(
                    Code::InvalidValue,
                    node.span,
                    path,
                    format!("{what} must be true or false, not the string `{s}`"),
                    Some("write `true` or `false`".into()),
                );
                None
            }
            v => {
                self.error(
                    Code::InvalidValue,
                    node.span,
                    path,
                    format!("{what} must be true or false, not {}", v.kind_name()),
                );
                None
            }
        }
    }

    /// A list of strings (a single string is taken as a list of one).
    pub(crate) fn string_list(
        &mut self,
        node: &Node,
        path: &str,
        what: &str,
    ) -> Vec<(String, Span)> {
        match &node.value {
            Value::Str(s) => vec![(s.clone(), node.span)],
            Value::Null => Vec::new(),
            Value::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let p = pointer(path, &i.to_string());
                    if let Some(s) = self.scalar_text(item, &p, what) {
                        out.push((s, item.span));
                    }
                }
                out
            }
            v => {
                self.error(
                    Code::InvalidValue,
                    node.span,
                    path,
                    format!("{what} must be a list of names, not {}", v.kind_name()),
                );
                Vec::new()
            }
        }
    }

    /// A name written as a scalar; numbers and booleans are refused with a hint to quote them.
    fn scalar_text(&mut self, node: &Node, path: &str, what: &str) -> Option<String> {
        match &node.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::Null => {
                self.error_hint(
                    Code::InvalidValue,
                    node.span,
                    path,
                    format!("{what} must be a name, not {}", node.kind_name()),
                    Some("quote it to make it a string".into()),
                );
                None
            }
            v => {
                self.error(
                    Code::InvalidValue,
                    node.span,
                    path,
                    format!("{what} must be a name, not {}", v.kind_name()),
                );
                None
            }
        }
    }

    /// Checks that `name` can become an identifier in every target; reports and returns false if not.
    pub(crate) fn check_name(&mut self, name: &str, span: Span, path: &str, what: &str) -> bool {
        self.check_name_limit(name, span, path, what, limits::MAX_NAME_BYTES)
    }

    pub(crate) fn check_name_limit(
        &mut self,
        name: &str,
        span: Span,
        path: &str,
        what: &str,
        limit: usize,
    ) -> bool {
        match names::check_identifier(name, limit) {
            Ok(()) => true,
            Err(problem) => {
                self.report_name_problem(problem, name, span, path, what);
                false
            }
        }
    }

    pub(crate) fn report_name_problem(
        &mut self,
        problem: NameProblem,
        name: &str,
        span: Span,
        path: &str,
        what: &str,
    ) {
        match problem {
            NameProblem::Empty => self.error_hint(
                Code::InvalidName,
                span,
                path,
                format!("{what} name is empty"),
                Some("names need at least one letter".into()),
            ),
            NameProblem::TooLong { bytes, limit } => {
                let snake = names::snake(name);
                let message = if snake.len() > name.len() {
                    format!(
                        "{what} name `{name}` is {bytes} bytes long as `{snake}`; the limit is {limit}"
                    )
                } else {
                    format!("{what} name `{name}` is {bytes} bytes long; the limit is {limit}")
                };
                let hint = if limit < limits::MAX_NAME_BYTES {
                    format!(
                        "relation names keep {} bytes free for the `_id` of their foreign-key column",
                        limits::MAX_NAME_BYTES - limit
                    )
                } else {
                    format!("databases cut longer identifiers (PostgreSQL keeps {limit} bytes)")
                };
                self.error_hint(Code::NameTooLong, span, path, message, Some(hint));
            }
            NameProblem::BadStart(c) => self.error_hint(
                Code::InvalidName,
                span,
                path,
                format!("{what} name `{name}` starts with `{c}`, which cannot start an identifier"),
                Some("start names with a letter".into()),
            ),
            NameProblem::BadChar(c) => self.error_hint(
                Code::InvalidName,
                span,
                path,
                format!(
                    "{what} name `{name}` contains `{}`, which cannot be part of an identifier",
                    c.escape_debug()
                ),
                Some("use letters, digits, `_`, `-` or spaces".into()),
            ),
        }
    }
}
