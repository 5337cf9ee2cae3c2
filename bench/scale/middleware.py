"""X-Bench-Ms and X-Bench-Queries on every response: the server's time for the request (from the
first middleware to the last byte of a non-streamed body) and the number of SQL statements."""

import time
from collections.abc import Callable

from django.db import connections
from django.http import HttpRequest, HttpResponse


class ServerTimingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        count = [0]

        def counter(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        start = time.perf_counter()
        wrappers = [connection.execute_wrapper(counter) for connection in connections.all()]
        for wrapper in wrappers:
            wrapper.__enter__()
        try:
            response = self.get_response(request)
            if not response.streaming:
                response.content  # noqa: B018 - rendered by now; counted in the time
        finally:
            for wrapper in wrappers:
                wrapper.__exit__(None, None, None)
        response["X-Bench-Ms"] = f"{(time.perf_counter() - start) * 1000:.2f}"
        response["X-Bench-Queries"] = str(count[0])
        return response
