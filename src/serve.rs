//! `nashra serve`: the site as a writer previews it. It is built (and kept rebuilt by watch
//! mode) into a temporary folder with URLs pointing at the local address, so `public/`
//! stays the production build; this module answers HTTP from that folder and tells open
//! pages to reload after each rebuild, over Server-Sent Events.
//!
//! The live-reload script is added to HTML as it is served, never to the files on disk.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::{Component, Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex};

use percent_encoding::percent_decode_str;
use tiny_http::{Header, Method, Request, Response};

use crate::build::BuildOptions;
use crate::error::{Diagnostic, Error, Result};
use crate::watch::Report;

/// Where the browser's end of live reload connects; no site path can start with it, since
/// slugs never start with `_`.
const EVENTS: &str = "/__nashra/events";

/// Added before `</body>` of every served page: reloads on `reload`, swaps stylesheets on
/// `css`, and shows a build's errors over the page on `failed` until the next good build.
const LIVE_SCRIPT: &str = r#"<script>(()=>{const s=new EventSource("/__nashra/events");const id="nashra-error";
s.addEventListener("reload",()=>location.reload());
s.addEventListener("css",()=>{for(const l of document.querySelectorAll('link[rel="stylesheet"]')){const u=new URL(l.href);u.searchParams.set("nashra",Date.now());l.href=u.href;}});
s.addEventListener("ok",()=>{const o=document.getElementById(id);if(o)o.remove();});
s.addEventListener("failed",e=>{let o=document.getElementById(id);if(!o){o=document.createElement("pre");o.id=id;o.dir="ltr";o.lang="en";o.style.cssText="position:fixed;inset:0;margin:0;padding:2rem;overflow:auto;z-index:2147483647;background:rgba(20,0,0,.94);color:#fff;font:14px/1.5 monospace;white-space:pre-wrap;text-align:left";document.body.append(o);}o.textContent="nashra: the last change did not build; the page shows the last good build.\n\n"+JSON.parse(e.data);});
})();</script>"#;

/// What `nashra serve` was asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The site, as for a build (`output` and `base_url` are set by the server).
    pub build: BuildOptions,
    /// The address to listen on; loopback unless the writer asks for more.
    pub bind: IpAddr,
    /// The port to try first; the next free one is taken when it is busy. 0 lets the system pick.
    pub port: u16,
}

/// A running preview server.
pub struct Server {
    /// The site's address, e.g. `http://127.0.0.1:1111/`.
    pub url: String,
    /// Ports tried before the one taken, because something else listens there.
    pub busy: Vec<u16>,
    hub: Arc<Hub>,
    dir: tempfile::TempDir,
    build: BuildOptions,
}

/// The open live-reload connections and the state a new one is told about.
#[derive(Default)]
struct Hub {
    clients: Mutex<Vec<mpsc::Sender<String>>>,
    /// The last build's errors, sent to pages that connect while the build is broken.
    failed: Mutex<Option<String>>,
}

/// How many ports after the asked one are tried.
const PORT_TRIES: u16 = 20;

/// Binds the server and starts answering requests on a thread of its own. The site is not
/// built here: run watch mode with [`Server::build_options`] and pass each outcome to
/// [`Server::notify`].
pub fn start(opts: &ServeOptions) -> Result<Server> {
    let mut busy = Vec::new();
    let mut port = opts.port;
    let http = loop {
        match tiny_http::Server::http(SocketAddr::new(opts.bind, port)) {
            Ok(s) => break s,
            Err(_) if port != 0 && busy.len() < usize::from(PORT_TRIES) => {
                busy.push(port);
                port = port.saturating_add(1);
            }
            Err(e) => {
                return Err(Diagnostic::new(
                    opts.bind.to_string(),
                    format!("cannot listen on {}:{port}: {e}", opts.bind),
                )
                .help("choose another port with --port, or another address with --bind")
                .into())
            }
        }
    };
    let addr = http
        .server_addr()
        .to_ip()
        .unwrap_or_else(|| SocketAddr::new(opts.bind, port));
    let host = if addr.ip().is_unspecified() {
        "localhost".to_string()
    } else {
        addr.ip().to_string()
    };
    let host = if addr.is_ipv6() && !addr.ip().is_unspecified() {
        format!("[{host}]")
    } else {
        host
    };
    let url = format!("http://{host}:{}/", addr.port());

    let dir = tempfile::Builder::new()
        .prefix("nashra-serve-")
        .tempdir()
        .map_err(|e| Error::io(&std::env::temp_dir(), "create a folder for the preview in", &e))?;
    let site = dir.path().join("site");
    let build = BuildOptions {
        output: Some(site.clone()),
        base_url: Some(url.clone()),
        ..opts.build.clone()
    };
    let hub = Arc::new(Hub::default());
    let requests_hub = Arc::clone(&hub);
    std::thread::spawn(move || {
        for request in http.incoming_requests() {
            let (site, hub) = (site.clone(), Arc::clone(&requests_hub));
            std::thread::spawn(move || answer(request, &site, &hub));
        }
    });
    Ok(Server {
        url,
        busy,
        hub,
        dir,
        build,
    })
}

impl Server {
    /// What watch mode builds: the site, into the preview folder, at the local address.
    pub fn build_options(&self) -> BuildOptions {
        self.build.clone()
    }

    /// The folder the preview is built into (removed when the server is dropped).
    pub fn folder(&self) -> &Path {
        self.dir.path()
    }

    /// Tells open pages what a rebuild did: reload, swap stylesheets, show or clear errors.
    pub fn notify(&self, outcome: &Result<Report>) {
        let (event, data) = match outcome {
            Err(e) => (
                "failed",
                serde_json::to_string(&e.to_string()).unwrap_or_default(),
            ),
            Ok(Report::Incremental(r)) if r.written.is_empty() && r.removed.is_empty() => {
                ("ok", String::new())
            }
            Ok(Report::Incremental(r))
                if r.removed.is_empty() && r.written.iter().all(|p| p.ends_with(".css")) =>
            {
                ("css", String::new())
            }
            Ok(_) => ("reload", String::new()),
        };
        if let Ok(mut failed) = self.hub.failed.lock() {
            *failed = (event == "failed").then(|| data.clone());
        }
        let message = format!("event: {event}\ndata: {data}\n\n");
        if let Ok(mut clients) = self.hub.clients.lock() {
            clients.retain(|c| c.send(message.clone()).is_ok());
        }
    }
}

/// Answers one request: the event stream, a file of the site, or an error page.
fn answer(request: Request, site: &Path, hub: &Hub) {
    if !matches!(request.method(), Method::Get | Method::Head) {
        let _ = request.respond(text(405, "only GET and HEAD are served\n"));
        return;
    }
    let target = request
        .url()
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .to_string();
    if target == EVENTS {
        stream_events(request, hub);
        return;
    }
    let response = match resolve(site, &target) {
        Err(status) => text(status, "this path is not part of the site\n"),
        Ok(Found::Redirect(to)) => with_header(text(301, ""), "Location", &to),
        Ok(Found::File(path)) => file(&path, 200),
        Ok(Found::Missing) => {
            // The 404 page of the language the path is in (`/en/…`), else the default one's.
            let first = target
                .trim_start_matches('/')
                .split('/')
                .next()
                .unwrap_or_default();
            let own = (!first.is_empty()).then(|| site.join(first).join("404.html"));
            match own
                .into_iter()
                .chain([site.join("404.html")])
                .find(|p| p.is_file())
            {
                Some(p) => file(&p, 404),
                None => text(404, "not found\n"),
            }
        }
    };
    let _ = request.respond(response);
}

/// What a request path leads to.
#[derive(Debug, PartialEq, Eq)]
enum Found {
    File(PathBuf),
    /// A folder asked for without its trailing `/`: relative links need it.
    Redirect(String),
    Missing,
}

/// Maps a request path to a file under `site`, or the status refusing it: 400 for paths
/// that try to leave the site (`..`, encoded or not, backslashes, drive letters, NUL).
fn resolve(site: &Path, target: &str) -> std::result::Result<Found, u16> {
    if !target.starts_with('/') {
        return Err(400);
    }
    let decoded = percent_decode_str(target).decode_utf8().map_err(|_| 400u16)?;
    let mut path = site.to_path_buf();
    for segment in decoded.split('/').filter(|s| !s.is_empty()) {
        let mut parts = Path::new(segment).components();
        let plain = matches!((parts.next(), parts.next()), (Some(Component::Normal(_)), None));
        if !plain || segment.contains(['\\', '\0', ':']) {
            return Err(400);
        }
        path.push(segment);
    }
    if path.is_dir() {
        if !decoded.ends_with('/') {
            return Ok(Found::Redirect(format!("{target}/")));
        }
        path.push("index.html");
    }
    // The preview folder holds only what a build wrote, but a link must not lead out of it.
    match (path.canonicalize(), site.canonicalize()) {
        (Ok(real), Ok(root)) if real.starts_with(&root) && real.is_file() => Ok(Found::File(real)),
        (Ok(_), Ok(_)) => Err(404),
        _ => Ok(Found::Missing),
    }
}

/// A file of the site with its type; HTML gets the live-reload script.
fn file(path: &Path, status: u16) -> Response<std::io::Cursor<Vec<u8>>> {
    let Ok(mut bytes) = std::fs::read(path) else {
        return text(404, "not found\n");
    };
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let is_text = mime.type_() == "text" || matches!(mime.subtype().as_str(), "javascript" | "json" | "xml");
    let content_type = if is_text {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    };
    if mime.subtype() == "html" {
        bytes = inject(&bytes);
    }
    let response = with_header(
        Response::from_data(bytes).with_status_code(status),
        "Content-Type",
        &content_type,
    );
    with_header(response, "Cache-Control", "no-cache")
}

/// The page with the live-reload script before `</body>` (or at the end).
fn inject(html: &[u8]) -> Vec<u8> {
    let at = html
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len());
    [&html[..at], LIVE_SCRIPT.as_bytes(), &html[at..]].concat()
}

fn text(status: u16, body: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    with_header(
        Response::from_string(body).with_status_code(status),
        "Content-Type",
        "text/plain; charset=utf-8",
    )
}

/// Adds a header; a value that is no valid header (it cannot happen for what we send) is left out.
fn with_header<R: std::io::Read>(response: Response<R>, name: &str, value: &str) -> Response<R> {
    match Header::from_bytes(name.as_bytes(), value.as_bytes()) {
        Ok(h) => response.with_header(h),
        Err(()) => response,
    }
}

/// Keeps the connection open and writes each event as it comes. Written by hand on the raw
/// connection: a chunked response would hold events back until its buffer fills.
fn stream_events(request: Request, hub: &Hub) {
    let (tx, rx) = mpsc::channel::<String>();
    if let Ok(failed) = hub.failed.lock() {
        if let Some(data) = failed.as_ref() {
            let _ = tx.send(format!("event: failed\ndata: {data}\n\n"));
        }
    }
    if let Ok(mut clients) = hub.clients.lock() {
        clients.push(tx);
    }
    let mut out = request.into_writer();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n: connected\n\n";
    if out.write_all(head.as_bytes()).and_then(|()| out.flush()).is_err() {
        return;
    }
    for message in rx {
        if out
            .write_all(message.as_bytes())
            .and_then(|()| out.flush())
            .is_err()
        {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_leave_the_site_are_refused() {
        let site = tempfile::tempdir().unwrap();
        std::fs::create_dir(site.path().join("en")).unwrap();
        std::fs::write(site.path().join("en/index.html"), "x").unwrap();
        for bad in [
            "/../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E%2Fetc%2Fpasswd",
            "/en/..%2f..%2fetc/passwd",
            "/..%5c..%5cetc",
            "/C:/Windows",
            "/a%00b",
            "etc/passwd",
            "/%ff",
        ] {
            assert_eq!(resolve(site.path(), bad), Err(400), "{bad}");
        }
        assert_eq!(resolve(site.path(), "/en"), Ok(Found::Redirect("/en/".into())));
        assert!(matches!(resolve(site.path(), "/en/"), Ok(Found::File(_))));
        assert_eq!(resolve(site.path(), "/nope/"), Ok(Found::Missing));
    }

    #[test]
    fn the_script_goes_before_the_body_closes() {
        let page = inject(b"<html><body><p>x</p></body></html>");
        let page = String::from_utf8(page).unwrap();
        assert!(page.starts_with("<html><body><p>x</p><script>"));
        assert!(page.ends_with("</script></body></html>"));
    }
}
