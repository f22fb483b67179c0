"""On a terminal: no third-party notices, only mediamon's own output."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

MEDIAMON = Path(sys.executable).with_name("mediamon")
# Variables that make Prefect treat the session as CI (and so stay quiet anyway), and its opt-out.
NOT_A_USER = ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE", "CIRCLECI", "JENKINS_URL", "TRAVIS",
              "TF_BUILD", "BITBUCKET_BUILD_NUMBER", "CODEBUILD_BUILD_ID", "TEAMCITY_VERSION", "DO_NOT_TRACK")


def test_first_prefect_import_on_a_terminal_prints_no_telemetry_notice(tmp_path: Path) -> None:
    config = tmp_path / "mediamon.toml"
    config.write_text('[[sources]]\nname = "a"\nlocation = "x"\n')
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PREFECT_") and k not in NOT_A_USER and "_CI" not in k}
    env["PREFECT_HOME"] = str(tmp_path / "fresh-prefect-home")  # a first run: no notice shown yet
    main_fd, term_fd = pty.openpty()
    # `deploy` imports Prefect, then stops: no server is configured.
    proc = subprocess.Popen([str(MEDIAMON), "deploy", "--config", str(config)], env=env,
                            stdin=term_fd, stdout=term_fd, stderr=term_fd)
    os.close(term_fd)
    output = b""
    while True:
        try:
            chunk = os.read(main_fd, 4096)
        except OSError:  # the terminal closed: the process is gone
            break
        if not chunk:
            break
        output += chunk
    os.close(main_fd)
    assert proc.wait(timeout=120) == 1
    text = output.decode("utf-8", "replace")
    assert "scheduled runs need a Prefect server" in text
    assert "anonymous usage" not in text and "telemetry" not in text.lower(), text
