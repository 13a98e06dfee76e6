#!/usr/bin/env python3
"""Formatting and lint checks for ipcbox's BUILD, WORKSPACE and .bzl files.

Why not buildifier: it is not packaged in Debian 12 and ipcbox takes its
tools only from Debian packages (npm's and GitHub's binaries are not), so
this checker implements the subset of buildifier's rules that matter for
this tree, with Python's own parser (Starlark's syntax is a subset of
Python's):

  load-on-top     load() statements come before any other statement (not
                  in a WORKSPACE, whose loads need what it declared first)
  unused-load     every symbol a load() brings in is used in the file
  name-first      `name` is the first argument of a rule or macro call
  unsorted        srcs, hdrs and deps lists are sorted as buildifier sorts
                  them: plain strings (file names), then ":local" labels,
                  then "//..." labels, then "@repo//..." labels; within each
                  group by the parts split at "." and ":", so "//lib/core"
                  and "//lib/core:fd" come before "//lib/core/internal:x".
                  A comment line or a blank line starts a new run, sorted
                  on its own, as in buildifier.
  duplicate       no string twice in one of those lists
  indent          indentation is a multiple of four spaces, never a tab
  trailing-comma  a list, dict or call spread over lines ends its last item
                  with a comma (but for a call's *args or **kwargs)
  quotes          strings use double quotes (unless they contain one)

Usage:
  tools/lint/build_lint.py [--fix] [FILE...]

With no FILE, every BUILD, BUILD.bazel, WORKSPACE, *.BUILD and *.bzl file
git tracks. Prints `file:line: rule: message` for each violation and exits
1 if there is any, 0 if none, 2 on a usage error. --fix sorts and removes
duplicates in the lists where each item is on its own line (or the whole
list on one line), and reports what it cannot fix.
"""

import ast
import io
import os
import re
import subprocess
import sys
import tokenize

SORTED_ATTRIBUTES = ("srcs", "hdrs", "deps")


def sort_key(value):
    """buildifier's order for a string in a sortable list."""
    if value.startswith(":"):
        phase = 1
    elif value.startswith("//"):
        phase = 2
    elif value.startswith("@"):
        phase = 3
    else:
        phase = 0
    return (phase, value.replace(":", ".").split("."), value)


class Linter:
    def __init__(self, path, text):
        self.path = path
        self.text = text
        self.lines = text.split("\n")
        # A WORKSPACE loads what earlier statements declared: loads go
        # where they are needed there, as buildifier allows.
        self.is_workspace = os.path.basename(path) in ("WORKSPACE", "WORKSPACE.bazel")
        self.problems = []  # (line, rule, message)
        self.fixes = []  # (first_line, last_line, new_lines), 0-based inclusive

    def report(self, line, rule, message):
        self.problems.append((line, rule, message))

    def run(self):
        try:
            tree = ast.parse(self.text, filename=self.path)
        except SyntaxError as e:
            self.report(e.lineno or 1, "parse", e.msg)
            return
        self.check_loads(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                self.check_call(node)
            if isinstance(node, (ast.List, ast.Dict, ast.Call, ast.Tuple)):
                self.check_trailing_comma(node)
        self.check_tokens()

    # load-on-top, unused-load
    def check_loads(self, tree):
        body = tree.body
        seen_other = False
        used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        for i, statement in enumerate(body):
            is_load = (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)
                       and isinstance(statement.value.func, ast.Name)
                       and statement.value.func.id == "load")
            is_docstring = (i == 0 and isinstance(statement, ast.Expr)
                            and isinstance(statement.value, ast.Constant)
                            and isinstance(statement.value.value, str))
            if is_load:
                if seen_other and not self.is_workspace:
                    self.report(statement.lineno, "load-on-top",
                                "load() after other statements; move it to the top")
                call = statement.value
                loaded = [(a.value, a.lineno) for a in call.args[1:]
                          if isinstance(a, ast.Constant)]
                loaded += [(k.arg, k.value.lineno) for k in call.keywords]
                for symbol, line in loaded:
                    # A load's own Name nodes do not count as uses.
                    if symbol not in used:
                        self.report(line, "unused-load", f'"{symbol}" is loaded but not used')
            elif not is_docstring:
                seen_other = True

    # name-first, unsorted, duplicate
    def check_call(self, call):
        names = [k.arg for k in call.keywords]
        if "name" in names and (call.args or names[0] != "name"):
            self.report(call.lineno, "name-first", "`name` must be the first argument")
        for keyword in call.keywords:
            if keyword.arg in SORTED_ATTRIBUTES:
                for lst in self.list_operands(keyword.value):
                    self.check_sorted(keyword.arg, lst)

    def list_operands(self, value):
        if isinstance(value, ast.List):
            return [value]
        if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
            return self.list_operands(value.left) + self.list_operands(value.right)
        return []

    def runs(self, lst):
        """Runs of string items not separated by a comment, blank line or non-string."""
        runs, current, previous_end = [], [], None
        for item in lst.elts:
            if not (isinstance(item, ast.Constant) and isinstance(item.value, str)):
                if current:
                    runs.append(current)
                current, previous_end = [], item.end_lineno
                continue
            if previous_end is not None and current:
                between = self.lines[previous_end:item.lineno - 1]
                if any(not l.strip() or l.strip().startswith("#") for l in between):
                    runs.append(current)
                    current = []
            current.append(item)
            previous_end = item.end_lineno
        if current:
            runs.append(current)
        return runs

    def check_sorted(self, attribute, lst):
        for run in self.runs(lst):
            values = [item.value for item in run]
            duplicates = sorted({v for v in values if values.count(v) > 1})
            for value in duplicates:
                self.report(run[0].lineno, "duplicate", f'"{value}" twice in {attribute}')
            wanted = sorted(dict.fromkeys(values), key=sort_key)
            if values != wanted and not duplicates:
                first = next(i for i, (a, b) in enumerate(zip(values, wanted)) if a != b)
                self.report(run[first].lineno, "unsorted",
                            f'{attribute}: "{wanted[first]}" goes before "{values[first]}"')
            if values != wanted:
                self.plan_fix(lst, run, wanted)

    def plan_fix(self, lst, run, wanted):
        if lst.lineno == lst.end_lineno:
            if len(self.runs(lst)) != 1 or len(run) != len(lst.elts):
                return
            line = self.lines[lst.lineno - 1]
            start, end = lst.col_offset, lst.end_col_offset
            new = "[" + ", ".join(f'"{v}"' for v in wanted) + "]"
            self.fixes.append((lst.lineno - 1, lst.lineno - 1, [line[:start] + new + line[end:]]))
            return
        rows = {}
        for item in run:
            if item.lineno != item.end_lineno:
                return
            line = self.lines[item.lineno - 1]
            if item.lineno in rows or not re.fullmatch(r'\s*"[^"]*",\s*(#.*)?', line):
                return
            rows[item.lineno] = (item.value, line)
        first, last = run[0].lineno - 1, run[-1].lineno - 1
        if last - first + 1 != len(run):
            return
        by_value = {}
        for value, line in rows.values():
            by_value.setdefault(value, line)
        self.fixes.append((first, last, [by_value[v] for v in wanted]))

    # trailing-comma
    def check_trailing_comma(self, node):
        if isinstance(node, ast.Call):
            items = list(node.args) + [k.value for k in node.keywords]
            items.sort(key=lambda n: (n.end_lineno, n.end_col_offset))
        elif isinstance(node, ast.Dict):
            items = list(node.values)
        else:
            items = list(node.elts)
        if not items or node.lineno == node.end_lineno:
            return
        last = items[-1]
        if isinstance(node, ast.Call) and (
                any(k.arg is None and k.value is last for k in node.keywords)
                or any(isinstance(a, ast.Starred) and a is last for a in node.args)):
            return  # as buildifier writes it: no comma after *args or **kwargs
        if last.end_lineno == node.end_lineno:
            return  # the closing bracket shares the last item's line: no comma wanted
        after = self.lines[last.end_lineno - 1][last.end_col_offset:]
        if not after.lstrip().startswith(","):
            self.report(last.end_lineno, "trailing-comma",
                        "the last item of a multi-line list, dict or call needs a comma")

    # indent, quotes
    def check_tokens(self):
        string_lines = set()
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO(self.text).readline))
        except (tokenize.TokenError, IndentationError) as e:
            self.report(1, "parse", str(e))
            return
        for token in tokens:
            if token.type == tokenize.STRING:
                string_lines.update(range(token.start[0] + 1, token.end[0] + 1))
                body = token.string.lstrip("rRbBuU")
                if body.startswith("'") and '"' not in body:
                    self.report(token.start[0], "quotes", "use double quotes")
        for number, line in enumerate(self.lines, 1):
            if number in string_lines or not line.strip():
                continue
            indent = line[:len(line) - len(line.lstrip())]
            if "\t" in indent:
                self.report(number, "indent", "tab in indentation")
            elif len(indent) % 4:
                self.report(number, "indent", f"indented by {len(indent)} spaces, not a multiple of 4")

    def fixed_text(self):
        lines = list(self.lines)
        for first, last, new in sorted(self.fixes, reverse=True):
            lines[first:last + 1] = new
        return "\n".join(lines)


def tracked_files():
    out = subprocess.run(
        ["git", "ls-files", "--", "BUILD", "*/BUILD", "BUILD.bazel", "*/BUILD.bazel",
         "WORKSPACE", "*/WORKSPACE", "*.BUILD", "*.bzl"],
        check=True, capture_output=True, text=True).stdout
    return [f for f in out.split("\n") if f]


def main(argv):
    if "--help" in argv or "-h" in argv:
        print(__doc__.strip())
        return 0
    fix = "--fix" in argv
    unknown = [a for a in argv if a.startswith("-") and a != "--fix"]
    if unknown:
        print(f"build_lint: unknown flag {unknown[0]} (see --help)", file=sys.stderr)
        return 2
    files = [a for a in argv if not a.startswith("-")] or tracked_files()
    count = 0
    for path in files:
        try:
            with open(path) as f:
                text = f.read()
        except OSError as e:
            print(f"build_lint: {e}", file=sys.stderr)
            return 2
        linter = Linter(path, text)
        linter.run()
        if fix and linter.fixes:
            with open(path, "w") as f:
                f.write(linter.fixed_text())
            linter = Linter(path, linter.fixed_text())
            linter.run()
        for line, rule, message in sorted(linter.problems):
            print(f"{path}:{line}: {rule}: {message}")
            count += 1
    if count:
        print(f"build_lint: {count} problem(s) in {len(files)} file(s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
