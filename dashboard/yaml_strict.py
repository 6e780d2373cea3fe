"""YAML for hand-edited files (users, mappings): PyYAML's safe loader, but a key
written twice in one mapping is an error, not "the later one wins" (a hand edit
adding `role: hq` below `role: region` must not silently promote a user)."""
from __future__ import annotations

import yaml


class DuplicateKeyError(yaml.constructor.ConstructorError):
    pass


class StrictSafeLoader(yaml.SafeLoader):
    """yaml.SafeLoader that refuses duplicate mapping keys, naming the key and its line."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            self.flatten_mapping(node)
            seen: dict = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    hash(key)
                except TypeError:
                    continue  # the base class reports unhashable keys
                if key in seen:
                    raise DuplicateKeyError(
                        "while reading a mapping", node.start_mark,
                        f"key {key!r} appears twice (lines {seen[key] + 1} and {key_node.start_mark.line + 1}); "
                        "keep one", key_node.start_mark)
                seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def safe_load(text: str):
    return yaml.load(text, Loader=StrictSafeLoader)  # noqa: S506 - a SafeLoader subclass
