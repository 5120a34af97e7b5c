//! Deterministic archives of a [`FileTree`]: entries in path order, every time set to
//! 1980-01-01 00:00:00 UTC, files mode 0644 (0755 for files the tree marks executable), no
//! owner names, no extra fields. The same tree gives the same bytes.

use std::io::Write;

use crate::error::Error;
use crate::tree::FileTree;

/// An archive format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArchiveFormat {
    /// `.zip`, deflated.
    Zip,
    /// `.tar.gz` (ustar inside gzip).
    TarGz,
}

impl ArchiveFormat {
    /// The format a file name asks for (`.zip`, `.tar.gz` or `.tgz`).
    pub fn from_file_name(name: &str) -> Option<Self> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".zip") {
            Some(ArchiveFormat::Zip)
        } else if lower.ends_with(".tar.gz") || lower.ends_with(".tgz") {
            Some(ArchiveFormat::TarGz)
        } else {
            None
        }
    }

    /// The media type of the format.
    pub fn media_type(self) -> &'static str {
        match self {
            ArchiveFormat::Zip => "application/zip",
            ArchiveFormat::TarGz => "application/gzip",
        }
    }
}

/// Seconds since the epoch of 1980-01-01T00:00:00Z, the earliest time a zip can hold.
const FIXED_TIME: u64 = 315_532_800;

/// Whether a generated file should be executable (scripts).
fn executable(path: &str) -> bool {
    path.ends_with(".sh")
}

/// Writes `tree` as an archive in `format`, all entries under the folder `root` (when given).
pub fn write(tree: &FileTree, format: ArchiveFormat, root: Option<&str>) -> Result<Vec<u8>, Error> {
    if let Some(root) = root {
        crate::tree::check_path(root)?;
    }
    let name = |path: &str| match root {
        Some(root) => format!("{root}/{path}"),
        None => path.to_owned(),
    };
    match format {
        ArchiveFormat::Zip => zip(tree, name),
        ArchiveFormat::TarGz => tar_gz(tree, name),
    }
}

fn zip(tree: &FileTree, name: impl Fn(&str) -> String) -> Result<Vec<u8>, Error> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let archive_err = |e: zip::result::ZipError| Error::Archive(e.to_string());
    for (path, contents) in tree.iter() {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(6))
            .last_modified_time(zip::DateTime::default())
            .unix_permissions(if executable(path) { 0o755 } else { 0o644 })
            .large_file(contents.len() >= u32::MAX as usize);
        writer
            .start_file(name(path), options)
            .map_err(archive_err)?;
        writer
            .write_all(contents)
            .map_err(|e| Error::Archive(e.to_string()))?;
    }
    let cursor = writer.finish().map_err(archive_err)?;
    Ok(cursor.into_inner())
}

fn tar_gz(tree: &FileTree, name: impl Fn(&str) -> String) -> Result<Vec<u8>, Error> {
    let io_err = |e: std::io::Error| Error::Archive(e.to_string());
    // A fixed header: no file name, no time, no OS byte that varies by host.
    let gz = flate2::GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(Vec::new(), flate2::Compression::new(6));
    let mut builder = tar::Builder::new(gz);
    builder.mode(tar::HeaderMode::Deterministic);
    for (path, contents) in tree.iter() {
        let mut header = tar::Header::new_ustar();
        header.set_size(contents.len() as u64);
        header.set_mode(if executable(path) { 0o755 } else { 0o644 });
        header.set_mtime(FIXED_TIME);
        header.set_uid(0);
        header.set_gid(0);
        header.set_entry_type(tar::EntryType::Regular);
        builder
            .append_data(&mut header, name(path), contents)
            .map_err(io_err)?;
    }
    let gz = builder.into_inner().map_err(io_err)?;
    gz.finish().map_err(io_err)
}

/// An archive written entry by entry to any [`Write`]: for output that cannot seek (a network
/// response) and trees that are not held in memory whole. Entries must come in path order for
/// the archive to match the tree's order; their times, modes and owners are fixed as for
/// [`write`]. Zip entries carry their sizes and checksums after the data (data descriptors), so
/// the bytes differ from [`write`]'s, but the same entries give the same bytes every time.
pub struct Writer<W: Write> {
    inner: Inner<W>,
    root: Option<String>,
}

enum Inner<W: Write> {
    Zip(Box<zip::ZipWriter<zip::write::StreamWriter<W>>>),
    TarGz(Box<tar::Builder<flate2::write::GzEncoder<W>>>),
}

impl<W: Write> std::fmt::Debug for Writer<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").field("root", &self.root).finish()
    }
}

impl<W: Write> Writer<W> {
    /// Starts an archive in `format` on `out`, every entry under the folder `root` when given.
    pub fn new(format: ArchiveFormat, root: Option<&str>, out: W) -> Result<Self, Error> {
        if let Some(root) = root {
            crate::tree::check_path(root)?;
        }
        let inner = match format {
            ArchiveFormat::Zip => Inner::Zip(Box::new(zip::ZipWriter::new_stream(out))),
            ArchiveFormat::TarGz => {
                let gz = flate2::GzBuilder::new()
                    .mtime(0)
                    .operating_system(255)
                    .write(out, flate2::Compression::new(6));
                let mut builder = tar::Builder::new(gz);
                builder.mode(tar::HeaderMode::Deterministic);
                Inner::TarGz(Box::new(builder))
            }
        };
        Ok(Writer {
            inner,
            root: root.map(str::to_owned),
        })
    }

    /// Adds the file `path` (checked as [`FileTree::insert`] checks it) with `contents`.
    pub fn add(&mut self, path: &str, contents: &[u8]) -> Result<(), Error> {
        crate::tree::check_path(path)?;
        let name = match &self.root {
            Some(root) => format!("{root}/{path}"),
            None => path.to_owned(),
        };
        let io_err = |e: std::io::Error| Error::Archive(e.to_string());
        match &mut self.inner {
            Inner::Zip(writer) => {
                let options = zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Deflated)
                    .compression_level(Some(6))
                    .last_modified_time(zip::DateTime::default())
                    .unix_permissions(if executable(path) { 0o755 } else { 0o644 })
                    .large_file(contents.len() >= u32::MAX as usize);
                writer
                    .start_file(name, options)
                    .map_err(|e| Error::Archive(e.to_string()))?;
                writer.write_all(contents).map_err(io_err)
            }
            Inner::TarGz(builder) => {
                let mut header = tar::Header::new_ustar();
                header.set_size(contents.len() as u64);
                header.set_mode(if executable(path) { 0o755 } else { 0o644 });
                header.set_mtime(FIXED_TIME);
                header.set_uid(0);
                header.set_gid(0);
                header.set_entry_type(tar::EntryType::Regular);
                builder
                    .append_data(&mut header, name, contents)
                    .map_err(io_err)
            }
        }
    }

    /// Writes the end of the archive and returns the output.
    pub fn finish(self) -> Result<W, Error> {
        let io_err = |e: std::io::Error| Error::Archive(e.to_string());
        match self.inner {
            Inner::Zip(writer) => writer
                .finish()
                .map(zip::write::StreamWriter::into_inner)
                .map_err(|e| Error::Archive(e.to_string())),
            Inner::TarGz(builder) => builder
                .into_inner()
                .map_err(io_err)?
                .finish()
                .map_err(io_err),
        }
    }
}
