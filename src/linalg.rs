//! TEMPORARY until branch v2-scenario lands.

/// 2 sin(pi q / 6).
pub fn pearson_from_spearman(q: f64) -> f64 {
    2.0 * (std::f64::consts::PI * q / 6.0).sin()
}

/// Symmetric square root.
pub fn symmetric_sqrt(a: &[Vec<f64>]) -> Vec<Vec<f64>> {
    a.to_vec()
}
