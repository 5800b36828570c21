# nbgrader configuration for a course taught with the Nabla kernel (see docs/teaching.md).
c = get_config()  # noqa: F821

c.CourseDirectory.course_id = "nabla-losses"

# The stub that replaces each solution in the students' version, keyed by the notebook's
# kernelspec language ("nabla").
c.ClearSolutions.code_stub = {
    "nabla": "# YOUR CODE HERE\nraise NotImplementedError()",
    "python": "# YOUR CODE HERE\nraise NotImplementedError()",
}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
# Solutions sit between these comment lines (`#` starts a comment in Nabla as in Python).
c.ClearSolutions.begin_solution_delimeter = "BEGIN SOLUTION"
c.ClearSolutions.end_solution_delimeter = "END SOLUTION"
# Test code between these lines is removed from the students' version and run when grading.
c.ClearHiddenTests.begin_test_delimeter = "BEGIN HIDDEN TESTS"
c.ClearHiddenTests.end_test_delimeter = "END HIDDEN TESTS"

# Autograding runs each notebook with the kernel its kernelspec names ("nabla"); a cell may
# take this long.
c.Execute.timeout = 120
