"""HTML views: what they show, determinism, offline pages and escaping (no browser here)."""
import base64
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from aikg.errors import InputError, NotFound
from aikg.namespace import ENT, GRAPH
from aikg.store.embedded import EmbeddedStore
from aikg.views.viz import graph_page, path_html, path_page, render_graph, render_path

DATA = Path(__file__).parent / "data" / "viz"
HOSTILE_IMG = "<img src=x onerror=window.__pwned=1>"
HOSTILE_SCRIPT = "</script><script>window.__pwned=2</script>"
HOSTILE_HREF = '<a href="javascript:window.__pwned=3">href</a>'


def founding_answer() -> dict:
    return json.loads((DATA / "founding_answer.json").read_text(encoding="utf-8"))


def load_story(path) -> None:
    """Write the founding-story fixture into the store at ``path``."""
    graph = Graph()
    graph.parse(DATA / "founding_story.ttl", format="turtle")
    with EmbeddedStore(path, write=True) as store:
        store.replace_graph(GRAPH["doc/viz-story"], graph)


def hostile_graph() -> Graph:
    """Labels, aliases, titles and quotes a hostile document could bring in."""
    graph = Graph()
    graph.parse(DATA / "hostile.ttl", format="turtle")
    return graph


def hostile_answer() -> dict:
    return json.loads((DATA / "hostile_answer.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def story_path(tmp_path_factory):
    """Ontology plus the founding-story fixture; read-only for the tests that share it."""
    from aikg.facts.bootstrap import init_store

    path = tmp_path_factory.mktemp("viz") / "story"
    init_store(str(path), empty=True)
    load_story(path)
    return path


@pytest.fixture
def story(story_path):
    with EmbeddedStore(story_path) as store:
        yield store


@pytest.fixture
def hostile(empty_store_path):
    with EmbeddedStore(empty_store_path, write=True) as store:
        store.replace_graph(GRAPH["doc/hostile"], hostile_graph())
        yield store


def page_data(html: str) -> dict:
    """The nodes, edges and options the page hands to vis-network."""
    match = re.search(r"var AIKG = (\{.*?\});\n", html, re.S)
    assert match, "page data not found"
    return json.loads(match.group(1))


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs, self.scripts, self._in_script = [], [], [], False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag):
        self._in_script = False if tag == "script" else self._in_script

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


PAGE_TAGS = {"html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "p", "span", "div", "input",
             "datalist", "main", "aside", "ul", "li", "svg", "circle", "rect", "polygon", "line", "script"}


def parsed(html: str) -> Tags:
    tags = Tags()
    tags.feed(html)
    return tags


# --------------------------------------------------------------------------- what the export shows

def test_whole_graph_shows_every_entity_and_fact(story):
    page = graph_page(story)
    data = page_data(page.html)
    assert (page.nodes, page.edges) == (14, 24)  # 11 entities + 3 restrictions; documents and statements are not drawn
    assert len(data["nodes"]) == 14 and len(data["edges"]) == 24
    labels = {n["name"] for n in data["nodes"]}
    assert {"GPT-4o", "Azure OpenAI Service", "ChatGPT ban in China"} <= labels
    assert "Test note: Chinese firms keep reaching OpenAI models via Azure" not in labels
    assert page.notes == ()


def test_node_and_edge_tooltips_carry_type_aliases_jurisdiction_validity_and_sources(story):
    data = page_data(render_graph(story))
    node = {n["name"]: n for n in data["nodes"]}
    azure = node["Azure OpenAI Service"]["title"]
    assert "type: Service" in azure and "aliases: Azure OpenAI" in azure and "available in: China, Hong Kong" in azure
    assert "based in: China" in node["Chinese enterprise customers"]["title"]
    block = node["OpenAI API access block in China"]["title"]
    assert "kind: access block" in block and "in force: from 2024-07-09" in block and "imposed by: OpenAI" in block
    assert node["OpenAI API access block in China"]["shape"] == "box"
    edge = next(e for e in data["edges"] if e["label"] == "available in" and e["to"] == str(ENT.china))
    assert "Test note: Chinese firms keep reaching OpenAI models via Azure" in edge["title"]
    assert "Azure OpenAI stays open to enterprise clients" in edge["title"]
    invested = next(e for e in data["edges"] if e["label"] == "invested in")
    assert "valid: from 2019-07-22" in invested["title"]
    assert {e["kind"] for e in data["edges"]} == {"fact", "restriction"}


def test_at_keeps_only_facts_valid_and_restrictions_in_force(story):
    later = page_data(render_graph(story, at="2024-08-01"))
    names = {n["name"] for n in later["nodes"]}
    assert "Old pause on Azure OpenAI in Hong Kong" not in names  # ended 2023-03-31
    assert "OpenAI API access block in China" in names
    assert not any(e["label"] == "partner of" for e in later["edges"])  # valid until 2020
    assert len(later["nodes"]) == 13 and len(later["edges"]) == 20
    early = page_data(render_graph(story, at="2019-01-01"))
    names = {n["name"] for n in early["nodes"]}
    assert "OpenAI API access block in China" not in names and "ChatGPT ban in China" in names  # no dates: always
    assert not any(e["label"] == "invested in" for e in early["edges"])  # from 2019-07-22
    assert any(e["label"] == "partner of" for e in early["edges"])


def test_focus_and_depth_draw_a_neighbourhood_with_the_focus_emphasised(story):
    page = graph_page(story, focus="gpt4o", depth=1)  # an alias, any case
    data = page_data(page.html)
    names = {n["name"] for n in data["nodes"]}
    assert names == {"GPT-4o", "OpenAI", "OpenAI API", "ChatGPT", "Azure OpenAI Service"}
    assert page.edges == 6
    focus = next(n for n in data["nodes"] if n["name"] == "GPT-4o")
    assert focus["borderWidth"] > 3
    assert "Neighbourhood of GPT-4o" in page.html
    assert graph_page(story, focus="GPT-4o", depth=0).nodes == 1


def test_types_keep_classes_and_their_subclasses(story):
    data = page_data(render_graph(story, types="company, Service"))
    assert len(data["nodes"]) == 6 and len(data["edges"]) == 6
    orgs = page_data(render_graph(story, types=["Organization"]))
    assert {n["name"] for n in orgs["nodes"]} == {"OpenAI", "Microsoft", "21Vianet",
                                                  "Cyberspace Administration of China"}
    assert len(page_data(render_graph(story, types="AI model")) ["nodes"]) == 1  # a class label works too


def test_bad_options_are_user_errors(story):
    with pytest.raises(InputError, match="unknown class 'widget'"):
        graph_page(story, types="widget")
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        graph_page(story, at="last tuesday")
    with pytest.raises(NotFound):
        graph_page(story, focus="no such thing at all")
    with pytest.raises(InputError):
        graph_page(story, limit=0)


def test_beyond_the_limit_the_page_keeps_the_most_connected_part_and_says_so(story):
    page = graph_page(story, limit=5)
    assert page.nodes == 5
    assert page.notes and page.notes[0].startswith("showing 5 of 14 nodes")
    assert "around Azure OpenAI Service" in page.notes[0]  # most connected (tied with China; IRI order decides)
    assert page.notes[0] in page.html
    near = graph_page(story, focus="Azure OpenAI Service", depth=3, limit=4)
    names = {n["name"] for n in page_data(near.html)["nodes"]}
    assert "Azure OpenAI Service" in names and len(names) == 4
    assert "around Azure OpenAI Service" in near.notes[0]


def test_layout_is_precomputed_and_physics_off(story):
    data = page_data(render_graph(story))
    assert data["options"]["physics"] == {"enabled": False}
    assert all(isinstance(n["x"], int) and isinstance(n["y"], int) for n in data["nodes"])
    assert len({(n["x"], n["y"]) for n in data["nodes"]}) == len(data["nodes"])


# --------------------------------------------------------------------------- deterministic and offline

def test_same_input_same_bytes(story_path, tmp_path):
    with EmbeddedStore(story_path) as store:
        first = render_graph(store)
        assert render_graph(store) == first
        focused = render_graph(store, focus="GPT-4o", at="2024-08-01")
        assert render_graph(store, focus="GPT-4o", at="2024-08-01") == focused
    from aikg.facts.bootstrap import init_store

    other = tmp_path / "other"
    init_store(str(other), empty=True)
    load_story(other)
    with EmbeddedStore(other) as store:
        assert render_graph(store) == first  # a second store built from the same facts
    assert path_html(founding_answer()) == path_html(founding_answer())


def test_page_is_self_contained(story):
    html = render_graph(story)
    tags = parsed(html)
    assert set(tags.tags) <= PAGE_TAGS
    assert not [a for a in tags.attrs if a[0] in ("src", "href", "srcset", "action")]
    assert not re.search(r"cdnjs|jsdelivr|unpkg|bootstrap", html) and "http-equiv=\"refresh\"" not in html
    assert len(tags.scripts) == 2 and "vis-network" in html and "var AIKG = " in tags.scripts[1]


def test_csp_allows_exactly_the_page_scripts(story):
    html = render_graph(story)
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html).group(1)
    assert "default-src 'none'" in csp and "connect-src" not in csp  # default-src covers fetches
    hashes = set(re.findall(r"'sha256-([^']+)'", csp))
    scripts = parsed(html).scripts
    assert hashes == {base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() for s in scripts}


# --------------------------------------------------------------------------- escaping

def test_hostile_labels_are_escaped_everywhere(hostile):
    html = render_graph(hostile, focus=HOSTILE_IMG, depth=2)  # the heading carries the focus label
    for raw in (HOSTILE_IMG, HOSTILE_SCRIPT, HOSTILE_HREF, "<a href", "<img"):
        assert raw not in html
    assert "Neighbourhood of &lt;img src=x onerror=window.__pwned=1&gt;" in html  # the pyvis `heading` hole
    tags = parsed(html)
    assert set(tags.tags) <= PAGE_TAGS and len(tags.scripts) == 2
    data = page_data(html)
    names = {n["name"] for n in data["nodes"]}
    assert names == {HOSTILE_IMG, HOSTILE_SCRIPT, HOSTILE_HREF}  # intact as text, for the canvas and tooltips
    assert any("href" in n["title"] for n in data["nodes"])
    edge = next(e for e in data["edges"] if e["label"] == "provides access to")
    assert HOSTILE_HREF + HOSTILE_IMG in edge["title"] and HOSTILE_SCRIPT in edge["title"]


def test_tooltips_and_find_box_never_become_markup(hostile):
    """pyvis switches every tooltip to innerHTML when a title holds "href" and writes select-menu ids raw."""
    html = render_graph(hostile)
    assert "innerHTML" not in parsed(html).scripts[1]
    assert "tooltip_link" not in html and "popup.innerHTML" not in html
    assert "<option" not in html  # the find box is filled through the DOM from the data
    assert 'id="aikg-find-list"></datalist>' in html


def test_hostile_path_answer_is_escaped():
    html = path_html(hostile_answer())
    for raw in (HOSTILE_IMG, HOSTILE_SCRIPT, HOSTILE_HREF, "<a href", "<img"):
        assert raw not in html
    assert "Can &lt;a href=" in html
    assert "verdict-&lt;img" not in html or "&lt;img" in html
    tags = parsed(html)
    assert set(tags.tags) <= PAGE_TAGS and len(tags.scripts) == 2
    data = page_data(html)
    assert {e["kind"] for e in data["edges"]} == {"open", "blocked", "blocked_by"}


# --------------------------------------------------------------------------- path view

def test_path_view_describes_route_nodes_from_the_projection_the_answer_came_from(story):
    from aikg.reach.answers import answer
    from aikg.reach.projection import load_projection

    proj = load_projection(story)
    ans = answer(proj, "Chinese enterprise customers", "GPT-4o", "2024-08-01")
    page = path_page(ans, projection=proj)
    assert page.html == path_page(ans, store=story).html  # a store is read through its projection
    titles = {n["id"]: n["title"] for n in page_data(page.html)["nodes"]}
    azure = titles[str(ENT["azure-openai-service"])]
    assert "type: Service" in azure and "aliases: Azure OpenAI" in azure and "available in: China, Hong Kong" in azure
    assert "based in: China" in titles[str(ENT["chinese-enterprise-customers"])]
    bare = {n["id"]: n["title"] for n in page_data(path_page(ans).html)["nodes"]}
    assert "available in" not in bare[str(ENT["azure-openai-service"])]  # without a projection: the answer alone


def test_path_view_draws_open_and_blocked_routes_to_their_restrictions(story):
    page = path_page(founding_answer(), store=story)
    data = page_data(page.html)
    assert (page.nodes, page.edges) == (7, 8)
    kinds = {}
    for e in data["edges"]:
        kinds.setdefault(e["kind"], []).append(e)
    assert len(kinds["open"]) == 2 and not any(e["dashes"] for e in kinds["open"])
    assert len(kinds["blocked"]) == 4
    assert all(e["dashes"] and e["color"]["color"] == "#CC3311" for e in kinds["blocked"])
    blocked_by = {(e["from"], e["to"]) for e in kinds["blocked_by"]}
    assert blocked_by == {(str(ENT["openai-api"]), str(ENT["restriction-openai-api-china"])),
                          (str(ENT.chatgpt), str(ENT["restriction-chatgpt-china"]))}
    node = {n["id"]: n for n in data["nodes"]}
    for end in (ENT["chinese-enterprise-customers"], ENT["gpt-4o"]):
        assert node[str(end)]["borderWidth"] > 3
    assert node[str(ENT["openai-api"])]["borderWidth"] < 3
    assert node[str(ENT["gpt-4o"])]["shape"] == "hexagon"  # class from the store's projection
    assert "aliases: GPT4o" in node[str(ENT["gpt-4o"])]["title"]
    assert "from 2024-07-09" in node[str(ENT["restriction-openai-api-china"])]["label"]
    assert "OpenAI said it would stop serving API traffic" in node[str(ENT["restriction-openai-api-china"])]["title"]
    assert "reachable" in page.html and "1 open route, 2 blocked routes" in page.html
    assert node[str(ENT["chinese-enterprise-customers"])]["x"] < node[str(ENT["openai-api"])]["x"] \
        < node[str(ENT["gpt-4o"])]["x"]


def test_path_view_without_a_store_and_with_an_explicit_blocked_node():
    answer = founding_answer()
    answer["blocked_routes"][0]["blocked_by"][0]["restricts"] = answer["to"]  # say the block is on the model
    data = page_data(path_html(answer))
    blocked_by = {e["from"] for e in data["edges"] if e["kind"] == "blocked_by"}
    assert blocked_by == {str(ENT["gpt-4o"]), str(ENT.chatgpt)}
    assert all(n["shape"] in ("dot", "box") for n in data["nodes"])  # no store: no classes, still drawn


def test_render_path_writes_the_file_and_rejects_non_answers(tmp_path):
    out = tmp_path / "path.html"
    page = render_path(founding_answer(), out)
    assert out.read_text(encoding="utf-8") == page.html
    with pytest.raises(InputError):
        path_html({"routes": []})
    empty = path_page({"from": {"id": "a", "label": "A"}, "to": {"id": "b", "label": "B"}, "verdict": "no_route",
                       "routes": [], "blocked_routes": []})
    assert empty.nodes == 2 and empty.notes == ("no route found between these two",)


# --------------------------------------------------------------------------- the CLI

def test_cli_export_html(story_path, tmp_path):
    from aikg.cli import main

    out = tmp_path / "view.html"
    runner = CliRunner()
    result = runner.invoke(main, ["--store", str(story_path), "export", "--format", "html", "-o", str(out),
                                  "--focus", "Azure OpenAI", "--depth", "1", "--types", "Company,Service,Jurisdiction",
                                  "--at", "2024-08-01"])
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and "nodes" in result.output
    names = {n["name"] for n in page_data(out.read_text(encoding="utf-8"))["nodes"]}
    assert names == {"Azure OpenAI Service", "Microsoft", "21Vianet", "China", "Hong Kong"}
    assert runner.invoke(main, ["--store", str(story_path), "export", "--format", "html"]).exit_code == 2
    assert runner.invoke(main, ["--store", str(story_path), "export", "--format", "ttl", "--focus", "x"]).exit_code == 2
    bad = runner.invoke(main, ["--store", str(story_path), "export", "--format", "html", "-o", str(out),
                               "--types", "widget"])
    assert bad.exit_code == 1 and "unknown class" in bad.output


def test_path_view_reads_the_reach_engines_marks_and_context():
    answer = founding_answer()
    blocked = answer["blocked_routes"][0]
    blocked["steps"][0]["blocked"] = True
    blocked["blocked_by"][0]["restricts"] = [{"id": str(ENT["openai-api"]), "label": "OpenAI API"}]
    blocked["blocked_by"][0]["kind"] = {"id": "https://w3id.org/aikg/ns#AccessBlock", "label": "access block"}
    open_route = answer["routes"][0]
    open_route["steps"][1]["confirmed"] = False
    open_route["context"] = [{"node": {"id": str(ENT["azure-openai-service"]), "label": "Azure OpenAI Service"},
                              "offered_by": [{"id": str(ENT.microsoft), "label": "Microsoft"}], "operated_by": [],
                              "part_of": [{"id": str(ENT["azure-china"]), "label": "Azure China",
                                           "operated_by": [{"id": str(ENT["21vianet"]), "label": "21Vianet"}]}]}]
    answer["notes"] = ["a note from the engine"]
    page = path_page(answer)
    data = page_data(page.html)
    node = {n["id"]: n for n in data["nodes"]}
    azure = node[str(ENT["azure-openai-service"])]
    assert "(Microsoft, operated by 21Vianet)" in azure["label"]
    assert "part of Azure China, operated by 21Vianet" in azure["title"]
    assert "kind: access block" in node[str(ENT["restriction-openai-api-china"])]["title"]
    kinds = {(e["from"], e["to"]): e["kind"] for e in data["edges"]}
    assert kinds[(str(ENT["azure-openai-service"]), str(ENT["gpt-4o"]))] == "open_unconfirmed"
    assert kinds[(str(ENT["openai-api"]), str(ENT["restriction-openai-api-china"]))] == "blocked_by"
    assert page.notes == ("a note from the engine",)
    assert "open route, hop not confirmed" in page.html  # in the legend


@pytest.mark.parametrize("focus, depth, types, at, limit", [
    ("GPT-4o", 0, None, None, 2000), ("GPT-4o", 1, None, None, 2000), ("Azure OpenAI Service", 2, None, None, 2000),
    ("China", 1, None, "2024-08-01", 2000), ("Nvidia", 2, "Chip,Company", None, 2000),
    ("H20", 2, None, "2025-05-01", 2000),
    ("Microsoft", 2, None, None, 40), ("United States", 1, "Regulator", "2023-01-01", 2000)])
def test_a_focused_view_reads_its_neighbourhood_and_draws_what_the_whole_store_gives(
        reference_store_path, monkeypatch, focus, depth, types, at, limit):
    import aikg.views.viz as viz

    with EmbeddedStore(reference_store_path) as store:
        focused = graph_page(store, focus=focus, depth=depth, types=types, at=at, limit=limit)
        monkeypatch.setattr(viz, "_FOCUSED_LOAD_MAX", 0)  # every focused view reads the whole store
        whole = graph_page(store, focus=focus, depth=depth, types=types, at=at, limit=limit)
    digest = lambda page: (page.nodes, page.edges, page.notes, hashlib.sha256(page.html.encode()).hexdigest())  # noqa: E731
    assert digest(focused) == digest(whole) and focused.nodes >= 1
