"""Who may call what: the scope decorators the blueprints use (the logic is service.security).

`require_admin` is kept for the views written before API keys; new views use `require_scope`.
"""

from __future__ import annotations

from service.security.access import presented_credential
from service.security.middleware import require_scope

__all__ = ["presented_credential", "require_admin", "require_scope"]

# Writes, imports, refreshes, keys and the audit log; the admin token holds it too.
require_admin = require_scope("admin")
