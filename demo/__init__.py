"""The demo coalition for a first run (`make run`): a development app, installed by settings/dev.py
and settings/test.py only. It sits above every other app: it fills them all."""
