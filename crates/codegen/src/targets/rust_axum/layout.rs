//! The few layout rules of rustfmt (style edition 2024, default widths) that the generated
//! statements meet, so that `cargo fmt --check` passes on the generated project: lines of at
//! most 100 characters, argument lists and arrays of at most 60 on one line, a lone string
//! argument exempt, short array items packed several to a line.

/// The widest line.
const MAX_WIDTH: usize = 100;
/// The widest argument list, tuple or array kept on one line.
const SMALL_WIDTH: usize = 60;
/// Array items at most this wide are packed several to a line.
const SHORT_ITEM: usize = 10;

fn exempt(args: &[String]) -> bool {
    args.len() == 1 && (args[0].starts_with('"') || args[0].starts_with("r#\""))
}

/// A call statement or expression line: `{indent}{prefix}{callee}({args}){suffix}`, then a
/// newline; broken after `prefix` or into one argument per line as rustfmt does.
pub(super) fn call(
    indent: &str,
    prefix: &str,
    callee: &str,
    args: &[String],
    suffix: &str,
) -> String {
    let joined = args.join(", ");
    let narrow = exempt(args) || joined.len() <= SMALL_WIDTH;
    let one = format!("{indent}{prefix}{callee}({joined}){suffix}");
    if narrow && one.len() <= MAX_WIDTH {
        return one + "\n";
    }
    let next = format!("{indent}    {callee}({joined}){suffix}");
    if narrow && prefix.trim_end().ends_with('=') && next.len() <= MAX_WIDTH {
        return format!("{indent}{}\n{next}\n", prefix.trim_end());
    }
    let mut out = format!("{indent}{prefix}{callee}(\n");
    for a in args {
        out.push_str(&format!("{indent}    {a},\n"));
    }
    out.push_str(&format!("{indent}){suffix}\n"));
    out
}

/// A tuple as an item of a vertical list: on one line, or one element per line.
pub(super) fn tuple_item(indent: &str, items: &[String]) -> String {
    let joined = items.join(", ");
    let one = format!("{indent}({joined}),");
    if joined.len() <= SMALL_WIDTH && one.len() <= MAX_WIDTH {
        return one + "\n";
    }
    let mut out = format!("{indent}(\n");
    for i in items {
        out.push_str(&format!("{indent}    {i},\n"));
    }
    out.push_str(&format!("{indent}),\n"));
    out
}

/// An array literal statement: `{indent}{prefix}[{items}]{suffix}`.
pub(super) fn array(indent: &str, prefix: &str, items: &[String], suffix: &str) -> String {
    let joined = items.join(", ");
    let one = format!("{indent}{prefix}[{joined}]{suffix}");
    if joined.len() <= SMALL_WIDTH && one.len() <= MAX_WIDTH {
        return one + "\n";
    }
    let mut out = format!("{indent}{prefix}[\n");
    let inner = format!("{indent}    ");
    if items.iter().all(|i| i.chars().count() <= SHORT_ITEM) {
        let mut line = String::new();
        for i in items {
            let piece = format!("{i},");
            if !line.is_empty() && inner.len() + line.len() + 1 + piece.len() > MAX_WIDTH {
                out.push_str(&format!("{inner}{line}\n"));
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&piece);
        }
        if !line.is_empty() {
            out.push_str(&format!("{inner}{line}\n"));
        }
    } else {
        for i in items {
            out.push_str(&format!("{inner}{i},\n"));
        }
    }
    out.push_str(&format!("{indent}]{suffix}\n"));
    out
}

/// `{keyword} {path}::{{items}};` and a newline: one name alone without braces, the list
/// broken and packed when the line is too long.
pub(super) fn use_list(keyword: &str, path: &str, items: &[String]) -> String {
    if items.len() == 1 {
        return format!("{keyword} {path}::{};\n", items[0]);
    }
    let one = format!("{keyword} {path}::{{{}}};", items.join(", "));
    if one.len() <= MAX_WIDTH {
        return one + "\n";
    }
    let mut out = format!("{keyword} {path}::{{\n");
    let mut line = String::new();
    for i in items {
        let piece = format!("{i},");
        if !line.is_empty() && 4 + line.len() + 1 + piece.len() > MAX_WIDTH {
            out.push_str(&format!("    {line}\n"));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&piece);
    }
    out.push_str(&format!("    {line}\n}};\n"));
    out
}

/// Sorts the names of a `use` list or of `mod` items as rustfmt does (`_` before letters and
/// digits, so `Self_` comes before `SelfInput`).
pub(super) fn sort_names<S: AsRef<str>>(names: &mut [S]) {
    names.sort_by(|a, b| {
        let key =
            |s: &str| -> Vec<(u8, char)> { s.chars().map(|c| (u8::from(c != '_'), c)).collect() };
        key(a.as_ref()).cmp(&key(b.as_ref()))
    });
}

/// `text` with every one-line function signature longer than 100 characters broken into one
/// parameter per line.
pub(super) fn break_signatures(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let trimmed = line.trim_start();
        let is_fn = ["pub async fn ", "async fn ", "pub fn ", "fn "]
            .iter()
            .any(|p| trimmed.starts_with(p));
        if is_fn
            && line.ends_with(" {")
            && line.len() > MAX_WIDTH
            && let Some(broken) = split_signature(line)
        {
            out.push_str(&broken);
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn split_signature(line: &str) -> Option<String> {
    let indent = &line[..line.len() - line.trim_start().len()];
    let open = line.find('(')?;
    let mut depth = 0usize;
    let mut close = None;
    let mut params = Vec::new();
    let mut start = open + 1;
    for (i, c) in line.char_indices().skip_while(|(i, _)| *i <= open) {
        match c {
            '(' | '[' | '<' => depth += 1,
            ')' if depth == 0 => {
                close = Some(i);
                break;
            }
            ')' | ']' | '>' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                params.push(line[start..i].trim().to_owned());
                start = i + 1;
            }
            _ => {}
        }
    }
    let close = close?;
    let last = line[start..close].trim();
    if !last.is_empty() {
        params.push(last.to_owned());
    }
    let mut out = format!("{}(\n", &line[..open]);
    for p in &params {
        out.push_str(&format!("{indent}    {p},\n"));
    }
    out.push_str(&format!("{indent}){}\n", &line[close + 1..]));
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn calls_break_as_rustfmt_breaks_them() {
        assert_eq!(
            call("    ", "let x = ", "f", &strings(&["a", "b"]), ";"),
            "    let x = f(a, b);\n"
        );
        let long = "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"";
        assert_eq!(
            call(
                "    ",
                "let y = ",
                "check.required",
                &strings(&[long, "validate::uuid"]),
                ";"
            ),
            format!(
                "    let y = check.required(\n        {long},\n        validate::uuid,\n    );\n"
            )
        );
    }

    #[test]
    fn long_signatures_are_broken() {
        let line = format!(
            "pub async fn list(tx: &mut Tx, query: &{}Query) -> Result<Page<X>, AppError> {{\n",
            "A".repeat(40)
        );
        let broken = break_signatures(&line);
        assert!(
            broken.starts_with("pub async fn list(\n    tx: &mut Tx,\n"),
            "{broken}"
        );
        assert!(
            broken.ends_with(") -> Result<Page<X>, AppError> {\n"),
            "{broken}"
        );
    }

    #[test]
    fn short_array_items_are_packed() {
        let items: Vec<String> = (0..30).map(|i| format!("\"v{i}\"")).collect();
        let text = array("    ", "pub const VALUES: &[&str] = &", &items, ";");
        assert!(text.lines().count() < 10, "{text}");
    }
}
