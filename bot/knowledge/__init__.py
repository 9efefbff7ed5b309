"""What admins write: the knowledge model, its loading and validation from YAML."""
