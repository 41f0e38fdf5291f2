"""Just enough Tcl to read DejaGnu directives: splitting a command into words.

A directive such as  { dg-output "x \\[y\\]\\n" { target c } }  is a Tcl command
that DejaGnu evaluates.  Its words follow Tcl's rules: a "quoted" word gets
backslash substitution, a {braced} word is taken literally (nested braces
included), a bare word gets backslash substitution.  Command and variable
substitution ([cmd], $var) do not occur in the libgomp testsuite and are not
implemented; a bracket stays a bracket.
"""

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def _unescape(text):
    """Tcl backslash substitution (\\n, \\t, \\x -> x, ...)."""
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append(_ESCAPES.get(nxt, nxt))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def matching_brace(text, start):
    """Index just past the brace that closes the one at text[start], or -1."""
    depth, i = 0, start
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return -1


def split_words(text):
    """Split a Tcl command or list into its words."""
    words, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c == "{":
            end = matching_brace(text, i)
            if end < 0:
                end = n + 1
            words.append(text[i + 1:end - 1])
            i = end
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            words.append(_unescape(text[i + 1:j]))
            i = j + 1
        else:
            j = i
            while j < n and not text[j].isspace():
                j += 2 if text[j] == "\\" else 1
            words.append(_unescape(text[i:j]))
            i = j
    return words
