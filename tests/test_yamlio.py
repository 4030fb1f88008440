"""YAML reading: libyaml's parser reads our files exactly as PyYAML's own does."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

from chibo_analysis.yamlio import safe_load


@pytest.mark.parametrize("name", ["labels.yaml", "targets.yaml"])
def test_resources_read_the_same_as_with_the_pure_python_parser(name):
    text = resources.files("chibo_analysis").joinpath(f"resources/{name}").read_text("utf-8")
    assert safe_load(text) == yaml.safe_load(text)


def test_unsafe_tags_and_bad_syntax_raise_yaml_errors():
    with pytest.raises(yaml.YAMLError):
        safe_load("!!python/object/apply:os.system ['true']")
    with pytest.raises(yaml.YAMLError):
        safe_load("targets: [\n")
