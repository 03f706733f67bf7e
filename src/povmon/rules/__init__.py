"""Pure domain rules, no database: ID numbers, vocabularies, income, lines, status, exit standard."""
