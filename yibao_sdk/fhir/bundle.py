"""Bundles: reference resolution (fullUrl, urn:uuid, Type/id, #contained) and transaction output."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from yibao_sdk.fhir.codec import Json
from yibao_sdk.fhir.node import Node
from yibao_sdk.fhir.systems import BASE

__all__ = ["BundleBuilder", "BundleIndex"]

_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, BASE)


class BundleIndex:
    """The resources of a Bundle (or one standalone resource) and how to find them by reference.

    :param resources: resource nodes (``Bundle.entry[i].resource``) in entry order.
    :param full_urls: the ``fullUrl`` of each, ``""`` when absent.
    """

    def __init__(self, resources: list[Node], full_urls: list[str]) -> None:
        self.resources = resources
        self._by_key: dict[str, Node] = {}
        for node, full_url in zip(resources, full_urls, strict=True):
            for key in _keys(node, full_url):
                self._by_key.setdefault(key, node)

    @classmethod
    def of_bundle(cls, bundle: Node) -> BundleIndex:
        """Index every entry that has a resource (DELETE entries have none)."""
        resources, urls = [], []
        for entry in bundle.children("entry"):
            resource = entry.child("resource")
            if resource is not None:
                resources.append(resource)
                urls.append(entry.text("fullUrl"))
        return cls(resources, urls)

    @classmethod
    def of_resource(cls, resource: Node) -> BundleIndex:
        """An index of one standalone resource (only its contained resources resolve)."""
        return cls([resource], [""])

    def of_type(self, resource_type: str) -> list[Node]:
        """The resources of ``resource_type``, in entry order."""
        return [node for node in self.resources if node.resource_type == resource_type]

    def resolve(self, ref: Node | None, *, within: Node | None = None) -> Node | None:
        """The resource a Reference points at, or ``None`` (logical or external references).

        :param within: the resource holding the reference, for ``#id`` contained references.
        """
        target = ref.text("reference") if ref is not None else ""
        if not target:
            return None
        if target.startswith("#"):
            return _contained(within, target[1:]) if within is not None else None
        found = self._by_key.get(target)
        if found is None:
            found = self._by_key.get(_type_and_id(target))
        return found


def _keys(node: Node, full_url: str) -> Iterator[str]:
    if full_url:
        yield full_url
        yield _type_and_id(full_url)
    if node.id and node.resource_type:
        yield f"{node.resource_type}/{node.id}"


def _type_and_id(url: str) -> str:
    """``Type/id`` at the end of an absolute or relative URL, without ``/_history/n``."""
    parts = url.split("/_history/", maxsplit=1)[0].rstrip("/").split("/")
    return "/".join(parts[-2:]) if len(parts) >= 2 else url


def _contained(resource: Node, local_id: str) -> Node | None:
    for item in resource.children("contained"):
        if item.id == local_id:
            return item
    return None


class BundleBuilder:
    """Builds a transaction Bundle; fullUrls are ``urn:uuid:`` derived from ``seed``, kind and key,
    so the same visit always gives the same Bundle (replays and idempotent retries)."""

    def __init__(self, seed: str) -> None:
        self._seed = seed
        self._entries: list[Json] = []
        self._urls: set[str] = set()

    def urn(self, kind: str, key: str) -> str:
        """The fullUrl of the resource of ``kind`` keyed ``key`` (e.g. ``order``, ``O001``)."""
        return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{self._seed}|{kind}|{key}')}"

    def add(self, full_url: str, resource: Json, *, if_none_exist: str = "") -> None:
        """Append a POST entry; a conditional create when ``if_none_exist`` is a search query."""
        if full_url in self._urls:
            raise ValueError(f"two bundle entries share the fullUrl {full_url}")
        self._urls.add(full_url)
        request: Json = {"method": "POST", "url": resource["resourceType"]}
        if if_none_exist:
            request["ifNoneExist"] = if_none_exist
        self._entries.append({"fullUrl": full_url, "resource": resource, "request": request})

    def bundle(self) -> Json:
        """The transaction Bundle."""
        return {"resourceType": "Bundle", "type": "transaction", "entry": list(self._entries)}
