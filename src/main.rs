use std::process::ExitCode;

use clap::Parser;

// The scan allocates many small AST nodes on two threads; mimalloc is markedly faster than
// glibc's allocator at that (measured in bench/check.sh).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
