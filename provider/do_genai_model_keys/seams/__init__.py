"""Where the package meets the Pulumi SDK below its documented surface (internal): both doors
reach the engine through here."""
