//! Generates the example specifications for every target.
//!
//! Run with `cargo bench -p specforge-codegen`; the medians are recorded in `docs/benchmarks.md`.

use std::hint::black_box;
use std::path::Path;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use specforge_codegen::archive::{ArchiveFormat, write};
use specforge_codegen::{generate, targets};

fn model(name: &str) -> specforge_spec::Model {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name);
    let bytes = std::fs::read(&path).expect("example");
    specforge_spec::analyze_bytes(&bytes, Some(name), None)
        .model
        .expect("a valid example")
}

fn generation(c: &mut Criterion) {
    let mut group = c.benchmark_group("generate");
    for name in ["bookstore.yaml", "erp.yaml"] {
        let model = model(name);
        for target in targets() {
            group.bench_with_input(BenchmarkId::new(target.name(), name), &model, |b, m| {
                b.iter(|| generate(black_box(m), target.name(), &[]).expect("generate"));
            });
        }
    }
    group.finish();
}

fn archives(c: &mut Criterion) {
    let model = model("erp.yaml");
    let mut group = c.benchmark_group("archive");
    for target in ["python-fastapi", "rust-axum"] {
        let tree = generate(&model, target, &[]).expect("generate").tree;
        for (format, label) in [
            (ArchiveFormat::Zip, "zip"),
            (ArchiveFormat::TarGz, "tar.gz"),
        ] {
            group.bench_with_input(BenchmarkId::new(label, target), &tree, |b, t| {
                b.iter(|| write(black_box(t), format, Some("erp")).expect("archive"));
            });
        }
    }
    group.finish();
}

criterion_group!(benches, generation, archives);
criterion_main!(benches);
