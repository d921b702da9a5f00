"""The prompt templates (``<name>.yaml``), shipped as package data; ``drafter.prompts`` reads them."""
