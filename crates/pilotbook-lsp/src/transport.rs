//! JSON-RPC messages over a byte stream, framed with `Content-Length`
//! headers, read on a thread that keeps going past a message it cannot
//! read; messages are lsp-server's, and written by it.
//!
//! lsp-server's own stdio transport ends the connection at the first
//! malformed message, and sizes its buffer from the header before reading
//! (a header that claims terabytes aborts the process). Here a frame is
//! capped, and one that cannot be read is logged to stderr and skipped: an
//! editor that sends one bad frame gets an error reply where the frame
//! had an id, not a dead server. Reading always consumes input, so a
//! stream of garbage ends with the stream.

use lsp_server::{Message, RequestId};
use std::io::{BufRead, ErrorKind, Read, Write};
use std::sync::mpsc::{Receiver, channel};
use std::thread::JoinHandle;

/// The largest message read: a whole document's text is sent on every
/// full change, and documents are capped far below this.
const MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;

/// A header line longer than this is not a header.
const MAX_HEADER_BYTES: u64 = 8 * 1024;

/// What the reader hands the server.
#[derive(Debug)]
pub enum Incoming {
    /// A message.
    Message(Message),
    /// A frame that is not a message; its id, when it had one a reply can
    /// be sent to.
    Invalid {
        /// The request's id.
        id: Option<RequestId>,
        /// Why it was not read.
        why: String,
    },
}

/// Read messages from `input` on a thread of their own, until the input
/// ends or an `exit` notification was read.
pub fn spawn_reader<R: BufRead + Send + 'static>(
    mut input: R,
) -> (Receiver<Incoming>, JoinHandle<()>) {
    let (tx, rx) = channel();
    let handle = std::thread::spawn(move || {
        loop {
            let incoming = match read_frame(&mut input) {
                Ok(Some(body)) => parse(&body),
                Ok(None) => return,
                Err(e) if e.kind() == ErrorKind::InvalidData => {
                    crate::log(&format!("skipping input that is not a message: {e}"));
                    continue;
                }
                Err(e) => {
                    crate::log(&format!("cannot read from the client: {e}"));
                    return;
                }
            };
            let exit = matches!(&incoming, Incoming::Message(Message::Notification(n)) if n.method == "exit");
            if tx.send(incoming).is_err() || exit {
                return;
            }
        }
    });
    (rx, handle)
}

/// One frame's body; `None` at the end of the input. Malformed frames and
/// frames over the cap are `InvalidData` (the cap's frame is consumed).
/// Clients of the server use it too (`bench-lsp`).
pub fn read_frame(input: &mut impl BufRead) -> std::io::Result<Option<Vec<u8>>> {
    let invalid = |why: String| std::io::Error::new(ErrorKind::InvalidData, why);
    let mut length = None;
    loop {
        let mut line = Vec::new();
        let read = input
            .by_ref()
            .take(MAX_HEADER_BYTES)
            .read_until(b'\n', &mut line)?;
        if read == 0 {
            return Ok(None);
        }
        let line = String::from_utf8_lossy(&line);
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(invalid(format!("malformed header {line:?}")));
        };
        if name.trim().eq_ignore_ascii_case("content-length") {
            let value: usize = (value.trim().parse())
                .map_err(|_| invalid(format!("malformed Content-Length {value:?}")))?;
            length = Some(value);
        }
    }
    let length = length.ok_or_else(|| invalid("a frame without Content-Length".into()))?;
    if length > MAX_MESSAGE_BYTES {
        // Skip it without holding it.
        std::io::copy(
            &mut input.by_ref().take(length as u64),
            &mut std::io::sink(),
        )?;
        return Err(invalid(format!(
            "a message of {length} bytes, over the {MAX_MESSAGE_BYTES} read"
        )));
    }
    let mut body = vec![0; length];
    input.read_exact(&mut body)?;
    Ok(Some(body))
}

/// A frame's body as a message, or why it is not one.
fn parse(body: &[u8]) -> Incoming {
    match serde_json::from_slice::<Message>(body) {
        Ok(message) => Incoming::Message(message),
        Err(e) => {
            let value: Option<serde_json::Value> = serde_json::from_slice(body).ok();
            let id = value.as_ref().and_then(|v| match v.get("id")? {
                serde_json::Value::Number(n) => {
                    i32::try_from(n.as_i64()?).ok().map(RequestId::from)
                }
                serde_json::Value::String(s) => Some(RequestId::from(s.clone())),
                _ => None,
            });
            Incoming::Invalid {
                id,
                why: format!("not a JSON-RPC message: {e}"),
            }
        }
    }
}

/// Where messages to the client go.
pub struct Output<W: Write> {
    out: W,
    broken: bool,
}

impl<W: Write> Output<W> {
    /// Write messages to `out`.
    pub fn new(out: W) -> Self {
        Output { out, broken: false }
    }

    /// Send one message. A client that stopped reading is logged once;
    /// the server goes on until its input ends.
    pub fn send(&mut self, message: impl Into<Message>) {
        if self.broken {
            return;
        }
        if let Err(e) = message.into().write(&mut self.out) {
            crate::log(&format!("cannot write to the client: {e}"));
            self.broken = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[u8]) -> Vec<Result<Option<Vec<u8>>, ErrorKind>> {
        let mut reader = std::io::Cursor::new(input.to_vec());
        let mut out = Vec::new();
        loop {
            let frame = read_frame(&mut reader).map_err(|e| e.kind());
            let end = matches!(frame, Ok(None));
            out.push(frame);
            if end || out.len() > 10 {
                return out;
            }
        }
    }

    #[test]
    fn bad_frames_are_skipped_and_reading_goes_on() {
        let input = b"garbage\r\nContent-Length: 2\r\n\r\n{}Content-Length: x\r\n\r\nContent-Length: 99999999999\r\n\r\nabc";
        let read = frames(input);
        assert_eq!(read[0], Err(ErrorKind::InvalidData));
        assert_eq!(read[1], Ok(Some(b"{}".to_vec())));
        assert_eq!(read[2], Err(ErrorKind::InvalidData));
        // The empty line after it reads as a frame with no length.
        assert_eq!(read[3], Err(ErrorKind::InvalidData));
        // Too large: skipped, not allocated.
        assert_eq!(read[4], Err(ErrorKind::InvalidData));
        assert_eq!(read[5], Ok(None));
        assert!(matches!(parse(b"{}"), Incoming::Invalid { id: None, .. }));
        let bad = parse(br#"{"jsonrpc":"2.0","id":7,"method":5}"#);
        assert!(matches!(bad, Incoming::Invalid { id: Some(id), .. } if id == RequestId::from(7)));
    }
}
