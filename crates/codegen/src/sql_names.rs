//! Names of the schema's objects other than tables and columns: primary keys, unique
//! constraints, foreign keys, indexes and checks, named by convention so that an error message
//! of the database says what broke.
//!
//! | object | name |
//! |---|---|
//! | primary key | `pk_<table>` |
//! | unique constraint | `uq_<table>_<column>[_<column>...]` |
//! | foreign key | `fk_<table>_<column>` |
//! | index | `ix_<table>_<column>[_<column>...]` |
//! | check | `ck_<table>_<column>`: every check of a column, joined by `AND` |
//!
//! A name longer than [`MAX_SQL_IDENT`] (63) bytes keeps its first 55 characters, then `_` and
//! the last 4 hexadecimal digits of the MD5 of the whole name: the rule SQLAlchemy applies to
//! the names of a `MetaData(naming_convention=...)` on PostgreSQL, so a Python project that
//! declares the same convention computes the same names there. (SQLAlchemy does not cut names
//! on SQLite, so generated code that declares constraints names them with the plan's names.)
//!
//! Tables, columns and so these names are ASCII ([`crate::naming`]). PostgreSQL keeps primary
//! keys, unique constraints and indexes (and tables) in one namespace per schema, so
//! [`SchemaNames`] keeps every name of a schema distinct: two objects whose conventional names
//! meet (a table `a_b` with a column `c`, a table `a` with a column `b_c`), or whose truncated
//! names do, leave the first its name and give the next `_2`, `_3`, ... before truncation. The
//! plan holds the names given ([`crate::plan`]); the free functions give the conventional ones.

use std::collections::HashSet;
use std::fmt::Write as _;

use md5::{Digest, Md5};

use crate::plan::MAX_SQL_IDENT;

/// How many characters of a long name stay before `_` and the hash.
const KEPT: usize = MAX_SQL_IDENT - 8;

/// `name`, or, when longer than [`MAX_SQL_IDENT`], its first 55 characters, `_` and the last 4
/// hexadecimal digits of its MD5 (SQLAlchemy's truncation of convention names).
pub fn truncate(name: &str) -> String {
    if name.chars().count() <= MAX_SQL_IDENT {
        return name.to_owned();
    }
    let digest = Md5::digest(name.as_bytes());
    let mut hex = String::with_capacity(32);
    for byte in digest {
        let _ = write!(hex, "{byte:02x}");
    }
    let kept: String = name.chars().take(KEPT).collect();
    format!("{kept}_{}", &hex[hex.len() - 4..])
}

/// The conventional name before truncation: `prefix`, the table and the columns, joined by `_`.
fn convention(prefix: &str, table: &str, columns: &[&str]) -> String {
    let mut name = format!("{prefix}_{table}");
    for column in columns {
        name.push('_');
        name.push_str(column);
    }
    name
}

/// `pk_<table>`, truncated.
pub fn primary_key_name(table: &str) -> String {
    truncate(&convention("pk", table, &[]))
}

/// `uq_<table>_<column>[_<column>...]`, truncated.
pub fn unique_name(table: &str, columns: &[&str]) -> String {
    truncate(&convention("uq", table, columns))
}

/// `fk_<table>_<column>`, truncated.
pub fn foreign_key_name(table: &str, column: &str) -> String {
    truncate(&convention("fk", table, &[column]))
}

/// `ix_<table>_<column>[_<column>...]`, truncated.
pub fn index_name(table: &str, columns: &[&str]) -> String {
    truncate(&convention("ix", table, columns))
}

/// `ck_<table>_<column>`, truncated.
pub fn check_name(table: &str, column: &str) -> String {
    truncate(&convention("ck", table, &[column]))
}

/// The names already given in one schema, tables included. Each method returns the
/// conventional name when it is free, else the first free one of `<name>_2`, `<name>_3`, ...
/// (each truncated), and takes it.
#[derive(Clone, Debug, Default)]
pub struct SchemaNames {
    taken: HashSet<String>,
}

impl SchemaNames {
    /// The names of a schema holding `tables`.
    pub fn new<'a>(tables: impl IntoIterator<Item = &'a str>) -> Self {
        SchemaNames {
            taken: tables.into_iter().map(str::to_ascii_lowercase).collect(),
        }
    }

    /// The primary key of `table`.
    pub fn primary_key(&mut self, table: &str) -> String {
        self.claim(convention("pk", table, &[]))
    }

    /// A unique constraint of `table` over `columns`.
    pub fn unique(&mut self, table: &str, columns: &[&str]) -> String {
        self.claim(convention("uq", table, columns))
    }

    /// The foreign key of `column` in `table`.
    pub fn foreign_key(&mut self, table: &str, column: &str) -> String {
        self.claim(convention("fk", table, &[column]))
    }

    /// An index of `table` over `columns`.
    pub fn index(&mut self, table: &str, columns: &[&str]) -> String {
        self.claim(convention("ix", table, columns))
    }

    /// The check of `column` in `table`.
    pub fn check(&mut self, table: &str, column: &str) -> String {
        self.claim(convention("ck", table, &[column]))
    }

    fn claim(&mut self, base: String) -> String {
        let mut name = truncate(&base);
        let mut n = 2u32;
        // SQL compares unquoted names without case; generated names are lowercase already,
        // but a table could differ from one only in case.
        while !self.taken.insert(name.to_ascii_lowercase()) {
            name = truncate(&format!("{base}_{n}"));
            n += 1;
        }
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_follow_the_convention_unchanged() {
        assert_eq!(primary_key_name("books"), "pk_books");
        assert_eq!(unique_name("books", &["isbn"]), "uq_books_isbn");
        assert_eq!(
            unique_name("books", &["author_id", "title"]),
            "uq_books_author_id_title"
        );
        assert_eq!(foreign_key_name("books", "author_id"), "fk_books_author_id");
        assert_eq!(index_name("books", &["status"]), "ix_books_status");
        assert_eq!(check_name("books", "pages"), "ck_books_pages");
    }

    #[test]
    fn long_names_are_cut_as_sqlalchemy_cuts_convention_names() {
        // Expected values from Python: n[:55] + "_" + hashlib.md5(n.encode()).hexdigest()[-4:].
        assert_eq!(
            foreign_key_name(
                "library_branch_opening_hours_exceptions",
                "public_holiday_calendar_id"
            ),
            "fk_library_branch_opening_hours_exceptions_public_holid_f310"
        );
        assert_eq!(
            index_name(
                "customer_support_ticket_escalations",
                &["assigned_team_lead_id", "created_at"]
            ),
            "ix_customer_support_ticket_escalations_assigned_team_le_4a25"
        );
        // The name SQLAlchemy gives this index under `ix_%(table_name)s_%(column_0_name)s`.
        let table = "test_very_long_name_abcdefghijklmnopqrstuvwxyz";
        assert_eq!(
            index_name(table, &["abcdefghijklmnopqrstuvwxyz"]),
            "ix_test_very_long_name_abcdefghijklmnopqrstuvwxyz_abcde_5f65"
        );
    }

    #[test]
    fn a_name_of_exactly_63_bytes_is_kept_and_one_more_is_cut() {
        let table = "a".repeat(60);
        assert_eq!(primary_key_name(&table), format!("pk_{table}"));
        let longer = truncate(&format!("pk_{table}a"));
        assert_eq!(longer.len(), 60);
        assert!(longer.starts_with(&format!("pk_{}_", "a".repeat(52))));
    }

    #[test]
    fn names_that_meet_in_one_schema_are_told_apart() {
        let mut names = SchemaNames::new(["a_b", "a", "pk_tags"]);
        assert_eq!(names.unique("a_b", &["c"]), "uq_a_b_c");
        assert_eq!(names.unique("a", &["b_c"]), "uq_a_b_c_2");
        assert_eq!(names.unique("a", &["b_c"]), "uq_a_b_c_3");
        // A table already holds the name the primary key of `tags` would get.
        assert_eq!(names.primary_key("tags"), "pk_tags_2");
    }

    #[test]
    fn long_names_that_meet_once_cut_stay_distinct_and_short() {
        let table = "t".repeat(63);
        let mut names = SchemaNames::new([table.as_str()]);
        let first = names.index(&table, &["x"]);
        let second = names.index(&table, &["x"]);
        assert_ne!(first, second);
        assert!(first.len() <= MAX_SQL_IDENT && second.len() <= MAX_SQL_IDENT);
        assert_eq!(second, truncate(&format!("ix_{table}_x_2")));
    }
}
