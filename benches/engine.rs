//! Criterion benches of the engine's parts on fixed seeds: one baseline trial, each step a trial
//! is made of (opening a stream, the draws, an allocation, folding the outcome into a summary,
//! one at a time and a batch at a time as a run does), a run's work per trial (trial and fold
//! over distinct trials), each allocation rule on 5 firms, and the inverse distribution functions
//! of the Gaussian copula (`quantile`, a map's construction and `NormalMap::at`), and a trial
//! with correlated inputs and regimes (the copula step), and a sweep point-trial with and without
//! the world its points share, and what that world costs a point that draws it. Run with
//! `cargo bench --bench engine`; the README's table of cost per step comes from here.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use allocsim::alloc::{Allocator, Method};
use allocsim::dist::{Dist, DistSpec};
use allocsim::model::Model;
use allocsim::rng::{Purpose, TrialStreams};
use allocsim::scenario;
use allocsim::stats::{Recorder, Summary};

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
    // As a run folds: distinct outcomes, a batch at a time, into tallies that keep growing.
    let outcomes: Vec<_> = (0..OUTCOMES)
        .map(|t| {
            model.run_trial(s.seed, t, &mut ws);
            ws.outcome.clone()
        })
        .collect();
    let mut recorder = Recorder::new(&s);
    let mut group = c.benchmark_group("baseline trial");
    group.throughput(Throughput::Elements(OUTCOMES));
    group.bench_function("fold distinct outcomes with a recorder", |b| {
        b.iter(|| outcomes.iter().for_each(|o| recorder.record(black_box(o))))
    });
    let mut recorder = Recorder::new(&s);
    group.bench_function("run and fold (a run's work per trial)", |b| {
        b.iter(|| {
            for t in 0..OUTCOMES {
                model.run_trial(black_box(s.seed), t, &mut ws);
                recorder.record(&ws.outcome);
            }
        })
    });
    group.finish();
}

/// Outcomes per iteration of the batched benches (their times are per outcome).
const OUTCOMES: u64 = 8192;

/// The steps of a baseline trial, one call each. Multiply by the calls per trial (README) for
/// their share of a trial.
fn steps(c: &mut Criterion) {
    let s = baseline();
    let mut group = c.benchmark_group("step");
    let mut t = 0u64;
    group.bench_function(
        "open a stream and draw one uniform (shock, approval)",
        |b| {
            b.iter(|| {
                t += 1;
                TrialStreams::new(black_box(s.seed), t).uniform(Purpose::Approval { round: 2 })
            })
        },
    );
    let draws = [
        ("PERT orders (ByteDance)", &s.firms[0].orders),
        ("PERT batch (round 2)", &s.approval[1].batch),
        ("PERT domestic supply", &s.domestic.supply[0]),
        ("Beta(8, 2) conversion", &s.conversion),
    ];
    for (name, dist) in draws {
        group.bench_function(format!("open a stream and draw {name}"), |b| {
            b.iter(|| {
                t += 1;
                let mut rng =
                    TrialStreams::new(black_box(s.seed), t).rng(Purpose::Batch { round: 2 });
                dist.sample(&mut rng)
            })
        });
    }
    let claims = [467_000, 417_000, 358_000, 258_000, 617_000, 20_000];
    let mut allocator = Allocator::new();
    let mut out = [0; 6];
    group.bench_function("proportional allocation, 6 firms", |b| {
        b.iter(|| {
            allocator.allocate(
                Method::Proportional,
                black_box(400_001),
                black_box(&claims),
                &mut out,
            )
        })
    });
    group.finish();
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

/// The copula's inverses (MODEL.md "Dependence"): `quantile` (exact, iterative for pert, beta and
/// the truncated normal), building a `NormalMap` (once per model), and `NormalMap::at` on a
/// spread of z (the hot loop's call: a correlated scenario makes ~15 a trial).
fn inverse(c: &mut Criterion) {
    let spec = |dist: &str| DistSpec {
        dist: dist.into(),
        ..DistSpec::default()
    };
    let build = |s: DistSpec| match Dist::from_spec(&s) {
        Ok(d) => d,
        Err(e) => panic!("bench distribution: {e}"),
    };
    let dists = [
        (
            "pert(500000, 700000, 900000)",
            build(DistSpec {
                min: Some(500_000.0),
                mode: Some(700_000.0),
                max: Some(900_000.0),
                ..spec("pert")
            }),
        ),
        (
            "beta(8, 2)",
            build(DistSpec {
                alpha: Some(8.0),
                beta: Some(2.0),
                ..spec("beta")
            }),
        ),
        (
            "triangular(300000, 400000, 500000)",
            build(DistSpec {
                min: Some(300_000.0),
                mode: Some(400_000.0),
                max: Some(500_000.0),
                ..spec("triangular")
            }),
        ),
        (
            "normal(100, 20) on [80, 150]",
            build(DistSpec {
                mean: Some(100.0),
                sd: Some(20.0),
                min: Some(80.0),
                max: Some(150.0),
                ..spec("normal")
            }),
        ),
        (
            "discrete(3 values)",
            build(DistSpec {
                values: Some(vec![2.0, 3.0, 5.0]),
                weights: Some(vec![2.0, 1.0, 1.0]),
                ..spec("discrete")
            }),
        ),
    ];
    // Fixed inputs: 1024 probabilities and normals spread over the range a run sees.
    const POINTS: usize = 1024;
    let us: Vec<f64> = (0..POINTS)
        .map(|i| (i as f64 + 0.5) / POINTS as f64)
        .collect();
    let zs: Vec<f64> = (0..POINTS)
        .map(|i| -4.0 + 8.0 * ((i * 389) % POINTS) as f64 / POINTS as f64)
        .collect();
    let mut group = c.benchmark_group("inverse");
    for (name, d) in &dists {
        group.throughput(Throughput::Elements(POINTS as u64));
        group.bench_function(format!("quantile, {name}"), |b| {
            b.iter(|| us.iter().map(|&u| d.quantile(black_box(u))).sum::<f64>())
        });
        let map = d.normal_map();
        group.bench_function(format!("normal_map().at, {name}"), |b| {
            b.iter(|| zs.iter().map(|&z| map.at(black_box(z))).sum::<f64>())
        });
        group.throughput(Throughput::Elements(1));
        group.bench_function(format!("build normal_map(), {name}"), |b| {
            b.iter(|| black_box(d).normal_map())
        });
    }
    group.finish();
}

/// The copula step: the baseline trial with its orders correlated (0.5) and its conversion
/// rates correlated (0.6), then also under three regimes; each against the baseline trial above,
/// the difference is what the copula (and the regime chain) cost per trial.
fn copula(c: &mut Criterion) {
    use allocsim::scenario::{OrdersDependence, Regime, Regimes};
    let mut s = baseline();
    s.dependence.orders = Some(OrdersDependence::Common(0.5));
    s.dependence.conversion = Some(0.6);
    let mut group = c.benchmark_group("copula");
    let mut run = |name: &str, s: &scenario::Scenario| {
        let model = Model::new(s);
        let mut ws = model.workspace();
        let mut t = 0u64;
        group.bench_function(name, |b| {
            b.iter(|| {
                model.run_trial(black_box(s.seed), t, &mut ws);
                t += 1;
            })
        });
    };
    run("baseline trial, orders and conversion correlated", &s);
    let regime = |name: &str, approval: f64, hold: bool, transition: Vec<f64>| Regime {
        approval_factor: approval,
        hold,
        ..Regime::without_effects(name, transition)
    };
    s.regimes = Regimes {
        initial: vec![0.8, 0.15, 0.05],
        list: vec![
            regime("calm", 1.0, false, vec![0.85, 0.1, 0.05]),
            regime("tense", 0.5, false, vec![0.3, 0.6, 0.1]),
            regime("frozen", 1.0, true, vec![0.0, 0.25, 0.75]),
        ],
    };
    run("baseline trial, correlated, three regimes", &s);
    group.finish();
}

/// A sweep point-trial with and without the shared world (issue 19): 20 points of
/// `domestic.ratio` over the same trials, each point playing every trial of a batch as
/// `compare::run_points` does; the time is per point-trial. Without sharing every point draws
/// its own inputs; with it the first point draws them into the trial's world and the other 19
/// read them. "the world's overhead" is one point alone through a world no other point shares
/// (every input drawn and stored): what sharing costs the point that draws.
fn shared_world(c: &mut Criterion) {
    use allocsim::model::{World, WorldLayout};
    use allocsim::scenario::Override;
    const POINTS: usize = 20;
    const TRIALS: u64 = 512;
    let base = baseline();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    let points: Vec<scenario::Scenario> = (0..POINTS)
        .map(|p| {
            let set = format!("domestic.ratio={}", 0.05 * p as f64);
            let set = [Override::parse(&set).expect("a valid override")];
            scenario::load(&path, &set).expect("the baseline loads")
        })
        .collect();
    let models: Vec<Model> = points.iter().map(Model::new).collect();
    let mut spaces: Vec<_> = models.iter().map(Model::workspace).collect();
    let layout = WorldLayout::new(&models.iter().collect::<Vec<_>>(), 2);
    let width = layout.width();
    let mut worlds = vec![0.0; TRIALS as usize * width];
    let mut group = c.benchmark_group("sweep point-trial");
    group.throughput(Throughput::Elements(POINTS as u64 * TRIALS));
    group.bench_function("20 points, each drawing its own inputs", |b| {
        b.iter(|| {
            for (model, ws) in models.iter().zip(&mut spaces) {
                for t in 0..TRIALS {
                    model.run_trial_on(&TrialStreams::new(black_box(base.seed), t), ws);
                }
            }
        })
    });
    group.bench_function("20 points sharing one world per trial", |b| {
        b.iter(|| {
            World::clear(&mut worlds);
            for (p, (model, ws)) in models.iter().zip(&mut spaces).enumerate() {
                for t in 0..TRIALS {
                    let k = t as usize;
                    let values = &mut worlds[k * width..(k + 1) * width];
                    let streams = TrialStreams::new(black_box(base.seed), t);
                    model.run_trial_shared(&streams, ws, &mut World::new(layout.slots(p), values));
                }
            }
        })
    });
    group.finish();
    let model = Model::new(&base);
    let alone = WorldLayout::new(&[&model], 1);
    let width = alone.width();
    let mut values = vec![0.0; width];
    let mut ws = model.workspace();
    let mut group = c.benchmark_group("the world's overhead");
    group.throughput(Throughput::Elements(TRIALS));
    group.bench_function("baseline trial, drawn", |b| {
        b.iter(|| {
            for t in 0..TRIALS {
                model.run_trial_on(&TrialStreams::new(black_box(base.seed), t), &mut ws);
            }
        })
    });
    group.bench_function("baseline trial, drawn into a world", |b| {
        b.iter(|| {
            for t in 0..TRIALS {
                World::clear(&mut values);
                let streams = TrialStreams::new(black_box(base.seed), t);
                model.run_trial_shared(
                    &streams,
                    &mut ws,
                    &mut World::new(alone.slots(0), &mut values),
                );
            }
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    // No plots: criterion's plotting needs system fonts, which a server may not have.
    config = Criterion::default().without_plots();
    targets = trial, steps, rules, inverse, copula, shared_world
}
criterion_main!(benches);
