import pytest
from rest_framework.test import APIClient


@pytest.fixture
def token_for(users):
    """token_for('dangban', read_only=True) → a new access token (the plain text) of that demo user."""
    from lvzhi.tokens import services

    def make(username, **kwargs):
        kwargs.setdefault("name", "测试")
        return services.create_token(users[username], **kwargs)[1]

    return make


@pytest.fixture
def bearer(token_for):
    """bearer('dangban') → an API client that sends a new token of that user (no session, no CSRF)."""

    def client(username, **kwargs):
        c = APIClient()
        c.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(username, **kwargs)}")
        return c

    return client


@pytest.fixture
def http_server(db):
    """The app on a real port (for programs in other processes), serving from the test's own database connection:
    what the test wrote is visible and everything is rolled back after it, like any other test — no committed
    demo, no flush. Requests are served one at a time in one thread, which borrows the test's connection (the
    test thread only waits meanwhile); Django's per-request connection closing is suspended, as it would end the
    test's transaction."""
    import threading
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from django.core import signals
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import close_old_connections, connections

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    shared = connections["default"]  # the wrapper itself, not the thread-local proxy
    shared.inc_thread_sharing()
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    server = make_server("127.0.0.1", 0, WSGIHandler(), handler_class=Quiet)

    def serve():
        connections["default"] = shared
        server.serve_forever(poll_interval=0.05)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
        shared.dec_thread_sharing()
