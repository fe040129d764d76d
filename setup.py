"""Setuptools script: the package layout, and the shim ``scrapyd-deploy`` builds the egg
with (``python setup.py bdist_egg``).

The metadata lives in pyproject.toml (including the ``scrapy`` entry point naming the
settings module that Scrapyd needs). The layout is computed here: the item pipelines
live in the top-level ``pipelines/`` folder of the repository but are installed as
``cfbu_crawler.pipelines``, so that no top-level package named ``pipelines`` lands in
site-packages (where it would collide with any other project's). Without this file,
scrapyd-deploy would write its own setup.py into the working tree.
"""

from setuptools import find_namespace_packages, setup

PIPELINES = "cfbu_crawler.pipelines"

setup(
    packages=[
        *find_namespace_packages(include=["cfbu_crawler", "cfbu_crawler.*"]),
        PIPELINES,
        *(f"{PIPELINES}.{name}" for name in find_namespace_packages("pipelines")),
    ],
    package_dir={PIPELINES: "pipelines"},
)
