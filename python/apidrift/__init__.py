"""apidrift: what a PyTorch upgrade will do to your code.

The tool is a binary, installed beside this package as the ``apidrift`` script;
``python -m apidrift`` runs it. :func:`find_apidrift_bin` returns its path.
"""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig

__all__ = ["find_apidrift_bin"]


def find_apidrift_bin() -> str:
    """The path of the installed ``apidrift`` binary.

    Looked for where the installer put it: this environment's scripts folder, the user
    scheme's (``pip install --user``), a ``bin`` folder beside the package (``pip install
    --target``), then ``PATH``.
    """
    exe = "apidrift" + (sysconfig.get_config_var("EXE") or "")

    candidates = [os.path.join(sysconfig.get_path("scripts"), exe)]

    if sys.version_info >= (3, 10):
        user_scheme = sysconfig.get_preferred_scheme("user")
    elif os.name == "nt":
        user_scheme = "nt_user"
    elif sys.platform == "darwin" and getattr(sys, "_framework", None):
        user_scheme = "osx_framework_user"
    else:
        user_scheme = "posix_user"
    candidates.append(os.path.join(sysconfig.get_path("scripts", scheme=user_scheme), exe))

    package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    candidates.append(os.path.join(package_root, "bin", exe))

    for path in candidates:
        if os.path.isfile(path):
            return path

    on_path = shutil.which(exe)
    if on_path:
        return on_path

    raise FileNotFoundError(
        f"the apidrift binary was not found (looked in {', '.join(candidates)} and on PATH); "
        "reinstall the apidrift package"
    )
