//! The built single-page app, served from `/` with a fallback to `index.html` for client-side
//! routes. Mounted last, so it never shadows a JSON route; unknown `/api/...` paths get the JSON 404
//! of the API scope instead.

use std::path::{Path, PathBuf};

use actix_files::{Files, NamedFile};
use actix_web::dev::{fn_service, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use keygate_types::ErrorBody;

/// Wires the SPA (or, when it has not been built, a JSON 404 that says how to build it).
pub fn configure(cfg: &mut web::ServiceConfig, dir: &Path) {
    let index = dir.join("index.html");
    if !index.is_file() {
        log::warn!(
            "no built web app at {}: the UI is unavailable (build it with `trunk build --release`)",
            dir.display()
        );
        cfg.default_service(web::to(|| async {
            HttpResponse::build(StatusCode::NOT_FOUND).json(ErrorBody::new(
                "Not found (the web app is not built on this server)",
            ))
        }));
        return;
    }
    cfg.service(
        Files::new("/", dir)
            .index_file("index.html")
            .default_handler(fn_service(move |req: ServiceRequest| {
                let index: PathBuf = index.clone();
                async move {
                    let (req, _) = req.into_parts();
                    let file = NamedFile::open_async(&index).await?;
                    let res = file.into_response(&req);
                    Ok(ServiceResponse::new(req, res))
                }
            })),
    );
}
