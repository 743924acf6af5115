//! Container filesystems: the [`Fs`] trait the shell works against, the in-memory tree [`MemFs`], and
//! [`LayeredFs`], the view a container sees (read-only image below, writable layer above, volumes mounted
//! over both).
//!
//! Paths given to an [`Fs`] are absolute; [`normalize`] resolves a user's path against a working directory
//! first. Everything is kept in ordered maps, so listings come out sorted and every run is deterministic.
//!
//! ```
//! use engine::runtime::fs::{Fs, MemFs, WriteMode};
//! let mut fs = MemFs::new();
//! fs.mkdir_all("/usr/share/nginx/html", 0).unwrap();
//! fs.write("/usr/share/nginx/html/index.html", "hi\n", WriteMode::Truncate, 0).unwrap();
//! assert_eq!(fs.list("/usr/share/nginx/html").unwrap(), vec!["index.html".to_string()]);
//! assert_eq!(fs.stat("/usr/share/nginx/html/index.html").unwrap().size, 3);
//! ```

use std::collections::BTreeMap;

use crate::clock::Millis;
use crate::util::sort::StableSort;

/// Why a filesystem call failed; [`FsError::strerror`] is the libc text busybox prints after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FsError {
    NotFound,
    NotDir,
    IsDir,
    Exists,
    NotEmpty,
    ReadOnly,
    Busy,
}

impl FsError {
    /// The `strerror(errno)` text, e.g. `No such file or directory`.
    pub fn strerror(self) -> &'static str {
        match self {
            FsError::NotFound => "No such file or directory",
            FsError::NotDir => "Not a directory",
            FsError::IsDir => "Is a directory",
            FsError::Exists => "File exists",
            FsError::NotEmpty => "Directory not empty",
            FsError::ReadOnly => "Read-only file system",
            FsError::Busy => "Resource busy",
        }
    }
}

impl std::fmt::Display for FsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.strerror())
    }
}

/// File or directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    File,
    Dir,
}

/// What `stat` tells: kind, size in bytes (0 for directories), modification time, permission bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stat {
    pub kind: FileKind,
    pub size: u64,
    pub mtime: Millis,
    pub mode: u32,
}

impl Stat {
    pub fn is_dir(&self) -> bool {
        self.kind == FileKind::Dir
    }
}

/// How [`Fs::write`] treats an existing file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteMode {
    /// Replace the contents (`>`), creating the file if needed.
    Truncate,
    /// Add to the end (`>>`), creating the file if needed.
    Append,
    /// Create a new file; fail with [`FsError::Exists`] if there is one (`O_EXCL`, as busybox wget opens).
    CreateNew,
}

/// What the shell needs from a filesystem. Paths are absolute and normalized (see [`normalize`]); a missing
/// parent gives [`FsError::NotFound`], a file where a directory should be [`FsError::NotDir`].
pub trait Fs {
    /// Kind, size and time of a path.
    fn stat(&self, path: &str) -> Result<Stat, FsError>;
    /// A file's contents ([`FsError::IsDir`] for a directory).
    fn read(&self, path: &str) -> Result<String, FsError>;
    /// Write, append to, or create a file. The parent directory must exist.
    fn write(&mut self, path: &str, data: &str, mode: WriteMode, now: Millis) -> Result<(), FsError>;
    /// Create one directory ([`FsError::Exists`] if the path exists). The parent must exist.
    fn mkdir(&mut self, path: &str, now: Millis) -> Result<(), FsError>;
    /// The names in a directory, sorted bytewise (as `ls` sorts in the C locale).
    fn list(&self, path: &str) -> Result<Vec<String>, FsError>;
    /// Remove a file or a directory; a non-empty directory only when `recursive` ([`FsError::NotEmpty`]).
    fn remove(&mut self, path: &str, recursive: bool) -> Result<(), FsError>;
    /// Create an empty file, or set an existing path's time to `now`.
    fn touch(&mut self, path: &str, now: Millis) -> Result<(), FsError>;

    fn exists(&self, path: &str) -> bool {
        self.stat(path).is_ok()
    }
    fn is_dir(&self, path: &str) -> bool {
        self.stat(path).map(|s| s.is_dir()).unwrap_or(false)
    }
    /// `mkdir -p`: create the directory and any missing parents; an existing directory is fine.
    fn mkdir_all(&mut self, path: &str, now: Millis) -> Result<(), FsError> {
        let path = normalize("/", path);
        let mut cur = String::new();
        for comp in path.split('/').filter(|c| !c.is_empty()) {
            cur.push('/');
            cur.push_str(comp);
            match self.stat(&cur) {
                Ok(s) if s.is_dir() => {}
                Ok(_) => return Err(FsError::NotDir),
                Err(FsError::NotFound) => self.mkdir(&cur, now)?,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// Resolve `path` against the working directory `cwd`: `.`, `..` and repeated slashes go away, the result
/// is absolute (`normalize("/a", "../b//c/.")` is `/b/c`).
pub fn normalize(cwd: &str, path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let joined;
    let full = if path.starts_with('/') {
        path
    } else {
        joined = format!("{cwd}/{path}");
        &joined
    };
    for comp in full.split('/') {
        match comp {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    if parts.is_empty() {
        "/".to_string()
    } else {
        let mut s = String::new();
        for p in parts {
            s.push('/');
            s.push_str(p);
        }
        s
    }
}

/// The parent of a normalized absolute path (`/` for `/` itself).
pub fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

/// The last component of a path (`basename`).
pub fn basename(path: &str) -> &str {
    let t = path.trim_end_matches('/');
    if t.is_empty() {
        return "/";
    }
    match t.rfind('/') {
        Some(i) => &t[i + 1..],
        None => t,
    }
}

fn join(dir: &str, name: &str) -> String {
    if dir == "/" {
        format!("/{name}")
    } else {
        format!("{dir}/{name}")
    }
}

/// The strict ancestors of a normalized path, from `/` down (`/a/b/c` → `/`, `/a`, `/a/b`).
fn ancestors(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    if path == "/" {
        return out;
    }
    out.push("/");
    for (i, c) in path.char_indices().skip(1) {
        if c == '/' {
            out.push(&path[..i]);
        }
    }
    out
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Node {
    File {
        data: String,
        mtime: Millis,
        mode: u32,
    },
    /// `opaque`: in an upper layer, hides the lower layer's directory of that name (made after a removal).
    Dir {
        mtime: Millis,
        mode: u32,
        opaque: bool,
    },
    /// In an upper layer: the lower layer's entry of that name was removed.
    Whiteout,
}

impl Node {
    fn stat(&self) -> Option<Stat> {
        match self {
            Node::File { data, mtime, mode } => {
                Some(Stat { kind: FileKind::File, size: data.len() as u64, mtime: *mtime, mode: *mode })
            }
            Node::Dir { mtime, mode, .. } => Some(Stat { kind: FileKind::Dir, size: 0, mtime: *mtime, mode: *mode }),
            Node::Whiteout => None,
        }
    }
}

/// An in-memory directory tree: one ordered map from absolute path to node. Cheap to clone, compares by
/// value, and lists children in sorted order.
///
/// ```
/// use engine::runtime::fs::{Fs, MemFs};
/// let img = MemFs::from_files([("/etc/os-release", "NAME=busybox\n")], ["/tmp", "/root"]);
/// assert!(img.is_dir("/etc") && img.is_dir("/tmp"));
/// assert_eq!(img.read("/etc/os-release").unwrap(), "NAME=busybox\n");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemFs {
    nodes: BTreeMap<String, Node>,
}

impl Default for MemFs {
    fn default() -> Self {
        Self::new()
    }
}

const FILE_MODE: u32 = 0o644;
const DIR_MODE: u32 = 0o755;

impl MemFs {
    /// An empty tree: just `/`.
    pub fn new() -> Self {
        let mut nodes = BTreeMap::new();
        nodes.insert("/".to_string(), Node::Dir { mtime: 0, mode: DIR_MODE, opaque: false });
        MemFs { nodes }
    }

    /// An image root: the given files (parents made as needed) and directories (e.g. mount points, `/tmp`),
    /// all dated time 0.
    pub fn from_files<'s>(
        files: impl IntoIterator<Item = (&'s str, &'s str)>,
        dirs: impl IntoIterator<Item = &'s str>,
    ) -> Self {
        let mut fs = MemFs::new();
        for d in dirs {
            fs.put_dir(d);
        }
        for (p, c) in files {
            fs.put_file(p, c);
        }
        fs
    }

    /// Add a directory and its parents (time 0), replacing files in the way.
    pub fn put_dir(&mut self, path: &str) {
        let path = normalize("/", path);
        for a in ancestors(&path).into_iter().chain(std::iter::once(path.as_str())) {
            match self.nodes.get(a) {
                Some(Node::Dir { .. }) => {}
                _ => {
                    self.nodes.insert(a.to_string(), Node::Dir { mtime: 0, mode: DIR_MODE, opaque: false });
                }
            }
        }
    }

    /// Add a file (time 0, mode 0644), making its parents.
    pub fn put_file(&mut self, path: &str, contents: &str) {
        let path = normalize("/", path);
        if path == "/" {
            return;
        }
        self.put_dir(parent(&path));
        self.remove_subtree(&path);
        self.nodes.insert(path, Node::File { data: contents.to_string(), mtime: 0, mode: FILE_MODE });
    }

    /// Every file with its contents, in path order (for tests and views).
    pub fn files(&self) -> impl Iterator<Item = (&str, &str)> {
        self.nodes.iter().filter_map(|(k, n)| match n {
            Node::File { data, .. } => Some((k.as_str(), data.as_str())),
            _ => None,
        })
    }

    /// Total bytes in files (for quotas such as `emptyDir.sizeLimit`).
    pub fn total_size(&self) -> u64 {
        self.files().map(|(_, d)| d.len() as u64).sum()
    }

    fn get(&self, path: &str) -> Option<&Node> {
        self.nodes.get(path)
    }

    /// Keys strictly below a directory.
    fn descendants(&self, dir: &str) -> impl Iterator<Item = (&String, &Node)> {
        let prefix = if dir == "/" { "/".to_string() } else { format!("{dir}/") };
        let end = if dir == "/" { "0".to_string() } else { format!("{dir}0") };
        self.nodes.range(prefix..end).filter(move |(k, _)| k.as_str() != "/")
    }

    fn children(&self, dir: &str) -> Vec<(String, &Node)> {
        let plen = if dir == "/" { 1 } else { dir.len() + 1 };
        self.descendants(dir)
            .filter(|(k, _)| !k[plen..].contains('/'))
            .map(|(k, n)| (k[plen..].to_string(), n))
            .collect()
    }

    /// The tree below directory `dir`, re-rooted at `/` (a volume's contents seen from inside its mount);
    /// empty if `dir` is not a directory.
    ///
    /// ```
    /// use engine::runtime::fs::{Fs, MemFs};
    /// let host = MemFs::from_files([("/tmp/v/a.txt", "hi\n")], ["/tmp/v/sub"]);
    /// let vol = host.subtree("/tmp/v");
    /// assert_eq!(vol.read("/a.txt").unwrap(), "hi\n");
    /// assert!(vol.is_dir("/sub"));
    /// ```
    pub fn subtree(&self, dir: &str) -> MemFs {
        let dir = normalize("/", dir);
        let mut out = MemFs::new();
        if let Some(root @ Node::Dir { .. }) = self.nodes.get(&dir) {
            out.nodes.insert("/".to_string(), root.clone());
        }
        let strip = if dir == "/" { 0 } else { dir.len() };
        for (k, n) in self.descendants(&dir) {
            out.nodes.insert(k[strip..].to_string(), n.clone());
        }
        out
    }

    /// Replaces what is below directory `dir` (made if missing) with the contents of `from` (the inverse of
    /// [`MemFs::subtree`]).
    pub fn graft(&mut self, dir: &str, from: &MemFs) {
        let dir = normalize("/", dir);
        self.put_dir(&dir);
        self.remove_subtree(&dir);
        if let Some(root) = from.nodes.get("/") {
            self.nodes.insert(dir.clone(), root.clone());
        }
        for (k, n) in from.nodes.iter().filter(|(k, _)| k.as_str() != "/") {
            let key = if dir == "/" { k.clone() } else { format!("{dir}{k}") };
            self.nodes.insert(key, n.clone());
        }
    }

    /// Removes `path` and everything below it (`rm -rf`).
    pub fn remove_tree(&mut self, path: &str) {
        let path = normalize("/", path);
        if path == "/" {
            return;
        }
        self.remove_subtree(&path);
        self.nodes.remove(&path);
    }

    /// Sets the mode of an existing directory or file.
    pub fn set_mode(&mut self, path: &str, new_mode: u32) {
        let path = normalize("/", path);
        match self.nodes.get_mut(&path) {
            Some(Node::Dir { mode, .. }) | Some(Node::File { mode, .. }) => *mode = new_mode,
            _ => {}
        }
    }

    fn remove_subtree(&mut self, path: &str) {
        let keys: Vec<String> = self.descendants(path).map(|(k, _)| k.clone()).collect();
        for k in keys {
            self.nodes.remove(&k);
        }
        if path != "/" {
            self.nodes.remove(path);
        }
    }

    /// Why a missing path is missing: a file among its ancestors makes it `NotDir`.
    fn missing(&self, path: &str) -> FsError {
        for a in ancestors(path) {
            match self.nodes.get(a) {
                Some(Node::File { .. }) => return FsError::NotDir,
                None | Some(Node::Whiteout) => return FsError::NotFound,
                _ => {}
            }
        }
        FsError::NotFound
    }

    fn check_parent(&self, path: &str) -> Result<(), FsError> {
        match self.nodes.get(parent(path)) {
            Some(Node::Dir { .. }) => Ok(()),
            Some(Node::File { .. }) => Err(FsError::NotDir),
            _ => Err(self.missing(parent(path))),
        }
    }
}

impl Fs for MemFs {
    fn stat(&self, path: &str) -> Result<Stat, FsError> {
        let path = normalize("/", path);
        match self.get(&path).and_then(Node::stat) {
            Some(s) => Ok(s),
            None => Err(self.missing(&path)),
        }
    }

    fn read(&self, path: &str) -> Result<String, FsError> {
        let path = normalize("/", path);
        match self.get(&path) {
            Some(Node::File { data, .. }) => Ok(data.clone()),
            Some(Node::Dir { .. }) => Err(FsError::IsDir),
            _ => Err(self.missing(&path)),
        }
    }

    fn write(&mut self, path: &str, data: &str, mode: WriteMode, now: Millis) -> Result<(), FsError> {
        let path = normalize("/", path);
        match self.nodes.get_mut(&path) {
            Some(Node::Dir { .. }) => Err(FsError::IsDir),
            Some(Node::File { data: d, mtime, .. }) => match mode {
                WriteMode::CreateNew => Err(FsError::Exists),
                WriteMode::Truncate => {
                    *d = data.to_string();
                    *mtime = now;
                    Ok(())
                }
                WriteMode::Append => {
                    d.push_str(data);
                    *mtime = now;
                    Ok(())
                }
            },
            _ => {
                self.check_parent(&path)?;
                self.nodes.insert(path, Node::File { data: data.to_string(), mtime: now, mode: FILE_MODE });
                Ok(())
            }
        }
    }

    fn mkdir(&mut self, path: &str, now: Millis) -> Result<(), FsError> {
        let path = normalize("/", path);
        if matches!(self.get(&path), Some(Node::File { .. } | Node::Dir { .. })) {
            return Err(FsError::Exists);
        }
        self.check_parent(&path)?;
        self.nodes.insert(path, Node::Dir { mtime: now, mode: DIR_MODE, opaque: false });
        Ok(())
    }

    fn list(&self, path: &str) -> Result<Vec<String>, FsError> {
        let path = normalize("/", path);
        match self.get(&path) {
            Some(Node::Dir { .. }) => Ok(self
                .children(&path)
                .into_iter()
                .filter(|(_, n)| !matches!(n, Node::Whiteout))
                .map(|(k, _)| k)
                .collect()),
            Some(Node::File { .. }) => Err(FsError::NotDir),
            _ => Err(self.missing(&path)),
        }
    }

    fn remove(&mut self, path: &str, recursive: bool) -> Result<(), FsError> {
        let path = normalize("/", path);
        match self.get(&path) {
            Some(Node::File { .. }) => {
                self.nodes.remove(&path);
                Ok(())
            }
            Some(Node::Dir { .. }) => {
                if !recursive && self.descendants(&path).next().is_some() {
                    return Err(FsError::NotEmpty);
                }
                self.remove_subtree(&path);
                Ok(())
            }
            _ => Err(self.missing(&path)),
        }
    }

    fn touch(&mut self, path: &str, now: Millis) -> Result<(), FsError> {
        let path = normalize("/", path);
        match self.nodes.get_mut(&path) {
            Some(Node::File { mtime, .. }) | Some(Node::Dir { mtime, .. }) => {
                *mtime = now;
                Ok(())
            }
            _ => self.write(&path, "", WriteMode::Append, now),
        }
    }
}

/// A volume mounted into a container: `volume` (a key of [`LayeredFs::volumes`]) appears at `path`;
/// `sub_path` (`""` for the volume's root, or a directory or file inside it) is what is shown there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount {
    pub path: String,
    pub volume: String,
    pub sub_path: String,
    pub read_only: bool,
}

impl Mount {
    /// A read-write mount of a whole volume.
    pub fn new(path: &str, volume: &str) -> Self {
        Mount { path: normalize("/", path), volume: volume.to_string(), sub_path: String::new(), read_only: false }
    }
    /// The same mount, read-only.
    pub fn read_only(mut self) -> Self {
        self.read_only = true;
        self
    }
    /// The same mount showing only `sub_path` of the volume.
    pub fn sub_path(mut self, sub_path: &str) -> Self {
        self.sub_path = sub_path.to_string();
        self
    }
}

/// A container's root filesystem, assembled for the duration of a call: the image (`base`, shared and
/// never written), the container's writable layer (`upper`, which records deletions of image files as
/// whiteouts), and volumes mounted over both. Volumes are looked up by name in a map the kubelet owns, so
/// two mounts may show the same volume.
///
/// ```
/// use std::collections::BTreeMap;
/// use engine::runtime::fs::{Fs, FsError, LayeredFs, MemFs, Mount, WriteMode};
/// let image = MemFs::from_files([("/etc/motd", "hello\n")], ["/tmp"]);
/// let mut upper = MemFs::new();
/// let mut volumes = BTreeMap::from([("html".to_string(), MemFs::new()), ("cfg".to_string(), MemFs::new())]);
/// let mut fs = LayeredFs::new(&image, &mut upper, &mut volumes,
///     vec![Mount::new("/html", "html"), Mount::new("/cfg", "cfg").read_only()]);
/// fs.remove("/etc/motd", false).unwrap();                       // a whiteout in the upper layer
/// fs.write("/html/index.html", "x", WriteMode::Truncate, 5).unwrap();
/// assert_eq!(fs.write("/cfg/a", "x", WriteMode::Truncate, 5), Err(FsError::ReadOnly));
/// drop(fs);
/// assert_eq!(image.read("/etc/motd").unwrap(), "hello\n");      // the image is untouched
/// assert_eq!(volumes["html"].read("/index.html").unwrap(), "x");
/// ```
pub struct LayeredFs<'a> {
    pub base: &'a MemFs,
    pub upper: &'a mut MemFs,
    pub volumes: &'a mut BTreeMap<String, MemFs>,
    pub mounts: Vec<Mount>,
}

enum Target {
    Mount(usize, String),
    Overlay,
}

impl<'a> LayeredFs<'a> {
    pub fn new(
        base: &'a MemFs,
        upper: &'a mut MemFs,
        volumes: &'a mut BTreeMap<String, MemFs>,
        mounts: Vec<Mount>,
    ) -> Self {
        let mounts = mounts.into_iter().map(|m| Mount { path: normalize("/", &m.path), ..m }).collect();
        LayeredFs { base, upper, volumes, mounts }
    }

    fn target(&self, path: &str) -> Target {
        let mut best: Option<usize> = None;
        for (i, m) in self.mounts.iter().enumerate() {
            let under = path == m.path || m.path == "/" || path.starts_with(&format!("{}/", m.path));
            if under && best.map(|b| self.mounts[b].path.len() <= m.path.len()).unwrap_or(true) {
                best = Some(i);
            }
        }
        match best {
            Some(i) => {
                let m = &self.mounts[i];
                let rest = if m.path == "/" { path } else { &path[m.path.len()..] };
                let inner = normalize("/", &format!("/{}/{}", m.sub_path, rest));
                Target::Mount(i, inner)
            }
            None => Target::Overlay,
        }
    }

    fn vol(&self, i: usize) -> Result<&MemFs, FsError> {
        self.volumes.get(&self.mounts[i].volume).ok_or(FsError::NotFound)
    }

    fn vol_mut(&mut self, i: usize) -> Result<&mut MemFs, FsError> {
        if self.mounts[i].read_only {
            return Err(FsError::ReadOnly);
        }
        let name = self.mounts[i].volume.clone();
        self.volumes.get_mut(&name).ok_or(FsError::NotFound)
    }

    /// Names inside `dir` that mount points (or directories leading to them) add.
    fn mounts_in(&self, dir: &str) -> Vec<String> {
        let prefix = if dir == "/" { "/".to_string() } else { format!("{dir}/") };
        self.mounts
            .iter()
            .filter_map(|m| m.path.strip_prefix(&prefix))
            .filter_map(|rest| rest.split('/').next().filter(|c| !c.is_empty()).map(str::to_string))
            .collect()
    }

    /// A directory that exists only because a mount point lies below it.
    fn implied_dir(&self, path: &str) -> bool {
        let prefix = if path == "/" { "/".to_string() } else { format!("{path}/") };
        self.mounts.iter().any(|m| m.path.starts_with(&prefix))
    }

    /// The overlay's node for a path (upper over base, honouring whiteouts and opaque directories).
    fn lookup(&self, path: &str) -> Option<&Node> {
        let mut hidden = false;
        for a in ancestors(path) {
            match self.upper.get(a) {
                Some(Node::Whiteout) | Some(Node::File { .. }) => return None,
                Some(Node::Dir { opaque: true, .. }) => hidden = true,
                _ => {}
            }
        }
        match self.upper.get(path) {
            Some(Node::Whiteout) => None,
            Some(n) => Some(n),
            None if hidden => None,
            None => self.base.get(path),
        }
    }

    fn in_lower(&self, path: &str) -> bool {
        let mut hidden = false;
        for a in ancestors(path) {
            if let Some(Node::Dir { opaque: true, .. } | Node::Whiteout | Node::File { .. }) = self.upper.get(a) {
                hidden = true;
            }
        }
        !hidden && self.base.get(path).is_some()
    }

    fn overlay_missing(&self, path: &str) -> FsError {
        for a in ancestors(path) {
            match self.overlay_stat(a) {
                Ok(s) if !s.is_dir() => return FsError::NotDir,
                Ok(_) => {}
                Err(_) => return FsError::NotFound,
            }
        }
        FsError::NotFound
    }

    fn overlay_stat(&self, path: &str) -> Result<Stat, FsError> {
        match self.lookup(path).and_then(Node::stat) {
            Some(s) => Ok(s),
            None if self.implied_dir(path) => Ok(Stat { kind: FileKind::Dir, size: 0, mtime: 0, mode: DIR_MODE }),
            None => Err(FsError::NotFound),
        }
    }

    fn overlay_parent_ok(&self, path: &str) -> Result<(), FsError> {
        match self.stat(parent(path)) {
            Ok(s) if s.is_dir() => Ok(()),
            Ok(_) => Err(FsError::NotDir),
            Err(e) => Err(e),
        }
    }

    /// Copy a path's ancestors into the upper layer so an entry can be added below them.
    fn copy_up_parents(&mut self, path: &str) {
        for a in ancestors(path) {
            if matches!(self.upper.get(a), Some(Node::Dir { .. })) {
                continue;
            }
            let (mtime, mode) = match self.lookup(a) {
                Some(Node::Dir { mtime, mode, .. }) => (*mtime, *mode),
                _ => (0, DIR_MODE),
            };
            self.upper.nodes.insert(a.to_string(), Node::Dir { mtime, mode, opaque: false });
        }
    }
}

impl Fs for LayeredFs<'_> {
    fn stat(&self, path: &str) -> Result<Stat, FsError> {
        let path = normalize("/", path);
        match self.target(&path) {
            Target::Mount(i, inner) => self.vol(i)?.stat(&inner),
            Target::Overlay => self.overlay_stat(&path).map_err(|_| self.overlay_missing(&path)),
        }
    }

    fn read(&self, path: &str) -> Result<String, FsError> {
        let path = normalize("/", path);
        match self.target(&path) {
            Target::Mount(i, inner) => self.vol(i)?.read(&inner),
            Target::Overlay => match self.lookup(&path) {
                Some(Node::File { data, .. }) => Ok(data.clone()),
                Some(Node::Dir { .. }) => Err(FsError::IsDir),
                _ if self.implied_dir(&path) => Err(FsError::IsDir),
                _ => Err(self.overlay_missing(&path)),
            },
        }
    }

    fn write(&mut self, path: &str, data: &str, mode: WriteMode, now: Millis) -> Result<(), FsError> {
        let path = normalize("/", path);
        match self.target(&path) {
            Target::Mount(i, inner) => self.vol_mut(i)?.write(&inner, data, mode, now),
            Target::Overlay => {
                let old = match self.lookup(&path) {
                    Some(Node::Dir { .. }) => return Err(FsError::IsDir),
                    Some(Node::File { data, mode: m, .. }) => Some((data.clone(), *m)),
                    _ if self.implied_dir(&path) => return Err(FsError::IsDir),
                    _ => None,
                };
                let (data, fmode) = match (old, mode) {
                    (Some(_), WriteMode::CreateNew) => return Err(FsError::Exists),
                    (Some((old, m)), WriteMode::Append) => (old + data, m),
                    (Some((_, m)), WriteMode::Truncate) => (data.to_string(), m),
                    (None, _) => {
                        self.overlay_parent_ok(&path)?;
                        (data.to_string(), FILE_MODE)
                    }
                };
                self.copy_up_parents(&path);
                self.upper.nodes.insert(path, Node::File { data, mtime: now, mode: fmode });
                Ok(())
            }
        }
    }

    fn mkdir(&mut self, path: &str, now: Millis) -> Result<(), FsError> {
        let path = normalize("/", path);
        match self.target(&path) {
            Target::Mount(i, inner) => {
                if inner == "/" || self.mounts[i].path == path {
                    return Err(FsError::Exists);
                }
                self.vol_mut(i)?.mkdir(&inner, now)
            }
            Target::Overlay => {
                if self.overlay_stat(&path).is_ok() {
                    return Err(FsError::Exists);
                }
                self.overlay_parent_ok(&path)?;
                self.copy_up_parents(&path);
                let opaque = matches!(self.upper.get(&path), Some(Node::Whiteout));
                self.upper.nodes.insert(path, Node::Dir { mtime: now, mode: DIR_MODE, opaque });
                Ok(())
            }
        }
    }

    fn list(&self, path: &str) -> Result<Vec<String>, FsError> {
        let path = normalize("/", path);
        let mut names: Vec<String> = match self.target(&path) {
            Target::Mount(i, inner) => self.vol(i)?.list(&inner)?,
            Target::Overlay => {
                match self.overlay_stat(&path) {
                    Ok(s) if s.is_dir() => {}
                    Ok(_) => return Err(FsError::NotDir),
                    Err(_) => return Err(self.overlay_missing(&path)),
                }
                let mut set = std::collections::BTreeSet::new();
                for (name, n) in self.upper.children(&path) {
                    if !matches!(n, Node::Whiteout) {
                        set.insert(name);
                    }
                }
                let opaque = matches!(self.upper.get(&path), Some(Node::Dir { opaque: true, .. }));
                if !opaque && self.in_lower(&path) {
                    for (name, _) in self.base.children(&path) {
                        if !matches!(self.upper.get(&join(&path, &name)), Some(Node::Whiteout)) {
                            set.insert(name);
                        }
                    }
                }
                set.into_iter().collect()
            }
        };
        names.extend(self.mounts_in(&path));
        names.stable_sort();
        names.dedup();
        Ok(names)
    }

    fn remove(&mut self, path: &str, recursive: bool) -> Result<(), FsError> {
        let path = normalize("/", path);
        if self.mounts.iter().any(|m| m.path == path) {
            return Err(FsError::Busy);
        }
        match self.target(&path) {
            Target::Mount(i, inner) => self.vol_mut(i)?.remove(&inner, recursive),
            Target::Overlay => {
                let st = self.stat(&path)?;
                if st.is_dir() && !recursive && !self.list(&path)?.is_empty() {
                    return Err(FsError::NotEmpty);
                }
                if self.implied_dir(&path) {
                    return Err(FsError::Busy);
                }
                let lower = self.in_lower(&path);
                self.upper.remove_subtree(&path);
                if lower {
                    self.copy_up_parents(&path);
                    self.upper.nodes.insert(path, Node::Whiteout);
                }
                Ok(())
            }
        }
    }

    fn touch(&mut self, path: &str, now: Millis) -> Result<(), FsError> {
        let path = normalize("/", path);
        match self.target(&path) {
            Target::Mount(i, inner) => self.vol_mut(i)?.touch(&inner, now),
            Target::Overlay => match self.lookup(&path).cloned() {
                Some(Node::File { data, mode, .. }) => {
                    self.copy_up_parents(&path);
                    self.upper.nodes.insert(path, Node::File { data, mtime: now, mode });
                    Ok(())
                }
                Some(Node::Dir { mode, opaque, .. }) => {
                    self.copy_up_parents(&path);
                    self.upper.nodes.insert(path, Node::Dir { mtime: now, mode, opaque });
                    Ok(())
                }
                _ => self.write(&path, "", WriteMode::Append, now),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_paths() {
        for (cwd, p, want) in [
            ("/", "a", "/a"),
            ("/a", "../b//c/.", "/b/c"),
            ("/a", "/x/../../y", "/y"),
            ("/", "", "/"),
            ("/a/b", "..", "/a"),
        ] {
            assert_eq!(normalize(cwd, p), want, "{cwd} {p}");
        }
        assert_eq!(parent("/a/b"), "/a");
        assert_eq!(parent("/a"), "/");
        assert_eq!(basename("/a/b/"), "b");
    }

    #[test]
    fn memfs_basics_and_errors() {
        let mut fs = MemFs::new();
        assert_eq!(fs.write("/a/b", "x", WriteMode::Truncate, 1), Err(FsError::NotFound));
        fs.mkdir("/a", 1).unwrap();
        assert_eq!(fs.mkdir("/a", 1), Err(FsError::Exists));
        fs.write("/a/b", "x", WriteMode::Truncate, 1).unwrap();
        fs.write("/a/b", "y", WriteMode::Append, 2).unwrap();
        assert_eq!(fs.read("/a/b").unwrap(), "xy");
        assert_eq!(fs.write("/a/b", "z", WriteMode::CreateNew, 2), Err(FsError::Exists));
        assert_eq!(fs.read("/a/b/c"), Err(FsError::NotDir));
        assert_eq!(fs.read("/a"), Err(FsError::IsDir));
        assert_eq!(fs.list("/a/b"), Err(FsError::NotDir));
        assert_eq!(fs.remove("/a", false), Err(FsError::NotEmpty));
        fs.mkdir_all("/a/c/d", 3).unwrap();
        fs.write("/ab", "", WriteMode::Truncate, 1).unwrap();
        assert_eq!(fs.list("/a").unwrap(), vec!["b", "c"]);
        assert_eq!(fs.list("/").unwrap(), vec!["a", "ab"]);
        fs.remove("/a", true).unwrap();
        assert_eq!(fs.list("/").unwrap(), vec!["ab"]);
        fs.touch("/t", 9).unwrap();
        assert_eq!(fs.stat("/t").unwrap().mtime, 9);
        assert_eq!(fs.stat("/nope"), Err(FsError::NotFound));
    }

    fn image() -> MemFs {
        MemFs::from_files([("/etc/motd", "hi\n"), ("/usr/share/html/index.html", "<h1>")], ["/tmp"])
    }

    #[test]
    fn layered_whiteouts_and_copy_up() {
        let base = image();
        let mut upper = MemFs::new();
        let mut vols = BTreeMap::new();
        let mut fs = LayeredFs::new(&base, &mut upper, &mut vols, vec![]);
        assert_eq!(fs.read("/etc/motd").unwrap(), "hi\n");
        fs.write("/etc/motd", "more\n", WriteMode::Append, 3).unwrap();
        assert_eq!(fs.read("/etc/motd").unwrap(), "hi\nmore\n");
        fs.remove("/usr/share/html", true).unwrap();
        assert_eq!(fs.stat("/usr/share/html/index.html"), Err(FsError::NotFound));
        assert_eq!(fs.list("/usr/share").unwrap(), Vec::<String>::new());
        fs.mkdir("/usr/share/html", 4).unwrap();
        assert_eq!(fs.list("/usr/share/html").unwrap(), Vec::<String>::new(), "opaque after re-creation");
        fs.remove("/tmp", false).unwrap();
        assert!(!fs.exists("/tmp"));
        assert_eq!(fs.list("/").unwrap(), vec!["etc", "usr"]);
        drop(fs);
        assert_eq!(base, image());
        assert!(matches!(upper.get("/tmp"), Some(Node::Whiteout)));
    }

    #[test]
    fn layered_mounts() {
        let base = image();
        let mut upper = MemFs::new();
        let mut vols = BTreeMap::from([
            ("data".to_string(), MemFs::from_files([("/hosts", "127.0.0.1 localhost\n")], [])),
            ("cfg".to_string(), MemFs::from_files([("/k", "v")], [])),
        ]);
        let mounts = vec![
            Mount::new("/data", "data"),
            Mount::new("/etc/hosts", "data").sub_path("hosts"),
            Mount::new("/var/cfg", "cfg").read_only(),
        ];
        let mut fs = LayeredFs::new(&base, &mut upper, &mut vols, mounts);
        assert_eq!(fs.read("/etc/hosts").unwrap(), "127.0.0.1 localhost\n");
        assert_eq!(fs.list("/etc").unwrap(), vec!["hosts", "motd"]);
        assert_eq!(fs.list("/").unwrap(), vec!["data", "etc", "tmp", "usr", "var"]);
        assert!(fs.is_dir("/var"));
        fs.write("/data/x", "1", WriteMode::Truncate, 1).unwrap();
        assert_eq!(fs.list("/data").unwrap(), vec!["hosts", "x"]);
        assert_eq!(fs.read("/var/cfg/k").unwrap(), "v");
        assert_eq!(fs.write("/var/cfg/k", "w", WriteMode::Truncate, 1), Err(FsError::ReadOnly));
        assert_eq!(fs.remove("/var/cfg/k", false), Err(FsError::ReadOnly));
        assert_eq!(fs.remove("/data", true), Err(FsError::Busy));
        drop(fs);
        assert_eq!(vols["data"].read("/x").unwrap(), "1");
        assert!(upper.get("/data").is_none());
    }
}
