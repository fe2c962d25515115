"""Packages: ``nianbao`` and, through the links nianbao/crawler, nianbao/archive, nianbao/parsers, the
client's top-level folders ``crawler/``, ``archive/`` and ``parsers/``.

Installed, they are ``nianbao.crawler``, ``nianbao.archive`` and ``nianbao.parsers``: ``archive`` and
``crawler`` are names of unrelated distributions on the package index, and under ``nianbao.`` they can
never shadow them or be shadowed.  Everything else is in pyproject.toml.
"""

from setuptools import find_packages, setup

setup(packages=["nianbao", *(f"nianbao.{name}" for name in find_packages("nianbao"))])
