"""The README as the package index shows it (PyPI's project page: the wheel's and the sdist's
long description). The index shows no file of the repository, so a relative image or link
there leads nowhere, and the repository's address is not known until the project is
published. Relative images and links therefore become absolute under `base_url` when it is
set (`[tool.bpstudio] repository-files-url` in pyproject.toml, for example
`https://github.com/OWNER/bpstudio/raw/main/`), and otherwise the images become their
description in words and the links plain text naming the file. The README in the repository
keeps its relative paths, which work in any checkout and on any code host.
Used by hatch_build.py; must need nothing beyond the standard library."""

from __future__ import annotations

import re

IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")
LINK = re.compile(r"(?<!!)\[([^\]]+)\]\(([^)\s]+)\)")


def _relative(target: str) -> bool:
    return not re.match(r"[a-z][a-z0-9+.-]*:|#|/", target)


def for_index(readme: str, base_url: str = "") -> str:
    def rewrite(pattern: re.Pattern, mark: str, in_words) -> str:
        def one(match: re.Match) -> str:
            text, target = match.groups()
            if not _relative(target):
                return match.group(0)
            if base_url:
                return f"{mark}[{text}]({base_url.rstrip('/')}/{target})"
            return in_words(text, target)

        return pattern.sub(one, readme)

    readme = rewrite(
        IMAGE,
        "!",
        lambda alt, target: f"*(Screenshot: {alt or target}, `{target}` in the repository.)*",
    )
    return rewrite(
        LINK, "", lambda text, target: text if target in text else f"{text} (`{target}`)"
    )
