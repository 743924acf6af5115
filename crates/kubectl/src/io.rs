//! What a kubectl command may read from outside the cluster: standard input and files. The caller decides
//! what those are (the real filesystem for `kubeground run`, the editor's buffers in the page), which keeps
//! this crate free of IO.

/// Read access to files, relative paths being relative to wherever the caller says (the script's folder).
pub trait Files {
    /// The file's text, or the error message kubectl would print after `error: `.
    fn read(&self, path: &str) -> Result<String, String>;
    /// The entries of a directory (file names, sorted), or `None` if `path` is not a directory.
    fn list_dir(&self, path: &str) -> Option<Vec<String>>;
}

/// No files at all: every path is missing.
pub struct NoFiles;

impl Files for NoFiles {
    fn read(&self, path: &str) -> Result<String, String> {
        Err(format!("the path \"{path}\" does not exist"))
    }

    fn list_dir(&self, _path: &str) -> Option<Vec<String>> {
        None
    }
}

/// Standard input and files for one command.
pub struct Io<'a> {
    pub stdin: Option<&'a str>,
    pub files: &'a dyn Files,
}

impl Io<'_> {
    pub fn none() -> Io<'static> {
        Io { stdin: None, files: &NoFiles }
    }
}
