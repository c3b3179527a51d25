"""moto_server, patched to answer as AWS does where the difference could hide
a bug in xacct.

Run with the virtualenv's python (scripts/setup.sh makes it):
    .venv/bin/python tests/emulator/moto_server.py -H 127.0.0.1 -p PORT

Each module in patches/ restores one AWS behaviour; its docstring says which.
Its `apply()` is called before the server starts.
"""

import importlib
import os
import pkgutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

# On AWS another account's credentials get AccessDenied on a bucket's
# configuration; moto serves every bucket to every account unless told not to.
os.environ.setdefault("MOTO_S3_ALLOW_CROSSACCOUNT_ACCESS", "false")

import patches  # noqa: E402

for module in sorted(info.name for info in pkgutil.iter_modules(patches.__path__)):
    importlib.import_module(f"patches.{module}").apply()

from moto.server import main  # noqa: E402

if __name__ == "__main__":
    sys.argv[0] = "moto_server"
    sys.exit(main())
