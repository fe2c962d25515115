"""CMS families: one module each, registered by name; a registry entry picks one and gives parameters.

    @register
    @dataclass(frozen=True)
    class MyCms(Family):
        name: ClassVar[str] = "my-cms"
        ...

Adding a family is adding a module here and importing it below (docs/operators.md, "Adding a portal").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from nianbao.crawler.families.base import Family

FAMILIES: dict[str, type[Family]] = {}
F = TypeVar("F", bound="type[Family]")


def register(cls: F) -> F:
    FAMILIES[cls.name] = cls
    return cls


def family_names() -> list[str]:
    _load()
    return sorted(FAMILIES)


def family_class(name: str) -> type[Family] | None:
    _load()
    return FAMILIES.get(name)


def _load() -> None:
    """Import the family modules (each registers itself)."""
    from nianbao.crawler.families import generic, gkmlpt, hanweb_jcms, hanweb_jpaas, trs, zz_public  # noqa: F401
