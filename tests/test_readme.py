"""The README's Python blocks each run on their own (no name from another block) and
print what they show."""

import ast
import builtins
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def undefined_names(code):
    """Names a module-level script reads but neither imports nor assigns."""
    tree = ast.parse(code)
    defined = set(dir(builtins))
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            defined |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            defined.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, ast.arg):
            defined.add(node.arg)
    used = {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    }
    return used - defined


def test_the_readme_has_python_blocks():
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i + 1}" for i in range(len(BLOCKS))])
def test_each_block_stands_alone_and_prints(code):
    assert undefined_names(code) == set()
    calls = [n for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Call)]
    assert any(getattr(call.func, "id", None) == "print" for call in calls)


def test_the_check_finds_a_name_from_another_block():
    assert undefined_names("clf.fit(X, y)") == {"clf", "X", "y"}
