"""Tools that change knowledge files: deep checks, teach, spreadsheet import, document ingest."""
