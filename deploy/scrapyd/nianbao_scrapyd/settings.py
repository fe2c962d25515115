"""nianbao's Scrapy settings, as installed in Scrapyd's environment (``pip install nianbao``)."""

from nianbao.crawler.settings import *  # noqa: F403 (the project's settings, unchanged)
