//! [`InputError`]: every problem found in a term folder, located in its file.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{NamedSource, SourceSpan};

/// A byte range inside one file.
pub(crate) type Span = Range<usize>;

/// An error found while reading a term folder.
///
/// Errors inside a file ([`InputError::Invalid`]) carry the file's path, 1-based line and column,
/// the source text and a labelled span, so `miette` can draw the offending line; their `Display`
/// starts with `path:line:col: ` so a plain-text print is useful on its own.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum InputError {
    /// Occurs when a file of the term folder is not valid TOML or holds a value that is not
    /// allowed (unknown key, wrong type, bad time, unknown name, ...).
    #[error("{}:{line}:{column}: {message}", path.display())]
    Invalid {
        /// The file at fault.
        path: PathBuf,
        /// 1-based line of the offending value.
        line: usize,
        /// 1-based column (in characters) of the offending value.
        column: usize,
        /// What is wrong and what is expected, lowercase, quoting the bad value.
        message: String,
        /// A hint on how to fix it.
        #[help]
        help: Option<String>,
        /// The file's text, for rendering.
        #[source_code]
        src: Arc<NamedSource<String>>,
        /// Where in the file.
        #[label("{message}")]
        span: SourceSpan,
    },
    /// Occurs when a file or folder cannot be read or written.
    #[error("{}: {message}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What was being done.
        message: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// Occurs when the term folder as a whole is wrong (no people files, a file that already
    /// exists, ...), with no single line to point at.
    #[error("{}: {message}", path.display())]
    Folder {
        /// The folder or file concerned.
        path: PathBuf,
        /// What is wrong.
        message: String,
        /// A hint on how to fix it.
        #[help]
        help: Option<String>,
    },
}

impl InputError {
    /// The file, 1-based line and 1-based column the error points at, when it points into a
    /// file.
    ///
    /// ```
    /// let err = deskroster::input::parse_term_str("name = 3", &[], None).unwrap_err();
    /// let (path, line, col) = err.location().unwrap();
    /// assert_eq!((path.to_str().unwrap(), line, col), ("term.toml", 1, 8));
    /// ```
    pub fn location(&self) -> Option<(PathBuf, usize, usize)> {
        match self {
            InputError::Invalid {
                path, line, column, ..
            } => Some((path.clone(), *line, *column)),
            _ => None,
        }
    }

    /// The message without the location prefix.
    pub fn message(&self) -> String {
        match self {
            InputError::Invalid { message, .. } | InputError::Folder { message, .. } => {
                message.clone()
            }
            InputError::Io {
                message, source, ..
            } => format!("{message}: {source}"),
        }
    }

    pub(crate) fn folder(path: impl Into<PathBuf>, message: impl Into<String>) -> InputError {
        InputError::Folder {
            path: path.into(),
            message: message.into(),
            help: None,
        }
    }

    pub(crate) fn io(path: &Path, message: &str, source: std::io::Error) -> InputError {
        InputError::Io {
            path: path.to_path_buf(),
            message: message.to_string(),
            source,
        }
    }

    /// Adds a help text (only to errors that can carry one).
    pub(crate) fn with_help(mut self, text: impl Into<String>) -> InputError {
        if let InputError::Invalid { help, .. } | InputError::Folder { help, .. } = &mut self {
            *help = Some(text.into());
        }
        self
    }
}

/// One file of the term folder, kept in memory so errors can quote it.
#[derive(Clone, Debug)]
pub(crate) struct SourceFile {
    pub path: PathBuf,
    pub text: String,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> SourceFile {
        SourceFile {
            path: path.into(),
            text: text.into(),
        }
    }

    /// An error pointing at `span` of this file.
    pub fn err(&self, span: Span, message: impl Into<String>) -> InputError {
        let len = self.text.len();
        let start = floor_boundary(&self.text, span.start.min(len));
        let end = floor_boundary(&self.text, span.end.clamp(start, len));
        let (line, column) = line_col(&self.text, start);
        InputError::Invalid {
            path: self.path.clone(),
            line,
            column,
            message: message.into(),
            help: None,
            src: Arc::new(NamedSource::new(
                self.path.display().to_string(),
                self.text.clone(),
            )),
            span: SourceSpan::from(start..end),
        }
    }

    /// Turns a TOML deserialisation error into a located error.
    pub fn toml_err(&self, e: &toml::de::Error) -> InputError {
        let message = e
            .message()
            .trim()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("; ");
        self.err(e.span().unwrap_or(0..0), message)
    }

    /// Deserialises the whole file.
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, InputError> {
        toml::from_str(&self.text).map_err(|e| self.toml_err(&e))
    }
}

/// Attaches a location to a plain message.
pub(crate) trait At<T> {
    /// Locates the error at `span` of `file`.
    fn at(self, file: &SourceFile, span: Span) -> Result<T, InputError>;
}

impl<T> At<T> for Result<T, String> {
    fn at(self, file: &SourceFile, span: Span) -> Result<T, InputError> {
        self.map_err(|m| file.err(span, m))
    }
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// 1-based line and column (in characters) of byte `offset`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..floor_boundary(text, offset)).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("ab\ncdé\nx", 0), (1, 1));
        assert_eq!(line_col("ab\ncdé\nx", 3), (2, 1));
        assert_eq!(line_col("ab\ncdé\nx", 8), (3, 1));
        // Inside a multi-byte character: rounds down, never panics.
        assert_eq!(line_col("é", 1), (1, 1));
    }

    #[test]
    fn display_starts_with_location() {
        let f = SourceFile::new("people/ana.toml", "name = \"Ana\"\ngroup = 3\n");
        let e = f.err(21..22, "expected a string");
        assert_eq!(e.to_string(), "people/ana.toml:2:9: expected a string");
        assert_eq!(e.location(), Some((PathBuf::from("people/ana.toml"), 2, 9)));
    }
}
