//! placeholder
use crate::report::RunInfo;
use crate::stats::Summary;
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChartOptions {
    pub width: u32,
    pub height: u32,
}
impl Default for ChartOptions {
    fn default() -> Self {
        ChartOptions {
            width: 1600,
            height: 1000,
        }
    }
}
#[derive(Debug, thiserror::Error)]
#[error("cannot draw {chart}: {message}")]
pub struct ChartError {
    pub chart: String,
    pub message: String,
}
pub fn render_all(
    _info: &RunInfo,
    _summary: &Summary,
    _options: &ChartOptions,
) -> Result<Vec<(&'static str, Vec<u8>)>, ChartError> {
    Ok(Vec::new())
}
