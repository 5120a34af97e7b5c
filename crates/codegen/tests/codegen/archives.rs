//! Archives are deterministic and hold exactly the tree.

use std::io::Read;

use specforge_codegen::archive::{ArchiveFormat, write};
use specforge_codegen::generate;

use crate::example;

#[test]
fn a_zip_is_the_same_bytes_twice_and_holds_every_file_in_order() {
    let output = generate(&example("bookstore.yaml"), "sql-postgres", &[]).expect("generate");
    let a = write(&output.tree, ArchiveFormat::Zip, Some("bookstore")).expect("zip");
    let b = write(&output.tree, ArchiveFormat::Zip, Some("bookstore")).expect("zip");
    assert_eq!(a, b);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(a)).expect("read zip");
    let expected: Vec<(String, Vec<u8>)> = output
        .tree
        .iter()
        .map(|(p, c)| (format!("bookstore/{p}"), c.to_vec()))
        .collect();
    assert_eq!(zip.len(), expected.len());
    for (i, (path, contents)) in expected.iter().enumerate() {
        let mut file = zip.by_index(i).expect("entry");
        assert_eq!(file.name().expect("name"), path.as_str());
        assert_eq!(file.unix_mode().map(|m| m & 0o777), Some(0o644));
        let mut read = Vec::new();
        file.read_to_end(&mut read).expect("read");
        assert_eq!(&read, contents);
    }
}

#[test]
fn a_tar_gz_is_the_same_bytes_twice_with_fixed_times_and_modes() {
    let output = generate(&example("library.md"), "openapi", &[]).expect("generate");
    let a = write(&output.tree, ArchiveFormat::TarGz, None).expect("tar.gz");
    let b = write(&output.tree, ArchiveFormat::TarGz, None).expect("tar.gz");
    assert_eq!(a, b);
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(a.as_slice()));
    let mut seen = Vec::new();
    for entry in archive.entries().expect("entries") {
        let mut entry = entry.expect("entry");
        let header = entry.header();
        assert_eq!(header.mtime().expect("mtime"), 315_532_800);
        assert_eq!(header.mode().expect("mode"), 0o644);
        assert_eq!(header.uid().expect("uid"), 0);
        let path = entry.path().expect("path").to_string_lossy().into_owned();
        let mut contents = Vec::new();
        entry.read_to_end(&mut contents).expect("read");
        assert_eq!(Some(contents.as_slice()), output.tree.get(&path), "{path}");
        seen.push(path);
    }
    let expected: Vec<&str> = output.tree.iter().map(|(p, _)| p).collect();
    assert_eq!(seen, expected);
}

#[test]
fn archive_formats_come_from_the_file_name() {
    assert_eq!(
        ArchiveFormat::from_file_name("app.zip"),
        Some(ArchiveFormat::Zip)
    );
    assert_eq!(
        ArchiveFormat::from_file_name("app.TAR.GZ"),
        Some(ArchiveFormat::TarGz)
    );
    assert_eq!(
        ArchiveFormat::from_file_name("app.tgz"),
        Some(ArchiveFormat::TarGz)
    );
    assert_eq!(ArchiveFormat::from_file_name("app.tar"), None);
}

#[test]
fn a_streamed_archive_holds_every_file_and_is_the_same_bytes_twice() {
    use specforge_codegen::archive::Writer;
    let output = generate(&example("bookstore.yaml"), "sql-sqlite", &[]).expect("generate");
    let stream = |format| {
        let mut writer = Writer::new(format, Some("shop"), Vec::new()).expect("writer");
        for (path, contents) in output.tree.iter() {
            writer.add(path, contents).expect("add");
        }
        writer.finish().expect("finish")
    };
    for format in [ArchiveFormat::Zip, ArchiveFormat::TarGz] {
        let bytes = stream(format);
        assert_eq!(bytes, stream(format), "{format:?} is deterministic");
        let mut read: Vec<(String, Vec<u8>)> = Vec::new();
        match format {
            ArchiveFormat::Zip => {
                let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
                for i in 0..archive.len() {
                    let mut file = archive.by_index(i).expect("entry");
                    let mut contents = Vec::new();
                    file.read_to_end(&mut contents).expect("read");
                    read.push((file.name().expect("name").to_string(), contents));
                }
            }
            ArchiveFormat::TarGz => {
                let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes.as_slice()));
                for entry in archive.entries().expect("entries") {
                    let mut entry = entry.expect("entry");
                    let path = entry.path().expect("path").to_string_lossy().into_owned();
                    let mut contents = Vec::new();
                    entry.read_to_end(&mut contents).expect("read");
                    read.push((path, contents));
                }
            }
        }
        let expected: Vec<(String, Vec<u8>)> = output
            .tree
            .iter()
            .map(|(p, c)| (format!("shop/{p}"), c.to_vec()))
            .collect();
        assert_eq!(read, expected, "{format:?}");
    }
}
