//! `apidrift completions SHELL`, and the `--version` text naming the bundled releases.

use std::process::ExitCode;

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use apidrift::snapshot::store::{Origin, Store};

/// Print a shell completion script.
///
/// bash: `apidrift completions bash > ~/.local/share/bash-completion/completions/apidrift`
///
/// zsh: `apidrift completions zsh > ~/.zfunc/_apidrift`, with `fpath+=~/.zfunc` before
/// `compinit` in `~/.zshrc`
///
/// fish: `apidrift completions fish > ~/.config/fish/completions/apidrift.fish`
///
/// PowerShell: `apidrift completions powershell | Out-String | Invoke-Expression` in `$PROFILE`
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: CompletionsArgs) -> anyhow::Result<ExitCode> {
    let mut command = super::Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "apidrift", &mut script);
    super::print(&String::from_utf8(script)?)?;
    Ok(ExitCode::from(super::EXIT_CLEAN))
}

/// The version, with the span of torch releases bundled in the binary:
/// `0.1.0 (bundled torch releases 2.0.0–2.15.0)`.
pub fn version() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| {
        let crate_version = env!("CARGO_PKG_VERSION");
        // A store folder that does not exist: only the bundled releases are listed.
        let store = Store::new(std::env::temp_dir().join("apidrift-no-such-store"));
        let bundled: Vec<String> = store
            .releases("torch")
            .map(|releases| {
                releases
                    .into_iter()
                    .filter(|r| matches!(r.origin, Origin::Bundled(_)))
                    .map(|r| r.version.to_string())
                    .collect()
            })
            .unwrap_or_default();
        match (bundled.first(), bundled.last()) {
            (Some(oldest), Some(newest)) => {
                format!("{crate_version} (bundled torch releases {oldest}–{newest})")
            }
            _ => format!("{crate_version} (no bundled releases)"),
        }
    })
}
