//! The Prometheus metrics endpoint's settings (`KEYGATE_METRICS_*`).

use std::net::SocketAddr;

use super::ConfigError;

/// Where `/metrics` is served. By default only on a listener of its own on the loopback address,
/// off the public port: the figures describe the whole service (routes, bans, queue sizes) and
/// are for the operator's scraper, not for the API's clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricsSettings {
    /// `KEYGATE_METRICS_BIND`: the metrics listener, default `127.0.0.1:9100`. Port 0 picks a free
    /// port; `off` starts none.
    pub bind: Option<SocketAddr>,
    /// `KEYGATE_METRICS_PUBLIC`: `true` also serves `/metrics` on the main HTTP port. Default
    /// `false`.
    pub public: bool,
}

impl MetricsSettings {
    /// Reads the `KEYGATE_METRICS_*` variables through `get`.
    pub fn load(get: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let bind = match get("KEYGATE_METRICS_BIND").as_deref().map(str::trim) {
            None => Some(SocketAddr::from(([127, 0, 0, 1], 9100))),
            Some("off") => None,
            Some(raw) => Some(raw.parse().map_err(|_| {
                ConfigError(format!(
                    "KEYGATE_METRICS_BIND has an invalid value `{raw}` (an address like 127.0.0.1:9100, or `off`)"
                ))
            })?),
        };
        let public = match get("KEYGATE_METRICS_PUBLIC").as_deref().map(str::trim) {
            None | Some("false") => false,
            Some("true") => true,
            Some(raw) => {
                return Err(ConfigError(format!(
                    "KEYGATE_METRICS_PUBLIC has an invalid value `{raw}` (`true` or `false`)"
                )))
            }
        };
        Ok(Self { bind, public })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(pairs: &[(&str, &str)]) -> Result<MetricsSettings, ConfigError> {
        MetricsSettings::load(&|name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn the_default_is_loopback_9100_and_not_public() {
        let settings = load(&[]).unwrap();
        assert_eq!(settings.bind, Some("127.0.0.1:9100".parse().unwrap()));
        assert!(!settings.public);
    }

    #[test]
    fn off_public_and_addresses_are_read() {
        let settings = load(&[
            ("KEYGATE_METRICS_BIND", "off"),
            ("KEYGATE_METRICS_PUBLIC", "true"),
        ])
        .unwrap();
        assert_eq!(
            settings,
            MetricsSettings {
                bind: None,
                public: true
            }
        );
        let settings = load(&[("KEYGATE_METRICS_BIND", "[::1]:0")]).unwrap();
        assert_eq!(settings.bind, Some("[::1]:0".parse().unwrap()));
    }

    #[test]
    fn garbage_is_refused_with_the_variable_named() {
        for (name, value) in [
            ("KEYGATE_METRICS_BIND", "localhost"),
            ("KEYGATE_METRICS_BIND", "9100"),
            ("KEYGATE_METRICS_BIND", "127.0.0.1:99999"),
            ("KEYGATE_METRICS_PUBLIC", "yes"),
            ("KEYGATE_METRICS_PUBLIC", "1"),
        ] {
            let error = load(&[(name, value)]).unwrap_err();
            assert!(error.0.contains(name) && error.0.contains(value), "{error}");
        }
    }
}
