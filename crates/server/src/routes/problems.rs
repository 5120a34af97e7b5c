//! The `application/problem+json` answers of each route, for the OpenAPI document.
//!
//! A route lists its error answers as one type made by [`problems!`]: a set of `(status,
//! description)` pairs, most of them the shared ones below. Every one is documented with the
//! [`Problem`](crate::error::Problem) schema, so no route can document an error with another
//! body or media type.

use std::collections::BTreeMap;

use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::{Ref, RefOr};

use crate::error::PROBLEM_JSON;

/// An error answer of a route: its status and what it means there.
pub type Answer = (u16, &'static str);

/// 400 of a route with a JSON body.
pub const BAD_JSON: Answer = (400, "The body is not valid JSON");
/// 400 of a list.
pub const BAD_LIST_QUERY: Answer = (
    400,
    "`limit` is outside 1..=100 or `cursor` is not a cursor of this list",
);
/// 401 of a protected route.
pub const NO_TOKEN: Answer = (401, "No valid access token");
/// 413 of a route with a body.
pub const TOO_LARGE: Answer = (413, "The body is too large");
/// 415 of a route with a JSON body.
pub const NOT_JSON: Answer = (415, "The body is not JSON");

/// The responses of `answers`, each a problem document.
pub fn responses(answers: &[Answer]) -> BTreeMap<String, RefOr<Response>> {
    answers
        .iter()
        .map(|&(status, description)| {
            let content = ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build();
            let response = ResponseBuilder::new()
                .description(description)
                .content(PROBLEM_JSON, content)
                .build();
            (status.to_string(), RefOr::T(response))
        })
        .collect()
}

/// Declares unit types whose `utoipa::IntoResponses` are the listed problem answers, each
/// declaration a documented `Name: [answer, ...];`, an answer a shared constant or a
/// `(status, description)` pair:
///
/// ```text
/// problems! {
///     /// Errors of `GET /things/{id}`.
///     ReadErrors: [NO_TOKEN, (404, "No such thing")];
/// }
/// ```
///
/// A route then names `ReadErrors` among its `responses(...)`.
macro_rules! problems {
    ($($(#[$doc:meta])* $name:ident: [$($answer:expr),* $(,)?];)+) => {
        $(
            $(#[$doc])*
            #[derive(Debug)]
            pub struct $name;

            impl utoipa::IntoResponses for $name {
                fn responses() -> std::collections::BTreeMap<
                    String,
                    utoipa::openapi::RefOr<utoipa::openapi::response::Response>,
                > {
                    $crate::routes::problems::responses(&[$($answer),*])
                }
            }
        )+
    };
}
pub(crate) use problems;
