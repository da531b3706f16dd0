//! The scenario file as written: serde structs that mirror MODEL.md's format key for key and
//! reject unknown keys. Nothing here checks values; `validate` does.

use serde::Deserialize;
use serde::de::{self, MapAccess, Visitor};
use toml::Spanned;

use crate::dist::DistSpec;

/// A value with its position in the (virtual) source.
pub type S<T> = Spanned<T>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub name: S<String>,
    pub description: Option<S<String>>,
    pub trials: Option<S<i64>>,
    pub seed: Option<S<i64>>,
    pub rounds: S<i64>,
    pub carry_over: Option<S<bool>>,
    pub allocation: RawAllocation,
    pub approval: RawApproval,
    pub domestic: Option<RawDomestic>,
    #[serde(rename = "firm")]
    pub firms: S<Vec<RawFirm>>,
    #[serde(rename = "event", default)]
    pub events: Vec<RawEvent>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAllocation {
    pub rule: S<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawApproval {
    pub probability: S<f64>,
    pub batch: S<RawDist>,
    pub conversion: Option<S<RawDist>>,
    #[serde(rename = "round", default)]
    pub rounds: Vec<RawRound>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRound {
    pub round: S<i64>,
    pub probability: Option<S<f64>>,
    pub batch: Option<S<RawDist>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDomestic {
    pub ratio: Option<S<f64>>,
    pub supply: Option<S<RawDist>>,
    pub equivalence: Option<S<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFirm {
    pub name: S<String>,
    pub orders: S<RawDist>,
    pub eligible_from: Option<S<i64>>,
    pub round_cap: Option<S<i64>>,
    pub priority: Option<S<i64>>,
    pub weight: Option<S<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEvent {
    pub name: S<String>,
    pub effect: S<String>,
    pub probability: S<f64>,
    pub from_round: Option<S<i64>>,
    pub to_round: Option<S<i64>>,
    pub factor: Option<S<f64>>,
}

/// A distribution as written: a plain number (`fixed`) or an inline table.
#[derive(Debug)]
pub struct RawDist(pub DistSpec);

/// The inline-table form; unknown parameters are serde errors that list the known ones.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DistTable {
    dist: String,
    value: Option<f64>,
    min: Option<f64>,
    mode: Option<f64>,
    max: Option<f64>,
    mean: Option<f64>,
    sd: Option<f64>,
    median: Option<f64>,
    sigma: Option<f64>,
    alpha: Option<f64>,
    beta: Option<f64>,
    values: Option<Vec<f64>>,
    weights: Option<Vec<f64>>,
}

impl<'de> Deserialize<'de> for RawDist {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DistVisitor;

        impl<'de> Visitor<'de> for DistVisitor {
            type Value = RawDist;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a number or a distribution such as { dist = \"uniform\", min = 1, max = 2 }",
                )
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawDist, E> {
                Ok(RawDist(DistSpec {
                    dist: "fixed".into(),
                    value: Some(v),
                    ..DistSpec::default()
                }))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawDist, E> {
                self.visit_f64(v as f64)
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawDist, E> {
                self.visit_f64(v as f64)
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawDist, A::Error> {
                let t = DistTable::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(RawDist(DistSpec {
                    dist: t.dist,
                    value: t.value,
                    min: t.min,
                    mode: t.mode,
                    max: t.max,
                    mean: t.mean,
                    sd: t.sd,
                    median: t.median,
                    sigma: t.sigma,
                    alpha: t.alpha,
                    beta: t.beta,
                    values: t.values,
                    weights: t.weights,
                }))
            }
        }

        deserializer.deserialize_any(DistVisitor)
    }
}
