use std::process::ExitCode;

use clap::Parser;
use greenlight::cli::{Cli, Outcome, run};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Pending) => ExitCode::from(3),
        Err(e) => {
            let message = format!("error: {e:#}");
            if greenlight::cli::in_github_actions() {
                // Names from a pull request can form no workflow command.
                eprintln!("{}", greenlight::action::workflow::inert(&message));
            } else {
                eprintln!("{message}");
            }
            ExitCode::from(1)
        }
    }
}
