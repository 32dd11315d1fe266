"""Training: partial-label loss, the loop, the stages and the one-command demo recipe."""
