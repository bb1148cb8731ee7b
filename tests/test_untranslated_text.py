"""No user-facing text escapes translation: read from the sources, without running a page.

tests/test_i18n.py checks that every message the extractor finds has its Italian; these tests check that the
extractor finds every message: no words written straight into a template, no macro that reads the page's language
without being given it, no label or refusal written in Python outside `_()`. tests/test_page_languages.py walks
the demo's pages for what reaches a reader anyway (data, PDFs).
"""
from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

from jinja2 import Environment, meta, nodes

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
ENV = Environment(extensions=["jinja2.ext.i18n", "jinja2.ext.do"])
#: Where an expression's output goes: letters around it count, the expression does not.
SLOT = "\x1f"
#: Attributes a reader hears or sees (a button's value only on <input>: a <button>'s value is never shown).
SPOKEN_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description", "aria-roledescription",
                     "aria-valuetext", "label", "summary"}
#: Elements whose text is code, not prose: commands, CSV column names, file examples.
CODE_ELEMENTS = {"code", "pre", "kbd", "samp", "script", "style"}
#: Words that are the same in every language, each for a reason:
ALLOWED_WORDS = {
    "CX", "Culture",  # the product's name
    "EN", "IT", "English", "Italiano",  # the language switch: each language names itself, in itself
    "PDF", "KB", "json", "JSON",  # file formats and sizes
}
#: Class names, URL parts and identifiers a template writes between tags ("heat-1", "?team=", "#overview").
IDENTIFIER = re.compile(r"[?#&][\w-]*=?|[a-z0-9]+(?:[-_=/.][a-z0-9]*)+")
WORD = re.compile(r"[^\W\d_]{2,}")


def literal_text(source: str) -> str:
    """The template with every expression replaced by SLOT, every tag by a space and the text of
    {% trans %} blocks dropped: what is left is written in the template itself."""
    out, in_block, in_trans, block = [], False, False, []
    for _lineno, kind, value in ENV.lex(source):
        if kind == "data":
            out.append(SLOT if in_trans else value)
        elif kind == "variable_begin":
            out.append(SLOT)
        elif kind == "block_begin":
            in_block, block = True, []
            out.append(" ")
        elif kind == "block_end":
            in_block = False
            in_trans = block[:1] == ["trans"] or (in_trans and block[:1] != ["endtrans"])
        elif in_block and kind == "name":
            block.append(value)
    return "".join(out)


class _LiteralText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self.code = 0

    def handle_starttag(self, tag, attrs):
        if tag in CODE_ELEMENTS:
            self.code += 1
        values = dict(attrs)
        for name, value in attrs:
            if value and (name in SPOKEN_ATTRIBUTES
                          or (name == "value" and tag == "input" and values.get("type") in ("submit", "button"))):
                self._check(value)

    def handle_endtag(self, tag):
        if tag in CODE_ELEMENTS:
            self.code = max(0, self.code - 1)

    def handle_data(self, data):
        if not self.code:
            self._check(data)

    def _check(self, text: str) -> None:
        words = [w for w in WORD.findall(IDENTIFIER.sub(" ", text.replace(SLOT, " "))) if w not in ALLOWED_WORDS]
        if words:
            self.found.append((self.getpos()[0], " ".join(text.replace(SLOT, "…").split())))


def untranslated_template_text(source: str) -> list[tuple[int, str]]:
    """(line, text) of every piece of prose a template writes without `_()` or {% trans %}."""
    parser = _LiteralText()
    parser.feed(literal_text(source))
    parser.close()
    return parser.found


def test_checker_finds_literal_text():
    assert untranslated_template_text('<p>{{ _("Saved") }}</p><p>Nothing saved</p>') == [(1, "Nothing saved")]
    assert untranslated_template_text('<span class="visually-hidden">: {{ title }} details</span>')
    assert untranslated_template_text('<a title="Open it" aria-label="{{ _(\'Open\') }}">{{ x }}</a>')
    assert untranslated_template_text('<input type="submit" value="Send">')
    assert not untranslated_template_text('{% trans %}Hello{% endtrans %} <code>flask run</code> <b>CX</b> (PDF)')
    assert not untranslated_template_text('<button value="next">{{ _("Next") }}</button> <i class="a-b">heat-1</i>')


def test_templates_write_no_literal_text():
    problems = [f"{path.relative_to(ROOT)}:{line}: {text!r}"
                for path in sorted(TEMPLATES.rglob("*.html"))
                for line, text in untranslated_template_text(path.read_text(encoding="utf-8"))]
    assert not problems, "wrap these in _() (or say in ALLOWED_WORDS why not):\n" + "\n".join(problems)


def _page_context_names(app) -> set[str]:
    """What the context processors give a page (the language, the navigation, ...)."""
    with app.test_request_context("/"):
        context: dict = {}
        app.update_template_context(context)
    return set(context) - set(app.jinja_env.globals)


def test_imported_macros_are_given_the_page_context(app):
    """A macro imported without `with context` sees no context processor: it read `current_language` as undefined
    and named modules in English in the screen-reader text of Italian pages."""
    page_names = _page_context_names(app)
    assert "current_language" in page_names
    imports = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for node in ENV.parse(path.read_text(encoding="utf-8")).find_all((nodes.FromImport, nodes.Import)):
            if isinstance(node.template, nodes.Const) and not node.with_context:
                imports.append((path.relative_to(TEMPLATES), node.lineno, node.template.value))
    problems = []
    for target in sorted({target for _path, _line, target in imports}):
        source = (TEMPLATES / target).read_text(encoding="utf-8")
        reads = meta.find_undeclared_variables(app.jinja_env.parse(source)) & page_names
        problems += [f"{path}:{line} imports {target} without context, and it reads {sorted(reads)}"
                     for path, line, name in imports if name == target and reads]
    assert not problems, "\n".join(problems)


#: Calls whose first argument a person reads: flashed messages, refusals, validation errors, form field labels.
_READ_FIRST = {"flash", "Refused", "ValidationError", "StopValidation"}
#: Keyword arguments a person reads, whatever the call.
_READ_KEYWORDS = {"label", "description", "message", "placeholder", "hint", "caption"}
_TRANSLATED = {"_", "_l", "gettext", "ngettext", "lazy_gettext", "lazy_ngettext"}
#: Operators' command-line help and output are English on purpose (a terminal, not a reader of the app).
_OPERATOR_MODULES = ("cli.py",)
#: A protocol's own text, read by another system and shown in its operators' logs, in the protocol's English: the
#: SCIM schema descriptions and error details an identity provider receives.
_PROTOCOL_MODULES = ("cxculture/scim/resources.py", "cxculture/scim/protocol.py", "cxculture/scim/service.py")


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _is_prose(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(WORD.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(part, ast.Constant) and WORD.search(part.value) for part in node.values)
    return False


def untranslated_python_text(source: str) -> list[tuple[int, str]]:
    """(line, text) of every string a person reads that Python passes without `_()`/`_l()`."""
    found = []
    for call in ast.walk(ast.parse(source)):
        if not isinstance(call, ast.Call) or _call_name(call) in _TRANSLATED:
            continue
        name = _call_name(call)
        read = []
        if name in _READ_FIRST or (name.endswith("Field") and name[:1].isupper()):
            read += call.args[:1]
        if name == "refuse_if":
            read += call.args[1:2]
        read += [keyword.value for keyword in call.keywords if keyword.arg in _READ_KEYWORDS]
        found += [(node.lineno, ast.unparse(node)) for node in read if _is_prose(node)]
    return found


def test_python_checker_finds_untranslated_labels():
    source = ('flash("Saved")\nname = StringField("Name", validators=[Length(max=5, message="Too long")])\n'
              'refuse_if(x, f"Row {n} is wrong")\nok = StringField(_l("Name"), description=_l("Shown"))\n')
    assert sorted(line for line, _text in untranslated_python_text(source)) == [1, 2, 2, 3]


def test_python_passes_readers_text_through_gettext():
    problems = [f"{path.relative_to(ROOT)}:{line}: {text}"
                for path in sorted((ROOT / "cxculture").rglob("*.py"))
                if path.name not in _OPERATOR_MODULES and str(path.relative_to(ROOT)) not in _PROTOCOL_MODULES
                for line, text in untranslated_python_text(path.read_text(encoding="utf-8"))]
    assert not problems, "wrap these in _() or _l():\n" + "\n".join(problems)
