"""The Flux language: lexer, parser, AST, runtime values and interpreter."""
