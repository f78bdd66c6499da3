//! The `nashra` command line: parse arguments, call the library, print diagnostics, exit.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "nashra",
    version,
    about = "Build a bilingual, right-to-left-first news briefing site"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder (public/ by default).
    Build {
        /// The site folder, where nashra.toml is.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Where to write the site (default: <root>/public).
        #[arg(long)]
        output: Option<PathBuf>,
        /// Publish at this address instead of the config's base_url.
        #[arg(long)]
        base_url: Option<String>,
        /// Include articles marked draft = true.
        #[arg(long)]
        drafts: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build {
            root,
            output,
            base_url,
            drafts,
        } => {
            let opts = nashra::BuildOptions {
                root,
                output,
                base_url,
                drafts,
            };
            match nashra::build(&opts) {
                Ok(report) => {
                    let per_lang: Vec<String> = report
                        .pages
                        .iter()
                        .map(|(code, n)| format!("{code} {n}"))
                        .collect();
                    let pages: usize = report.pages.iter().map(|(_, n)| n).sum();
                    println!(
                        "Built {pages} pages ({}) and {} files in all into {} in {} ms",
                        per_lang.join(", "),
                        report.files,
                        report
                            .output
                            .strip_prefix(".")
                            .unwrap_or(&report.output)
                            .display(),
                        report.elapsed.as_millis()
                    );
                    ExitCode::SUCCESS
                }
                Err(err) => {
                    eprintln!("{err}");
                    let n = err.diagnostics.len();
                    eprintln!(
                        "Build failed with {n} error{}; the previous output was left as it was.",
                        if n == 1 { "" } else { "s" }
                    );
                    ExitCode::FAILURE
                }
            }
        }
    }
}
