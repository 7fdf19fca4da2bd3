"""The Pulumi front door for Python programs (internal): dynamic resources, rotation, data
sources and the provider process's runtime. Users import from `do_genai_model_keys`."""
