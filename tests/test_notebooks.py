"""The analysis notebooks: stored without outputs, public API only, and each runs top to bottom.

Each notebook is executed with nbclient in the ``python3`` kernel (ipykernel
installed in the venv, so the kernel is this interpreter), from a temporary
working directory, with ``MPLBACKEND=Agg`` and a store of its own (so notebooks
run side by side under pytest-xdist never share one); a cell error fails the test,
and :data:`CELL_TIMEOUT` only stops a cell that hangs.
"""

from __future__ import annotations

import ast
import os
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = REPO / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
CELL_TIMEOUT = 600
KERNEL = "python3"
EXPECTED = {"01_explore_partners", "02_disaster_resilience", "03_forum_and_survey"}


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def code_cells(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def python_source(cell: nbformat.NotebookNode) -> str:
    """The cell's source with IPython magics and shell escapes blanked out."""
    lines = cell.source.splitlines()
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in lines)


def private_names(source: str) -> list[str]:
    """Every name, attribute or imported module part in ``source`` that starts with ``_``.

    A lone ``_`` (the throwaway variable) is not a private name.
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name):
            names = [node.id]
        elif isinstance(node, ast.Attribute):
            names = [node.attr]
        elif isinstance(node, ast.ImportFrom):
            names = (node.module or "").split(".") + [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            names = [part for a in node.names for part in a.name.split(".")]
        elif isinstance(node, ast.alias) and node.asname:
            names = [node.asname]
        else:
            continue
        found += [name for name in names if name.startswith("_") and name != "_"]
    return sorted(found)


@pytest.fixture(scope="module")
def kernel_env() -> dict[str, str]:
    """The environment the kernels run in: this venv's bin first, Agg backend, no PARTNERGRAPH_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARTNERGRAPH_")}
    env["MPLBACKEND"] = "Agg"
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def execute(
    notebook: nbformat.NotebookNode, workdir: Path, env: dict[str, str]
) -> nbformat.NotebookNode:
    client = nbclient.NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name=KERNEL,
        resources={"metadata": {"path": str(workdir)}},
        allow_errors=False,
    )
    return client.execute(cwd=str(workdir), env=env)


def test_the_three_notebooks_are_there() -> None:
    assert {path.stem for path in NOTEBOOKS} == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_without_outputs(path: Path) -> None:
    for index, cell in enumerate(code_cells(read(path))):
        assert cell.outputs == [], f"{path.name} cell {index} has outputs: clear them"
        assert cell.execution_count is None, f"{path.name} cell {index} has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_uses_only_the_public_api(path: Path) -> None:
    for index, cell in enumerate(code_cells(read(path))):
        private = private_names(python_source(cell))
        assert not private, f"{path.name} cell {index} uses private names {private}"


def test_private_names_are_found() -> None:
    source = (
        "from partnergraph.analysis.projection import _build\n"
        "import partnergraph._x\n"
        "store._changed()\n"
        "_cache = 1\n"
    )
    assert private_names(source) == ["_build", "_cache", "_changed", "_x"]
    assert private_names("for _, name in pairs: print(name)") == []


def test_the_kernel_is_this_interpreter(tmp_path: Path, kernel_env: dict[str, str]) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("import sys; print(sys.executable)")]
    executed = execute(notebook, tmp_path, kernel_env)
    printed = executed.cells[0].outputs[0].text.strip()
    assert Path(printed).resolve() == Path(sys.executable).resolve()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_runs_top_to_bottom(path: Path, tmp_path: Path, kernel_env: dict[str, str]) -> None:
    before = sorted(NOTEBOOK_DIR.rglob("*"))
    env = {**kernel_env, "PARTNERGRAPH_STORE": str(tmp_path / "store")}
    executed = execute(read(path), tmp_path, env)

    outputs = [output for cell in code_cells(executed) for output in cell.outputs]
    kinds = {kind for output in outputs for kind in output.get("data", {})}
    assert "image/png" in kinds, f"{path.name} draws no figure"
    assert "text/html" in kinds, f"{path.name} shows no table"
    assert not [o for o in outputs if o.output_type == "error"]
    assert sorted(NOTEBOOK_DIR.rglob("*")) == before, "the run wrote into notebooks/"
