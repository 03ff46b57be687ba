"""`vidrecap serve` arguments (the server itself is exercised by the other tests)."""

from __future__ import annotations

from vidrecap.cli import build_parser, main
from vidrecap.serve.command import config_from_args


def test_serve_defaults_to_localhost(talk_dir):
    args = build_parser().parse_args(["serve", str(talk_dir.parent)])
    config = config_from_args(args)
    assert config.host == "127.0.0.1" and config.port == 8000 and not config.allow_upload
    assert "127.0.0.1" in config.allowed_hosts() and "*" not in config.allowed_hosts()


def test_serve_rejects_missing_or_empty_dirs(tmp_path, capsys):
    assert main(["serve", str(tmp_path / "missing")]) == 2
    assert "no such directory" in capsys.readouterr().err
    assert main(["serve", str(tmp_path)]) == 2
    assert "no recap here" in capsys.readouterr().err
    assert main(["serve", str(tmp_path), "--allow-upload", "--port", "70000"]) == 2
