//! `snapshot NAME==VERSION` and `sync` against a real HTTP index on loopback that misbehaves on
//! request. Every run must end in a snapshot byte-identical to the one of the same wheel read
//! from a local file, or in a clear error that leaves nothing behind.

use std::collections::HashMap;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::response::Response;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

// ---------------------------------------------------------------------------------------------
// The index server
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
enum Fault {
    /// Answer with this status and no file.
    Status(u16),
    /// 429 with `Retry-After: 1`.
    TooMany,
    /// A chunked body that stops halfway with a connection error.
    Drop,
    /// A 200 with the whole file to a range request.
    IgnoreRange,
    /// A 206 whose `Content-Range` is off by one byte.
    WrongContentRange,
    /// A `Content-Length` for the whole answer, half of it sent, then a connection error.
    Truncate,
    /// Wait this long before answering.
    Slow(Duration),
}

impl Fault {
    /// Faults that only make sense for a range request; a plain GET is served normally.
    fn needs_range(self) -> bool {
        matches!(self, Fault::IgnoreRange | Fault::WrongContentRange)
    }
}

struct Rule {
    fault: Fault,
    /// `None`: every matching request.
    times: Option<usize>,
}

#[derive(Debug, Clone)]
struct Hit {
    method: Method,
    path: String,
    range: Option<String>,
    /// Body bytes put on the wire (for a fault, only those sent before it).
    bytes: u64,
}

#[derive(Default)]
struct Inner {
    pages: HashMap<String, (&'static str, Bytes)>,
    files: HashMap<String, Bytes>,
    faults: HashMap<String, Vec<Rule>>,
    hits: Vec<Hit>,
}

impl Inner {
    fn take_fault(&mut self, path: &str, ranged: bool) -> Option<Fault> {
        let rules = self.faults.get_mut(path)?;
        let i = rules
            .iter()
            .position(|r| ranged || !r.fault.needs_range())?;
        let fault = rules[i].fault;
        if let Some(n) = &mut rules[i].times {
            *n -= 1;
            if *n == 0 {
                rules.remove(i);
            }
        }
        Some(fault)
    }
}

type Shared = Arc<Mutex<Inner>>;

struct Server {
    base: String,
    inner: Shared,
}

impl Server {
    /// A server on an ephemeral loopback port, on its own thread and runtime so that it keeps
    /// answering while the test blocks on a child process.
    fn start() -> Server {
        let inner: Shared = Arc::default();
        let state = inner.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for the test server");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("a loopback port");
                tx.send(listener.local_addr().expect("bound address"))
                    .expect("the test waits for the address");
                let app = axum::Router::new().fallback(handle).with_state(state);
                axum::serve(listener, app)
                    .await
                    .expect("the test server runs");
            });
        });
        let addr = rx.recv().expect("the server thread starts");
        Server {
            base: format!("http://{addr}"),
            inner,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().expect("server state")
    }

    fn page(&self, path: &str, content_type: &'static str, body: impl Into<Bytes>) {
        self.lock()
            .pages
            .insert(path.to_string(), (content_type, body.into()));
    }

    fn file(&self, path: &str, bytes: &[u8]) {
        self.lock()
            .files
            .insert(path.to_string(), Bytes::copy_from_slice(bytes));
    }

    fn fault(&self, path: &str, fault: Fault, times: Option<usize>) {
        self.lock()
            .faults
            .entry(path.to_string())
            .or_default()
            .push(Rule { fault, times });
    }

    fn hits(&self) -> Vec<Hit> {
        self.lock().hits.clone()
    }

    fn clear_hits(&self) {
        self.lock().hits.clear();
    }

    /// GETs of artifacts, on any index (index pages and HEADs left out).
    fn wheel_gets(&self) -> Vec<Hit> {
        self.hits()
            .into_iter()
            .filter(|h| h.method == Method::GET && h.path.contains("/files/"))
            .collect()
    }
}

enum Target {
    Page(&'static str, Bytes),
    File(Bytes),
    Missing,
}

async fn handle(State(shared): State<Shared>, req: Request) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let range = req
        .headers()
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let (hit, fault, target) = {
        let mut s = shared.lock().expect("server state");
        let fault = if method == Method::GET {
            s.take_fault(&path, range.is_some())
        } else {
            None
        };
        let target = match (s.pages.get(&path), s.files.get(&path)) {
            (Some((ct, body)), _) => Target::Page(ct, body.clone()),
            (None, Some(bytes)) => Target::File(bytes.clone()),
            (None, None) => Target::Missing,
        };
        s.hits.push(Hit {
            method: method.clone(),
            path: path.clone(),
            range: range.clone(),
            bytes: 0,
        });
        (s.hits.len() - 1, fault, target)
    };
    if let Some(Fault::Slow(d)) = fault {
        tokio::time::sleep(d).await;
    }
    let (response, bytes) = respond(range.as_deref(), fault, target);
    if method == Method::GET {
        shared.lock().expect("server state").hits[hit].bytes = bytes;
    }
    response
}

fn respond(range: Option<&str>, fault: Option<Fault>, target: Target) -> (Response, u64) {
    let plain = |status: u16| {
        Response::builder()
            .status(status)
            .body(Body::from("injected"))
            .expect("a response")
    };
    match fault {
        Some(Fault::Status(code)) => return (plain(code), 8),
        Some(Fault::TooMany) => {
            let mut r = plain(429);
            r.headers_mut()
                .insert(header::RETRY_AFTER, "1".parse().expect("a header value"));
            return (r, 8);
        }
        _ => {}
    }
    let builder = Response::builder();
    let (builder, payload) = match target {
        Target::Missing => return (plain(404), 8),
        Target::Page(ct, body) => (builder.status(200).header(header::CONTENT_TYPE, ct), body),
        Target::File(data) => {
            let len = data.len() as u64;
            let asked = range.filter(|_| !matches!(fault, Some(Fault::IgnoreRange)));
            match asked.map(|h| parse_range(h, len)) {
                None => (builder.status(200), data),
                Some(None) => {
                    let r = Response::builder()
                        .status(StatusCode::RANGE_NOT_SATISFIABLE)
                        .header(header::CONTENT_RANGE, format!("bytes */{len}"))
                        .body(Body::empty())
                        .expect("a response");
                    return (r, 0);
                }
                Some(Some((s, e))) => {
                    let shown = if matches!(fault, Some(Fault::WrongContentRange)) {
                        format!("bytes {}-{}/{len}", s + 1, e + 1)
                    } else {
                        format!("bytes {s}-{e}/{len}")
                    };
                    let b = builder
                        .status(206)
                        .header(header::CONTENT_RANGE, shown)
                        .header(header::ACCEPT_RANGES, "bytes");
                    (b, data.slice(s as usize..e as usize + 1))
                }
            }
        }
    };
    match fault {
        Some(f @ (Fault::Drop | Fault::Truncate)) => {
            let half = payload.slice(..payload.len() / 2);
            let sent = half.len() as u64;
            // The pause lets the first half reach the client before the connection breaks,
            // so the failure is mid-body rather than before the headers.
            let stream = futures_util::stream::iter([Ok::<Bytes, std::io::Error>(half)]).chain(
                futures_util::stream::once(async {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    Err(std::io::Error::other("injected connection drop"))
                }),
            );
            let builder = if matches!(f, Fault::Truncate) {
                builder.header(header::CONTENT_LENGTH, payload.len())
            } else {
                builder
            };
            let r = builder.body(Body::from_stream(stream)).expect("a response");
            (r, sent)
        }
        _ => {
            let n = payload.len() as u64;
            (builder.body(Body::from(payload)).expect("a response"), n)
        }
    }
}

/// `bytes=A-B`, `bytes=A-` and `bytes=-N` (one range), clamped to the file; `None` when it
/// cannot be satisfied.
fn parse_range(header: &str, len: u64) -> Option<(u64, u64)> {
    let spec = header.trim().strip_prefix("bytes=")?;
    if spec.contains(',') || len == 0 {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    if a.is_empty() {
        let n: u64 = b.parse().ok()?;
        (n > 0).then(|| (len.saturating_sub(n), len - 1))
    } else {
        let start: u64 = a.parse().ok()?;
        let end = if b.is_empty() {
            len - 1
        } else {
            b.parse::<u64>().ok()?.min(len - 1)
        };
        (start <= end).then_some((start, end))
    }
}

#[test]
fn range_parsing() {
    assert_eq!(parse_range("bytes=0-9", 100), Some((0, 9)));
    assert_eq!(parse_range("bytes=90-200", 100), Some((90, 99)));
    assert_eq!(parse_range("bytes=95-", 100), Some((95, 99)));
    assert_eq!(parse_range("bytes=-10", 100), Some((90, 99)));
    assert_eq!(parse_range("bytes=-1000", 100), Some((0, 99)));
    assert_eq!(parse_range("bytes=100-", 100), None);
    assert_eq!(parse_range("bytes=-0", 100), None);
    assert_eq!(parse_range("bytes=0-1,5-6", 100), None);
    assert_eq!(parse_range("items=0-1", 100), None);
}

// ---------------------------------------------------------------------------------------------
// Wheels and index pages
// ---------------------------------------------------------------------------------------------

/// Large and incompressible, so that reading only ranges is measurably less than the file, and
/// stored before the Python members so they are not all in the first (tail) request.
const BLOB_LEN: usize = 10 << 20;

fn blob() -> &'static [u8] {
    static BLOB: OnceLock<Vec<u8>> = OnceLock::new();
    BLOB.get_or_init(|| {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut out = Vec::with_capacity(BLOB_LEN);
        while out.len() < BLOB_LEN {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            out.extend_from_slice(&x.to_le_bytes());
        }
        out.truncate(BLOB_LEN);
        out
    })
}

fn init_py(version: &str) -> String {
    let legacy = !version.starts_with('2');
    let extra = version != "1.0";
    let preview = version.contains("rc");
    let mut all = vec!["greet", "add", "Widget", "helper"];
    let mut s = String::from(
        "\"\"\"A small package for apidrift's fetch tests.\"\"\"\n\nfrom .sub import helper\n\n",
    );
    s.push_str("def greet(name, *, loud=False):\n    return name.upper() if loud else name\n\n\n");
    s.push_str("def add(a, b=1):\n    return a + b\n\n\n");
    s.push_str("class Widget:\n    def __init__(self, size=1):\n        self.size = size\n\n    def grow(self, by=1):\n        self.size += by\n\n\n");
    if legacy {
        all.push("legacy");
        s.push_str("def legacy(x):\n    return x\n\n\n");
    }
    if extra {
        all.push("extra");
        s.push_str("def extra(x, y=None):\n    return x\n\n\n");
    }
    if preview {
        all.push("preview");
        s.push_str("def preview():\n    return None\n\n\n");
    }
    let quoted: Vec<String> = all.iter().map(|n| format!("{n:?}")).collect();
    s.push_str(&format!("__all__ = [{}]\n", quoted.join(", ")));
    s
}

const SUB_PY: &str = "def helper(x, *args, **kwargs):\n    return x\n";

#[derive(Clone)]
struct Wheel {
    version: String,
    filename: String,
    bytes: Vec<u8>,
    sha256: String,
}

impl Wheel {
    fn new(version: &str) -> Wheel {
        Wheel::build(version, zip::CompressionMethod::Deflated)
    }

    /// Python members stored, so a flipped byte in one survives to its CRC check.
    fn stored(version: &str) -> Wheel {
        Wheel::build(version, zip::CompressionMethod::Stored)
    }

    fn build(version: &str, py_method: zip::CompressionMethod) -> Wheel {
        let py = zip::write::SimpleFileOptions::default().compression_method(py_method);
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let dist = format!("mini-{version}.dist-info");
        let metadata = format!("Metadata-Version: 2.1\nName: mini\nVersion: {version}\n");
        let init = init_py(version);
        let members: [(String, &[u8], _); 5] = [
            ("mini/__init__.py".into(), init.as_bytes(), py),
            ("mini/_data/blob.bin".into(), blob(), stored),
            ("mini/sub.py".into(), SUB_PY.as_bytes(), py),
            (format!("{dist}/METADATA"), metadata.as_bytes(), py),
            (format!("{dist}/top_level.txt"), b"mini\n", py),
        ];
        for (name, bytes, options) in members {
            zip.start_file(name, options).expect("zip member");
            zip.write_all(bytes).expect("zip write");
        }
        let bytes = zip.finish().expect("zip finish").into_inner();
        Wheel::from_bytes(version, bytes)
    }

    fn from_bytes(version: &str, bytes: Vec<u8>) -> Wheel {
        Wheel {
            version: version.to_string(),
            filename: format!("mini-{version}-py3-none-any.whl"),
            sha256: sha256_hex(&bytes),
            bytes,
        }
    }

    fn path(&self) -> String {
        format!("/files/{}", self.filename)
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len())
        .position(|w| w == needle)
        .expect("the needle is in the wheel")
}

/// One file as an index page lists it.
struct Listed {
    filename: String,
    url: String,
    sha256: String,
    size: u64,
    yanked: bool,
}

impl Listed {
    fn of(w: &Wheel, url: String) -> Listed {
        Listed {
            filename: w.filename.clone(),
            url,
            sha256: w.sha256.clone(),
            size: w.bytes.len() as u64,
            yanked: false,
        }
    }
}

const JSON: &str = "application/vnd.pypi.simple.v1+json";
const HTML: &str = "text/html; charset=utf-8";

fn json_page(files: &[Listed]) -> String {
    let files: Vec<serde_json::Value> = files
        .iter()
        .map(|f| {
            serde_json::json!({
                "filename": f.filename,
                "url": f.url,
                "hashes": {"sha256": f.sha256},
                "size": f.size,
                "requires-python": ">=3.8",
                "yanked": if f.yanked { serde_json::json!("broken build") } else { serde_json::json!(false) },
            })
        })
        .collect();
    serde_json::json!({"meta": {"api-version": "1.1"}, "name": "mini", "files": files}).to_string()
}

fn html_page(files: &[Listed]) -> String {
    let mut s = String::from(
        "<!DOCTYPE html>\n<html>\n  <head><title>Links for mini</title></head>\n  <body>\n    <h1>Links for mini</h1>\n",
    );
    for f in files {
        let yanked = if f.yanked { " data-yanked=\"\"" } else { "" };
        s.push_str(&format!(
            "    <a href=\"{}#sha256={}\" data-requires-python=\"&gt;=3.8\"{yanked}>{}</a><br/>\n",
            f.url, f.sha256, f.filename
        ));
    }
    s.push_str("  </body>\n</html>\n");
    s
}

// ---------------------------------------------------------------------------------------------
// A test's world: a server, a scratch folder, and the binary run against them
// ---------------------------------------------------------------------------------------------

struct World {
    server: Server,
    tmp: tempfile::TempDir,
}

impl World {
    fn new() -> World {
        World {
            server: Server::start(),
            tmp: tempfile::tempdir().expect("a temp dir"),
        }
    }

    fn index(&self) -> String {
        format!("{}/simple/", self.server.base)
    }

    fn dir(&self, name: &str) -> PathBuf {
        let d = self.tmp.path().join(name);
        std::fs::create_dir_all(&d).expect("a scratch folder");
        d
    }

    fn cache(&self) -> PathBuf {
        self.dir("cache")
    }

    /// Serves the wheels under `/files/` and lists them on the main index as JSON with
    /// absolute URLs.
    fn publish_json(&self, wheels: &[(&Wheel, bool)]) {
        let listed: Vec<Listed> = wheels
            .iter()
            .map(|(w, yanked)| {
                self.server.file(&w.path(), &w.bytes);
                Listed {
                    yanked: *yanked,
                    ..Listed::of(w, format!("{}{}", self.server.base, w.path()))
                }
            })
            .collect();
        self.server.page("/simple/mini/", JSON, json_page(&listed));
    }

    /// The binary with an environment that cannot reach a configured index, a pip config or
    /// a proxy: only what the test passes counts.
    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_apidrift"));
        c.args(args)
            .env("NO_COLOR", "1")
            .env("PIP_CONFIG_FILE", "/dev/null")
            .env("NO_PROXY", "127.0.0.1,localhost")
            .env("no_proxy", "127.0.0.1,localhost");
        for var in [
            "APIDRIFT_INDEX_URL",
            "PIP_INDEX_URL",
            "APIDRIFT_EXTRA_INDEX_URL",
            "PIP_EXTRA_INDEX_URL",
            "APIDRIFT_CACHE_DIR",
            "SSL_CERT_FILE",
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "ALL_PROXY",
            "http_proxy",
            "https_proxy",
            "all_proxy",
        ] {
            c.env_remove(var);
        }
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args)
            .output()
            .expect("the apidrift binary runs")
    }

    /// `snapshot PIN` against the main index into `<out>/<file>`, with fast retries.
    fn snapshot(&self, pin: &str, file: &str, extra: &[&str]) -> (Output, PathBuf) {
        let out = self.dir("out").join(file);
        let index = self.index();
        let cache = self.cache();
        let mut args = vec![
            "snapshot",
            pin,
            "--index-url",
            &index,
            "--cache-dir",
            cache.to_str().expect("utf-8 path"),
            "-o",
            out.to_str().expect("utf-8 path"),
        ];
        args.extend(with_net_defaults(extra));
        (self.run(&args), out)
    }

    /// `sync mini` against the main index into `<store>`, with fast retries.
    fn sync(&self, store: &Path, extra: &[&str]) -> Output {
        let index = self.index();
        let cache = self.cache();
        let mut args = vec![
            "sync",
            "mini",
            "--store",
            store.to_str().expect("utf-8 path"),
            "--index-url",
            &index,
            "--cache-dir",
            cache.to_str().expect("utf-8 path"),
        ];
        args.extend(with_net_defaults(extra));
        self.run(&args)
    }

    /// What `apidrift snapshot` makes of the same wheel read from a local file.
    fn local(&self, w: &Wheel) -> String {
        let path = self.dir("local").join(&w.filename);
        std::fs::write(&path, &w.bytes).expect("write the local wheel");
        let out = self.run(&["snapshot", path.to_str().expect("utf-8 path")]);
        assert!(out.status.success(), "local snapshot: {}", stderr(&out));
        String::from_utf8(out.stdout).expect("utf-8 snapshot")
    }
}

/// `extra` plus fast retries and a short timeout, unless `extra` sets them itself (clap
/// refuses a flag given twice).
fn with_net_defaults<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut out = extra.to_vec();
    for pair in [
        ["--retries", "3"],
        ["--backoff-ms", "10"],
        ["--timeout", "5"],
    ] {
        if !extra.contains(&pair[0]) {
            out.extend(pair);
        }
    }
    out
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The final `error:` line (log lines come before it).
fn error_line(stderr: &str) -> &str {
    stderr
        .lines()
        .find(|l| l.starts_with("error:"))
        .unwrap_or_default()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A successful run whose output is the local snapshot of `w`, byte for byte.
fn assert_same_as_local(world: &World, out: &Output, path: &Path, w: &Wheel) {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        stderr(out)
    );
    let got = read(path);
    assert!(
        got.contains(&w.sha256),
        "the snapshot records the wheel's sha256"
    );
    assert_eq!(got, world.local(w), "remote and local snapshots differ");
}

/// A failed run (exit 2) whose message holds every `needle`, and that left no file in `dir`
/// (a sync's lock file aside).
fn assert_failed_cleanly(out: &Output, dir: &Path, needles: &[&str]) -> String {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("error:"), "{err}");
    for n in needles {
        assert!(err.contains(n), "`{n}` missing from: {err}");
    }
    // The lock file is the store's, kept between runs; anything else would be output.
    let left: Vec<String> = names(dir)
        .into_iter()
        .filter(|n| n != ".sync.lock")
        .collect();
    assert_eq!(
        left,
        Vec::<String>::new(),
        "left behind in {}",
        dir.display()
    );
    err
}

/// File names in `dir` (none when it does not exist).
fn names(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| {
                e.expect("a dir entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Every file under `dir`, recursively, relative to it.
fn all_files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten() {
            let p = e.expect("a dir entry").path();
            if p.is_dir() {
                todo.push(p);
            } else {
                let rel = p.strip_prefix(dir).expect("under dir");
                out.push(rel.to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

fn no_temporary_files(dir: &Path) {
    let temps: Vec<String> = all_files(dir)
        .into_iter()
        // `.NAME.tmp-PID` (snapshots) and `.tmpXXXXXX` (cache entries).
        .filter(|f| f.contains(".tmp"))
        .collect();
    assert!(temps.is_empty(), "temporary files left: {temps:?}");
}

// ---------------------------------------------------------------------------------------------
// snapshot NAME==VERSION
// ---------------------------------------------------------------------------------------------

#[test]
fn json_index_ranged_read_matches_local_then_cache_then_full() {
    let world = World::new();
    let w = Wheel::new("1.0");
    world.publish_json(&[(&w, false)]);
    assert!(
        w.bytes.len() > 2 * (4 << 20),
        "the wheel dwarfs the 4 MiB tail"
    );

    let (out, path) = world.snapshot("mini==1.0", "a.yaml", &["-v"]);
    assert_same_as_local(&world, &out, &path, &w);
    let gets = world.server.wheel_gets();
    // The tail (central directory, sub.py, metadata), then `__init__.py` at the front.
    assert_eq!(gets.len(), 2, "{gets:?}");
    assert!(gets.iter().all(|h| h.range.is_some()), "{gets:?}");
    let served: u64 = gets.iter().map(|h| h.bytes).sum();
    assert!(
        served < w.bytes.len() as u64 / 2,
        "{served} bytes served of a {}-byte wheel",
        w.bytes.len()
    );
    let err = stderr(&out);
    assert!(err.contains("read in 2 range requests"), "{err}");
    assert!(
        err.contains("the smallest of 1 wheels"),
        "-v says why: {err}"
    );

    // Same cache: the members come from it, no artifact is asked for.
    world.server.clear_hits();
    let (out, path) = world.snapshot("mini==1.0", "b.yaml", &[]);
    assert_same_as_local(&world, &out, &path, &w);
    assert!(world.server.wheel_gets().is_empty());
    assert!(stderr(&out).contains("from the cache"), "{}", stderr(&out));

    // --full: one whole download, verified.
    world.server.clear_hits();
    let (out, path) = world.snapshot("mini==1.0", "c.yaml", &["--full", "--no-cache"]);
    assert_same_as_local(&world, &out, &path, &w);
    let gets = world.server.wheel_gets();
    assert_eq!(gets.len(), 1, "{gets:?}");
    assert_eq!(gets[0].range, None);
    assert_eq!(gets[0].bytes, w.bytes.len() as u64);
    assert!(stderr(&out).contains("sha256 verified"), "{}", stderr(&out));
    no_temporary_files(&world.cache());
}

#[test]
fn html_index_with_relative_links_matches_local() {
    let world = World::new();
    let old = Wheel::new("1.0");
    let w = Wheel::new("1.1");
    let listed: Vec<Listed> = [&old, &w]
        .iter()
        .map(|x| {
            world.server.file(&x.path(), &x.bytes);
            Listed::of(x, format!("../../files/{}", x.filename))
        })
        .collect();
    world.server.page("/simple/mini/", HTML, html_page(&listed));

    let (out, path) = world.snapshot("mini==1.1", "a.yaml", &[]);
    assert_same_as_local(&world, &out, &path, &w);
    let hits = world.server.hits();
    // HTML pages give no sizes: the candidate is sized with HEAD.
    assert!(
        hits.iter()
            .any(|h| h.method == Method::HEAD && h.path == w.path()),
        "{hits:?}"
    );
    let gets = world.server.wheel_gets();
    assert!(!gets.is_empty());
    assert!(gets.iter().all(|h| h.path == w.path()), "{gets:?}");
}

#[test]
fn server_error_then_success_is_retried() {
    let world = World::new();
    let w = Wheel::new("1.0");
    world.publish_json(&[(&w, false)]);
    world.server.fault(&w.path(), Fault::Status(500), Some(1));
    world
        .server
        .fault("/simple/mini/", Fault::Status(503), Some(1));

    let (out, path) = world.snapshot("mini==1.0", "a.yaml", &[]);
    assert_same_as_local(&world, &out, &path, &w);
    let err = stderr(&out);
    assert!(err.contains("retry 1/3 of the index page"), "{err}");
    assert!(err.contains("HTTP 503"), "{err}");
    assert!(
        err.contains("retry 1/3 of the central directory of mini-1.0-py3-none-any.whl"),
        "{err}"
    );
    assert!(err.contains("HTTP 500"), "{err}");
}

#[test]
fn too_many_requests_waits_for_retry_after() {
    let world = World::new();
    let w = Wheel::new("1.0");
    world.publish_json(&[(&w, false)]);
    world.server.fault("/simple/mini/", Fault::TooMany, Some(1));

    let started = Instant::now();
    let (out, path) = world.snapshot("mini==1.0", "a.yaml", &[]);
    assert_same_as_local(&world, &out, &path, &w);
    let err = stderr(&out);
    // The server's Retry-After (1 s), not the 10 ms backoff.
    assert!(err.contains("in 1.0s: HTTP 429"), "{err}");
    assert!(started.elapsed() >= Duration::from_secs(1));
    let pages = world
        .server
        .hits()
        .iter()
        .filter(|h| h.path == "/simple/mini/")
        .count();
    assert_eq!(pages, 2);
}

#[test]
fn dropped_connection_mid_body_is_retried() {
    let world = World::new();
    let w = Wheel::new("1.0");
    world.publish_json(&[(&w, false)]);
    world.server.fault(&w.path(), Fault::Drop, Some(1));

    let (out, path) = world.snapshot("mini==1.0", "a.yaml", &[]);
    assert_same_as_local(&world, &out, &path, &w);
    let err = stderr(&out);
    assert!(err.contains("retry 1/3 of the central directory"), "{err}");
    let gets = world.server.wheel_gets();
    // The broken tail, its retry, then `__init__.py`: still ranges, no whole download.
    assert_eq!(gets.len(), 3, "{gets:?}");
    assert!(gets.iter().all(|h| h.range.is_some()), "{gets:?}");
    assert!(gets[0].bytes > 0, "the drop came after some of the body");
}

#[test]
fn range_ignored_falls_back_to_whole_download() {
    let world = World::new();
    let w = Wheel::new("1.0");
    world.publish_json(&[(&w, false)]);
    world.server.fault(&w.path(), Fault::IgnoreRange, None);

    let (out, path) = world.snapshot("mini==1.0", "a.yaml", &[]);
    assert_same_as_local(&world, &out, &path, &w);
    let err = stderr(&out);
    assert!(err.contains("127.0.0.1 ignores range requests"), "{err}");
    assert!(err.contains("downloaded whole, sha256 verified"), "{err}");
    let gets = world.server.wheel_gets();
    // The 200 answer to the first range request is the download: nothing is asked twice.
    assert_eq!(gets.len(), 1, "{gets:?}");
    assert_eq!(gets[0].bytes, w.bytes.len() as u64);
}

#[test]
fn wrong_content_range_falls_back_to_whole_download() {
    let world = World::new();
    let w = Wheel::new("1.0");
    world.publish_json(&[(&w, false)]);
    world
        .server
        .fault(&w.path(), Fault::WrongContentRange, None);

    let (out, path) = world.snapshot("mini==1.0", "a.yaml", &[]);
    assert_same_as_local(&world, &out, &path, &w);
    let err = stderr(&out);
    assert!(err.contains("answered a range request wrongly"), "{err}");
    assert!(
        err.contains("downloading the whole file and verifying its sha256"),
        "{err}"
    );
    let gets = world.server.wheel_gets();
    assert_eq!(gets.len(), 2, "{gets:?}");
    assert!(gets[0].range.is_some());
    assert_eq!(gets[1].range, None);
    assert_eq!(gets[1].bytes, w.bytes.len() as u64);
}

#[test]
fn truncated_body_is_retried_on_both_paths() {
    let world = World::new();
    let w = Wheel::new("1.0");
    world.publish_json(&[(&w, false)]);
    world.server.fault(&w.path(), Fault::Truncate, Some(1));

    let (out, path) = world.snapshot("mini==1.0", "a.yaml", &["--no-cache"]);
    assert_same_as_local(&world, &out, &path, &w);
    let err = stderr(&out);
    assert!(err.contains("retry 1/3 of the central directory"), "{err}");
    assert!(world.server.wheel_gets().iter().all(|h| h.range.is_some()));

    // The whole download streams to a temporary file: a cut there is retried too.
    world.server.clear_hits();
    world.server.fault(&w.path(), Fault::Truncate, Some(1));
    let (out, path) = world.snapshot("mini==1.0", "b.yaml", &["--no-cache", "--full"]);
    assert_same_as_local(&world, &out, &path, &w);
    let err = stderr(&out);
    assert!(
        err.contains("retry 1/3 of the download of mini-1.0-py3-none-any.whl"),
        "{err}"
    );
    let gets = world.server.wheel_gets();
    assert_eq!(gets.len(), 2, "{gets:?}");
    assert!(gets[0].bytes < w.bytes.len() as u64);
    assert_eq!(gets[1].bytes, w.bytes.len() as u64);
}

#[test]
fn wrong_sha256_in_the_index_is_an_error() {
    let world = World::new();
    let mut w = Wheel::new("1.0");
    let real = w.sha256.clone();
    w.sha256 = sha256_hex(b"some other file");
    world.publish_json(&[(&w, false)]);
    let out_dir = world.dir("out");

    // Only a whole download can check the digest: with --full, and from a server that
    // ignores ranges.
    let (out, _) = world.snapshot("mini==1.0", "a.yaml", &["--full"]);
    let err = assert_failed_cleanly(
        &out,
        &out_dir,
        &[
            "mini-1.0-py3-none-any.whl",
            "does not match its sha256",
            &real,
            &w.sha256,
        ],
    );
    assert!(err.contains("nothing was snapshotted"), "{err}");

    world.server.fault(&w.path(), Fault::IgnoreRange, None);
    let (out, _) = world.snapshot("mini==1.0", "b.yaml", &[]);
    assert_failed_cleanly(&out, &out_dir, &["does not match its sha256", &real]);
    // Nothing unverified reached the cache.
    assert!(!all_files(&world.cache())
        .iter()
        .any(|f| f.starts_with("members")));
}

#[test]
fn crc_mismatch_fails_on_both_paths() {
    let world = World::new();
    let good = Wheel::stored("1.0");
    let mut bytes = good.bytes.clone();
    // `helper` becomes `Helper` in sub.py's data; the central directory keeps the old CRC.
    let at = find(&bytes, b"def helper") + 4;
    bytes[at] ^= 0x20;
    let w = Wheel::from_bytes("1.0", bytes);
    world.publish_json(&[(&w, false)]);
    let out_dir = world.dir("out");

    let (out, _) = world.snapshot("mini==1.0", "a.yaml", &[]);
    let err = assert_failed_cleanly(
        &out,
        &out_dir,
        &["mini-1.0-py3-none-any.whl", "\"mini/sub.py\"", "CRC-32"],
    );
    // The ranged read failed the CRC first and the whole, sha256-verified file again.
    assert!(err.contains("downloading the whole file"), "{err}");
    assert_eq!(error_line(&err).matches("has CRC-32").count(), 1, "{err}");
    let gets = world.server.wheel_gets();
    assert!(gets.iter().any(|h| h.range.is_none()), "{gets:?}");
    assert!(!all_files(&world.cache())
        .iter()
        .any(|f| f.starts_with("members")));
}

#[test]
fn slow_server_times_out_clearly_or_recovers() {
    let world = World::new();
    let w = Wheel::new("1.0");
    world.publish_json(&[(&w, false)]);
    world
        .server
        .fault("/simple/mini/", Fault::Slow(Duration::from_secs(4)), None);
    let out_dir = world.dir("out");
    let fast = ["--timeout", "1", "--retries", "1", "--backoff-ms", "10"];

    let started = Instant::now();
    let (out, _) = world.snapshot("mini==1.0", "a.yaml", &fast);
    let page = format!("{}/simple/mini/", world.server.base);
    assert_failed_cleanly(&out, &out_dir, &["timed out", "after 2 attempts", &page]);
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );

    // Slow once, on the artifact: the retry gets it.
    world.server.lock().faults.clear();
    world
        .server
        .fault(&w.path(), Fault::Slow(Duration::from_secs(4)), Some(1));
    let (out, path) = world.snapshot("mini==1.0", "b.yaml", &fast);
    assert_same_as_local(&world, &out, &path, &w);
    let err = stderr(&out);
    assert!(err.contains("retry 1/1 of the central directory"), "{err}");
    assert!(err.contains("timed out"), "{err}");
}

#[test]
fn malformed_index_pages_are_errors_naming_the_page() {
    let world = World::new();
    let w = Wheel::new("1.0");
    world.server.file(&w.path(), &w.bytes);
    let out_dir = world.dir("out");
    let page = format!("{}/simple/mini/", world.server.base);

    world.server.page(
        "/simple/mini/",
        JSON,
        format!(
            "{{\"meta\": {{\"api-version\": \"1.1\"}}, \"files\": [{{\"filename\": \"{}\", ",
            w.filename
        ),
    );
    let (out, _) = world.snapshot("mini==1.0", "a.yaml", &[]);
    assert_failed_cleanly(&out, &out_dir, &["not a valid PEP 691 JSON page", &page]);

    world.server.page(
        "/simple/mini/",
        HTML,
        format!(
            "<html><body>\n<a href=\"../../files/{0}#sha256={1}\">{0}\n</body></html>\n",
            w.filename, w.sha256
        ),
    );
    let (out, _) = world.snapshot("mini==1.0", "b.yaml", &[]);
    assert_failed_cleanly(
        &out,
        &out_dir,
        &["not a well-formed PEP 503 HTML page", "never closed", &page],
    );
    assert!(world.server.wheel_gets().is_empty());
}

#[test]
fn lying_central_directory_is_an_error() {
    let world = World::new();
    let mut bytes = Wheel::new("1.0").bytes;
    let eocd = bytes.len() - 22;
    assert_eq!(&bytes[eocd..eocd + 4], b"PK\x05\x06", "no archive comment");
    let past_the_end = (bytes.len() as u32 + 10).to_le_bytes();
    bytes[eocd + 16..eocd + 20].copy_from_slice(&past_the_end);
    // The index vouches for these very bytes: only the zip structure is wrong.
    let w = Wheel::from_bytes("1.0", bytes);
    world.publish_json(&[(&w, false)]);
    let out_dir = world.dir("out");

    let (out, _) = world.snapshot("mini==1.0", "a.yaml", &[]);
    let err = assert_failed_cleanly(
        &out,
        &out_dir,
        &[
            "`mini-1.0-py3-none-any.whl` is damaged",
            "the central directory claims offset",
        ],
    );
    assert!(err.contains("downloading the whole file"), "{err}");
    assert_eq!(
        error_line(&err).matches("claims offset").count(),
        1,
        "{err}"
    );
}

#[test]
fn offline_uses_the_cache_only() {
    let world = World::new();
    let w = Wheel::new("1.0");
    world.publish_json(&[(&w, false)]);
    let out_dir = world.dir("out");

    // Empty cache: a clear error, and not one request.
    let (out, _) = world.snapshot("mini==1.0", "a.yaml", &["--offline"]);
    assert_failed_cleanly(&out, &out_dir, &["--offline", "not in the cache"]);
    assert!(world.server.hits().is_empty(), "{:?}", world.server.hits());

    let (out, path) = world.snapshot("mini==1.0", "b.yaml", &[]);
    assert_same_as_local(&world, &out, &path, &w);
    world.server.clear_hits();
    let (out, path) = world.snapshot("mini==1.0", "c.yaml", &["--offline"]);
    assert_same_as_local(&world, &out, &path, &w);
    assert!(world.server.hits().is_empty(), "{:?}", world.server.hits());
}

#[test]
fn no_index_configured_says_how_to_set_one() {
    let world = World::new();
    let cache = world.cache();
    let out_dir = world.dir("out");
    let out = world.run(&[
        "snapshot",
        "mini==1.0",
        "--cache-dir",
        cache.to_str().expect("utf-8 path"),
        "-o",
        out_dir.join("a.yaml").to_str().expect("utf-8 path"),
    ]);
    let needles = [
        "no package index URL is configured",
        "--index-url",
        "APIDRIFT_INDEX_URL",
        "PIP_INDEX_URL",
        "pip.conf",
    ];
    assert_failed_cleanly(&out, &out_dir, &needles);

    let store = world.dir("store");
    let out = world.run(&[
        "sync",
        "mini",
        "--store",
        store.to_str().expect("utf-8 path"),
        "--cache-dir",
        cache.to_str().expect("utf-8 path"),
    ]);
    assert_failed_cleanly(&out, &store.join("mini"), &needles[..2]);
    assert!(world.server.hits().is_empty());
}

// ---------------------------------------------------------------------------------------------
// sync
// ---------------------------------------------------------------------------------------------

/// 1.0, 1.1, a yanked 1.2, 2.0 (which drops `legacy`) and 2.1rc1.
fn releases() -> Vec<(Wheel, bool)> {
    ["1.0", "1.1", "1.2", "2.0", "2.1rc1"]
        .iter()
        .map(|v| (Wheel::new(v), *v == "1.2"))
        .collect()
}

fn publish_all(world: &World, all: &[(Wheel, bool)]) {
    let refs: Vec<(&Wheel, bool)> = all.iter().map(|(w, y)| (w, *y)).collect();
    world.publish_json(&refs);
}

fn yamls(folder: &Path) -> Vec<String> {
    names(folder)
        .into_iter()
        .filter(|n| n.ends_with(".yaml"))
        .collect()
}

#[test]
fn sync_adds_final_releases_writes_changelogs_and_is_idempotent() {
    let world = World::new();
    let all = releases();
    publish_all(&world, &all);
    let store = world.dir("store");
    let logs = world.dir("changelogs");
    let logs_arg = logs.to_str().expect("utf-8 path");

    let out = world.sync(&store, &["--changelog-dir", logs_arg]);
    assert!(out.status.success(), "{}", stderr(&out));
    let folder = store.join("mini");
    assert_eq!(yamls(&folder), ["1.0.yaml", "1.1.yaml", "2.0.yaml"]);
    for (w, _) in all
        .iter()
        .filter(|(w, _)| ["1.0", "1.1", "2.0"].contains(&w.version.as_str()))
    {
        let got = read(&folder.join(format!("{}.yaml", w.version)));
        assert_eq!(
            got,
            world.local(w),
            "{} differs from its local snapshot",
            w.version
        );
    }
    no_temporary_files(&store);
    let requested: Vec<String> = world
        .server
        .wheel_gets()
        .into_iter()
        .map(|h| h.path)
        .collect();
    for skipped in ["mini-1.2-", "mini-2.1rc1-"] {
        assert!(
            !requested.iter().any(|p| p.contains(skipped)),
            "{requested:?}"
        );
    }
    assert!(
        stderr(&out).contains("added 3 releases of mini (1.0, 1.1, 2.0)"),
        "{}",
        stderr(&out)
    );

    assert_eq!(names(&logs), ["mini-1.0.md", "mini-1.1.md", "mini-2.0.md"]);
    assert!(read(&logs.join("mini-1.0.md")).contains("oldest release in the store"));
    let one_one = read(&logs.join("mini-1.1.md"));
    assert!(
        one_one.contains("## New APIs (1)") && one_one.contains("`extra`"),
        "{one_one}"
    );
    let two = read(&logs.join("mini-2.0.md"));
    assert!(two.contains("## Removed"), "{two}");
    assert!(two.contains("mini.legacy"), "{two}");

    world.server.clear_hits();
    let out = world.sync(&store, &["--changelog-dir", logs_arg]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("nothing to do"), "{}", stderr(&out));
    assert!(world.server.wheel_gets().is_empty());

    // --pre: only the release candidate is new.
    world.server.clear_hits();
    let out = world.sync(&store, &["--pre", "--changelog-dir", logs_arg]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        yamls(&folder),
        ["1.0.yaml", "1.1.yaml", "2.0.yaml", "2.1rc1.yaml"]
    );
    let rc = &all[4].0;
    assert_eq!(read(&folder.join("2.1rc1.yaml")), world.local(rc));
    let gets = world.server.wheel_gets();
    assert!(!gets.is_empty());
    assert!(gets.iter().all(|h| h.path == rc.path()), "{gets:?}");
    let rc_log = read(&logs.join("mini-2.1rc1.md"));
    assert!(rc_log.contains("`preview`"), "{rc_log}");
}

#[test]
fn diffs_only_rewrites_every_stored_changelog_without_the_index() {
    let world = World::new();
    let all = releases();
    publish_all(&world, &all);
    let store = world.dir("store");
    let logs = world.dir("changelogs");
    let out = world.sync(
        &store,
        &["--changelog-dir", logs.to_str().expect("utf-8 path")],
    );
    assert!(out.status.success(), "{}", stderr(&out));

    // A diff redone is a changelog redone: the same text as the sync wrote, for every release.
    world.server.clear_hits();
    let again = world.dir("again");
    let out = world.run(&[
        "sync",
        "mini",
        "--store",
        store.to_str().expect("utf-8 path"),
        "--diffs-only",
        "--changelog-dir",
        again.to_str().expect("utf-8 path"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(world.server.hits().is_empty(), "{:?}", world.server.hits());
    assert_eq!(names(&again), ["mini-1.0.md", "mini-1.1.md", "mini-2.0.md"]);
    for f in names(&again) {
        assert_eq!(read(&again.join(&f)), read(&logs.join(&f)), "{f}");
    }
}

#[test]
fn sync_offline_works_from_the_cache_only() {
    let world = World::new();
    let all = releases();
    publish_all(&world, &all);
    let first = world.dir("first");
    let second = world.dir("second");
    let empty_cache = world.dir("empty-cache");

    // Nothing cached yet: a clear error and not one request.
    let out = world.run(&[
        "sync",
        "mini",
        "--store",
        second.to_str().expect("utf-8 path"),
        "--index-url",
        &world.index(),
        "--cache-dir",
        empty_cache.to_str().expect("utf-8 path"),
        "--offline",
    ]);
    assert_failed_cleanly(
        &out,
        &second.join("mini"),
        &["--offline", "not in the cache"],
    );
    assert!(world.server.hits().is_empty());

    let out = world.sync(&first, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    world.server.clear_hits();
    let out = world.sync(&second, &["--offline"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(world.server.hits().is_empty(), "{:?}", world.server.hits());
    assert_eq!(all_files(&second), all_files(&first));
    for f in yamls(&first.join("mini")) {
        assert_eq!(
            read(&second.join("mini").join(&f)),
            read(&first.join("mini").join(&f))
        );
    }
}

#[test]
fn sync_refuses_a_held_lock_and_waits_with_wait() {
    let world = World::new();
    let all = releases();
    publish_all(&world, &all);
    let store = world.dir("store");
    let folder = store.join("mini");
    std::fs::create_dir_all(&folder).expect("store folder");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(folder.join(".sync.lock"))
        .expect("the lock file");
    lock.try_lock().expect("the test takes the lock first");

    let out = world.sync(&store, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("another `apidrift sync` is writing to"),
        "{err}"
    );
    assert!(err.contains("--wait"), "{err}");
    assert!(yamls(&folder).is_empty());
    assert!(world.server.hits().is_empty());

    // With --wait it blocks until the lock is released, then does the work.
    let log_path = world.tmp.path().join("wait.log");
    let log = std::fs::File::create(&log_path).expect("a log file");
    let index = world.index();
    let cache = world.cache();
    let mut child = world
        .command(&[
            "sync",
            "mini",
            "--wait",
            "--store",
            store.to_str().expect("utf-8 path"),
            "--index-url",
            &index,
            "--cache-dir",
            cache.to_str().expect("utf-8 path"),
        ])
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("the apidrift binary starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !read(&log_path).contains("waiting for another `apidrift sync`") {
        assert!(
            Instant::now() < deadline,
            "never waited: {}",
            read(&log_path)
        );
        assert!(
            child.try_wait().expect("child status").is_none(),
            "{}",
            read(&log_path)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        world.server.hits().is_empty(),
        "nothing is fetched while waiting"
    );
    drop(lock);
    let status = child.wait().expect("the child ends");
    assert!(status.success(), "{}", read(&log_path));
    assert_eq!(yamls(&folder), ["1.0.yaml", "1.1.yaml", "2.0.yaml"]);
}

#[test]
fn sync_stores_the_good_releases_when_one_is_corrupt() {
    let world = World::new();
    let mut all = releases();
    let mut bytes = Wheel::stored("2.0").bytes;
    let at = find(&bytes, b"def helper") + 4;
    bytes[at] ^= 0x20;
    all[3].0 = Wheel::from_bytes("2.0", bytes);
    publish_all(&world, &all);
    let store = world.dir("store");
    let logs = world.dir("changelogs");

    let out = world.sync(
        &store,
        &["--changelog-dir", logs.to_str().expect("utf-8 path")],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("error: 2.0: cannot fetch mini 2.0"), "{err}");
    assert!(err.contains("CRC-32"), "{err}");
    assert_eq!(yamls(&store.join("mini")), ["1.0.yaml", "1.1.yaml"]);
    assert_eq!(names(&logs), ["mini-1.0.md", "mini-1.1.md"]);
    no_temporary_files(&store);
}

#[test]
fn extra_index_releases_are_merged() {
    let world = World::new();
    let all = releases();
    let (one, one_one, two) = (&all[0].0, &all[1].0, &all[3].0);
    world.publish_json(&[(one, false), (one_one, false)]);
    // The extra index lists 2.0, and 1.1 again: the main index's copy of 1.1 is the one read.
    let extra: Vec<Listed> = [one_one, two]
        .iter()
        .map(|w| {
            world.server.file(&format!("/extra{}", w.path()), &w.bytes);
            Listed::of(w, format!("{}/extra{}", world.server.base, w.path()))
        })
        .collect();
    world
        .server
        .page("/extra/simple/mini/", HTML, html_page(&extra));
    let store = world.dir("store");
    let extra_url = format!("{}/extra/simple/", world.server.base);

    let out = world.sync(&store, &["--extra-index-url", &extra_url]);
    assert!(out.status.success(), "{}", stderr(&out));
    let folder = store.join("mini");
    assert_eq!(yamls(&folder), ["1.0.yaml", "1.1.yaml", "2.0.yaml"]);
    for w in [one, one_one, two] {
        assert_eq!(
            read(&folder.join(format!("{}.yaml", w.version))),
            world.local(w)
        );
    }
    let gets = world.server.wheel_gets();
    assert!(
        gets.iter()
            .any(|h| h.path == format!("/extra{}", two.path())),
        "{gets:?}"
    );
    assert!(
        !gets
            .iter()
            .any(|h| h.path == format!("/extra{}", one_one.path())),
        "{gets:?}"
    );
    assert!(world
        .server
        .hits()
        .iter()
        .any(|h| h.path == "/extra/simple/mini/"));
}
