//! The shell every report page shares (a run's, a comparison's): the head and inline style, the
//! title block, the charts with their captions and the manifest block. A page writes only its
//! own sections between [`open`] and [`close`].

use std::fmt::Write;

const STYLE: &str = "
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif;
       color: #222; margin: 2rem auto; max-width: 1200px; padding: 0 1.5rem; line-height: 1.45; }
h1 { font-size: 1.8rem; margin-bottom: .2rem; }
h2 { font-size: 1.3rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: .3rem; }
.run { color: #5a5a5a; margin-top: 0; }
table { border-collapse: collapse; margin: .8rem 0; font-size: .95rem; }
th, td { padding: .3rem .8rem; border-bottom: 1px solid #e6e6e6; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody th[colspan] { background: #f3f3f3; font-weight: 600; }
tr.total td { font-weight: 600; }
figure { margin: 1.5rem 0; }
figure img { width: 100%; height: auto; border: 1px solid #e6e6e6; }
pre { background: #f6f6f6; padding: 1rem; overflow-x: auto; font-size: .85rem; }
.note { color: #5a5a5a; font-size: .9rem; }
";

/// `text` escaped for HTML element content and attribute values.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Opens a page: head with the style, then the title and the line under it. `run_line` is
/// HTML (its parts escaped by the caller, as it mixes numbers the page formats with names).
pub(super) fn open(h: &mut String, title: &str, run_line: &str) {
    // Writing to a String cannot fail; the results are ignored rather than unwrapped.
    let _ = write!(
        h,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>allocsim: {0}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{0}</h1>\n",
        escape(title)
    );
    let _ = writeln!(h, "<p class=\"run\">{run_line}</p>");
}

/// Closes a page: the charts as (file, caption) figures, the manifest, the end of the document.
pub(super) fn close(h: &mut String, charts: &[(&str, impl AsRef<str>)], manifest_json: &str) {
    if !charts.is_empty() {
        h.push_str("<h2>Charts</h2>\n");
    }
    for (chart, caption) in charts {
        let _ = writeln!(
            h,
            "<figure><img src=\"{0}\" alt=\"{1}\"><figcaption class=\"note\">{1}</figcaption></figure>",
            escape(chart),
            escape(caption.as_ref())
        );
    }
    // Pretty-printed whatever its layout; shown as given if it is not JSON.
    let manifest = serde_json::from_str::<serde_json::Value>(manifest_json)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| manifest_json.to_string());
    let _ = writeln!(h, "<h2>Manifest</h2>\n<pre>{}</pre>", escape(&manifest));
    h.push_str("</body>\n</html>\n");
}
