//! placeholder
use crate::report::RunInfo;
use crate::stats::Summary;
pub fn report_html(
    info: &RunInfo,
    _summary: &Summary,
    _manifest_json: &str,
    _charts: &[&str],
) -> String {
    format!("<title>{}</title>", info.name)
}
