//! `nashra serve`: the site as a writer previews it. It is built (and kept rebuilt by watch
//! mode) into a temporary folder with URLs pointing at the local address, so `public/`
//! stays the production build; this module answers HTTP from that folder and tells open
//! pages to reload after each rebuild, over Server-Sent Events.
//!
//! The live-reload script is added to HTML as it is served, never to the files on disk.
//!
//! `listen` accepts connections (hyper, HTTP/1.1 on tokio) and routes each request,
//! `files` maps a path to a file of the preview, `events` keeps the live-reload streams.

mod events;
mod files;
mod listen;

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::Path;
use std::sync::Arc;

use crate::build::BuildOptions;
use crate::error::{Diagnostic, Error, Result};
use crate::render::theme::Names;
use crate::watch::Report;

use events::Hub;

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
    /// Answers requests; dropped (so every connection closes) before the folder is removed.
    _runtime: tokio::runtime::Runtime,
    dir: tempfile::TempDir,
    build: BuildOptions,
}

/// How many ports after the asked one are tried.
const PORT_TRIES: u16 = 20;

/// Binds the server and starts answering requests on a thread of its own. The site is not
/// built here: run watch mode with [`Server::build_options`] and pass each outcome to
/// [`Server::notify`].
pub fn start(opts: &ServeOptions) -> Result<Server> {
    let mut busy = Vec::new();
    let mut port = opts.port;
    let listener = loop {
        match TcpListener::bind(SocketAddr::new(opts.bind, port)) {
            Ok(l) => break l,
            Err(_) if port != 0 && busy.len() < usize::from(PORT_TRIES) => {
                busy.push(port);
                port = port.saturating_add(1);
            }
            Err(e) => return Err(cannot_listen(opts, port, &e)),
        }
    };
    let addr = listener
        .local_addr()
        .and_then(|addr| listener.set_nonblocking(true).map(|()| addr))
        .map_err(|e| cannot_listen(opts, port, &e))?;
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
    let site: Arc<Path> = dir.path().join("site").into();
    let build = BuildOptions {
        output: Some(site.to_path_buf()),
        base_url: Some(url.clone()),
        // A preview only: a stylesheet edit swaps the stylesheet in open pages, and
        // re-renders none.
        assets: Names::Plain,
        ..opts.build.clone()
    };
    // A runtime of its own, so dropping the server stops it and closes every connection.
    // One worker answers everything (a preview has one reader); file reads go to a few
    // blocking threads, so a slow disk holds up no stream.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .max_blocking_threads(4)
        .thread_name("nashra-serve")
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| cannot_listen(opts, port, &e))?;
    let listener = {
        let _context = runtime.enter();
        tokio::net::TcpListener::from_std(listener).map_err(|e| cannot_listen(opts, port, &e))?
    };
    let hub = Arc::new(Hub::default());
    runtime.spawn(listen::listen(listener, site, Arc::clone(&hub)));
    Ok(Server {
        url,
        busy,
        hub,
        _runtime: runtime,
        dir,
        build,
    })
}

fn cannot_listen(opts: &ServeOptions, port: u16, e: &std::io::Error) -> Error {
    Diagnostic::new(
        opts.bind.to_string(),
        format!("cannot listen on {}:{port}: {e}", opts.bind),
    )
    .help("choose another port with --port, or another address with --bind")
    .into()
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

    /// Tells open pages what a rebuild did: reload, swap stylesheets, show or clear errors,
    /// or that the search index is up to date.
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
            // Pages stay: a search page may run its query again.
            Ok(Report::Search(_)) => ("search", String::new()),
            Ok(_) => ("reload", String::new()),
        };
        self.hub.publish(event, &data);
    }
}
