//! Names: how user-written names split into words, when two names collide once a target
//! normalises them, which names can become identifiers, and "did you mean" suggestions.

use crate::limits::MAX_NAME_BYTES;

/// Splits a name into lowercase words at `_`, `-`, spaces and case changes
/// (`userName`, `user_name`, `UserName` and `user-name` all give `["user", "name"]`;
/// `HTTPServer` gives `["http", "server"]`).
pub fn words(name: &str) -> Vec<String> {
    collision_key(name)
        .split('_')
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect()
}

/// The form under which two names collide: lowercase words joined by `_`.
pub fn collision_key(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    // Whether a word is open (something was written since the last separator).
    let mut open = false;
    let mut prev: Option<char> = None;
    let mut chars = name.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '_' || c == '-' || c.is_whitespace() {
            open = false;
            prev = None;
            continue;
        }
        if c.is_uppercase()
            && open
            && let Some(p) = prev
        {
            let next_lower = chars.peek().is_some_and(|n| n.is_lowercase());
            // A new word starts at an upper-case letter after a lower-case one or a digit
            // (`userName`), or at the last capital of an acronym (`HTTPServer`).
            if p.is_lowercase() || p.is_numeric() || (p.is_uppercase() && next_lower) {
                open = false;
            }
        }
        if !open && !out.is_empty() {
            out.push('_');
        }
        open = true;
        out.extend(c.to_lowercase());
        prev = Some(c);
    }
    out
}

/// snake_case form of a name.
pub fn snake(name: &str) -> String {
    collision_key(name)
}

/// A rough English plural of a snake_case word, for naming inferred inverse relations.
pub fn plural(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    let ends = |s: &str| lower.ends_with(s);
    if ends("s") || ends("x") || ends("z") || ends("ch") || ends("sh") {
        format!("{word}es")
    } else if ends("y")
        && !["ay", "ey", "iy", "oy", "uy"]
            .iter()
            .any(|v| lower.ends_with(v))
    {
        format!("{}ies", &word[..word.len() - 1])
    } else {
        format!("{word}s")
    }
}

/// What is wrong with a name, if anything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NameProblem {
    /// The name is empty or only separators.
    Empty,
    /// Longer than the limit, as written or in snake_case.
    TooLong {
        /// Length in bytes of the longer form.
        bytes: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// Does not start with a letter.
    BadStart(char),
    /// Contains a character that no target can put in an identifier.
    BadChar(char),
}

/// Checks that a name can become an identifier in every target: it starts with a letter and
/// holds only letters, digits, `_`, `-` and spaces; it is at most `limit` bytes long, both as
/// written and in snake_case.
pub fn check_identifier(name: &str, limit: usize) -> Result<(), NameProblem> {
    let Some(first) = name.chars().next() else {
        return Err(NameProblem::Empty);
    };
    let snake = snake(name);
    if snake.is_empty() {
        return Err(NameProblem::Empty);
    }
    if !first.is_alphabetic() {
        return Err(NameProblem::BadStart(first));
    }
    if let Some(bad) = name
        .chars()
        .find(|&c| !(c.is_alphanumeric() || c == '_' || c == '-' || c == ' '))
    {
        return Err(NameProblem::BadChar(bad));
    }
    let bytes = name.len().max(snake.len());
    if bytes > limit {
        return Err(NameProblem::TooLong { bytes, limit });
    }
    Ok(())
}

/// Checks an enum value: not empty, no control characters, at least one letter or digit, and
/// at most [`MAX_NAME_BYTES`] bytes (targets turn values into constants).
pub fn check_enum_value(value: &str) -> Result<(), NameProblem> {
    if value.trim().is_empty() || !value.chars().any(char::is_alphanumeric) {
        return Err(NameProblem::Empty);
    }
    if let Some(bad) = value.chars().find(|c| c.is_control()) {
        return Err(NameProblem::BadChar(bad));
    }
    if value.len() > MAX_NAME_BYTES {
        return Err(NameProblem::TooLong {
            bytes: value.len(),
            limit: MAX_NAME_BYTES,
        });
    }
    Ok(())
}

/// Optimal string alignment distance (Levenshtein with adjacent transpositions), in characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev2 = vec![0usize; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0usize; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate closest to `word`, if it is close enough to be a likely typo: same name
/// ignoring case and separators, or within an edit distance of a third of the word's length
/// (at least 1, at most 3).
pub fn suggest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    if word.chars().count() > 64 {
        return None;
    }
    let key = collision_key(word);
    let budget = (word.chars().count() / 3).clamp(1, 3);
    let mut best: Option<(usize, &'a str)> = None;
    for cand in candidates {
        if cand == word || cand.chars().count() > 64 {
            continue;
        }
        let d = if collision_key(cand) == key {
            0
        } else {
            edit_distance(&word.to_lowercase(), &cand.to_lowercase())
        };
        if d <= budget && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, cand));
        }
    }
    best.map(|(_, c)| c)
}

/// "did you mean `x`?" for a suggestion.
pub fn did_you_mean(suggestion: Option<&str>) -> Option<String> {
    suggestion.map(|s| format!("did you mean `{s}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_into_the_same_words_whatever_the_style() {
        for name in [
            "userName",
            "user_name",
            "UserName",
            "user-name",
            "user name",
            "USER_NAME",
        ] {
            assert_eq!(words(name), ["user", "name"], "{name}");
        }
        assert_eq!(words("HTTPServer"), ["http", "server"]);
        assert_eq!(words("page2Count"), ["page2", "count"]);
        assert_eq!(words("__"), Vec::<String>::new());
        assert_eq!(words("Straße"), ["straße"]);
    }

    #[test]
    fn identifiers_must_start_with_a_letter_and_fit_63_bytes() {
        assert_eq!(check_identifier("", 63), Err(NameProblem::Empty));
        assert_eq!(check_identifier("_", 63), Err(NameProblem::Empty));
        assert_eq!(check_identifier("1st", 63), Err(NameProblem::BadStart('1')));
        assert_eq!(check_identifier("a.b", 63), Err(NameProblem::BadChar('.')));
        assert!(check_identifier("émile", 63).is_ok());
        assert!(check_identifier(&"a".repeat(63), 63).is_ok());
        assert_eq!(
            check_identifier(&"a".repeat(64), 63),
            Err(NameProblem::TooLong {
                bytes: 64,
                limit: 63
            })
        );
        // 32 capitals become 63 bytes of snake_case only when split: "aB" x 21 = 42 bytes, 62 in snake.
        assert!(check_identifier(&"aB".repeat(21), 63).is_ok());
        assert!(check_identifier(&"aB".repeat(22), 63).is_err());
    }

    #[test]
    fn suggestions_catch_typos_and_nothing_far() {
        let keys = ["required", "unique", "default", "max_length"];
        assert_eq!(suggest("requird", keys), Some("required"));
        assert_eq!(suggest("maxLength", keys), Some("max_length"));
        assert_eq!(suggest("uniqeu", keys), Some("unique"));
        assert_eq!(suggest("colour", keys), None);
    }

    #[test]
    fn plurals_follow_common_english_endings() {
        assert_eq!(plural("book"), "books");
        assert_eq!(plural("category"), "categories");
        assert_eq!(plural("day"), "days");
        assert_eq!(plural("address"), "addresses");
        assert_eq!(plural("box"), "boxes");
    }
}
