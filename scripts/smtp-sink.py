#!/usr/bin/env python3
"""A minimal SMTP sink for Hort's tests (Python 3.11 standard library only).

Accepts every message and writes it, as received, to a .eml file in a folder (written to a temporary name and
renamed, so a reader never sees half a message). Speaks enough ESMTP for MailKit: EHLO/HELO, AUTH PLAIN and
LOGIN (any user and password except the password "wrong", which is refused with 535), MAIL, RCPT, DATA, RSET,
NOOP, QUIT. No TLS: STARTTLS is answered 454.

    smtp-sink.py --dir FOLDER [--host 127.0.0.1] [--port 0]

Prints "smtp-sink listening on HOST:PORT" once it accepts connections; stops on SIGTERM or SIGINT.
"""
import argparse
import asyncio
import base64
import itertools
import os
import signal
import sys
import time

HOSTNAME = "hort-smtp-sink"
MAX_LINE = 1 << 20
MAX_MESSAGE = 50 << 20


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.counter = itertools.count(1)

    def store(self, data):
        name = "%d-%06d.eml" % (time.time_ns(), next(self.counter))
        temporary = os.path.join(self.folder, "." + name + ".tmp")
        with open(temporary, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, os.path.join(self.folder, name))
        return name

    async def session(self, reader, writer):
        async def send(line):
            writer.write(line.encode("ascii") + b"\r\n")
            await writer.drain()

        async def read_line():
            line = await reader.readline()
            if not line:
                raise ConnectionResetError
            return line.rstrip(b"\r\n").decode("utf-8", "replace")

        def decode(text):
            try:
                return base64.b64decode(text, validate=True).decode("utf-8", "replace")
            except ValueError:
                return None

        sender, recipients = None, []
        try:
            await send("220 %s ESMTP ready" % HOSTNAME)
            while True:
                line = await read_line()
                verb, _, argument = line.partition(" ")
                verb = verb.upper()
                if verb == "EHLO":
                    await send("250-%s" % HOSTNAME)
                    await send("250-8BITMIME")
                    await send("250-SMTPUTF8")
                    await send("250-AUTH PLAIN LOGIN")
                    await send("250 SIZE %d" % MAX_MESSAGE)
                elif verb == "HELO":
                    await send("250 %s" % HOSTNAME)
                elif verb == "AUTH":
                    mechanism, _, initial = argument.partition(" ")
                    mechanism = mechanism.upper()
                    if mechanism == "PLAIN":
                        if not initial:
                            await send("334 ")
                            initial = await read_line()
                        credentials = decode(initial)
                        password = credentials.split("\0")[-1] if credentials is not None else None
                    elif mechanism == "LOGIN":
                        await send("334 VXNlcm5hbWU6")
                        await read_line()
                        await send("334 UGFzc3dvcmQ6")
                        password = decode(await read_line())
                    else:
                        await send("504 5.5.4 unrecognized authentication type")
                        continue
                    if password is None or password == "wrong":
                        await send("535 5.7.8 authentication credentials invalid")
                    else:
                        await send("235 2.7.0 authentication successful")
                elif verb == "MAIL":
                    sender, recipients = argument, []
                    await send("250 2.1.0 ok")
                elif verb == "RCPT":
                    if sender is None:
                        await send("503 5.5.1 MAIL first")
                    else:
                        recipients.append(argument)
                        await send("250 2.1.5 ok")
                elif verb == "DATA":
                    if not recipients:
                        await send("503 5.5.1 RCPT first")
                        continue
                    await send("354 end data with <CR><LF>.<CR><LF>")
                    data = bytearray()
                    while True:
                        raw = await reader.readline()
                        if not raw:
                            raise ConnectionResetError
                        if raw in (b".\r\n", b".\n"):
                            break
                        if raw.startswith(b"."):
                            raw = raw[1:]
                        data += raw
                        if len(data) > MAX_MESSAGE:
                            await send("552 5.3.4 message too big")
                            return
                    name = self.store(bytes(data))
                    sender, recipients = None, []
                    await send("250 2.0.0 ok: queued as %s" % name)
                elif verb == "RSET":
                    sender, recipients = None, []
                    await send("250 2.0.0 ok")
                elif verb == "NOOP":
                    await send("250 2.0.0 ok")
                elif verb == "VRFY":
                    await send("252 2.1.5 cannot verify")
                elif verb == "STARTTLS":
                    await send("454 4.7.0 TLS not available")
                elif verb == "QUIT":
                    await send("221 2.0.0 bye")
                    return
                else:
                    await send("500 5.5.2 command not recognized")
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            pass
        finally:
            writer.close()


async def main():
    parser = argparse.ArgumentParser(description="A minimal SMTP sink that writes each message to a .eml file.")
    parser.add_argument("--dir", required=True, help="folder for the .eml files (created if missing)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default 0: a free one)")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    sink = Sink(args.dir)
    server = await asyncio.start_server(sink.session, args.host, args.port, limit=MAX_LINE)
    host, port = server.sockets[0].getsockname()[:2]
    print("smtp-sink listening on %s:%d" % (host, port), flush=True)
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    async with server:
        await stop


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except OSError as e:
        print("smtp-sink: %s" % e, file=sys.stderr)
        sys.exit(1)
