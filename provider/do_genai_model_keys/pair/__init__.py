"""The rotating pair's component, once, for both doors (internal): it runs in a Python program
(the dynamic resources) and in the plugin's process (a remote component of any language)."""
