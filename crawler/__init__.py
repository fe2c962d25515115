"""The Scrapy project: one generic spider driven by ``portals.yml``."""
