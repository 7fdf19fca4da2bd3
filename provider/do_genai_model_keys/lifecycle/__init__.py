"""A model access key's whole life, once, for both doors (internal; no Pulumi here).

`inputs.py` declares the inputs and their checks, `outputs.py` the stored state record,
`accounts.py` what makes two accounts the same, `rules.py` the rules that decide the next step
(regenerates, the rotating pair's schedule and pacing), `key.py` the operations with typed
results, and `runtime.py` the provider process's clients, key stores and secret checks. The
dynamic resources (`dynamic/`) and the provider plugin (`plugin/`) adapt these operations to
their engine's calls; neither imports the other.
"""
