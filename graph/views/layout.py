"""A deterministic force-directed layout for the HTML views: same graph, same positions."""
import math

import numpy as np

__all__ = ["spring_layout", "SEED"]

SEED = 7
_CHUNK = 1024


def spring_layout(ids: list[str], pairs: list[tuple[str, str]], *, seed: int = SEED, spacing: float = 170.0) -> dict:
    """Positions in pixels: connected nodes by :func:`_force`, unconnected ones in rows beneath them.

    Left in the force layout, unconnected nodes drift far out and shrink the
    rest of the picture when the page fits it to the screen.
    """
    linked = {v for pair in pairs if pair[0] != pair[1] for v in pair}
    pos = _force([v for v in ids if v in linked], pairs, seed=seed, spacing=spacing)
    alone = [v for v in ids if v not in linked]
    if alone:
        xs = [x for x, _ in pos.values()] or [0]
        top = max([y for _, y in pos.values()], default=-spacing) + spacing
        per_row = max(1, int((max(xs) - min(xs)) // (spacing * 0.8)) + 1)
        for i, v in enumerate(alone):
            pos[v] = (int(min(xs) + (i % per_row) * spacing * 0.8), int(top + (i // per_row) * spacing * 0.6))
    return pos


def _force(ids: list[str], pairs: list[tuple[str, str]], *, seed: int, spacing: float) -> dict:
    """Fruchterman-Reingold with a fixed seed and a little gravity, in pixels, rounded: same input, same output.

    networkx's own spring layout takes ~16 s at 2,000 nodes here; this dense
    numpy version takes ~1.5 s.
    """
    n = len(ids)
    if n == 0:
        return {}
    if n == 1:
        return {ids[0]: (0, 0)}
    index = {v: i for i, v in enumerate(ids)}
    e = np.array([(index[a], index[b]) for a, b in pairs if a != b], dtype=np.int64).reshape(-1, 2)
    pos = np.random.default_rng(seed).random((n, 2))
    k2 = 1.0 / n
    k = math.sqrt(k2)
    iterations = 50 if n > 500 else 120
    temp = 0.1
    cool = temp / (iterations + 1)
    disp = np.zeros((n, 2))
    for _ in range(iterations):
        x = pos[:, 0].astype(np.float32)
        y = pos[:, 1].astype(np.float32)
        for lo in range(0, n, _CHUNK):  # repulsion between all pairs, a block of rows at a time
            dx = x[lo:lo + _CHUNK, None] - x[None, :]
            dy = y[lo:lo + _CHUNK, None] - y[None, :]
            r = dx * dx
            r += dy * dy
            np.maximum(r, np.float32(1e-6), out=r)
            np.divide(np.float32(k2), r, out=r)
            disp[lo:lo + _CHUNK, 0] = (dx * r).sum(1)
            disp[lo:lo + _CHUNK, 1] = (dy * r).sum(1)
        if len(e):
            de = pos[e[:, 0]] - pos[e[:, 1]]
            pull = de * (np.sqrt((de ** 2).sum(1)) / k)[:, None]
            for axis in (0, 1):
                disp[:, axis] -= np.bincount(e[:, 0], weights=pull[:, axis], minlength=n)
                disp[:, axis] += np.bincount(e[:, 1], weights=pull[:, axis], minlength=n)
        disp -= (pos - pos.mean(0)) * (0.05 * n * k)  # gravity keeps loose parts near the rest
        length = np.maximum(np.sqrt((disp ** 2).sum(1)), 0.01)
        pos += disp * (temp / length)[:, None]
        temp -= cool
    pos -= pos.mean(0)
    pos *= spacing / k
    return {v: (int(round(pos[i, 0])), int(round(pos[i, 1]))) for i, v in enumerate(ids)}
