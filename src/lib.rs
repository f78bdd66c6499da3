//! nashra: a static site generator for bilingual, right-to-left-first news briefings.
//!
//! Data flows one way: [`config`] and [`content`] are loaded into a [`site::Site`], which
//! [`render`] turns into outputs that [`output`] writes. [`build`] runs the whole pipeline.

pub mod build;
pub mod cache;
pub mod check;
pub mod config;
pub mod content;
pub mod data;
pub mod error;
pub mod i18n;
pub mod import;
pub mod media;
pub mod output;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod seed;
pub mod serve;
pub mod site;
pub mod watch;

pub use build::{build, BuildOptions, BuildReport};
pub use error::{Diagnostic, Error, Result};
