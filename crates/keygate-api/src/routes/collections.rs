//! The Playground's downloads of keygate's Bruno and Postman collections
//! (`crate::collections`), optionally with one of the caller's keys filled in. Session-only GETs
//! (so no CSRF token): the key is chosen by its id in the query, never sent in the URL, revealed
//! through the keys' own reveal path (audited as a reveal) and never cached. A browser's
//! cross-site navigation (`Sec-Fetch-Site: cross-site` or `same-site`) is refused a key, so
//! another site cannot make a signed-in browser reveal one (it could not read the file either).

use std::sync::OnceLock;

use actix_web::http::header::{
    CacheControl, CacheDirective, ContentDisposition, DispositionParam, DispositionType,
};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use keygate_core::keys::Actor;
use keygate_types::collections::CollectionDownload;
use keygate_types::ErrorBody;
use serde::Deserialize;

use crate::auth::SessionUser;
use crate::client_ip::ClientIp;
use crate::collections::downloads::Download;
use crate::collections::plan::Collection;
use crate::collections::{keygate_collection, CollectionError};
use crate::error::ApiError;
use crate::state::AppState;

/// Where the downloads are listed.
const BASE: &str = "/api/playground/collections";

/// The collection, built from the OpenAPI document once per process.
fn collection() -> Result<&'static Collection, ApiError> {
    static COLLECTION: OnceLock<Result<Collection, CollectionError>> = OnceLock::new();
    COLLECTION
        .get_or_init(keygate_collection)
        .as_ref()
        .map_err(ApiError::internal)
}

/// The Bruno and Postman collections of `/api/v1` the Playground offers.
#[utoipa::path(
    get,
    path = "/api/playground/collections",
    tag = "playground",
    responses(
        (status = 200, description = "the downloads", body = [CollectionDownload]),
        (status = 401, description = "not signed in", body = ErrorBody),
    )
)]
pub async fn list_collection_downloads(_user: SessionUser) -> HttpResponse {
    let downloads: Vec<CollectionDownload> = Download::ALL
        .into_iter()
        .map(|d| CollectionDownload {
            name: d.name().to_owned(),
            title: d.title().to_owned(),
            media_type: d.media_type().to_owned(),
            url: format!("{BASE}/{}", d.name()),
        })
        .collect();
    HttpResponse::Ok().json(downloads)
}

/// Which key, if any, to fill in.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DownloadOptions {
    /// The id of one of your keys: its full key is filled into the file's `apikey` (audited as a
    /// reveal). Without it, `apikey` is empty.
    pub key_id: Option<i64>,
}

/// One collection file: the Bruno collection as a zip, or the Postman collection or environment as
/// JSON. Never cached, as it may hold a key.
#[utoipa::path(
    get,
    path = "/api/playground/collections/{name}",
    tag = "playground",
    params(
        ("name" = String, Path, description = "a download's name, as the list gives it"),
        DownloadOptions,
    ),
    responses(
        (status = 200, description = "the file: a zip of the Bruno collection, or the Postman collection or environment", content(
            (String = "application/zip"),
            (Object = "application/json"),
        )),
        (status = 400, description = "`key_id` is not an integer", body = ErrorBody),
        (status = 401, description = "not signed in", body = ErrorBody),
        (status = 403, description = "a key was asked for by a cross-site request (`Sec-Fetch-Site`)", body = ErrorBody),
        (status = 404, description = "no such download, or no such key of this user", body = ErrorBody),
        (status = 409, description = "the key is revoked", body = ErrorBody),
    )
)]
pub async fn download_collection(
    request: HttpRequest,
    state: web::Data<AppState>,
    user: SessionUser,
    ip: ClientIp,
    name: web::Path<String>,
    options: web::Query<DownloadOptions>,
) -> Result<HttpResponse, ApiError> {
    let download = Download::from_name(&name)
        .ok_or_else(|| ApiError::status(StatusCode::NOT_FOUND, "No such download"))?;
    let collection = collection()?;
    let key = match options.key_id {
        Some(id) => {
            if is_cross_site(&request) {
                return Err(ApiError::forbidden(
                    "A key is filled in only for requests from keygate's own pages",
                ));
            }
            let actor = Actor {
                user_id: user.user.id,
                name: user.user.username.clone(),
                ip: Some(ip.0.to_string()),
            };
            Some(state.keys.reveal(&actor, id).await?)
        }
        None => None,
    };
    let bytes = download
        .render(collection, key.as_ref().map(|k| k.expose()))
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type(download.media_type())
        .insert_header(CacheControl(vec![CacheDirective::NoStore]))
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(download.name().to_owned())],
        })
        .body(bytes))
}

/// True when a browser says the request comes from another site (`Sec-Fetch-Site`); clients
/// that do not send the header are not browsers driven by another site.
fn is_cross_site(request: &HttpRequest) -> bool {
    request
        .headers()
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site" || v.as_bytes() == b"same-site")
}

/// Wires the routes (inside the session-authenticated `/api` scope).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/playground/collections").route(web::get().to(list_collection_downloads)),
    )
    .service(
        web::resource("/playground/collections/{name}").route(web::get().to(download_collection)),
    );
}
