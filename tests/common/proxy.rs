//! A TCP relay on 127.0.0.1 in front of a server, so a test can cut one connection (or all of
//! them) while the others go on. Plain blocking std networking on its own threads; it stops
//! accepting when dropped or after 300 s.
#![allow(dead_code)]

use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Proxy {
    pub port: u16,
    /// Both sockets of every relayed connection, in the order they were accepted.
    conns: Arc<Mutex<Vec<(TcpStream, TcpStream)>>>,
    stop: Arc<AtomicBool>,
    /// Set by [`Proxy::reset_all`]: the relays end without a FIN, so the close is a reset.
    resetting: Arc<AtomicBool>,
}

impl Proxy {
    /// Relay 127.0.0.1:<new port> → 127.0.0.1:`target`.
    pub fn start(target: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let conns = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let resetting = Arc::new(AtomicBool::new(false));
        let (conns2, stop2, resetting2) = (conns.clone(), stop.clone(), resetting.clone());
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(300);
            while !stop2.load(Ordering::SeqCst) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((client, _)) => {
                        client.set_nonblocking(false).ok();
                        let Ok(server) = TcpStream::connect_timeout(&([127, 0, 0, 1], target).into(), Duration::from_secs(5)) else {
                            let _ = client.shutdown(Shutdown::Both);
                            continue;
                        };
                        let _ = client.set_nodelay(true);
                        let _ = server.set_nodelay(true);
                        relay(client.try_clone().unwrap(), server.try_clone().unwrap(), resetting2.clone());
                        relay(server.try_clone().unwrap(), client.try_clone().unwrap(), resetting2.clone());
                        conns2.lock().unwrap().push((client, server));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Proxy { port, conns, stop, resetting }
    }

    /// How many connections were relayed so far.
    pub fn count(&self) -> usize {
        self.conns.lock().unwrap().len()
    }

    /// Cut connection `i` (both directions, both sides) at once.
    pub fn cut(&self, i: usize) {
        if let Some((c, s)) = self.conns.lock().unwrap().get(i) {
            let _ = c.shutdown(Shutdown::Both);
            let _ = s.shutdown(Shutdown::Both);
        }
    }

    /// Cut every connection relayed so far.
    pub fn cut_all(&self) {
        for i in 0..self.count() {
            self.cut(i);
        }
    }
}

impl Proxy {
    /// Reset every connection relayed so far towards the client (TCP RST: SO_LINGER 0, then
    /// the last descriptor closed without a FIN), as a firewall or a crashed host does.
    pub fn reset_all(&self) {
        use std::os::fd::AsRawFd;
        self.resetting.store(true, Ordering::SeqCst);
        let conns: Vec<(TcpStream, TcpStream)> = std::mem::take(&mut *self.conns.lock().unwrap());
        for (c, s) in &conns {
            let linger = libc::linger { l_onoff: 1, l_linger: 0 };
            // SAFETY: a live socket descriptor and a properly sized linger struct.
            unsafe {
                libc::setsockopt(c.as_raw_fd(), libc::SOL_SOCKET, libc::SO_LINGER, (&linger as *const libc::linger).cast(), std::mem::size_of::<libc::linger>() as libc::socklen_t);
            }
            // wake both relays (no bytes are sent by a read shutdown); they end without a FIN
            let _ = c.shutdown(Shutdown::Read);
            let _ = s.shutdown(Shutdown::Read);
        }
        std::thread::sleep(Duration::from_millis(200));
        drop(conns); // the last descriptors: the client side closes with a reset
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.cut_all();
    }
}

fn relay(mut from: TcpStream, mut to: TcpStream, resetting: Arc<AtomicBool>) {
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut from, &mut to);
        if !resetting.load(Ordering::SeqCst) {
            let _ = to.shutdown(Shutdown::Write);
        }
    });
}
