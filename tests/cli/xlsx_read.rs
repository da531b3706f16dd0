//! A small reader of the `.xlsx` workbooks allocsim writes, so the tests can read results.xlsx
//! back without a spreadsheet crate (and its build) of their own.
//!
//! An `.xlsx` file is a zip of XML parts (ECMA-376 Part 1, SpreadsheetML): `xl/workbook.xml`
//! names the sheets in order, each with a relationship id that `xl/_rels/workbook.xml.rels`
//! maps to the sheet's part (and to `xl/sharedStrings.xml`, the table of strings cells refer to
//! by index); a sheet's `<sheetData>` holds `<row>`s of `<c r="B2" t="…">` cells whose value is
//! a `<v>` (a number; a shared string's index for `t="s"`; a formula's text for `t="str"`;
//! 0 or 1 for `t="b"`) or an inline `<is><t>…</t></is>` for `t="inlineStr"`.
//!
//! The XML is scanned by hand. It is written by one known writer, rust_xlsxwriter, and the
//! scanner handles what that writer puts in these parts: the declaration, elements with
//! attributes in either quote, the five predefined entities and numeric character references,
//! `xml:space="preserve"` text, rich-text runs, and Excel's `_xHHHH_` escapes of control
//! characters (which rust_xlsxwriter writes, and so `_x005F_` before a literal `_xHHHH_`).
//! Comments are skipped; CDATA sections and DOCTYPEs, which it never writes, are refused.

use std::collections::BTreeMap;
use std::io::{Read, Seek};
use std::path::Path;

/// One cell of a sheet, as a spreadsheet shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// No cell, or one without a value (only a format).
    Empty,
    /// A number (every number in a workbook is a double).
    Number(f64),
    /// Text: a shared, inline or formula string.
    Text(String),
    /// A boolean.
    Bool(bool),
}

/// A workbook's sheets, in the order it lists them.
#[derive(Debug)]
pub struct Workbook {
    sheets: Vec<(String, Vec<Vec<Cell>>)>,
}

impl Workbook {
    /// Reads the workbook at `path`; an error names the file and what in it could not be read.
    pub fn open(path: &Path) -> Result<Workbook, String> {
        let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Workbook::read(file).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Reads a workbook from the bytes of an `.xlsx` zip.
    pub fn read<R: Read + Seek>(reader: R) -> Result<Workbook, String> {
        let mut zip = zip::ZipArchive::new(reader).map_err(|e| format!("not a zip file: {e}"))?;
        let workbook = parse(&part(&mut zip, "xl/workbook.xml")?, "xl/workbook.xml")?;
        let rels_path = "xl/_rels/workbook.xml.rels";
        let rels = parse(&part(&mut zip, rels_path)?, rels_path)?;
        // Relationship id → (type, part path).
        let mut targets: Vec<(String, String, String)> = Vec::new();
        for rel in rels.children("Relationship") {
            let id = rel.required(rels_path, "Id")?;
            let kind = rel.required(rels_path, "Type")?;
            let target = resolve("xl", rel.required(rels_path, "Target")?);
            targets.push((id.to_string(), kind.to_string(), target));
        }
        let shared = match targets
            .iter()
            .find(|(_, kind, _)| kind.ends_with("/sharedStrings"))
        {
            Some((_, _, path)) => shared_strings(&part(&mut zip, path)?, path)?,
            None => Vec::new(),
        };
        let list = workbook
            .child("sheets")
            .ok_or("xl/workbook.xml has no <sheets>")?;
        let mut sheets = Vec::new();
        for sheet in list.children("sheet") {
            let name = sheet.required("xl/workbook.xml", "name")?;
            let id = sheet.required("xl/workbook.xml", "r:id")?;
            let (_, _, path) = targets
                .iter()
                .find(|(rid, _, _)| rid == id)
                .ok_or_else(|| format!("{rels_path} has no relationship {id} (sheet {name})"))?;
            let grid = sheet_cells(&part(&mut zip, path)?, path, &shared)?;
            sheets.push((name.to_string(), grid));
        }
        Ok(Workbook { sheets })
    }

    /// The sheets' names, in the workbook's order.
    pub fn sheet_names(&self) -> Vec<String> {
        self.sheets.iter().map(|(name, _)| name.clone()).collect()
    }

    /// Sheet `name`, row by row from its row 1, each row from column A to the last column with
    /// a value in any row (cells without one are [`Cell::Empty`]); `None` if there is no such
    /// sheet. A sheet without a value has no rows.
    pub fn sheet(&self, name: &str) -> Option<&[Vec<Cell>]> {
        self.sheets
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, grid)| grid.as_slice())
    }
}

/// The text of part `path` of the zip.
fn part<R: Read + Seek>(zip: &mut zip::ZipArchive<R>, path: &str) -> Result<String, String> {
    let mut file = zip
        .by_name(path)
        .map_err(|e| format!("no part {path}: {e}"))?;
    let mut text = String::new();
    file.read_to_string(&mut text)
        .map_err(|e| format!("part {path} is not UTF-8 text: {e}"))?;
    Ok(text)
}

/// A relationship's target as a part path: relative to folder `base`, or absolute from the
/// package root if it starts with '/'.
fn resolve(base: &str, target: &str) -> String {
    let joined = match target.strip_prefix('/') {
        Some(absolute) => absolute.to_string(),
        None => format!("{base}/{target}"),
    };
    let mut segments: Vec<&str> = Vec::new();
    for segment in joined.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    segments.join("/")
}

/// The shared-string table: the text of each `<si>`, in order.
fn shared_strings(xml: &str, path: &str) -> Result<Vec<String>, String> {
    let root = parse(xml, path)?;
    if root.name != "sst" {
        return Err(format!("{path}: root is <{}>, not <sst>", root.name));
    }
    Ok(root.children("si").map(string_item).collect())
}

/// The text of a string item (`<si>` or `<is>`): its `<t>`, or the `<t>` of each rich-text run
/// `<r>` in turn; phonetic runs (`<rPh>`) are not part of it.
fn string_item(item: &Element) -> String {
    let mut text = String::new();
    for child in item.elements() {
        match child.name.as_str() {
            "t" => text.push_str(&child.text()),
            "r" => {
                for t in child.children("t") {
                    text.push_str(&t.text());
                }
            }
            _ => {}
        }
    }
    decode_xstring(&text)
}

/// Excel's escapes in string text: `_xHHHH_` is the character with code HHHH (rust_xlsxwriter
/// writes control characters so, and a literal `_xHHHH_` as `_x005F_xHHHH_`). A sequence that
/// is not four hex digits of a character stays as written.
pub fn decode_xstring(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("_x") {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let decoded = tail
            .get(2..6)
            .filter(|hex| hex.chars().all(|c| c.is_ascii_hexdigit()))
            .filter(|_| tail.get(6..7) == Some("_"))
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .and_then(char::from_u32);
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &tail[7..];
            }
            None => {
                out.push_str("_x");
                rest = &tail[2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A cell reference such as "AB12" as (row, column), both from 0: (11, 27).
pub fn cell_ref(reference: &str) -> Result<(usize, usize), String> {
    let bad = || format!("'{reference}' is not a cell reference");
    let letters = reference
        .find(|c: char| !c.is_ascii_uppercase())
        .ok_or_else(bad)?;
    let (col, row) = reference.split_at(letters);
    if col.is_empty() || col.len() > 3 || row.starts_with('0') {
        return Err(bad());
    }
    if !row.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let row: usize = row.parse().map_err(|_| bad())?;
    // Columns count in base 26 with digits A = 1 … Z = 26: A is 1, Z 26, AA 27.
    let col = col
        .bytes()
        .fold(0usize, |n, b| n * 26 + usize::from(b - b'A') + 1);
    // The largest sheet Excel has: 1,048,576 rows and 16,384 columns (XFD).
    if row > 1_048_576 || col > 16_384 {
        return Err(format!("{reference} is outside a sheet"));
    }
    Ok((row - 1, col - 1))
}

/// The cells of a sheet part as a grid from A1 to its last row and column with a value.
fn sheet_cells(xml: &str, path: &str, shared: &[String]) -> Result<Vec<Vec<Cell>>, String> {
    let root = parse(xml, path)?;
    let data = root
        .child("sheetData")
        .ok_or_else(|| format!("{path} has no <sheetData>"))?;
    let mut cells: BTreeMap<(usize, usize), Cell> = BTreeMap::new();
    let mut next_row = 0;
    for row in data.children("row") {
        // A row's r (from 1) may be left out for the row after the one before, and a cell's r
        // for the cell after the one before.
        let r = match row.attr("r") {
            Some(r) => match r.parse::<usize>() {
                Ok(n) if n >= 1 => n - 1,
                _ => return Err(format!("{path}: row r=\"{r}\" is not a row number")),
            },
            None => next_row,
        };
        next_row = r + 1;
        let mut next_col = 0;
        for c in row.children("c") {
            let (at_row, col) = match c.attr("r") {
                Some(reference) => cell_ref(reference).map_err(|e| format!("{path}: {e}"))?,
                None => (r, next_col),
            };
            let at = format!("{path} cell {}", c.attr("r").unwrap_or("without r"));
            if at_row != r {
                return Err(format!("{at} is in <row r=\"{}\">", r + 1));
            }
            next_col = col + 1;
            let cell = cell_value(c, shared).map_err(|e| format!("{at}: {e}"))?;
            if cells.insert((r, col), cell).is_some() {
                return Err(format!("{at} appears twice"));
            }
        }
    }
    cells.retain(|_, cell| *cell != Cell::Empty);
    let rows = cells.keys().map(|&(r, _)| r + 1).max().unwrap_or(0);
    let cols = cells.keys().map(|&(_, c)| c + 1).max().unwrap_or(0);
    let mut grid = vec![vec![Cell::Empty; cols]; rows];
    for ((r, c), cell) in cells {
        grid[r][c] = cell;
    }
    Ok(grid)
}

/// The value of one `<c>` element.
fn cell_value(c: &Element, shared: &[String]) -> Result<Cell, String> {
    let value = c.child("v").map(Element::text);
    let kind = c.attr("t").unwrap_or("n");
    Ok(match (kind, value) {
        ("inlineStr", _) => Cell::Text(
            c.child("is")
                .map(string_item)
                .ok_or("an inline string without <is>")?,
        ),
        (_, None) => Cell::Empty,
        ("n", Some(v)) => Cell::Number(
            v.parse()
                .map_err(|_| format!("number <v>{v}</v> is not a number"))?,
        ),
        ("s", Some(v)) => {
            let index: usize = v
                .parse()
                .map_err(|_| format!("shared string index <v>{v}</v> is not an index"))?;
            Cell::Text(
                shared
                    .get(index)
                    .ok_or_else(|| format!("shared string {index} of a table of {}", shared.len()))?
                    .clone(),
            )
        }
        ("str", Some(v)) => Cell::Text(v),
        ("b", Some(v)) => match v.as_str() {
            "0" => Cell::Bool(false),
            "1" => Cell::Bool(true),
            _ => return Err(format!("boolean <v>{v}</v> is not 0 or 1")),
        },
        (other, Some(v)) => {
            return Err(format!("cell type t=\"{other}\" (<v>{v}</v>) is not read"));
        }
    })
}

/// An XML element: its local name (without a namespace prefix), its attributes (names as
/// written, values unescaped) and its children.
#[derive(Debug)]
struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
}

#[derive(Debug)]
enum Node {
    Element(Element),
    /// Character data, unescaped.
    Text(String),
}

impl Element {
    /// The value of the attribute written `name` (with its prefix, as "r:id").
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn required(&self, path: &str, name: &str) -> Result<&str, String> {
        self.attr(name)
            .ok_or_else(|| format!("{path}: a <{}> without {name}", self.name))
    }

    fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|node| match node {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.elements().filter(move |e| e.name == name)
    }

    fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    /// The element's own character data.
    fn text(&self) -> String {
        self.children
            .iter()
            .filter_map(|node| match node {
                Node::Text(t) => Some(t.as_str()),
                Node::Element(_) => None,
            })
            .collect()
    }
}

/// The root element of XML document `xml` (part `path` of the zip, for errors).
fn parse(xml: &str, path: &str) -> Result<Element, String> {
    let fail = |at: usize, what: &str| format!("{path} at byte {at}: {what}");
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut pos = 0;
    while pos < xml.len() {
        let rest = &xml[pos..];
        if !rest.starts_with('<') {
            let end = rest.find('<').unwrap_or(rest.len());
            let raw = &rest[..end];
            match stack.last_mut() {
                Some(parent) => {
                    let text = unescape(&normalize_newlines(raw)).map_err(|e| fail(pos, &e))?;
                    parent.children.push(Node::Text(text));
                }
                None if raw.trim().is_empty() => {}
                None => return Err(fail(pos, "text outside the root element")),
            }
            pos += end;
            continue;
        }
        let skip_to = |close: &str| {
            rest.find(close)
                .map(|i| pos + i + close.len())
                .ok_or_else(|| fail(pos, &format!("no closing {close}")))
        };
        if rest.starts_with("<?") {
            pos = skip_to("?>")?;
        } else if rest.starts_with("<!--") {
            pos = skip_to("-->")?;
        } else if rest.starts_with("<!") {
            return Err(fail(pos, "CDATA sections and DOCTYPEs are not read"));
        } else if let Some(tail) = rest.strip_prefix("</") {
            let end = tail
                .find('>')
                .ok_or_else(|| fail(pos, "unclosed end tag"))?;
            let name = local(tail[..end].trim_end());
            let element = stack
                .pop()
                .ok_or_else(|| fail(pos, &format!("</{name}> closes nothing")))?;
            if element.name != name {
                return Err(fail(pos, &format!("</{name}> closes <{}>", element.name)));
            }
            pos += 2 + end + 1;
            close(element, &mut stack, &mut root).map_err(|e| fail(pos, &e))?;
        } else {
            let (element, empty, len) = start_tag(rest).map_err(|e| fail(pos, &e))?;
            pos += len;
            if empty {
                close(element, &mut stack, &mut root).map_err(|e| fail(pos, &e))?;
            } else {
                stack.push(element);
            }
        }
    }
    if let Some(open) = stack.last() {
        return Err(fail(xml.len(), &format!("<{}> is not closed", open.name)));
    }
    root.ok_or_else(|| fail(0, "no root element"))
}

/// Attaches a finished element to its parent, or makes it the root.
fn close(
    element: Element,
    stack: &mut [Element],
    root: &mut Option<Element>,
) -> Result<(), String> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(Node::Element(element)),
        None if root.is_none() => *root = Some(element),
        None => return Err(format!("a second root element <{}>", element.name)),
    }
    Ok(())
}

fn local(name: &str) -> String {
    name.rsplit(':').next().unwrap_or(name).to_string()
}

/// The start tag at the start of `tag` ("<name a='1' b=\"2\">" or ".../>"): the element,
/// whether it is empty, and the tag's length in bytes.
fn start_tag(tag: &str) -> Result<(Element, bool, usize), String> {
    let is_name_end = |c: char| c.is_ascii_whitespace() || c == '/' || c == '>';
    let name_len = tag[1..].find(is_name_end).ok_or("unclosed start tag")?;
    if name_len == 0 {
        return Err("a '<' without a name".into());
    }
    let mut element = Element {
        name: local(&tag[1..1 + name_len]),
        attrs: Vec::new(),
        children: Vec::new(),
    };
    let mut pos = 1 + name_len;
    loop {
        let rest = &tag[pos..];
        let trimmed = rest.trim_start();
        pos += rest.len() - trimmed.len();
        if trimmed.starts_with("/>") {
            return Ok((element, true, pos + 2));
        }
        if trimmed.starts_with('>') {
            return Ok((element, false, pos + 1));
        }
        let eq = trimmed
            .find('=')
            .ok_or_else(|| format!("attribute without a value in <{}>", element.name))?;
        let name = trimmed[..eq].trim_end();
        if name.is_empty() || name.contains(is_name_end) {
            return Err(format!("a malformed attribute in <{}>", element.name));
        }
        let after = trimmed[eq + 1..].trim_start();
        let quote = after
            .chars()
            .next()
            .filter(|&q| q == '"' || q == '\'')
            .ok_or_else(|| format!("attribute {name} of <{}> is not quoted", element.name))?;
        let value_len = after[1..]
            .find(quote)
            .ok_or_else(|| format!("attribute {name} of <{}> is not closed", element.name))?;
        let raw = &after[1..1 + value_len];
        if raw.contains('<') {
            return Err(format!("a '<' in attribute {name} of <{}>", element.name));
        }
        // XML normalizes a literal tab or line break in an attribute to a space.
        let raw = normalize_newlines(raw).replace(['\t', '\n'], " ");
        let value = unescape(&raw)?;
        if element.attr(name).is_some() {
            return Err(format!("attribute {name} twice in <{}>", element.name));
        }
        element.attrs.push((name.to_string(), value));
        pos = tag.len() - after.len() + 1 + value_len + 1;
    }
}

/// XML's end-of-line handling: "\r\n" and a lone "\r" read as "\n".
fn normalize_newlines(raw: &str) -> String {
    raw.replace("\r\n", "\n").replace('\r', "\n")
}

/// XML character data with its references replaced: the five predefined entities (`&amp;`
/// `&lt;` `&gt;` `&quot;` `&apos;`) and numeric character references (`&#65;`, `&#x41;`).
pub fn unescape(raw: &str) -> Result<String, String> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let tail = &rest[amp + 1..];
        let semi = tail
            .find(';')
            .filter(|&i| i <= 10)
            .ok_or_else(|| format!("an '&' without a reference: '{}'", cut(&rest[amp..])))?;
        let name = &tail[..semi];
        let c = match name {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(hex) = name.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16)
                        .ok()
                        .filter(|_| !hex.starts_with('+'))
                } else if let Some(dec) = name.strip_prefix('#') {
                    dec.parse::<u32>().ok().filter(|_| !dec.starts_with('+'))
                } else {
                    None
                };
                code.filter(|&n| n != 0)
                    .and_then(char::from_u32)
                    .ok_or_else(|| format!("'&{name};' is not a reference XML knows"))?
            }
        };
        out.push(c);
        rest = &tail[semi + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn cut(s: &str) -> String {
    s.chars().take(12).collect()
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write};

    use super::*;

    #[test]
    fn entities_and_character_references_are_unescaped() {
        assert_eq!(
            unescape("a &amp; b &lt;c&gt; &quot;q&quot; &apos;s&apos;").unwrap(),
            "a & b <c> \"q\" 's'"
        );
        assert_eq!(
            unescape("&#65;&#x42;&#x63;&#233;&#x1F600;").unwrap(),
            "ABcé😀"
        );
        // An escaped ampersand is not read again.
        assert_eq!(unescape("&amp;lt; &amp;amp;").unwrap(), "&lt; &amp;");
        assert_eq!(unescape("no references").unwrap(), "no references");
        for bad in [
            "a & b", "&nbsp;", "&#;", "&#x;", "&#xD800;", "&#0;", "&#+5;", "&amp",
        ] {
            assert!(unescape(bad).is_err(), "{bad} read as {:?}", unescape(bad));
        }
    }

    #[test]
    fn excel_escapes_in_strings_are_decoded() {
        assert_eq!(decode_xstring("a_x000D_b_x0009_"), "a\rb\t");
        // A literal "_x0041_" is written with its underscore escaped.
        assert_eq!(decode_xstring("_x005F_x0041_"), "_x0041_");
        for kept in ["snake_x", "_x12_", "_x00zz_", "_x0041", "effective_unmet"] {
            assert_eq!(decode_xstring(kept), kept);
        }
    }

    #[test]
    fn cell_references_are_rows_and_columns_from_zero() {
        assert_eq!(cell_ref("AB12"), Ok((11, 27)));
        assert_eq!(cell_ref("A1"), Ok((0, 0)));
        assert_eq!(cell_ref("B1"), Ok((0, 1)));
        assert_eq!(cell_ref("Z3"), Ok((2, 25)));
        assert_eq!(cell_ref("AA3"), Ok((2, 26)));
        assert_eq!(cell_ref("AZ1"), Ok((0, 51)));
        assert_eq!(cell_ref("BA1"), Ok((0, 52)));
        assert_eq!(cell_ref("XFD1048576"), Ok((1_048_575, 16_383)));
        for bad in [
            "", "A", "12", "1A", "A0", "A01", "a1", "A1B", "XFE1", "A1048577", "ABCD1",
        ] {
            assert!(cell_ref(bad).is_err(), "{bad} read as {:?}", cell_ref(bad));
        }
    }

    /// An .xlsx zip of the given parts, with the three every workbook needs around `sheets`
    /// ((name, relationship id, part, XML) each) and the rels listing `extra_rels` too.
    fn package(sheets: &[(&str, &str, &str, &str)], extra: &[(&str, &str)], rels: &str) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        let mut add = |path: &str, xml: &str| {
            zip.start_file(path, options).unwrap();
            zip.write_all(xml.as_bytes()).unwrap();
        };
        let list: String = sheets
            .iter()
            .enumerate()
            .map(|(k, (name, rid, _, _))| {
                format!(r#"<sheet name="{name}" sheetId="{}" r:id="{rid}"/>"#, k + 1)
            })
            .collect();
        add(
            "xl/workbook.xml",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{list}</sheets></workbook>"#
            ),
        );
        let ws = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet";
        let sheet_rels: String = sheets
            .iter()
            .map(|(_, rid, target, _)| {
                format!(r#"<Relationship Id="{rid}" Type="{ws}" Target="{target}"/>"#)
            })
            .collect();
        add(
            "xl/_rels/workbook.xml.rels",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{sheet_rels}{rels}</Relationships>"#
            ),
        );
        for (_, _, target, xml) in sheets {
            add(&resolve("xl", target), xml);
        }
        for (path, xml) in extra {
            add(path, xml);
        }
        zip.finish().unwrap().into_inner()
    }

    fn sheet_xml(data: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:C3"/><sheetData>{data}</sheetData></worksheet>"#
        )
    }

    const SST: &str = r#"<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>"#;

    #[test]
    fn shared_and_inline_strings_numbers_and_booleans_are_read() {
        let shared = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="3"><si><t>firm</t></si><si><t xml:space="preserve"> Tom &amp; Jerry &lt;3 </t></si><si><r><rPr><b/></rPr><t>rich </t></r><r><t>text_x000A_</t></r></si></sst>"#;
        let data = sheet_xml(concat!(
            r#"<row r="1" spans="1:3"><c r="A1" s="1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>"#,
            r#"<row r="2"><c r="A2" t="inlineStr"><is><t>in &quot;line&quot; &#x263A;</t></is></c><c r="B2" s="3"><v>-1.5E-3</v></c><c r="C2" t="b"><v>1</v></c></row>"#,
            r#"<row r="3"><c r="A3" s="2"/><c r="B3" t='str'><f>A1&amp;"x"</f><v>firmx</v></c><c r="C3" t="b"><v>0</v></c></row>"#,
        ));
        let bytes = package(
            &[("a &amp; b", "rId1", "worksheets/sheet1.xml", &data)],
            &[("xl/sharedStrings.xml", shared)],
            SST,
        );
        let book = Workbook::read(Cursor::new(bytes)).unwrap();
        assert_eq!(book.sheet_names(), ["a & b"]);
        let text = |s: &str| Cell::Text(s.to_string());
        assert_eq!(
            book.sheet("a & b").unwrap(),
            [
                vec![text("firm"), text(" Tom & Jerry <3 "), text("rich text\n")],
                vec![
                    text("in \"line\" ☺"),
                    Cell::Number(-0.0015),
                    Cell::Bool(true)
                ],
                vec![Cell::Empty, text("firmx"), Cell::Bool(false)],
            ]
        );
        assert!(book.sheet("a &amp; b").is_none());
    }

    #[test]
    fn sheets_are_found_by_relationship_and_placed_by_reference() {
        // The workbook lists "first" with rId2, whose part is sheet2.xml: the rels, not the
        // order of the parts, say which is which.
        let first = sheet_xml(r#"<row r="12"><c r="AB12"><v>7</v></c></row>"#);
        let second = sheet_xml(
            r#"<row r="2"><c r="B2"><v>1</v></c><c><v>2</v></c></row><row><c r="C3"><v>3</v></c></row>"#,
        );
        let bytes = package(
            &[
                ("first", "rId2", "worksheets/sheet2.xml", &first),
                (
                    "second",
                    "rId1",
                    "/xl/worksheets/../worksheets/sheet1.xml",
                    &second,
                ),
            ],
            &[],
            "",
        );
        let book = Workbook::read(Cursor::new(bytes)).unwrap();
        assert_eq!(book.sheet_names(), ["first", "second"]);
        let grid = book.sheet("first").unwrap();
        assert_eq!(grid.len(), 12);
        assert!(grid.iter().all(|row| row.len() == 28));
        assert_eq!(grid[11][27], Cell::Number(7.0));
        let values = grid.iter().flatten().filter(|c| **c != Cell::Empty).count();
        assert_eq!(values, 1);
        let n = Cell::Number;
        assert_eq!(
            book.sheet("second").unwrap(),
            [
                vec![Cell::Empty, Cell::Empty, Cell::Empty],
                vec![Cell::Empty, n(1.0), n(2.0)],
                vec![Cell::Empty, Cell::Empty, n(3.0)],
            ]
        );
    }

    #[test]
    fn what_it_cannot_read_is_an_error_naming_the_place() {
        fn read(data: &str, extra: &[(&str, &str)], rels: &str) -> String {
            let bytes = package(&[("s", "rId1", "worksheets/sheet1.xml", data)], extra, rels);
            Workbook::read(Cursor::new(bytes)).unwrap_err()
        }
        let shared = r#"<sst><si><t>only</t></si></sst>"#;
        let err = read(
            &sheet_xml(r#"<row r="1"><c r="A1" t="s"><v>1</v></c></row>"#),
            &[("xl/sharedStrings.xml", shared)],
            SST,
        );
        assert!(
            err.contains("sheet1.xml cell A1") && err.contains("shared string 1"),
            "{err}"
        );
        let err = read(
            &sheet_xml(r#"<row r="1"><c r="A1"><v>x1</v></c></row>"#),
            &[],
            "",
        );
        assert!(err.contains("cell A1") && err.contains("x1"), "{err}");
        let err = read(
            &sheet_xml(r#"<row r="1"><c r="A2"><v>1</v></c></row>"#),
            &[],
            "",
        );
        assert!(err.contains("cell A2"), "{err}");
        let err = read(
            &sheet_xml(r#"<row r="1"><c r="A1"><v>1</v></row>"#),
            &[],
            "",
        );
        assert!(err.contains("</row> closes <c>"), "{err}");
        let err = read(
            &sheet_xml(r#"<row r="1"><c r="A1" t="e"><v>#N/A</v></c></row>"#),
            &[],
            "",
        );
        assert!(err.contains("t=\"e\""), "{err}");
        let err = read(
            &sheet_xml(r#"<row r="1"><c r="A1"><v>1 &nbsp;</v></c></row>"#),
            &[],
            "",
        );
        assert!(err.contains("&nbsp;"), "{err}");
        let err = read(
            &sheet_xml(r#"<row r="1"><c r="A1"><v>1</v></c><c r="A1"><v>2</v></c></row>"#),
            &[],
            "",
        );
        assert!(err.contains("twice"), "{err}");
        assert!(Workbook::read(Cursor::new(b"PK not a zip".to_vec())).is_err());
    }

    /// What rust_xlsxwriter writes reads back as what it was given, text and numbers alike.
    #[test]
    fn a_rust_xlsxwriter_workbook_reads_back_as_written() {
        let texts = [
            "plain",
            "a & b < c > d \"quoted\" 'apostrophe'",
            "  leading and trailing  ",
            "tab\there\nand a line",
            "control \u{1} \u{1f} and \r",
            "literal _x0041_ and _x005F_",
            "unicode: é ☺ 😀",
            "&amp; as text",
        ];
        let numbers: [f64; 7] = [0.0, -1.5, 0.1 + 0.2, 1e300, 5e-324, 123456789.123, -0.0];
        let mut book = rust_xlsxwriter::Workbook::new();
        let ws = book.add_worksheet();
        ws.set_name("texts & numbers").unwrap();
        for (r, t) in texts.iter().enumerate() {
            ws.write_string(r as u32, 0, *t).unwrap();
        }
        for (r, x) in numbers.iter().enumerate() {
            ws.write_number(r as u32, 2, *x).unwrap();
        }
        ws.write_boolean(0, 3, true).unwrap();
        ws.write_boolean(1, 3, false).unwrap();
        // A format alone is no value.
        ws.write_blank(20, 5, &rust_xlsxwriter::Format::new().set_bold())
            .unwrap();
        let other = book.add_worksheet();
        other.set_name("other").unwrap();
        other.write_string(11, 27, "AB12").unwrap();
        let bytes = book.save_to_buffer().unwrap();

        let read = Workbook::read(Cursor::new(bytes)).unwrap();
        assert_eq!(read.sheet_names(), ["texts & numbers", "other"]);
        let grid = read.sheet("texts & numbers").unwrap();
        assert_eq!(grid.len(), texts.len().max(numbers.len()));
        for (r, row) in grid.iter().enumerate() {
            assert_eq!(row.len(), 4, "row {r}");
            let expected = texts
                .get(r)
                .map_or(Cell::Empty, |t| Cell::Text(t.to_string()));
            assert_eq!(row[0], expected, "row {r}");
            assert_eq!(row[1], Cell::Empty);
            match (&row[2], numbers.get(r)) {
                (Cell::Number(v), Some(x)) => assert_eq!(v.to_bits(), x.to_bits(), "row {r}"),
                (Cell::Empty, None) => {}
                (cell, x) => panic!("row {r}: {cell:?} for {x:?}"),
            }
        }
        assert_eq!(grid[0][3], Cell::Bool(true));
        assert_eq!(grid[1][3], Cell::Bool(false));
        assert_eq!(grid[2][3], Cell::Empty);
        let other = read.sheet("other").unwrap();
        assert_eq!((other.len(), other[11].len()), (12, 28));
        assert_eq!(other[11][27], Cell::Text("AB12".into()));
    }
}
