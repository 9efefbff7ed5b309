"""The exchange log: the store, gaps (what could not be answered) and reports."""
