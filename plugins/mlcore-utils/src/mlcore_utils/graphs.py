"""Directed and undirected graphs: adjacency forms, paths, topological order, random graphs.

Vertices are any hashable labels; algorithms work on vertex *indices* ``0..n-1``
(``get_index`` / ``get_vertex`` translate). Graph traversals (BFS, DFS, Kahn) are
sequential by nature: their loops run over vertices and edges, which is what they cost.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from mlcore.validation import check_random_state, check_scalar

__all__ = [
    "DiGraph",
    "Edge",
    "Graph",
    "UndirectedGraph",
    "random_DAG",
    "random_dag",
    "random_unweighted_graph",
]


class Edge:
    """An edge ``fr -> to`` with an optional weight.

    Parameters
    ----------
    fr, to : hashable
        Vertex labels.
    w : float, object with ``sample()``, or None
        Weight; an object with a ``sample()`` method is sampled at each :attr:`weight`
        access (a random weight); None means 1.
    """

    def __init__(self, fr, to, w=None):
        self.fr, self.to, self.w = fr, to, w

    @property
    def weight(self):
        """The weight (sampled if ``w`` has ``sample()``; 1.0 when ``w`` is None)."""
        if self.w is None:
            return 1.0
        return self.w.sample() if hasattr(self.w, "sample") else self.w

    def reverse(self):
        """A new edge ``to -> fr`` with the same weight."""
        return Edge(self.to, self.fr, self.w)

    def __eq__(self, other):
        return isinstance(other, Edge) and (self.fr, self.to, self.w) == (other.fr, other.to, other.w)

    def __hash__(self):
        return hash((self.fr, self.to))

    def __repr__(self):
        return f"Edge({self.fr!r}, {self.to!r}" + ("" if self.w is None else f", w={self.w!r}") + ")"


class Graph:
    """Base graph: vertices ``V`` (labels, unique) and edges ``E`` (:class:`Edge` list)."""

    is_directed = True

    def __init__(self, V, E=()):
        self._I2V = list(V)
        self._V2I = {v: i for i, v in enumerate(self._I2V)}
        if len(self._V2I) != len(self._I2V):
            raise ValueError("vertex labels must be unique")
        self._E = []
        self._adj = [[] for _ in self._I2V]
        for e in E:
            self.add_edge(e)

    def add_edge(self, e: Edge):
        """Add an edge between existing vertices (both directions for undirected graphs)."""
        for v in (e.fr, e.to):
            if v not in self._V2I:
                raise ValueError(f"edge {e!r} uses the unknown vertex {v!r}")
        self._E.append(e)
        self._adj[self._V2I[e.fr]].append(e)
        if not self.is_directed and e.fr != e.to:
            self._adj[self._V2I[e.to]].append(e.reverse())

    @classmethod
    def from_adjacency(cls, A, vertices=None):
        """Graph from an adjacency matrix ``A`` (n, n): an edge ``i -> j`` of weight ``A[i, j]`` where non-zero.

        For an undirected graph only the upper triangle (diagonal included) is read.
        """
        A = np.asarray(A)
        if A.ndim != 2 or A.shape[0] != A.shape[1]:
            raise ValueError(f"A must be a square matrix, got shape {A.shape}")
        V = list(range(len(A))) if vertices is None else list(vertices)
        M = A if cls.is_directed else np.triu(A)
        rows, cols = np.nonzero(M)
        E = [Edge(V[i], V[j], None if M[i, j] == 1 else M[i, j].item()) for i, j in zip(rows, cols)]
        return cls(V, E)

    def __getitem__(self, v_i):
        """Edges leaving the vertex of index ``v_i``."""
        return list(self._adj[v_i])

    def __len__(self):
        return len(self._I2V)

    def get_index(self, v):
        """Index of the vertex labelled ``v``."""
        return self._V2I[v]

    def get_vertex(self, v_i):
        """Label of the vertex of index ``v_i``."""
        return self._I2V[v_i]

    @property
    def vertices(self):
        return list(self._I2V)

    @property
    def indices(self):
        return list(range(len(self._I2V)))

    @property
    def edges(self):
        """The edges as given (an undirected edge appears once)."""
        return list(self._E)

    def get_neighbors(self, v_i):
        """Indices of the vertices reachable from ``v_i`` by one edge (sorted, unique)."""
        return sorted({self._V2I[e.to] for e in self._adj[v_i]})

    def to_matrix(self):
        """Adjacency matrix (n, n): ``A[i, j]`` = summed weights of the edges ``i -> j``."""
        A = np.zeros((len(self), len(self)))
        for i, edges in enumerate(self._adj):
            for e in edges:
                A[i, self._V2I[e.to]] += e.weight
        return A

    def to_adj_dict(self):
        """``{vertex: [neighbour vertices]}`` (labels, sorted by index)."""
        return {self._I2V[i]: [self._I2V[j] for j in self.get_neighbors(i)] for i in self.indices}

    def path_exists(self, s_i, e_i):
        """Whether a directed path leads from index ``s_i`` to index ``e_i`` (breadth-first search)."""
        seen = {s_i}
        queue = deque([s_i])
        while queue:
            v = queue.popleft()
            if v == e_i:
                return True
            for w in self.get_neighbors(v):
                if w not in seen:
                    seen.add(w)
                    queue.append(w)
        return False

    def all_paths(self, s_i, e_i):
        """Every simple path (no repeated vertex) from ``s_i`` to ``e_i``, as lists of indices.

        The number of paths can grow exponentially with the graph size. A path from a
        vertex to itself is ``[[s_i]]``.
        """
        if s_i == e_i:
            return [[s_i]]
        nbrs = [self.get_neighbors(i) for i in self.indices]
        out = []
        stack = [(s_i, [s_i])]
        while stack:  # depth-first enumeration of simple paths
            v, path = stack.pop()
            on_path = set(path)
            for w in nbrs[v]:
                if w == e_i:
                    out.append(path + [w])
                elif w not in on_path:
                    stack.append((w, path + [w]))
        return out


class DiGraph(Graph):
    """Directed graph.

    Example
    -------
    >>> g = DiGraph(["a", "b", "c"], [Edge("a", "b"), Edge("b", "c")])
    >>> [g.get_vertex(i) for i in g.topological_ordering()]
    ['a', 'b', 'c']
    """

    is_directed = True

    def reverse(self):
        """The graph with every edge reversed."""
        return DiGraph(self._I2V, [e.reverse() for e in self._E])

    def topological_ordering(self):
        """Vertex indices such that every edge goes forward (Kahn's algorithm); None if cyclic."""
        indeg = np.zeros(len(self), dtype=int)
        for e in self._E:
            indeg[self._V2I[e.to]] += 1
        queue = deque(np.flatnonzero(indeg == 0).tolist())
        order = []
        while queue:
            v = queue.popleft()
            order.append(v)
            for e in self._adj[v]:
                w = self._V2I[e.to]
                indeg[w] -= 1
                if indeg[w] == 0:
                    queue.append(w)
        return order if len(order) == len(self) else None

    def is_acyclic(self):
        """Whether the graph has no directed cycle (self-loops are cycles)."""
        return self.topological_ordering() is not None


class UndirectedGraph(Graph):
    """Undirected graph: every edge can be travelled both ways.

    Example
    -------
    >>> g = UndirectedGraph([0, 1, 2], [Edge(0, 1), Edge(1, 2)])
    >>> g.path_exists(2, 0), g.is_acyclic()
    (True, True)
    """

    is_directed = False

    def is_acyclic(self):
        """Whether the graph is a forest (no cycle; a self-loop or a repeated edge is a cycle)."""
        parent = list(range(len(self)))

        def find(i):
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for e in self._E:  # union-find: an edge inside one component closes a cycle
            a, b = find(self._V2I[e.fr]), find(self._V2I[e.to])
            if a == b:
                return False
            parent[a] = b
        return True


def random_unweighted_graph(n_vertices: int, edge_prob: float = 0.5, directed: bool = False,
                            random_state=None):
    """Erdos-Renyi graph ``G(n, p)`` on vertices ``0..n-1`` (no self-loops).

    Each ordered pair (directed) or unordered pair (undirected) is an edge with
    probability ``edge_prob``, independently.
    """
    n = check_scalar(n_vertices, "n_vertices", int, low=1)
    p = check_scalar(edge_prob, "edge_prob", float, low=0, high=1)
    rng = check_random_state(random_state)
    A = rng.random((n, n)) < p
    np.fill_diagonal(A, False)
    if not directed:
        A = np.triu(A)
    cls = DiGraph if directed else UndirectedGraph
    return cls(range(n), [Edge(int(i), int(j)) for i, j in zip(*np.nonzero(A))])


def random_dag(n_vertices: int, edge_prob: float = 0.5, random_state=None):
    """Random directed acyclic graph on ``0..n-1``.

    A random permutation fixes a hidden order; each pair ``(u before v)`` is an edge
    ``u -> v`` with probability ``edge_prob``, so the graph is acyclic by construction
    while vertex labels carry no information about the order.
    """
    n = check_scalar(n_vertices, "n_vertices", int, low=1)
    p = check_scalar(edge_prob, "edge_prob", float, low=0, high=1)
    rng = check_random_state(random_state)
    perm = rng.permutation(n)
    A = np.triu(rng.random((n, n)) < p, k=1)
    return DiGraph(range(n), [Edge(int(perm[i]), int(perm[j])) for i, j in zip(*np.nonzero(A))])


random_DAG = random_dag
