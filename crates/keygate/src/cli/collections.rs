//! `keygate collections`: writes the Bruno and Postman collections generated from the OpenAPI
//! document (`keygate_api::collections`) under a directory, `collections/` by default. Files a
//! previous run wrote that the generator no longer makes are removed, so the directory always
//! equals the generator's output.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;

/// The sub-directories the generator owns.
const OWNED: [&str; 2] = ["bruno", "postman"];

/// Writes the collections under `out` and prints what it wrote.
pub fn run(out: &Path) -> anyhow::Result<()> {
    let files = keygate_api::collections::committed_files()?;
    let mut written = BTreeSet::new();
    for file in &files {
        let path = out.join(&file.path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        fs::write(&path, &file.contents)
            .with_context(|| format!("cannot write {}", path.display()))?;
        written.insert(path);
    }
    for dir in OWNED {
        for stale in files_under(&out.join(dir))?
            .into_iter()
            .filter(|p| !written.contains(p))
        {
            fs::remove_file(&stale)
                .with_context(|| format!("cannot remove {}", stale.display()))?;
            println!("removed {}", stale.display());
        }
    }
    println!("wrote {} files under {}", files.len(), out.display());
    Ok(())
}

/// Every file below `dir` (none when it does not exist).
fn files_under(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    if !dir.exists() {
        return Ok(found);
    }
    for entry in fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            found.extend(files_under(&path)?);
        } else {
            found.push(path);
        }
    }
    Ok(found)
}
