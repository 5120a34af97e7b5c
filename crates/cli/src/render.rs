//! Prints diagnostics the way a compiler does: location, source line, caret, hint.
//!
//! [`diagnostics`] prints a whole list and groups repeated warnings; [`diagnostic`] prints one.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use specforge_spec::span::LineIndex;
use specforge_spec::{Code, Diagnostic, Severity};

/// Warnings of one code shown in full before the rest are counted on one line. A model of 300
/// entities that all lack something would otherwise print 300 snippets; JSON output keeps all.
pub const WARNINGS_SHOWN_PER_CODE: usize = 3;
/// Line numbers listed in the line that counts the warnings not shown.
const LINES_LISTED: usize = 5;

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

/// Renders the diagnostics of `file` in their order: every error, and the first
/// [`WARNINGS_SHOWN_PER_CODE`] warnings of each code; the warnings left out are counted at the
/// end, one line per code, with the lines they are on.
pub fn diagnostics(
    out: &mut String,
    file: &str,
    text: &str,
    lines: &LineIndex,
    list: &[Diagnostic],
    style: Style,
) {
    let mut seen: BTreeMap<Code, usize> = BTreeMap::new();
    let mut left_out: BTreeMap<Code, Vec<usize>> = BTreeMap::new();
    for d in list {
        if d.severity == Severity::Warning {
            let shown = seen.entry(d.code).or_default();
            if *shown >= WARNINGS_SHOWN_PER_CODE {
                left_out.entry(d.code).or_default().push(d.line);
                continue;
            }
            *shown += 1;
        }
        diagnostic(out, file, text, lines, d, style);
    }
    for (code, at) in left_out {
        let mut listed = at
            .iter()
            .take(LINES_LISTED)
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        if at.len() > LINES_LISTED {
            let _ = write!(listed, " and {} more", at.len() - LINES_LISTED);
        }
        let more = if at.len() == 1 { "warning" } else { "warnings" };
        let _ = writeln!(
            out,
            "{}{} {} more {more} like the above in {file} (lines {listed}); `specforge check --json` lists every one",
            style.paint("1;33", &format!("warning[{code}]")),
            style.paint("1", ":"),
            at.len(),
        );
        let _ = writeln!(out);
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
    fn repeated_warnings_are_shown_three_times_then_counted_and_errors_are_all_shown() {
        let text = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let source = Source::new(text);
        let at = |line: usize| Span::new(2 * line, 2 * line + 1);
        let mut list = Vec::new();
        for line in 0..5 {
            list.push(source.warning(Code::EmptyEntity, at(line), "", format!("empty {line}")));
        }
        list.push(source.error(Code::UnknownType, at(5), "", "bad type"));
        list.push(source.error(Code::UnknownType, at(6), "", "bad type again"));
        list.push(source.warning(Code::UnsupportedConstruct, at(7), "", "a tag"));
        let mut out = String::new();
        diagnostics(
            &mut out,
            "f",
            text,
            &source.lines,
            &list,
            Style { color: false },
        );
        for shown in [
            "empty 0",
            "empty 1",
            "empty 2",
            "bad type",
            "bad type again",
            "a tag",
        ] {
            assert!(
                out.contains(&format!(": {shown}\n")),
                "{shown} missing:\n{out}"
            );
        }
        for hidden in ["empty 3", "empty 4"] {
            assert!(!out.contains(hidden), "{hidden} shown:\n{out}");
        }
        assert!(
            out.contains(
                "warning[empty_entity]: 2 more warnings like the above in f (lines 4, 5); \
                 `specforge check --json` lists every one\n"
            ),
            "{out}"
        );
        assert!(
            !out.contains("warning[unsupported_construct]: 1 more"),
            "{out}"
        );
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
