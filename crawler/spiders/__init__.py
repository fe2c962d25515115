"""Spiders of the nianbao Scrapy project: one generic spider, ``portal``, driven by ``portals.yml``."""
