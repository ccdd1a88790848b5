//! The texts every span points into: the config file and its includes.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::lines::LineIndex;

/// Index of a file in a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: Arc<str>,
    /// The path it was reached by is a symlink (an include's path before
    /// canonicalisation, the config path itself): `--fix` does not write
    /// through it.
    pub via_symlink: bool,
    /// The dotted config path its root value is merged at: empty for the
    /// config itself, the place of the `$include` for an include file (so
    /// the file's own keys are read at their real paths when masking
    /// secrets).
    pub mount: String,
    /// Built on the first position asked for.
    lines: OnceLock<Arc<LineIndex>>,
}

impl SourceFile {
    /// The line index of the text.
    pub fn lines(&self) -> &Arc<LineIndex> {
        self.lines.get_or_init(|| Arc::new(LineIndex::new(&self.text)))
    }

    /// 1-based line and column (in characters) of a byte offset, through
    /// the file's line index (counting lines from the start for every
    /// location made reports quadratic in the config's size). A leading
    /// byte-order mark is not counted: editors do not show it.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        self.lines().position(&self.text, offset)
    }
}

/// All files read while loading one config, in the order they were read.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn add(&mut self, path: PathBuf, text: impl Into<Arc<str>>) -> FileId {
        self.files.push(SourceFile {
            path,
            text: text.into(),
            via_symlink: false,
            mount: String::new(),
            lines: OnceLock::new(),
        });
        FileId(self.files.len() as u32 - 1)
    }

    /// Records that the file was reached through a symlink.
    pub fn mark_symlink(&mut self, id: FileId) {
        self.files[id.0 as usize].via_symlink = true;
    }

    /// Records where the file's root value is merged into the config.
    pub fn set_mount(&mut self, id: FileId, mount: String) {
        self.files[id.0 as usize].mount = mount;
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn find(&self, path: &Path) -> Option<FileId> {
        self.files.iter().position(|f| f.path == path).map(|i| FileId(i as u32))
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().map(|(i, f)| (FileId(i as u32), f))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn columns_are_characters_and_a_byte_order_mark_is_not_one() {
        let text = "{ \"é東🦀\": 1,\n  b: 2 }";
        let mut sources = super::SourceMap::default();
        let plain = sources.add("a.json".into(), text);
        let bom = format!("\u{FEFF}{text}");
        let marked = sources.add("b.json".into(), bom.as_str());
        let (plain, marked) = (sources.get(plain), sources.get(marked));
        assert_eq!(plain.position(text.find(": 1").unwrap()), (1, 8));
        assert_eq!(plain.position(text.find('b').unwrap()), (2, 3));
        assert_eq!(marked.position(0), (1, 1));
        assert_eq!(marked.position(3), (1, 1));
        assert_eq!(marked.position(bom.find(": 1").unwrap()), (1, 8));
        assert_eq!(marked.position(bom.find('b').unwrap()), (2, 3));
    }
}
