"""The steering level: statistics computed from the record, the yearly evaluation report,
steering groups over operative groups."""
