"""Which transaction a request is for, by the profile's URL style (reference §0, §2.3).

* dispatcher: the profile's base path (or file-service path) only; ``infno`` from the body;
* suffix: ``{base}/{infno}``;
* per-path: the reverse map of the profile's ``paths`` (file transactions under the file base).

The host and port of the profile's URLs are ignored: the mock listens where it was started,
and :meth:`Router.client_profile` rebases the profile onto that address for clients.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ..profiles import ProvinceProfile, UrlStyle

__all__ = ["NoRoute", "Router"]


class NoRoute(LookupError):
    """No service at the requested path (answered with HTTP 404)."""


def _path(url: str) -> str:
    return urlsplit(url).path.rstrip("/")


class Router:
    """Maps request paths to transactions for one profile."""

    def __init__(self, profile: ProvinceProfile) -> None:
        self.profile = profile
        self.style = profile.url_style
        self.base = _path(profile.base_url)
        self.file_base = _path(profile.file_base_url) if profile.file_base_url else self.base
        self._paths = {self._base_for(infno) + path: infno
                       for infno, path in profile.paths.items()}

    def _base_for(self, infno: str) -> str:
        return self.file_base if infno in self.profile.file_infnos else self.base

    def infno_of(self, path: str) -> str | None:
        """The infno named by ``path``, or ``None`` when the body names it (dispatcher).

        :raises NoRoute: the path serves nothing under this profile.
        """
        path = urlsplit(path).path.rstrip("/")
        if self.style is UrlStyle.DISPATCHER:
            if path in (self.base, self.file_base):
                return None
        elif self.style is UrlStyle.SUFFIX:
            head, _, infno = path.rpartition("/")
            if infno and head == self._base_for(infno):
                return infno
        elif path in self._paths:
            return self._paths[path]
        raise NoRoute(f"no service at {path or '/'} ({self.style.value} profile "
                      f"{self.profile.name!r})")

    def path_matches(self, path: str, infno: str) -> bool:
        """True when a dispatcher request for ``infno`` came to the right base (file or main)."""
        return urlsplit(path).path.rstrip("/") == self._base_for(infno)

    def client_profile(self, url: str) -> ProvinceProfile:
        """The profile with its URLs moved to ``url`` (``http://127.0.0.1:PORT``)."""
        root = url.rstrip("/")
        update = {"base_url": root + self.base}
        if self.profile.file_base_url:
            update["file_base_url"] = root + self.file_base
        return self.profile.model_copy(update=update)
