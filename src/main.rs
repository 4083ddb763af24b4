//! The `greenlight` command: parses the command line and calls the library.
use std::process::ExitCode;

use clap::Parser;
use greenlight::{Cli, Outcome, run};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Pending) => ExitCode::from(3),
        Err(e) => {
            let message = format!("error: {e:#}");
            if greenlight::in_github_actions() {
                // Names from a pull request can form no workflow command.
                eprintln!("{}", greenlight::inert(&message));
            } else {
                eprintln!("{message}");
            }
            ExitCode::from(1)
        }
    }
}
