"""Training: the module library, personalised paths, progress, quizzes and certificates."""
