//! Files for `kubectl -f` read from the disk, for native front ends (`kubeground run`, `repl`, tests).
//! The page supplies its own `Files` (the editor's buffers); the engine never reads files itself.

use engine::util::sort::StableSort;
use std::path::{Path, PathBuf};

/// Reads paths relative to `base` (a script's folder, or the current folder).
pub struct DiskFiles {
    base: PathBuf,
}

impl DiskFiles {
    pub fn new(base: PathBuf) -> DiskFiles {
        DiskFiles { base }
    }

    fn resolve(&self, path: &str) -> PathBuf {
        let p = Path::new(path);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.base.join(p)
        }
    }
}

impl kubectl::Files for DiskFiles {
    fn read(&self, path: &str) -> Result<String, String> {
        let full = self.resolve(path);
        if !full.exists() {
            return Err(format!("the path \"{path}\" does not exist"));
        }
        std::fs::read_to_string(&full).map_err(|e| format!("error reading {path}: {e}"))
    }

    fn list_dir(&self, path: &str) -> Option<Vec<String>> {
        let entries = std::fs::read_dir(self.resolve(path)).ok()?;
        let mut names: Vec<String> = entries.filter_map(|e| e.ok()?.file_name().into_string().ok()).collect();
        names.stable_sort();
        Some(names)
    }
}
