"""The index room: embeddings, the Chroma store, the lexical index and the reader snapshot."""
