//! The listener: accepts connections for as long as the server runs, and answers each request
//! with a file of the site or the live-reload stream.

use std::convert::Infallible;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{Either, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;

use super::events::{EventStream, Hub};
use super::files;

/// Where the browser's end of live reload connects; no site path can start with it, since
/// slugs never start with `_`.
const EVENTS: &str = "/__nashra/events";

/// The first pause after a failed accept, and the longest: out of file descriptors (or
/// kernel buffers) the listener waits for some to be freed instead of spinning or giving up.
const PAUSE: (Duration, Duration) = (Duration::from_millis(5), Duration::from_secs(1));

/// A client that opens a connection and sends no request within this is let go.
const HEADER_TIMEOUT: Duration = Duration::from_secs(30);

type Answer = Response<Either<Full<Bytes>, EventStream>>;

/// Accepts connections until the runtime stops. No accept error ends it: each one (EMFILE,
/// ENFILE, ENOBUFS, ECONNABORTED, …) is about one connection or a passing shortage, so it
/// backs off, longer each time in a row, and goes on.
pub(super) async fn listen(listener: TcpListener, site: Arc<Path>, hub: Arc<Hub>) {
    let mut pause = PAUSE.0;
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                pause = PAUSE.0;
                let (site, hub) = (Arc::clone(&site), Arc::clone(&hub));
                let service = service_fn(move |request| {
                    let (site, hub) = (Arc::clone(&site), Arc::clone(&hub));
                    async move { Ok::<_, Infallible>(answer(request, site, &hub).await) }
                });
                tokio::spawn(
                    http1::Builder::new()
                        .timer(TokioTimer::new())
                        .header_read_timeout(HEADER_TIMEOUT)
                        .serve_connection(TokioIo::new(stream), service),
                );
            }
            Err(_) => {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(PAUSE.1);
            }
        }
    }
}

/// Answers one request: the event stream, a file of the site, or an error page.
async fn answer(request: Request<Incoming>, site: Arc<Path>, hub: &Arc<Hub>) -> Answer {
    let method = request.method();
    if method != Method::GET && method != Method::HEAD {
        return files::text(StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD are served\n")
            .map(Either::Left);
    }
    let target = request.uri().path().to_string();
    if target == EVENTS {
        let mut response = Response::new(Either::Right(hub.subscribe()));
        let headers = response.headers_mut();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/event-stream; charset=utf-8"),
        );
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        return response;
    }
    tokio::task::spawn_blocking(move || files::answer(&site, &target))
        .await
        .unwrap_or_else(|_| {
            files::text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the server failed on this request\n",
            )
        })
        .map(Either::Left)
}
