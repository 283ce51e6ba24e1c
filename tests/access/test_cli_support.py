"""``caredomain access catalogue`` and ``caredomain access route``, run as a user runs them:
in a child process, in English and in French."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from caredomain.access import Action
from caredomain.access.catalogue import load_catalogue
from caredomain.access.modes import Mode


def _caredomain(*args: str, cwd: Path, lang: str = "en") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "caredomain", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "CAREDOMAIN_LANG": lang},
    )


REFERRAL = (
    "access",
    "route",
    "--caller",
    "other",
    "--function",
    "configurator.users",
    "--release",
    "2024.05",
    "--manual",
    "--period",
    "transition",
    "--administrator-name",
    "Claire Dubois",
    "--caller-name",
    "Jean Martin",
    "--at",
    "2024-05-15T09:30+02:00",
    "--ticket",
    "T-118",
)


def test_the_catalogue_lists_every_function_with_its_releases(tmp_path: Path) -> None:
    result = _caredomain("access", "catalogue", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert (
        lines[0] == f"function catalogue 2024.07, every release: {len(load_catalogue())} functions"
    )
    assert lines[1].split() == ["FUNCTION", "CONSOLE", "ADMINISTRATOR", "LABEL"]
    users = next(line for line in lines if line.startswith("configurator.users "))
    assert users.split()[:3] == ["configurator.users", "2023.06-2024.07", "2024.04"]
    feed = next(line for line in lines if line.startswith("roster.feed "))
    assert feed.split()[:3] == ["roster.feed", "2023.06", "-"]
    assert {action.value for action in Action} <= {line.split()[0] for line in lines[2:]}


def test_the_catalogue_in_one_mode_at_one_release(tmp_path: Path) -> None:
    result = _caredomain(
        "access",
        "catalogue",
        "--mode",
        "administrator",
        "--release",
        "2024.05",
        "--json",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert (document["version"], document["release"], document["mode"]) == (
        "2024.07",
        "2024.05",
        "administrator",
    )
    names = [f["name"] for f in document["functions"]]
    assert names == [f.name for f in load_catalogue().in_mode(Mode.ADMINISTRATOR, "2024.05")]
    assert "device.manage" not in names
    users = next(f for f in document["functions"] if f["name"] == "configurator.users")
    assert users["console"] == {"since": "2023.06", "until": "2024.07"}
    assert users["administrator"] == {"since": "2024.04", "until": None}


def test_a_release_the_catalogue_does_not_know_is_bad_input(tmp_path: Path) -> None:
    result = _caredomain("access", "catalogue", "--release", "2025.01", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        "caredomain: error: release: the catalogue describes the releases up to 2024.07 "
        "(got '2025.01')\n"
    )


def test_a_caller_who_is_not_the_administrator_is_referred_to_her(tmp_path: Path) -> None:
    result = _caredomain(*REFERRAL, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "outcome: refer_to_administrator (refer the caller to the administrator; ticket "
        "closed, the administrator in copy)",
        "why: configurator.users is available in Administrator mode at 2024.05: the "
        "configuration's administrator does it",
        "ticket T-118: N1, closed",
        "  caller: Jean Martin",
        "  subject: Système applicatifs / configurateur eig",
        "  in copy: Claire Dubois",
        "  response: Renvoi vers l'administrateur configurateur",
        "  2024-05-15T09:30+02:00  opened at N1",
        "  2024-05-15T09:30+02:00  closed: Renvoi vers l'administrateur configurateur",
    ]


def test_route_in_french(tmp_path: Path) -> None:
    result = _caredomain(*REFERRAL, cwd=tmp_path, lang="fr")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("issue : refer_to_administrator (renvoyer l'appelant vers")
    assert lines[2] == "ticket T-118 : N1, clôturé"
    assert "  en copie : Claire Dubois" in lines
    assert lines[-1] == (
        "  2024-05-15T09:30+02:00  clôturé : Renvoi vers l'administrateur configurateur"
    )
    catalogue = _caredomain("access", "catalogue", "--mode", "console", cwd=tmp_path, lang="fr")
    assert catalogue.stdout.startswith(
        "catalogue des fonctions 2024.07, en mode pupitre en 2024.07 :"
    )
    assert catalogue.stdout.splitlines()[1].split() == [
        "FONCTION",
        "PUPITRE",
        "ADMINISTRATEUR",
        "LIBELLÉ",
    ]


def test_a_function_absent_from_administrator_mode_is_escalated(tmp_path: Path) -> None:
    result = _caredomain(
        "access",
        "route",
        "--caller",
        "administrator",
        "--function",
        "hr.pay_elements",
        "--manual",
        "--at",
        "2024-08-01T10:00+02:00",
        "--json",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["outcome"] == "new_subject_escalation"
    assert document["in_administrator_mode"] is False
    assert document["creates"] == ["Mode Administrateur", "hr.pay_elements"]
    ticket = document["ticket"]
    assert (ticket["level"], ticket["status"]) == ("R&D", "open")
    assert [entry["what"] for entry in ticket["history"]] == ["opened at N3", "escalated to R&D"]
    assert ticket["history"][0]["at"] == "2024-08-01T10:00:00+02:00"


def test_after_the_transition_without_an_administrator_a_written_request_is_paid(
    tmp_path: Path,
) -> None:
    words = ("access", "route", "--caller", "other", "--function", "configurator.rights")
    common = ("--manual", "--administrator", "none", "--at", "2024-09-02T14:00+02:00")
    asked = _caredomain(*words, *common, cwd=tmp_path)
    assert asked.returncode == 0, asked.stderr
    assert "outcome: written_request_required" in asked.stdout
    assert "next: on receipt, a paid SP ticket with a quote" in asked.stdout
    assert "ticket T-1: N1, awaiting the written request" in asked.stdout
    paid = _caredomain(*words, *common, "--written", cwd=tmp_path)
    assert "outcome: paid_intervention" in paid.stdout
    assert "ticket T-1: SP, open" in paid.stdout


def test_bad_route_input_is_one_line_each(tmp_path: Path) -> None:
    unknown = _caredomain(
        "access", "route", "--caller", "other", "--function", "hr.payroll", cwd=tmp_path
    )
    assert (unknown.returncode, unknown.stderr) == (
        2,
        "caredomain: error: no function hr.payroll in the catalogue 2024.07\n",
    )
    naive = _caredomain(
        "access",
        "route",
        "--caller",
        "other",
        "--function",
        "alarm",
        "--at",
        "2024-05-15T09:30",
        cwd=tmp_path,
    )
    assert naive.returncode == 2
    assert naive.stderr.startswith(
        "caredomain: error: --at: expected a date and time with its offset"
    )
    nameless = _caredomain(
        "access",
        "route",
        "--caller",
        "other",
        "--function",
        "alarm",
        "--administrator",
        "none",
        "--administrator-name",
        "Claire",
        cwd=tmp_path,
    )
    assert nameless.returncode == 2
    assert "administrator_name: no administrator is designated" in nameless.stderr
