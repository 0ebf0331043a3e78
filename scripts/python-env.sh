#!/usr/bin/env bash
# The Python environment the tests use (Microsoft's azure-mgmt-billing client, pytest, and
# aiosmtpd, a real SMTP server for the mail tests; localstripe, a fake Stripe, and the official
# stripe package for the Stripe connector tests): made once under $HOME/.cache, reused after.
# Prints the path of its python.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
venv="${FAKTURA_PY_VENV:-$HOME/.cache/faktura/pyvenv}"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import azure.mgmt.billing, pytest, aiosmtpd, standardwebhooks, localstripe, stripe" 2>/dev/null; then
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$here/e2e/python/requirements.txt" >&2
fi
echo "$venv/bin/python"
