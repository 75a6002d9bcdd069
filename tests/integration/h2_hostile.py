#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A small HTTP/2 server (prior knowledge, plain TCP) that misbehaves in one
chosen way, for tests/integration/h2_hostile.sh. Frames are written by hand
(RFC 9113); request headers are never decoded, only counted.

    h2_hostile.py MODE COUNTS_FILE

Prints the port it listens on, then serves until SIGTERM, when it writes
what it did as JSON to COUNTS_FILE: answered (streams answered 200),
reset (streams reset), streams (request streams seen), connections.

MODE:
  ok          answer every stream 200 with a small body
  badpreface  answer the connection preface with an HTTP/1.1 response
  hugeheader  answer 200 with a 256 KiB header (HEADERS + CONTINUATION)
  window0     announce a send window of 0 and never open it; answer GETs
  rst         reset every stream (RST_STREAM, INTERNAL_ERROR)
  goaway      answer 50 streams per connection, then GOAWAY
              (ENHANCE_YOUR_CALM) naming the last, and close
"""
import json
import signal
import socket
import struct
import sys
import threading

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, RST_STREAM, SETTINGS, PING, GOAWAY, WINDOW_UPDATE, CONTINUATION = 0, 1, 3, 4, 6, 7, 8, 9
END_STREAM, ACK, END_HEADERS = 0x1, 0x1, 0x4

mode = sys.argv[1]
counts_path = sys.argv[2]
counts = {"answered": 0, "reset": 0, "streams": 0, "connections": 0}
lock = threading.Lock()


def frame(ftype, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack(">I", stream) + payload


def literal(name, value):
    """HPACK: a literal field without indexing, new name, no Huffman."""
    def string(s):
        assert len(s) < 127
        return bytes([len(s)]) + s
    if len(value) < 127:
        return b"\x00" + string(name) + bytes([len(value)]) + value
    # a long value: 7-bit prefix integer
    out, n = bytearray([0x7F]), len(value) - 127
    while n >= 128:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return b"\x00" + string(name) + bytes(out) + value


def read_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def count(key, n=1):
    with lock:
        counts[key] += n


def answer(conn, stream):
    body = b"hello\n"
    block = b"\x88" + literal(b"content-length", str(len(body)).encode())
    conn.sendall(frame(HEADERS, END_HEADERS, stream, block) + frame(DATA, END_STREAM, stream, body))
    count("answered")


def serve(conn):
    count("connections")
    try:
        if read_exact(conn, len(PREFACE)) != PREFACE:
            return
        if mode == "badpreface":
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            while conn.recv(65536):
                pass
            return
        settings = b""
        if mode == "window0":
            settings = struct.pack(">HI", 0x4, 0)  # SETTINGS_INITIAL_WINDOW_SIZE = 0
        conn.sendall(frame(SETTINGS, 0, 0, settings))
        answered_here = 0
        while True:
            head = read_exact(conn, 9)
            length = int.from_bytes(head[:3], "big")
            ftype, flags = head[3], head[4]
            stream = int.from_bytes(head[5:9], "big") & 0x7FFFFFFF
            payload = read_exact(conn, length)
            if ftype == SETTINGS and not flags & ACK:
                conn.sendall(frame(SETTINGS, ACK, 0))
            elif ftype == PING and not flags & ACK:
                conn.sendall(frame(PING, ACK, 0, payload))
            elif ftype == HEADERS:
                count("streams")
                if not flags & END_STREAM:
                    continue  # a body follows: window0 never lets it come
                if mode == "rst":
                    conn.sendall(frame(RST_STREAM, 0, stream, struct.pack(">I", 2)))
                    count("reset")
                elif mode == "hugeheader":
                    big = b"\x88" + literal(b"x-huge", b"y" * (256 * 1024))
                    pieces = [big[i:i + 16384] for i in range(0, len(big), 16384)]
                    out = frame(HEADERS, 0, stream, pieces[0])
                    for k, p in enumerate(pieces[1:], 1):
                        out += frame(CONTINUATION, END_HEADERS if k == len(pieces) - 1 else 0, stream, p)
                    conn.sendall(out + frame(DATA, END_STREAM, stream, b"x"))
                    count("answered")
                elif mode == "goaway" and answered_here >= 50:
                    last = stream - 2  # the previous one, answered
                    conn.sendall(frame(GOAWAY, 0, 0, struct.pack(">II", last, 11)))
                    # a graceful close: the client reads the GOAWAY, then goes
                    conn.shutdown(socket.SHUT_WR)
                    conn.settimeout(2)
                    while conn.recv(65536):
                        pass
                    return
                else:
                    answer(conn, stream)
                    answered_here += 1
    except (EOFError, OSError):
        pass
    finally:
        conn.close()


def on_term(signum, frame_):
    with lock:
        with open(counts_path, "w") as f:
            json.dump(counts, f)
    sys.exit(0)


def main():
    signal.signal(signal.SIGTERM, on_term)
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)
    print(srv.getsockname()[1], flush=True)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


main()
