//! `[tool.apidrift]` in the project's `pyproject.toml`: from, to, select, ignore, exclude,
//! per-file-ignores. Command-line options win.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    pub from: Option<String>,
    pub to: Option<String>,
    #[serde(default)]
    pub select: Vec<String>,
    #[serde(default)]
    pub ignore: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    #[serde(default)]
    pub per_file_ignores: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, thiserror::Error)]
#[error("`[tool.apidrift]` in `{path}` is not valid: {message}")]
pub struct ConfigError {
    pub path: String,
    pub message: String,
}

/// The configuration in `root/pyproject.toml`, if any.
pub fn load(root: &Path) -> Result<Config, ConfigError> {
    let path = root.join("pyproject.toml");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(Config::default());
    };
    let err = |message: String| ConfigError {
        path: path.display().to_string(),
        message,
    };
    let doc: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| err(e.to_string()))?;
    match doc.get("tool").and_then(|t| t.get("apidrift")) {
        Some(section) => section
            .clone()
            .try_into()
            .map_err(|e: toml::de::Error| err(e.to_string())),
        None => Ok(Config::default()),
    }
}
