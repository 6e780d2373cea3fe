"""Display layer: formats, colours, message catalog, chart and filter helpers. No SQL."""
