"""Tester round 129, 3 (left by its fix, mended after): the token file's own errors (missing, a directory, open to
others, empty) said ``moodle.token_file: ...`` and "point [moodle] token_file at ..." when only
``LMSYNC_MOODLE_TOKEN_FILE`` had set the path, as every deploy/ variant does, so the admin looked for a key the file
lacks. They name the variable when it set the path, as doctor and configuration errors do, and the key otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from lmsync.config import load_config
from lmsync.errors import ConfigError

VARIABLE = "LMSYNC_MOODLE_TOKEN_FILE (moodle.token_file)"


def _refusal(tmp_path: Path, token: Path, *, by_environment: bool) -> ConfigError:
    cfg = tmp_path / "lmsync.toml"
    text = '[programme]\nname = "mentor-2026"\n[moodle]\nurl = "https://moodle.example.edu"\n'
    environ = {"HOME": str(tmp_path)}
    if by_environment:
        environ["LMSYNC_MOODLE_TOKEN_FILE"] = str(token)
    else:
        text += f'token_file = "{token}"\n'
    cfg.write_text(text)
    config = load_config(cfg, environ=environ)
    with pytest.raises(ConfigError) as refused:
        config.load_token()
    return refused.value


@pytest.mark.parametrize("fault", ["open to others", "a directory", "empty"])
def test_a_token_file_set_by_the_environment_is_named_by_its_variable(tmp_path: Path, fault: str) -> None:
    token = tmp_path / "token"
    if fault == "a directory":
        token.mkdir()
    else:
        token.write_text("" if fault == "empty" else "0123456789abcdef0123456789abcdef")
        token.chmod(0o644 if fault == "open to others" else 0o600)
    by_variable = _refusal(tmp_path, token, by_environment=True)
    by_key = _refusal(tmp_path, token, by_environment=False)
    assert by_variable.message.startswith(f"{VARIABLE}: {token}"), by_variable.message
    assert by_key.message.startswith(f"moodle.token_file: {token}"), by_key.message  # the file's key: as before
    if fault == "a directory":
        assert "point LMSYNC_MOODLE_TOKEN_FILE at" in (by_variable.hint or "")
        assert "point [moodle] token_file at" in (by_key.hint or "")
