//! The fuzzer's generators: proptest strategies that build arbitrary but structurally valid
//! scenario text (values from ordinary to absurd), `--set` overrides, and mutations of corpus
//! files.

use allocsim::scenario::{Override, Rule};
use proptest::prelude::*;

/// A float in TOML syntax, biased to the edges.
fn float() -> BoxedStrategy<String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 1e-300, 5e-324, 1e-9, 0.999_999_999_9, 1.000_000_001,
            1e6, 1e9, 1e12, 1e12 + 1.0, 999_999_999_999.5, 1e15, 9.007_199_254_740_993e15, 1e19,
            1.8446744073709552e19, 1e300, f64::MAX, -f64::MAX, f64::MIN_POSITIVE, -1e12,
            f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 4503599627370495.5,
        ])
        .prop_map(toml_float),
        2 => (0.0f64..1.0).prop_map(toml_float),
        2 => (0.0f64..1e6).prop_map(toml_float),
        1 => any::<f64>().prop_map(toml_float),
        1 => int().prop_map(|i| i.to_string()),
    ]
    .boxed()
}

/// Usually a value from `sane`, now and then one from `wild` (each wild value in a scenario
/// has its own chance, so most generated scenarios stay valid and reach the model).
fn mostly<S, W>(sane: S, wild: W) -> impl Strategy<Value = String>
where
    S: Strategy<Value = String> + 'static,
    W: Strategy<Value = String> + 'static,
{
    prop_oneof![30 => sane, 1 => wild]
}

/// A probability: mostly within [0, 1], with its edges.
fn probability() -> BoxedStrategy<String> {
    mostly(
        prop_oneof![
            4 => (0.0f64..=1.0).prop_map(toml_float),
            1 => prop::sample::select(vec!["0.0", "1.0", "1", "0", "5e-324", "0.9999999999999999"])
                .prop_map(String::from),
        ],
        float(),
    )
    .boxed()
}

/// A non-negative real (ratios, factors, weights).
fn non_negative() -> BoxedStrategy<String> {
    mostly(
        prop_oneof![
            4 => (0.0f64..4.0).prop_map(toml_float),
            1 => prop::sample::select(vec!["5e-324", "1e300", "1.7976931348623157e308", "1e-300"])
                .prop_map(String::from),
        ],
        float(),
    )
    .boxed()
}

/// A count in `lo..=hi`, or now and then any integer.
fn count(lo: i64, hi: i64) -> impl Strategy<Value = String> {
    mostly(
        (lo..=hi).prop_map(|i| i.to_string()),
        int().prop_map(|i| i.to_string()),
    )
}

/// A distribution of chip counts: mostly a valid one, sometimes at the unit limit.
fn units_dist() -> BoxedStrategy<String> {
    let value = || {
        prop_oneof![
            6 => (0.0f64..1e6).prop_map(toml_float),
            1 => prop::sample::select(vec!["0", "1e12", "999999999999.5", "1000000000000", "0.5"])
                .prop_map(String::from),
        ]
    };
    let sane = prop_oneof![
        value(),
        (value(), value())
            .prop_map(|(a, b)| format!("{{ dist = \"uniform\", min = {a}, max = {b} }}")),
        (value(), value(), value()).prop_map(|(a, b, c)| {
            let mut v: Vec<f64> = [a, b, c].iter().map(|x| x.parse().unwrap()).collect();
            v.sort_by(f64::total_cmp);
            let kind = if v[0] as u64 % 2 == 0 {
                "pert"
            } else {
                "triangular"
            };
            format!(
                "{{ dist = \"{kind}\", min = {:?}, mode = {:?}, max = {:?} }}",
                v[0], v[1], v[2]
            )
        }),
        (value(), value())
            .prop_map(|(m, s)| format!("{{ dist = \"normal\", mean = {m}, sd = {s} }}")),
        (value(), 0.0f64..3.0)
            .prop_map(|(m, s)| format!("{{ dist = \"lognormal\", median = {m}, sigma = {s:?} }}")),
        (prop::collection::vec(value(), 1..4)).prop_map(|v| {
            let w = vec!["1"; v.len()].join(", ");
            format!(
                "{{ dist = \"discrete\", values = [{}], weights = [{w}] }}",
                v.join(", ")
            )
        }),
    ];
    mostly(sane, dist()).boxed()
}

fn toml_float(v: f64) -> String {
    if v.is_nan() {
        "nan".into()
    } else if v.is_infinite() {
        if v > 0.0 { "inf".into() } else { "-inf".into() }
    } else {
        format!("{v:?}")
    }
}

/// An integer, biased to the edges of every limit.
fn int() -> BoxedStrategy<i64> {
    prop_oneof![
        3 => prop::sample::select(vec![
            0,
            1,
            -1,
            2,
            3,
            999,
            1000,
            1001,
            i64::MAX,
            i64::MIN,
            i64::from(u32::MAX),
            i64::from(u32::MAX) + 1,
            1_000_000_000_000,
            1_000_000_000_001,
            10_000_000_000_000,
        ]),
        3 => 0i64..10,
        1 => any::<i64>(),
    ]
    .boxed()
}

const DISTS: [&str; 9] = [
    "fixed",
    "uniform",
    "triangular",
    "pert",
    "normal",
    "lognormal",
    "beta",
    "discrete",
    "gamma",
];

/// A distribution: a bare number or an inline table with the parameters its kind takes (and
/// now and then one more, or one fewer).
fn dist() -> BoxedStrategy<String> {
    let table = (
        prop::sample::select(DISTS.to_vec()),
        prop::collection::vec(float(), 5),
        prop::collection::vec(float(), 0..5),
        prop::collection::vec(float(), 0..5),
        0usize..16,
    )
        .prop_map(|(kind, p, values, weights, twist)| {
            let names: &[&str] = match kind {
                "fixed" => &["value"],
                "uniform" => &["min", "max"],
                "triangular" | "pert" => &["min", "mode", "max"],
                "normal" => &["mean", "sd", "min", "max"],
                "lognormal" => &["median", "sigma"],
                "beta" => &["alpha", "beta"],
                _ => &[],
            };
            let mut parts = vec![format!("dist = \"{kind}\"")];
            for (i, name) in names.iter().enumerate() {
                // Normal's bounds are optional; drop a parameter now and then.
                if twist == i || (kind == "normal" && i >= 2 && twist % 3 == 0) {
                    continue;
                }
                parts.push(format!("{name} = {}", p[i]));
            }
            if kind == "discrete" || twist == 15 {
                parts.push(format!("values = [{}]", values.join(", ")));
                if twist != 14 {
                    parts.push(format!("weights = [{}]", weights.join(", ")));
                }
            }
            if twist == 13 {
                parts.push(format!("sd = {}", p[4]));
            }
            format!("{{ {} }}", parts.join(", "))
        });
    prop_oneof![1 => float(), 3 => table].boxed()
}

fn rule() -> BoxedStrategy<String> {
    prop::sample::select(vec![
        "proportional",
        "equal_awards",
        "equal_losses",
        "talmud",
        "priority",
        "weighted",
        "random_priority",
        "lottery",
    ])
    .prop_map(String::from)
    .boxed()
}

/// `key = value` when the optional value is there.
fn opt_line(key: &str, value: &Option<String>) -> String {
    value
        .as_ref()
        .map_or(String::new(), |v| format!("{key} = {v}\n"))
}

#[derive(Debug, Clone)]
struct Firm {
    name: String,
    orders: String,
    eligible_from: Option<String>,
    round_cap: Option<String>,
    priority: Option<String>,
    weight: Option<String>,
}

fn firm_name() -> BoxedStrategy<String> {
    prop_oneof![
        80 => "[A-E]",
        1 => prop::sample::select(vec!["", " ", "total", "Tötal", "a\\u0000b", "x.y", "\\t"])
            .prop_map(String::from),
    ]
    .boxed()
}

fn firm() -> BoxedStrategy<Firm> {
    (
        firm_name(),
        units_dist(),
        prop::option::of(prop_oneof![
            4 => count(1, 8).boxed(),
            1 => entry_dist(),
        ]),
        prop::option::of(count(0, 1_000_000)),
        prop::option::of(count(-3, 3)),
        prop::option::of(mostly((0.1f64..10.0).prop_map(toml_float), float())),
    )
        .prop_map(
            |(name, orders, eligible_from, round_cap, priority, weight)| Firm {
                name,
                orders,
                eligible_from,
                round_cap,
                priority,
                weight,
            },
        )
        .boxed()
}

#[derive(Debug, Clone)]
struct Event {
    name: String,
    effect: String,
    probability: String,
    from_round: Option<String>,
    to_round: Option<String>,
    factor: Option<String>,
}

fn event() -> BoxedStrategy<Event> {
    (
        "[a-c]",
        mostly(
            prop::sample::select(vec!["halt", "hold", "scale"]).prop_map(String::from),
            Just("pause".to_string()),
        ),
        probability(),
        prop::option::of(count(1, 6)),
        prop::option::of(count(1, 8)),
        non_negative(),
    )
        .prop_map(
            |(name, effect, probability, from_round, to_round, factor)| Event {
                factor: (effect == "scale").then_some(factor),
                name,
                effect,
                probability,
                from_round,
                to_round,
            },
        )
        .boxed()
}

/// The text of a structurally valid scenario (right keys, right types) whose values range
/// from ordinary to absurd.
pub fn scenario_text() -> BoxedStrategy<String> {
    let top = (
        prop::option::of(count(1, 1_000_000_000_000)),
        prop::option::of(count(0, i64::MAX)),
        prop_oneof![
            40 => count(1, 6),
            1 => prop::sample::select(vec!["1000", "999"]).prop_map(String::from),
        ],
        prop::option::of(any::<bool>()),
        mostly(
            prop::sample::select(
                Rule::ALL
                    .iter()
                    .map(|(_, n)| n.to_string())
                    .collect::<Vec<_>>(),
            ),
            rule(),
        ),
    );
    let approval = (
        probability(),
        units_dist(),
        prop::option::of(mostly(
            prop_oneof![
                (0.0f64..=1.0, 0.0f64..=1.0).prop_map(|(a, b)| {
                    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
                    format!("{{ dist = \"uniform\", min = {lo:?}, max = {hi:?} }}")
                }),
                (0.01f64..20.0, 0.01f64..20.0).prop_map(|(a, b)| format!(
                    "{{ dist = \"beta\", alpha = {a:?}, beta = {b:?} }}"
                )),
                probability(),
            ],
            dist(),
        )),
        prop::collection::vec(
            (
                count(1, 3),
                prop::option::of(probability()),
                prop::option::of(units_dist()),
            ),
            0..3,
        ),
    );
    let domestic = prop::option::of((
        prop::option::of(prop_oneof![
            4 => non_negative(),
            1 => ratio_dist(),
        ]),
        prop::option::of(units_dist()),
        prop::option::of(non_negative()),
    ));
    let firms = prop_oneof![
        30 => prop::collection::vec(firm(), 1..6),
        1 => prop::collection::vec(firm(), 0..40),
    ];
    let events = prop::collection::vec(event(), 0..4);
    (top, approval, domestic, firms, events, version2())
        .prop_map(
            |(
                (trials, seed, rounds, carry, rule),
                (p, batch, conv, overrides),
                dom,
                firms,
                events,
                v2,
            )| {
                let mut t = String::from("name = \"fuzz\"\n");
                t += &opt_line("trials", &trials.map(|v| v.to_string()));
                t += &opt_line("seed", &seed.map(|v| v.to_string()));
                t += &format!("rounds = {rounds}\n");
                t += &opt_line("carry_over", &carry.map(|v| v.to_string()));
                t += &format!("\n[allocation]\nrule = \"{rule}\"\n");
                t += &format!("\n[approval]\nprobability = {p}\nbatch = {batch}\n");
                t += &opt_line("conversion", &conv);
                let horizon: i64 = rounds.parse().unwrap_or(1);
                let mut seen = Vec::new();
                for (round, probability, batch) in overrides {
                    // Sane rounds are folded into the horizon, once each; wild ones stay as drawn.
                    let round = match round.parse::<i64>() {
                        Ok(r) if (1..=3).contains(&r) && horizon >= 1 => {
                            let r = (r - 1) % horizon + 1;
                            if seen.contains(&r) {
                                continue;
                            }
                            seen.push(r);
                            r.to_string()
                        }
                        _ => round,
                    };
                    t += &format!("\n[[approval.round]]\nround = {round}\n");
                    t += &opt_line("probability", &probability);
                    t += &opt_line("batch", &batch);
                }
                if let Some((ratio, supply, equivalence)) = dom {
                    t += "\n[domestic]\n";
                    t += &opt_line("ratio", &ratio);
                    t += &opt_line("supply", &supply);
                    t += &opt_line("equivalence", &equivalence);
                }
                for (i, f) in firms.iter().enumerate() {
                    // Mostly unique names; a rare duplicate keeps that check exercised.
                    let name = if i % 7 == 6 {
                        f.name.clone()
                    } else {
                        format!("{}{i}", f.name)
                    };
                    t += &format!("\n[[firm]]\nname = \"{name}\"\norders = {}\n", f.orders);
                    t += &opt_line("eligible_from", &f.eligible_from);
                    t += &opt_line("round_cap", &f.round_cap);
                    t += &opt_line("priority", &f.priority);
                    t += &opt_line("weight", &f.weight);
                }
                for (i, e) in events.iter().enumerate() {
                    t += &format!(
                        "\n[[event]]\nname = \"{}{i}\"\neffect = \"{}\"\nprobability = {}\n",
                        e.name, e.effect, e.probability
                    );
                    t += &opt_line("from_round", &e.from_round);
                    t += &opt_line("to_round", &e.to_round);
                    t += &opt_line("factor", &e.factor);
                }
                t += &v2.text(firms.len(), horizon);
                t
            },
        )
        .boxed()
}

/// An entry round as a distribution: around the horizon, sometimes wild.
fn entry_dist() -> BoxedStrategy<String> {
    mostly(
        prop_oneof![
            (-2.0f64..10.0, 0.0f64..4.0).prop_map(|(lo, w)| format!(
                "{{ dist = \"uniform\", min = {lo:?}, max = {:?} }}",
                lo + w
            )),
            (1i64..8, 1i64..8).prop_map(|(a, b)| format!(
                "{{ dist = \"discrete\", values = [{a}, {b}, 9], weights = [2, 1, 1] }}"
            )),
        ],
        dist(),
    )
    .boxed()
}

/// A domestic ratio as a distribution: mostly within [0, 2], sometimes wild.
fn ratio_dist() -> BoxedStrategy<String> {
    mostly(
        (0.0f64..1.0, 0.0f64..1.0).prop_map(|(lo, w)| {
            format!("{{ dist = \"uniform\", min = {lo:?}, max = {:?} }}", lo + w)
        }),
        dist(),
    )
    .boxed()
}

/// The version-2 sections of a scenario, drawn before the firm count is known.
#[derive(Debug, Clone)]
struct Version2 {
    /// `[dependence]`: orders (None, a value, or a matrix: equal correlations `c` when the flag
    /// is set, else the raw numbers), conversion, batch_supply.
    orders: Option<(String, bool, Vec<f64>)>,
    conversion: Option<String>,
    batch_supply: Option<String>,
    /// `[[domestic.round]]` entries: round and supply.
    domestic_rounds: Vec<(String, String)>,
    /// Regimes: each one's factors, hold, and transition weights; and the initial weights.
    regimes: Vec<(Vec<String>, bool, Vec<f64>)>,
    initial: Option<Vec<f64>>,
}

impl Version2 {
    fn text(&self, firms: usize, horizon: i64) -> String {
        let mut t = String::new();
        if self.orders.is_some() || self.conversion.is_some() || self.batch_supply.is_some() {
            t += "\n[dependence]\n";
            if let Some((value, equal, numbers)) = &self.orders {
                if numbers.is_empty() {
                    t += &format!("orders = {value}\n");
                } else {
                    let n = firms.max(1);
                    let row = |i: usize| -> String {
                        let cells: Vec<String> = (0..n)
                            .map(|j| match (i == j, equal) {
                                (true, _) => "1.0".to_string(),
                                (false, true) => format!("{:?}", numbers[0]),
                                (false, false) => {
                                    format!("{:?}", numbers[(i * n + j) % numbers.len()])
                                }
                            })
                            .collect();
                        format!("[{}]", cells.join(", "))
                    };
                    let rows: Vec<String> = (0..n).map(row).collect();
                    t += &format!("orders = [{}]\n", rows.join(", "));
                }
            }
            t += &opt_line("conversion", &self.conversion);
            t += &opt_line("batch_supply", &self.batch_supply);
        }
        for (round, supply) in &self.domestic_rounds {
            let round = match round.parse::<i64>() {
                Ok(r) if (1..=3).contains(&r) && horizon >= 1 => {
                    ((r - 1) % horizon + 1).to_string()
                }
                _ => round.clone(),
            };
            t += &format!("\n[[domestic.round]]\nround = {round}\nsupply = {supply}\n");
        }
        if self.regimes.is_empty() {
            return t;
        }
        let names: Vec<String> = (0..self.regimes.len()).map(|k| format!("r{k}")).collect();
        let row = |weights: &[f64]| -> String {
            let sum: f64 = weights.iter().take(names.len()).sum();
            let cells: Vec<String> = names
                .iter()
                .zip(weights)
                .filter(|(_, w)| **w > 0.0)
                .map(|(n, w)| format!("{n} = {:?}", if sum > 0.0 { w / sum } else { *w }))
                .collect();
            format!("{{ {} }}", cells.join(", "))
        };
        if let Some(initial) = &self.initial {
            t += &format!("\n[regimes]\ninitial = {}\n", row(initial));
        }
        const FACTORS: [&str; 5] = [
            "approval_factor",
            "batch_factor",
            "conversion_factor",
            "domestic_ratio",
            "domestic_supply_factor",
        ];
        for (k, (factors, hold, transition)) in self.regimes.iter().enumerate() {
            t += &format!("\n[[regime]]\nname = \"r{k}\"\n");
            for (key, value) in FACTORS.iter().zip(factors) {
                t += &format!("{key} = {value}\n");
            }
            if *hold {
                t += "hold = true\n";
            }
            if !transition.is_empty() {
                t += &format!("transition = {}\n", row(transition));
            }
        }
        t
    }
}

fn version2() -> BoxedStrategy<Version2> {
    let correlation = || mostly((0.0f64..=1.0).prop_map(toml_float).boxed(), float());
    // Each section in a few cases in ten: a correlated input builds its distribution's map,
    // milliseconds in the unoptimised test build, and the fuzz pass must stay a few seconds.
    let orders = prop::option::weighted(
        0.15,
        (
            correlation(),
            any::<bool>(),
            prop_oneof![
                2 => Just(Vec::new()),
                1 => prop::collection::vec(-1.0f64..=1.0, 1..8),
            ],
        ),
    );
    let regimes = prop_oneof![
        4 => Just(Vec::new()),
        1 => prop::collection::vec(
            (
                prop::collection::vec(
                    prop_oneof![
                        3 => (0.0f64..=1.0).prop_map(toml_float).boxed(),
                        1 => non_negative(),
                    ],
                    0..5,
                ),
                prop::bool::weighted(0.2),
                prop::collection::vec(0.0f64..1.0, 0..5),
            ),
            1..5,
        ),
    ];
    (
        orders,
        prop::option::of(correlation()),
        prop::option::of(mostly(
            (-1.0f64..=1.0).prop_map(toml_float).boxed(),
            float(),
        )),
        prop::collection::vec((count(1, 3), units_dist()), 0..2),
        regimes,
        prop::option::of(prop::collection::vec(0.0f64..1.0, 1..5)),
    )
        .prop_map(
            |(orders, conversion, batch_supply, domestic_rounds, regimes, initial)| Version2 {
                orders,
                conversion,
                batch_supply,
                domestic_rounds,
                regimes,
                initial,
            },
        )
        .boxed()
}

/// `--set` overrides: real keys (and a few wrong ones) with values of every type.
pub fn overrides() -> BoxedStrategy<Vec<String>> {
    let key = prop_oneof![
        prop::sample::select(vec![
            "rounds",
            "trials",
            "seed",
            "carry_over",
            "name",
            "allocation.rule",
            "approval.probability",
            "approval.batch",
            "approval.conversion",
            "approval.round.1.probability",
            "approval.round.2.batch",
            "approval.round.0.batch",
            "approval.round.x.batch",
            "approval.round",
            "domestic.ratio",
            "domestic.supply",
            "domestic.equivalence",
            "firm.A0.orders",
            "firm.A0.weight",
            "firm.B1.eligible_from",
            "firm.A.B.orders",
            "firm.Nobody.weight",
            "firm",
            "firm.A",
            "event.a0.probability",
            "event.b1.factor",
            "event",
            "allocation",
            "approval",
            "name.x",
            "rounds.x.y",
            "unknown",
        ])
        .prop_map(String::from),
        "[a-z.]{1,12}",
    ];
    let value = prop_oneof![
        float(),
        int().prop_map(|i| i.to_string()),
        dist(),
        rule(),
        Just("true".to_string()),
        Just("[1, 2]".to_string()),
        Just("{ a = 1 }".to_string()),
        Just("\"quoted\"".to_string()),
        Just(String::new()),
        ".{0,8}",
    ];
    let sane = prop_oneof![
        probability().prop_map(|v| format!("approval.probability={v}")),
        units_dist().prop_map(|v| format!("approval.batch={v}")),
        (count(1, 3), units_dist()).prop_map(|(r, v)| format!("approval.round.{r}.batch={v}")),
        non_negative().prop_map(|v| format!("domestic.ratio={v}")),
        prop::sample::select(
            Rule::ALL
                .iter()
                .map(|(_, n)| n.to_string())
                .collect::<Vec<_>>()
        )
        .prop_map(|v| format!("allocation.rule={v}")),
        any::<bool>().prop_map(|v| format!("carry_over={v}")),
    ];
    let wild = (key, value).prop_map(|(k, v)| format!("{k}={v}"));
    prop_oneof![
        3 => Just(Vec::new()),
        2 => prop::collection::vec(prop_oneof![10 => sane, 1 => wild], 1..3),
    ]
    .boxed()
}

/// A corpus file with a few mutations: bytes inserted, deleted, replaced or duplicated, and
/// TOML tokens spliced in.
pub fn mutated(files: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    const TOKENS: [&str; 24] = [
        "[[firm]]\n",
        "[approval]\n",
        "[[event]]\n",
        "[[approval.round]]\n",
        "[domestic]\n",
        " = ",
        "\"",
        "'''",
        "{",
        "}",
        "[",
        "]",
        "dist = \"pert\"",
        "1e19",
        "nan",
        "-inf",
        "9223372036854775807",
        "-9223372036854775808",
        "\n",
        "#",
        "\\u0000",
        "0x7fffffffffffffff",
        "name = \"A\"\n",
        "round = 2\n",
    ];
    let op = (
        0u8..5,
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        any::<u8>(),
    );
    (prop::sample::select(files), prop::collection::vec(op, 1..6)).prop_map(|(mut bytes, ops)| {
        for (kind, at, other, byte) in ops {
            let len = bytes.len();
            let i = if len == 0 { 0 } else { at.index(len) };
            match kind {
                0 => bytes.insert(i, byte),
                1 if len > 0 => {
                    let end = (i + 1 + other.index(16)).min(len);
                    bytes.drain(i..end);
                }
                2 if len > 0 => bytes[i] = byte,
                3 if len > 0 => {
                    let end = (i + 1 + other.index(64)).min(len);
                    let copy = bytes[i..end].to_vec();
                    let to = other.index(len);
                    bytes.splice(to..to, copy);
                }
                _ => {
                    let token = TOKENS[other.index(TOKENS.len())].as_bytes();
                    bytes.splice(i..i, token.iter().copied());
                }
            }
        }
        bytes
    })
}

pub fn parse_overrides(raw: &[String]) -> Vec<Override> {
    raw.iter().filter_map(|r| Override::parse(r).ok()).collect()
}
