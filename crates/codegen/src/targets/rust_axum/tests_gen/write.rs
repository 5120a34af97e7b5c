//! Writing Rust the way rustfmt lays it out (default settings), so that generated tests pass
//! `cargo fmt --check` without running rustfmt: a call whose arguments are wider than 60
//! columns, or whose line is wider than 100, has one argument per line; a method chain wider
//! than 60 columns has one call per line. JSON bodies are written inside `json!({…})`, which
//! rustfmt leaves as it is.

use serde_json::Value;

use super::super::rust_str;

/// Widest line rustfmt keeps.
const MAX_WIDTH: usize = 100;
/// Widest argument list of a call on one line.
const CALL_WIDTH: usize = 60;
/// Widest method chain on one line.
const CHAIN_WIDTH: usize = 60;

/// The columns `text` takes (wide East Asian letters take two).
pub(super) fn width(text: &str) -> usize {
    text.chars()
        .map(|c| match u32::from(c) {
            0x1100..=0x115f
            | 0x2e80..=0x303e
            | 0x3041..=0x33ff
            | 0x3400..=0x4dbf
            | 0x4e00..=0x9fff
            | 0xa000..=0xa4cf
            | 0xac00..=0xd7a3
            | 0xf900..=0xfaff
            | 0xfe30..=0xfe4f
            | 0xff00..=0xff60
            | 0xffe0..=0xffe6
            | 0x20000..=0x3fffd => 2,
            _ => 1,
        })
        .sum()
}

/// The lines of a function body, indented by four spaces per level.
#[derive(Debug, Default)]
pub(super) struct Body {
    lines: Vec<String>,
    indent: usize,
}

impl Body {
    /// A body at `indent` levels.
    pub(super) fn at(indent: usize) -> Body {
        Body {
            lines: Vec::new(),
            indent,
        }
    }

    fn pad(&self) -> String {
        "    ".repeat(self.indent)
    }

    /// A line as it is.
    pub(super) fn line(&mut self, text: impl AsRef<str>) {
        let text = text.as_ref();
        if text.is_empty() {
            self.lines.push(String::new());
        } else {
            self.lines.push(format!("{}{text}", self.pad()));
        }
    }

    /// Opens a block: `head {`.
    pub(super) fn open(&mut self, head: impl AsRef<str>) {
        self.line(format!("{} {{", head.as_ref()));
        self.indent += 1;
    }

    /// Closes a block with `end` (`}` or `};`).
    pub(super) fn close(&mut self, end: &str) {
        self.indent -= 1;
        self.line(end);
    }

    /// `{prefix}{callee}({args}){suffix}`, one argument per line when it is too wide. Macros
    /// (`assert_eq!`) get no trailing comma, functions do.
    pub(super) fn call(&mut self, prefix: &str, callee: &str, args: &[String], suffix: &str) {
        let joined = args.join(", ");
        let one = format!("{}{prefix}{callee}({joined}){suffix}", self.pad());
        if width(&joined) <= CALL_WIDTH && width(&one) <= MAX_WIDTH && !joined.contains('\n') {
            self.lines.push(one);
            return;
        }
        self.line(format!("{prefix}{callee}("));
        self.indent += 1;
        let comma = !callee.ends_with('!');
        for (i, arg) in args.iter().enumerate() {
            let last = i + 1 == args.len();
            self.line(if last && !comma {
                arg.clone()
            } else {
                format!("{arg},")
            });
        }
        self.indent -= 1;
        self.line(format!("){suffix}"));
    }

    /// `{prefix}{receiver}.{calls[0]}.{calls[1]}…{suffix}`, one call per line when too wide.
    pub(super) fn chain(&mut self, prefix: &str, receiver: &str, calls: &[&str], suffix: &str) {
        let chain = format!("{receiver}.{}", calls.join("."));
        let one = format!("{}{prefix}{chain}{suffix}", self.pad());
        if width(&chain) <= CHAIN_WIDTH && width(&one) <= MAX_WIDTH {
            self.lines.push(one);
            return;
        }
        // A short receiver at the start of a line keeps the first call (`self.create(…)`).
        let joined = prefix.is_empty() && width(receiver) <= 4;
        if joined {
            self.line(format!("{receiver}.{}", calls[0]));
        } else {
            self.line(format!("{prefix}{receiver}"));
        }
        self.indent += 1;
        for (i, call) in calls.iter().enumerate().skip(usize::from(joined)) {
            let end = if i + 1 == calls.len() { suffix } else { "" };
            self.line(format!(".{call}{end}"));
        }
        self.indent -= 1;
    }

    /// `assert_eq!(left, right, message…)`.
    pub(super) fn assert_eq(&mut self, left: &str, right: &str, message: &[&str]) {
        let mut args = vec![left.to_owned(), right.to_owned()];
        args.extend(message.iter().map(|m| (*m).to_owned()));
        self.call("", "assert_eq!", &args, ";");
    }

    /// `let {name} = json!({…});` with one property per line.
    pub(super) fn json_object(&mut self, prefix: &str, properties: &[(String, String)]) {
        if properties.is_empty() {
            self.line(format!("{prefix}json!({{}});"));
            return;
        }
        self.line(format!("{prefix}json!({{"));
        self.indent += 1;
        for (key, value) in properties {
            self.line(format!("{}: {value},", rust_str(key)));
        }
        self.indent -= 1;
        self.line("});");
    }

    /// The lines, each ending in a newline.
    pub(super) fn finish(self) -> String {
        let mut out = String::new();
        for line in self.lines {
            out.push_str(&line);
            out.push('\n');
        }
        out
    }
}

/// A JSON value as the argument of `json!` (on one line).
pub(super) fn json(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                if i32::try_from(i).is_ok() {
                    i.to_string()
                } else {
                    format!("{i}_i64")
                }
            } else if let Some(u) = n.as_u64() {
                format!("{u}_u64")
            } else {
                let text = n.to_string();
                if text.contains(['.', 'e', 'E']) {
                    text
                } else {
                    format!("{text}.0")
                }
            }
        }
        Value::String(s) => string(s),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(json).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(map) => {
            let items: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", rust_str(k), json(v)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
    }
}

/// A value to compare a `serde_json::Value` with: strings, numbers and booleans as Rust
/// literals (`Value` compares equal to them), anything else in `json!`.
pub(super) fn comparable(value: &Value) -> String {
    match value {
        Value::String(_) | Value::Number(_) | Value::Bool(_) => json(value),
        _ => format!("json!({})", json(value)),
    }
}

/// A string as a Rust expression: a literal, or `"x".repeat(n)` for a long run of one
/// character (with the text around it in a `format!`).
pub(super) fn string(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let (mut best, mut best_len) = (0, 0);
    let mut i = 0;
    while i < chars.len() {
        let mut j = i;
        while j < chars.len() && chars[j] == chars[i] {
            j += 1;
        }
        if j - i > best_len {
            (best, best_len) = (i, j - i);
        }
        i = j;
    }
    if best_len < 40 {
        return rust_str(text);
    }
    let run = format!("{}.repeat({best_len})", rust_str(&chars[best].to_string()));
    let before: String = chars[..best].iter().collect();
    let after: String = chars[best + best_len..].iter().collect();
    if before.is_empty() && after.is_empty() {
        return run;
    }
    let escape = |s: &str| s.replace('{', "{{").replace('}', "}}");
    let template = rust_str(&format!("{}{{}}{}", escape(&before), escape(&after)));
    format!("format!({template}, {run})")
}

/// Percent-encodes a query value.
pub(super) fn encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn long_runs_are_repeated() {
        assert_eq!(string("abc"), "\"abc\"");
        assert_eq!(string(&"x".repeat(50)), "\"x\".repeat(50)");
        assert_eq!(
            string(&format!("{}@example.com", "x".repeat(45))),
            "format!(\"{}@example.com\", \"x\".repeat(45))"
        );
    }

    #[test]
    fn numbers_keep_their_type() {
        assert_eq!(json(&json!(5)), "5");
        assert_eq!(json(&json!(2_147_483_648_i64)), "2147483648_i64");
        assert_eq!(json(&json!(0.5)), "0.5");
        assert_eq!(json(&json!({"a": [1, null]})), "{\"a\": [1, null]}");
    }

    #[test]
    fn wide_calls_take_one_line_per_argument() {
        let mut body = Body::at(1);
        body.assert_eq("a", "b", &[]);
        body.assert_eq(
            "response.body[\"title\"]",
            &format!("json!({})", string(&"y".repeat(39))),
            &[],
        );
        assert_eq!(
            body.finish(),
            "    assert_eq!(a, b);\n    assert_eq!(\n        response.body[\"title\"],\n        json!(\"yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\")\n    );\n"
        );
    }
}
