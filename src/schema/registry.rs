//! A minimal Confluent Schema Registry client (adapter): the latest version
//! of a subject, and the compatibility of a schema with it. Secrets come
//! from environment variables and never appear in messages.
use std::time::Duration;

use serde::Deserialize;

use crate::config::SchemaRegistry;

/// The registry's own media type, sent and accepted.
pub(crate) const CONTENT_TYPE: &str = "application/vnd.schemaregistry.v1+json";
const ACCEPT: &str = "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5";

/// What went wrong talking to the registry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum RegistryError {
    /// No answer, a server error or refused credentials: the registry
    /// cannot be used for this run.
    #[error("schema registry at {url} is unreachable: {reason}")]
    Unavailable { url: String, reason: String },
    /// Any other unexpected answer.
    #[error("schema registry at {url}: {reason}")]
    Protocol { url: String, reason: String },
}

/// A subject's registered version.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct Registered {
    pub subject: String,
    pub version: u32,
    pub id: u32,
    pub schema: String,
    /// `AVRO` when absent.
    #[serde(default, rename = "schemaType")]
    pub schema_type: Option<String>,
}

/// The registry's compatibility verdict.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct Verdict {
    pub is_compatible: bool,
    #[serde(default)]
    pub messages: Vec<String>,
}

pub(crate) struct Client {
    agent: ureq::Agent,
    /// Without a trailing `/`.
    base: String,
    /// The base URL without credentials, for messages.
    shown: String,
    auth: Option<String>,
}

impl Client {
    /// A client for `config`; reads the credentials from the environment.
    pub(crate) fn new(config: &SchemaRegistry) -> Result<Client, MissingCredential> {
        let shown = redact(&config.url);
        let auth = match (&config.api_key_env, &config.api_secret_env) {
            (Some(k), Some(s)) => {
                let key = env_var(k)?;
                let secret = env_var(s)?;
                Some(format!(
                    "Basic {}",
                    crate::flink::http::basic_credentials(&key, &secret)
                ))
            }
            _ => None,
        };
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(config.timeout_secs.max(1))))
            .http_status_as_error(false)
            .user_agent(concat!("greenlight/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Ok(Client {
            agent,
            base: config.url.trim_end_matches('/').to_string(),
            shown,
            auth,
        })
    }

    /// `GET /subjects/{subject}/versions/latest`; None when the registry
    /// does not know the subject.
    pub(crate) fn latest(&self, subject: &str) -> Result<Option<Registered>, RegistryError> {
        let path = format!("/subjects/{}/versions/latest", encode(subject));
        let mut req = self
            .agent
            .get(format!("{}{path}", self.base))
            .header("Accept", ACCEPT);
        if let Some(a) = &self.auth {
            req = req.header("Authorization", a);
        }
        let (status, body) = self.answer(req.call())?;
        match status {
            200 => serde_json::from_str(&body)
                .map(Some)
                .map_err(|e| self.protocol(format!("unexpected answer to GET {path}: {e}"))),
            404 if subject_unknown(&body) => Ok(None),
            _ => Err(self.status_error("GET", &path, status, &body)),
        }
    }

    /// `POST /compatibility/subjects/{subject}/versions/latest?verbose=true`:
    /// whether `schema` may be registered after the subject's latest version
    /// under the subject's compatibility level. None when the registry does
    /// not know the subject.
    pub(crate) fn compatibility(
        &self,
        subject: &str,
        schema: &str,
        schema_type: &str,
    ) -> Result<Option<Verdict>, RegistryError> {
        let path = format!(
            "/compatibility/subjects/{}/versions/latest?verbose=true",
            encode(subject)
        );
        let body = serde_json::json!({ "schema": schema, "schemaType": schema_type }).to_string();
        let mut req = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("Accept", ACCEPT)
            .content_type(CONTENT_TYPE);
        if let Some(a) = &self.auth {
            req = req.header("Authorization", a);
        }
        let (status, answer) = self.answer(req.send(body.as_str()))?;
        match status {
            200 => serde_json::from_str(&answer)
                .map(Some)
                .map_err(|e| self.protocol(format!("unexpected answer to POST {path}: {e}"))),
            404 if subject_unknown(&answer) => Ok(None),
            _ => Err(self.status_error("POST", &path, status, &answer)),
        }
    }

    fn answer(
        &self,
        res: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<(u16, String), RegistryError> {
        let mut res = res.map_err(|e| RegistryError::Unavailable {
            url: self.shown.clone(),
            reason: e.to_string(),
        })?;
        let status = res.status().as_u16();
        let body = res
            .body_mut()
            .read_to_string()
            .map_err(|e| RegistryError::Unavailable {
                url: self.shown.clone(),
                reason: format!("cannot read the answer: {e}"),
            })?;
        Ok((status, body))
    }

    fn protocol(&self, reason: String) -> RegistryError {
        RegistryError::Protocol {
            url: self.shown.clone(),
            reason,
        }
    }

    fn status_error(&self, method: &str, path: &str, status: u16, body: &str) -> RegistryError {
        let message = serde_json::from_str::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(String::from))
            .unwrap_or_else(|| body.chars().take(200).collect());
        let reason = format!("{method} {path} answered {status}: {message}");
        if status >= 500 || status == 401 || status == 403 || status == 407 || status == 429 {
            RegistryError::Unavailable {
                url: self.shown.clone(),
                reason,
            }
        } else {
            self.protocol(reason)
        }
    }
}

/// Whether a 404 answer says the subject does not exist (error 40401), or
/// is a plain 404 (a subject without versions, some proxies).
fn subject_unknown(body: &str) -> bool {
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(v) => matches!(
            v.get("error_code").and_then(|c| c.as_u64()),
            Some(40401 | 40402) | None
        ),
        Err(_) => true,
    }
}

/// A registry credential variable that is not set (named, never a value).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "schema registry credentials: the environment variable `{var}` is not set\n  hint: export it, or remove api_key_env/api_secret_env from greenlight.yaml"
)]
pub(crate) struct MissingCredential {
    pub var: String,
}

fn env_var(name: &str) -> Result<String, MissingCredential> {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => Ok(v),
        _ => Err(MissingCredential { var: name.into() }),
    }
}

/// The URL without any `user:password@`.
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let end = rest.find('/').unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
        None => url.to_string(),
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_credentials() {
        assert_eq!(redact("https://u:p@sr.example/x"), "https://sr.example/x");
        assert_eq!(redact("http://127.0.0.1:8081"), "http://127.0.0.1:8081");
        assert_eq!(encode("raw.orders-value"), "raw.orders-value");
        assert_eq!(encode("a b/c"), "a%20b%2Fc");
    }

    #[test]
    fn unknown_subject_answers() {
        assert!(subject_unknown(
            r#"{"error_code":40401,"message":"Subject 'x' not found."}"#
        ));
        assert!(!subject_unknown(
            r#"{"error_code":40403,"message":"Schema not found"}"#
        ));
    }
}
