//! Persistence (`--data-dir`): a write-ahead log of the world's journal plus snapshots, so that
//! every acknowledged change survives a crash and a crash during a write never leaves a state
//! that fails to load.
//!
//! On disk, in the data directory:
//! - `snapshot.json`: `{"wal_seq": N, "snapshot": <state document>}`, the world after entry N;
//!   written to a temporary file, synced, then renamed over the old one;
//! - `wal-<first seq>.log`: journal entries after the snapshot, each framed as a 4-byte length,
//!   a 4-byte CRC-32 and the JSON record `{"seq": N, "entry": …}`.
//!
//! Loading reads the snapshot and replays the logs in order, stopping at the first torn or
//! damaged frame (a crash in the middle of a write); new entries go to a fresh log file.
//!
//! Writing is group commit: calls append their entry to a buffer while the world is locked,
//! one writer thread writes whatever has gathered and syncs it, and each call waits until its
//! entry is synced (`strict`, the default) — or not at all (`relaxed`, where the writer syncs
//! every 50 ms and a crash may lose the last 50 ms of acknowledged changes). After every
//! `COMPACT_AFTER` entries a new snapshot is written and older logs are deleted.

use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::domain::journal::{Entry, Journal};
use crate::domain::{Naming, Snapshot, World};

/// Entries between snapshots.
pub const COMPACT_AFTER: u64 = 20_000;
/// How often the writer syncs in `relaxed` durability.
pub const RELAXED_SYNC: Duration = Duration::from_millis(50);
/// The largest frame accepted when reading (a damaged length is not trusted further).
const MAX_FRAME: usize = 1 << 30;

/// How long a change waits for the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Every acknowledged change is synced to disk first.
    Strict,
    /// Changes are synced every [`RELAXED_SYNC`]; a crash may lose that much.
    Relaxed,
}

#[derive(Serialize, Deserialize)]
struct Record {
    seq: u64,
    entry: Entry,
}

#[derive(Serialize, Deserialize)]
struct SnapshotFile {
    wal_seq: u64,
    snapshot: Snapshot,
}

#[derive(Debug, Default)]
struct Queue {
    /// The last sequence number handed out.
    last: u64,
    /// Framed records waiting to be written, with their sequence numbers.
    pending: Vec<(u64, Vec<u8>)>,
    /// Set when the writer should stop after draining.
    closing: bool,
}

/// The persistent journal of one world.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    durability: Durability,
    queue: Mutex<Queue>,
    wake: Condvar,
    durable: watch::Sender<u64>,
    /// Sequence number the last snapshot includes.
    snapshot_seq: Mutex<u64>,
}

#[derive(Serialize)]
struct RecordRef<'a> {
    seq: u64,
    entry: &'a Entry,
}

fn frame(record: &RecordRef<'_>) -> Vec<u8> {
    let json = serde_json::to_vec(record).unwrap_or_default();
    let mut out = Vec::with_capacity(json.len() + 8);
    out.extend_from_slice(&u32::try_from(json.len()).unwrap_or(u32::MAX).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(&json).to_le_bytes());
    out.extend_from_slice(&json);
    out
}

/// Reads the frames of one log file; stops at the first incomplete or damaged one.
fn read_frames(path: &Path) -> std::io::Result<Vec<Record>> {
    let mut bytes = Vec::new();
    File::open(path)?.read_to_end(&mut bytes)?;
    let mut records = Vec::new();
    let mut at = 0;
    while at + 8 <= bytes.len() {
        let len = u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
        let crc = u32::from_le_bytes([bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]]);
        let len = usize::try_from(len).unwrap_or(usize::MAX);
        if len > MAX_FRAME || at + 8 + len > bytes.len() {
            break;
        }
        let json = &bytes[at + 8..at + 8 + len];
        if crc32fast::hash(json) != crc {
            break;
        }
        match serde_json::from_slice::<Record>(json) {
            Ok(r) => records.push(r),
            Err(_) => break,
        }
        at += 8 + len;
    }
    Ok(records)
}

fn wal_files(dir: &Path) -> std::io::Result<Vec<(u64, PathBuf)>> {
    let mut files: Vec<(u64, PathBuf)> = fs::read_dir(dir)?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let seq = name
                .strip_prefix("wal-")?
                .strip_suffix(".log")?
                .parse()
                .ok()?;
            Some((seq, e.path()))
        })
        .collect();
    files.sort();
    Ok(files)
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Writes `snapshot` (the world after entry `seq`) atomically.
fn write_snapshot(dir: &Path, seq: u64, snapshot: &Snapshot) -> std::io::Result<()> {
    let tmp = dir.join("snapshot.json.tmp");
    {
        let mut w = BufWriter::new(File::create(&tmp)?);
        serde_json::to_writer(
            &mut w,
            &SnapshotRef {
                wal_seq: seq,
                snapshot,
            },
        )?;
        w.flush()?;
        w.get_ref().sync_all()?;
    }
    fs::rename(&tmp, dir.join("snapshot.json"))?;
    sync_dir(dir);
    Ok(())
}

#[derive(Serialize)]
struct SnapshotRef<'a> {
    wal_seq: u64,
    snapshot: &'a Snapshot,
}

impl Store {
    /// Opens (creating) the data directory and loads what it holds into `world`: the snapshot,
    /// then every intact logged entry after it. `naming` finds a call's naming style.
    ///
    /// # Errors
    /// An unusable directory, or a snapshot that cannot be read or does not fit.
    pub fn open(
        dir: &Path,
        durability: Durability,
        world: &World,
        naming: impl Fn(&str) -> Option<&'static dyn Naming>,
    ) -> Result<Arc<Self>, String> {
        let err = |e: std::io::Error| format!("{}: {e}", dir.display());
        fs::create_dir_all(dir).map_err(err)?;
        let snapshot_path = dir.join("snapshot.json");
        let mut seq = 0;
        if snapshot_path.exists() {
            let text = fs::read(&snapshot_path).map_err(err)?;
            let file: SnapshotFile = serde_json::from_slice(&text)
                .map_err(|e| format!("{}: {e}", snapshot_path.display()))?;
            world
                .load(file.snapshot)
                .map_err(|e| format!("{}: {e}", snapshot_path.display()))?;
            seq = file.wal_seq;
        }
        let snapshot_seq = seq;
        for (_, path) in wal_files(dir).map_err(err)? {
            for record in read_frames(&path).map_err(err)? {
                if record.seq <= seq {
                    continue;
                }
                if record.seq != seq + 1 {
                    // A gap: what follows cannot be trusted to apply in order.
                    break;
                }
                world
                    .replay(record.entry, &naming)
                    .map_err(|e| format!("{}: entry {}: {e}", path.display(), record.seq))?;
                seq = record.seq;
            }
        }
        let store = Arc::new(Self {
            dir: dir.to_owned(),
            durability,
            queue: Mutex::new(Queue {
                last: seq,
                ..Queue::default()
            }),
            wake: Condvar::new(),
            durable: watch::channel(seq).0,
            snapshot_seq: Mutex::new(snapshot_seq),
        });
        // Start clean: the loaded world becomes the snapshot, older logs go.
        store.compact(world).map_err(err)?;
        let writer = store.clone();
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join(format!("wal-{}.log", seq + 1)))
            .map_err(err)?;
        std::thread::Builder::new()
            .name("ecs-emulator-wal".into())
            .spawn(move || writer.write_loop(file))
            .map_err(err)?;
        Ok(store)
    }

    fn queue(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The writer: writes what has gathered, syncs, and tells the waiters.
    fn write_loop(self: Arc<Self>, file: File) {
        let mut file = BufWriter::with_capacity(1 << 20, file);
        loop {
            let (batch, closing) = {
                let mut q = self.queue();
                while q.pending.is_empty() && !q.closing {
                    q = self
                        .wake
                        .wait(q)
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                }
                (std::mem::take(&mut q.pending), q.closing)
            };
            let Some(&(last, _)) = batch.last() else {
                if closing {
                    return;
                }
                continue;
            };
            let written = batch
                .iter()
                .try_for_each(|(_, bytes)| file.write_all(bytes))
                .and_then(|()| file.flush())
                .and_then(|()| file.get_ref().sync_data());
            if let Err(e) = written {
                tracing::error!("write-ahead log: {e}; changes are not being persisted");
                continue;
            }
            self.durable.send_replace(last);
            if self.durability == Durability::Relaxed && !closing {
                std::thread::sleep(RELAXED_SYNC);
            }
        }
    }

    /// Waits until entry `seq` is on disk (at once in `relaxed` durability).
    pub async fn wait_durable(&self, seq: u64) {
        if self.durability == Durability::Relaxed {
            return;
        }
        let mut rx = self.durable.subscribe();
        let _ = rx.wait_for(|d| *d >= seq).await;
    }

    /// The number of entries since the last snapshot.
    pub fn since_snapshot(&self) -> u64 {
        let last = self.queue().last;
        let snap = *self
            .snapshot_seq
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        last.saturating_sub(snap)
    }

    /// Writes a snapshot of `world` and deletes the logs it makes unnecessary.
    ///
    /// # Errors
    /// A failed write; the previous snapshot and logs stay.
    pub fn compact(&self, world: &World) -> std::io::Result<()> {
        // The world and the last sequence number are read under the world lock, so the
        // snapshot is exactly the world after that entry.
        let (snapshot, seq) = world.snapshot_with(|| self.queue().last);
        write_snapshot(&self.dir, seq, &snapshot)?;
        *self
            .snapshot_seq
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = seq;
        // A log whose successor starts at or before seq + 1 holds only entries the snapshot has.
        let files = wal_files(&self.dir)?;
        for pair in files.windows(2) {
            if pair[1].0 <= seq + 1 {
                let _ = fs::remove_file(&pair[0].1);
            }
        }
        sync_dir(&self.dir);
        Ok(())
    }

    /// Writes everything pending and stops the writer (graceful shutdown).
    pub async fn close(&self) {
        let last = {
            let mut q = self.queue();
            q.closing = true;
            q.last
        };
        self.wake.notify_one();
        let mut rx = self.durable.subscribe();
        let _ = tokio::time::timeout(Duration::from_secs(10), rx.wait_for(|d| *d >= last)).await;
    }
}

impl Journal for Store {
    fn record(&self, entry: &Entry) -> u64 {
        let mut q = self.queue();
        q.last += 1;
        let seq = q.last;
        let bytes = frame(&RecordRef { seq, entry });
        q.pending.push((seq, bytes));
        drop(q);
        self.wake.notify_one();
        seq
    }
}
