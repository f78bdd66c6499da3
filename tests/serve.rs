//! End-to-end: `nashra serve` on a temp site, spoken to over real HTTP.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use common::{atomic_save, Running, Site};

const AR: &str = "content/briefings/mali-russia-equipment.ar.md";

/// A response as the client sees it.
struct Reply {
    status: u16,
    headers: String,
    body: String,
}

/// One GET, sent as written: no client-side cleaning of `..` or percent escapes.
fn get(addr: &str, target: &str) -> Reply {
    request(addr, "GET", target)
}

/// One request without a body; a server that does not answer within 10 s fails the test.
fn request(addr: &str, method: &str, target: &str) -> Reply {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        stream,
        "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    Reply {
        status: head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0),
        headers: head.to_ascii_lowercase(),
        body: body.to_string(),
    }
}

#[test]
fn pages_types_404_and_no_way_out() {
    let site = Site::sample();
    let (_server, addr) = Running::serve(&site);

    let home = get(&addr, "/");
    assert_eq!(home.status, 200);
    assert!(
        home.headers.contains("content-type: text/html; charset=utf-8"),
        "{}",
        home.headers
    );
    assert!(home.body.contains("lang=\"ar\""));
    assert!(
        home.body.contains("/__nashra/events"),
        "the live-reload script is served"
    );
    assert!(
        home.body.contains(&format!("http://{addr}/")),
        "URLs point at the local address"
    );

    let head = request(&addr, "HEAD", "/");
    assert_eq!(head.status, 200);
    assert!(head.headers.contains("content-type: text/html; charset=utf-8"));
    assert!(head.headers.contains("cache-control: no-cache"));
    assert!(head.body.is_empty(), "HEAD has no body: {}", head.body);
    let post = request(&addr, "POST", "/");
    assert_eq!(post.status, 405);

    let css = get(&addr, "/style.css");
    assert_eq!(css.status, 200);
    assert!(css.headers.contains("content-type: text/css; charset=utf-8"));
    assert!(!css.body.contains("__nashra"), "only HTML gets the script");

    let article = get(&addr, "/en/briefings/mali-russia-equipment/");
    assert_eq!(article.status, 200);
    assert!(article.body.contains("T-72B3"));
    assert_eq!(get(&addr, "/en").status, 301);

    let missing = get(&addr, "/en/no-such-story/");
    assert_eq!(missing.status, 404);
    assert!(
        missing.body.contains("lang=\"en\""),
        "the English 404 page: {}",
        missing.body
    );
    let missing = get(&addr, "/no-such-story/");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("lang=\"ar\""));

    let secret = site.read("nashra.toml");
    let marker = secret.lines().find(|l| l.contains("base_url")).unwrap();
    for target in [
        "/../nashra.toml",
        "/../../nashra.toml",
        "/%2e%2e/nashra.toml",
        "/%2E%2E%2Fnashra.toml",
        "/en/..%2F..%2Fnashra.toml",
        "/..%5cnashra.toml",
        "//etc/passwd",
        "/etc/passwd",
    ] {
        let r = get(&addr, target);
        assert!(matches!(r.status, 400 | 404), "{target}: {}", r.status);
        assert!(
            !r.body.contains(marker) && !r.body.contains("root:"),
            "{target} leaked a file"
        );
    }
    assert!(!site.public().exists(), "serve never writes public/");
}

#[test]
fn a_taken_port_moves_to_the_next_free_one() {
    let site = Site::sample();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let running = Running::start(&site, "serve", &["--port", &port]);
    let all = &running.startup;
    assert!(
        all.iter().any(|l| l.contains(&format!("Port {port} is taken"))),
        "{all:?}"
    );
    let serving = all.iter().find(|l| l.contains("Serving")).unwrap();
    assert!(!serving.contains(&format!(":{port}/")), "{serving}");
}

/// The live-reload stream, read event by event.
struct Events {
    lines: std::io::Lines<BufReader<TcpStream>>,
}

impl Events {
    fn connect(addr: &str) -> Self {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        write!(stream, "GET /__nashra/events HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
        let mut lines = BufReader::new(stream).lines();
        let status = lines.next().unwrap().unwrap();
        assert!(status.contains("200"), "{status}");
        let mut events = Self { lines };
        // Headers, then the comment the server sends once the stream is open.
        events.until(|l| l == ": connected");
        events
    }

    /// The next event but `search` (a search index written in the background, which may come
    /// before or after a later rebuild's): its name and data.
    fn next(&mut self) -> (String, String) {
        loop {
            let event = self.next_any();
            if event.0 != "search" {
                return event;
            }
        }
    }

    /// The next event, whichever it is: its name and data.
    fn next_any(&mut self) -> (String, String) {
        let event = self.until(|l| l.starts_with("event: "));
        let data = self.until(|l| l.starts_with("data: "));
        (
            event["event: ".len()..].to_string(),
            data["data: ".len()..].to_string(),
        )
    }

    fn until(&mut self, wanted: impl Fn(&str) -> bool) -> String {
        loop {
            let line = self
                .lines
                .next()
                .expect("the stream stays open")
                .expect("an event within 30 s");
            if wanted(&line) {
                return line;
            }
        }
    }
}

#[test]
fn pages_reload_after_an_edit_and_show_errors_until_fixed() {
    let site = Site::sample();
    let (_server, addr) = Running::serve(&site);
    let mut events = Events::connect(&addr);

    let good = site.read(AR);
    atomic_save(&site, AR, &good.replace("## ", "## محدث: "));
    assert_eq!(events.next().0, "reload");
    let page = get(&addr, "/briefings/mali-russia-equipment/");
    assert!(page.body.contains("محدث: "), "the served page is the rebuilt one");
    // The search index follows, made in the background; the page need not reload.
    assert_eq!(events.next_any().0, "search");

    atomic_save(&site, AR, "+++\ntitle = \"لم يغلق\n");
    let (event, data) = events.next();
    assert_eq!(event, "failed");
    let message: String = serde_json::from_str(&data).unwrap();
    assert!(
        message.contains(
            "mali-russia-equipment.ar.md:1:1: error: the front matter opened with `+++` is never closed"
        ),
        "{message}"
    );
    // A page opened now is told at once.
    let mut late = Events::connect(&addr);
    assert_eq!(late.next().0, "failed");
    assert!(
        get(&addr, "/briefings/mali-russia-equipment/")
            .body
            .contains("محدث: "),
        "the last good page stays"
    );

    atomic_save(&site, AR, &good);
    assert_eq!(events.next().0, "reload");
    assert_eq!(late.next().0, "reload");

    std::fs::write(
        site.root().join("themes/default/static/custom.css"),
        ":root { --accent: teal; }\n",
    )
    .unwrap();
    assert_eq!(
        events.next().0,
        "css",
        "a stylesheet change swaps stylesheets, no full reload"
    );
}

/// Stopped as a terminal closing or a service manager stops it (SIGTERM; SIGHUP and Ctrl-C
/// take the same path), the server exits cleanly and removes the folder it built into.
#[test]
fn a_stopped_server_leaves_no_folder_behind() {
    let site = Site::sample();
    let (mut running, _) = Running::serve(&site);
    let folder = running
        .startup
        .iter()
        .find_map(|l| l.split("(built in ").nth(1))
        .and_then(|rest| rest.split(';').next())
        .map(std::path::PathBuf::from)
        .expect("the server says where it builds");
    assert!(folder.is_dir(), "{folder:?}");
    let status = running.terminate().expect("the server stops within 10 s");
    assert!(status.success(), "{status:?}");
    assert!(!folder.exists(), "{folder:?} was left behind");
}

/// Lowers the running server's limit of open files, as `ulimit -n` before it would have.
fn limit_files(running: &Running, limit: u32) {
    let status = std::process::Command::new("prlimit")
        .arg(format!("--pid={}", running.child.id()))
        .arg(format!("--nofile={limit}:{limit}"))
        .status()
        .expect("prlimit (util-linux) runs");
    assert!(status.success(), "prlimit: {status:?}");
}

/// How many files (sockets included) the server holds open, and how many threads it runs.
fn held(running: &Running) -> (usize, usize) {
    let pid = running.child.id();
    let files = std::fs::read_dir(format!("/proc/{pid}/fd")).unwrap().count();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let threads = status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap();
    (files, threads)
}

/// Polls for up to 10 s until `done` holds of what the server holds; returns the last reading.
fn held_until(running: &Running, done: impl Fn((usize, usize)) -> bool) -> (usize, usize) {
    let until = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let now = held(running);
        if done(now) || std::time::Instant::now() > until {
            return now;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Every page view opens a live-reload stream and every closed tab leaves one behind. Under
/// a limit of 1,024 open files, 2,000 of them (opened 100 at a time, more than the server
/// keeps) must not use the server up: each is freed when its client goes, so the server
/// still answers pages and still tells a page opened afterwards to reload.
#[cfg(target_os = "linux")]
#[test]
fn closed_live_reload_streams_are_freed() {
    let site = Site::sample();
    let (server, addr) = Running::serve(&site);
    limit_files(&server, 1024);
    let (files, threads) = held(&server);

    for _ in 0..20 {
        let tabs: Vec<Events> = (0..100).map(|_| Events::connect(&addr)).collect();
        drop(tabs);
    }
    let after = held_until(&server, |(f, t)| f <= files + 8 && t <= threads + 8);
    assert!(
        after.0 <= files + 8 && after.1 <= threads + 8,
        "the server held {files} files and {threads} threads before the streams, {after:?} after they closed"
    );

    let home = get(&addr, "/");
    assert_eq!(home.status, 200);
    assert!(home.body.contains("/__nashra/events"));
    let mut events = Events::connect(&addr);
    let good = site.read(AR);
    atomic_save(&site, AR, &good.replace("## ", "## محدث: "));
    assert_eq!(events.next().0, "reload");
}

/// Out of file descriptors, the server cannot accept a connection; it must wait, not stop
/// listening. Under a limit of 64 open files, 100 connections held open use it up; once
/// they are let go, the server answers again.
#[cfg(target_os = "linux")]
#[test]
fn the_listener_outlives_running_out_of_files() {
    let site = Site::sample();
    let (server, addr) = Running::serve(&site);
    limit_files(&server, 64);

    let hold: Vec<TcpStream> = (0..100).map(|_| TcpStream::connect(&addr).unwrap()).collect();
    let (files, _) = held_until(&server, |(f, _)| f >= 64);
    assert!(files >= 64, "the server never ran out: it holds {files} files");
    drop(hold);

    let home = get(&addr, "/");
    assert_eq!(home.status, 200, "{}", home.headers);
    assert!(home.body.contains("lang=\"ar\""));
}
