//! Rewriting the secrets file for rotation: the new file is written beside the old one
//! (`<file>.pending`, mode 0600, synced to disk) and only then moved over it, after a copy of the
//! old file is kept as `<file>.bak-<UTC time>`. A crash leaves either the old file or the new one,
//! never half of one, and never loses the old values.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The file the next values wait in until they are committed.
pub fn pending_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".pending");
    PathBuf::from(name)
}

/// The contents of `file` with `updates` (variable, value) set: an existing line of the
/// variable is replaced (later repeats dropped), a missing one appended; other lines stay.
pub fn updated_contents(file: &Path, updates: &[(&str, &str)]) -> std::io::Result<String> {
    let old = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e),
    };
    let mut written = vec![false; updates.len()];
    let mut out = String::with_capacity(old.len() + 128);
    for line in old.lines() {
        let name = line
            .trim_start()
            .trim_start_matches("export ")
            .split('=')
            .next()
            .unwrap_or_default()
            .trim();
        match updates.iter().position(|(var, _)| *var == name) {
            Some(i) if written[i] => {}
            Some(i) => {
                out.push_str(&format!("{}={}\n", updates[i].0, updates[i].1));
                written[i] = true;
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    for (i, (var, value)) in updates.iter().enumerate() {
        if !written[i] {
            out.push_str(&format!("{var}={value}\n"));
        }
    }
    Ok(out)
}

/// Writes `contents` to `<file>.pending` (mode 0600) and syncs it to disk.
pub fn write_pending(file: &Path, contents: &str) -> std::io::Result<PathBuf> {
    let pending = pending_path(file);
    let mut options = std::fs::OpenOptions::new();
    options.create(true).write(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut out = options.open(&pending)?;
    out.write_all(contents.as_bytes())?;
    out.sync_all()?;
    Ok(pending)
}

/// Keeps a copy of `file` as `<file>.bak-<UTC time>` (if it exists), then moves `<file>.pending`
/// over it. Returns the backup's path.
pub fn commit_pending(file: &Path) -> std::io::Result<Option<PathBuf>> {
    let backup = if file.exists() {
        let mut name = file.as_os_str().to_owned();
        name.push(format!(
            ".bak-{}",
            chrono::Utc::now().format("%Y%m%dT%H%M%S%.6fZ")
        ));
        let backup = PathBuf::from(name);
        std::fs::copy(file, &backup)?;
        Some(backup)
    } else {
        None
    };
    std::fs::rename(pending_path(file), file)?;
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        // The rename itself is durable only once the directory is synced.
        if let Ok(dir) = std::fs::File::open(dir) {
            let _ = dir.sync_all();
        }
    }
    Ok(backup)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updates_replace_lines_keep_others_and_append_the_missing() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("secrets.env");
        std::fs::write(&file, "A=1\n# note\nB=2\nA=3\n").unwrap();
        let text = updated_contents(&file, &[("A", "9"), ("C", "7")]).unwrap();
        assert_eq!(text, "A=9\n# note\nB=2\nC=7\n");
    }

    #[test]
    fn commit_keeps_a_backup_and_moves_the_pending_file_in() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("secrets.env");
        std::fs::write(&file, "A=1\n").unwrap();
        write_pending(&file, "A=2\n").unwrap();
        let backup = commit_pending(&file).unwrap().unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "A=2\n");
        assert_eq!(std::fs::read_to_string(backup).unwrap(), "A=1\n");
        assert!(!pending_path(&file).exists());
    }
}
