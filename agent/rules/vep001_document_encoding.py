"""The file is readable text: UTF-8, no NUL bytes; a BOM or CRLF line ends are noted.

**What it checks.** A VEP is a markdown file read by GitHub, Prow and the governance CI.
Bytes that are not UTF-8 are shown as replacement characters and may corrupt YAML front
matter; a NUL byte means the file is not text at all (nothing else is checked then). A
byte-order mark or CRLF line ends are harmless to vep-review (it reads through them) but
hide the ``---`` front matter delimiter from stricter parsers.

**Anti-pattern.** A VEP saved as UTF-16 or Latin-1 by an editor, or pasted from a word
processor with a BOM.

**Best practice.** Save the file as UTF-8 without BOM, with LF line ends.
"""

from agent.rules import Problem

ID = "VEP001"
NAME = "document-encoding"
SEVERITY = "error"
SOURCE = "vep-review: markdown files are UTF-8 text (GitHub, YAML 1.1 front matter)"
FIX = "Save the file as UTF-8 without BOM, with LF line ends."


def check(doc, ctx):
    if "binary" in doc.notes:
        yield Problem("The file holds NUL bytes: it is binary, not a markdown document; nothing else was checked.",
                      fix="Check the right file, or save the VEP as UTF-8 text.")
        return
    for wide in ("utf-16", "utf-32"):
        if wide in doc.notes:
            yield Problem(f"The file is encoded as {wide.upper()} (it starts with a {wide.upper()} byte-order mark); "
                          "vep-review decoded it, but GitHub and the governance CI read UTF-8.", line=1,
                          fix=f"{wide.upper()}: convert it to UTF-8 (e.g. `iconv -f {wide.upper()} -t UTF-8`).")
    if "invalid-utf8" in doc.notes:
        line = next((i + 1 for i, text in enumerate(doc.lines) if "\ufffd" in text), None)
        yield Problem("The file is not valid UTF-8; undecodable bytes were replaced with U+FFFD.", line=line)
    if "bom" in doc.notes:
        yield Problem("The file starts with a UTF-8 byte-order mark.", line=1, severity="info",
                      fix="Remove the byte-order mark (most editors: save as 'UTF-8', not 'UTF-8 with BOM').")
    if "crlf" in doc.notes:
        yield Problem("The file uses CRLF (Windows) line ends.", severity="info",
                      fix="Convert line ends to LF (e.g. `dos2unix`, or set `core.autocrlf=input`).")
