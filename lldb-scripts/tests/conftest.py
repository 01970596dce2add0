"""The unit tests import the LLDB scripts from the folder above, with no LLDB: `import lldb`
raises ImportError here (Debian's dist-packages/lldb would otherwise import as an empty
namespace package), so a module that needs LLDB at import cannot slip into these tests."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.modules["lldb"] = None  # type: ignore[assignment]
