//! Names: how user-written names split into words, when two names collide once a target
//! normalises them, which names can become identifiers, and "did you mean" suggestions.
//!
//! This module is the only place that turns text into names; every input format uses it, so the
//! same text gives the same name whatever the format. Which function to use:
//!
//! - [`snake_case`]: a free-form text (a Markdown `# Title`, an OpenAPI `info.title`) made into a
//!   name: words split at every character that is not a letter or digit and at case changes,
//!   every letter lowercased (letters outside ASCII stay letters: `Café Orders` ->
//!   `café_orders`), apostrophes dropped.
//! - [`collision_key`] (also [`snake`] and [`words`]): a name as the user wrote it, split only at
//!   `_`, `-`, white space and case changes; two names with the same key collide. For a name that
//!   passes [`check_identifier`] it is the same as [`snake_case`].
//! - [`pascal_case`]: a name made from other names (`Appointment` + `status` ->
//!   `AppointmentStatus`).
//! - [`alphanumeric_key`]: the letters and digits only, lowercased, for matching spellings that
//!   drop separators entirely (`createdAt`, `CREATED_AT`, `created-at`).
//! - [`suggest`], [`suggest_within_budget`] and [`edit_distance`]: "did you mean" hints.

use crate::limits::MAX_NAME_BYTES;

/// What a character does when text is split into words.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CharRole {
    /// Part of a word.
    Word,
    /// Ends the word before it.
    Separator,
    /// Left out without ending the word (an apostrophe: `Smith's` -> `smiths`).
    Dropped,
}

/// The words of `text`, lowercased and joined by `_`. A word ends at a separator and before an
/// upper-case letter that follows a lower-case letter or a digit (`userName`, `page2Count`), or
/// that is the last capital of an acronym followed by a lower-case letter (`HTTPServer`).
fn join_words(text: &str, role: impl Fn(char) -> CharRole) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    // Whether a word is open (something was written since the last separator).
    let mut open = false;
    let mut prev: Option<char> = None;
    let mut chars = text
        .chars()
        .filter(|&c| role(c) != CharRole::Dropped)
        .peekable();
    while let Some(c) = chars.next() {
        if role(c) == CharRole::Separator {
            open = false;
            prev = None;
            continue;
        }
        if c.is_uppercase()
            && open
            && let Some(p) = prev
        {
            let next_lower = chars.peek().is_some_and(|n| n.is_lowercase());
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

/// A free-form text made into a snake_case name, the same in every input format:
/// `Riverside Clinic` -> `riverside_clinic`, `MyAPIServer v2` -> `my_api_server_v2`,
/// `Dr. Smith's Clinic` -> `dr_smiths_clinic`, `Bücherei Verwaltung` -> `bücherei_verwaltung`,
/// `ÉCOLE` -> `école`.
///
/// Words split at every character that is not a letter or digit and at case changes (as in
/// [`collision_key`]); every letter is lowercased, letters outside ASCII included, and stays a
/// letter; apostrophes (`'` and `’`) are dropped without splitting. A text without a letter or
/// digit gives an empty name.
pub fn snake_case(text: &str) -> String {
    join_words(text, |c| {
        if c == '\'' || c == '\u{2019}' {
            CharRole::Dropped
        } else if c.is_alphanumeric() {
            CharRole::Word
        } else {
            CharRole::Separator
        }
    })
}

/// `payment_status`, `paymentStatus` and `payment status` -> `PaymentStatus`: the first letter
/// after every character that is not a letter or digit is upper-cased, the others are kept as
/// written, and the separators are dropped.
pub fn pascal_case(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut upper = true;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if upper {
                out.extend(c.to_uppercase());
            } else {
                out.push(c);
            }
            upper = false;
        } else {
            upper = true;
        }
    }
    out
}

/// The letters and digits of a name, lowercased: names equal under this are one name in
/// generated code whatever its style (`createdAt`, `created_at` and `CREATED-AT` are all
/// `createdat`).
pub fn alphanumeric_key(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

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

/// The form under which two names collide: lowercase words joined by `_`. Words split at `_`,
/// `-`, white space and case changes only; any other character is kept in its word (a name with
/// one is not an identifier, see [`check_identifier`]).
pub fn collision_key(name: &str) -> String {
    join_words(name, |c| {
        if c == '_' || c == '-' || c.is_whitespace() {
            CharRole::Separator
        } else {
            CharRole::Word
        }
    })
}

/// snake_case form of a name as the user wrote it (its [`collision_key`]).
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
    char_edit_distance(&a, &b)
}

/// [`edit_distance`] of two texts already split into characters.
fn char_edit_distance(a: &[char], b: &[char]) -> usize {
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

/// How many edit-distance cells the suggestions of one document may still compute, so that a
/// document full of unknown names cannot make its "did you mean" hints quadratic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SuggestionBudget {
    cells_left: usize,
}

impl SuggestionBudget {
    /// A budget of `cells` edit-distance cells (comparing words of `m` and `n` characters costs
    /// `(m + 1) * (n + 1)`).
    pub fn new(cells: usize) -> Self {
        SuggestionBudget { cells_left: cells }
    }
}

/// The candidate closest to `word` within a third of its length (at least 1 edit), case
/// ignored, for documents with many names: candidates are compared in order until `budget` is
/// spent, and those whose length differs by more than the edits allowed are not compared.
pub fn suggest_within_budget<'a, I>(
    word: &str,
    candidates: I,
    budget: &mut SuggestionBudget,
) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    const LONGEST: usize = 64;
    let target: Vec<char> = word.to_lowercase().chars().collect();
    if target.is_empty() || target.len() > LONGEST {
        return None;
    }
    let threshold = (target.len() / 3).max(1);
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        if candidate == word {
            continue;
        }
        let chars: Vec<char> = candidate.to_lowercase().chars().collect();
        if chars.len() > LONGEST || chars.len().abs_diff(target.len()) > threshold {
            continue;
        }
        let cost = (target.len() + 1) * (chars.len() + 1);
        if cost > budget.cells_left {
            break;
        }
        budget.cells_left -= cost;
        let d = char_edit_distance(&target, &chars);
        if d <= threshold && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, candidate));
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
    use proptest::prelude::*;

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
    fn snake_case_splits_words_at_separators_and_case_changes_and_keeps_non_ascii_letters() {
        assert_eq!(snake_case("Riverside Clinic"), "riverside_clinic");
        assert_eq!(snake_case("MyAPIServer v2"), "my_api_server_v2");
        assert_eq!(snake_case("HTTPServer"), "http_server");
        assert_eq!(snake_case("Clínica São José"), "clínica_são_josé");
        assert_eq!(snake_case("Dr. Smith's Clinic"), "dr_smiths_clinic");
        assert_eq!(snake_case("  --Pet   Store--  "), "pet_store");
        assert_eq!(snake_case("petstore"), "petstore");
        assert_eq!(snake_case("!!!"), "");
    }

    #[test]
    fn plurals_follow_common_english_endings() {
        assert_eq!(plural("book"), "books");
        assert_eq!(plural("category"), "categories");
        assert_eq!(plural("day"), "days");
        assert_eq!(plural("address"), "addresses");
        assert_eq!(plural("box"), "boxes");
    }

    #[test]
    fn snake_case_lowercases_every_letter_and_keeps_non_ascii_letters_as_letters() {
        assert_eq!(snake_case("Bücherei Verwaltung"), "bücherei_verwaltung");
        assert_eq!(snake_case("Café Orders"), "café_orders");
        assert_eq!(snake_case("ÉCOLE"), "école");
        assert_eq!(snake_case("ÜberShop"), "über_shop");
        assert_eq!(snake_case("v2Api"), "v2_api");
        assert_eq!(snake_case("Ærø’s Øl"), "ærøs_øl");
    }

    #[test]
    fn pascal_case_joins_words_with_capitals() {
        assert_eq!(pascal_case("payment_status"), "PaymentStatus");
        assert_eq!(pascal_case("paymentStatus"), "PaymentStatus");
        assert_eq!(pascal_case("café order"), "CaféOrder");
        assert_eq!(pascal_case("élève"), "Élève");
        assert_eq!(pascal_case("__"), "");
    }

    #[test]
    fn budgeted_suggestions_stop_when_the_budget_is_spent() {
        let keys = ["Author", "Book", "Tag"];
        let mut budget = SuggestionBudget::new(1_000);
        assert_eq!(
            suggest_within_budget("Authr", keys, &mut budget),
            Some("Author")
        );
        assert_eq!(
            suggest_within_budget("bok", keys, &mut budget),
            Some("Book")
        );
        assert_eq!(suggest_within_budget("Zebra", keys, &mut budget), None);
        let mut empty = SuggestionBudget::new(0);
        assert_eq!(suggest_within_budget("Authr", keys, &mut empty), None);
    }

    /// Text with ASCII and Latin-1 letters of both cases, digits, separators, punctuation and
    /// apostrophes.
    const TEXT: &str = "[A-Za-zÀ-ÖØ-öø-ÿ0-9 _\\-.,:!'’]{0,40}";

    proptest! {
        #[test]
        fn snake_case_is_idempotent_and_gives_lowercase_words_joined_by_one_underscore(
            text in TEXT
        ) {
            let name = snake_case(&text);
            prop_assert_eq!(snake_case(&name), name.clone());
            prop_assert!(
                name.chars().all(|c| c == '_' || (c.is_alphanumeric() && !c.is_uppercase())),
                "{name}"
            );
            prop_assert!(!name.starts_with('_') && !name.ends_with('_') && !name.contains("__"));
        }

        #[test]
        fn snake_case_of_an_identifier_is_its_collision_key(
            name in "[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ0-9_ -]{0,30}"
        ) {
            prop_assume!(check_identifier(&name, 1_000).is_ok());
            prop_assert_eq!(snake_case(&name), collision_key(&name));
        }

        #[test]
        fn pascal_case_of_snake_case_words_round_trips(
            words in prop::collection::vec("[a-zà-öø-ÿ]{2}[a-zà-öø-ÿ0-9]{0,8}", 1..5)
        ) {
            let snake = words.join("_");
            prop_assert_eq!(snake_case(&pascal_case(&snake)), snake);
        }
    }
}
