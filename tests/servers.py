"""Local stand-ins for the outside world, on 127.0.0.1: a push service and a mail server. The
project's real clients (pywebpush, smtplib through Django) talk to them over real sockets."""

import socketserver
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class PushService:
    """Answers each POST with the next status of ``statuses`` (the last one repeats) and keeps the
    requests: path, headers and encrypted body."""

    def __init__(self, statuses=(201,)):
        self.statuses = list(statuses)
        self.requests = []
        self.retry_after = "7"
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                service.requests.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                    }
                )
                status = service.statuses.pop(0) if len(service.statuses) > 1 else service.statuses[0]
                self.send_response(status)
                if status in (429, 503):
                    self.send_header("Retry-After", service.retry_after)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class MailServer:
    """A minimal SMTP server. ``greetings`` are the opening replies of successive connections (the
    last repeats): "220" accepts, "421" is a transient refusal. ``rcpt_reply`` answers RCPT TO."""

    def __init__(self, greetings=("220",), rcpt_reply="250 ok", drop_after_data=0, hold=None, delay=0.0):
        """``drop_after_data``: for that many first messages, keep the message and hang up before
        answering (the sender cannot know it arrived). ``hold``: a threading.Event the server waits for
        before it answers the end of a message (a send in progress). ``delay``: seconds before that
        answer (a slow server). ``arrivals`` keeps (time.time(), recipient) per message."""
        self.greetings = list(greetings)
        self.rcpt_reply = rcpt_reply
        self.drop_after_data = drop_after_data
        self.hold = hold
        self.receiving = threading.Event()
        self.delay = delay
        self.arrivals = []
        self.messages = []
        self.connections = 0
        mail = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line):
                self.wfile.write(line.encode() + b"\r\n")

            def handle(self):
                mail.connections += 1
                greeting = mail.greetings.pop(0) if len(mail.greetings) > 1 else mail.greetings[0]
                if greeting != "220":
                    self.reply(f"{greeting} try again later")
                    return
                self.reply("220 test mail server")
                data = None
                recipient = None
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    if data is not None:
                        if line in (b".\r\n", b".\n"):
                            mail.messages.append(b"".join(data).decode("utf-8", "replace"))
                            mail.arrivals.append((time.time(), recipient))
                            data = None
                            mail.receiving.set()
                            if mail.delay:
                                time.sleep(mail.delay)
                            if mail.hold is not None:
                                mail.hold.wait(10)
                            if mail.drop_after_data:
                                mail.drop_after_data -= 1
                                return
                            self.reply("250 queued")
                        else:
                            data.append(line)
                        continue
                    command = line.decode().strip().upper()
                    if command.startswith(("EHLO", "HELO")):
                        self.reply("250 test")
                    elif command.startswith("MAIL"):
                        self.reply("250 ok")
                    elif command.startswith("RCPT"):
                        recipient = line.decode().strip().split(":", 1)[1].strip(" <>").lower()
                        self.reply(mail.rcpt_reply)
                    elif command == "DATA":
                        data = []
                        self.reply("354 go on")
                    elif command == "QUIT":
                        self.reply("221 bye")
                        return
                    else:
                        self.reply("250 ok")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class OpenFoodFacts:
    """Plays Open Food Facts' product API (``GET /api/v2/product/<code>``): ``products`` maps a
    barcode to the product JSON it returns; an unknown code gets the real service's 404 answer.
    ``status`` forces an error status, ``delay`` a slow answer. Keeps the paths asked."""

    def __init__(self, products=None, *, status=None, delay=0.0):
        import json
        import time

        self.products = dict(products or {})
        self.status = status
        self.delay = delay
        self.paths = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                fake.paths.append(self.path)
                if fake.delay:
                    time.sleep(fake.delay)
                code = self.path.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
                if fake.status:
                    status, body = fake.status, b"<html>upstream trouble</html>"
                elif code in fake.products:
                    status = 200
                    body = json.dumps({"code": code, "status": 1, "product": fake.products[code]}).encode()
                else:
                    status = 404
                    body = json.dumps(
                        {"code": code, "status": 0, "status_verbose": "product not found"}
                    ).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
