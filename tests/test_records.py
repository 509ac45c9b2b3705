"""Answers are frozen records (aikg.reach.records): their JSON is read back into equal records, and the CLI,
the HTML views and the front door draw a record and its JSON alike."""
import dataclasses
import json

import pytest
from click.testing import CliRunner

from aikg.cli import main
from aikg.reach.answers import answer, diff
from aikg.reach.projection import load_projection
from aikg.reach.records import Answer, Node, Restriction, Route, Source, Step
from aikg.store.embedded import open_store
from aikg.views.viz import path_html

QUESTIONS = [("Chinese enterprise customers", "GPT-4o", "2024-08-01", ()),
             ("Chinese enterprise customers", "GPT-4o", "2024-08-01", ("21Vianet",)),
             ("Tencent", "H100", "2024-08-01", ()),
             ("Tencent Singapore Lab", "H100", "2024-08-01", ())]


@pytest.fixture(scope="module")
def proj(founding):
    with open_store(str(founding)) as store:
        yield load_projection(store)


@pytest.mark.parametrize("who, what, at, without", QUESTIONS)
def test_an_answer_survives_its_json(proj, who, what, at, without):
    ans = answer(proj, who, what, at, without=without)
    assert isinstance(ans, Answer) and (ans.routes or ans.blocked_routes)
    as_json = ans.to_json()
    assert Answer.from_json(json.loads(json.dumps(as_json))) == ans
    assert ("without" in as_json) == bool(without)  # the what-if keys only for a what-if


def test_routes_hold_typed_steps_restrictions_and_sources(proj):
    ans = answer(proj, "Chinese enterprise customers", "GPT-4o", "2024-08-01")
    steps = [s for r in ans.routes + ans.blocked_routes for s in r.steps]
    assert steps and all(isinstance(s, Step) and isinstance(s.dst, Node) for s in steps)
    blocks = [b for r in ans.blocked_routes for b in r.blocked_by]
    assert blocks and all(isinstance(b, Restriction) for b in blocks)
    assert all(isinstance(src, Source) for s in steps for src in s.sources)
    assert any(s.sources for s in steps)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ans.routes[0].steps[0].blocked = True


def test_a_diff_keeps_the_routes_and_why(proj):
    d = diff(proj, "Chinese enterprise customers", "GPT-4o", "2024-07-01", "2024-08-01")
    assert d.closed and all(isinstance(c.route, Route) and c.why for c in d.closed)
    as_json = d.to_json()
    assert list(as_json["verdicts"]) == ["2024-07-01", "2024-08-01"]
    assert as_json["closed"][0]["steps"] == [s.to_json() for s in d.closed[0].route.steps]


def test_the_drawing_of_an_answer_and_of_its_json_are_the_same(proj):
    ans = answer(proj, "Chinese enterprise customers", "GPT-4o", "2024-08-01")
    assert path_html(ans) == path_html(ans.to_json())


def test_the_cli_prints_the_records_json(founding):
    result = CliRunner().invoke(main, ["--store", str(founding), "path", "Chinese enterprise customers", "GPT-4o",
                                       "--at", "2024-08-01", "--json"])
    assert result.exit_code == 0, result.output
    with open_store(str(founding)) as store:
        expected = answer(load_projection(store), "Chinese enterprise customers", "GPT-4o", "2024-08-01")
    assert json.loads(result.output) == expected.to_json()
