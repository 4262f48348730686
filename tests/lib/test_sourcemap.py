import pytest

from openedx_cc.lib.errors import ValidationFailed
from openedx_cc.lib.sourcemap import load_toml, load_yaml

YAML = """\
format: x
committers:
  - github: a
    name: A
  - github: b
    rights:
      - repository: r
        paths: [p/, q/]
"""


def test_yaml_lines_of_keys_and_items():
    _data, source = load_yaml(YAML)
    assert source.line_for(("committers", 1, "github")) == 5
    assert source.line_for(("committers", 1, "rights", 0, "repository")) == 7
    assert source.line_for(("committers", 1, "rights", 0, "paths", 1)) == 8
    assert source.line_for(("committers", 1, "rights", 0, "unknown")) == 7  # nearest known ancestor


def test_yaml_syntax_error_names_the_line():
    with pytest.raises(ValidationFailed) as info:
        load_yaml("a: 1\nb: [unclosed\nc: 2\n", "f.yaml")
    problem = info.value.problems[0]
    assert problem.file == "f.yaml" and problem.line in {2, 3, 4}
    assert "not valid YAML" in problem.message


def test_yaml_duplicate_keys_are_errors():
    with pytest.raises(ValidationFailed) as info:
        load_yaml("a: 1\nb: 2\na: 3\n", "f.yaml")
    assert "duplicate key 'a' (also on line 1)" in str(info.value)
    assert info.value.problems[0].line == 3


def test_toml_lines_of_tables_and_keys():
    text = 'format = "x"\n\n[[committers]]\ngithub = "a"\n\n[[committers]]\ngithub = "b"\n[[committers.rights]]\n' \
           'repository = "r"\n'
    data, source = load_toml(text)
    assert data["committers"][1]["rights"][0]["repository"] == "r"
    assert source.line_for(("committers", 1, "github")) == 7
    assert source.line_for(("committers", 1, "rights", 0, "repository")) == 9


def test_toml_syntax_error_names_the_line():
    with pytest.raises(ValidationFailed) as info:
        load_toml('a = 1\nb = = 2\n', "f.toml")
    assert info.value.problems[0].line == 2
