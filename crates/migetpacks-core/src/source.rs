//! A read-only, bounded view of the application's source folder.
//!
//! Detection and planning read files only through [`SourceTree`]: reads are capped, directory
//! listings are bounded, symlinks are never followed out of the folder, and loops give errors.
//! An in-memory backend lets tests and fuzzers run the whole pipeline without a disk.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// Largest marker file detection will read (1 MiB).
pub const MAX_READ: u64 = 1024 * 1024;
/// Most entries one directory listing returns before it is an error.
pub const MAX_LISTING: usize = 10_000;

/// Errors reading the source folder. Every message names the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    /// The source folder itself does not exist or is not a directory.
    #[error("source folder does not exist or is not a directory: {0}")]
    NoSourceDir(String),
    /// A file is larger than [`MAX_READ`].
    #[error("{path}: file is larger than {limit} bytes; refusing to read it")]
    TooLarge {
        /// Relative path.
        path: String,
        /// The cap.
        limit: u64,
    },
    /// A file is not valid UTF-8.
    #[error("{path}: not valid UTF-8 text")]
    NotUtf8 {
        /// Relative path.
        path: String,
    },
    /// A path that should be a file is a directory (or other non-file).
    #[error("{path}: expected a file, found a directory or special file")]
    NotAFile {
        /// Relative path.
        path: String,
    },
    /// A symlink points outside the source folder.
    #[error("{path}: symlink points outside the source folder; not followed")]
    OutsideSource {
        /// Relative path.
        path: String,
    },
    /// A symlink loop or unresolvable link.
    #[error("{path}: symlink loop or broken link: {reason}")]
    BadLink {
        /// Relative path.
        path: String,
        /// OS message.
        reason: String,
    },
    /// Any other I/O error (permission denied, …).
    #[error("{path}: {reason}")]
    Io {
        /// Relative path.
        path: String,
        /// OS message.
        reason: String,
    },
    /// A directory has more entries than [`MAX_LISTING`].
    #[error("{path}: more than {limit} entries; refusing to list it")]
    TooManyEntries {
        /// Relative path.
        path: String,
        /// The cap.
        limit: usize,
    },
    /// A relative path tried to leave the source folder (`..`, absolute).
    #[error("{path}: path leaves the source folder")]
    Escape {
        /// The offending path.
        path: String,
    },
}

/// One entry of a directory listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// File name (lossy UTF-8 for non-UTF-8 names).
    pub name: String,
    /// True when the entry is a directory (symlinks to directories inside the tree count).
    pub is_dir: bool,
}

#[derive(Debug, Clone)]
enum Backend {
    Disk(PathBuf),
    Memory(BTreeMap<String, Vec<u8>>),
}

/// A read-only view of one folder. Cheap to clone.
#[derive(Debug, Clone)]
pub struct SourceTree {
    backend: Backend,
    /// Searches that stopped at a listing cap, for the evidence (shared by clones and
    /// sub-folder views, so the caller of detection sees them).
    capped: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl SourceTree {
    /// Open a folder on disk. It must exist and be a directory.
    pub fn open(root: &Path) -> Result<SourceTree, SourceError> {
        let canon = root
            .canonicalize()
            .map_err(|_| SourceError::NoSourceDir(root.display().to_string()))?;
        if !canon.is_dir() {
            return Err(SourceError::NoSourceDir(root.display().to_string()));
        }
        Ok(SourceTree {
            backend: Backend::Disk(canon),
            capped: Default::default(),
        })
    }

    /// An in-memory tree: keys are `/`-separated relative paths of files; directories are
    /// implied by their files (an entry ending in `/` makes an empty directory).
    ///
    /// ```
    /// use migetpacks_core::source::SourceTree;
    /// let t = SourceTree::in_memory([("package.json", "{}"), ("src/a.kt", "")]);
    /// assert!(t.is_file("package.json"));
    /// assert!(t.is_dir("src"));
    /// ```
    pub fn in_memory<I, K, V>(files: I) -> SourceTree
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: AsRef<[u8]>,
    {
        let map = files
            .into_iter()
            .map(|(k, v)| (k.into(), v.as_ref().to_vec()))
            .collect();
        SourceTree {
            backend: Backend::Memory(map),
            capped: Default::default(),
        }
    }

    /// The folder on disk, if this tree is on disk.
    pub fn root(&self) -> Option<&Path> {
        match &self.backend {
            Backend::Disk(p) => Some(p),
            Backend::Memory(_) => None,
        }
    }

    /// A view of a sub-folder (for `PROJECT_PATH`). The path must stay inside this tree.
    pub fn subdir(&self, rel: &str) -> Result<SourceTree, SourceError> {
        let rel = clean(rel)?;
        if rel.is_empty() {
            return Ok(self.clone());
        }
        match &self.backend {
            Backend::Disk(root) => {
                let p = self.resolve(&rel)?;
                if !p.is_dir() {
                    return Err(SourceError::NoSourceDir(
                        root.join(&rel).display().to_string(),
                    ));
                }
                Ok(SourceTree {
                    backend: Backend::Disk(p),
                    capped: self.capped.clone(),
                })
            }
            Backend::Memory(map) => {
                let prefix = format!("{rel}/");
                let sub: BTreeMap<String, Vec<u8>> = map
                    .iter()
                    .filter_map(|(k, v)| {
                        k.strip_prefix(&prefix).map(|s| (s.to_string(), v.clone()))
                    })
                    .collect();
                if sub.is_empty() {
                    return Err(SourceError::NoSourceDir(rel));
                }
                Ok(SourceTree {
                    backend: Backend::Memory(sub),
                    capped: self.capped.clone(),
                })
            }
        }
    }

    /// Resolve a relative path on disk, refusing links that leave the tree.
    fn resolve(&self, rel: &str) -> Result<PathBuf, SourceError> {
        let Backend::Disk(root) = &self.backend else {
            unreachable!("resolve is only called for disk trees")
        };
        let joined = root.join(rel);
        match joined.symlink_metadata() {
            Err(e) => Err(io_err(rel, &e)),
            Ok(_) => {
                let canon = joined.canonicalize().map_err(|e| SourceError::BadLink {
                    path: rel.to_string(),
                    reason: e.to_string(),
                })?;
                if !canon.starts_with(root) {
                    return Err(SourceError::OutsideSource {
                        path: rel.to_string(),
                    });
                }
                Ok(canon)
            }
        }
    }

    /// `Ok` when `rel` does not exist or resolves inside the tree; the error says why not
    /// (`OutsideSource`, `BadLink`, `Escape`). For paths handed to another program (compose
    /// contexts and Dockerfiles), which must not be links out of the source folder.
    pub fn check_inside(&self, rel: &str) -> Result<(), SourceError> {
        let rel = clean(rel)?;
        match &self.backend {
            Backend::Memory(_) => Ok(()),
            Backend::Disk(root) => {
                if root.join(&rel).symlink_metadata().is_err() {
                    // Missing, or a missing folder on the way: nothing to follow. Check the
                    // parents too, one of which may be a link out.
                    let mut parent = std::path::Path::new(&rel).parent();
                    while let Some(p) = parent.filter(|p| !p.as_os_str().is_empty()) {
                        let ps = p.to_string_lossy();
                        if root.join(p).symlink_metadata().is_ok() {
                            self.resolve(&ps)?;
                            break;
                        }
                        parent = p.parent();
                    }
                    return Ok(());
                }
                self.resolve(&rel).map(|_| ())
            }
        }
    }

    /// True when `rel` is a regular file inside the tree (links inside the tree are followed;
    /// links that leave it, loops and unreadable paths count as absent).
    pub fn is_file(&self, rel: &str) -> bool {
        let Ok(rel) = clean(rel) else { return false };
        match &self.backend {
            Backend::Disk(_) => self.resolve(&rel).map(|p| p.is_file()).unwrap_or(false),
            Backend::Memory(map) => map.contains_key(&rel),
        }
    }

    /// True when `rel` is a directory inside the tree.
    pub fn is_dir(&self, rel: &str) -> bool {
        let Ok(rel) = clean(rel) else { return false };
        match &self.backend {
            Backend::Disk(_) => self.resolve(&rel).map(|p| p.is_dir()).unwrap_or(false),
            Backend::Memory(map) => {
                if rel.is_empty() {
                    return true;
                }
                let prefix = format!("{rel}/");
                map.keys().any(|k| k.starts_with(&prefix))
            }
        }
    }

    /// Read a file's bytes, at most [`MAX_READ`]. `Ok(None)` when it does not exist.
    pub fn read_bytes(&self, rel: &str) -> Result<Option<Vec<u8>>, SourceError> {
        let rel = clean(rel)?;
        match &self.backend {
            Backend::Memory(map) => match map.get(&rel) {
                Some(v) if v.len() as u64 > MAX_READ => Err(SourceError::TooLarge {
                    path: rel,
                    limit: MAX_READ,
                }),
                Some(v) => Ok(Some(v.clone())),
                None if self.is_dir(&rel) => Err(SourceError::NotAFile { path: rel }),
                None => Ok(None),
            },
            Backend::Disk(root) => {
                if root.join(&rel).symlink_metadata().is_err() {
                    return Ok(None);
                }
                let p = self.resolve(&rel)?;
                let meta = p.metadata().map_err(|e| io_err(&rel, &e))?;
                if !meta.is_file() {
                    return Err(SourceError::NotAFile { path: rel });
                }
                if meta.len() > MAX_READ {
                    return Err(SourceError::TooLarge {
                        path: rel,
                        limit: MAX_READ,
                    });
                }
                let f = std::fs::File::open(&p).map_err(|e| io_err(&rel, &e))?;
                let mut buf = Vec::with_capacity(meta.len() as usize);
                // The length may change between stat and read: cap the read itself too.
                f.take(MAX_READ + 1)
                    .read_to_end(&mut buf)
                    .map_err(|e| io_err(&rel, &e))?;
                if buf.len() as u64 > MAX_READ {
                    return Err(SourceError::TooLarge {
                        path: rel,
                        limit: MAX_READ,
                    });
                }
                Ok(Some(buf))
            }
        }
    }

    /// Read a UTF-8 text file (a leading BOM is dropped). `Ok(None)` when it does not exist.
    pub fn read(&self, rel: &str) -> Result<Option<String>, SourceError> {
        match self.read_bytes(rel)? {
            None => Ok(None),
            Some(bytes) => {
                let s = String::from_utf8(bytes).map_err(|_| SourceError::NotUtf8 {
                    path: rel.to_string(),
                })?;
                Ok(Some(
                    s.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(s),
                ))
            }
        }
    }

    /// List a directory (sorted by name). A missing directory lists as empty.
    pub fn list(&self, rel: &str) -> Result<Vec<Entry>, SourceError> {
        let rel = clean(rel)?;
        match &self.backend {
            Backend::Memory(map) => {
                let prefix = if rel.is_empty() {
                    String::new()
                } else {
                    format!("{rel}/")
                };
                let mut out: BTreeMap<String, bool> = BTreeMap::new();
                for k in map.keys() {
                    if let Some(rest) = k.strip_prefix(&prefix) {
                        match rest.split_once('/') {
                            Some((dir, _)) => {
                                out.insert(dir.to_string(), true);
                            }
                            None if !rest.is_empty() => {
                                out.entry(rest.to_string()).or_insert(false);
                            }
                            None => {}
                        }
                    }
                }
                if out.len() > MAX_LISTING {
                    return Err(SourceError::TooManyEntries {
                        path: display_dir(&rel),
                        limit: MAX_LISTING,
                    });
                }
                Ok(out
                    .into_iter()
                    .map(|(name, is_dir)| Entry { name, is_dir })
                    .collect())
            }
            Backend::Disk(root) => {
                let dir = if rel.is_empty() {
                    root.clone()
                } else {
                    if root.join(&rel).symlink_metadata().is_err() {
                        return Ok(Vec::new());
                    }
                    self.resolve(&rel)?
                };
                if !dir.is_dir() {
                    return Ok(Vec::new());
                }
                let rd = std::fs::read_dir(&dir).map_err(|e| io_err(&rel, &e))?;
                let mut out = Vec::new();
                for ent in rd {
                    let ent = ent.map_err(|e| io_err(&rel, &e))?;
                    if out.len() >= MAX_LISTING {
                        return Err(SourceError::TooManyEntries {
                            path: display_dir(&rel),
                            limit: MAX_LISTING,
                        });
                    }
                    let name = ent.file_name().to_string_lossy().into_owned();
                    let child = if rel.is_empty() {
                        name.clone()
                    } else {
                        format!("{rel}/{name}")
                    };
                    let ft = ent.file_type().map_err(|e| io_err(&child, &e))?;
                    let is_dir = if ft.is_symlink() {
                        // Only links that stay inside the tree count as directories.
                        self.resolve(&child).map(|p| p.is_dir()).unwrap_or(false)
                    } else {
                        ft.is_dir()
                    };
                    out.push(Entry { name, is_dir });
                }
                out.sort_by(|a, b| a.name.cmp(&b.name));
                Ok(out)
            }
        }
    }

    /// Searches that stopped at a listing cap, one line each (`public: more than 10000
    /// entries; the search for files stopped there`), for the detection evidence.
    pub fn capped_searches(&self) -> Vec<String> {
        self.capped.lock().map(|c| c.clone()).unwrap_or_default()
    }

    /// Files whose name satisfies `pred`, searched breadth-first down to `max_depth` levels of
    /// sub-folders (0 = only `rel` itself). Stops after `limit` hits. Symlinked directories are
    /// not descended into, so loops cannot recurse. Hidden and dependency folders
    /// (`node_modules`, `.git`, `target`, `vendor`) are skipped. A folder with more than
    /// [`MAX_LISTING`] entries (an asset folder, a huge root) stops the search with the hits
    /// found so far, recorded in [`SourceTree::capped_searches`]: a valid app is never refused
    /// because some folder is large.
    pub fn find_files(
        &self,
        rel: &str,
        max_depth: usize,
        limit: usize,
        pred: &dyn Fn(&str) -> bool,
    ) -> Result<Vec<String>, SourceError> {
        let mut hits = Vec::new();
        let mut level = vec![clean(rel)?];
        for depth in 0..=max_depth {
            let mut next = Vec::new();
            for dir in &level {
                let entries = match self.list(dir) {
                    Err(SourceError::TooManyEntries { path, limit }) => {
                        let note = format!(
                            "{path}: more than {limit} entries; the search for files stopped there"
                        );
                        if let Ok(mut c) = self.capped.lock() {
                            if !c.contains(&note) {
                                c.push(note);
                            }
                        }
                        return Ok(hits);
                    }
                    other => other?,
                };
                for e in entries {
                    let path = if dir.is_empty() {
                        e.name.clone()
                    } else {
                        format!("{dir}/{}", e.name)
                    };
                    if e.is_dir {
                        if depth < max_depth && !skip_dir(&e.name) && !self.is_link(&path) {
                            next.push(path);
                        }
                    } else if pred(&e.name) {
                        hits.push(path);
                        if hits.len() >= limit {
                            return Ok(hits);
                        }
                    }
                }
            }
            level = next;
        }
        Ok(hits)
    }

    fn is_link(&self, rel: &str) -> bool {
        match &self.backend {
            Backend::Disk(root) => root
                .join(rel)
                .symlink_metadata()
                .map(|m| m.file_type().is_symlink())
                .unwrap_or(false),
            Backend::Memory(_) => false,
        }
    }
}

fn skip_dir(name: &str) -> bool {
    name.starts_with('.')
        || matches!(
            name,
            "node_modules" | "target" | "vendor" | "_build" | "deps"
        )
}

/// A folder's name for messages: the tree's own root is `.` rather than an empty string.
fn display_dir(rel: &str) -> String {
    if rel.is_empty() {
        ".".to_string()
    } else {
        rel.to_string()
    }
}

fn io_err(rel: &str, e: &std::io::Error) -> SourceError {
    SourceError::Io {
        path: rel.to_string(),
        reason: e.to_string(),
    }
}

/// Normalise a relative path: `/`-separated, no `.`, and no `..` or absolute parts.
///
/// ```
/// use migetpacks_core::source::clean;
/// assert_eq!(clean("./a//b/").unwrap(), "a/b");
/// assert!(clean("../x").is_err());
/// assert!(clean("/etc").is_err());
/// ```
pub fn clean(rel: &str) -> Result<String, SourceError> {
    let mut parts = Vec::new();
    for c in Path::new(rel).components() {
        match c {
            Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => {
                return Err(SourceError::Escape {
                    path: rel.to_string(),
                })
            }
        }
    }
    Ok(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_tree_basics() {
        let t = SourceTree::in_memory([("a/b/c.txt", "x"), ("top", "y")]);
        assert!(t.is_dir("a") && t.is_dir("a/b") && !t.is_dir("top"));
        assert_eq!(t.read("top").unwrap().as_deref(), Some("y"));
        assert_eq!(t.read("missing").unwrap(), None);
        assert!(matches!(t.read("a"), Err(SourceError::NotAFile { .. })));
        let names: Vec<_> = t.list("").unwrap().into_iter().map(|e| e.name).collect();
        assert_eq!(names, ["a", "top"]);
        let found = t.find_files("", 2, 10, &|n| n.ends_with(".txt")).unwrap();
        assert_eq!(found, ["a/b/c.txt"]);
        assert!(t
            .find_files("", 1, 10, &|n| n.ends_with(".txt"))
            .unwrap()
            .is_empty());
    }

    #[test]
    fn disk_tree_caps_and_links() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("big"), vec![b'a'; (MAX_READ + 1) as usize]).unwrap();
        std::fs::write(root.join("bin"), [0xff, 0xfe, 0x00]).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", root.join("out")).unwrap();
        std::os::unix::fs::symlink("loop", root.join("loop")).unwrap();
        std::fs::create_dir(root.join("d")).unwrap();
        let t = SourceTree::open(root).unwrap();
        assert!(matches!(t.read("big"), Err(SourceError::TooLarge { .. })));
        assert!(matches!(t.read("bin"), Err(SourceError::NotUtf8 { .. })));
        assert!(matches!(
            t.read("out"),
            Err(SourceError::OutsideSource { .. })
        ));
        assert!(!t.is_file("out"));
        assert!(matches!(t.read("loop"), Err(SourceError::BadLink { .. })));
        assert!(matches!(t.read("d"), Err(SourceError::NotAFile { .. })));
        assert!(matches!(t.read("../x"), Err(SourceError::Escape { .. })));
        assert!(t.subdir("d").is_ok());
        assert!(t.subdir("../").is_err());
    }
}
