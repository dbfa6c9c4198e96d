//! Settings: command-line flags and environment variables, over an optional TOML file
//! (`--config`, `HEARTH_CONFIG`), over defaults that need no setup (a SQLite file and a mail
//! outbox in the data folder).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

/// What may be set in the TOML file; every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSettings {
    pub database_url: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub smtp_url: Option<String>,
    pub mail_from: Option<String>,
    pub bind: Option<SocketAddr>,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: String,
    pub data_dir: PathBuf,
    /// None: development mode, email goes to `data_dir/outbox` and the console.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub bind: SocketAddr,
}

pub const DEFAULT_BIND: &str = "127.0.0.1:8787";
pub const DEFAULT_MAIL_FROM: &str = "Hearth <no-reply@hearth.invalid>";

/// Flags and environment variables, as clap parsed them.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub config: Option<PathBuf>,
    pub database_url: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub smtp_url: Option<String>,
    pub mail_from: Option<String>,
    pub bind: Option<SocketAddr>,
}

impl Settings {
    pub fn load(o: Overrides) -> anyhow::Result<Settings> {
        let file = match &o.config {
            Some(path) => read_file(path)?,
            None => FileSettings::default(),
        };
        let data_dir = o
            .data_dir
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("hearth-data"));
        let database_url = o
            .database_url
            .or(file.database_url)
            .unwrap_or_else(|| crate::store::sqlite_url_for(&data_dir));
        Ok(Settings {
            database_url,
            smtp_url: o.smtp_url.or(file.smtp_url).filter(|s| !s.is_empty()),
            mail_from: o
                .mail_from
                .or(file.mail_from)
                .unwrap_or_else(|| DEFAULT_MAIL_FROM.to_owned()),
            bind: match o.bind.or(file.bind) {
                Some(b) => b,
                None => DEFAULT_BIND.parse()?,
            },
            data_dir,
        })
    }

    pub fn outbox_dir(&self) -> PathBuf {
        self.data_dir.join("outbox")
    }
}

fn read_file(path: &Path) -> anyhow::Result<FileSettings> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the config file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("parsing the config file {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_over_file_over_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hearth.toml");
        std::fs::write(
            &path,
            "data_dir = \"/srv/hearth\"\nbind = \"0.0.0.0:9000\"\nsmtp_url = \"smtps://mail.example.org\"\n",
        )
        .unwrap();
        let s = Settings::load(Overrides {
            config: Some(path.clone()),
            bind: Some("127.0.0.1:1".parse().unwrap()),
            ..Overrides::default()
        })
        .unwrap();
        assert_eq!(s.bind.to_string(), "127.0.0.1:1");
        assert_eq!(s.data_dir, PathBuf::from("/srv/hearth"));
        assert_eq!(s.database_url, "sqlite:///srv/hearth/hearth-server.sqlite3");
        assert_eq!(s.smtp_url.as_deref(), Some("smtps://mail.example.org"));

        std::fs::write(&path, "colour = \"blue\"\n").unwrap();
        let err = Settings::load(Overrides {
            config: Some(path),
            ..Overrides::default()
        })
        .unwrap_err();
        assert!(
            format!("{err:#}").contains("unknown field `colour`"),
            "{err:#}"
        );
    }
}
