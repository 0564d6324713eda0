use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = apidrift::cli::Cli::parse();
    match apidrift::cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(apidrift::cli::EXIT_ERROR)
        }
    }
}
