//! The layers of [`crate::app::layers`] that tower-http does not offer as they are needed here,
//! one per file.
//!
//! They are written out as tower services rather than `axum::middleware::from_fn`, which clones
//! and boxes the rest of the stack for every request: on the hot path they allocate nothing.
//! tower-http's `SetRequestId`/`PropagateRequestId` would keep a client's id whatever it holds,
//! and its `RequestBodyLimit` answers with a plain-text body of its own type; these layers check
//! the id and answer with problem documents instead.

mod declared_size;
mod problem;
mod request_id;

pub use declared_size::DeclaredSizeLayer;
pub use problem::ProblemLayer;
pub use request_id::{MAX_REQUEST_ID_LEN, REQUEST_ID, RequestIdLayer, is_sane_request_id};
