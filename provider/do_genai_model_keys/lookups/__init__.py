"""What the data sources answer (internal): their result records (`records`) and the
client-side filters and sorts over them (`filtering`). Imports nothing of Pulumi: any front door
serves the same lookups."""
