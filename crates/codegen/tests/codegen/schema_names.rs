//! Constraints and indexes are named by convention, the same in both dialects, and every name
//! of a schema is distinct, even for specifications written to make them meet.

use std::collections::BTreeSet;

use proptest::prelude::*;
use regex::Regex;
use specforge_codegen::passes::ddl::{Dialect, ddl};
use specforge_codegen::plan::{MAX_SQL_IDENT, Plan};
use specforge_codegen::sql_names;
use specforge_spec::Model;

use crate::{example, example_names};

fn model(yaml: &str) -> Model {
    let analysis = specforge_spec::analyze_bytes(yaml.as_bytes(), Some("spec.yaml"), None);
    analysis
        .model
        .unwrap_or_else(|| panic!("invalid: {:#?}", analysis.diagnostics))
}

/// The names a script gives its tables, constraints and indexes, in order.
fn object_names(sql: &str) -> Vec<String> {
    let name =
        Regex::new(r#"(?:CREATE TABLE|CONSTRAINT|CREATE INDEX) "((?:[^"]|"")+)""#).expect("regex");
    name.captures_iter(sql)
        .map(|c| c[1].replace("\"\"", "\""))
        .collect()
}

/// Asserts that the names of `sql` are distinct (as SQL compares them), short enough and ASCII.
fn assert_distinct(what: &str, sql: &str) {
    let names = object_names(sql);
    let mut seen = BTreeSet::new();
    for name in &names {
        assert!(
            seen.insert(name.to_ascii_lowercase()),
            "{what}: `{name}` twice"
        );
        assert!(
            name.len() <= MAX_SQL_IDENT && name.is_ascii(),
            "{what}: `{name}`"
        );
    }
}

#[test]
fn bookstore_names_its_constraints_and_indexes_by_table_and_column() {
    let model = example("bookstore.yaml");
    let plan = Plan::new(&model).expect("plan");
    let books = plan
        .entities
        .iter()
        .find(|e| e.table == "books")
        .expect("books");
    assert_eq!(books.primary_key, "pk_books");
    let field = |column: &str| {
        books
            .fields
            .iter()
            .find(|f| f.column == column)
            .expect("field")
    };
    assert_eq!(
        field("isbn").unique_constraint.as_deref(),
        Some("uq_books_isbn")
    );
    assert_eq!(
        field("pages").check_constraint.as_deref(),
        Some("ck_books_pages")
    );
    assert_eq!(field("status").index.as_deref(), Some("ix_books_status"));
    assert_eq!(field("published_at").check_constraint, None);
    let author = &books.refs[0];
    assert_eq!(author.foreign_key, "fk_books_author_id");
    assert_eq!(author.index.as_deref(), Some("ix_books_author_id"));
    let tags = &plan.joins[0];
    assert_eq!(tags.primary_key, "pk_books_tags");
    assert_eq!(tags.owner_foreign_key, "fk_books_tags_book_id");
    assert_eq!(tags.target_foreign_key, "fk_books_tags_tag_id");
    assert_eq!(tags.index, "ix_books_tags_tag_id");

    for dialect in [Dialect::Postgres, Dialect::Sqlite] {
        let sql = ddl(&plan, dialect);
        for expected in [
            "CONSTRAINT \"pk_authors\" PRIMARY KEY",
            "CONSTRAINT \"uq_authors_email\" UNIQUE (\"email\")",
            "CONSTRAINT \"uq_books_isbn\" UNIQUE (\"isbn\")",
            "CONSTRAINT \"ck_books_pages\" CHECK (\"pages\" >= 1 AND \"pages\" <= 10000)",
            "CONSTRAINT \"fk_books_author_id\"",
            "CREATE INDEX \"ix_books_author_id\" ON \"books\" (\"author_id\")",
            "CREATE INDEX \"ix_books_status\" ON \"books\" (\"status\")",
            "CREATE INDEX \"ix_authors_name\" ON \"authors\" (\"name\")",
            "CONSTRAINT \"pk_books_tags\" PRIMARY KEY (\"book_id\", \"tag_id\")",
            "CONSTRAINT \"fk_books_tags_tag_id\"",
            "CREATE INDEX \"ix_books_tags_tag_id\" ON \"books_tags\" (\"tag_id\")",
        ] {
            assert!(
                sql.contains(expected),
                "{dialect:?}: no {expected} in\n{sql}"
            );
        }
        assert_distinct(&format!("bookstore {dialect:?}"), &sql);
    }
}

#[test]
fn both_dialects_give_every_example_the_same_distinct_names() {
    for name in example_names() {
        let model = example(&name);
        let plan = Plan::new(&model).expect("plan");
        let postgres = ddl(&plan, Dialect::Postgres);
        let sqlite = ddl(&plan, Dialect::Sqlite);
        assert_distinct(&name, &postgres);
        let sorted = |sql: &str| object_names(sql).into_iter().collect::<BTreeSet<_>>();
        // PostgreSQL needs no check of booleans or of a VARCHAR's maximum, so SQLite may have
        // more checks; every other name is in both.
        let only_sqlite: Vec<String> = sorted(&sqlite)
            .difference(&sorted(&postgres))
            .filter(|n| !n.starts_with("ck_"))
            .cloned()
            .collect();
        assert!(only_sqlite.is_empty(), "{name}: {only_sqlite:?}");
        assert_distinct(&name, &sqlite);
    }
}

#[test]
fn names_that_would_meet_in_a_hostile_schema_are_told_apart() {
    // `Book.xes code` and `Books X.code` both make `uq_books_xes_code`; the table of `Pk Book`
    // is `pk_books`, the name of the primary key of `books`; the two long fields make names
    // that share their first 55 characters and the last 4 digits of their MD5.
    let model = model(
        "specforge: 1\nname: t\nentities:\n\
         \x20 Pk Book:\n    fields: { x: string }\n\
         \x20 Book:\n    fields:\n      xes code: { type: string, unique: true }\n\
         \x20 Books X:\n    fields:\n      code: { type: string, unique: true }\n\
         \x20 Thing:\n    fields:\n\
         \x20     record identifier of the customer account in the ledger aahu: { type: string, unique: true }\n\
         \x20     record identifier of the customer account in the ledger aakh: { type: string, unique: true }\n",
    );
    let plan = Plan::new(&model).expect("plan");
    let unique = |table: &str, i: usize| {
        let entity = plan
            .entities
            .iter()
            .find(|e| e.table == table)
            .expect("table");
        entity.fields[i].unique_constraint.clone().expect("unique")
    };
    assert_eq!(plan.entities[1].primary_key, "pk_books_2");
    assert_eq!(unique("books", 1), "uq_books_xes_code");
    assert_eq!(unique("books_xes", 1), "uq_books_xes_code_2");
    assert_eq!(
        unique("things", 1),
        "uq_things_record_identifier_of_the_customer_account_in__3f1a"
    );
    assert_eq!(
        sql_names::unique_name(
            "things",
            &["record_identifier_of_the_customer_account_in_the_ledger_aakh"]
        ),
        unique("things", 1),
        "the two names meet once cut"
    );
    assert_eq!(
        unique("things", 2),
        "uq_things_record_identifier_of_the_customer_account_in__107f"
    );
    for dialect in [Dialect::Postgres, Dialect::Sqlite] {
        assert_distinct(&format!("{dialect:?}"), &ddl(&plan, dialect));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_name_of_a_random_schema_is_distinct(text in crate::props::spec()) {
        let analysis = specforge_spec::analyze(&text, specforge_spec::Format::Yaml);
        prop_assume!(analysis.valid);
        let model = analysis.model.expect("a valid spec has a model");
        // Tables or columns that meet are reported by the plan; that is tested elsewhere.
        if let Ok(plan) = Plan::new(&model) {
            for dialect in [Dialect::Postgres, Dialect::Sqlite] {
                assert_distinct(&text, &ddl(&plan, dialect));
            }
        }
    }
}
