#!/usr/bin/env python3
"""README's command reference is the real --help text of every command, generated here.

  readme_commands.py --write BIN_DIR README.md   rewrite the block between the markers
  readme_commands.py --check BIN_DIR README.md   exit 1 (printing a diff) when it differs

BIN_DIR holds the built compactd and compactctl. Help is taken at COLUMNS=100 so the text does
not depend on the terminal."""
import difflib
import os
import re
import subprocess
import sys

BEGIN = "<!-- BEGIN GENERATED COMMAND HELP (make readme; a test checks it) -->"
END = "<!-- END GENERATED COMMAND HELP -->"


def help_text(binary, args):
    env = dict(os.environ, COLUMNS="100")
    out = subprocess.run([binary, *args, "--help"], capture_output=True, text=True, env=env)
    return out.stdout.rstrip() + "\n"


def subcommands(text):
    names, inside = [], False
    for line in text.splitlines():
        if line.startswith("SUBCOMMANDS:"):
            inside = True
            continue
        if inside:
            match = re.match(r"^  ([a-z][a-z-]*)\s", line)
            if match:
                names.append(match.group(1))
            elif not line.strip():
                break
    return names


def block(bin_dir):
    ctl = os.path.join(bin_dir, "compactctl")
    sections = [("compactd", help_text(os.path.join(bin_dir, "compactd"), []))]
    top = help_text(ctl, [])
    sections.append(("compactctl", top))
    for name in subcommands(top):
        text = help_text(ctl, [name])
        sections.append((f"compactctl {name}", text))
        for inner in subcommands(text):
            sections.append((f"compactctl {name} {inner}", help_text(ctl, [name, inner])))
    parts = [BEGIN, ""]
    for title, text in sections:
        parts += [f"#### `{title}`", "", "```text", text.rstrip(), "```", ""]
    parts.append(END)
    return "\n".join(parts)


def main():
    mode, bin_dir, readme = sys.argv[1:4]
    current = open(readme, encoding="utf-8").read()
    start, end = current.find(BEGIN), current.find(END)
    if start < 0 or end < 0:
        print(f"{readme}: the markers are missing", file=sys.stderr)
        return 1
    wanted = current[:start] + block(bin_dir) + current[end + len(END):]
    if mode == "--write":
        open(readme, "w", encoding="utf-8").write(wanted)
        return 0
    if wanted != current:
        sys.stdout.writelines(difflib.unified_diff(current.splitlines(True), wanted.splitlines(True), "README.md", "README.md (from --help)", n=1))
        return 1
    return 0


sys.exit(main())
