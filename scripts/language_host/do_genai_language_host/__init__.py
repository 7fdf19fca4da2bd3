"""A Python language host for the Pulumi engine: `pulumi up` on a `Pulumi.yaml` project.

The engine runs a Python project through an executable named `pulumi-language-python`. Pulumi's
own ships in its release archives; where those cannot be had (machines that reach only package
registries), `scripts/install-pulumi.sh` puts a launcher of this host beside the engine it
builds. An official host, on PATH or beside an official `pulumi`, always wins.

This is machinery for such machines, not part of the product: the `do_genai_model_keys` wheel
does not hold it. `install-pulumi.sh` copies this folder beside the engine and starts it with
`python -I`, so nothing in a project's folder can shadow it, and the runner drops its own
folder from `sys.path`, so a program cannot import the host's modules either.

- `server.py` is the host: a gRPC `LanguageRuntime` on the SDK's generated stubs. It prints its
  port, answers `GetPluginInfo`, `GetRequiredPackages`, `GetRequiredPlugins`, `Run`, `Cancel`
  and `About`, and refuses every other call with a message naming it.
- `runner.py` runs the program in the project's interpreter (`runtime.options.virtualenv`, else
  `PULUMI_PYTHON_CMD`, else `python3`); it imports nothing but the standard library and the
  `pulumi` SDK, so it works in any virtualenv that can run a Pulumi program.
"""
