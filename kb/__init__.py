"""学习助手 — the training-materials knowledge base: settings, errors and the `kb` command."""
