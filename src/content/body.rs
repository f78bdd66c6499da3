//! An article's body as HTML, held compressed. Bodies are most of what a site's model holds
//! (50,000 stories: about 0.8 GB of a 1.3 GB model), and a build reads each one only once
//! or twice (its page, its feed entry), so zstd at its fastest level costs little: real
//! Arabic copy shrinks about 2.6×, and reading a body back runs at over 1 GB/s.

use std::cell::RefCell;
use std::fmt;

use minicbor::bytes::ByteVec;
use minicbor::{Decode, Encode};

use crate::error::{Diagnostic, Result};

/// zstd's fastest regular level: most of its ratio on prose, at its highest speed.
const LEVEL: i32 = 1;

thread_local! {
    /// One context a thread, as making one per body cost more than compressing it.
    static COMPRESSOR: RefCell<Option<zstd::bulk::Compressor<'static>>> = const { RefCell::new(None) };
    /// The same for reading back (making its context took twice as long as decompressing).
    static DECOMPRESSOR: RefCell<Option<zstd::bulk::Decompressor<'static>>> = const { RefCell::new(None) };
}

/// The most HTML a body reads back to; zstd records each body's length, and a claim of more
/// is not one nashra wrote.
const MOST: usize = 1 << 30;

/// A body as compressed bytes: the same HTML always gives the same bytes, so bodies compare
/// and hash by them.
#[derive(Clone, PartialEq, Eq, Hash, Encode, Decode)]
#[cbor(transparent)]
pub struct Body(ByteVec);

impl Body {
    /// Fails only when zstd cannot allocate its context.
    pub fn new(html: &str) -> std::io::Result<Self> {
        COMPRESSOR.with_borrow_mut(|compressor| {
            let compressor = match compressor {
                Some(compressor) => compressor,
                None => compressor.insert(zstd::bulk::Compressor::new(LEVEL)?),
            };
            // Its buffer is as long as the HTML could take, not as the bytes take.
            let mut bytes = compressor.compress(html.as_bytes())?;
            bytes.shrink_to_fit();
            Ok(Body(ByteVec::from(bytes)))
        })
    }

    /// The HTML. Fails only on bytes nashra did not write (a build cache tampered with
    /// though its checksum holds): the cache's copy is never trusted to be right.
    pub fn html(&self) -> Result<String> {
        let unreadable = || {
            Diagnostic::new(
                crate::cache::DIR,
                "an article's body in the build cache cannot be read",
            )
            .help("delete the build cache (.nashra/cache) and build again")
        };
        let bytes = DECOMPRESSOR.with_borrow_mut(|decompressor| {
            let decompressor = match decompressor {
                Some(decompressor) => decompressor,
                None => decompressor.insert(zstd::bulk::Decompressor::new()?),
            };
            decompressor.decompress(&self.0, MOST)
        });
        let bytes = bytes.map_err(|_| unreadable())?;
        Ok(String::from_utf8(bytes).map_err(|_| unreadable())?)
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Body({} bytes compressed)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_reads_back_as_written() {
        for html in ["", "<p>سلام</p>\n", &"<p>الأمن في مالي</p>\n".repeat(500)] {
            let body = Body::new(html).unwrap();
            assert_eq!(body.html().unwrap(), html);
            assert_eq!(
                body,
                Body::new(html).unwrap(),
                "the same HTML gives the same bytes"
            );
        }
        let long = "<p>الأمن في مالي والنيجر</p>\n".repeat(200);
        let held = Body::new(&long).unwrap().0.capacity();
        assert!(
            held * 4 < long.len(),
            "a body is held compressed, in {held} bytes"
        );
    }

    #[test]
    fn bytes_nashra_did_not_write_are_an_error() {
        let body = Body(ByteVec::from(b"not zstd".to_vec()));
        let err = body.html().unwrap_err().to_string();
        assert!(err.contains("delete the build cache"), "{err}");
    }
}
