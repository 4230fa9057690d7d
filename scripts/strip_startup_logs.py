"""Drop TensorFlow's C++ start-up lines from executed notebooks' stored outputs.

TensorFlow 2.21 logs two lines through absl when it is imported on a machine without
CUDA ("All log messages before absl::InitializeLog() ..." and "Could not find cuda
drivers ..."), before ``TF_CPP_MIN_LOG_LEVEL`` is read, so no setting silences them and
Jupyter stores them in the setup cell of every notebook. ``make course`` runs this
after executing each notebook. Only those exact lines are removed; any other output,
warnings included, stays.

    python scripts/strip_startup_logs.py notebooks/06_building_a_cnn.ipynb ...
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

STARTUP_LINE = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\) is called are written to "
    r"STDERR|I0000 [\d:. ]+\d+ cudart_stub\.cc:\d+\] Could not find cuda drivers on your "
    r"machine, GPU will not be used\.)\n?$"
)


def strip_outputs(outputs: list[dict]) -> list[dict]:
    """The outputs without start-up lines; a stream left empty is dropped.

    >>> strip_outputs([{"output_type": "stream", "name": "stderr", "text": [
    ...     "I0000 00:00:17.5 25989 cudart_stub.cc:31] Could not find cuda drivers on your "
    ...     "machine, GPU will not be used.\\n", "a real warning\\n"]}])[0]["text"]
    ['a real warning\\n']
    """
    kept = []
    for output in outputs:
        if output.get("output_type") == "stream":
            text = output["text"]
            lines = text.splitlines(True) if isinstance(text, str) else list(text)
            lines = [line for line in lines if not STARTUP_LINE.match(line)]
            if not lines:
                continue
            output = {**output, "text": lines}
        kept.append(output)
    return kept


def main(paths: list[str]) -> int:
    """Rewrite each notebook in place when it held start-up lines."""
    for path in map(Path, paths):
        notebook = json.loads(path.read_text())
        changed = False
        for cell in notebook["cells"]:
            if cell["cell_type"] == "code":
                outputs = strip_outputs(cell["outputs"])
                changed |= outputs != cell["outputs"]
                cell["outputs"] = outputs
        if changed:
            path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
