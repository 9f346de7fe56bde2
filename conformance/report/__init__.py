"""Reports of a run: test records, the requirement matrix, summaries, the Allure HTML, the release gate."""
