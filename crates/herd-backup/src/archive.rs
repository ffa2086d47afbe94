//! The archive format (version 1, documented in `docs/archive-format.md`): a tar stream,
//! zstd-compressed, encrypted with age. Entries, in order:
//!
//! 1. `herd-archive.json`: the [`Header`] (format, version, instance, schema version);
//! 2. for each table, `tables/NAME/columns.json` (names and types) and then its rows in
//!    chunks `tables/NAME/000000.ndjson`, one JSON array of values per line;
//! 3. `files/KEY` for each media file of the instance;
//! 4. `manifest.json`: the [`Manifest`], with every table's row count and SHA-256 of its
//!    lines and every file's size and SHA-256.
//!
//! Writing and reading run on a thread of their own (compression and encryption are CPU
//! work); the async side hands entries over through a bounded channel, so memory stays at a
//! few chunks whatever the instance's size. A file is written under a temporary name and
//! renamed into place only when complete, so a killed backup never leaves an archive that
//! looks whole.

use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use herd_store::snapshot::Column;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

pub const FORMAT: &str = "herd-archive";
pub const VERSION: u32 = 1;

/// Rows are handed to the writer in chunks of about this many bytes.
const CHUNK_BYTES: usize = 4 << 20;

#[derive(Debug)]
pub enum ArchiveError {
    /// The archive cannot be read with the key given.
    WrongKey,
    /// The bytes are not what was written: changed, cut short or not an archive.
    Damaged(String),
    /// Reading or writing the file itself failed.
    Io(String),
}

impl std::error::Error for ArchiveError {}

impl std::fmt::Display for ArchiveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ArchiveError::WrongKey => {
                f.write_str("the archive is not encrypted to this key: give the identity (secret key) it was made for")
            }
            ArchiveError::Damaged(why) => write!(
                f,
                "the archive is damaged or was changed after it was written ({why}); nothing was changed"
            ),
            ArchiveError::Io(why) => f.write_str(why),
        }
    }
}

impl From<ArchiveError> for herd_app::AppError {
    fn from(e: ArchiveError) -> Self {
        match e {
            ArchiveError::Io(why) => herd_app::AppError::Internal(why),
            e => herd_app::AppError::Invalid(e.to_string()),
        }
    }
}

fn damaged(e: impl std::fmt::Display) -> ArchiveError {
    ArchiveError::Damaged(e.to_string())
}

/// What an archive is of, read before anything else.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Header {
    pub format: String,
    pub version: u32,
    /// The instance's domain.
    pub domain: String,
    /// Its id where it was written (rows carry it; a load replaces it).
    pub tenant_id: i64,
    /// When the snapshot was taken (epoch milliseconds).
    pub created_at: i64,
    /// The newest database migration of the Herd that wrote it.
    pub schema: i64,
    pub herd_version: String,
    /// `sqlite` or `postgres`: where it was written (values are the same in both).
    pub dialect: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TableEntry {
    pub name: String,
    pub columns: Vec<Column>,
    pub rows: u64,
    /// SHA-256 of the table's lines, each with its newline, in order.
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileEntry {
    pub key: String,
    pub size: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub header: Header,
    pub tables: Vec<TableEntry>,
    pub files: Vec<FileEntry>,
}

impl Manifest {
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }
}

/// A table's lines as they are counted and hashed, on both sides of an archive.
#[derive(Default)]
pub struct Tally {
    pub rows: u64,
    hash: Sha256,
}

impl Tally {
    pub fn line(&mut self, line: &[u8]) {
        self.rows += 1;
        self.hash.update(line);
        self.hash.update(b"\n");
    }

    pub fn finish(self) -> (u64, String) {
        (self.rows, hex::encode(self.hash.finalize()))
    }
}

enum Msg {
    Data(String, Vec<u8>),
    File(String, PathBuf),
    Manifest(Box<Manifest>),
}

/// The writer thread's answer: the archive's size and the files it wrote.
type Wrote = Result<(u64, Vec<FileEntry>), ArchiveError>;

/// An archive being written.
pub struct Writer {
    tx: Option<mpsc::SyncSender<Msg>>,
    thread: Option<std::thread::JoinHandle<Wrote>>,
    partial: PathBuf,
    path: PathBuf,
}

impl Writer {
    /// Starts writing the archive that will be at `path` once [`Writer::finish`] returns,
    /// encrypted to `recipient`.
    pub fn create(path: &Path, recipient: crate::Recipient) -> Result<Writer, ArchiveError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| ArchiveError::Io(format!("creating {}: {e}", dir.display())))?;
        }
        let partial = path.with_extension("partial");
        let file = std::fs::File::create(&partial).map_err(|e| ArchiveError::Io(format!("creating {}: {e}", partial.display())))?;
        let (tx, rx) = mpsc::sync_channel::<Msg>(4);
        let thread = std::thread::Builder::new()
            .name("herd-archive-write".into())
            .spawn(move || write_all(file, recipient, rx))
            .map_err(|e| ArchiveError::Io(format!("starting the archive writer: {e}")))?;
        Ok(Writer {
            tx: Some(tx),
            thread: Some(thread),
            partial,
            path: path.to_path_buf(),
        })
    }

    fn send(&self, m: Msg) -> Result<(), ArchiveError> {
        let sent = self.tx.as_ref().map(|tx| tx.send(m).is_ok()).unwrap_or(false);
        if sent {
            Ok(())
        } else {
            Err(ArchiveError::Io("the archive writer stopped".into()))
        }
    }

    pub fn data(&self, path: String, bytes: Vec<u8>) -> Result<(), ArchiveError> {
        self.send(Msg::Data(path, bytes))
    }

    pub fn json<T: Serialize>(&self, path: &str, v: &T) -> Result<(), ArchiveError> {
        let bytes = serde_json::to_vec_pretty(v).map_err(|e| ArchiveError::Io(e.to_string()))?;
        self.data(path.to_string(), bytes)
    }

    /// Adds a media file, read from disk by the writer (its size and hash go in the manifest).
    pub fn file(&self, key: String, src: PathBuf) -> Result<(), ArchiveError> {
        self.send(Msg::File(key, src))
    }

    /// Writes the manifest (the writer adds the files it wrote), closes the streams, syncs the
    /// file and renames it into place. Returns the archive's size and the manifest written.
    pub fn finish(mut self, mut manifest: Manifest) -> Result<(u64, Manifest), ArchiveError> {
        let tx = self.tx.take();
        let thread = self.thread.take();
        let sent = tx
            .as_ref()
            .map(|tx| tx.send(Msg::Manifest(Box::new(manifest.clone()))).is_ok())
            .unwrap_or(false);
        drop(tx);
        let result = thread
            .map(|t| {
                t.join()
                    .unwrap_or_else(|_| Err(ArchiveError::Io("the archive writer failed".into())))
            })
            .unwrap_or_else(|| Err(ArchiveError::Io("the archive writer is gone".into())));
        let (size, files) = result?;
        if !sent {
            return Err(ArchiveError::Io("the archive writer stopped before the manifest".into()));
        }
        manifest.files = files;
        std::fs::rename(&self.partial, &self.path).map_err(|e| ArchiveError::Io(format!("renaming {}: {e}", self.partial.display())))?;
        if let Some(dir) = self.path.parent()
            && let Ok(d) = std::fs::File::open(dir)
        {
            let _ = d.sync_all();
        }
        Ok((size, manifest))
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // Not finished: stop the thread and leave no partial file behind.
        self.tx.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
            let _ = std::fs::remove_file(&self.partial);
        }
    }
}

fn io(e: std::io::Error) -> ArchiveError {
    ArchiveError::Io(format!("writing the archive: {e}"))
}

fn header(size: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_size(size);
    h.set_mode(0o600);
    h.set_mtime(0);
    h.set_entry_type(tar::EntryType::Regular);
    h
}

fn write_all(file: std::fs::File, recipient: crate::Recipient, rx: mpsc::Receiver<Msg>) -> Wrote {
    let recipients: [&dyn age::Recipient; 1] = [recipient.as_ref()];
    let enc = age::Encryptor::with_recipients(recipients.into_iter()).map_err(|e| ArchiveError::Io(format!("encrypting: {e}")))?;
    let out = enc.wrap_output(BufWriter::with_capacity(1 << 20, file)).map_err(io)?;
    let z = zstd::stream::write::Encoder::new(out, 3).map_err(io)?;
    let mut tar = tar::Builder::new(z);
    let mut files = Vec::new();
    let mut manifest = None;
    for m in rx {
        match m {
            Msg::Data(path, bytes) => {
                let mut h = header(bytes.len() as u64);
                tar.append_data(&mut h, &path, bytes.as_slice()).map_err(io)?;
            }
            Msg::File(key, src) => {
                let f = match std::fs::File::open(&src) {
                    Ok(f) => f,
                    // Deleted since the folder was listed (a post deleted meanwhile).
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(ArchiveError::Io(format!("reading {}: {e}", src.display()))),
                };
                let size = f.metadata().map_err(io)?.len();
                let mut h = header(size);
                let mut reader = Hashing {
                    inner: f.take(size),
                    hash: Sha256::new(),
                };
                tar.append_data(&mut h, format!("files/{key}"), &mut reader).map_err(io)?;
                files.push(FileEntry {
                    key,
                    size,
                    sha256: hex::encode(reader.hash.finalize()),
                });
            }
            Msg::Manifest(m) => manifest = Some(m),
        }
    }
    let Some(mut manifest) = manifest else {
        return Err(ArchiveError::Io("the archive was not finished".into()));
    };
    manifest.files = files.clone();
    let bytes = serde_json::to_vec_pretty(&manifest).map_err(|e| ArchiveError::Io(e.to_string()))?;
    let mut h = header(bytes.len() as u64);
    tar.append_data(&mut h, "manifest.json", bytes.as_slice()).map_err(io)?;
    let z = tar.into_inner().map_err(io)?;
    let out = z.finish().map_err(io)?;
    let mut buf = out.finish().map_err(io)?;
    buf.flush().map_err(io)?;
    let file = buf.into_inner().map_err(|e| io(e.into_error()))?;
    file.sync_all().map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    Ok((size, files))
}

struct Hashing<R> {
    inner: R,
    hash: Sha256,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}

/// Collects one table's rows into chunks for a [`Writer`], counting and hashing its lines.
pub struct TableOut<'a> {
    writer: &'a Writer,
    name: String,
    columns: Vec<Column>,
    chunk: Vec<u8>,
    chunks: u32,
    tally: Tally,
}

impl<'a> TableOut<'a> {
    pub fn new(writer: &'a Writer, name: &str, columns: &[Column]) -> Result<TableOut<'a>, ArchiveError> {
        writer.json(&format!("tables/{name}/columns.json"), &columns)?;
        Ok(TableOut {
            writer,
            name: name.to_string(),
            columns: columns.to_vec(),
            chunk: Vec::new(),
            chunks: 0,
            tally: Tally::default(),
        })
    }

    pub fn row(&mut self, values: &[Value]) -> Result<(), ArchiveError> {
        let start = self.chunk.len();
        serde_json::to_writer(&mut self.chunk, values).map_err(|e| ArchiveError::Io(e.to_string()))?;
        self.tally.line(&self.chunk[start..]);
        self.chunk.push(b'\n');
        if self.chunk.len() >= CHUNK_BYTES {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), ArchiveError> {
        if self.chunk.is_empty() {
            return Ok(());
        }
        let bytes = std::mem::take(&mut self.chunk);
        self.writer.data(format!("tables/{}/{:06}.ndjson", self.name, self.chunks), bytes)?;
        self.chunks += 1;
        Ok(())
    }

    pub fn finish(mut self) -> Result<TableEntry, ArchiveError> {
        self.flush()?;
        let (rows, sha256) = self.tally.finish();
        Ok(TableEntry {
            name: self.name,
            columns: self.columns,
            rows,
            sha256,
        })
    }
}

/// What a reader finds, in archive order.
#[derive(Debug)]
pub enum Item {
    Header(Header),
    Columns(String, Vec<Column>),
    /// Lines of one table (a chunk), each a JSON array.
    Rows(String, Vec<u8>),
    /// A media file: its key, and where it was put (when files are kept), with its size and
    /// hash.
    File(FileEntry, Option<PathBuf>),
    Manifest(Manifest),
}

/// An archive being read.
pub struct Reader {
    rx: tokio::sync::mpsc::Receiver<Result<Item, ArchiveError>>,
}

impl Reader {
    /// Starts reading `path` with `identity`; media files go under `files_to` (by key) when
    /// given, else are only hashed.
    pub fn open(path: &Path, identity: crate::Identity, files_to: Option<PathBuf>) -> Result<Reader, ArchiveError> {
        let file = std::fs::File::open(path).map_err(|e| ArchiveError::Io(format!("opening {}: {e}", path.display())))?;
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        std::thread::Builder::new()
            .name("herd-archive-read".into())
            .spawn(move || {
                if let Err(e) = read_all(file, identity, files_to, &tx) {
                    let _ = tx.blocking_send(Err(e));
                }
            })
            .map_err(|e| ArchiveError::Io(format!("starting the archive reader: {e}")))?;
        Ok(Reader { rx })
    }

    /// The next entry; `None` after the manifest.
    pub async fn next(&mut self) -> Option<Result<Item, ArchiveError>> {
        self.rx.recv().await
    }
}

fn decrypt_error(e: age::DecryptError) -> ArchiveError {
    match e {
        age::DecryptError::NoMatchingKeys => ArchiveError::WrongKey,
        e => damaged(e),
    }
}

fn read_all(
    file: std::fs::File,
    identity: crate::Identity,
    files_to: Option<PathBuf>,
    tx: &tokio::sync::mpsc::Sender<Result<Item, ArchiveError>>,
) -> Result<(), ArchiveError> {
    let dec = age::Decryptor::new_buffered(BufReader::with_capacity(1 << 20, file)).map_err(decrypt_error)?;
    let identities: [&dyn age::Identity; 1] = [identity.as_ref()];
    let plain = dec.decrypt(identities.into_iter()).map_err(decrypt_error)?;
    let z = zstd::stream::read::Decoder::new(plain).map_err(damaged)?;
    let mut tar = tar::Archive::new(z);
    let send = |item: Item| {
        tx.blocking_send(Ok(item))
            .map_err(|_| ArchiveError::Io("the archive reader was left".into()))
    };
    let mut first = true;
    let mut done = false;
    for entry in tar.entries().map_err(damaged)? {
        let mut entry = entry.map_err(damaged)?;
        if done {
            return Err(damaged("entries after the manifest"));
        }
        let path = entry.path().map_err(damaged)?.to_string_lossy().into_owned();
        if first && path != "herd-archive.json" {
            return Err(damaged("it does not begin with herd-archive.json"));
        }
        if let Some(key) = path.strip_prefix("files/") {
            if !valid_key(key) {
                return Err(damaged(format!("a file is named {path:?}")));
            }
            let mut hash = Sha256::new();
            let mut size = 0u64;
            let mut buf = vec![0u8; 256 << 10];
            let mut out = match &files_to {
                Some(dir) => {
                    let dest = dir.join(key);
                    if let Some(parent) = dest.parent() {
                        std::fs::create_dir_all(parent).map_err(|e| ArchiveError::Io(format!("creating {}: {e}", parent.display())))?;
                    }
                    let f = std::fs::File::create(&dest).map_err(|e| ArchiveError::Io(format!("creating {}: {e}", dest.display())))?;
                    Some((BufWriter::new(f), dest))
                }
                None => None,
            };
            loop {
                let n = entry.read(&mut buf).map_err(damaged)?;
                if n == 0 {
                    break;
                }
                hash.update(&buf[..n]);
                size += n as u64;
                if let Some((w, _)) = &mut out {
                    w.write_all(&buf[..n])
                        .map_err(|e| ArchiveError::Io(format!("writing a media file: {e}")))?;
                }
            }
            let at = match out {
                Some((mut w, dest)) => {
                    w.flush().map_err(|e| ArchiveError::Io(format!("writing a media file: {e}")))?;
                    Some(dest)
                }
                None => None,
            };
            send(Item::File(
                FileEntry {
                    key: key.to_string(),
                    size,
                    sha256: hex::encode(hash.finalize()),
                },
                at,
            ))?;
            continue;
        }
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).map_err(damaged)?;
        if first {
            first = false;
            let h: Header = serde_json::from_slice(&bytes).map_err(|e| damaged(format!("herd-archive.json: {e}")))?;
            send(Item::Header(h))?;
        } else if path == "manifest.json" {
            let m: Manifest = serde_json::from_slice(&bytes).map_err(|e| damaged(format!("manifest.json: {e}")))?;
            send(Item::Manifest(m))?;
            done = true;
        } else if let Some(rest) = path.strip_prefix("tables/") {
            let Some((table, part)) = rest.split_once('/') else {
                return Err(damaged(format!("an entry is named {path:?}")));
            };
            if part == "columns.json" {
                let cols: Vec<Column> = serde_json::from_slice(&bytes).map_err(|e| damaged(format!("{path}: {e}")))?;
                send(Item::Columns(table.to_string(), cols))?;
            } else if part.ends_with(".ndjson") {
                send(Item::Rows(table.to_string(), bytes))?;
            } else {
                return Err(damaged(format!("an entry is named {path:?}")));
            }
        } else {
            return Err(damaged(format!("an entry is named {path:?}")));
        }
    }
    if !done {
        return Err(damaged("it ends before its manifest"));
    }
    // Read to the end, so age checks the final chunk's tag (a cut or appended tail).
    let mut rest = tar.into_inner();
    std::io::copy(&mut rest, &mut std::io::sink()).map_err(damaged)?;
    Ok(())
}

/// A media file's key as `FileStore` makes them: relative, no `.` or `..` parts.
pub fn valid_key(key: &str) -> bool {
    !key.is_empty() && key.split('/').all(|p| !p.is_empty() && p != "." && p != ".." && !p.contains('\\'))
}

/// The lines of a chunk, each parsed as one row's values.
pub fn parse_rows(table: &str, bytes: &[u8], width: usize, tally: &mut Tally) -> Result<Vec<Vec<Value>>, ArchiveError> {
    let mut rows = Vec::new();
    for line in bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        tally.line(line);
        let row: Vec<Value> = serde_json::from_slice(line).map_err(|e| damaged(format!("a row of {table}: {e}")))?;
        if row.len() != width {
            return Err(damaged(format!("a row of {table} has {} values for {width} columns", row.len())));
        }
        rows.push(row);
    }
    Ok(rows)
}
