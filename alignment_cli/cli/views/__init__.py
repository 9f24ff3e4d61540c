"""What the terminal shows (rich): scorecards, progress, the interview, rubrics."""
