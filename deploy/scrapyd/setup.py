"""The egg scrapyd-deploy uploads: only the settings entry point; the code is the installed nianbao."""

from setuptools import setup

setup(
    name="nianbao-scrapyd",
    version="1.0",
    packages=["nianbao_scrapyd"],
    entry_points={"scrapy": ["settings = nianbao_scrapyd.settings"]},
)
