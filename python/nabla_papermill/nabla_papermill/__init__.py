"""papermill support for the Nabla kernel: a parameter translator for Nabla's syntax.

papermill renders injected parameters through a per-language "translator". Nabla's syntax is
Python's, but its integers are 64-bit, it has no `inf` literal, and its strings are written
here with only the escapes every Nabla version reads (\\\\, \\', \\n, \\t), so Python's translator
(which writes \\x.. and \\u.... escapes and formats with black) is not used.

papermill 2.x loads plugins only from the `papermill.engine` and `papermill.io` entry point
groups. Importing this module (which papermill does when it loads our `papermill.engine` entry
point) registers every translator declared under the `papermill.translators` group, ours
included, for the language and kernel names it is declared under.
"""
import math
from importlib.metadata import entry_points

from papermill.translators import PythonTranslator, Translator, papermill_translators

__all__ = ["NablaTranslator", "NablaEngine", "register"]

LANGUAGE = "nabla"

# The only escapes Nabla's lexer knows (besides \" and a backslash-newline continuation).
_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\t": "\\t"}


class NablaTranslator(Translator):
    """Renders papermill's parameter values as Nabla literals."""

    # Nabla assignments read like Python's (`name = value  # help`), so `papermill
    # --help-notebook` inspects a Nabla parameters cell with Python's pattern.
    PARAMETER_PATTERN = PythonTranslator.PARAMETER_PATTERN
    inspect = classmethod(PythonTranslator.inspect.__func__)

    @classmethod
    def translate_none(cls, val):
        return "None"

    @classmethod
    def translate_bool(cls, val):
        return "True" if val else "False"

    @classmethod
    def translate_int(cls, val):
        val = int(val)
        if not -2 ** 63 <= val < 2 ** 63:
            raise ValueError(f"the parameter value {val} does not fit Nabla's 64-bit integers; pass it as a float")
        if val == -2 ** 63:  # its magnitude alone is not a 64-bit literal
            return f"({-2 ** 63 + 1} - 1)"
        return str(val)

    @classmethod
    def translate_float(cls, val):
        if math.isnan(val):
            return "float('nan')"
        if math.isinf(val):
            return "float('inf')" if val > 0 else "-float('inf')"
        # repr is the shortest decimal that reads back as the same float64 (e.g. 0.1, 1e-05).
        return repr(float(val))

    @classmethod
    def translate_str(cls, val):
        return "'" + "".join(_ESCAPES.get(ch, ch) for ch in str(val)) + "'"

    @classmethod
    def translate_escaped_str(cls, str_val):
        return cls.translate_str(str_val)

    @classmethod
    def translate_list(cls, val):
        return "[" + ", ".join(cls.translate(v) for v in val) + "]"

    @classmethod
    def translate_tuple(cls, val):
        items = [cls.translate(v) for v in val]
        return "(" + items[0] + ",)" if len(items) == 1 else "(" + ", ".join(items) + ")"

    @classmethod
    def translate_dict(cls, val):
        return "{" + ", ".join(f"{cls.translate(k)}: {cls.translate(v)}" for k, v in val.items()) + "}"

    @classmethod
    def translate(cls, val):
        if isinstance(val, tuple):
            return cls.translate_tuple(val)
        # papermill's dispatch for the JSON/YAML types; anything else becomes its text as a string.
        return super().translate(val)

    @classmethod
    def comment(cls, cmt_str):
        return "\n".join(f"# {line}".rstrip() for line in str(cmt_str).splitlines() or [""])


def register():
    """Registers every `papermill.translators` entry point with papermill (ours for `nabla`)."""
    found = False
    for ep in entry_points(group="papermill.translators"):
        papermill_translators.register(ep.name, ep.load())
        found = found or ep.name == LANGUAGE
    if not found:  # imported from a source tree that is not installed
        papermill_translators.register(LANGUAGE, NablaTranslator)


register()


def __getattr__(name):
    # The engine is papermill's default one; imported lazily because papermill loads this
    # module while its engines module is still being imported.
    if name == "NablaEngine":
        from papermill.engines import NBClientEngine
        return NBClientEngine
    raise AttributeError(name)
