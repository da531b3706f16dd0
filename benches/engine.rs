//! Criterion benches of the engine's parts on fixed seeds: one baseline trial, each allocation
//! rule on 5 firms, and folding an outcome into a summary. Run with `cargo bench`.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};

use allocsim::alloc::{Allocator, Method};
use allocsim::model::Model;
use allocsim::scenario;
use allocsim::stats::Summary;

fn baseline() -> scenario::Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    match scenario::load(&path, &[]) {
        Ok(s) => s,
        Err(e) => panic!("the shipped baseline must load: {e}"),
    }
}

fn trial(c: &mut Criterion) {
    let s = baseline();
    let model = Model::new(&s);
    let mut ws = model.workspace();
    let mut t = 0u64;
    c.bench_function("baseline trial", |b| {
        b.iter(|| {
            model.run_trial(black_box(s.seed), t, &mut ws);
            t += 1;
        })
    });
    let mut summary = Summary::new(&s);
    model.run_trial(s.seed, 0, &mut ws);
    c.bench_function("baseline trial: fold into summary", |b| {
        b.iter(|| summary.record(black_box(&ws.outcome)))
    });
}

fn rules(c: &mut Criterion) {
    let claims = [467_000, 417_000, 358_000, 258_000, 617_000];
    let order = [2, 0, 4, 1, 3];
    let weights = [3.0, 2.0, 2.0, 1.0, 1.5];
    let mut group = c.benchmark_group("rule on 5 firms");
    for (name, method) in [
        ("proportional", Method::Proportional),
        ("equal_awards", Method::EqualAwards),
        ("equal_losses", Method::EqualLosses),
        ("talmud", Method::Talmud),
        ("priority", Method::Order(&order)),
        ("weighted", Method::Weighted(&weights)),
    ] {
        let mut allocator = Allocator::new();
        let mut out = [0; 5];
        group.bench_function(name, |b| {
            b.iter(|| allocator.allocate(method, black_box(400_001), black_box(&claims), &mut out))
        });
    }
    group.finish();
}

criterion_group!(benches, trial, rules);
criterion_main!(benches);
