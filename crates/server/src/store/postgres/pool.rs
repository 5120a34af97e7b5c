//! The PostgreSQL connections of one store, all tokio-postgres clients over the same TLS
//! settings, in two kinds:
//!
//! - **Shared** connections (one per 16 allowed, at least one) carry the one-statement reads of
//!   small rows (a project, a user, a list of projects). Concurrent requests write their queries
//!   to the same socket without waiting for the previous answer; one PostgreSQL backend then
//!   reads and answers several per wake-up, which on a small machine serves about half again as
//!   many reads per second as one query per connection and round trip (`docs/benchmarks.md`).
//!   A read goes to the least busy shared connection.
//! - **Exclusive** connections (the rest) are lent to one caller at a time: transactions,
//!   writes, and the reads that can return a specification's text (up to megabytes), so that a
//!   large answer never sits in front of small reads on a shared socket.
//!
//! Nothing is checked when a connection comes back: tokio-postgres keeps the protocol in step
//! even when a query's future is dropped half-way (its answer is read and discarded), and a
//! dropped transaction sends its ROLLBACK before anything that follows. A connection that closed
//! is replaced when next needed.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_postgres::{Client, Statement};

use super::tls::{MakeRustls, Settings, describe};
use crate::store::{StoreError, StoreResult};

/// How long opening a connection, or waiting for a free exclusive one, may take before the
/// call fails: a dead database answers with an error in seconds, not minutes.
pub(super) const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// A connection and the statements prepared on it.
#[derive(Debug)]
pub(super) struct Conn {
    pub client: Client,
    statements: Mutex<HashMap<&'static str, Statement>>,
}

impl Conn {
    /// The statement of `sql`, prepared on this connection at its first use.
    pub async fn prepared(&self, sql: &'static str) -> Result<Statement, tokio_postgres::Error> {
        if let Some(statement) = self.cached(sql) {
            return Ok(statement);
        }
        // Two concurrent first uses both prepare: harmless, the second name wins the cache.
        let statement = self.client.prepare(sql).await?;
        self.statements
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(sql, statement.clone());
        Ok(statement)
    }

    fn cached(&self, sql: &'static str) -> Option<Statement> {
        self.statements
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(sql)
            .cloned()
    }
}

/// Whether an error means the connection is gone (killed, server restarted, network), so the
/// same read on a new connection may well succeed.
pub(super) fn is_connection_error(err: &tokio_postgres::Error) -> bool {
    err.is_closed()
        || err
            .code()
            .is_some_and(|c| c.code().starts_with("08") || c.code().starts_with("57P"))
        || std::error::Error::source(err).is_some_and(|s| s.is::<std::io::Error>())
}

fn unavailable(what: &str) -> StoreError {
    StoreError::Unavailable(format!(
        "no database connection within {} s ({what})",
        ACQUIRE_TIMEOUT.as_secs()
    ))
}

#[derive(Debug)]
struct SharedSlot {
    conn: Mutex<Option<Arc<Conn>>>,
    /// Held only while a connection is opened, so concurrent reads open one, not many.
    opening: tokio::sync::Mutex<()>,
    in_flight: AtomicUsize,
}

/// The connections of one store.
#[derive(Debug)]
pub(super) struct Pool {
    config: tokio_postgres::Config,
    tls: MakeRustls,
    shared: Vec<SharedSlot>,
    idle: Mutex<Vec<Conn>>,
    /// One permit per exclusive connection; waiters are served in order.
    permits: Arc<Semaphore>,
}

impl Pool {
    /// At most `max_connections` connections (at least two: one shared, one exclusive). Opens
    /// one exclusive connection at once, so a wrong URL or an unreachable server fails here.
    pub async fn connect(settings: Settings, max_connections: u32) -> StoreResult<Pool> {
        let Settings { mut config, tls } = settings;
        config.application_name("specforge");
        config.connect_timeout(ACQUIRE_TIMEOUT);
        let max_connections = max_connections.max(2) as usize;
        let shared = (max_connections / 16).max(1);
        let pool = Pool {
            config,
            tls,
            shared: (0..shared)
                .map(|_| SharedSlot {
                    conn: Mutex::new(None),
                    opening: tokio::sync::Mutex::new(()),
                    in_flight: AtomicUsize::new(0),
                })
                .collect(),
            idle: Mutex::new(Vec::new()),
            permits: Arc::new(Semaphore::new(max_connections - shared)),
        };
        let first = pool.open().await?;
        pool.idle_list().push(first);
        Ok(pool)
    }

    fn idle_list(&self) -> std::sync::MutexGuard<'_, Vec<Conn>> {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    async fn open(&self) -> StoreResult<Conn> {
        let connecting = self.config.connect(self.tls.clone());
        let (client, connection) = tokio::time::timeout(ACQUIRE_TIMEOUT, connecting)
            .await
            .map_err(|_| unavailable("connecting timed out"))?
            .map_err(|e| StoreError::Unavailable(format!("cannot connect: {}", describe(&e))))?;
        // The connection task ends when the socket closes; the client then reports closed.
        tokio::spawn(async move {
            if let Err(e) = (Corked {
                inner: connection,
                yielded: false,
            })
            .await
            {
                tracing::debug!(error = %describe(&e), "a database connection ended");
            }
        });
        Ok(Conn {
            client,
            statements: Mutex::new(HashMap::new()),
        })
    }

    /// The least busy shared connection, opened if its slot has none (or a closed one).
    pub async fn shared(&self) -> StoreResult<SharedLease<'_>> {
        if self.permits.is_closed() {
            return Err(StoreError::Unavailable("the store is closed".into()));
        }
        let slot = self
            .shared
            .iter()
            .min_by_key(|s| s.in_flight.load(Ordering::Relaxed))
            .unwrap_or(&self.shared[0]);
        slot.in_flight.fetch_add(1, Ordering::Relaxed);
        // Counted from here, so that an early return below gives the load back.
        let mut lease = SharedLease { slot, conn: None };
        let current = || {
            slot.conn
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone()
                .filter(|c| !c.client.is_closed())
        };
        let conn = match current() {
            Some(conn) => conn,
            None => {
                let _opening = tokio::time::timeout(ACQUIRE_TIMEOUT, slot.opening.lock())
                    .await
                    .map_err(|_| unavailable("waiting for a shared connection"))?;
                match current() {
                    Some(conn) => conn,
                    None => {
                        let conn = Arc::new(self.open().await?);
                        *slot.conn.lock().unwrap_or_else(PoisonError::into_inner) =
                            Some(Arc::clone(&conn));
                        conn
                    }
                }
            }
        };
        lease.conn = Some(conn);
        Ok(lease)
    }

    /// Forgets a shared connection that turned out dead, if its slot still holds it.
    pub fn discard_shared(&self, lease: &SharedLease<'_>) {
        let mut current = lease
            .slot
            .conn
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let (Some(held), Some(dead)) = (current.as_ref(), lease.conn.as_ref())
            && Arc::ptr_eq(held, dead)
        {
            *current = None;
        }
    }

    /// An exclusive connection, for as long as the lease lives.
    pub async fn exclusive(&self) -> StoreResult<Lease<'_>> {
        let permit =
            tokio::time::timeout(ACQUIRE_TIMEOUT, Arc::clone(&self.permits).acquire_owned())
                .await
                .map_err(|_| unavailable("every connection is busy"))?
                .map_err(|_| StoreError::Unavailable("the store is closed".into()))?;
        let reused = loop {
            let Some(conn) = self.idle_list().pop() else {
                break None;
            };
            if !conn.client.is_closed() {
                break Some(conn);
            }
        };
        let conn = match reused {
            Some(conn) => conn,
            None => self.open().await?,
        };
        Ok(Lease {
            pool: self,
            conn: Some(conn),
            keep: true,
            _permit: permit,
        })
    }

    /// Closes every connection; calls after this fail.
    pub fn close(&self) {
        self.permits.close();
        self.idle_list().clear();
        for slot in &self.shared {
            slot.conn
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
        }
    }
}

/// A shared connection in use; counts towards its slot's load until dropped.
#[derive(Debug)]
pub(super) struct SharedLease<'a> {
    slot: &'a SharedSlot,
    conn: Option<Arc<Conn>>,
}

impl std::ops::Deref for SharedLease<'_> {
    type Target = Conn;

    fn deref(&self) -> &Conn {
        // Set before the lease is handed out.
        self.conn.as_deref().unwrap_or_else(|| unreachable!())
    }
}

impl Drop for SharedLease<'_> {
    fn drop(&mut self) {
        self.slot.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// An exclusive connection in use; back to the idle list when dropped, unless discarded.
#[derive(Debug)]
pub(super) struct Lease<'a> {
    pool: &'a Pool,
    conn: Option<Conn>,
    keep: bool,
    _permit: OwnedSemaphorePermit,
}

impl Lease<'_> {
    /// Closes the connection instead of keeping it, e.g. when it holds a session lock that
    /// could not be released.
    pub fn discard(mut self) {
        self.keep = false;
    }

    pub fn conn(&self) -> &Conn {
        self.conn.as_ref().unwrap_or_else(|| unreachable!())
    }

    pub fn conn_mut(&mut self) -> &mut Conn {
        self.conn.as_mut().unwrap_or_else(|| unreachable!())
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take()
            && self.keep
            && !conn.client.is_closed()
            && !self.pool.permits.is_closed()
        {
            self.pool.idle_list().push(conn);
        }
    }
}

/// A connection future that, when woken, lets every other ready task run first: the requests
/// handled in the same turn of the scheduler then queue their queries before the connection
/// writes, and go out in one write instead of one each (eight queries per `sendto` instead of
/// one and a quarter under load).
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
