//! Benchmark: snapshotting a real wheel through a package index on loopback.
//!
//! Serves WHEEL from a PEP 691 index on 127.0.0.1 and, in the same run, snapshots it three
//! ways: from the local file, by range requests, and by a whole download (`--full`). Prints
//! the bytes each transferred and its wall time, and checks that all three give the same
//! snapshot bytes.
//!
//!     cargo bench --bench fetch -- path/to/torch-2.5.0-cp312-none-macosx_11_0_arm64.whl [RUNS]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use apidrift::extract::{self, Limits, Options};
use apidrift::fetch::{self, http::Http, http::HttpOptions, Fetcher};
use apidrift::index::{self, IndexConfig, Url};
use apidrift::snapshot;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::Response;
use sha2::{Digest, Sha256};

struct Served {
    page: String,
    path: String,
    wheel: Vec<u8>,
    /// Body bytes sent, and requests answered.
    sent: AtomicU64,
    requests: AtomicU64,
}

async fn handle(State(s): State<Arc<Served>>, req: Request) -> Response {
    s.requests.fetch_add(1, Ordering::Relaxed);
    let path = req.uri().path();
    if path == "/simple/torch/" {
        s.sent.fetch_add(s.page.len() as u64, Ordering::Relaxed);
        return Response::builder()
            .header(header::CONTENT_TYPE, "application/vnd.pypi.simple.v1+json")
            .body(Body::from(s.page.clone()))
            .expect("a response");
    }
    if path != s.path {
        return Response::builder()
            .status(StatusCode::NOT_FOUND)
            .body(Body::empty())
            .expect("a response");
    }
    let len = s.wheel.len() as u64;
    let range = req
        .headers()
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|h| parse_range(h, len));
    let (status, start, end) = match range {
        Some((a, b)) => (StatusCode::PARTIAL_CONTENT, a, b),
        None => (StatusCode::OK, 0, len - 1),
    };
    let body = s.wheel[start as usize..=end as usize].to_vec();
    s.sent.fetch_add(body.len() as u64, Ordering::Relaxed);
    let mut r = Response::builder().status(status);
    if status == StatusCode::PARTIAL_CONTENT {
        r = r.header(header::CONTENT_RANGE, format!("bytes {start}-{end}/{len}"));
    }
    r.body(Body::from(body)).expect("a response")
}

/// `bytes=A-B` or `bytes=-N`, clamped to the file.
fn parse_range(h: &str, len: u64) -> Option<(u64, u64)> {
    let (a, b) = h.strip_prefix("bytes=")?.split_once('-')?;
    if a.is_empty() {
        let n: u64 = b.parse().ok()?;
        return Some((len.saturating_sub(n), len - 1));
    }
    let a: u64 = a.parse().ok()?;
    let b: u64 = b.parse::<u64>().ok()?.min(len - 1);
    (a <= b).then_some((a, b))
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let Some(wheel_path) = args.first().map(PathBuf::from) else {
        eprintln!("usage: cargo bench --bench fetch -- WHEEL [RUNS]");
        return;
    };
    let runs: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(3);
    let wheel = std::fs::read(&wheel_path).expect("the wheel is readable");
    let filename = wheel_path
        .file_name()
        .expect("a file name")
        .to_string_lossy()
        .into_owned();
    let sha = hex::encode(Sha256::digest(&wheel));
    let page = serde_json::json!({
        "meta": {"api-version": "1.1"},
        "name": "torch",
        "files": [{
            "filename": filename,
            "url": format!("../../files/{filename}"),
            "hashes": {"sha256": sha},
            "size": wheel.len(),
        }],
    })
    .to_string();
    let served = Arc::new(Served {
        page,
        path: format!("/files/{filename}"),
        wheel,
        sent: AtomicU64::new(0),
        requests: AtomicU64::new(0),
    });
    let rt = tokio::runtime::Runtime::new().expect("a runtime");
    let addr: SocketAddr = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let addr = listener.local_addr().expect("an address");
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(served.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        addr
    });
    let index_url = Url::parse(&format!("http://{addr}/simple/")).expect("a URL");

    let local = || {
        let snap = extract::snapshot_path(&wheel_path, &Options::default()).expect("snapshots");
        snapshot::to_yaml_string(&snap)
    };
    let remote = |full: bool| {
        let fetcher = Fetcher {
            http: Http::new(HttpOptions::default(), Arc::new(Lines)).expect("a client"),
            cache: None,
            offline: false,
            full,
            limits: Limits::default(),
        };
        let config = IndexConfig {
            index_url: index_url.clone(),
            extra_index_urls: vec![],
            origin: "bench".into(),
        };
        rt.block_on(async {
            let files = fetcher.list(&config, "torch").await.expect("lists");
            let releases = index::releases(&files, "torch", true);
            let (v, files) = releases.iter().next().expect("one release");
            let (file, _) = fetcher.choose("torch", v, files).await.expect("chooses");
            let fetched = fetcher.members(&file, None).await.expect("fetches");
            let sources = fetch::source_set(fetched, None).expect("sources");
            snapshot::to_yaml_string(&extract::snapshot_sources(sources, None))
        })
    };

    let size = served.wheel.len() as u64;
    let expected = local();
    println!(
        "{filename}: {:.1} MB, {runs} runs each, medians",
        size as f64 / 1048576.0
    );
    let mut rows = Vec::new();
    for (name, job) in [
        ("local file", None),
        ("ranges over loopback", Some(false)),
        ("whole download (--full)", Some(true)),
    ] {
        let mut times = Vec::new();
        let mut bytes = 0;
        let mut requests = 0;
        for _ in 0..runs {
            served.sent.store(0, Ordering::Relaxed);
            served.requests.store(0, Ordering::Relaxed);
            let t = Instant::now();
            let text = match job {
                None => local(),
                Some(full) => remote(full),
            };
            times.push(t.elapsed());
            assert_eq!(
                text, expected,
                "{name}: the snapshot differs from the local file's"
            );
            bytes = served.sent.load(Ordering::Relaxed);
            requests = served.requests.load(Ordering::Relaxed);
        }
        times.sort();
        rows.push((name, times[times.len() / 2], bytes, requests));
    }
    let local_time = rows[0].1;
    for (name, time, bytes, requests) in rows {
        println!(
            "  {name:<26} wall {:>6.2}s ({:.2}x local)  transferred {:>6.1} MB = {:>5.1}% of the wheel in {requests} requests",
            time.as_secs_f64(),
            ratio(time, local_time),
            bytes as f64 / 1048576.0,
            bytes as f64 * 100.0 / size as f64,
        );
    }
    println!("  all snapshots byte-identical ({} bytes)", expected.len());
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-9)
}

/// Retries and fallbacks on standard error, as the CLI shows them without a terminal.
struct Lines;

impl apidrift::progress::Reporter for Lines {
    fn line(&self, text: &str) {
        eprintln!("{text}");
    }
}
