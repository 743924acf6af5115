//! Embeds `lessons/` (at the workspace root) into the crate: the lesson data is compiled in, so nothing reads
//! files at run time (the crate runs in the browser too). Generates `$OUT_DIR/embedded.rs` with one
//! `include_str!` per YAML file.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let root = manifest.join("../../lessons");
    let root = root.canonicalize().unwrap_or(root);
    println!("cargo:rerun-if-changed={}", root.display());
    let mut out = String::new();
    let terms = root.join("terms.yaml");
    println!("cargo:rerun-if-changed={}", terms.display());
    if terms.is_file() {
        writeln!(out, "pub(crate) static TERMS: Option<&str> = Some(include_str!({:?}));", terms.display().to_string())
            .unwrap();
    } else {
        out.push_str("pub(crate) static TERMS: Option<&str> = None;\n");
    }
    out.push_str("pub(crate) static LESSONS: &[(&str, &[(&str, &str)])] = &[\n");
    for dir in sorted_entries(&root).into_iter().filter(|p| p.is_dir()) {
        println!("cargo:rerun-if-changed={}", dir.display());
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        write!(out, "    ({name:?}, &[").unwrap();
        for file in sorted_entries(&dir) {
            let fname = file.file_name().unwrap().to_string_lossy().to_string();
            if file.is_file() && fname.ends_with(".yaml") {
                println!("cargo:rerun-if-changed={}", file.display());
                write!(out, "({fname:?}, include_str!({:?})), ", file.display().to_string()).unwrap();
            }
        }
        out.push_str("]),\n");
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded.rs");
    std::fs::write(dest, out).expect("write embedded.rs");
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> =
        std::fs::read_dir(dir).map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
    v.sort();
    v
}
