"""The DigitalOcean API (internal): the client, its retries and pacing, the transport, answer
decoding, the error classes, typed answers, the settings and the API's facts (`contract`).

Imports nothing of Pulumi: both front doors (the dynamic resources, a provider plugin) sit on it.
"""
