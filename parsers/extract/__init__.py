"""Format extractors: each module has ``extract(data: bytes) -> Document``."""
