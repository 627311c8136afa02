//! `GET /api-docs/openapi.json` (what the Swagger UI at `/docs` loads) and the Swagger UI itself.
//!
//! The document is serialised once, on its first request, into bytes every worker shares. Handing
//! utoipa-swagger-ui the document instead would keep a parsed copy of it in every worker (its
//! `SwaggerUi::url`), a few MB of resident memory that an idle server does not need
//! (docs/PERFORMANCE.md, "Process-wide").

use std::sync::{Arc, OnceLock};

use actix_web::http::header::ContentType;
use actix_web::web::{self, Bytes};
use actix_web::{guard, HttpResponse};
use utoipa::OpenApi;
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::openapi::ApiDoc;
use crate::route_class::{DOCS, OPENAPI_DOC};

/// The served OpenAPI document, built on first use and shared by every worker.
#[derive(Clone, Default)]
pub struct ServedApiDoc(Arc<OnceLock<Bytes>>);

impl ServedApiDoc {
    /// The document as compact JSON.
    fn json(&self) -> Bytes {
        self.0
            .get_or_init(|| {
                serde_json::to_vec(&ApiDoc::openapi())
                    .expect("the OpenAPI document serialises")
                    .into()
            })
            .clone()
    }
}

/// Wires the document and the Swagger UI that reads it.
pub fn configure(cfg: &mut web::ServiceConfig, doc: &ServedApiDoc) {
    let url = format!("{OPENAPI_DOC}/openapi.json");
    let doc = doc.clone();
    cfg.service(web::redirect(DOCS, format!("{DOCS}/")))
        // A guard, not a GET route: other methods fall through to the later services, as with
        // utoipa-swagger-ui's own resource.
        .service(web::resource(url.as_str()).guard(guard::Get()).to(move || {
            let json = doc.json();
            async move {
                HttpResponse::Ok()
                    .content_type(ContentType::json())
                    .body(json)
            }
        }))
        .service(SwaggerUi::new(format!("{DOCS}/{{_:.*}}")).config(Config::new([url])));
}
