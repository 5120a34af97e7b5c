//! Passes several targets share, run on the [`Plan`](crate::plan::Plan) after it: the schema
//! as DDL (the `sql-*` targets and the full targets' migrations) and the OpenAPI document (the
//! `openapi` target and the document the full targets serve), and [`text`] escaping shared by
//! the targets. Names ([`crate::naming`]) and
//! sample values ([`crate::samples`]) are shared passes too.

pub mod ddl;
pub mod openapi_doc;
pub mod text;
