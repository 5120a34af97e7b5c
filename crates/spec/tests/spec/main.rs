//! Integration tests of the specification language: every diagnostic code, the model, the
//! formats, and properties over arbitrary input.

mod diagnostics;
mod formats;
mod model;
mod names;
mod props;

use specforge_spec::{Analysis, Code, Diagnostic, Format, analyze};

/// Analyzes YAML text.
pub fn yaml(text: &str) -> Analysis {
    analyze(text, Format::Yaml)
}

/// Asserts that `analysis` has a diagnostic with `code` at `line`:`column`, and returns it.
#[track_caller]
pub fn expect(analysis: &Analysis, code: Code, line: usize, column: usize) -> Diagnostic {
    match analysis
        .diagnostics
        .iter()
        .find(|d| d.code == code && d.line == line && d.column == column)
    {
        Some(d) => d.clone(),
        None => panic!(
            "expected {code} at {line}:{column}, got:\n{}",
            analysis
                .diagnostics
                .iter()
                .map(|d| format!(
                    "  {} {}:{} {} ({})",
                    d.code, d.line, d.column, d.message, d.path
                ))
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

/// Asserts that the analysis is valid and has no diagnostics at all.
#[track_caller]
pub fn clean(analysis: &Analysis) {
    assert!(
        analysis.diagnostics.is_empty() && analysis.valid,
        "expected no diagnostics, got: {:#?}",
        analysis.diagnostics
    );
}
