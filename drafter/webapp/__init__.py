"""The web app: plain logic (sessions and autosave, form ↔ facts, HTML rendering with escaping and highlights,
corpus uploads, app settings, the drafting actions) and, apart from it, the Gradio side (``widgets``, ``ui``,
``ui_admin``, ``launch``), which only builds widgets and wires events to functions of the plain modules.

Importing this package sets the offline defaults of Gradio and huggingface_hub (no analytics, no hub, no
telemetry) before any of its modules imports gradio, which reads them at import time.
"""

import os

OFFLINE_ENV = {"GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1",
               "DO_NOT_TRACK": "1"}
for _name, _value in OFFLINE_ENV.items():
    os.environ.setdefault(_name, _value)
