//! The `apidrift` binary: parse arguments, call the library, print, exit.

mod cli;

use std::process::ExitCode;

use clap::Parser;

// The scan allocates many small AST nodes on two threads; mimalloc is markedly faster than
// glibc's allocator at that (measured in bench/check.sh).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Workers with stacks deep enough to walk any module the parser accepts, so that the
    // library need not grow a stack per file (see `util::python::on_parse_stack`). If the pool
    // cannot be set up so, the library grows stacks itself.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(apidrift::util::python::PARSE_STACK)
        .build_global();
    let cli = cli::Cli::parse();
    match cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(cli::EXIT_ERROR)
        }
    }
}
