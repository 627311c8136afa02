//! The traffic log, its stats and the security monitor's bans.

use keygate_types::account::MessageBody;
use keygate_types::traffic::{CreateBan, IpBan, TrafficPage, TrafficStats};

use super::client::Call;
use super::ApiError;

/// `name=value` pairs as a URL query string (without the `?`), values percent-encoded.
pub fn query_string(pairs: &[(&str, String)]) -> String {
    let mut out = String::new();
    for (name, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        for byte in value.bytes() {
            match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    out.push(char::from(byte));
                }
                _ => out.push_str(&format!("%{byte:02X}")),
            }
        }
    }
    out
}

/// `GET /api/traffic?<filters>`: one page of the log, newest first.
pub async fn list(filters: &[(&str, String)]) -> Result<TrafficPage, ApiError> {
    Call::get(&format!("/api/traffic?{}", query_string(filters)))
        .fetch()
        .await
}

/// `GET /api/traffic/stats?<range>`.
pub async fn stats(range: &[(&str, String)]) -> Result<TrafficStats, ApiError> {
    Call::get(&format!("/api/traffic/stats?{}", query_string(range)))
        .fetch()
        .await
}

/// The address of the CSV export of the log under `filters` (a download link).
pub fn export_url(filters: &[(&str, String)]) -> String {
    format!("/api/traffic/export?{}", query_string(filters))
}

/// `POST /api/security/bans`.
pub async fn ban(csrf: &str, body: &CreateBan) -> Result<IpBan, ApiError> {
    Call::post("/api/security/bans")
        .csrf(csrf)
        .fetch_with(body)
        .await
}

/// `DELETE /api/security/bans/{ip}`.
pub async fn lift_ban(csrf: &str, ip: &str) -> Result<MessageBody, ApiError> {
    let ip = query_string(&[("", ip.to_owned())]);
    Call::delete(&format!("/api/security/bans/{}", &ip[1..]))
        .csrf(csrf)
        .fetch()
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_percent_encoded_and_pairs_joined() {
        assert_eq!(
            query_string(&[
                ("from", "2030-01-02T03:04:05+00:00".into()),
                ("path", "/api/v1/ping".into()),
                ("ip", "2001:db8::1".into()),
            ]),
            "from=2030-01-02T03%3A04%3A05%2B00%3A00&path=%2Fapi%2Fv1%2Fping&ip=2001%3Adb8%3A%3A1"
        );
        assert_eq!(query_string(&[]), "");
    }
}

/// The parts of the OpenAPI document the log needs: each path's operations' ids.
#[derive(serde::Deserialize)]
struct OpenApiPaths {
    #[serde(deserialize_with = "crate::json_entries::entries")]
    paths: Vec<(String, PathItem)>,
}

#[derive(serde::Deserialize)]
struct PathItem {
    post: Option<Operation>,
    get: Option<Operation>,
}

#[derive(serde::Deserialize)]
struct Operation {
    #[serde(rename = "operationId")]
    operation_id: Option<String>,
}

/// `GET /api-docs/openapi.json`, reduced to `(path, operationId)` pairs (the POST operation's,
/// else the GET's): how a logged path finds its Playground operation.
pub async fn operation_ids() -> Result<Vec<(String, String)>, ApiError> {
    let doc: OpenApiPaths = Call::get("/api-docs/openapi.json").fetch().await?;
    Ok(doc
        .paths
        .into_iter()
        .filter_map(|(path, item)| {
            let id = item.post.or(item.get)?.operation_id?;
            Some((path, id))
        })
        .collect())
}
