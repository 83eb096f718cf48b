"""Japanese text helpers: normalisation for search keys and Hepburn romanisation."""
