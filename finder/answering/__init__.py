"""The answering room: question parsing, guards, retrieval, answer types and rendering."""
