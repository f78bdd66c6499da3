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
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
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
    assert!(home.body.contains("lang=ar"));
    assert!(
        home.body.contains("/__nashra/events"),
        "the live-reload script is served"
    );
    assert!(
        home.body.contains(&format!("http://{addr}/")),
        "URLs point at the local address"
    );

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
        missing.body.contains("lang=en"),
        "the English 404 page: {}",
        missing.body
    );
    let missing = get(&addr, "/no-such-story/");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("lang=ar"));

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

    /// The next event: its name and data.
    fn next(&mut self) -> (String, String) {
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
