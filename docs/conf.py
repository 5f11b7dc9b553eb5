"""Sphinx configuration for the skae documentation.

Build (from the repository root, warnings are errors)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

Environment variables read here:

``SKAE_DOCS_FAST``
    Set to ``"1"`` by this file unless already set. Every gallery example reads it
    and shortens its training runs (fewer epochs or steps, fewer settings) so that
    the whole build, gallery included, takes 2 to 3 minutes on 2 CPU cores (the CI
    budget); set ``SKAE_DOCS_FAST=0`` to build the gallery with the examples' full
    settings (about 10 minutes).
``SKAE_DOCS_EXAMPLES``
    Regular expression selecting the gallery examples that are *executed*
    (default ``/plot_``, i.e. all of them). The others are still rendered, without
    output. ``SKAE_DOCS_EXAMPLES='plot_denoising'`` runs one example.

``-D plot_gallery=0`` on the sphinx command line renders the gallery without
running any example (the fastest build). Such a build, and one limited by
``SKAE_DOCS_EXAMPLES``, tolerates figures of examples that did not run (the user
guide shows some); the full build does not.

Repository links come from the ``[project.urls]`` table of ``pyproject.toml``: a
``Repository`` (or ``Source``) entry adds a source icon to the page header and the
clone command to the installation page, an ``Issues`` entry an issue-tracker icon.
Without the table the pages carry no such links.
"""

import os
import re
import sys
from pathlib import Path
from urllib.parse import urlparse

DOCS_DIR = Path(__file__).resolve().parent
ROOT = DOCS_DIR.parent
sys.path.insert(0, str(ROOT))

# Before anything imports skae or runs an example: the examples read these.
os.environ.setdefault("SKAE_DOCS_FAST", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import skae  # noqa: E402

# -- Project -----------------------------------------------------------------

project = "skae"
author = "skae developers"
copyright = "skae developers"  # noqa: A001
version = skae.__version__
release = skae.__version__


def read_project_urls(pyproject=ROOT / "pyproject.toml"):
    """The repository and issue-tracker URLs of ``[project.urls]``, if any.

    Returns ``{"repository": url or None, "issues": url or None}``. Keys are matched
    without regard to case, spaces, dashes or underscores (``Repository``,
    ``Source``, ``Source Code``; ``Issues``, ``Bug Tracker``). Only http(s) URLs
    count. A missing file, table or entry, an unreadable file, or a Python without
    ``tomllib`` (3.10, unless ``tomli`` is installed) gives ``None``: no link is
    ever made up.
    """
    found = {"repository": None, "issues": None}
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        try:
            import tomli as tomllib
        except ModuleNotFoundError:
            return found
    try:
        with open(pyproject, "rb") as file:
            urls = tomllib.load(file).get("project", {}).get("urls", {})
    except (OSError, ValueError):  # tomllib.TOMLDecodeError is a ValueError
        return found
    if not isinstance(urls, dict):
        return found
    aliases = {
        "repository": ("repository", "source", "sourcecode", "code", "github", "gitlab"),
        "issues": ("issues", "issuetracker", "bugtracker", "tracker", "bugs"),
    }
    normalised = {re.sub(r"[\s_-]", "", str(key)).lower(): value for key, value in urls.items()}
    for kind, names in aliases.items():
        for key in names:
            url = normalised.get(key)
            if isinstance(url, str) and urlparse(url.strip()).scheme in ("http", "https"):
                found[kind] = url.strip()
                break
    return found


PROJECT_URLS = read_project_urls()
REPOSITORY_URL = PROJECT_URLS["repository"]
ISSUES_URL = PROJECT_URLS["issues"]

# -- General -----------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "sphinx_copybutton",
    "sphinx_design",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "auto_examples/*.ipynb"]
root_doc = "index"
default_role = "literal"
pygments_style = "sphinx"

# No intersphinx: the build must not need the network. References to numpy,
# scikit-learn, torch or skorch objects render as plain (unlinked) names.

# -- autodoc / autosummary / numpydoc ----------------------------------------

autosummary_generate = True
autosummary_imported_members = False
autodoc_typehints = "none"  # the numpydoc "Parameters" sections give the types
autodoc_member_order = "groupwise"

numpydoc_show_class_members = False  # the class template lists the methods
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False  # would need intersphinx to resolve

# -- sphinx-gallery ----------------------------------------------------------

DEFAULT_EXAMPLES = r"/plot_"  # every example runs

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    # Executed examples; the rest are rendered without output.
    "filename_pattern": os.environ.get("SKAE_DOCS_EXAMPLES", DEFAULT_EXAMPLES),
    # quickstart.py is a command-line script, not a gallery example.
    "ignore_pattern": r"(__init__|quickstart)\.py",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "reset_modules": ("matplotlib",),
    "show_memory": False,
    "plot_gallery": "True",
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
    "capture_repr": ("_repr_html_", "__repr__"),
    "default_thumb_file": None,
    "doc_module": ("skae",),
    "backreferences_dir": "gen_modules/backreferences",
    "reference_url": {"skae": None},
    "min_reported_time": 1,
}

# -- sphinx-copybutton --------------------------------------------------------

# Copy docstring examples and shell commands without their prompts (">>> ",
# "... ", "$ "); in a block with prompts only the prompted lines (not the
# printed output) are copied.
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True

# -- HTML --------------------------------------------------------------------


def repository_icon(url):
    """The Font Awesome icon of a repository host."""
    host = (urlparse(url).hostname or "").lower()
    if host == "github.com" or host.endswith(".github.com"):
        return "fa-brands fa-github"
    if "gitlab" in host:
        return "fa-brands fa-gitlab"
    if "bitbucket" in host:
        return "fa-brands fa-bitbucket"
    return "fa-solid fa-code-branch"


icon_links = []
if REPOSITORY_URL:
    icon_links.append(
        {
            "name": "Source repository",
            "url": REPOSITORY_URL,
            "icon": repository_icon(REPOSITORY_URL),
            "type": "fontawesome",
        }
    )
if ISSUES_URL:
    icon_links.append(
        {"name": "Issues", "url": ISSUES_URL, "icon": "fa-solid fa-bug", "type": "fontawesome"}
    )

html_theme = "pydata_sphinx_theme"
html_title = f"skae {release}"
html_static_path = ["_static"]
html_css_files = ["skae.css"]
html_show_sourcelink = False
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "secondary_sidebar_items": ["page-toc"],
    "icon_links": icon_links,
}
html_sidebars = {"index": [], "install": [], "quickstart": [], "changelog": []}
html_context = {"default_mode": "light"}

# Text that depends on [project.urls]: |repository| in prose (a link when the URL is
# known), and, in install.rst, the ``.. only:: skae_repository`` parts. The clone
# command's URL is put in by fill_repository_url below (code blocks take no
# substitutions).
if REPOSITORY_URL:
    tags.add("skae_repository")  # noqa: F821 (defined by Sphinx in conf.py)
    rst_epilog = f"""
.. |repository| replace:: `the skae repository <{REPOSITORY_URL}>`__
"""
else:
    rst_epilog = """
.. |repository| replace:: the skae repository
"""
if ISSUES_URL:
    tags.add("skae_issues")  # noqa: F821
    rst_epilog += f"""
.. |issues| replace:: `the issue tracker <{ISSUES_URL}>`__
"""
else:
    rst_epilog += """
.. |issues| replace:: the issue tracker
"""


# -- Members shown on the API pages --------------------------------------------

# Methods inherited from scikit-learn that are worth showing; the rest (metadata
# routing requests such as ``set_score_request``, generated by scikit-learn) are
# hidden: their docstrings point into scikit-learn's own documentation.
SHOWN_INHERITED = {
    "fit_transform",
    "get_feature_names_out",
    "get_params",
    "set_output",
    "set_params",
    "score",
}


def is_request_method(name):
    return name == "get_metadata_routing" or (name.startswith("set_") and name.endswith("_request"))


def skip_member(app, what, name, obj, skip, options):
    # autodoc asks with what="class" (the class being documented); autosummary, for
    # the method tables of the class template, with what="method".
    if is_request_method(name):
        return True
    module = getattr(obj, "__module__", "") or ""
    if what in ("class", "method") and callable(obj) and not module.startswith("skae"):
        return name not in SHOWN_INHERITED or skip
    return None


# In a numpydoc type such as ``ndarray of shape (n_features_in_,)`` the trailing
# underscore makes ``n_features_in_`` a reStructuredText reference to an unknown
# target. Escape it unless the name is already quoted.
TRAILING_UNDERSCORE_NAME = re.compile(r"(?<![`\\\w])([A-Za-z]\w*)_(?=[,)])")


def escape_type_names(app, what, name, obj, options, lines):
    for index, line in enumerate(lines):
        if " : " in line and "shape (" in line:
            lines[index] = TRAILING_UNDERSCORE_NAME.sub(r"\1\\_", line)


# -- Docstrings of methods inherited from scikit-learn ---------------------------
#
# scikit-learn's docstrings are written for scikit-learn's site: they point to its
# user guide and gallery (``:ref:`sphx_glr_auto_examples_...```), give the
# scikit-learn version a feature came in (``.. versionadded:: 1.4``) and speak of
# estimators in general. The methods listed here get skae's own wording instead;
# {cls} is the class name, {prefix} its lowercased form (scikit-learn's prefix of
# generated feature names). Anything else inherited from scikit-learn is cleaned
# by clean_foreign_docstring.

_SET_OUTPUT_DOC = """\
Choose the container that ``transform`` and ``fit_transform`` return.

By default they return NumPy arrays. ``set_output(transform="pandas")`` makes them
return a pandas DataFrame whose columns are named by ``get_feature_names_out()``
(``{prefix}0``, ``{prefix}1``, ...); inside a
:class:`~sklearn.pipeline.Pipeline` the pipeline's own ``set_output`` sets it for
every step.

Parameters
----------
transform : {{"default", "pandas", "polars"}} or None, default=None
    The container of the output of ``transform`` and ``fit_transform``:

    - ``"default"``: a NumPy array;
    - ``"pandas"``: a pandas DataFrame;
    - ``"polars"``: a polars DataFrame (needs polars installed);
    - ``None``: leave the current setting unchanged.

Returns
-------
self : {cls}
    This estimator, with the output container set.
"""

_CODES_FEATURE_NAMES_DOC = """\
Names of the features ``transform`` returns.

One name per code: the lowercased class name followed by the code's index,
``{prefix}0``, ``{prefix}1``, ... These are the column names of the DataFrame
``transform`` returns after ``set_output(transform="pandas")``.

Parameters
----------
input_features : array-like of str or None, default=None
    Only checked against the feature names seen in ``fit``, if any; the output
    names do not depend on it.

Returns
-------
feature_names_out : ndarray of str objects of shape (encoding_dim,)
    The names of the codes.
"""

INHERITED_DOCSTRINGS = {
    "set_output": _SET_OUTPUT_DOC,
    "get_params": """\
Get the parameters of this estimator.

Parameters
----------
deep : bool, default=True
    If True, also return the parameters of the estimators this one contains, if
    any (for instance an ``autoencoder`` passed to a
    :class:`~skae.PretrainedClassifier`), as ``<name>__<parameter>``.

Returns
-------
params : dict
    Parameter names mapped to their values.
""",
    "set_params": """\
Set the parameters of this estimator.

Parameters of nested objects are set as ``<component>__<parameter>``: in a
pipeline made by :func:`~sklearn.pipeline.make_pipeline`,
``pipe.set_params({prefix}__random_state=0)`` sets this estimator's
``random_state``. The new values take effect at the next ``fit``.

Parameters
----------
**params : dict
    Parameter names mapped to their new values.

Returns
-------
self : {cls}
    This estimator.
""",
    ("AutoencoderTransformer", "fit_transform"): """\
Fit to ``X``, then return its codes.

The same as ``fit(X).transform(X)``.

Parameters
----------
X : array-like or DataFrame of shape (n_samples, n_features)
    Training data: numeric, or a table with categorical columns and gaps.
y : None
    Ignored.
**fit_params : dict
    Passed on to ``fit``, which takes no other arguments: leave empty.

Returns
-------
codes : ndarray of shape (n_samples, encoding_dim)
    The codes of ``X`` (a DataFrame after ``set_output(transform="pandas")``).
""",
    ("PretrainedClassifier", "fit_transform"): """\
Fit to ``X`` and ``y``, then return the fine-tuned encoder's features of ``X``.

The same as ``fit(X, y).transform(X)``.

Parameters
----------
X : array-like or DataFrame of shape (n_samples, n_features)
    Training data, labeled and unlabeled rows together: numeric, or a table with
    categorical columns and gaps.
y : array-like of shape (n_samples,)
    Class labels; ``-1`` marks an unlabeled row.
**fit_params : dict
    Passed on to ``fit``, which takes no other arguments: leave empty.

Returns
-------
codes : ndarray of shape (n_samples, encoding_dim)
    The encoder's features of ``X`` (a DataFrame after
    ``set_output(transform="pandas")``).
""",
    ("AutoencoderTransformer", "get_feature_names_out"): _CODES_FEATURE_NAMES_DOC,
    ("PretrainedClassifier", "get_feature_names_out"): _CODES_FEATURE_NAMES_DOC,
    ("GANSampler", "get_feature_names_out"): """\
Names of the features of the rows ``sample`` returns: those of ``fit``'s input.

Parameters
----------
input_features : array-like of str or None, default=None
    With None, the column names of the DataFrame given to ``fit``, or ``x0``,
    ``x1``, ... when it had none; otherwise these names, which must then equal
    the column names seen in ``fit``, if any.

Returns
-------
feature_names_out : ndarray of str objects of shape (n_features_in_,)
    The feature names.
""",
    ("PretrainedClassifier", "score"): """\
Accuracy of ``predict(X)`` against ``y``.

Parameters
----------
X : array-like or DataFrame of shape (n_samples, n_features)
    Test rows.
y : array-like of shape (n_samples,)
    Their true labels. Every row counts, so score labeled rows only: a ``-1``
    (unlabeled) row counts as an error.
sample_weight : array-like of shape (n_samples,), default=None
    Weights of the rows; equal weights by default.

Returns
-------
score : float
    The (weighted) share of rows whose predicted label equals ``y``.
""",
}

# ``.. versionadded:: 1.4`` and the like, with their indented text.
VERSION_DIRECTIVE = re.compile(
    r"^(\s*)\.\. (versionadded|versionchanged|versionremoved|deprecated)::"
)
# Sentences that send the reader to scikit-learn's own site.
FOREIGN_POINTER = re.compile(
    r":ref:`[^`]*sphx_glr_|^\s*(Read more in|Refer to|See the) (the )?:ref:`", re.IGNORECASE
)
# Docstrings inherited from scikit-learn cross-reference scikit-learn's own pages
# (``:ref:`User Guide <...>```), which this site does not have: keep the text.
SPHINX_CROSS_REF_WITH_TITLE = re.compile(r":(?:ref|term|doc):`([^`<]*?)\s*<[^>`]+>`")
SPHINX_CROSS_REF = re.compile(r":(?:ref|term|doc):`([^`]+)`")


def inherited_from(obj):
    """The top-level package an object comes from, e.g. ``"sklearn"``."""
    module = getattr(obj, "__module__", None) or ""
    return module.partition(".")[0]


def replace_inherited_docstring(app, what, name, obj, options, lines):
    """Give methods inherited from scikit-learn skae's own wording (see above)."""
    if what != "method" or inherited_from(obj) != "sklearn":
        return
    parts = name.split(".")
    if len(parts) < 2:
        return
    cls, method = parts[-2], parts[-1]
    text = INHERITED_DOCSTRINGS.get((cls, method), INHERITED_DOCSTRINGS.get(method))
    if text is not None:
        lines[:] = text.format(cls=cls, prefix=cls.lower()).splitlines()


def clean_foreign_docstring(app, what, name, obj, options, lines):
    """Strip what only makes sense on another package's site from its docstrings.

    Drops version directives and paragraphs pointing to scikit-learn's user guide or
    gallery, and turns the remaining ``:ref:``/``:term:``/``:doc:`` references, whose
    targets this site does not have, into plain text.
    """
    if inherited_from(obj) in ("skae", ""):
        return
    kept, directive_indent = [], None
    for line in lines:
        indent = len(line) - len(line.lstrip())
        if directive_indent is not None:
            if not line.strip() or indent > directive_indent:
                continue  # the directive's body
            directive_indent = None
        match = VERSION_DIRECTIVE.match(line)
        if match:
            directive_indent = len(match.group(1))
            continue
        kept.append(line)
    paragraphs, current = [], []
    for line in kept:
        if line.strip():
            current.append(line)
        else:
            paragraphs.append(current)
            paragraphs.append([line])
            current = []
    paragraphs.append(current)
    cleaned = [
        line
        for paragraph in paragraphs
        if not any(FOREIGN_POINTER.search(line) for line in paragraph)
        for line in paragraph
    ]
    for index, line in enumerate(cleaned):
        line = SPHINX_CROSS_REF_WITH_TITLE.sub(r"\1", line)
        cleaned[index] = SPHINX_CROSS_REF.sub(r"\1", line)
    lines[:] = cleaned


# -- Repository URL in code blocks -----------------------------------------------

REPOSITORY_PLACEHOLDER = "@SKAE_REPOSITORY_URL@"
REPOSITORY_DIR_PLACEHOLDER = "@SKAE_REPOSITORY_DIR@"


def fill_repository_url(app, docname, source):
    """Put the repository URL (or ``<repository-url>``) into install.rst's commands."""
    text = source[0]
    if REPOSITORY_PLACEHOLDER not in text and REPOSITORY_DIR_PLACEHOLDER not in text:
        return
    if REPOSITORY_URL:
        url = REPOSITORY_URL
        directory = urlparse(url).path.rstrip("/").rpartition("/")[2].removesuffix(".git")
    else:
        url = "<repository-url>"
        directory = ""
    text = text.replace(REPOSITORY_PLACEHOLDER, url)
    source[0] = text.replace(REPOSITORY_DIR_PLACEHOLDER, directory or "skae")


# -- Partial builds ----------------------------------------------------------------


def allow_missing_gallery_figures(app, config):
    """Tolerate missing gallery figures when not every example runs.

    The user guide and the landing page show figures that the gallery examples make.
    A build with ``-D plot_gallery=0`` or a ``SKAE_DOCS_EXAMPLES`` selection does not
    make all of them; the full build (CI's) still fails on a missing one.
    """
    plot_gallery = str(config.plot_gallery).strip().lower()
    selected = os.environ.get("SKAE_DOCS_EXAMPLES", DEFAULT_EXAMPLES) != DEFAULT_EXAMPLES
    if plot_gallery in ("0", "false", "no", "off", "") or selected:
        config.suppress_warnings = [*config.suppress_warnings, "image.not_readable"]


# -- Links into other projects' documentation, without the network ----------
#
# intersphinx would download each project's inventory at build time, which the
# offline build cannot. These projects name their API pages after the object, so a
# reference to one of their objects that nothing else resolved becomes a link by
# that pattern (a page that moved is a dead link, not a build failure).


def _sklearn_url(target):
    parts = target.split(".")
    if len(parts) == 2:  # a module, e.g. sklearn.semi_supervised
        return f"https://scikit-learn.org/stable/api/{target}.html"
    owner = ".".join(parts[:3]) if parts[2][:1].isupper() and len(parts) > 3 else target
    anchor = f"#{target}" if owner != target else ""
    return f"https://scikit-learn.org/stable/modules/generated/{owner}.html{anchor}"


def _skorch_url(target):
    parts = target.split(".")
    page = parts[1] if len(parts) > 2 and parts[1][:1].islower() else "net"
    return f"https://skorch.readthedocs.io/en/stable/{page}.html#{target}"


EXTERNAL_DOCS = {
    "sklearn": _sklearn_url,
    "skorch": _skorch_url,
    "torch": lambda target: f"https://pytorch.org/docs/stable/generated/{target}.html",
    "numpy": lambda target: f"https://numpy.org/doc/stable/reference/generated/{target}.html",
    "pandas": lambda target: f"https://pandas.pydata.org/docs/reference/api/{target}.html",
}


def link_external(app, env, node, contnode):
    """Resolve a reference to an object of scikit-learn, skorch, torch, NumPy or
    pandas to its page in that project's documentation."""
    from docutils import nodes

    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "")
    project = target.split(".")[0]
    if project not in EXTERNAL_DOCS or "." not in target:
        return None
    link = nodes.reference("", "", internal=False, refuri=EXTERNAL_DOCS[project](target))
    link.append(contnode)
    return link


def setup(app):
    app.connect("missing-reference", link_external)
    app.connect("config-inited", allow_missing_gallery_figures)
    app.connect("source-read", fill_repository_url)
    app.connect("autodoc-skip-member", skip_member)
    # Before numpydoc (priority 500) turns the numpydoc sections into reST.
    app.connect("autodoc-process-docstring", replace_inherited_docstring, priority=400)
    app.connect("autodoc-process-docstring", clean_foreign_docstring, priority=400)
    app.connect("autodoc-process-docstring", escape_type_names)
