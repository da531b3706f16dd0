//! Tests of a firm's `eligible_from` and of `domestic.ratio` as distributions, of
//! `[[domestic.round]]`, and of the `--set` keys that reach them.

use std::path::Path;

use super::*;

/// Two firms; round 1 of 4.
const HEAD: &str = "name = \"t\"\nrounds = 4\n[allocation]\nrule = \"talmud\"\n[approval]\n\
                    probability = 0.5\nbatch = 10\n";
const FIRMS: &str = "[[firm]]\nname = \"A\"\norders = 5\n[[firm]]\nname = \"B\"\norders = 5\n";

fn with_sets(body: &str, sets: &[&str]) -> Result<Scenario, Vec<String>> {
    let toml = format!("{HEAD}{body}");
    let overrides: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    parse(Path::new("t.toml"), toml.as_bytes(), &overrides)
        .map_err(|e| e.errors().iter().map(ToString::to_string).collect())
}

fn with(body: &str) -> Result<Scenario, Vec<String>> {
    with_sets(body, &[])
}

fn describe(entry: &Entry) -> String {
    match entry {
        Entry::Round(r) => format!("round {r}"),
        Entry::Drawn(d) => d.describe(),
    }
}

fn supplies(s: &Scenario) -> Vec<String> {
    s.domestic.supply.iter().map(Dist::describe).collect()
}

#[test]
fn an_entry_round_is_a_number_or_a_distribution() {
    let firm = |entry: &str| {
        with(&format!(
            "[[firm]]\nname = \"A\"\norders = 5\neligible_from = {entry}\n"
        ))
        .map(|s| describe(&s.firms[0].eligible_from))
    };
    assert_eq!(firm("3").unwrap(), "round 3");
    assert_eq!(firm("9").unwrap(), "round 9");
    assert_eq!(
        firm("{ dist = \"discrete\", values = [2, 3, 5], weights = [2, 1, 1] }").unwrap(),
        "discrete(values [2, 3, 5], weights [2, 1, 1])"
    );
    // Any family, any support: draws are rounded, below 1 count as 1, past the horizon never.
    assert_eq!(
        firm("{ dist = \"normal\", mean = 2, sd = 3 }").unwrap(),
        "normal(mean 2, sd 3)"
    );
    assert_eq!(
        firm("{ dist = \"uniform\", min = -5, max = 0.4 }").unwrap(),
        "uniform(min -5, max 0.4)"
    );
    assert_eq!(
        firm("{ dist = \"lognormal\", median = 2, sigma = 1 }").unwrap(),
        "lognormal(median 2, sigma 1)"
    );
    // A point mass is the round it rounds to (halves away from zero, at least 1).
    assert_eq!(
        firm("{ dist = \"fixed\", value = 2.5 }").unwrap(),
        "round 3"
    );
    assert_eq!(firm("{ dist = \"fixed\", value = -7 }").unwrap(), "round 1");
    assert_eq!(
        firm("{ dist = \"uniform\", min = 4, max = 4 }").unwrap(),
        "round 4"
    );
    assert_eq!(
        firm("{ dist = \"fixed\", value = 1e300 }").unwrap(),
        format!("round {}", u32::MAX)
    );
    // A plain number stays an integer >= 1, as in version 1.
    assert_eq!(
        firm("0").unwrap_err(),
        ["t.toml:11:17: firm.A.eligible_from must be within [1, 4294967295], got 0"]
    );
    assert_eq!(
        firm("2.5").unwrap_err(),
        ["t.toml:11:17: firm.A.eligible_from: expected an integer, got floating point `2.5`"]
    );
    // A distribution is checked as any other, at its position.
    assert_eq!(
        firm("{ dist = \"uniform\", min = 5, max = 2 }").unwrap_err(),
        ["t.toml:11:17: firm.A.eligible_from: min (5) must not exceed max (2)"]
    );
    assert_eq!(
        firm("{ dist = \"uniform\", min = 1, maxx = 2 }").unwrap_err(),
        [
            "t.toml:11:46: firm.A.eligible_from: \"maxx\" is not a parameter of uniform; did you \
          mean \"max\"? (it takes min, max)"
        ]
    );
    assert_eq!(
        firm("\"late\"").unwrap_err(),
        ["t.toml:11:17: firm.A.eligible_from: expected an integer, got string \"late\""]
    );
}

#[test]
fn a_domestic_ratio_is_a_number_or_a_distribution_within_its_range() {
    let ratio = |r: &str| {
        with(&format!("[domestic]\nratio = {r}\n{FIRMS}")).map(|s| s.domestic.ratio.describe())
    };
    assert_eq!(ratio("0.3").unwrap(), "fixed(value 0.3)");
    assert_eq!(
        ratio("{ dist = \"uniform\", min = 0.2, max = 0.6 }").unwrap(),
        "uniform(min 0.2, max 0.6)"
    );
    assert_eq!(
        ratio("{ dist = \"normal\", mean = 0.3, sd = 0.1, min = 0, max = 1e6 }").unwrap(),
        "normal(mean 0.3, sd 0.1, min 0, max 1000000)"
    );
    assert_eq!(
        ratio("{ dist = \"beta\", alpha = 2, beta = 5 }").unwrap(),
        "beta(alpha 2, beta 5)"
    );
    assert_eq!(
        ratio("{ dist = \"normal\", mean = 0.3, sd = 0.1 }").unwrap_err(),
        [
            "t.toml:9:9: domestic.ratio must lie within [0, 10^6] (domestic chips per imported \
          chip), but normal(mean 0.3, sd 0.1) ranges over [-inf, inf]"
        ]
    );
    assert_eq!(
        ratio("{ dist = \"lognormal\", median = 0.3, sigma = 0.5 }").unwrap_err(),
        [
            "t.toml:9:9: domestic.ratio must lie within [0, 10^6] (domestic chips per imported \
          chip), but lognormal(median 0.3, sigma 0.5) ranges over [0, inf]"
        ]
    );
    assert_eq!(
        ratio("{ dist = \"uniform\", min = -0.1, max = 0.5 }").unwrap_err(),
        [
            "t.toml:9:9: domestic.ratio must lie within [0, 10^6] (domestic chips per imported \
          chip), but uniform(min -0.1, max 0.5) ranges over [-0.1, 0.5]"
        ]
    );
    assert_eq!(
        ratio("{ dist = \"fixed\", value = 2e6 }").unwrap_err(),
        [
            "t.toml:9:9: domestic.ratio must lie within [0, 10^6] (domestic chips per imported \
          chip), but fixed(value 2000000) ranges over [2000000, 2000000]"
        ]
    );
    // A plain number keeps its messages.
    assert_eq!(
        ratio("-1").unwrap_err(),
        ["t.toml:9:9: domestic.ratio must be a finite number >= 0, got -1"]
    );
    assert_eq!(
        ratio("true").unwrap_err(),
        ["t.toml:9:9: domestic.ratio: expected a number, got boolean `true`"]
    );
}

#[test]
fn each_round_has_its_domestic_supply() {
    // Without [domestic], every round's supply is 0.
    let s = with(FIRMS).unwrap();
    assert_eq!(supplies(&s), ["fixed(value 0)"; 4]);
    assert_eq!(s.domestic.ratio.point_mass(), Some(0.0));
    let s = with(&format!("[domestic]\nsupply = 7\n{FIRMS}")).unwrap();
    assert_eq!(supplies(&s), ["fixed(value 7)"; 4]);
    let s = with(&format!(
        "[domestic]\nsupply = 7\n[[domestic.round]]\nround = 4\n\
         supply = {{ dist = \"uniform\", min = 1, max = 2 }}\n[[domestic.round]]\nround = 1\n\
         supply = 3\n{FIRMS}"
    ))
    .unwrap();
    assert_eq!(
        supplies(&s),
        [
            "fixed(value 3)",
            "fixed(value 7)",
            "fixed(value 7)",
            "uniform(min 1, max 2)"
        ]
    );
    // Rounds without a [domestic] supply: the others are 0.
    let s = with(&format!(
        "[[domestic.round]]\nround = 2\nsupply = 5\n{FIRMS}"
    ))
    .unwrap();
    assert_eq!(
        supplies(&s),
        [
            "fixed(value 0)",
            "fixed(value 5)",
            "fixed(value 0)",
            "fixed(value 0)"
        ]
    );
}

#[test]
fn bad_domestic_rounds_are_named() {
    let body = "[domestic]\nsupply = 7\n[[domestic.round]]\nround = 5\nsupply = 1\n\
                [[domestic.round]]\nround = 2\nsupply = 1\n[[domestic.round]]\nround = 2\n\
                supply = 2\n[[domestic.round]]\nround = 3\n[[domestic.round]]\nround = 1\n\
                supply = 2e12\nbatch = 3\n[[domestic.round]]\nround = \"x\"\nsupply = -1\n";
    assert_eq!(
        with(&format!("{body}{FIRMS}")).unwrap_err(),
        [
            "t.toml:11:9: domestic.round.round must be within [1, 4], got 5",
            "t.toml:17:9: domestic.round: round 2 is overridden twice",
            "t.toml:19:1: domestic.round.3: missing required key `supply`",
            "t.toml:23:10: domestic.round.1.supply can reach 2000000000000 units, more than the \
             limit of 10^12 (1000000000000)",
            "t.toml:24:1: domestic.round.1.batch: unknown key (a typo?); expected one of \
             `round`, `supply`",
            "t.toml:26:9: the 6th [[domestic.round]] (line 25): round: expected an integer, got \
             string \"x\"",
        ]
    );
    assert_eq!(
        with(&format!("[domestic.round]\nround = 1\nsupply = 1\n{FIRMS}")).unwrap_err(),
        [
            "t.toml:8:1: domestic.round: expected an array of tables, got a table: write \
          [[domestic.round]] (double brackets) for each round"
        ]
    );
    // A supply below 0 is rounded and clamped at 0, as the scenario's.
    assert!(
        with(&format!(
            "[[domestic.round]]\nround = 1\nsupply = -1\n{FIRMS}"
        ))
        .is_ok()
    );
}

#[test]
fn entry_ratio_and_round_supplies_can_be_set() {
    let drawn = "[domestic]\nratio = { dist = \"uniform\", min = 0.2, max = 0.6 }\n\
                 supply = { dist = \"uniform\", min = 10, max = 20 }\n\
                 [[firm]]\nname = \"A\"\norders = 5\n\
                 eligible_from = { dist = \"uniform\", min = 1, max = 3 }\n\
                 [[firm]]\nname = \"B\"\norders = 5\neligible_from = 2\n";
    let s = with_sets(
        drawn,
        &[
            "firm.A.eligible_from.max=5",
            "domestic.ratio.max=0.9",
            "domestic.round.4.supply=50",
            "domestic.round.2.supply.max=30",
            "firm.B.eligible_from={ dist = \"discrete\", values = [2, 4], weights = [1, 1] }",
        ],
    )
    .unwrap();
    assert_eq!(describe(&s.firms[0].eligible_from), "uniform(min 1, max 5)");
    assert_eq!(
        describe(&s.firms[1].eligible_from),
        "discrete(values [2, 4], weights [1, 1])"
    );
    assert_eq!(s.domestic.ratio.describe(), "uniform(min 0.2, max 0.9)");
    assert_eq!(
        supplies(&s),
        [
            "uniform(min 10, max 20)",
            "uniform(min 10, max 30)",
            "uniform(min 10, max 20)",
            "fixed(value 50)"
        ]
    );
    // A plain entry round, set as a `fixed` parameter, stays a round.
    let s = with_sets(drawn, &["firm.B.eligible_from.value=3"]).unwrap();
    assert_eq!(describe(&s.firms[1].eligible_from), "round 3");
    // Problems are the overrides'.
    assert_eq!(
        with_sets(
            drawn,
            &[
                "firm.A.eligible_from.min=9",
                "domestic.ratio.min=-1",
                "domestic.round.0.supply=1",
                "domestic.round.x.supply=1",
                "domestic.round.3.batch=1",
            ]
        )
        .unwrap_err(),
        [
            "--set firm.A.eligible_from.min=9: firm.A.eligible_from: min (9) must not exceed \
             max (3)",
            "--set domestic.ratio.min=-1: domestic.ratio must lie within [0, 10^6] (domestic \
             chips per imported chip), but uniform(min -1, max 0.6) ranges over [-1, 0.6]",
            "--set domestic.round.0.supply=1: domestic.round.round must be within [1, 4], got 0",
            "--set domestic.round.x.supply=1: 'x' is not a round number; use \
             domestic.round.N.supply",
            "--set domestic.round.3.batch=1: domestic.round.3.batch: unknown key (a typo?); \
             expected `supply`",
        ]
    );
    // Without a domestic supply there is nothing to change one parameter of.
    assert_eq!(
        with_sets(FIRMS, &["domestic.round.1.supply.max=3"]).unwrap_err(),
        [
            "--set domestic.round.1.supply.max=3: domestic.round.1.supply is not in the scenario, \
          so it has no max to change; set the whole distribution, e.g. \
          domestic.round.1.supply={ dist = \"uniform\", min = 1, max = 2 }"
        ]
    );
}

#[test]
fn dependence_can_be_set() {
    let s = with_sets(
        FIRMS,
        &[
            "dependence.orders=0.3",
            "dependence.conversion=0.6",
            "dependence.batch_supply=-0.2",
        ],
    )
    .unwrap();
    assert_eq!(
        s.dependence,
        Dependence {
            orders: Some(OrdersDependence::Common(0.3)),
            conversion: Some(0.6),
            batch_supply: Some(-0.2),
        }
    );
    let s = with_sets(FIRMS, &["dependence.orders=[[1, -0.5], [-0.5, 1]]"]).unwrap();
    assert_eq!(
        s.dependence.orders,
        Some(OrdersDependence::Matrix(vec![
            vec![1.0, -0.5],
            vec![-0.5, 1.0]
        ]))
    );
    assert_eq!(
        with_sets(
            FIRMS,
            &[
                "dependence.orders=[[1, 0.5], [0.4, 1]]",
                "dependence.conversion=2",
                "dependence.copula=1"
            ]
        )
        .unwrap_err(),
        [
            "--set dependence.orders=[[1, 0.5], [0.4, 1]]: dependence.orders must be symmetric, \
             but row 1, column 2 is 0.5 and row 2, column 1 is 0.4",
            "--set dependence.conversion=2: dependence.conversion must be within [0, 1], got 2",
            "--set dependence.copula=1: dependence.copula: unknown key (a typo?); expected one \
             of `orders`, `conversion`, `batch_supply`",
        ]
    );
}

/// A sweep over matrices: each value of the knob is one whole matrix, validated as a `--set`.
#[test]
fn a_sweep_splits_matrices_whole() {
    let knob = crate::compare::plan::Knob::parse(
        "dependence.orders=[[1, 0.5], [0.5, 1]],[[1,-0.2],[-0.2,1]],0.3",
    )
    .unwrap();
    let orders: Vec<Option<OrdersDependence>> = knob
        .values
        .iter()
        .map(|v| {
            with_sets(FIRMS, &[&format!("{}={v}", knob.key)])
                .unwrap()
                .dependence
                .orders
        })
        .collect();
    assert_eq!(
        orders,
        [
            Some(OrdersDependence::Matrix(vec![
                vec![1.0, 0.5],
                vec![0.5, 1.0]
            ])),
            Some(OrdersDependence::Matrix(vec![
                vec![1.0, -0.2],
                vec![-0.2, 1.0]
            ])),
            Some(OrdersDependence::Common(0.3)),
        ]
    );
}

/// The values a sweep's reference column shows for the new keys.
#[test]
fn new_keys_read_as_written_or_their_defaults() {
    let text = format!(
        "{HEAD}[domestic]\nratio = 0.4\nsupply = 9\n[[domestic.round]]\nround = 2\nsupply = 4\n\
         {FIRMS}[dependence]\norders = 0.5\n\
         [[regime]]\nname = \"calm\"\ntransition = {{ calm = 0.9, tense = 0.1 }}\n\
         [[regime]]\nname = \"tense\"\nbatch_factor = 0.5\n\
         [[regime]]\nname = \"gone\"\ntransition = {{ calm = 1 }}\n"
    );
    let bytes = text.as_bytes();
    let v = |sets: &[&str], key: &str| {
        let overrides: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
        value_as_written(bytes, &overrides, key)
    };
    let expected = [
        ("dependence.orders", "0.5"),
        ("dependence.conversion", "none"),
        ("dependence.batch_supply", "none"),
        ("domestic.round.2.supply", "4"),
        ("domestic.round.3.supply", "9"),
        ("regime.tense.batch_factor", "0.5"),
        ("regime.calm.batch_factor", "1"),
        ("regime.calm.approval_factor", "1"),
        ("regime.calm.conversion_factor", "1"),
        ("regime.calm.domestic_supply_factor", "1"),
        ("regime.calm.hold", "false"),
        ("regime.calm.domestic_ratio", "0.4"),
        ("regime.calm.transition.tense", "0.1"),
        ("regime.tense.transition.tense", "1"),
        ("regime.tense.transition.calm", "0"),
        // A row that leaves the regime's own name out: 0, not the absorbing 1.
        ("regime.gone.transition.gone", "0"),
        ("regimes.initial", "calm"),
    ];
    for (key, value) in expected {
        assert_eq!(v(&[], key).as_deref(), Some(value), "{key}");
    }
    // The own entry an override made take up the rest, as the number it comes to.
    let set = ["regime.calm.transition.tense=0.25"];
    assert_eq!(
        v(&set, "regime.calm.transition.calm").as_deref(),
        Some("0.75")
    );
    assert_eq!(
        v(&set, "regime.calm.transition.tense").as_deref(),
        Some("0.25")
    );
    assert_eq!(v(&[], "regime.cool.hold"), None);
}
