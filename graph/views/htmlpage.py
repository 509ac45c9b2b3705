"""One self-contained HTML page around vis-network: records, legend, inline assets, CSP.

Everything that came from data goes into the page as escaped text (Jinja
autoescape) or as JSON that cannot close its script element; the only markup
we write ourselves is the legend's fixed SVG. The Content-Security-Policy
lists the hashes of the two inline scripts, so an injected one would not run.
"""
import base64
import hashlib
import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment
from markupsafe import Markup
from pyvis.edge import Edge
from pyvis.network import Network

from ..errors import AikgError
from ..model import model
from .layout import SEED

__all__ = ["CLASS_STYLES", "OTHER_STYLE", "EDGE_STYLES", "style", "node_record", "edge_record", "wrap",
           "class_legend", "edge_legend", "emphasis_icon", "render_page"]

DATA = Path(__file__).resolve().parent.parent / "data"
FONT = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"

# Most specific first: an entity takes the first class it has. (legend label from the ontology, colour, vis shape)
_CLASS_LOOKS = {
    "Restriction": ("#CC3311", "box"),
    "CustomerSegment": ("#DDAA33", "triangle"),
    "Jurisdiction": ("#228833", "square"),
    "Regulator": ("#AA3377", "star"),
    "Company": ("#4477AA", "dot"),
    "Organization": ("#88A8D0", "dot"),
    "AIModel": ("#33BBEE", "hexagon"),
    "Service": ("#EE7733", "diamond"),
    "Chip": ("#555555", "triangleDown"),
    "Equipment": ("#997755", "triangleDown"),
    "Product": ("#AAAAAA", "dot"),
}
CLASS_STYLES = {name: (model().classes[name].label, colour, shape) for name, (colour, shape) in _CLASS_LOOKS.items()
                if name in model().classes}
OTHER_STYLE = ("Other", "#CCCCCC", "dot")
# key: (legend label, colour, dashes, width)
EDGE_STYLES: dict[str, tuple[str, str, list[int] | Literal[False], float]] = {
    "fact": ("fact (arrow: subject → object)", "#8A8F98", False, 1.2),
    "restriction": ("restriction link", "#CC3311", [6, 4], 1.2),
    "open": ("open route", "#0077BB", False, 3.5),
    "open_unconfirmed": ("open route, hop not confirmed", "#0077BB", [2, 5], 2.5),
    "blocked": ("blocked route", "#CC3311", [10, 6], 2.5),
    "blocked_by": ("blocked by (ends at the restriction)", "#CC3311", [3, 4], 2.0),
}

def style(cls: str) -> tuple[str, str, str]:
    return CLASS_STYLES.get(cls, OTHER_STYLE)


def node_record(nid: str, name: str, cls: str, title: str, *, degree: int = 1, emphasis: bool = False) -> dict:
    _label, colour, shape = style(cls)
    size = min(40.0, 12.0 + 3.0 * math.sqrt(max(degree, 1)))
    rec: dict[str, Any] = {"id": nid, "label": wrap(name, 30), "name": name, "title": title, "shape": shape,
           "color": {"background": colour, "border": _darker(colour),
                     "highlight": {"background": colour, "border": "#111111"},
                     "hover": {"background": colour, "border": "#111111"}},
           "borderWidth": 1.5, "size": round(size, 1)}
    if shape == "box":
        rec["font"] = {"color": "#ffffff", "strokeWidth": 0}
        rec["margin"] = 8
        rec["widthConstraint"] = {"maximum": 240}
        rec.pop("size")
    if emphasis:
        rec["borderWidth"] = 5
        rec["color"]["border"] = "#111111"
        rec["font"] = {**rec.get("font", {}), "size": 18}
        if "size" in rec:
            rec["size"] = 34
    return rec


def wrap(text: str, width: int) -> str:
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}" if line else w
    lines.append(line)
    return "\n".join(lines[:3]) + ("…" if len(lines) > 3 else "")


def _darker(colour: str) -> str:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#%02X%02X%02X" % (int(r * 0.7), int(g * 0.7), int(b * 0.7))


def edge_record(source: str, target: str, label: str, title: str, style: str) -> dict:
    _legend, colour, dashes, width = EDGE_STYLES[style]
    return {"from": source, "to": target, "label": label, "title": title, "dashes": dashes, "width": width,
            "color": {"color": colour, "highlight": "#111111", "hover": "#111111"}, "arrows": "to",
            "kind": style}


def _options(*, big: bool) -> dict:
    return {
        "autoResize": True,
        "layout": {"randomSeed": SEED, "improvedLayout": False},
        "physics": {"enabled": False},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": big, "hideEdgesOnZoom": big,
                        "keyboard": False, "multiselect": True},
        "nodes": {"font": {"size": 14, "face": FONT, "color": "#222222", "strokeWidth": 3,
                           "strokeColor": "#ffffff"}},
        "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.55}},
                  "font": {"size": 11, "face": FONT, "color": "#444444", "strokeWidth": 3,
                           "strokeColor": "#ffffff", "align": "middle"},
                  "smooth": False if big else {"enabled": True, "type": "curvedCW", "roundness": 0.12},
                  "selectionWidth": 1.5, "hoverWidth": 0.5},
    }


# --------------------------------------------------------------------------- legend icons (fixed markup, no data)

def _node_icon(shape: str, colour: str) -> Markup:
    border = _darker(colour)
    body = {
        "dot": f'<circle cx="9" cy="9" r="7" fill="{colour}" stroke="{border}"/>',
        "square": f'<rect x="2" y="2" width="14" height="14" fill="{colour}" stroke="{border}"/>',
        "box": f'<rect x="1" y="4" width="16" height="10" rx="3" fill="{colour}" stroke="{border}"/>',
        "diamond": f'<polygon points="9,1 17,9 9,17 1,9" fill="{colour}" stroke="{border}"/>',
        "triangle": f'<polygon points="9,1 17,16 1,16" fill="{colour}" stroke="{border}"/>',
        "triangleDown": f'<polygon points="1,2 17,2 9,17" fill="{colour}" stroke="{border}"/>',
        "hexagon": f'<polygon points="5,2 13,2 17,9 13,16 5,16 1,9" fill="{colour}" stroke="{border}"/>',
        "star": f'<polygon points="9,1 11,7 17,7 12,11 14,17 9,13 4,17 6,11 1,7 7,7" fill="{colour}" '
                f'stroke="{border}"/>',
    }[shape]
    return Markup(f'<svg width="18" height="18" viewBox="0 0 18 18" aria-hidden="true">{body}</svg>')


def emphasis_icon() -> Markup:
    return Markup('<svg width="18" height="18" viewBox="0 0 18 18" aria-hidden="true">'
                  '<circle cx="9" cy="9" r="6.5" fill="#ffffff" stroke="#111111" stroke-width="3"/></svg>')


def _edge_icon(style: str) -> Markup:
    _legend, colour, dashes, width = EDGE_STYLES[style]
    dash = f' stroke-dasharray="{" ".join(str(d // 2 or 1) for d in dashes)}"' if dashes else ""
    return Markup(f'<svg width="34" height="12" viewBox="0 0 34 12" aria-hidden="true">'
                  f'<line x1="1" y1="6" x2="26" y2="6" stroke="{colour}" stroke-width="{min(width, 3)}"{dash}/>'
                  f'<polygon points="26,2 33,6 26,10" fill="{colour}"/></svg>')


# --------------------------------------------------------------------------- the page

@lru_cache(maxsize=1)
def _assets() -> tuple[str, str, str]:
    """vis-network's JS and CSS as pyvis ships them, and our page script."""
    import pyvis

    lib = Path(pyvis.__file__).resolve().parent / "templates" / "lib" / "vis-9.1.2"
    try:
        js = (lib / "vis-network.min.js").read_text(encoding="utf-8")
        css = (lib / "vis-network.css").read_text(encoding="utf-8")
        app = (DATA / "viz.js").read_text(encoding="utf-8")
    except OSError as e:
        raise AikgError(f"cannot read the page's scripts: {e}") from e
    # The HTML parser turns CR into LF before the CSP hash is checked: do it first.
    js = js.replace("\r\n", "\n").replace("\r", "\n")
    if "</script" in js.lower() or "<!--" in js or "</style" in css.lower():
        raise AikgError("vis-network's files cannot be inlined safely")
    return js, css, app


@lru_cache(maxsize=1)
def _template():
    env = Environment(autoescape=True, keep_trailing_newline=True)
    return env.from_string((DATA / "viz.html").read_text(encoding="utf-8"))


def _script_json(data) -> str:
    """JSON that cannot end the script element or break a JS string."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                    ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def render_page(*, title: str, subtitle: str, nodes: list[dict], edges: list[dict], big: bool,
            legend_nodes: list[dict], legend_edges: list[dict], notes=(), verdict: str | None = None) -> str:
    net = Network(directed=True, cdn_resources="in_line", heading=title)
    for rec in nodes:
        rec = dict(rec)
        net.add_node(rec.pop("id"), label=rec.pop("label"), shape=rec.pop("shape"), color=rec.pop("color"), **rec)
    known = set(net.node_map)
    for i, rec in enumerate(edges):
        rec = dict(rec)
        if rec["from"] in known and rec["to"] in known:
            # pyvis's add_edge scans the node list per edge (quadratic): we checked membership above.
            net.edges.append(Edge(rec.pop("from"), rec.pop("to"), directed=True, id=f"e{i}", **rec).options)
    net.options = _options(big=big)
    vis_js, vis_css, app = _assets()
    data_nodes, data_edges, _heading, _h, _w, _opts = net.get_network_data()
    app_js = "var AIKG = " + _script_json({"nodes": data_nodes, "edges": data_edges, "options": net.options}) \
        + ";\n" + app
    csp = ("default-src 'none'; script-src " + _sha256(vis_js) + " " + _sha256(app_js)
           + "; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'")
    return _template().render(
        csp=Markup(csp), title=title, subtitle=subtitle, notes=list(notes), verdict=verdict,
        verdict_class=(verdict or "").replace(" ", "_"),
        vis_css=Markup(vis_css), vis_js=Markup(vis_js), app_js=Markup(app_js),
        legend_nodes=legend_nodes, legend_edges=legend_edges)


def class_legend(classes) -> list[dict]:
    present = set(classes)
    items = [{"icon": _node_icon(shape, colour), "label": label}
             for cls, (label, colour, shape) in CLASS_STYLES.items() if cls in present]
    if "Other" in present:
        label, colour, shape = OTHER_STYLE
        items.append({"icon": _node_icon(shape, colour), "label": "untyped"})
    return items


def edge_legend(styles, records: list[dict]) -> list[dict]:
    """Legend rows for the edge styles (in this order) that the page uses."""
    used = {r["kind"] for r in records}
    return [{"icon": _edge_icon(s), "label": EDGE_STYLES[s][0]} for s in styles if s in used]
