//! The named stream types every fetch function returns, so that generated signatures
//! read `Records<Event>` rather than a long `impl Stream<...>`.

use crate::{Page, Result};
use futures_util::stream::BoxStream;
use futures_util::{Stream, StreamExt};
use std::pin::Pin;
use std::task::{Context, Poll};

/// The records of a resource, fetched page by page as the stream is read; it ends after
/// the last record or after the first error.
#[must_use = "streams do nothing unless polled"]
pub struct Records<T> {
    inner: BoxStream<'static, Result<T>>,
}

/// The pages of a resource, fetched ahead of the reading (see
/// [`ClientConfig::concurrency`](crate::ClientConfig::concurrency)); it ends after the
/// last page or after the first error.
#[must_use = "streams do nothing unless polled"]
pub struct Pages<T> {
    inner: BoxStream<'static, Result<Page<T>>>,
}

impl<T> Records<T> {
    pub(crate) fn new(stream: impl Stream<Item = Result<T>> + Send + 'static) -> Self {
        Records {
            inner: stream.boxed(),
        }
    }
}

impl<T> Pages<T> {
    pub(crate) fn new(stream: impl Stream<Item = Result<Page<T>>> + Send + 'static) -> Self {
        Pages {
            inner: stream.boxed(),
        }
    }
}

impl<T> Stream for Records<T> {
    type Item = Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<T>>> {
        self.inner.poll_next_unpin(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<T> Stream for Pages<T> {
    type Item = Result<Page<T>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Page<T>>>> {
        self.inner.poll_next_unpin(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<T> std::fmt::Debug for Records<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Records")
    }
}

impl<T> std::fmt::Debug for Pages<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pages")
    }
}
