"""The README's promises stay in step with the code."""

from finder.settings import Settings
from tests.conftest import ROOT
from ui.cli import main

README = (ROOT / "README.md").read_text()


def test_every_command_is_documented():
    for name in main.commands:
        assert f"finder {name}" in README, name


def test_every_setting_is_documented():
    for name in Settings.model_fields:
        assert f"FINDER_{name.upper()}" in README, name


def test_quick_start_is_the_two_commands():
    assert "make run" in README and "make test" in README
    makefile = (ROOT / "Makefile").read_text()
    assert "\nrun:" in makefile and "\ntest:" in makefile


def test_cli_reference_matches_help():
    from ui.cli_docs import TARGET, render

    assert TARGET.read_text() == render(), "docs/CLI.md is stale: run `python -m ui.cli_docs`"
