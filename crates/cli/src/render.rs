//! Prints diagnostics the way a compiler does: location, source line, caret, hint.

use std::fmt::Write as _;

use specforge_spec::span::LineIndex;
use specforge_spec::{Diagnostic, Severity};

/// Longest part of a source line shown, in characters.
const MAX_SHOWN: usize = 160;
/// Characters shown before the column when a line is cut.
const CONTEXT_BEFORE: usize = 60;

/// Terminal styling, off unless the output is a terminal and `NO_COLOR` is unset.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// Renders one diagnostic of `file` (whose text is `text`).
pub fn diagnostic(
    out: &mut String,
    file: &str,
    text: &str,
    lines: &LineIndex,
    d: &Diagnostic,
    style: Style,
) {
    let (label, color) = match d.severity {
        Severity::Error => ("error", "1;31"),
        Severity::Warning => ("warning", "1;33"),
    };
    let _ = writeln!(
        out,
        "{}{} {}",
        style.paint(color, &format!("{label}[{}]", d.code)),
        style.paint("1", ":"),
        style.paint("1", &d.message)
    );
    let gutter = d.line.to_string().len();
    let pad = " ".repeat(gutter);
    let _ = writeln!(
        out,
        "{pad}{} {file}:{}:{}",
        style.paint("1;34", "-->"),
        d.line,
        d.column
    );
    let source_line = lines.line_text(text, d.line);
    if !text.is_empty() {
        let bar = style.paint("1;34", "|");
        // Long lines (minified JSON, say) are cut to a window around the column.
        let chars: Vec<char> = source_line
            .chars()
            .map(|c| if c == '\t' { ' ' } else { c })
            .collect();
        let start_col = d.column.saturating_sub(1).min(chars.len());
        let from = if chars.len() > MAX_SHOWN {
            start_col.saturating_sub(CONTEXT_BEFORE)
        } else {
            0
        };
        let to = chars.len().min(from + MAX_SHOWN);
        let lead = if from > 0 { "…" } else { "" };
        let tail = if to < chars.len() { "…" } else { "" };
        let shown: String = chars[from..to].iter().collect();
        let _ = writeln!(out, "{pad} {bar}");
        let _ = writeln!(
            out,
            "{} {bar} {lead}{shown}{tail}",
            style.paint("1;34", &d.line.to_string())
        );
        // Underline the span on this line: at least one caret, never past the shown text.
        let span_chars = text
            .get(d.span.start..d.span.end.min(text.len()))
            .map_or(0, |s| s.split('\n').next().unwrap_or("").chars().count());
        let width = span_chars.min(to.saturating_sub(start_col)).max(1);
        let carets = style.paint(color, &"^".repeat(width));
        let indent = start_col - from + lead.chars().count();
        let _ = writeln!(out, "{pad} {bar} {}{carets}", " ".repeat(indent));
    }
    if let Some(hint) = &d.hint {
        let _ = writeln!(out, "{pad} {} {hint}", style.paint("1;36", "= hint:"));
    }
    let _ = writeln!(out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use specforge_spec::{Code, Source, Span};

    #[test]
    fn a_long_line_is_cut_to_a_window_around_the_column() {
        let text = format!("{}bad{}", "x".repeat(1000), "y".repeat(1000));
        let source = Source::new(&text);
        let d = source.error(Code::SyntaxError, Span::new(1000, 1003), "", "bad");
        let mut out = String::new();
        diagnostic(
            &mut out,
            "f",
            &text,
            &source.lines,
            &d,
            Style { color: false },
        );
        let lines: Vec<&str> = out.lines().collect();
        let shown = lines[3];
        assert!(shown.chars().count() < 200, "{shown}");
        assert!(
            shown.contains(&format!("…{}bad", "x".repeat(60))),
            "{shown}"
        );
        let caret = lines[4].chars().position(|c| c == '^').expect("caret");
        let under: String = shown.chars().skip(caret).take(3).collect();
        assert_eq!(under, "bad");
    }

    #[test]
    fn a_diagnostic_shows_location_source_line_caret_and_hint() {
        let text =
            "specforge: 1\nname: x\nentities:\n  A:\n    fields:\n      a: { type: strng }\n";
        let source = Source::new(text);
        let start = text.find("strng").unwrap_or(0);
        let d = source
            .error(
                Code::UnknownType,
                Span::new(start, start + 5),
                "/entities/A/fields/a/type",
                "unknown type `strng`",
            )
            .with_hint("did you mean `string`?");
        let mut out = String::new();
        diagnostic(
            &mut out,
            "spec.yaml",
            text,
            &source.lines,
            &d,
            Style { color: false },
        );
        let expected = "error[unknown_type]: unknown type `strng`\n \
                        --> spec.yaml:6:18\n  |\n6 |       a: { type: strng }\n  |                  ^^^^^\n  \
                        = hint: did you mean `string`?\n\n";
        assert_eq!(out, expected);
    }
}
