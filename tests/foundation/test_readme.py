"""The README's promises: its configuration reference and its Quickstart."""

from __future__ import annotations

import re
from pathlib import Path

from opsbot.config import DEFAULT_CONFIG_YAML, parse_config

ROOT = Path(__file__).resolve().parents[2]


def test_readme_documents_the_whole_default_configuration() -> None:
    """The README's YAML reference is exactly the built-in default, and it loads."""
    readme = (ROOT / "README.md").read_text()
    assert DEFAULT_CONFIG_YAML.rstrip("\n") in readme
    block = re.search(r"```yaml\n(.*?)```", readme, re.S)
    assert block is not None
    parse_config(block.group(1), source="README.md")


def test_quickstart_is_two_make_targets_that_exist() -> None:
    """The Quickstart's two commands are `make console` and `make test`, both in the Makefile."""
    readme = (ROOT / "README.md").read_text()
    quickstart = readme.split("## Quickstart", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in quickstart.strip().splitlines()]
    assert commands == ["make console", "make test"]
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^console:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
