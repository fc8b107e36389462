"""The catalog room: the program record, its vocabularies, applicant terms, rules and verdicts."""
