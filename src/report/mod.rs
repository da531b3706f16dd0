//! Exporters: pure functions from a run's results to the bytes of each output file (CSV, JSON,
//! xlsx, PNG, HTML), and the writer that puts a whole output folder in place at once.

pub mod charts;
mod compare_html;
mod compare_out;
mod comparison_file;
mod csv_out;
pub mod format;
mod html;
mod importance_html;
mod importance_out;
mod manifest;
mod output;
pub mod overrides;
mod page;
pub mod partial;
pub mod precision;
#[cfg(test)]
mod regime_tests;
mod results;
pub mod resume;
pub mod save;
mod table;
mod tail_html;
mod tail_out;
mod trace_out;
mod xlsx;

pub use compare_html::comparison_html;
pub use compare_out::{
    comparison_csv, comparison_table, differences_csv, gains_and_losses, sensitivity_csv,
};
pub use comparison_file::{comparison_json, read_comparison, write_comparison_json};
pub use csv_out::{regime_shares, rounds_csv, summary_csv, write_trials_csv};
pub use html::report_html;
pub use importance_html::importance_html;
pub use importance_out::{importance_csv, importance_table};
pub use manifest::{
    Input, Manifest, MergedShard, Part, PointEntry, ScenarioFile, TailInfo, Trials,
};
pub use output::{Kind, MARKER, Marker, OutputDir, OutputError, OutputOptions};
pub use results::{
    FirmTerms, RegimeTerms, ResultsError, RunInfo, read_results, results_json, write_results_json,
};
pub use table::{aligned, console_table};
pub use tail_html::{TailPage, tail_html};
pub use tail_out::{TAIL_COLUMNS, tail_csv};
pub use trace_out::{trace_csv, trace_text};
pub use xlsx::{
    MAX_CELL_CHARS, MAX_ROWS, WorkbookError, check_comparison_xlsx, comparison_xlsx, run_xlsx,
};

/// Hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
