//! The site's files as HTTP answers: a path mapped to a file of the preview folder (never
//! outside it), its type, the per-language 404 page, and the live-reload script in HTML.
//!
//! Plain blocking file I/O: the listener runs it on tokio's blocking pool.

use std::path::{Component, Path, PathBuf};

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use hyper::{Response, StatusCode};
use percent_encoding::percent_decode_str;

use crate::content::nfc;

/// Added before `</body>` of every served page: reloads on `reload`, swaps stylesheets on
/// `css`, and shows a build's errors over the page on `failed` until the next good build.
const LIVE_SCRIPT: &str = r#"<script>(()=>{const s=new EventSource("/__nashra/events");const id="nashra-error";
s.addEventListener("reload",()=>location.reload());
s.addEventListener("css",()=>{for(const l of document.querySelectorAll('link[rel="stylesheet"]')){const u=new URL(l.href);u.searchParams.set("nashra",Date.now());l.href=u.href;}});
s.addEventListener("ok",()=>{const o=document.getElementById(id);if(o)o.remove();});
s.addEventListener("failed",e=>{let o=document.getElementById(id);if(!o){o=document.createElement("pre");o.id=id;o.dir="ltr";o.lang="en";o.style.cssText="position:fixed;inset:0;margin:0;padding:2rem;overflow:auto;z-index:2147483647;background:rgba(20,0,0,.94);color:#fff;font:14px/1.5 monospace;white-space:pre-wrap;text-align:left";document.body.append(o);}o.textContent="nashra: the last change did not build; the page shows the last good build.\n\n"+JSON.parse(e.data);});
})();</script>"#;

/// A complete answer: a file or a short text.
pub(super) type Answer = Response<Full<Bytes>>;

/// The file `target` (a request path, without its query) names under `site`, a redirect, or
/// an error page.
pub(super) fn answer(site: &Path, target: &str) -> Answer {
    match resolve(site, target) {
        Err(status) => text(status, "this path is not part of the site\n"),
        Ok(Found::Redirect(to)) => {
            let mut response = text(StatusCode::MOVED_PERMANENTLY, "");
            if let Ok(to) = HeaderValue::from_str(&to) {
                response.headers_mut().insert(LOCATION, to);
            }
            response
        }
        Ok(Found::File(path)) => file(&path, StatusCode::OK),
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
                Some(p) => file(&p, StatusCode::NOT_FOUND),
                None => text(StatusCode::NOT_FOUND, "not found\n"),
            }
        }
    }
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
fn resolve(site: &Path, target: &str) -> Result<Found, StatusCode> {
    if !target.starts_with('/') {
        return Err(StatusCode::BAD_REQUEST);
    }
    let decoded = percent_decode_str(target)
        .decode_utf8()
        .map_err(|_| StatusCode::BAD_REQUEST)?;
    // Every file a build writes is named in NFC: a URL typed or linked decomposed means it.
    let decoded = nfc(&decoded);
    let mut path = site.to_path_buf();
    for segment in decoded.split('/').filter(|s| !s.is_empty()) {
        let mut parts = Path::new(segment).components();
        let plain = matches!((parts.next(), parts.next()), (Some(Component::Normal(_)), None));
        if !plain || segment.contains(['\\', '\0', ':']) {
            return Err(StatusCode::BAD_REQUEST);
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
        (Ok(_), Ok(_)) => Err(StatusCode::NOT_FOUND),
        _ => Ok(Found::Missing),
    }
}

/// A file of the site with its type; HTML gets the live-reload script. A file that cannot
/// be read for another reason than being gone (out of file descriptors, say) is a 500, so
/// the writer is not told a page is missing when it is not.
fn file(path: &Path, status: StatusCode) -> Answer {
    let mut bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return text(StatusCode::NOT_FOUND, "not found\n")
        }
        Err(e) => {
            return text(
                StatusCode::INTERNAL_SERVER_ERROR,
                &format!("cannot read this file: {e}\n"),
            )
        }
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
    respond(status, &content_type, bytes)
}

/// The page with the live-reload script before `</body>` (or at the end).
fn inject(html: &[u8]) -> Vec<u8> {
    let at = html
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len());
    [&html[..at], LIVE_SCRIPT.as_bytes(), &html[at..]].concat()
}

/// A short plain-text answer.
pub(super) fn text(status: StatusCode, body: &str) -> Answer {
    respond(status, "text/plain; charset=utf-8", body.as_bytes().to_vec())
}

/// Every answer is never cached: the preview changes under the browser with each save.
fn respond(status: StatusCode, content_type: &str, body: Vec<u8>) -> Answer {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(content_type) {
        headers.insert(CONTENT_TYPE, value);
    }
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
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
            assert_eq!(resolve(site.path(), bad), Err(StatusCode::BAD_REQUEST), "{bad}");
        }
        assert_eq!(resolve(site.path(), "/en"), Ok(Found::Redirect("/en/".into())));
        assert!(matches!(resolve(site.path(), "/en/"), Ok(Found::File(_))));
        assert_eq!(resolve(site.path(), "/nope/"), Ok(Found::Missing));
    }

    #[test]
    fn a_path_in_nfd_finds_the_nfc_file() {
        let site = tempfile::tempdir().unwrap();
        // "café" composed on disk, as a build names it.
        let page = site.path().join("caf\u{e9}/index.html");
        std::fs::create_dir(page.parent().unwrap()).unwrap();
        std::fs::write(&page, "x").unwrap();
        let page = page.canonicalize().unwrap();
        // Decomposed (e + combining acute), percent-encoded as a browser sends it, or raw.
        for target in ["/cafe%CC%81/", "/cafe\u{301}/", "/caf%C3%A9/"] {
            assert_eq!(
                resolve(site.path(), target),
                Ok(Found::File(page.clone())),
                "{target}"
            );
        }
        assert_eq!(
            resolve(site.path(), "/cafe%CC%81"),
            Ok(Found::Redirect("/cafe%CC%81/".into()))
        );
    }

    #[test]
    fn the_script_goes_before_the_body_closes() {
        let page = inject(b"<html><body><p>x</p></body></html>");
        let page = String::from_utf8(page).unwrap();
        assert!(page.starts_with("<html><body><p>x</p><script>"));
        assert!(page.ends_with("</script></body></html>"));
    }
}
