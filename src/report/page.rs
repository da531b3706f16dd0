//! The shell every report page shares (a run's, a comparison's), so both read in one order:
//! the title block, the key results, the charts (embedded, so the page is one file that can be
//! emailed alone), the detailed tables, and the manifest folded away. A page writes only its own
//! sections; [`render`] puts them in that order.

use std::fmt::Write;

const STYLE: &str = "
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif;
       color: #222; margin: 2rem auto; max-width: 1200px; padding: 0 1.5rem; line-height: 1.45; }
h1 { font-size: 1.8rem; margin-bottom: .2rem; }
h2 { font-size: 1.3rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: .3rem; }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .3rem; }
.run { color: #5a5a5a; margin-top: 0; }
.lead { font-size: 1.05rem; }
ul.lead { padding-left: 1.2rem; }
ul.lead li { margin: .3rem 0; }
.scroll { overflow-x: auto; margin: .8rem 0; }
table { border-collapse: collapse; font-size: .95rem; }
th, td { padding: .3rem .6rem; border-bottom: 1px solid #e6e6e6; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.n { white-space: nowrap; }
tbody th[colspan] { background: #f3f3f3; font-weight: 600; }
tr.total td { font-weight: 600; }
.gain { color: #1a6b35; }
.loss { color: #a8321e; }
figure { margin: 1.5rem 0; }
figure img { width: 100%; height: auto; border: 1px solid #e6e6e6; }
details { margin-top: 2.2rem; }
details > summary { cursor: pointer; font-size: 1.3rem; font-weight: 600; }
pre { background: #f6f6f6; padding: 1rem; overflow-x: auto; font-size: .85rem; }
.note { color: #5a5a5a; font-size: .9rem; }
.ci { color: #5a5a5a; font-size: .8rem; white-space: nowrap; }
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

/// One chart as the page shows it: its PNG (embedded whole) and the sentence under it.
pub(super) struct Figure<'a> {
    /// The PNG's file name in the output folder, named in the caption.
    pub file: &'a str,
    /// The PNG's bytes.
    pub png: &'a [u8],
    /// What the chart shows.
    pub caption: &'a str,
}

/// What a page is made of, each part HTML its page wrote (names in it escaped by the page).
pub(super) struct Page<'a> {
    /// The page's title (text, escaped here).
    pub title: &'a str,
    /// The line under the title: trials, seed and the like.
    pub run_line: &'a str,
    /// What comes before the key results: a description, how to read the page.
    pub intro: &'a str,
    /// The key results: the findings a reader came for, first.
    pub key_results: &'a str,
    /// The charts, after the key results.
    pub figures: &'a [Figure<'a>],
    /// The detailed tables and the assumptions, after the charts.
    pub details: &'a str,
    /// manifest.json, shown last and folded.
    pub manifest_json: &'a str,
}

/// The whole page, its sections in the order every page keeps.
pub(super) fn render(page: &Page) -> String {
    let images: usize = page.figures.iter().map(|f| f.png.len() * 4 / 3 + 200).sum();
    let mut h = String::with_capacity(
        images + page.key_results.len() + page.details.len() + page.manifest_json.len() + 4096,
    );
    // Writing to a String cannot fail; the results are ignored rather than unwrapped.
    let _ = write!(
        h,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>allocsim: {0}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{0}</h1>\n",
        escape(page.title)
    );
    let _ = writeln!(h, "<p class=\"run\">{}</p>", page.run_line);
    h.push_str(page.intro);
    h.push_str("<h2>Key results</h2>\n");
    h.push_str(page.key_results);
    if !page.figures.is_empty() {
        h.push_str("<h2>Charts</h2>\n");
    }
    for f in page.figures {
        let _ = writeln!(
            h,
            "<figure><img src=\"data:image/png;base64,{}\" alt=\"{}\"><figcaption class=\"note\">\
             {} ({})</figcaption></figure>",
            base64(f.png),
            escape(f.caption),
            escape(f.caption),
            escape(f.file)
        );
    }
    h.push_str(page.details);
    // Pretty-printed whatever its layout; shown as given if it is not JSON.
    let manifest = serde_json::from_str::<serde_json::Value>(page.manifest_json)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| page.manifest_json.to_string());
    let _ = writeln!(
        h,
        "<details>\n<summary>Manifest</summary>\n<p class=\"note\">manifest.json: what made these \
         results (allocsim version, scenario files and their SHA-256, seed, trials, command line).\
         </p>\n<pre>{}</pre>\n</details>",
        escape(&manifest)
    );
    h.push_str("</body>\n</html>\n");
    h
}

/// Starts a table inside a box that scrolls sideways when the table is wider than the page, so
/// no column is cut off at the right edge.
pub(super) fn open_table(h: &mut String) {
    h.push_str("<div class=\"scroll\"><table>\n");
}

/// Ends a table opened by [`open_table`].
pub(super) fn close_table(h: &mut String) {
    h.push_str("</table></div>\n");
}

/// Appends to a page's run line the `--set` overrides of the run, whole (the title may
/// shorten them), when there are any.
pub(super) fn push_overrides(run_line: &mut String, overrides: &[(String, String)]) {
    if !overrides.is_empty() {
        let _ = write!(
            run_line,
            "<br>\nOverrides of the scenario file (--set): {}",
            escape(&crate::report::overrides::listed(overrides))
        );
    }
}

/// The "Key assumptions" section: each policy knob of the run and its value.
pub(super) fn key_assumptions(h: &mut String, knobs: &[(String, String)]) {
    h.push_str("<h2>Key assumptions</h2>\n");
    open_table(h);
    h.push_str("<tbody>\n");
    for (label, value) in knobs {
        let _ = writeln!(
            h,
            "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
            escape(label),
            escape(value)
        );
    }
    h.push_str("</tbody>\n");
    close_table(h);
}

/// `bytes` in base64 with padding (RFC 4648, section 4), as a `data:` URL carries them.
pub(super) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * k)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_is_rfc_4648() {
        // The test vectors of RFC 4648, section 10.
        for (text, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(text.as_bytes()), encoded, "{text:?}");
        }
        // Every byte value, and the two characters past the letters and digits.
        assert_eq!(base64(&[0xfb, 0xff, 0xbf]), "+/+/");
        assert_eq!(base64(&[0, 0x10, 0x83]), "ABCD");
    }

    #[test]
    fn sections_come_in_order_and_the_manifest_is_folded() {
        let png = [0x89, b'P', b'N', b'G'];
        let figures = [Figure {
            file: "a<b>.png",
            png: &png,
            caption: "What \"it\" shows",
        }];
        let html = render(&Page {
            title: "T & t",
            run_line: "line",
            intro: "<p>intro</p>\n",
            key_results: "<p>KEY</p>\n",
            figures: &figures,
            details: "<p>DETAILS</p>\n",
            manifest_json: "{\"a\": \"<x>\"}",
        });
        let at = |s: &str| html.find(s).unwrap_or_else(|| panic!("{s} missing"));
        assert!(at("<h1>T &amp; t</h1>") < at("<p>intro</p>"));
        assert!(at("<p>intro</p>") < at("<h2>Key results</h2>"));
        assert!(at("<p>KEY</p>") < at("<h2>Charts</h2>"));
        assert!(at("<h2>Charts</h2>") < at("<p>DETAILS</p>"));
        assert!(at("<p>DETAILS</p>") < at("<details>"));
        assert!(html.contains(
            "<img src=\"data:image/png;base64,iVBORw==\" alt=\"What &quot;it&quot; shows\">"
        ));
        assert!(html.contains("What &quot;it&quot; shows (a&lt;b&gt;.png)</figcaption>"));
        assert!(html.contains("<summary>Manifest</summary>"));
        assert!(
            html.contains("<pre>{\n  &quot;a&quot;: &quot;&lt;x&gt;&quot;\n}</pre>\n</details>")
        );
    }
}
