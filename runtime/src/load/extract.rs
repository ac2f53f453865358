//! Records fetched on a thread of their own while the loader normalizes and writes the
//! previous ones, so that a sync uses two cores: one for HTTP and JSON, one for rows
//! and the destination. At most [`CHUNKS_AHEAD`] chunks wait between the two, so
//! memory stays bounded whatever the size of the resource.
//!
//! Records the loader is done with go back to the fetching thread to be freed there:
//! with glibc's allocator, freeing memory on another thread than the one that
//! allocated it costs more than all of the loader's own work.

use crate::{Error, Result, Values};
use futures_util::StreamExt;
use serde_json::Value;
use tokio::sync::mpsc;

/// Records per chunk handed from the fetching thread to the loader.
const CHUNK: usize = 500;
/// Chunks fetched ahead of the loader.
const CHUNKS_AHEAD: usize = 4;

/// The records of one resource, fetched ahead on their own thread.
pub(crate) struct Extraction {
    receiver: mpsc::Receiver<Result<Vec<Value>>>,
    /// Chunks the loader is done with, to be freed by the thread that made them.
    done: std::sync::mpsc::Sender<Vec<Value>>,
}

impl Extraction {
    /// Starts fetching `records` on a new thread (with its own single-threaded
    /// runtime). The thread ends when the records end, at the first error, or when
    /// this value is dropped.
    pub(crate) fn start(resource: &str, mut records: Values) -> Result<Extraction> {
        let (sender, receiver) = mpsc::channel(CHUNKS_AHEAD);
        let (done, freed) = std::sync::mpsc::channel::<Vec<Value>>();
        std::thread::Builder::new()
            .name(format!("fetch {resource}"))
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(e) => {
                        let error = Error::Config(format!("cannot start a fetching thread: {e}"));
                        let _ = sender.blocking_send(Err(error));
                        return;
                    }
                };
                let guard = sender.clone();
                let fetched = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    runtime.block_on(async move {
                        let mut chunk = Vec::with_capacity(CHUNK);
                        while let Some(record) = records.next().await {
                            // The loader failed: stop fetching.
                            if sender.is_closed() {
                                return;
                            }
                            match record {
                                Ok(record) => chunk.push(record),
                                Err(error) => {
                                    let _ = sender.send(Err(error)).await;
                                    return;
                                }
                            }
                            if chunk.len() == CHUNK {
                                let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
                                if sender.send(Ok(full)).await.is_err() {
                                    return; // The loader stopped.
                                }
                                // Once per chunk, not per record: free what the loader
                                // has handed back.
                                while let Ok(used) = freed.try_recv() {
                                    drop(used);
                                }
                            }
                        }
                        if !chunk.is_empty() {
                            let _ = sender.send(Ok(chunk)).await;
                        }
                    })
                }));
                // A panic must not look like the end of the records.
                if fetched.is_err() {
                    let error = Error::Config(
                        "fetching the records failed: the fetching thread panicked".into(),
                    );
                    let _ = guard.blocking_send(Err(error));
                }
            })
            .map_err(|e| Error::Config(format!("cannot start a fetching thread: {e}")))?;
        Ok(Extraction { receiver, done })
    }

    /// Hands a chunk the loader is done with back to be freed (see the module docs).
    pub(crate) fn recycle(&self, chunk: Vec<Value>) {
        // The thread has ended: free it here.
        let _ = self.done.send(chunk);
    }

    /// The next chunk of records; `None` after the last one.
    pub(crate) async fn next(&mut self) -> Option<Result<Vec<Value>>> {
        self.receiver.recv().await
    }
}
