//! Where the OpenAPI importer's diagnostics go.

use std::collections::HashSet;

use crate::diagnostic::{Code, Diagnostic, Source};
use crate::names::SuggestionBudget;
use crate::span::Span;

/// Where diagnostics go. A schema merged into several entities is translated several times, so
/// identical diagnostics are kept once; `muted` silences the dry runs used to look ahead.
pub(super) struct Reporter<'s, 'd> {
    pub(super) source: &'s Source<'s>,
    pub(super) out: &'d mut Vec<Diagnostic>,
    pub(super) seen: HashSet<(usize, usize, Code, String)>,
    pub(super) muted: u32,
    /// Edit-distance cells left for "did you mean" hints, so that a document full of unknown
    /// names cannot make the suggestions quadratic.
    pub(super) suggestion_budget: SuggestionBudget,
}

impl Reporter<'_, '_> {
    pub(super) fn emit(&mut self, d: Diagnostic) {
        if self.muted > 0 {
            return;
        }
        if self
            .seen
            .insert((d.span.start, d.span.end, d.code, d.message.clone()))
        {
            self.out.push(d);
        }
    }

    pub(super) fn warn(&mut self, span: Span, path: &str, message: String) {
        let d = self
            .source
            .warning(Code::UnsupportedConstruct, span, path, message);
        self.emit(d);
    }

    pub(super) fn warn_hint(&mut self, span: Span, path: &str, message: String, hint: &str) {
        let d = self
            .source
            .warning(Code::UnsupportedConstruct, span, path, message)
            .with_hint(hint);
        self.emit(d);
    }

    pub(super) fn error(
        &mut self,
        code: Code,
        span: Span,
        path: &str,
        message: String,
        hint: Option<String>,
    ) {
        let mut d = self.source.error(code, span, path, message);
        d.hint = hint;
        self.emit(d);
    }
}
