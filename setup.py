"""Setuptools shim for ``scrapyd-deploy``, which builds the egg with ``python setup.py bdist_egg``.

All metadata lives in pyproject.toml (including the ``scrapy`` entry point naming the settings
module that Scrapyd needs). Without this file, scrapyd-deploy would write its own setup.py
into the working tree.
"""

from setuptools import setup

setup()
