"""The query page ``aikg serve`` answers at ``/``: one self-contained HTML file.

The competency queries (``ontology/queries/*.rq``) are its examples, each with
its question and its ``VALUES`` parameters as fields; results are a table
whose aikg IRIs link to the entity pages (``/entity?id=IRI``, documents
``/document?id=IRI``); ``/?q=QUERY`` is a permalink that runs the query on
load; every result can be downloaded in each format the endpoint writes.
"""
import json
from functools import lru_cache

from ..sparql.queries import parameters, queries_dir

__all__ = ["query_page", "examples"]

DEFAULT_QUERY = """SELECT ?class (COUNT(?e) AS ?n) WHERE {
  ?e a ?class FILTER(STRSTARTS(STR(?class), STR(aikg:)))
} GROUP BY ?class ORDER BY DESC(?n)"""


def examples() -> list[dict]:
    """Each competency query: file name, question (its ``# Question:`` line), text, parameters with defaults."""
    out = []
    for path in sorted(queries_dir().glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        question = next((line.split(":", 1)[1].strip() for line in text.splitlines()
                         if line.startswith("# Question:")), path.stem)
        out.append({"name": path.stem, "question": question, "text": text, "parameters": parameters(text)})
    return out


def _json_for_script(value) -> str:
    """JSON that cannot end the <script> element it sits in.

    >>> out = _json_for_script({"text": "</script><b>&"})
    >>> "<" in out or "&" in out, json.loads(out)["text"]
    (False, '</script><b>&')
    """
    return json.dumps(value, ensure_ascii=True).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@lru_cache(maxsize=1)
def query_page() -> str:
    return _PAGE.replace("__EXAMPLES__", _json_for_script(examples())).replace(
        "__DEFAULT__", _json_for_script(DEFAULT_QUERY))


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>aikg SPARQL</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.4 system-ui,sans-serif;margin:1.5rem auto;max-width:72rem;padding:0 1rem;color:#222}
textarea{width:100%;height:14rem;font:14px/1.35 ui-monospace,monospace;box-sizing:border-box}
table{border-collapse:collapse;margin-top:1rem;font-size:14px}th,td{border:1px solid #ccc;padding:.2rem .5rem;
text-align:left;vertical-align:top}th{background:#f3f3f3}#status{margin-left:1rem;color:#555}
.error{color:#a00;white-space:pre-wrap}pre{background:#f7f7f7;padding:.5rem;overflow:auto}
#params label{display:inline-block;margin:.2rem 1rem .2rem 0}#params input{font:13px ui-monospace,monospace;width:22rem}
#downloads a{margin-right:.6rem}#question{color:#444;font-style:italic}
</style></head><body>
<h1>aikg SPARQL endpoint</h1>
<p><a href="/ask">Ask a reach question</a> · <a href="/search">Search entities</a> ·
<a href="/query">Service description</a></p>
<p>Prefixes <code>aikg:</code>, <code>ent:</code>, <code>rdfs:</code>, <code>skos:</code>, <code>prov:</code>
and others are predeclared. The default graph is the union of all graphs. Endpoint: <code>/query</code>.</p>
<form id="form" method="get" action="/">
<p><label>Example: <select id="example"><option value="">(your own query)</option></select></label>
<span id="question"></span></p>
<div id="params"></div>
<textarea id="query" name="q" spellcheck="false"></textarea>
<p><button id="run" type="submit">Run query</button> <a id="permalink" href="/">permalink</a>
<span id="status"></span></p>
</form>
<p id="downloads"></p>
<div id="out"></div>
<script>
"use strict";
const EXAMPLES = __EXAMPLES__, DEFAULT_QUERY = __DEFAULT__;
const AIKG = "https://w3id.org/aikg/", DOCS = AIKG + "doc/";
const PREFIXES = [["aikg", AIKG + "ns#"], ["ent", AIKG + "id/"], ["doc", DOCS], ["rdfs", "http://www.w3.org/2000/01/rdf-schema#"],
  ["xsd", "http://www.w3.org/2001/XMLSchema#"], ["skos", "http://www.w3.org/2004/02/skos/core#"]];
const TABLE_FORMATS = [["JSON", "json"], ["XML", "xml"], ["CSV", "csv"], ["TSV", "tsv"]];
const GRAPH_FORMATS = [["Turtle", "turtle"], ["N-Triples", "nt"], ["N-Quads", "nq"], ["TriG", "trig"],
  ["RDF/XML", "rdfxml"], ["JSON-LD", "jsonld"]];
const $ = (id) => document.getElementById(id);
const form = $("form"), out = $("out"), status = $("status"), text = $("query"), select = $("example");
function el(tag, content) {
  const e = document.createElement(tag);
  if (content !== undefined) e.textContent = content;
  return e;
}
function curie(iri) {
  for (const [p, ns] of PREFIXES) {
    if (iri.startsWith(ns) && iri.length > ns.length) return p + ":" + iri.slice(ns.length);
  }
  return "<" + iri + ">";
}
function pageFor(iri) {
  if (!iri.startsWith(AIKG) || iri.startsWith(AIKG + "ns#")) return null;
  return (iri.startsWith(DOCS) ? "/document" : "/entity") + "?id=" + encodeURIComponent(iri);
}
function cell(term) {
  const td = el("td");
  if (!term) return td;
  if (term.type === "uri") {
    const href = pageFor(term.value);
    if (href) { const a = el("a", curie(term.value)); a.href = href; a.title = term.value; td.append(a); }
    else td.textContent = curie(term.value);
  } else if (term.type === "bnode") td.textContent = "_:" + term.value;
  else td.textContent = term.value + (term["xml:lang"] ? "@" + term["xml:lang"] : "");
  return td;
}
function escapeRe(s) { return s.replace(/[.*+?^${}()|[\\]\\\\]/g, "\\\\$&"); }
function showParams(example) {
  const box = $("params");
  box.replaceChildren();
  $("question").textContent = example ? example.question : "";
  if (!example) return;
  for (const [name, value] of Object.entries(example.parameters)) {
    const label = el("label", "?" + name + " "), input = el("input");
    const re = new RegExp("VALUES \\\\?" + escapeRe(name) + " \\\\{ ([^}]*?) \\\\}");
    const current = text.value.match(re);  // a permalink's query may carry other values than the file
    input.value = current ? current[1] : value; input.dataset.param = name; input.id = "param-" + name;
    input.addEventListener("input", () => {
      text.value = text.value.replace(re, "VALUES ?" + name + " { " + input.value + " }");
    });
    label.append(input);
    box.append(label);
  }
}
for (const ex of EXAMPLES) {
  const o = el("option", ex.name + ": " + ex.question);
  o.value = ex.name;
  select.append(o);
}
select.addEventListener("change", () => {
  const ex = EXAMPLES.find((e) => e.name === select.value);
  if (ex) text.value = ex.text;
  showParams(ex);
});
function downloads(query, graph) {
  const box = $("downloads");
  box.replaceChildren("Download: ");
  for (const [label, fmt] of graph ? GRAPH_FORMATS : TABLE_FORMATS) {
    const a = el("a", label);
    a.href = "/query?" + new URLSearchParams({query: query, format: fmt});
    a.download = "result." + fmt;
    box.append(a);
  }
}
async function run() {
  const query = text.value;
  out.replaceChildren();
  $("downloads").replaceChildren();
  const link = "/?" + new URLSearchParams(select.value ? {q: query, example: select.value} : {q: query});
  $("permalink").href = link;
  history.replaceState(null, "", link);
  status.textContent = "running...";
  const started = performance.now();
  try {
    const resp = await fetch("/query", {method: "POST",
      headers: {"Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/sparql-results+json, text/turtle;q=0.9"},
      body: new URLSearchParams({query: query})});
    const ms = Math.round(performance.now() - started);
    const type = resp.headers.get("Content-Type") || "";
    if (!resp.ok) {
      const p = el("p", "HTTP " + resp.status + ": " + await resp.text());
      p.className = "error";
      out.append(p);
      status.textContent = "failed after " + ms + " ms";
      return;
    }
    if (!type.includes("json")) {
      out.append(el("pre", await resp.text()));
      downloads(query, true);
      status.textContent = "done in " + ms + " ms";
      return;
    }
    const data = await resp.json();
    downloads(query, false);
    if ("boolean" in data) {
      out.append(el("p", "ASK: " + data.boolean));
      status.textContent = "done in " + ms + " ms";
      return;
    }
    const table = el("table"), head = el("tr");
    for (const v of data.head.vars) head.append(el("th", v));
    table.append(head);
    for (const row of data.results.bindings) {
      const tr = el("tr");
      for (const v of data.head.vars) tr.append(cell(row[v]));
      table.append(tr);
    }
    out.append(table);
    const n = data.results.bindings.length;
    status.textContent = n + (n === 1 ? " row" : " rows") + " in " + ms + " ms";
  } catch (e) {
    const p = el("p", String(e));
    p.className = "error";
    out.append(p);
    status.textContent = "failed";
  }
}
form.addEventListener("submit", (ev) => { ev.preventDefault(); run(); });
const given = new URLSearchParams(location.search);
const chosen = EXAMPLES.find((e) => e.name === given.get("example"));
text.value = given.get("q") || (chosen ? chosen.text : DEFAULT_QUERY);
if (chosen) { select.value = chosen.name; showParams(chosen); }
if (given.get("q")) run();
</script>
</body></html>
"""
