//! `apidrift rule`: a rule's documentation, or the list of rules.

use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use apidrift::scan::rules;

/// Explain a rule: what it does, why, an example.
#[derive(Debug, Args)]
pub struct RuleArgs {
    /// A rule code (`AD003`) or name (`deprecated-api`); without one, list every rule.
    pub rule: Option<String>,
}

pub fn run(args: RuleArgs) -> anyhow::Result<ExitCode> {
    let on = |default: bool, yes: &'static str| if default { yes } else { "off unless selected" };
    let text = match args.rule {
        None => rules::ALL
            .iter()
            .map(|r| {
                format!(
                    "{} {:<22} {:<8} {}\n",
                    r.code,
                    r.name,
                    r.level.as_str(),
                    on(r.default, "on")
                )
            })
            .collect(),
        Some(key) => {
            let r = rules::find(&key).with_context(|| {
                let codes: Vec<&str> = rules::ALL.iter().map(|r| r.code).collect();
                format!("`{key}` is not a rule; rules: {}", codes.join(", "))
            })?;
            format!(
                "# {} ({}) — {}, {}\n\n{}\n",
                r.code,
                r.name,
                r.level.as_str(),
                on(r.default, "on by default"),
                r.doc()
            )
        }
    };
    super::print(&text)?;
    Ok(ExitCode::from(super::EXIT_CLEAN))
}
