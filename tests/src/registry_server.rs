//! A schema registry on 127.0.0.1 for the fetch tests: a real HTTP/1.1 server on its own
//! threads, serving documents by path, with a fault on any path a test chooses. It speaks just
//! enough HTTP for a client (one `GET` a connection, `Connection: close`), and writes raw bytes
//! so that it can misbehave the ways real servers do (a body cut short, no answer at all).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// What the server does for one path.
#[derive(Debug, Clone)]
pub enum Route {
    /// 200 with these bytes.
    Document(Vec<u8>),
    /// This status with a short text body.
    Status(u16),
    /// Reads the request and never answers (until the server stops).
    Silent,
    /// Announces the whole length of these bytes, sends half, and closes.
    Truncated(Vec<u8>),
    /// 200 with these bytes and no `Content-Length`: the body ends when the connection closes.
    Unannounced(Vec<u8>),
    /// 302 to this location.
    Redirect(String),
    /// 200 with these bytes, served with this `Content-Type`.
    Typed(String, Vec<u8>),
    /// This status with a `Retry-After` header of this value.
    RetryAfter(u16, String),
    /// Reads the request and closes the connection without a byte of answer.
    Reset,
    /// The first route for the first request, the second for the second, and so on; the
    /// last one for every request after.
    Sequence(Vec<Route>),
}

/// Every path's route, and how many requests each path has had.
#[derive(Default)]
struct State {
    routes: BTreeMap<String, Route>,
    requests: BTreeMap<String, usize>,
}

type Routes = Arc<Mutex<State>>;

/// A running server; stops when dropped.
pub struct RegistryServer {
    address: SocketAddr,
    routes: Routes,
    stopping: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl RegistryServer {
    /// Starts a server on a free port of 127.0.0.1 with no routes (every path is a 404).
    pub fn start() -> RegistryServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let address = listener.local_addr().expect("a bound address");
        let routes: Routes = Arc::default();
        let stopping = Arc::new(AtomicBool::new(false));
        let acceptor = {
            let routes = Arc::clone(&routes);
            let stopping = Arc::clone(&stopping);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stopping.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let routes = Arc::clone(&routes);
                    let stopping = Arc::clone(&stopping);
                    std::thread::spawn(move || serve(stream, &routes, &stopping));
                }
            })
        };
        RegistryServer { address, routes, stopping, acceptor: Some(acceptor) }
    }

    /// Starts a server that serves every document of a registry's lockfile at its id's path,
    /// as a mirror of that registry would.
    pub fn mirroring(folder: &Path) -> RegistryServer {
        let server = RegistryServer::start();
        let lock = xtask::lock::Lock::read(folder).expect("a readable lockfile").expect("a lockfile");
        for document in &lock.documents {
            let bytes = std::fs::read(folder.join(&document.file)).expect("a locked file");
            server.set(&id_path(&document.id), Route::Document(bytes));
        }
        server
    }

    /// `http://127.0.0.1:<port>`, the mirror base URL.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The port, for URLs that name this server by another host name.
    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// Sets what `path` (e.g. `/shared/money/v1`) answers.
    pub fn set(&self, path: &str, route: Route) {
        let mut state = self.routes.lock().expect("routes lock");
        state.routes.insert(path.to_owned(), route);
        state.requests.remove(path);
    }

    /// How many requests `path` has had since its route was last set.
    pub fn requests(&self, path: &str) -> usize {
        self.routes.lock().expect("routes lock").requests.get(path).copied().unwrap_or(0)
    }
}

impl Drop for RegistryServer {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        // Wakes the acceptor so that it sees the flag.
        let _ = TcpStream::connect(self.address);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

/// The path part of a document id, where a mirror serves it.
pub fn id_path(id: &str) -> String {
    let after_scheme = id.split_once("://").map_or(id, |(_, rest)| rest);
    after_scheme.find('/').map_or_else(|| "/".to_owned(), |slash| after_scheme[slash..].to_owned())
}

fn serve(stream: TcpStream, routes: &Routes, stopping: &AtomicBool) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(&stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    loop {
        let mut header = String::new();
        match reader.read_line(&mut header) {
            Ok(0) | Err(_) => return,
            Ok(_) if header == "\r\n" || header == "\n" => break,
            Ok(_) => {}
        }
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let route = {
        let mut state = routes.lock().expect("routes lock");
        let count = state.requests.entry(path.clone()).or_insert(0);
        *count += 1;
        let nth = *count - 1;
        match state.routes.get(&path).cloned().unwrap_or(Route::Status(404)) {
            Route::Sequence(routes) => routes.get(nth).or(routes.last()).cloned().unwrap_or(Route::Status(404)),
            route => route,
        }
    };
    let mut stream = &stream;
    let _ = match route {
        Route::Document(bytes) => respond(&mut stream, "200 OK", &[], &bytes),
        Route::Status(status) => {
            let reason = if status == 404 { "Not Found" } else { "Error" };
            respond(&mut stream, &format!("{status} {reason}"), &[], format!("{status}\n").as_bytes())
        }
        Route::Redirect(location) => respond(&mut stream, "302 Found", &[("Location", &location)], b""),
        Route::Truncated(bytes) => {
            let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", bytes.len());
            stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(&bytes[..bytes.len() / 2]))
        }
        Route::Unannounced(bytes) => {
            let head = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n";
            stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(&bytes))
        }
        Route::Typed(content_type, bytes) => respond(&mut stream, "200 OK", &[("Content-Type", &content_type)], &bytes),
        Route::RetryAfter(status, wait) => {
            respond(&mut stream, &format!("{status} Busy"), &[("Retry-After", &wait)], format!("{status}\n").as_bytes())
        }
        Route::Reset | Route::Sequence(_) => Ok(()),
        Route::Silent => {
            while !stopping.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(50));
            }
            Ok(())
        }
    };
}

fn respond(stream: &mut &TcpStream, status: &str, headers: &[(&str, &str)], body: &[u8]) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()
}
