"""``python -m apidrift ARGS``: runs the installed binary with ARGS."""

from __future__ import annotations

import os
import sys

from apidrift import find_apidrift_bin


def main() -> None:
    binary = find_apidrift_bin()
    argv = [binary, *sys.argv[1:]]
    if sys.platform == "win32":
        import subprocess

        try:
            completed = subprocess.run(argv)
        except KeyboardInterrupt:
            sys.exit(2)
        sys.exit(completed.returncode)
    else:
        # Replaces this process: signals, the exit code and the terminal go to the binary.
        os.execvp(binary, argv)


if __name__ == "__main__":
    main()
