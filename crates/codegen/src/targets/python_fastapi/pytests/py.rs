//! A small writer of Python code laid out the way `ruff format` keeps it: an expression stays
//! on one line when it fits, otherwise its brackets are exploded one item per line with a
//! trailing comma (the "magic trailing comma" that keeps `ruff format` from joining them again).
//! Widths are over-estimated (every character outside ASCII counts as two columns), so a line
//! kept flat here is never one `ruff format` would split.

use std::fmt::Write as _;

use serde_json::Value;

use super::super::literals::py_str;

/// The line length of the generated project (`[tool.ruff] line-length`).
pub(crate) const WIDTH: usize = 100;

/// A Python expression.
#[derive(Clone, Debug)]
pub(crate) enum Expr {
    /// Text that is never split.
    Atom(String),
    /// `head(items)`, `head[items]`, `{items}`, `[items]`, `(items)` followed by `tail`.
    Group {
        head: String,
        open: char,
        items: Vec<Expr>,
        close: char,
        tail: String,
    },
    /// `key: value` in a dict, or `name=value` in a call (`sep` is `": "` or `"="`).
    Item {
        key: String,
        sep: &'static str,
        value: Box<Expr>,
    },
}

/// Text that is never split.
pub(crate) fn atom(text: impl Into<String>) -> Expr {
    Expr::Atom(text.into())
}

/// `head(args)`.
pub(crate) fn call(head: impl Into<String>, args: Vec<Expr>) -> Expr {
    Expr::Group {
        head: head.into(),
        open: '(',
        items: args,
        close: ')',
        tail: String::new(),
    }
}

/// `[items]`.
pub(crate) fn list(items: Vec<Expr>) -> Expr {
    Expr::Group {
        head: String::new(),
        open: '[',
        items,
        close: ']',
        tail: String::new(),
    }
}

/// `{key: value, ...}`.
pub(crate) fn dict(items: Vec<(String, Expr)>) -> Expr {
    Expr::Group {
        head: String::new(),
        open: '{',
        items: items
            .into_iter()
            .map(|(key, value)| Expr::Item {
                key,
                sep: ": ",
                value: Box::new(value),
            })
            .collect(),
        close: '}',
        tail: String::new(),
    }
}

/// `name=value`, a keyword argument.
pub(crate) fn kw(name: &str, value: Expr) -> Expr {
    Expr::Item {
        key: name.to_owned(),
        sep: "=",
        value: Box::new(value),
    }
}

/// A string literal.
pub(crate) fn s(text: &str) -> Expr {
    atom(py_str(text))
}

impl Expr {
    /// The expression followed by `tail` (a subscript, an attribute).
    pub(crate) fn then(mut self, more: &str) -> Expr {
        match &mut self {
            Expr::Atom(text) => text.push_str(more),
            Expr::Group { tail, .. } => tail.push_str(more),
            Expr::Item { value, .. } => {
                let inner = std::mem::replace(value.as_mut(), atom(""));
                **value = inner.then(more);
            }
        }
        self
    }

    /// On one line.
    pub(crate) fn flat(&self) -> String {
        match self {
            Expr::Atom(text) => text.clone(),
            Expr::Group {
                head,
                open,
                items,
                close,
                tail,
            } => {
                let inner: Vec<String> = items.iter().map(Expr::flat).collect();
                format!("{head}{open}{}{close}{tail}", inner.join(", "))
            }
            Expr::Item { key, sep, value } => format!("{key}{sep}{}", value.flat()),
        }
    }

    /// Laid out at `indent` after `prefix` on the first line, with `suffix` after it on the
    /// last.
    pub(crate) fn layout(&self, indent: usize, prefix: &str, suffix: &str) -> String {
        let flat = self.flat();
        if indent + width(prefix) + width(&flat) + width(suffix) <= WIDTH {
            return format!("{prefix}{flat}{suffix}");
        }
        let unsplittable = match self {
            Expr::Atom(_) => true,
            Expr::Group { items, .. } => items.is_empty(),
            Expr::Item { .. } => false,
        };
        if unsplittable {
            // The right side of an assignment that fits on a line of its own is put in
            // parentheses, as `ruff format` does; otherwise it stays as it is.
            if prefix.ends_with(" = ") && suffix.is_empty() && indent + 4 + width(&flat) <= WIDTH {
                let pad = " ".repeat(indent);
                return format!("{prefix}(\n{pad}    {flat}\n{pad})");
            }
            return format!("{prefix}{flat}{suffix}");
        }
        match self {
            Expr::Atom(_) => format!("{prefix}{flat}{suffix}"),
            Expr::Item { key, sep, value } => {
                value.layout(indent, &format!("{prefix}{key}{sep}"), suffix)
            }
            Expr::Group {
                head,
                open,
                items,
                close,
                tail,
            } => {
                if items.is_empty() {
                    return format!("{prefix}{flat}{suffix}");
                }
                let pad = " ".repeat(indent + 4);
                let mut out = format!("{prefix}{head}{open}\n");
                for item in items {
                    let _ = writeln!(out, "{pad}{}", item.layout(indent + 4, "", ","));
                }
                let _ = write!(out, "{}{close}{tail}{suffix}", " ".repeat(indent));
                out
            }
        }
    }
}

/// Columns a text takes, counting every character outside ASCII as two.
pub(crate) fn width(text: &str) -> usize {
    text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// A Python literal of a JSON value; a long run of one character is written `"x" * n`.
pub(crate) fn value(v: &Value) -> Expr {
    match v {
        Value::Null => atom("None"),
        Value::Bool(true) => atom("True"),
        Value::Bool(false) => atom("False"),
        Value::Number(n) => atom(n.to_string()),
        Value::String(text) => string(text),
        Value::Array(items) => list(items.iter().map(value).collect()),
        Value::Object(map) => dict(map.iter().map(|(k, v)| (py_str(k), value(v))).collect()),
    }
}

/// A string literal; a run of more than 16 of one character becomes `"x" * n`.
fn string(text: &str) -> Expr {
    let chars: Vec<char> = text.chars().collect();
    let mut best: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < chars.len() {
        let mut j = i;
        while j < chars.len() && chars[j] == chars[i] {
            j += 1;
        }
        if j - i > 16 && best.is_none_or(|(a, b)| j - i > b - a) {
            best = Some((i, j));
        }
        i = j;
    }
    let Some((a, b)) = best else {
        return s(text);
    };
    let before: String = chars[..a].iter().collect();
    let after: String = chars[b..].iter().collect();
    let mut parts = Vec::new();
    if !before.is_empty() {
        parts.push(py_str(&before));
    }
    parts.push(format!("{} * {}", py_str(&chars[a].to_string()), b - a));
    if !after.is_empty() {
        parts.push(py_str(&after));
    }
    atom(parts.join(" + "))
}

/// A block of statements at one indentation.
#[derive(Debug, Default)]
pub(crate) struct Block {
    pub(crate) indent: usize,
    pub(crate) text: String,
}

impl Block {
    /// A block at `indent` columns.
    pub(crate) fn new(indent: usize) -> Self {
        Block {
            indent,
            text: String::new(),
        }
    }

    /// A statement that is never split (it holds no user text, or little of it).
    pub(crate) fn line(&mut self, text: impl AsRef<str>) {
        let _ = writeln!(self.text, "{}{}", " ".repeat(self.indent), text.as_ref());
    }

    /// `prefix` + `expr` + `suffix`, laid out.
    pub(crate) fn stmt(&mut self, prefix: &str, expr: &Expr, suffix: &str) {
        let text = expr.layout(self.indent, prefix, suffix);
        let _ = writeln!(self.text, "{}{}", " ".repeat(self.indent), text);
    }

    /// A nested block (the body of a `for`, `with` or `if`).
    pub(crate) fn nested(&mut self, body: Block) {
        self.text.push_str(&body.text);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn expressions_stay_flat_when_they_fit_and_explode_otherwise() {
        let short = call("f", vec![atom("a"), kw("b", s("c"))]);
        assert_eq!(short.layout(4, "x = ", ""), "x = f(a, b=\"c\")");
        let long = dict(vec![
            (py_str("title"), s(&"t".repeat(90))),
            (py_str("pages"), atom("2")),
        ]);
        assert_eq!(
            long.layout(4, "body = ", ""),
            format!(
                "body = {{\n        \"title\": \"{}\",\n        \"pages\": 2,\n    }}",
                "t".repeat(90)
            )
        );
    }

    #[test]
    fn long_runs_become_repetitions() {
        assert_eq!(value(&json!("x".repeat(201))).flat(), "\"x\" * 201");
        assert_eq!(
            value(&json!(format!("{}@example.com", "x".repeat(40)))).flat(),
            "\"x\" * 40 + \"@example.com\""
        );
        assert_eq!(value(&json!("short")).flat(), "\"short\"");
    }
}
