"""InfluxDB's error envelope: `{"code", "message"}` JSON, the `X-Platform-Error-Code` header and
the status its code maps to (kit/transport/http/error_handler.go; `conflict` is 422, not 409)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

STATUS = {
    "invalid": 400, "empty value": 400, "unauthorized": 401, "forbidden": 403,
    "not found": 404, "method not allowed": 405, "conflict": 422,
    "unprocessable entity": 422, "too many requests": 429, "request too large": 413,
    "internal error": 500, "not implemented": 501, "unavailable": 503,
}


class ApiError(Exception):
    """An error answered as InfluxDB answers it; `code` is one of STATUS's keys."""

    def __init__(self, code: str, message: str) -> None:
        if code not in STATUS:
            raise ValueError(f"unknown InfluxDB error code {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def status(self) -> int:
        return STATUS[self.code]


def error_response(code: str, message: str) -> JSONResponse:
    """The JSON error body and headers InfluxDB sends."""
    return JSONResponse({"code": code, "message": message}, status_code=STATUS[code],
                        headers={"X-Platform-Error-Code": code},
                        media_type="application/json; charset=utf-8")


async def api_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.code, exc.message)


async def http_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    """Starlette's own errors (no such path, a method the path does not take) in InfluxDB's
    envelope."""
    assert isinstance(exc, HTTPException)
    code = {404: "not found", 405: "method not allowed", 413: "request too large"}.get(
        exc.status_code, "internal error" if exc.status_code >= 500 else "invalid")
    message = "path not found" if exc.status_code == 404 else str(exc.detail).lower()
    return error_response(code, message)
