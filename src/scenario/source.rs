//! Where a scenario's text came from, so that an error can point at a file position or at the
//! `--set` argument that supplied the value.

use std::ops::Range;
use std::path::{Path, PathBuf};

/// An invalid scenario: where the problem is, and what it is.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct ScenarioError {
    /// `path:line:column`, `path` alone, or `--set KEY=VALUE`.
    pub location: String,
    /// What is wrong, naming the field and, where it helps, the fix.
    pub message: String,
}

/// Most problems a [`ScenarioErrors`] lists; past them it only counts. Twenty fill a screen, and
/// past that the first ones are better fixed first (later ones are often their consequences).
pub const MAX_REPORTED: usize = 20;

/// Every problem found in one scenario and its `--set` overrides, ordered by position (the file's
/// from top to bottom, then the overrides' in the order given). Never empty. Problems that depend
/// on each other are not all listed: after a TOML syntax error nothing else is checked, and a value
/// that could not be read (a missing key, a wrong type) is not checked further, nor is what
/// depends on it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", list(.errors, *.omitted, .file))]
pub struct ScenarioErrors {
    errors: Vec<ScenarioError>,
    omitted: usize,
    file: String,
}

impl ScenarioErrors {
    /// The problems listed, at most [`MAX_REPORTED`], in the order of their positions.
    pub fn errors(&self) -> &[ScenarioError] {
        &self.errors
    }

    /// The problem at the earliest position.
    pub fn first(&self) -> &ScenarioError {
        &self.errors[0]
    }

    /// Problems found past the [`MAX_REPORTED`] listed ones: counted, not kept.
    pub fn omitted(&self) -> usize {
        self.omitted
    }

    /// How many problems were found, listed or not.
    pub fn count(&self) -> usize {
        self.errors.len() + self.omitted
    }
}

impl From<ScenarioError> for ScenarioErrors {
    fn from(error: ScenarioError) -> Self {
        ScenarioErrors {
            file: error.location.clone(),
            errors: vec![error],
            omitted: 0,
        }
    }
}

/// The problems one a line, then how many more there are.
fn list(errors: &[ScenarioError], omitted: usize, file: &str) -> String {
    let mut lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
    match omitted {
        0 => {}
        1 => lines.push(format!("{file}: and 1 more problem")),
        n => lines.push(format!("{file}: and {n} more problems")),
    }
    lines.join("\n")
}

/// Collects the problems of one scenario as they are found, in any order, and keeps the
/// [`MAX_REPORTED`] at the earliest positions (ties in the order found).
#[derive(Debug)]
pub struct Problems<'m, 'a> {
    map: &'m SourceMap<'a>,
    /// `(virtual offset, error)`: sorted and cut back to [`MAX_REPORTED`] whenever it grows past
    /// four times that, so a file with a million bad keys costs little memory.
    found: Vec<(usize, ScenarioError)>,
    dropped: usize,
}

impl<'m, 'a> Problems<'m, 'a> {
    /// No problems yet, for the scenario of `map`.
    pub fn new(map: &'m SourceMap<'a>) -> Self {
        Problems {
            map,
            found: Vec::new(),
            dropped: 0,
        }
    }

    /// The source the problems are located in.
    pub fn map(&self) -> &'m SourceMap<'a> {
        self.map
    }

    /// Records a problem at `span` (None: the file as a whole, sorted first).
    pub fn report(&mut self, span: Option<Range<usize>>, message: impl Into<String>) {
        let at = span.as_ref().map_or(0, |s| s.start);
        self.found.push((at, self.map.error(span, message)));
        if self.found.len() > 4 * MAX_REPORTED {
            self.cut();
        }
    }

    fn cut(&mut self) {
        // A stable sort: problems at one position stay in the order found.
        self.found.sort_by_key(|(at, _)| *at);
        if self.found.len() > MAX_REPORTED {
            self.dropped += self.found.len() - MAX_REPORTED;
            self.found.truncate(MAX_REPORTED);
        }
    }

    /// The problems found, if any.
    pub fn finish(mut self) -> Result<(), ScenarioErrors> {
        if self.found.is_empty() {
            return Ok(());
        }
        self.cut();
        Err(ScenarioErrors {
            errors: self.found.into_iter().map(|(_, e)| e).collect(),
            omitted: self.dropped,
            file: self.map.path.display().to_string(),
        })
    }
}

/// One `--set KEY=VALUE` override, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    /// The dotted key, e.g. `firm.Baidu.eligible_from`.
    pub key: String,
    /// The value as typed: a TOML value, or a bare word taken as a string.
    pub value: String,
}

/// A `--set` argument that is not `KEY=VALUE`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OverrideError {
    /// No '=' at all; holds the whole argument.
    #[error("--set {0}: expected KEY=VALUE, e.g. approval.probability=0.6")]
    NoEquals(String),
    /// The key is empty or has an empty dotted part (`a..b`, `.a`); holds the whole argument.
    #[error("--set {0}: the key must be dotted names, e.g. domestic.ratio")]
    BadKey(String),
}

impl Override {
    /// Parses `KEY=VALUE`.
    pub fn parse(text: &str) -> Result<Override, OverrideError> {
        let (key, value) = text
            .split_once('=')
            .ok_or_else(|| OverrideError::NoEquals(text.to_string()))?;
        let key = key.trim();
        if key.is_empty() || key.split('.').any(str::is_empty) {
            return Err(OverrideError::BadKey(text.to_string()));
        }
        Ok(Override {
            key: key.to_string(),
            value: value.trim().to_string(),
        })
    }
}

impl std::fmt::Display for Override {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}={}", self.key, self.value)
    }
}

/// The file's text followed by the overrides' values in one virtual address space: byte offsets
/// below the file's length are file positions, those past it belong to an override.
#[derive(Debug)]
pub struct SourceMap<'a> {
    path: PathBuf,
    text: &'a str,
    /// `(start offset, override)` for each override, in order.
    overrides: Vec<(usize, &'a Override)>,
}

impl<'a> SourceMap<'a> {
    /// A map of `text`, read from `path`, with the overrides' values placed after it.
    pub fn new(path: &Path, text: &'a str, overrides: &'a [Override]) -> Self {
        let mut next = text.len() + 1;
        let overrides = overrides
            .iter()
            .map(|o| {
                let start = next;
                next += o.value.len() + 1;
                (start, o)
            })
            .collect();
        SourceMap {
            path: path.to_path_buf(),
            text,
            overrides,
        }
    }

    /// The virtual offset at which the value of override `index` starts.
    pub fn override_offset(&self, index: usize) -> usize {
        self.overrides[index].0
    }

    /// An error at `span` (None: the file as a whole).
    pub fn error(&self, span: Option<Range<usize>>, message: impl Into<String>) -> ScenarioError {
        ScenarioError {
            location: self.locate(span),
            message: message.into(),
        }
    }

    /// Whether the virtual `offset` lies in an override's value rather than in the file.
    pub fn is_override(&self, offset: usize) -> bool {
        offset > self.text.len()
    }

    /// The 1-based line of the file at `offset`; None for an offset in an override.
    pub fn line(&self, offset: usize) -> Option<usize> {
        if self.is_override(offset) {
            return None;
        }
        let before = &self.text[..floor_char_boundary(self.text, offset.min(self.text.len()))];
        Some(before.matches('\n').count() + 1)
    }

    /// An error for the whole file, with no position.
    pub fn file_error(path: &Path, message: impl Into<String>) -> ScenarioError {
        ScenarioError {
            location: path.display().to_string(),
            message: message.into(),
        }
    }

    fn locate(&self, span: Option<Range<usize>>) -> String {
        let Some(span) = span else {
            return self.path.display().to_string();
        };
        if let Some((_, o)) = self
            .overrides
            .iter()
            .rev()
            .find(|(start, _)| span.start >= *start)
        {
            return format!("--set {o}");
        }
        let offset = span.start.min(self.text.len());
        let before = &self.text[..floor_char_boundary(self.text, offset)];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        format!("{}:{line}:{column}", self.path.display())
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_file_positions_and_overrides() {
        let text = "a = 1\nbb = 2\n";
        let overrides = [
            Override::parse("x.y=3").unwrap(),
            Override::parse("z=44").unwrap(),
        ];
        let map = SourceMap::new(Path::new("s.toml"), text, &overrides);
        assert_eq!(map.error(Some(0..1), "m").location, "s.toml:1:1");
        assert_eq!(map.error(Some(11..12), "m").location, "s.toml:2:6");
        assert_eq!(map.error(None, "m").location, "s.toml");
        let first = map.override_offset(0);
        assert_eq!(
            map.error(Some(first..first + 1), "m").location,
            "--set x.y=3"
        );
        let second = map.override_offset(1);
        assert_eq!(
            map.error(Some(second..second), "m").to_string(),
            "--set z=44: m"
        );
    }

    #[test]
    fn override_syntax() {
        assert_eq!(
            Override::parse("firm.Baidu.eligible_from = 3").unwrap(),
            Override {
                key: "firm.Baidu.eligible_from".into(),
                value: "3".into()
            }
        );
        assert!(Override::parse("novalue").is_err());
        assert!(Override::parse("a..b=1").is_err());
        assert!(Override::parse("=1").is_err());
    }
}
