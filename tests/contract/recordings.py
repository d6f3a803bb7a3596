"""Load the recorded Moodle 4.5 exchanges in ``tests/contract/recordings``.

Shared by the client's contract tests and the emulator's: both replay the same real
exchanges, so one loader keeps them reading the files the same way. Only the copy
inside the repository is used (``../shared`` may not exist in CI).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RECORDINGS_DIR = Path(__file__).parent / "recordings"

# Files in the folder that are not exchanges.
NOT_EXCHANGES = {"service.json", "site.json"}


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    form: list[tuple[str, str]]


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str
    body: str

    def json(self) -> Any:
        """The decoded body; raises ``ValueError`` for XML/HTML/empty bodies."""
        return json.loads(self.body)

    @property
    def is_json(self) -> bool:
        return self.content_type.startswith("application/json")

    @property
    def errorcode(self) -> str | None:
        """Moodle's ``errorcode`` when the body is an exception, else ``None``."""
        if not self.is_json:
            return None
        try:
            data = self.json()
        except ValueError:
            return None
        if isinstance(data, dict) and "exception" in data:
            return str(data.get("errorcode"))
        return None


@dataclass(frozen=True)
class Recording:
    function: str
    scenario: str
    path: Path
    request: Request
    response: Response
    notes: str = ""
    elapsed_ms: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def name(self) -> str:
        """``<function>/<file stem>``: a stable id for parametrised tests."""
        return f"{self.path.parent.name}/{self.path.stem}"


def load_recording(path: Path) -> Recording:
    data = json.loads(path.read_text(encoding="utf-8"))
    req = data["request"]
    resp = data["response"]
    return Recording(
        function=data["function"],
        scenario=data.get("scenario", ""),
        path=path,
        request=Request(
            method=req.get("method", "POST"),
            path=req.get("path", "/webservice/rest/server.php"),
            query=dict(req.get("query", {})),
            form=[(str(k), str(v)) for k, v in req.get("form", [])],
        ),
        response=Response(
            status=int(resp["status"]),
            content_type=resp.get("content_type", ""),
            body=resp.get("body", ""),
        ),
        notes=data.get("notes", ""),
        elapsed_ms=data.get("elapsed_ms"),
        raw=data,
    )


def recording_paths(root: Path = RECORDINGS_DIR) -> list[Path]:
    return sorted(p for p in root.glob("*/*.json") if p.name not in NOT_EXCHANGES)


def load_recordings(root: Path = RECORDINGS_DIR, function: str | None = None) -> Iterator[Recording]:
    """Yield every recorded exchange (sorted by path), optionally for one function."""
    for path in recording_paths(root):
        if function is not None and path.parent.name != function:
            continue
        yield load_recording(path)


def service_functions(root: Path = RECORDINGS_DIR) -> list[str]:
    """The web-service functions of the lmsync service (``service.json``)."""
    return list(json.loads((root / "service.json").read_text(encoding="utf-8"))["functions"])
