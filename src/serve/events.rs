//! Live reload: the open event streams (Server-Sent Events) and what a rebuild tells them.
//!
//! A stream is a response body that stays pending between events, so it costs a socket and
//! a little memory, never a thread. It is freed as soon as hyper sees its client go (a closed
//! tab closes the connection, and hyper reads that end of file while the body waits); a
//! comment line every [`KEEP_ALIVE`] is the backstop for a client that vanished without
//! closing, as the write to it fails.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{ready, Context, Poll};
use std::time::Duration;

use hyper::body::{Body, Bytes, Frame};
use tokio::sync::mpsc;
use tokio::time::{interval_at, Instant, Interval, MissedTickBehavior};

/// How many streams stay open at once. A writer has a few tabs open, and a browser keeps at
/// most six HTTP/1.1 connections to one address anyway; 64 leaves room for several browsers
/// while bounding the sockets held to a small share of even a 1,024-descriptor limit. Past
/// it the oldest stream is closed: if its page is still open, `EventSource` reconnects.
const MAX_STREAMS: usize = 64;

/// How often an idle stream gets a comment line. Short enough that a client gone without
/// closing its connection is found within a minute or so of retransmissions, long enough to
/// cost nothing.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Events queued for one stream before it counts as stuck and is dropped. Rebuilds are
/// seconds apart; a client that has not taken 16 of them is not reading.
const QUEUE: usize = 16;

/// Every open stream, and the state a new one is told about.
#[derive(Default)]
pub(super) struct Hub {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Oldest first, so the cap closes the oldest.
    streams: VecDeque<(u64, mpsc::Sender<Bytes>)>,
    next_id: u64,
    /// The last build's errors (JSON), sent to pages that connect while the build is broken.
    failed: Option<String>,
}

impl Hub {
    /// The hub's state; a panic elsewhere while it was held leaves nothing half-done in it.
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sends `event` with `data` (one line) to every open stream, and remembers a failure for
    /// the pages that connect later, until a build's outcome clears it (a search index written
    /// in the background says nothing of the build). A stream that cannot take it (gone, or
    /// stuck) is dropped.
    pub(super) fn publish(&self, event: &str, data: &str) {
        let message = Bytes::from(format!("event: {event}\ndata: {data}\n\n"));
        let mut state = self.state();
        if event != "search" {
            state.failed = (event == "failed").then(|| data.to_string());
        }
        state
            .streams
            .retain(|(_, stream)| stream.try_send(message.clone()).is_ok());
    }

    /// Opens a stream: it starts with a comment (so the client sees it is open) and the
    /// current failure, if any, then carries every published event.
    pub(super) fn subscribe(self: &Arc<Self>) -> EventStream {
        let (tx, rx) = mpsc::channel(QUEUE);
        let mut state = self.state();
        // The channel is new and larger than two: these cannot fail.
        let _ = tx.try_send(Bytes::from_static(b": connected\n\n"));
        if let Some(data) = &state.failed {
            let _ = tx.try_send(Bytes::from(format!("event: failed\ndata: {data}\n\n")));
        }
        if state.streams.len() >= MAX_STREAMS {
            // Dropping its sender ends that stream's body once its queue is sent.
            state.streams.pop_front();
        }
        let id = state.next_id;
        state.next_id += 1;
        state.streams.push_back((id, tx));
        let start = Instant::now() + KEEP_ALIVE;
        let mut keep_alive = interval_at(start, KEEP_ALIVE);
        keep_alive.set_missed_tick_behavior(MissedTickBehavior::Delay);
        EventStream {
            id,
            rx,
            keep_alive,
            hub: Arc::clone(self),
        }
    }
}

/// The body of one event-stream response.
pub(super) struct EventStream {
    id: u64,
    rx: mpsc::Receiver<Bytes>,
    keep_alive: Interval,
    hub: Arc<Hub>,
}

impl Body for EventStream {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if let Poll::Ready(message) = self.rx.poll_recv(cx) {
            // None: the hub let go of this stream (the cap), so the response ends.
            return Poll::Ready(message.map(|m| Ok(Frame::data(m))));
        }
        ready!(self.keep_alive.poll_tick(cx));
        Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(b": keep-alive\n\n")))))
    }
}

impl Drop for EventStream {
    /// hyper drops the body when the connection closes: the hub forgets the stream at once.
    fn drop(&mut self) {
        self.hub.state().streams.retain(|(id, _)| *id != self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_stream_makes_room_and_a_closed_one_is_forgotten() {
        let hub = Arc::new(Hub::default());
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let _guard = rt.enter();
        let mut streams: Vec<_> = (0..MAX_STREAMS + 1).map(|_| hub.subscribe()).collect();
        assert_eq!(hub.state().streams.len(), MAX_STREAMS);
        // The first one was let go: after its greeting, it ends.
        let first = &mut streams[0].rx;
        assert_eq!(first.try_recv().unwrap(), ": connected\n\n");
        assert!(first.try_recv().is_err());
        assert!(first.is_closed());

        drop(streams.pop());
        assert_eq!(hub.state().streams.len(), MAX_STREAMS - 1);

        hub.publish("failed", "\"broken\"");
        let mut late = hub.subscribe();
        assert_eq!(late.rx.try_recv().unwrap(), ": connected\n\n");
        assert_eq!(late.rx.try_recv().unwrap(), "event: failed\ndata: \"broken\"\n\n");
    }
}
