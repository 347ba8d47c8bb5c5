//! A key every process of a deployment shares (the search index's IIN/BIN hashes, the webhook
//! secrets sealed at rest): installed once at start from its variable, a fixed development key
//! when none was (dev deployments and in-process tests; `appeals` refuses prod without one).

use std::sync::OnceLock;

pub struct DeploymentKey {
    installed: OnceLock<Vec<u8>>,
    development: &'static [u8],
}

impl DeploymentKey {
    pub const fn new(development: &'static [u8]) -> Self {
        Self {
            installed: OnceLock::new(),
            development,
        }
    }

    /// Installs the key for this process (the first call wins: every process of a deployment
    /// must use the same key, so it never changes while running).
    pub fn install(&self, key: Vec<u8>) {
        let _ = self.installed.set(key);
    }

    /// The installed key, or the development key.
    pub fn get(&self) -> &[u8] {
        self.installed.get().map_or(self.development, Vec::as_slice)
    }
}
