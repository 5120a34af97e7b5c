//! Generates an OpenAPI input of 10, 100 and 1,000 entities for every target, to show that
//! generation time grows linearly with the model.
//!
//! Run with `cargo bench -p specforge-codegen --bench by_size -- --warm-up-time 1
//! --measurement-time 3`; the medians are recorded in `docs/benchmarks.md`.

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use specforge_codegen::{generate, targets};

const SIZES: &[usize] = &[10, 100, 1000];

/// An OpenAPI 3.1 document of `n` object schemas with 8 properties each (strings with lengths
/// and a pattern, a decimal, a ranged integer, an enum with a default, a boolean, a date) and a
/// reference to the previous schema; one enum per 10 schemas.
fn openapi_text(n: usize) -> String {
    let mut s = String::with_capacity(n * 900);
    s.push_str(
        "openapi: 3.1.0\ninfo:\n  title: Generated\n  version: 1.0.0\n  description: A model \
         of many entities.\npaths: {}\ncomponents:\n  schemas:\n",
    );
    for e in 0..n.div_ceil(10) {
        let _ = writeln!(
            s,
            "    Status{e}:\n      type: string\n      enum: [draft, active, archived, deleted]"
        );
    }
    for i in 0..n {
        let _ = write!(
            s,
            "    Entity{i}:\n      type: object\n      description: Generated entity number \
             {i}.\n      required: [title{}]\n      properties:\n        \
             title: {{ type: string, minLength: 1, maxLength: 200 }}\n        \
             code: {{ type: string, pattern: \"^[A-Z]{{3}}-[0-9]{{4}}$\", x-unique: true }}\n        \
             amount: {{ type: number, format: decimal, minimum: 0 }}\n        \
             quantity: {{ type: integer, minimum: 0, maximum: 100000 }}\n        \
             status: {{ $ref: \"#/components/schemas/Status{}\", default: draft }}\n        \
             active: {{ type: boolean, default: true }}\n        \
             starts_on: {{ type: string, format: date }}\n        \
             notes: {{ type: string, maxLength: 2000 }}\n",
            if i > 0 { ", parent" } else { "" },
            i / 10
        );
        if i > 0 {
            let _ = writeln!(
                s,
                "        parent: {{ $ref: \"#/components/schemas/Entity{}\" }}",
                i - 1
            );
        }
    }
    s
}

fn model(n: usize) -> specforge_spec::Model {
    let text = openapi_text(n);
    let analysis = specforge_spec::analyze_bytes(text.as_bytes(), Some("generated.yaml"), None);
    let model = analysis.model.unwrap_or_else(|| {
        panic!(
            "the generated document must be valid: {:?}",
            analysis.diagnostics.first()
        )
    });
    assert_eq!(model.entities.len(), n);
    model
}

fn by_size(c: &mut Criterion) {
    let mut group = c.benchmark_group("generate_by_size");
    for &n in SIZES {
        let model = model(n);
        group.throughput(Throughput::Elements(n as u64));
        if n >= 1000 {
            group.sample_size(10);
        }
        for target in targets() {
            group.bench_with_input(BenchmarkId::new(target.name(), n), &model, |b, m| {
                b.iter(|| generate(black_box(m), target.name(), &[]).expect("generate"));
            });
        }
    }
    group.finish();
}

criterion_group!(benches, by_size);
criterion_main!(benches);
