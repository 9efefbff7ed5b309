"""Question in, structured answer out: features, index, decision, evaluation. Knows no channel."""
