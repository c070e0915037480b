//! Writing output folders safely: every file is written to a temporary file in the same folder
//! and renamed into place, only after all of them were produced in memory.

use std::fs;
use std::io::Write;
use std::path::Path;

use deskroster::output::OutputFile;

/// Writes `files` into `dir` (created if missing). Each file is replaced atomically: a reader
/// sees the old or the new version, never half of one. Nothing is renamed until every file has
/// been written and synced.
///
/// # Errors
/// The first I/O error, naming the path.
pub fn write_all(dir: &Path, files: &[OutputFile]) -> Result<(), String> {
    fs::create_dir_all(dir).map_err(|e| format!("{}: cannot create folder: {e}", dir.display()))?;
    let mut staged = Vec::new();
    for f in files {
        let target = dir.join(&f.name);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)
                .map_err(|e| format!("{}: cannot create folder: {e}", parent.display()))?;
        }
        let parent = target.parent().unwrap_or(dir);
        let mut tmp = tempfile::Builder::new()
            .prefix(".deskroster-")
            .tempfile_in(parent)
            .map_err(|e| format!("{}: cannot create a temporary file: {e}", parent.display()))?;
        tmp.write_all(&f.contents)
            .and_then(|_| tmp.as_file().sync_all())
            .map_err(|e| format!("{}: cannot write: {e}", target.display()))?;
        staged.push((tmp, target));
    }
    for (tmp, target) in staged {
        tmp.persist(&target)
            .map_err(|e| format!("{}: cannot replace: {}", target.display(), e.error))?;
    }
    Ok(())
}

/// Copies `file` into `dir/history/<stem>-<stamp>.<ext>` before it is replaced; a no-op when
/// `file` does not exist.
///
/// # Errors
/// The I/O error, naming the path.
pub fn keep_history(dir: &Path, file: &Path, stamp: &str) -> Result<(), String> {
    if !file.exists() {
        return Ok(());
    }
    let bytes = fs::read(file).map_err(|e| format!("{}: cannot read: {e}", file.display()))?;
    let stem = file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("roster");
    let ext = file.extension().and_then(|s| s.to_str()).unwrap_or("csv");
    let mut name = format!("history/{stem}-{stamp}.{ext}");
    let mut n = 1;
    while dir.join(&name).exists() {
        n += 1;
        name = format!("history/{stem}-{stamp}-{n}.{ext}");
    }
    write_all(
        dir,
        &[OutputFile {
            name,
            contents: bytes,
        }],
    )
}
