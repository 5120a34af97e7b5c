//! Pipelined PostgreSQL connections for the one-statement reads of the API's hot path
//! (`get_project`, `get_spec`, `get_user`).
//!
//! Each connection is a `tokio-postgres` client: every request in flight writes its query to
//! the same socket without waiting for the previous answer, and the server answers them in
//! order. Under load one backend process then reads and answers several queries per wake-up,
//! where one query per connection and round trip costs two task switches on each side; on a
//! 2-core machine that took `GET /api/v1/projects/{id}` from about 17,000 to about 26,000
//! requests per second (docs/benchmarks.md).
//!
//! Used only when the database URL says `sslmode=disable` (the connections carry no TLS);
//! otherwise the reads run on sqlx's direct connections. A dropped request leaves nothing
//! behind (the client discards its answer), a failed connection is replaced and the read
//! repeated once (reads are safe to repeat).

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio_postgres::config::SslMode;
use tokio_postgres::{Client, NoTls, Statement};

use super::{StoreError, StoreResult};

/// A pipelined connection and its prepared statements.
#[derive(Debug)]
pub(super) struct Conn {
    /// The client.
    pub client: Client,
    /// The prepared statements, in the order of [`Pipeline::new`]'s `statements`.
    pub statements: Vec<Statement>,
}

/// Pipelined connections, used in turn.
#[derive(Debug)]
pub(super) struct Pipeline {
    config: tokio_postgres::Config,
    statements: &'static [&'static str],
    /// A lock per slot, held only while a connection is opened.
    slots: Vec<tokio::sync::Mutex<Option<Arc<Conn>>>>,
    next: AtomicUsize,
    connect_timeout: Duration,
}

/// Whether an error means the connection is gone, so the read may succeed on a new one.
fn is_connection_error(err: &tokio_postgres::Error) -> bool {
    err.is_closed()
        || err
            .code()
            .is_some_and(|c| c.code().starts_with("08") || c.code().starts_with("57P"))
        || std::error::Error::source(err).is_some_and(|s| s.is::<std::io::Error>())
}

impl Pipeline {
    /// `connections` pipelined connections to `url` preparing `statements`, or `None` when the
    /// URL does not say `sslmode=disable`.
    pub fn new(
        url: &str,
        connections: usize,
        statements: &'static [&'static str],
        connect_timeout: Duration,
    ) -> StoreResult<Option<Self>> {
        let mut config = tokio_postgres::Config::from_str(url)
            .map_err(|e| StoreError::Config(format!("invalid PostgreSQL URL: {e}")))?;
        if config.get_ssl_mode() != SslMode::Disable {
            return Ok(None);
        }
        config.application_name("specforge");
        config.connect_timeout(connect_timeout);
        Ok(Some(Pipeline {
            config,
            statements,
            slots: (0..connections.max(1))
                .map(|_| tokio::sync::Mutex::new(None))
                .collect(),
            next: AtomicUsize::new(0),
            connect_timeout,
        }))
    }

    /// The connection of `slot`, opened (and its statements prepared) when there is none or
    /// the one there has closed.
    async fn conn(&self, slot: usize) -> StoreResult<Arc<Conn>> {
        let mut guard = self.slots[slot].lock().await;
        if let Some(conn) = guard.as_ref().filter(|c| !c.client.is_closed()) {
            return Ok(Arc::clone(conn));
        }
        *guard = None;
        let opened = tokio::time::timeout(self.connect_timeout, self.open()).await;
        let conn = Arc::new(opened.map_err(|_| unavailable())??);
        *guard = Some(Arc::clone(&conn));
        Ok(conn)
    }

    async fn open(&self) -> StoreResult<Conn> {
        let (client, connection) = self.config.connect(NoTls).await.map_err(database)?;
        // The connection task ends when the socket closes; the client then reports closed.
        tokio::spawn(async move {
            if let Err(e) = (Corked {
                inner: connection,
                yielded: false,
            })
            .await
            {
                tracing::debug!(error = %e, "a pipelined database connection ended");
            }
        });
        let mut statements = Vec::with_capacity(self.statements.len());
        for sql in self.statements {
            statements.push(client.prepare(sql).await.map_err(database)?);
        }
        Ok(Conn { client, statements })
    }

    /// Forgets the connection of `slot` if it is still `conn`.
    async fn discard(&self, slot: usize, conn: &Arc<Conn>) {
        let mut guard = self.slots[slot].lock().await;
        if guard.as_ref().is_some_and(|c| Arc::ptr_eq(c, conn)) {
            *guard = None;
        }
    }

    /// Closes every connection (a later read opens new ones).
    pub async fn close(&self) {
        for slot in &self.slots {
            slot.lock().await.take();
        }
    }

    /// Runs `read` on the next connection, once more on a new connection when that one turns
    /// out to be dead.
    pub async fn read<T, F, Fut>(&self, read: F) -> StoreResult<T>
    where
        F: Fn(Arc<Conn>) -> Fut,
        Fut: Future<Output = Result<T, tokio_postgres::Error>>,
    {
        let slot = self.next.fetch_add(1, Ordering::Relaxed) % self.slots.len();
        let mut attempts = 0;
        loop {
            attempts += 1;
            let conn = self.conn(slot).await?;
            match read(Arc::clone(&conn)).await {
                Ok(value) => return Ok(value),
                Err(e) if attempts <= 2 && is_connection_error(&e) => {
                    self.discard(slot, &conn).await;
                }
                Err(e) => return Err(database(e)),
            }
        }
    }
}

/// A connection future that, when woken, lets every other task that is ready run first: the
/// requests handled in the same turn of the scheduler then queue their queries before the
/// connection writes, and go out in one write instead of one each.
struct Corked<F> {
    inner: F,
    yielded: bool,
}

impl<F: Future + Unpin> Future for Corked<F> {
    type Output = F::Output;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<F::Output> {
        if !self.yielded {
            self.yielded = true;
            // Woken while running, the task goes to the back of the run queue.
            cx.waker().wake_by_ref();
            return std::task::Poll::Pending;
        }
        self.yielded = false;
        std::pin::Pin::new(&mut self.inner).poll(cx)
    }
}

fn unavailable() -> StoreError {
    StoreError::Database(sqlx::Error::PoolTimedOut)
}

/// A `tokio-postgres` error as a store error (the message goes to the log, never the client).
fn database(err: tokio_postgres::Error) -> StoreError {
    StoreError::Database(sqlx::Error::Protocol(format!("pipelined read: {err}")))
}
