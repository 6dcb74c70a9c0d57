"""The simulator's HTTP API, on the standard library alone (HTTP/1.1, JSON, no keep-alive).

GET  /healthz          {"status": "ok", "bound_sessions": n, "bound_by_account": {id: n},
                        "messages": n, "submits_received": n}
GET  /messages         [{"system_id", "to", "from", "text", "parts", "message_ids",
                         "received_at"}] (system_id: the account that submitted it)
DELETE /messages       forget what was received
GET  /admin/faults     the faults in force
POST /admin/faults     change them: {"throttle_next": 2, "reset": true, …}
"""

from __future__ import annotations

import asyncio
import json
from http import HTTPStatus
from typing import Any

from fawtara.simulators.smsc.server import SmscSimulator

REQUEST_BODY_MAX = 64 * 1024


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    headers = {
        name.strip().lower(): value.strip()
        for name, _, value in (line.partition(":") for line in lines[1:] if line)
    }
    length = int(headers.get("content-length", "0"))
    if length > REQUEST_BODY_MAX:
        raise ValueError("request body too large")
    body = await reader.readexactly(length) if length else b""
    return method.upper(), target.split("?", 1)[0], body


def _route(smsc: SmscSimulator, method: str, path: str, body: bytes) -> tuple[int, Any]:
    if (method, path) == ("GET", "/healthz"):
        return 200, {
            "status": "ok",
            "bound_sessions": smsc.bound_sessions,
            "bound_by_account": smsc.bound_by_account,
            "messages": len(smsc.messages),
            "submits_received": smsc.submits_received,
        }
    if (method, path) == ("GET", "/messages"):
        return 200, [message.as_dict() for message in smsc.messages]
    if (method, path) == ("DELETE", "/messages"):
        smsc.messages.clear()
        return 200, {"messages": 0}
    if (method, path) == ("POST", "/admin/reset"):
        smsc.reset()
        return 200, {"reset": True}
    if (method, path) == ("GET", "/admin/faults"):
        return 200, smsc.faults.as_dict()
    if (method, path) == ("POST", "/admin/faults"):
        try:
            changes = json.loads(body or b"{}")
            if not isinstance(changes, dict):
                raise ValueError("a JSON object is expected")
            smsc.faults.update(changes)
        except (ValueError, TypeError) as error:
            return 400, {"error": str(error)}
        return 200, smsc.faults.as_dict()
    return 404, {"error": f"no route {method} {path}"}


async def handle_http(
    smsc: SmscSimulator, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        method, path, body = await _read_request(reader)
        status, answer = _route(smsc, method, path, body)
    except (ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as error:
        status, answer = 400, {"error": str(error)}
    payload = json.dumps(answer, ensure_ascii=False).encode("utf-8")
    writer.write(
        f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
        f"Content-Type: application/json; charset=utf-8\r\n"
        f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode("latin-1")
        + payload
    )
    try:
        await writer.drain()
    finally:
        writer.close()
