"""Scrapyd's view of nianbao: the project settings of the installed ``crawler`` package."""
