"""The web app's plain logic (no Gradio here): sessions and autosave, form ↔ facts, HTML rendering with
escaping and highlights, corpus uploads, app settings, and the drafting actions the UI calls.

``app.py`` only builds widgets and wires events; every handler calls a function of this package.
"""
