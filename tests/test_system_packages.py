"""scripts/ensure-system-packages installs what is missing (as root with apt-get) instead of skipping the tests
that need it: a stub apt-get records what it is asked for."""

import os
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _run(tmp_path, *, chromium: str):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "apt.log"
    (bin_dir / "apt-get").write_text(f'#!/bin/sh\necho "$@" >> {log}\n')
    (bin_dir / "id").write_text("#!/bin/sh\necho 0\n")  # root, as in CI
    for stub in ("apt-get", "id"):
        (bin_dir / stub).chmod(0o755)
    for tool in ("xargs", "echo", "grep", "sh", "bash"):
        os.symlink(shutil.which(tool), bin_dir / tool)
    result = subprocess.run(["bash", str(REPO / "scripts" / "ensure-system-packages")], capture_output=True,
                            text=True, env={"PATH": str(bin_dir), "PORTAL_CHROMIUM": chromium}, timeout=60)
    return result, (log.read_text() if log.exists() else "")


def test_a_missing_browser_is_installed_not_skipped(tmp_path):
    result, asked = _run(tmp_path, chromium=str(tmp_path / "no-chromium"))
    assert result.returncode == 0
    assert "install" in asked and "chromium" in asked.split()
    assert "Installing Debian's" in result.stdout


def test_nothing_is_installed_when_nothing_is_missing(tmp_path, monkeypatch):
    browser = tmp_path / "chromium"
    browser.write_text("#!/bin/sh\n")
    browser.chmod(0o755)
    # With no fc-list, ldconfig or caddy on the stub PATH, the font and Caddy count as missing: the script asks
    # for them and for nothing else (the libraries are found by /sbin/ldconfig where it exists).
    result, asked = _run(tmp_path, chromium=str(browser))
    assert "chromium" not in asked.split()
