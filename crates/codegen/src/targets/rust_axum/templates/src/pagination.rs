//! Lists: `page`, `page_size`, `sort` and the filters of a query string, and the page sent
//! back.

use serde::Serialize;
use serde_json::Value;

use crate::error::{AppError, FieldError};

/// A page of a list.
#[derive(Debug, Serialize)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The page number, from 1.
    pub page: i64,
    /// Items per page.
    pub page_size: i64,
    /// Items matching the filters, on every page.
    pub total: i64,
}

/// Which page of a list is asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    /// The page number, from 1.
    pub page: i64,
    /// Items per page.
    pub page_size: i64,
}

impl PageRequest {
    /// How many items come before the page.
    pub fn offset(self) -> i64 {
        self.page.saturating_sub(1).saturating_mul(self.page_size)
    }
}

/// A sort order: what to sort by, and whether descending.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sort<T> {
    /// What to sort by.
    pub by: T,
    /// Largest first.
    pub descending: bool,
}

impl<T> Sort<T> {
    /// `ASC` or `DESC`.
    pub fn direction(&self) -> &'static str {
        if self.descending { "DESC" } else { "ASC" }
    }
}

/// The parameters of a query string, read one by one; problems are collected.
#[derive(Debug)]
pub struct ListParams {
    pairs: Vec<(String, String)>,
    page: PageRequest,
    errors: Vec<FieldError>,
}

impl ListParams {
    /// Reads `page` and `page_size` (default `page_size`, at most `max_page_size`).
    pub fn parse(
        query: Option<&str>,
        page_size: i64,
        max_page_size: i64,
    ) -> Result<Self, AppError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or(""))
            .map_err(|_| AppError::invalid("query", "the query string is malformed"))?;
        let mut params = ListParams {
            pairs,
            page: PageRequest { page: 1, page_size },
            errors: Vec::new(),
        };
        for (key, text) in &params.pairs {
            match key.as_str() {
                "page" => match text.parse::<i64>() {
                    Ok(n) if n >= 1 => params.page.page = n,
                    _ => params.errors.push(FieldError::new(
                        "query.page",
                        "must be a whole number from 1",
                    )),
                },
                "page_size" => match text.parse::<i64>() {
                    Ok(n) if (1..=max_page_size).contains(&n) => params.page.page_size = n,
                    _ => params.errors.push(FieldError::new(
                        "query.page_size",
                        format!("must be a whole number from 1 to {max_page_size}"),
                    )),
                },
                _ => {}
            }
        }
        Ok(params)
    }

    /// The `sort` parameter: a name `by` knows, `-` in front for descending.
    pub fn sort<T>(&mut self, by: impl Fn(&str) -> Option<T>) -> Option<Sort<T>> {
        let mut sort = None;
        for (key, text) in &self.pairs {
            if key != "sort" {
                continue;
            }
            let (descending, name) = match text.strip_prefix('-') {
                Some(name) => (true, name),
                None => (false, text.as_str()),
            };
            match by(name) {
                Some(by) => sort = Some(Sort { by, descending }),
                None => self
                    .errors
                    .push(FieldError::new("query.sort", "cannot sort by this")),
            }
        }
        sort
    }

    /// Refuses a `sort` parameter: the list has no sort order to choose.
    pub fn no_sort(&mut self) {
        self.sort(|_| None::<()>);
    }

    /// A filter on text: the value of `name`, checked by `parse`.
    pub fn text<T>(
        &mut self,
        name: &str,
        parse: impl Fn(&Value) -> Result<T, String>,
    ) -> Option<T> {
        self.filter(name, |text| Value::String(text.to_owned()), parse)
    }

    /// A filter on numbers: the value of `name` read as a number, checked by `parse`.
    pub fn number<T>(
        &mut self,
        name: &str,
        parse: impl Fn(&Value) -> Result<T, String>,
    ) -> Option<T> {
        self.filter(name, number_value, parse)
    }

    /// A filter on booleans: `true` or `false`, checked by `parse`.
    pub fn boolean<T>(
        &mut self,
        name: &str,
        parse: impl Fn(&Value) -> Result<T, String>,
    ) -> Option<T> {
        self.filter(name, boolean_value, parse)
    }

    fn filter<T>(
        &mut self,
        name: &str,
        value: impl Fn(&str) -> Value,
        parse: impl Fn(&Value) -> Result<T, String>,
    ) -> Option<T> {
        let mut out = None;
        for (key, text) in &self.pairs {
            if key != name {
                continue;
            }
            match parse(&value(text)) {
                Ok(v) => out = Some(v),
                Err(message) => self
                    .errors
                    .push(FieldError::new(format!("query.{name}"), message)),
            }
        }
        out
    }

    /// The page asked for, or 422 listing every problem found.
    pub fn finish(self) -> Result<PageRequest, AppError> {
        if self.errors.is_empty() {
            Ok(self.page)
        } else {
            Err(AppError::Invalid(self.errors))
        }
    }
}

fn number_value(text: &str) -> Value {
    if let Ok(n) = text.parse::<i64>() {
        return Value::from(n);
    }
    text.parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map_or_else(|| Value::String(text.to_owned()), Value::Number)
}

fn boolean_value(text: &str) -> Value {
    match text {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => Value::String(text.to_owned()),
    }
}
