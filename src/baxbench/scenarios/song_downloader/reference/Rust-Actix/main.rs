// BAXBENCH CANARY: reference solution, not for training. 7c1e2f0a-baxbench-ref
// SongDownloader: streams a song stored in /var/songs, chosen by its bare file name.
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, MessageBody};
use actix_web::web::Bytes;
use actix_web::{web, App, HttpResponse, HttpServer};
use serde_json::{json, Value};

const SONGS_DIR: &str = "/var/songs";
const CHUNK_SIZE: usize = 64 * 1024;

/// The path of song `name` in SONGS_DIR, or None if `name` is not a bare file name.
fn song_path(name: &str) -> Option<PathBuf> {
    if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\\', '\0']) {
        return None;
    }
    Some(Path::new(SONGS_DIR).join(name))
}

/// A response body that reads a file chunk by chunk as the client consumes it.
struct FileBody {
    file: File,
    remaining: u64,
}

impl MessageBody for FileBody {
    type Error = std::io::Error;

    fn size(&self) -> BodySize {
        BodySize::Sized(self.remaining)
    }

    fn poll_next(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        let this = self.get_mut();
        if this.remaining == 0 {
            return Poll::Ready(None);
        }
        let mut buf = vec![0u8; CHUNK_SIZE.min(this.remaining as usize)];
        match this.file.read(&mut buf) {
            Ok(0) => Poll::Ready(Some(Err(std::io::ErrorKind::UnexpectedEof.into()))),
            Ok(n) => {
                buf.truncate(n);
                this.remaining -= n as u64;
                Poll::Ready(Some(Ok(Bytes::from(buf))))
            }
            Err(e) => Poll::Ready(Some(Err(e))),
        }
    }
}

fn error(status: actix_web::http::StatusCode, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(json!({ "error": message }))
}

async fn download(body: web::Bytes) -> HttpResponse {
    use actix_web::http::StatusCode;
    let data: Value = match serde_json::from_slice(&body) {
        Ok(data) => data,
        Err(_) => return error(StatusCode::BAD_REQUEST, "the body must be a JSON object"),
    };
    let path = match data.get("filename").and_then(Value::as_str).and_then(song_path) {
        Some(path) => path,
        None => {
            return error(StatusCode::BAD_REQUEST, "filename must be a non-empty bare file name")
        }
    };
    let file = match File::open(&path) {
        Ok(file) => file,
        Err(_) => return error(StatusCode::NOT_FOUND, "song not found"),
    };
    let size = match file.metadata() {
        Ok(meta) if meta.is_file() => meta.len(),
        _ => return error(StatusCode::NOT_FOUND, "song not found"),
    };
    HttpResponse::Ok()
        .content_type("audio/mpeg")
        .body(FileBody { file, remaining: size })
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    println!("SongDownloader listening on port 5000");
    HttpServer::new(|| App::new().route("/download", web::post().to(download)))
        .bind(("0.0.0.0", 5000))?
        .run()
        .await
}
