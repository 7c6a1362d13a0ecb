"""Speed work changes no report (issue #18): every report of a fixed demo floor is the same,
character for character, as the one recorded before the report paths were rewritten.

The recorded outputs are in tests/data/reports (tests/report_golden.py wrote them); a report
whose output changes on purpose is recorded again with ``python tests/report_golden.py write``.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from tests import report_golden


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("golden") / "store"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FLOOR_NOW", report_golden.NOW)
        report_golden.build(root)
    return root


@pytest.fixture(scope="module", params=["files", "db", "db-and-back"])
def produced(request, demo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The reports of the demo store; of its copy in a database (issue #32, ``floor store
    copy``); and of that copy copied back into a directory."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FLOOR_NOW", report_golden.NOW)
        patch.setenv("FLOOR_LANG", "en")
        if request.param == "files":
            return report_golden.outputs(demo_root)
        from floorapp.cli.main import run

        cluster = request.getfixturevalue("pg_cluster")
        site = f"golden{id(request)}"
        address = cluster.login_address("tester")
        assert run(["--store", str(demo_root), "store", "copy", str(demo_root), address,
                    "--to-site", site]) == 0
        if request.param == "db":
            patch.setenv("FLOOR_SITE", site)
            return report_golden.outputs(address)  # type: ignore[arg-type]
        back = tmp_path_factory.mktemp("back") / "store"
        assert run(["--site", site, "store", "copy", address, str(back)]) == 0
        return report_golden.outputs(back)


@pytest.mark.parametrize("name", [name for name, _args in report_golden.REPORTS])
def test_report_is_as_recorded(produced: dict[str, str], name: str) -> None:
    expected = (report_golden.GOLDEN / name).read_text(encoding="utf-8")
    got = produced[name]
    if got != expected:
        diff = "".join(list(difflib.unified_diff(expected.splitlines(True), got.splitlines(True),
                                                 "recorded", "now"))[:60])
        pytest.fail(f"{name} differs from the recorded output:\n{diff}")


def test_the_recorded_reports_hold_figures() -> None:
    """The comparison means something: the recorded month has charged people, a ranking,
    an interview list and QA scores (a demo that produced empty reports would pass anything)."""
    import json

    month = json.loads((report_golden.GOLDEN / "month-2026-10.json").read_text("utf-8"))
    assert any(row["total_deduction"] != "0.00" for row in month["staff"])
    assert month["quota_ranking"] and month["guarantee"]
    assert "interview_list" in month and month["qa"]["staff"]
    qa = json.loads((report_golden.GOLDEN / "qa-2026-10.json").read_text("utf-8"))
    assert qa
