//! Generation workers: tasks of the server process that claim queued generations from the
//! database and run the engine on them.
//!
//! The queue is the `generations` table ([`Storage::claim_generation`]): a claim holds a job for
//! one lease, which the worker renews with a heartbeat (carrying the job's progress) every third
//! of the lease. When the heartbeat is refused the job is no longer this worker's (canceled,
//! deleted, or claimed again after the lease ran out), and the worker drops it without writing.
//! A result is recorded only with the claim's token ([`Storage::complete_generation`]), so a job
//! run twice (a worker that stalled past its lease) commits one result. A job whose process died
//! is claimed again when its lease runs out, up to the attempt limit, then fails.
//!
//! The engine is synchronous CPU work: it runs on the blocking pool, under a time limit, and its
//! tree is refused above the file and byte caps. A worker sleeps when the queue is empty until a
//! job is queued in this process ([`AppState::wake_workers`]) or the poll interval passes (jobs
//! queued by another process).
//!
//! [`AppState::wake_workers`]: crate::state::AppState::wake_workers

use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Duration;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::Config;
use crate::store::{ClaimRules, ClaimedJob, FileToStore, GeneratedFile, JobOutput, Storage, Store};

/// How often an idle worker looks for jobs queued by another process.
const POLL_INTERVAL: Duration = Duration::from_secs(1);

/// What the workers need to know.
#[derive(Clone, Copy, Debug)]
pub struct JobSettings {
    /// Workers (jobs at once).
    pub concurrency: usize,
    /// Lease and attempt limit.
    pub rules: ClaimRules,
    /// Longest a job may run.
    pub timeout: Duration,
    /// Most files of one generation.
    pub max_files: usize,
    /// Most bytes of one generation.
    pub max_bytes: u64,
}

impl JobSettings {
    /// The settings of a configuration.
    pub fn from_config(config: &Config) -> Self {
        JobSettings {
            concurrency: config.worker_concurrency,
            rules: ClaimRules {
                lease: config.job_lease,
                max_attempts: config.job_max_attempts,
            },
            timeout: config.generation_timeout,
            max_files: config.generation_max_files,
            max_bytes: config.generation_max_bytes,
        }
    }
}

/// The running workers of this process.
#[derive(Debug)]
pub struct Workers {
    stop: CancellationToken,
    tracker: TaskTracker,
}

impl Workers {
    /// Starts `settings.concurrency` workers on `store`, woken by `wake`.
    pub fn start(store: Store, settings: JobSettings, wake: Arc<Notify>) -> Workers {
        let stop = CancellationToken::new();
        let tracker = TaskTracker::new();
        for _ in 0..settings.concurrency {
            tracker.spawn(worker(
                store.clone(),
                settings,
                Arc::clone(&wake),
                stop.clone(),
            ));
        }
        tracker.close();
        if settings.concurrency > 0 {
            tracing::info!(workers = settings.concurrency, "generation workers started");
        }
        Workers { stop, tracker }
    }

    /// A token that stops the workers when cancelled (for a caller that may be dropped).
    pub fn stop_token(&self) -> CancellationToken {
        self.stop.clone()
    }

    /// Stops claiming jobs and waits up to `grace` for the jobs in progress. A job still
    /// running after that is claimed again by a worker once its lease runs out.
    pub async fn shutdown(self, grace: Duration) {
        self.stop.cancel();
        if tokio::time::timeout(grace, self.tracker.wait())
            .await
            .is_err()
        {
            tracing::warn!(
                seconds = grace.as_secs(),
                "generation jobs still running after the grace period; they will be claimed again"
            );
        }
    }
}

/// One worker: claims and runs jobs until `stop`.
async fn worker(store: Store, settings: JobSettings, wake: Arc<Notify>, stop: CancellationToken) {
    while !stop.is_cancelled() {
        let idle = match store.claim_generation(settings.rules).await {
            Ok(Some(job)) => {
                run_job(&store, &settings, job).await;
                false
            }
            Ok(None) => true,
            Err(e) => {
                tracing::warn!(error = %e, "claiming a generation job failed");
                true
            }
        };
        if idle {
            tokio::select! {
                () = wake.notified() => {}
                () = tokio::time::sleep(POLL_INTERVAL) => {}
                () = stop.cancelled() => {}
            }
        }
    }
}

/// Runs one claimed job to its recorded end, or drops it when it stops being this worker's.
async fn run_job(store: &Store, settings: &JobSettings, job: ClaimedJob) {
    let span = tracing::info_span!("generation", id = %job.id, attempt = job.attempt);
    let progress = Arc::new(AtomicI32::new(0));
    let lost = CancellationToken::new();
    let beat = tokio::spawn(heartbeat(
        store.clone(),
        job.id,
        job.token,
        settings.rules.lease,
        Arc::clone(&progress),
        lost.clone(),
    ));
    let (id, token) = (job.id, job.token);
    let limits = *settings;
    let work = tokio::task::spawn_blocking({
        let progress = Arc::clone(&progress);
        move || build(&job, &limits, &progress)
    });
    let outcome = tokio::select! {
        joined = work => joined.unwrap_or_else(|e| {
            tracing::error!(parent: &span, error = %e, "the generator panicked");
            Err("the generator failed unexpectedly; the error has been logged".to_string())
        }),
        () = tokio::time::sleep(settings.timeout) => Err(format!(
            "generation took longer than {} s (GENERATION_TIMEOUT)",
            settings.timeout.as_secs()
        )),
        () = lost.cancelled() => {
            beat.abort();
            tracing::info!(parent: &span, "the job was canceled or claimed again; dropped");
            return;
        }
    };
    beat.abort();
    let recorded = match &outcome {
        Ok(output) => store.complete_generation(id, token, output).await,
        Err(error) => store.fail_generation(id, token, error).await,
    };
    match recorded {
        Ok(true) => match outcome {
            Ok(output) => tracing::info!(
                parent: &span,
                files = output.files.len(),
                bytes = output.total_bytes,
                digest = %output.digest,
                "generation succeeded"
            ),
            Err(error) => tracing::info!(parent: &span, %error, "generation failed"),
        },
        Ok(false) => tracing::info!(
            parent: &span,
            "the job was canceled or claimed again before its result was recorded; result dropped"
        ),
        // The lease runs out and the job is claimed again.
        Err(e) => tracing::warn!(parent: &span, error = %e, "recording the result failed"),
    }
}

/// Renews the lease every third of it, with the current progress; cancels `lost` when the job
/// is no longer this claim's.
async fn heartbeat(
    store: Store,
    id: uuid::Uuid,
    token: uuid::Uuid,
    lease: Duration,
    progress: Arc<AtomicI32>,
    lost: CancellationToken,
) {
    let every = (lease / 3).max(Duration::from_millis(100));
    loop {
        tokio::time::sleep(every).await;
        match store
            .heartbeat(id, token, progress.load(Ordering::Relaxed), lease)
            .await
        {
            Ok(true) => {}
            Ok(false) => {
                lost.cancel();
                return;
            }
            Err(e) => tracing::warn!(error = %e, %id, "renewing a job's lease failed"),
        }
    }
}

/// Analyses the revision, generates the tree, checks the caps and prepares the files to
/// store: the blocking part of a job.
fn build(
    job: &ClaimedJob,
    limits: &JobSettings,
    progress: &AtomicI32,
) -> Result<JobOutput, String> {
    let format: specforge_spec::Format = job
        .format
        .parse()
        .map_err(|e| format!("the stored specification has an unknown format: {e}"))?;
    let analysis = specforge_spec::analyze(&job.content, format);
    let Some(model) = analysis.model.as_ref() else {
        return Err(format!(
            "the specification revision is not valid: {} error(s)",
            analysis.error_count()
        ));
    };
    progress.store(20, Ordering::Relaxed);
    let options = option_pairs(&job.options);
    let output = specforge_codegen::generate(model, &job.target, &options)
        .map_err(|e| format!("cannot generate for target `{}`: {e}", job.target))?;
    progress.store(60, Ordering::Relaxed);
    let tree = &output.tree;
    if tree.len() > limits.max_files {
        return Err(format!(
            "the generation made {} files, more than the limit of {} (GENERATION_MAX_FILES)",
            tree.len(),
            limits.max_files
        ));
    }
    let total = tree.total_bytes() as u64;
    if total > limits.max_bytes {
        return Err(format!(
            "the generation made {total} bytes, more than the limit of {} (GENERATION_MAX_BYTES)",
            limits.max_bytes
        ));
    }
    let mut files = Vec::with_capacity(tree.len());
    for (path, contents) in tree.iter() {
        files.push(FileToStore {
            file: GeneratedFile {
                path: path.to_owned(),
                size: contents.len() as i64,
                sha256: specforge_codegen::sha256_hex(contents),
            },
            compressed: compress(contents).map_err(|e| format!("compressing {path}: {e}"))?,
        });
    }
    progress.store(90, Ordering::Relaxed);
    Ok(JobOutput {
        files,
        digest: output.digest(),
        total_bytes: i64::try_from(total).unwrap_or(i64::MAX),
    })
}

/// The stored options object as `key=value` pairs for the engine.
pub fn option_pairs(options: &serde_json::Value) -> Vec<(String, String)> {
    options
        .as_object()
        .map(|map| {
            map.iter()
                .map(|(k, v)| {
                    let value = match v {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    (k.clone(), value)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// zlib-compresses stored file contents.
pub fn compress(contents: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::ZlibEncoder::new(
        Vec::with_capacity(contents.len() / 3),
        flate2::Compression::new(6),
    );
    encoder.write_all(contents)?;
    encoder.finish()
}

/// The contents of stored, zlib-compressed bytes.
pub fn decompress(compressed: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut contents = Vec::new();
    flate2::read::ZlibDecoder::new(compressed).read_to_end(&mut contents)?;
    Ok(contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_contents_come_back_as_they_were() {
        let text = "fn main() {}\n".repeat(100);
        let packed = compress(text.as_bytes()).expect("compress");
        assert!(packed.len() < text.len());
        assert_eq!(decompress(&packed).expect("decompress"), text.as_bytes());
    }

    fn job(content: &str, target: &str) -> ClaimedJob {
        ClaimedJob {
            id: uuid::Uuid::now_v7(),
            token: uuid::Uuid::now_v7(),
            attempt: 1,
            target: target.into(),
            options: serde_json::json!({}),
            format: "yaml".into(),
            content: content.into(),
        }
    }

    fn limits(max_files: usize, max_bytes: u64) -> JobSettings {
        JobSettings {
            concurrency: 1,
            rules: ClaimRules {
                lease: Duration::from_secs(30),
                max_attempts: 3,
            },
            timeout: Duration::from_secs(60),
            max_files,
            max_bytes,
        }
    }

    const NOTES: &str =
        "specforge: 1\nname: notes\nentities:\n  Note:\n    fields:\n      text: string\n";

    #[test]
    fn a_job_stores_the_engines_tree_with_its_digest() {
        let progress = AtomicI32::new(0);
        let output =
            build(&job(NOTES, "sql-sqlite"), &limits(100, 1 << 20), &progress).expect("generated");
        let model = specforge_spec::analyze(NOTES, specforge_spec::Format::Yaml)
            .model
            .expect("valid");
        let engine = specforge_codegen::generate(&model, "sql-sqlite", &[]).expect("engine");
        assert_eq!(output.digest, engine.digest());
        assert_eq!(output.files.len(), engine.tree.len());
        for (stored, (path, contents)) in output.files.iter().zip(engine.tree.iter()) {
            assert_eq!(stored.file.path, path);
            assert_eq!(stored.file.sha256, specforge_codegen::sha256_hex(contents));
            assert_eq!(decompress(&stored.compressed).expect("inflate"), contents);
        }
        assert_eq!(progress.load(Ordering::Relaxed), 90);
    }

    #[test]
    fn the_caps_and_an_invalid_revision_fail_the_job_with_a_clear_error() {
        let progress = AtomicI32::new(0);
        let error = build(&job(NOTES, "sql-sqlite"), &limits(1, 1 << 20), &progress)
            .expect_err("too many files");
        assert!(error.contains("GENERATION_MAX_FILES"), "{error}");
        let error = build(&job(NOTES, "sql-sqlite"), &limits(100, 10), &progress)
            .expect_err("too many bytes");
        assert!(error.contains("GENERATION_MAX_BYTES"), "{error}");
        let error = build(
            &job("specforge: 1\nname: [", "openapi"),
            &limits(100, 1 << 20),
            &progress,
        )
        .expect_err("invalid");
        assert!(error.contains("not valid"), "{error}");
        let error = build(&job(NOTES, "cobol"), &limits(100, 1 << 20), &progress)
            .expect_err("unknown target");
        assert!(error.contains("cobol"), "{error}");
    }

    #[test]
    fn options_become_pairs_with_booleans_as_words() {
        let pairs = option_pairs(&serde_json::json!({"crate_name": "shop", "docker": false}));
        assert_eq!(
            pairs,
            [
                ("crate_name".to_string(), "shop".to_string()),
                ("docker".to_string(), "false".to_string())
            ]
        );
    }
}
