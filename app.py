"""drafter's web app, the thin entry: ``drafter.webapp.ui`` builds the Gradio Blocks, ``drafter.webapp.launch``
serves them (the same as ``drafter web``).

    python app.py            # serves on settings.host:settings.port (127.0.0.1:7860), queue enabled

Offline by construction: importing ``drafter.webapp`` sets Gradio's and huggingface_hub's offline environment
(no analytics, no hub, no telemetry) before gradio is imported; system fonts only, no CDN asset, no share link.
"""

from drafter.webapp.launch import serve

if __name__ == "__main__":
    serve()
