"""Graphs against networkx: all_simple_paths, is_directed_acyclic_graph, is_forest, has_path, topological order."""

import networkx as nx
import numpy as np
import pytest
from mlcore_utils import DiGraph, Edge, UndirectedGraph, random_dag, random_unweighted_graph


def to_nx(g):
    G = nx.DiGraph() if g.is_directed else nx.Graph()
    G.add_nodes_from(g.indices)
    G.add_edges_from((g.get_index(e.fr), g.get_index(e.to)) for e in g.edges)
    return G


@pytest.mark.parametrize("directed", [True, False])
@pytest.mark.parametrize("seed", range(4))
def test_paths_match_networkx(directed, seed):
    g = random_unweighted_graph(7, 0.35, directed=directed, random_state=seed)
    G = to_nx(g)
    for s in range(7):
        for e in range(7):
            ours = sorted(map(tuple, g.all_paths(s, e)))
            ref = sorted(map(tuple, nx.all_simple_paths(G, s, e)))
            assert ours == ref
            assert g.path_exists(s, e) == nx.has_path(G, s, e)


@pytest.mark.parametrize("seed", range(6))
def test_dag_and_topological_order(seed):
    dag = random_dag(9, 0.4, random_state=seed)
    G = to_nx(dag)
    assert nx.is_directed_acyclic_graph(G) and dag.is_acyclic()
    order = dag.topological_ordering()
    pos = {v: i for i, v in enumerate(order)}
    assert sorted(order) == list(range(9))
    assert all(pos[u] < pos[v] for u, v in G.edges)
    g = random_unweighted_graph(6, 0.4, directed=True, random_state=seed)
    assert g.is_acyclic() == nx.is_directed_acyclic_graph(to_nx(g))
    assert (g.topological_ordering() is None) == (not nx.is_directed_acyclic_graph(to_nx(g)))


@pytest.mark.parametrize("seed", range(6))
def test_undirected_cycle_test_matches_is_forest(seed):
    g = random_unweighted_graph(8, 0.2, directed=False, random_state=seed)
    assert g.is_acyclic() == nx.is_forest(to_nx(g))


def test_labels_reverse_and_adjacency():
    g = DiGraph(["a", "b", "c"], [Edge("a", "b", 2.0), Edge("b", "c")])
    r = g.reverse()
    assert [(e.fr, e.to) for e in r.edges] == [("b", "a"), ("c", "b")]
    np.testing.assert_array_equal(g.to_matrix(), [[0, 2, 0], [0, 0, 1], [0, 0, 0]])
    assert g.to_adj_dict() == {"a": ["b"], "b": ["c"], "c": []}
    u = UndirectedGraph(["a", "b", "c"], [Edge("a", "b", 2.0), Edge("b", "c")])
    np.testing.assert_array_equal(u.to_matrix(), u.to_matrix().T)
    assert u.path_exists(u.get_index("c"), u.get_index("a"))
    assert Edge(0, 1, 3.0).reverse() == Edge(1, 0, 3.0)
    A = np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0]])
    assert not DiGraph.from_adjacency(A).is_acyclic()
    np.testing.assert_array_equal(DiGraph.from_adjacency(A).to_matrix(), A)


def test_random_graphs_are_reproducible():
    a = random_unweighted_graph(10, 0.3, random_state=5)
    b = random_unweighted_graph(10, 0.3, random_state=5)
    assert [(e.fr, e.to) for e in a.edges] == [(e.fr, e.to) for e in b.edges]


def test_unknown_vertex():
    with pytest.raises(ValueError, match="unknown vertex"):
        DiGraph([0, 1], [Edge(0, 2)])
