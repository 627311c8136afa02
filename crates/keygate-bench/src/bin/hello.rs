//! The ceiling for keygate's load benchmark: a bare actix-web server that answers `POST /ping`
//! (and `GET /`) with a small JSON body, with the same worker count as keygate. Listens on the
//! address in the first argument (default `127.0.0.1:5001`).
#![forbid(unsafe_code)]

use actix_web::{web, App, HttpResponse, HttpServer};

/// Reads the posted body (as any JSON API must: actix closes a keep-alive connection whose request
/// body was left unread) and answers like keygate's ping.
async fn pong(_body: web::Bytes) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(r#"{"status":"success","data":{"message":"pong","broker":"paper"}}"#)
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let bind = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:5001".into());
    eprintln!("hello listening on {bind}");
    HttpServer::new(|| {
        App::new()
            .route("/ping", web::post().to(pong))
            .route("/", web::get().to(pong))
    })
    .bind(bind)?
    .run()
    .await
}
