//! Parses and validates generated specifications of 10, 100 and 1,000 entities.
//!
//! Run with `cargo bench -p specforge-spec`; the medians are recorded in `docs/benchmarks.md`.

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use specforge_spec::{Format, analyze};

/// A specification with `n` entities of 8 fields each, a many-to-one to the previous entity,
/// a many-to-many every third entity, enums, list options and permissions.
fn generated_yaml(n: usize) -> String {
    let mut s = String::with_capacity(n * 700);
    s.push_str("specforge: 1\nname: generated\nauth:\n  roles: [admin, editor, viewer]\nenums:\n");
    for e in 0..(n / 10).max(1) {
        let _ = writeln!(s, "  Status{e}: [draft, active, archived, deleted]");
    }
    s.push_str("entities:\n");
    for i in 0..n {
        let _ = write!(
            s,
            "  Entity{i}:\n    description: Generated entity number {i}.\n    fields:\n      \
             title: {{ type: string, required: true, min_length: 1, max_length: 200 }}\n      \
             code: {{ type: string, unique: true, pattern: \"^[A-Z]{{3}}-[0-9]{{4}}$\" }}\n      \
             amount: {{ type: decimal, precision: 12, scale: 2, min: 0, default: 0 }}\n      \
             quantity: {{ type: integer, min: 0, max: 100000 }}\n      \
             status: {{ type: Status{}, default: draft }}\n      \
             active: {{ type: boolean, default: true }}\n      \
             starts_on: date\n      notes: text\n",
            i / 10
        );
        if i > 0 || i % 3 == 0 {
            s.push_str("    relations:\n");
        }
        if i > 0 {
            let _ = writeln!(
                s,
                "      parent: {{ to: Entity{}, kind: many_to_one, on_delete: cascade }}",
                i - 1
            );
        }
        if i % 3 == 0 {
            let _ = writeln!(
                s,
                "      links: {{ to: Entity{}, kind: many_to_many }}",
                (i + 1) % n
            );
        }
        s.push_str(
            "    list: { filters: [status, active], sort: [title, amount], page_size: 50 }\n    \
             permissions: { create: [admin, editor], update: [admin, editor], delete: [admin] }\n",
        );
    }
    s
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("analyze_yaml");
    for n in [10usize, 100, 1000] {
        let text = generated_yaml(n);
        let check = analyze(&text, Format::Yaml);
        assert!(
            check.valid,
            "generated spec must be valid: {:?}",
            check.diagnostics.first()
        );
        assert_eq!(check.summary.entities, n);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, text| {
            b.iter(|| analyze(black_box(text), Format::Yaml));
        });
    }
    group.finish();

    let mut group = c.benchmark_group("read_yaml_only");
    let yaml = generated_yaml(1000);
    group.throughput(Throughput::Bytes(yaml.len() as u64));
    group.bench_function("1000", |b| {
        b.iter(|| {
            let source = specforge_spec::Source::new(black_box(&yaml));
            let mut diags = Vec::new();
            specforge_spec::syntax::yaml::parse(&source, &mut diags)
        })
    });
    group.finish();

    let mut group = c.benchmark_group("analyze_json");
    let yaml = generated_yaml(1000);
    let json = yaml_to_json(&yaml);
    group.throughput(Throughput::Bytes(json.len() as u64));
    group.bench_function("1000", |b| {
        b.iter(|| analyze(black_box(&json), Format::Json))
    });
    group.finish();
}

/// The same document as JSON, through the library's own reader and the model-independent tree.
fn yaml_to_json(yaml: &str) -> String {
    let source = specforge_spec::Source::new(yaml);
    let mut diags = Vec::new();
    let tree = specforge_spec::syntax::yaml::parse(&source, &mut diags).expect("valid YAML");
    serde_json::to_string(&to_value(&tree)).expect("serializable")
}

fn to_value(node: &specforge_spec::Node) -> serde_json::Value {
    use specforge_spec::Value;
    match &node.value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => (*b).into(),
        Value::Int(n) => (*n).into(),
        Value::Float(f) => {
            serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, Into::into)
        }
        Value::Str(s) => s.clone().into(),
        Value::Seq(items) => items.iter().map(to_value).collect(),
        Value::Map(entries) => entries
            .iter()
            .map(|e| (e.key.name.clone(), to_value(&e.value)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
